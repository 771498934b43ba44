"""Masking: layouts kept, digits and letters hidden, short values never left whole."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anonlab.errors import ParameterError, TransformError
from anonlab.transforms.base import Context
from anonlab.transforms.masking import Mask
from anonlab.transforms.registry import transform_from_dict


def masked(t: Mask, values: list[Any], dtype: Any = pl.String) -> list[Any]:
    lf = pl.LazyFrame({"v": pl.Series(values, dtype=dtype)})
    t.check_input("v", lf.collect_schema()["v"])
    return t.apply(lf, "v", Context(schema=lf.collect_schema(), seed=0)).collect()["v"].to_list()


CASES = [
    # -- auto: the layout is chosen per value ---------------------------------------------------
    ({}, "123-45-6789", "***-**-6789"),  # SSN: separators kept, last four digits kept
    ({}, "(617) 284-3310", "(***) ***-3310"),  # phone
    ({}, "+1 617.284.3310", "+* ***.***.3310"),
    ({}, "4111 1111 1111 1111", "**** **** **** 1111"),  # card
    ({}, "jane.doe@example.com", "j***@e***.com"),  # e-mail: fixed-width masks, TLD kept
    ({}, "a@mail.example.co.uk", "a***@m***.uk"),  # only the last dot-part is kept
    ({}, "x@192.168.1.1", "*@***.*68.1.1"),  # no letter TLD: not an address, mostly digits
    ({}, "Margaret", "****aret"),  # plain
    ({}, "ab1", "**1"),  # two letters of three: plain, and short (see below)
    ({}, "", ""),
    # -- short values: at most half is kept, trailing first ------------------------------------
    ({}, "12345", "*2345"),  # five digits, keep four: one is still masked
    ({}, "1234", "**34"),  # keep_last would keep all four: keep two
    ({}, "123", "**3"),
    ({}, "7", "*"),
    ({}, "ab", "*b"),
    ({}, "a", "*"),
    ({"keep_first": 2, "keep_last": 2, "format": "plain"}, "abcd", "**cd"),
    ({"keep_first": 2, "keep_last": 2, "format": "plain"}, "abcde", "ab*de"),
    ({"keep_first": 3, "keep_last": 1, "format": "plain"}, "abcdef", "abc**f"),
    ({"keep_first": 3, "keep_last": 0, "format": "plain"}, "abc", "a**"),
    # -- plain ---------------------------------------------------------------------------------
    ({"format": "plain"}, "123-45-6789", "*******6789"),  # every character counts
    ({"format": "plain", "keep_last": 0}, "héllo wörld", "***********"),  # characters, not bytes
    ({"format": "plain", "keep_first": 1, "keep_last": 1}, "line\nbreak", "l********k"),
    # -- digit layouts: letters are masked too, never left as they are --------------------------
    ({"format": "ssn"}, "123456789", "*****6789"),
    ({"format": "ssn"}, "SSN 123-45-6789", "*** ***-**-6789"),
    ({"format": "phone"}, "617-284-3310 ext 12", "***-***-**10 *** 12"),  # the last 4 digits
    ({"format": "phone"}, "N/A", "*/*"),  # no digits: letters masked, layout kept
    ({"format": "ssn"}, "--", "*-"),  # nothing but layout: masked as plain (half kept)
    ({"format": "ssn", "keep_last": 0}, "()", "**"),
    ({"format": "card", "keep_first": 6}, "4111-1111-1111-1111", "4111-11**-****-1111"),
    # eight digits, ten asked for: half kept, trailing first
    ({"format": "card", "keep_first": 6}, "4111 1111", "**** 1111"),
    ({"format": "card", "keep_last": 0}, "4111 1111 1111 1111", "**** **** **** ****"),
    ({"format": "ssn"}, "١٢٣-٤٥-٦٧٨٩", "***-**-٦٧٨٩"),  # Arabic-Indic digits are digits
    # -- email: non-addresses fall back to plain -----------------------------------------------
    ({"format": "email"}, "bob@host.org", "b***@h***.org"),
    ({"format": "email"}, "not an address", "**********ress"),
    ({"format": "email"}, "a@b@c.com", "a***@c***.com"),  # the last @ splits
    ({"format": "email"}, "@host.org", "*****.org"),  # no local part: plain
    # -- the mask character ---------------------------------------------------------------------
    ({"char": "#"}, "123-45-6789", "###-##-6789"),
    ({"char": "$"}, "bob@host.org", "b$$$@h$$$.org"),  # "$" is not a regex group reference
    ({"char": "\\"}, "123-45-6789", "\\\\\\-\\\\-6789"),
    ({"char": "•", "format": "plain"}, "secret", "••cret"),
]


@pytest.mark.parametrize(("params", "value", "expected"), CASES)
def test_mask(params: dict[str, Any], value: str, expected: str) -> None:
    assert masked(Mask(**params), [value]) == [expected]


def test_all_cases_at_once_match_one_by_one() -> None:
    # the per-row choice of layout must not depend on the other rows
    for params in ({}, {"format": "plain"}, {"format": "ssn"}, {"format": "email"}):
        values = [value for _, value, _ in CASES]
        assert masked(Mask(**params), values) == [masked(Mask(**params), [v])[0] for v in values]


@pytest.mark.parametrize("fmt", ["auto", "email", "phone", "card", "ssn", "plain"])
def test_nulls_stay_null_and_empty_frames_work(fmt: str) -> None:
    assert masked(Mask(format=fmt), [None, "123-45-6789", None])[::2] == [None, None]
    assert masked(Mask(format=fmt), [None]) == [None]
    assert masked(Mask(format=fmt), []) == []


def test_categorical_input_masks_as_strings() -> None:
    got = masked(Mask(), ["123-45-6789", "123-45-6789", None], pl.Categorical)
    assert got == ["***-**-6789", "***-**-6789", None]
    assert masked(Mask(), ["ab"], pl.Enum(["ab"])) == ["*b"]


@pytest.mark.parametrize("dtype", [pl.Int64, pl.Date, pl.Float64, pl.Boolean])
def test_non_strings_are_refused(dtype: Any) -> None:
    with pytest.raises(TransformError, match=r"column 'v' of dtype .* takes string columns"):
        Mask().check_input("v", dtype)


def test_lazy_streaming_and_eager_agree_and_stay_vectorized() -> None:
    values = [value for _, value, _ in CASES] * 2_000 + [None] * 100
    frame = pl.DataFrame({"v": values})
    for t in (Mask(), Mask(keep_first=6, format="card"), Mask(format="plain")):
        query = t.apply(frame.lazy(), "v", Context(schema=frame.schema))
        assert "python" not in query.explain().lower()  # no Python per row (or per batch)
        in_memory = query.collect()
        assert in_memory.equals(query.collect(engine="streaming"))
        assert in_memory.equals(frame.with_columns(t.expr("v", Context(schema=frame.schema))))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"keep_last": -1}, "'keep_last' parameter of Mask must be an int >= 0"),
        ({"keep_first": 1.5}, "'keep_first' parameter of Mask must be an int >= 0"),
        ({"keep_last": True}, "'keep_last'"),
        ({"char": "**"}, "'char' parameter of Mask must be a single character"),
        ({"char": ""}, "single character"),
        ({"char": 1}, "single character"),
        ({"format": "iban"}, "'format' parameter of Mask must be one of 'auto', 'email'"),
    ],
)
def test_parameters_are_checked(params: dict[str, Any], message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        Mask(**params)


@pytest.mark.parametrize("t", [Mask(), Mask(keep_first=6, keep_last=2, char="#", format="card")])
def test_round_trip_through_plain_data(t: Mask) -> None:
    data = t.to_dict()
    assert data == {"op": "mask", "keep_last": t.keep_last, "keep_first": t.keep_first,
                    "char": t.char, "format": t.format}
    assert transform_from_dict(data) == t


# -- property: with nothing kept, nothing of two or more characters survives --------------------

# Values without the mask character (a value made only of "*" masks to itself), drawn to hit
# every layout: addresses, digit runs with separators, and free text.
CHARS = st.characters(blacklist_characters="*", blacklist_categories=("Cs",))
EMAILS = st.builds(
    lambda a, b, c: f"{a}@{b}.{c}",
    st.text(CHARS, min_size=1, max_size=6),
    st.text(CHARS, min_size=1, max_size=6),
    st.text(st.sampled_from("comorgukxyz"), min_size=1, max_size=4),
)
NUMBERS = st.text(st.sampled_from("0123456789 -().+/x"), min_size=1, max_size=20)
VALUES = st.lists(st.one_of(st.text(CHARS, max_size=12), EMAILS, NUMBERS), max_size=25)


@settings(max_examples=150, deadline=None)
@given(values=VALUES)
@pytest.mark.parametrize("fmt", ["auto", "email", "phone", "card", "ssn", "plain"])
def test_nothing_kept_means_nothing_survives(fmt: str, values: list[str]) -> None:
    got = masked(Mask(keep_last=0, format=fmt), values)
    for value, out in zip(values, got, strict=True):
        if len(value) >= 2:
            assert value not in out
        if fmt != "email" and "@" not in value:
            assert len(out) == len(value)  # only the e-mail layout changes the length
    if fmt in ("phone", "card", "ssn", "plain"):
        # no letters or digits at all are left, so no such value appears anywhere in the column
        text = "\n".join(got)
        assert not [v for v in values if len(v) >= 2 and v.strip() and v in text
                    and any(c.isalnum() for c in v)]


@settings(max_examples=150, deadline=None)
@given(values=VALUES, keep_last=st.integers(0, 6), keep_first=st.integers(0, 6))
def test_no_value_is_left_whole(values: list[str], keep_last: int, keep_first: int) -> None:
    # whatever is asked to be kept, every non-empty value comes out with something masked
    for fmt in ("auto", "email", "plain", "ssn"):
        got = masked(Mask(keep_last=keep_last, keep_first=keep_first, format=fmt), values)
        for value, out in zip(values, got, strict=True):
            if value:
                assert out != value

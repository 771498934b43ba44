"""Scrubbing identifiers out of free text."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anonlab.errors import ParameterError
from anonlab.transforms import Context, Scrub


def scrub(values: list, **kwargs) -> list:
    lf = pl.LazyFrame({"t": values}, schema={"t": pl.String})
    return Scrub(**kwargs).apply(lf, "t", Context(schema=lf.collect_schema())).collect()[
        "t"
    ].to_list()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Call (617) 284-3310 today", "Call <PHONE> today"),
        ("call 617.284.3310 or +44 20 7946 0958", "call <PHONE> or <PHONE>"),
        ("Mail jane.doe@example.com.", "Mail <EMAIL>."),
        ("SSN 123-45-6789 on file", "SSN <SSN> on file"),  # not mistaken for a phone
        ("see https://example.org/a?b=1 and www.x.com", "see <URL> and <URL>"),
        ("Seen for type 2 diabetes, A1c 7.2", "Seen for type 2 diabetes, A1c 7.2"),  # untouched
        ("", ""),
    ],
)
def test_scrub(text: str, expected: str) -> None:
    assert scrub([text]) == [expected]


def test_nulls_and_selected_kinds() -> None:
    assert scrub([None, "a@b.org 617-284-3310"], kinds=["email"]) == [None, "<EMAIL> 617-284-3310"]
    assert scrub(["a@b.org"], placeholder="[{kind} removed]") == ["[EMAIL removed]"]
    assert scrub(["a@b.org"], placeholder="$1") == ["$1"]  # no regex group expansion


@pytest.mark.parametrize("kinds", [(), ("names",), "email,phone", 3])
def test_bad_kinds(kinds) -> None:
    with pytest.raises(ParameterError, match="'kinds' parameter of Scrub"):
        Scrub(kinds=kinds)


phones = st.builds(
    lambda a, b, c: f"({a}) {b}-{c:04d}",
    st.integers(200, 999), st.integers(200, 999), st.integers(0, 9999),
)
emails = st.from_regex(r"[a-z]{2,8}\.[a-z]{2,8}@[a-z]{3,8}\.(com|org|net)", fullmatch=True)
words = st.lists(st.sampled_from(["patient", "seen", "follow", "up", "stable", "today"]),
                 max_size=6).map(" ".join)


@settings(max_examples=80, deadline=None)
@given(before=words, secret=st.one_of(phones, emails), after=words)
def test_no_phone_or_email_survives(before: str, secret: str, after: str) -> None:
    [out] = scrub([f"{before} {secret} {after}"])
    assert secret not in out

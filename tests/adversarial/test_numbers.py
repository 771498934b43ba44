"""Numbers made wrong, and numbers that crashed (issue 13, items 6 and 11).

Microaggregation over NaN and infinities, invalid ages under Safe Harbor, interval widths finer
than a label can write, integers at the ends of their types, dates at the ends of the calendar,
and integer parameters beyond 64 bits. Every case is a clear anonlab error or a correct result.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from typing import Any

import polars as pl
import pytest

import anonlab
from anonlab import Key
from anonlab.errors import AnonlabError, ParameterError, RecipeError, TransformError
from anonlab.licensing import check_compliance
from anonlab.transforms import DateShift, Generalize, Microaggregate, Noise, Round, TopBottomCode

INF, NAN = float("inf"), float("nan")
KEY = Key("adversarial numbers key, 32 bytes!")


def _apply(column: str, transform: Any, frame: pl.DataFrame) -> pl.Series:
    return anonlab.Recipe().then(column, transform).apply(frame).get_column(column)


# -- microaggregation over NaN and infinities -----------------------------------------------------

# (id, values, Microaggregate keywords)
MICRO: list[tuple[str, list[float | None], dict[str, Any]]] = [
    ("inf-among-finite", [1.0, 2.0, INF, 4.0, 5.0, 6.0], {}),
    ("minus-inf", [1.0, -INF, 3.0, 4.0], {}),
    ("both-infinities", [INF, 1.0, 2.0, -INF, 3.0, 4.0], {}),
    ("nan-and-inf", [NAN, 1.0, INF, 2.0, None, 3.0, 4.0], {}),
    ("median", [1.0, INF, 2.0, 3.0, -INF, 4.0], {"statistic": "median"}),
    ("k-larger-than-finite-values", [INF, 1.0, -INF], {"k": 3}),
    ("only-non-finite", [INF, NAN, -INF, None], {}),
    ("float32", [1.0, 2.0, INF, 3.0], {"dtype": pl.Float32}),
    ("strata", [1.0, INF, 2.0, 3.0, -INF, 4.0], {"within": ("g",)}),
]


@pytest.mark.parametrize(("values", "kwargs"), [c[1:] for c in MICRO], ids=[c[0] for c in MICRO])
def test_microaggregation_keeps_finite_values_finite(
    values: list[float | None], kwargs: dict[str, Any]
) -> None:
    kwargs = dict(kwargs)
    dtype = kwargs.pop("dtype", pl.Float64)
    groups = [i % 2 for i in range(len(values))]
    frame = pl.DataFrame({"x": pl.Series(values, dtype=dtype), "g": groups})
    out = _apply("x", Microaggregate(k=kwargs.pop("k", 2), seed=0, **kwargs), frame).to_list()
    for before, after in zip(values, out, strict=True):
        if before is None:
            assert after is None
        elif math.isfinite(before):
            assert after is not None and math.isfinite(after)  # never turned into +-inf
        elif math.isnan(before):
            assert after is not None and math.isnan(after)
        else:
            assert after == before  # an infinity stays as it is, out of every group
    finite = [v for v in out if v is not None and math.isfinite(v)]
    assert all(finite.count(v) >= 2 for v in finite) or len(finite) < 2


# -- ages under Safe Harbor ------------------------------------------------------------------------

# (id, ages, passes, phrase of the failure)
AGES: list[tuple[str, list[Any], bool, str]] = [
    ("minus-5", [30, -5, 40], False, "invalid age"),
    ("minus-200", [30, -200, 50], False, "invalid age"),
    ("negative-float", [30.0, -1.5], False, "invalid age"),
    ("nan-age", [30.0, NAN], False, "invalid age"),
    ("negative-int8", pl.Series([30, -5], dtype=pl.Int8), False, "invalid age"),
    ("negative-and-over-89", [95, -5], False, "over 89 not top-coded and 1 invalid"),
    ("text-minus-5", ["30", "-5"], False, "negative age label"),
    ("text-negative-interval", ["[-10, 0)", "[0, 10)"], False, "negative age label"),
    ("text-spaced-minus", ["- 5", "40"], False, "negative age label"),
    ("over-89", [30, 95], False, "over 89"),
    ("over-89-float", [30.0, 89.5], False, "over 89"),
    ("valid", [0, 30, 89], True, ""),
    ("valid-with-nulls", [None, 30, None], True, ""),
    ("pooled", ["30", "90+"], True, ""),
    ("all-null", pl.Series([None, None], dtype=pl.Int64), True, ""),
]


@pytest.mark.parametrize(
    ("ages", "passes", "phrase"), [c[1:] for c in AGES], ids=[c[0] for c in AGES]
)
def test_safe_harbor_refuses_invalid_ages(ages: Any, passes: bool, phrase: str) -> None:
    frame = pl.DataFrame({"age": ages})
    result = check_compliance("hipaa-safe-harbor", frame=frame, recipe=anonlab.Recipe())
    check = next(c for c in result.checks if c.name == "safe-harbor-ages")
    assert check.passed is passes, check.detail
    assert phrase in check.detail
    if not passes:
        assert "age:" in check.detail  # the column is named
        assert "-200" not in check.detail  # counts, never values


def test_top_coding_does_not_launder_negative_ages() -> None:
    frame = pl.DataFrame({"age": [30, -5, 95]})
    recipe = anonlab.Recipe().then("age", TopBottomCode(top=89, top_label="90+"))
    result = check_compliance("hipaa-safe-harbor", frame=recipe.apply(frame), recipe=recipe)
    assert not next(c for c in result.checks if c.name == "safe-harbor-ages").passed


# -- interval widths -----------------------------------------------------------------------------

# (id, Generalize keywords, the phrase of the ParameterError)
BAD_WIDTHS: list[tuple[str, dict[str, Any], str]] = [
    ("1e-300", {"width": 1e-300}, "finer than interval labels can write"),
    ("1e-16", {"width": 1e-16}, "at most 15 decimal places"),
    ("denormal", {"width": 5e-324}, "finer than"),
    ("origin-1e-20", {"width": 1, "origin": 1e-20}, "'origin' parameter"),
    ("zero", {"width": 0}, "positive number"),
    ("negative", {"width": -1}, "positive number"),
    ("inf", {"width": INF}, "positive number"),
    ("nan", {"width": NAN}, "positive number"),
    ("text", {"width": "10"}, "positive number"),
    ("bool", {"width": True}, "positive number"),
]


@pytest.mark.parametrize(
    ("kwargs", "phrase"), [c[1:] for c in BAD_WIDTHS], ids=[c[0] for c in BAD_WIDTHS]
)
def test_widths_labels_cannot_express_are_refused(kwargs: dict[str, Any], phrase: str) -> None:
    with pytest.raises(ParameterError, match=re.escape(phrase)):
        Generalize(**kwargs)


_LABEL = re.compile(r"^\[(?P<lo>[^,]+), (?P<hi>[^)]+)\)$")

# (id, width, origin, values) whose labels must all be proper intervals holding the value
GOOD_WIDTHS: list[tuple[str, float, float, list[float]]] = [
    ("1e-15", 1e-15, 0, [1e-15, 3e-15, 0.0]),
    ("0.1", 0.1, 0, [0.3, 0.7, -0.25]),
    ("0.001-small-values", 0.001, 0, [1.2345, 99.999]),
    ("large-width", 1e300, 0, [5.0, -5.0, 1e299]),
    ("odd-origin", 2.5, 0.5, [0.5, 3.0, -7.25]),
    ("1e-12-near-1", 1e-12, 0, [1.0, 1.000000000005]),
]


@pytest.mark.parametrize(
    ("width", "origin", "values"), [c[1:] for c in GOOD_WIDTHS], ids=[c[0] for c in GOOD_WIDTHS]
)
def test_interval_labels_are_never_empty(width: float, origin: float, values: list[float]) -> None:
    out = _apply("x", Generalize(width=width, origin=origin), pl.DataFrame({"x": values}))
    for value, label in zip(values, out.to_list(), strict=True):
        m = _LABEL.match(label)
        assert m, label
        lo, hi = float(m["lo"]), float(m["hi"])
        assert lo < hi, label  # never "[1, 1)"
        assert lo - abs(lo) * 1e-12 <= value < hi + abs(hi) * 1e-12, (value, label)


# (id, column values and dtype, Generalize keywords, expected labels or the error phrase)
EXTREMES: list[tuple[str, pl.Series, dict[str, Any], list[Any] | str]] = [
    (
        "uint64-max",
        pl.Series([2**64 - 1, 5], dtype=pl.UInt64),
        {"width": 10},
        ["[18446744073709551610, 18446744073709551620)", "[0, 10)"],
    ),
    (
        "uint64-max-start",
        pl.Series([2**64 - 1], dtype=pl.UInt64),
        {"width": 10, "label": "start"},
        "beyond the Int64 range",
    ),
    (
        "uint64-small-start",
        pl.Series([17, 5], dtype=pl.UInt64),
        {"width": 10, "label": "start"},
        [10, 0],
    ),
    (
        "int64-max-origin",
        pl.Series([2**63 - 1], dtype=pl.Int64),
        {"width": 10, "origin": -5},
        ["[9223372036854775805, 9223372036854775815)"],
    ),
    (
        "int64-min",
        pl.Series([-(2**63)], dtype=pl.Int64),
        {"width": 10},
        ["[-9223372036854775810, -9223372036854775800)"],
    ),
    (
        "int64-min-start",
        pl.Series([-(2**63)], dtype=pl.Int64),
        {"width": 10, "label": "start"},
        "beyond the Int64 range",
    ),
    (
        "int8-extremes",
        pl.Series([-128, 127], dtype=pl.Int8),
        {"width": 100},
        ["[-200, -100)", "[100, 200)"],
    ),
    (
        "float-width-on-huge-int",
        pl.Series([2**63 - 1], dtype=pl.Int64),
        {"width": 0.5},
        "below their float precision",
    ),
    (
        "tiny-width-on-huge-float",
        pl.Series([1e20, 1.0]),
        {"width": 0.001},
        "below their float precision",
    ),
    ("inf-is-labelled", pl.Series([INF, -INF, 5.0]), {"width": 10}, ["inf", "-inf", "[0, 10)"]),
    ("nan-is-labelled", pl.Series([NAN, 5.0]), {"width": 10}, ["NaN", "[0, 10)"]),
]


@pytest.mark.parametrize(
    ("values", "kwargs", "expected"), [c[1:] for c in EXTREMES], ids=[c[0] for c in EXTREMES]
)
def test_generalize_at_the_ends_of_the_types(
    values: pl.Series, kwargs: dict[str, Any], expected: list[Any] | str
) -> None:
    frame = pl.DataFrame({"x": values})
    step = Generalize(**kwargs)
    if isinstance(expected, str):
        with pytest.raises(TransformError, match=re.escape(expected)) as info:
            _apply("x", step, frame)
        assert "'x'" in str(info.value)
        assert "This error occurred" not in str(info.value)  # no polars query dump
        return
    assert _apply("x", step, frame).to_list() == expected


# -- noise and date shifts at the ends ------------------------------------------------------------

INT64 = pl.Series([2**63 - 1, -(2**63), 0], dtype=pl.Int64)

# (id, values, Noise keywords, None for a correct result or the error phrase)
NOISE: list[tuple[str, pl.Series, dict[str, Any], str | None]] = [
    ("int64-extremes-integer-output", INT64, {"round_to": 1}, "beyond the Int64 range"),
    ("int64-extremes-clipped", INT64, {"round_to": 1, "clip": (-1000, 1000)}, None),
    ("int64-extremes-float-output", INT64, {}, None),
    ("uint64-max-float-output", pl.Series([2**64 - 1], dtype=pl.UInt64), {}, None),
    (
        "uint64-max-integer-output",
        pl.Series([2**64 - 1], dtype=pl.UInt64),
        {"round_to": 1},
        "beyond the Int64 range",
    ),
    ("infinities-stay", pl.Series([INF, -INF, 1.0]), {}, None),
    ("huge-clip", INT64, {"round_to": 1, "clip": (-1e300, 1e300)}, "beyond the Int64 range"),
]


@pytest.mark.parametrize(
    ("values", "kwargs", "error"), [c[1:] for c in NOISE], ids=[c[0] for c in NOISE]
)
def test_noise_at_the_ends_of_int64(
    values: pl.Series, kwargs: dict[str, Any], error: str | None
) -> None:
    frame = pl.DataFrame({"x": values})
    step = Noise(distribution="laplace", scale=5.0, key=KEY, **kwargs)
    if error is not None:
        with pytest.raises(TransformError, match=re.escape(error)):
            _apply("x", step, frame)
        return
    out = _apply("x", step, frame)
    assert out.len() == values.len() and out.null_count() == values.null_count()
    if values.dtype.is_float():
        assert [math.isinf(v) for v in out.to_list()] == [math.isinf(v) for v in values.to_list()]


IDS = list(range(40))  # enough individuals that some shift forward and some backward

# (id, the date, its dtype, error phrase or None)
SHIFTS: list[tuple[str, Any, pl.DataType, str | None]] = [
    ("date-9999-12-31", dt.date(9999, 12, 31), pl.Date(), "outside the years 1 to 9999"),
    ("date-0001-01-01", dt.date(1, 1, 1), pl.Date(), "outside the years 1 to 9999"),
    (
        "datetime-9999-12-31",
        dt.datetime(9999, 12, 31, 23, 59),
        pl.Datetime("us"),
        "outside the years 1 to 9999",
    ),
    ("datetime-ms-0001", dt.datetime(1, 1, 1), pl.Datetime("ms"), "outside the years 1 to 9999"),
    (
        "datetime-utc-9999",
        dt.datetime(9999, 12, 31, 12, tzinfo=dt.UTC),
        pl.Datetime("us", "UTC"),
        "outside the years 1 to 9999",
    ),
    ("ordinary-date", dt.date(2024, 5, 17), pl.Date(), None),
    ("near-the-end-but-within", dt.date(9999, 11, 1), pl.Date(), None),
]


@pytest.mark.parametrize(
    ("day", "dtype", "error"), [c[1:] for c in SHIFTS], ids=[c[0] for c in SHIFTS]
)
@pytest.mark.parametrize("as_pandas", [False, True], ids=["polars", "pandas"])
def test_date_shift_at_the_ends_of_the_calendar(
    day: Any, dtype: pl.DataType, error: str | None, as_pandas: bool
) -> None:
    frame = pl.DataFrame({"d": pl.Series([day] * len(IDS), dtype=dtype), "id": IDS})
    step = DateShift(by="id", max_days=30, key=KEY)
    source = frame.to_pandas() if as_pandas else frame
    if error is not None:
        with pytest.raises(TransformError, match=error) as info:
            anonlab.Recipe().then("d", step).apply(source)
        assert "'d'" in str(info.value) and "This error occurred" not in str(info.value)
        return
    out = anonlab.Recipe().then("d", step).apply(source)
    shifted = out["d"].tolist() if as_pandas else out["d"].to_list()  # Python values: no crash
    assert len(shifted) == len(IDS)


# -- integers beyond 64 bits ----------------------------------------------------------------------

FRAME = pl.DataFrame({"a": [1, 2, 3, 3], "z": ["02139", "02139", "10001", "10002"]})

# (id, a call that must raise, the anonlab error type)
BIG: list[tuple[str, Callable[[], Any], type[AnonlabError]]] = [
    ("assess-risk-k", lambda: anonlab.assess_risk(FRAME, ["a"], k=10**30), ParameterError),
    ("k-anonymity", lambda: anonlab.KAnonymity(10**30), ParameterError),
    ("targets-k", lambda: anonlab.Targets(quasi_identifiers=("a",), k=10**30), ParameterError),
    ("generalize-keep", lambda: Generalize(keep=10**100), ParameterError),
    ("generalize-quantiles", lambda: Generalize(quantiles=10**30), ParameterError),
    ("round-digits", lambda: Round(digits=10**30), ParameterError),
    ("noise-seed", lambda: Noise(distribution="laplace", scale=1.0, seed=10**30), ParameterError),
    ("microaggregate-k", lambda: Microaggregate(k=-(10**40)), ParameterError),
    ("profile-sample", lambda: anonlab.profile(FRAME, sample=10**20), ParameterError),
    (
        "recipe-yaml-keep",
        lambda: anonlab.Recipe.from_yaml(
            "steps:\n  - column: z\n    op: generalize\n    keep: 1" + "0" * 100 + "\n"
        ),
        RecipeError,
    ),
    (
        "recipe-json-k",
        lambda: anonlab.Recipe.from_json(
            '{"targets": {"quasi_identifiers": ["a"], "k": 1' + "0" * 40 + "}}"
        ),
        RecipeError,
    ),
    ("recipe-yaml-seed", lambda: anonlab.Recipe.from_yaml("seed: " + "9" * 30 + "\n"), RecipeError),
]


@pytest.mark.parametrize(("call", "error"), [c[1:] for c in BIG], ids=[c[0] for c in BIG])
def test_integers_beyond_64_bits_are_parameter_errors(
    call: Callable[[], Any], error: type[AnonlabError]
) -> None:
    with pytest.raises(error, match="fits in 64 bits") as info:
        call()
    assert "0" * 30 not in str(info.value)  # the number is not printed whole


# (id, a call with a large but 64-bit int, which gives a correct result)
LARGE: list[tuple[str, Callable[[], Any], Callable[[Any], bool]]] = [
    (
        "assess-risk-k-2**62",
        lambda: anonlab.assess_risk(FRAME, ["a"], k=2**62),
        lambda r: r.passed is False,
    ),
    (
        "keep-2**62",
        lambda: _apply("z", Generalize(keep=2**62), FRAME),
        lambda s: s.to_list() == FRAME["z"].to_list(),
    ),
    (
        "round-to-huge",
        lambda: _apply("a", Round(to=2**62), FRAME),
        lambda s: s.to_list() == [0, 0, 0, 0],
    ),
]


@pytest.mark.parametrize(("call", "check"), [c[1:] for c in LARGE], ids=[c[0] for c in LARGE])
def test_large_64_bit_integers_work(call: Callable[[], Any], check: Callable[[Any], bool]) -> None:
    assert check(call())

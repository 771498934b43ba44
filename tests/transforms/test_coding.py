"""Recoding numbers: top and bottom coding, rounding."""

from __future__ import annotations

import datetime as dt
import math

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anonlab.errors import ColumnNotFoundError, ParameterError, TransformError
from anonlab.transforms import Context, Transform, transform_from_dict
from anonlab.transforms.coding import Round, TopBottomCode

NAN = float("nan")
INF = float("inf")


def run(t: Transform, values: list, dtype: pl.DataType | None = None) -> pl.Series:
    lf = pl.LazyFrame({"v": values}, schema={"v": dtype} if dtype is not None else None)
    ctx = Context(schema=lf.collect_schema(), seed=0)
    return t.apply(lf, "v", ctx).collect().get_column("v")


def same(got: list, expected: list) -> bool:
    """Equal lists where NaN equals NaN."""
    return len(got) == len(expected) and all(
        (isinstance(g, float) and isinstance(e, float) and math.isnan(g) and math.isnan(e))
        or g == e
        for g, e in zip(got, expected, strict=True)
    )


# -- top and bottom coding -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("params", "dtype", "values", "expected", "out_dtype"),
    [
        # numeric stays numeric, in the column's own dtype; nulls stay null
        ({"top": 89, "bottom": 18}, pl.Int8, [5, 50, 95, None], [18, 50, 89, None], pl.Int8),
        ({"top": 89}, pl.Int64, [89, 90], [89, 89], pl.Int64),
        ({"bottom": 0}, pl.Int32, [-3, 0, 3], [0, 0, 3], pl.Int32),
        # thresholds beyond the dtype's range on the side no value reaches change nothing
        ({"top": 300, "bottom": -5}, pl.UInt8, [0, 255], [0, 255], pl.UInt8),
        # ... but one every value passes widens to Int64
        ({"top": -5}, pl.UInt8, [0, 255], [-5, -5], pl.Int64),
        # a non-integer threshold on integers gives floats
        ({"top": 89.5}, pl.Int64, [50, 95], [50.0, 89.5], pl.Float64),
        # floats keep their dtype; NaN stays NaN, infinities are coded
        ({"top": 1.5, "bottom": -1.5}, pl.Float32, [2.0, -2.0, NAN, INF, -INF, 0.5, None],
         [1.5, -1.5, NAN, 1.5, -1.5, 0.5, None], pl.Float32),
        # a label makes a String column: the label for coded values, the number otherwise
        ({"top": 89, "top_label": "90+"}, pl.Int64, [34, 89, 90, None], ["34", "89", "90+", None],
         pl.String),
        ({"bottom": 18, "bottom_label": "<18", "top": 89}, pl.Int64, [1, 50, 95],
         ["<18", "50", "89"], pl.String),
        ({"bottom": 18, "bottom_label": "<18", "top": 89, "top_label": "90+"}, pl.UInt8,
         [1, 50, 95, None], ["<18", "50", "90+", None], pl.String),
        # floats with a label: NaN reads "NaN" (not the label), the unlabeled side is clipped
        ({"top": 89, "top_label": "90+", "bottom": 2.5}, pl.Float64,
         [1.0, 50.5, 95.0, NAN, -INF, INF], ["2.5", "50.5", "90+", "NaN", "2.5", "90+"],
         pl.String),
    ],
)
def test_top_bottom_code(
    params: dict, dtype: pl.DataType, values: list, expected: list, out_dtype: pl.DataType
) -> None:
    out = run(TopBottomCode(**params), values, dtype)
    assert same(out.to_list(), expected), out.to_list()
    assert out.dtype == out_dtype


@settings(max_examples=80, deadline=None)
@given(
    values=st.lists(st.one_of(st.none(), st.integers(-1000, 1000)), max_size=30),
    bottom=st.integers(-500, 0),
    span=st.integers(1, 500),
)
def test_coded_values_lie_within_the_thresholds(values: list, bottom: int, span: int) -> None:
    top = bottom + span
    out = run(TopBottomCode(top=top, bottom=bottom), values, pl.Int64).to_list()
    for v, o in zip(values, out, strict=True):
        if v is None:
            assert o is None
        else:
            assert o == min(max(v, bottom), top)


# -- rounding --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("params", "dtype", "values", "expected", "out_dtype"),
    [
        # integers to an integer multiple: exact, halves away from zero, Int64
        ({"to": 10}, pl.Int16, [15, -15, 14, -14, 5, 0, None], [20, -20, 10, -10, 10, 0, None],
         pl.Int64),
        ({"to": 5}, pl.UInt8, [12, 13, 255], [10, 15, 255], pl.Int64),
        ({"to": 5.0}, pl.Int64, [12, 13], [10, 15], pl.Int64),
        ({"to": 1}, pl.Int64, [7], [7], pl.Int64),
        # a non-integer multiple on integers gives floats
        ({"to": 2.5}, pl.Int64, [1, 2, 4], [0.0, 2.5, 5.0], pl.Float64),
        # floats keep their dtype; the result is clean of binary leftovers
        ({"to": 0.1}, pl.Float64, [0.26, 0.94, -0.26], [0.3, 0.9, -0.3], pl.Float64),
        ({"to": 0.5}, pl.Float32, [1.24, 1.25, -1.25, NAN, None], [1.0, 1.5, -1.5, NAN, None],
         pl.Float32),
        ({"to": 1000}, pl.Float64, [52_000.5, 61_500.0, INF], [52_000.0, 62_000.0, INF],
         pl.Float64),
        # decimal digits
        ({"digits": 1}, pl.Float64, [1.25, 2.35, -1.25, None], [1.3, 2.4, -1.3, None], pl.Float64),
        ({"digits": 0}, pl.Float32, [2.5, 3.5], [3.0, 4.0], pl.Float32),
        # digits leave integers alone, in their dtype
        ({"digits": 2}, pl.UInt8, [1, 2], [1, 2], pl.UInt8),
    ],
)
def test_round(
    params: dict, dtype: pl.DataType, values: list, expected: list, out_dtype: pl.DataType
) -> None:
    out = run(Round(**params), values, dtype)
    assert same(out.to_list(), expected), out.to_list()
    assert out.dtype == out_dtype


@settings(max_examples=80, deadline=None)
@given(
    values=st.lists(st.one_of(st.none(), st.integers(-10**9, 10**9)), max_size=30),
    to=st.integers(1, 1000),
)
def test_rounding_integers_to_a_multiple(values: list, to: int) -> None:
    out = run(Round(to=to), values, pl.Int64).to_list()
    for v, o in zip(values, out, strict=True):
        if v is None:
            assert o is None
            continue
        assert o % to == 0
        assert abs(o - v) * 2 <= to
        # halves go away from zero
        if abs(o - v) * 2 == to:
            assert abs(o) > abs(v)


# -- common to both --------------------------------------------------------------------------------
@pytest.mark.parametrize("t", [TopBottomCode(top=1), Round(to=1), Round(digits=1)])
@pytest.mark.parametrize(
    ("dtype", "value"),
    [
        (pl.String, "1"),
        (pl.Boolean, True),
        (pl.Date, dt.date(2024, 1, 1)),
        (pl.Decimal(10, 2), 1),
    ],
)
def test_wrong_dtype(t: Transform, dtype: pl.DataType, value: object) -> None:
    with pytest.raises(TransformError, match=f"'{t.op}' transform cannot apply to column 'v'"):
        run(t, [value], dtype)


@pytest.mark.parametrize(
    "t",
    [
        TopBottomCode(top=1),
        TopBottomCode(top=1, top_label="big"),
        Round(to=5),
        Round(to=0.5),
        Round(digits=1),
    ],
)
@pytest.mark.parametrize("dtype", [pl.Int32, pl.Float64])
def test_empty_frame(t: Transform, dtype: pl.DataType) -> None:
    out = run(t, [], dtype)
    assert out.len() == 0
    # the schema is what a non-empty frame would get
    assert out.dtype == run(t, [1], dtype).dtype


def test_missing_column() -> None:
    lf = pl.LazyFrame({"v": [1]})
    with pytest.raises(ColumnNotFoundError, match="'w'"):
        Round(to=2).apply(lf, "w", Context(schema=lf.collect_schema()))


@pytest.mark.parametrize(
    ("cls", "params", "message"),
    [
        (TopBottomCode, {}, "needs 'top', 'bottom' or both"),
        (TopBottomCode, {"top": "90"}, "'top' parameter of TopBottomCode must be a finite"),
        (TopBottomCode, {"top": True}, "'top' parameter"),
        (TopBottomCode, {"bottom": NAN}, "'bottom' parameter"),
        (TopBottomCode, {"top": 1, "bottom": 1}, "'bottom' parameter of TopBottomCode must be "
                                                 "below top=1"),
        (TopBottomCode, {"top": 1, "bottom": 2}, "'bottom' parameter"),
        (TopBottomCode, {"top": 1, "top_label": ""}, "'top_label' parameter"),
        (TopBottomCode, {"top": 1, "top_label": 90}, "'top_label' parameter"),
        (TopBottomCode, {"bottom": 1, "top_label": "90+"}, "'top_label' parameter of "
                                                           "TopBottomCode must be None when 'top'"),
        (TopBottomCode, {"top": 1, "bottom_label": "<1"}, "'bottom_label' parameter"),
        (Round, {}, "exactly one of 'to'.*Got neither"),
        (Round, {"to": 5, "digits": 1}, "exactly one of 'to'.*Got both"),
        (Round, {"to": 0}, "'to' parameter of Round must be a positive number"),
        (Round, {"to": -5}, "'to' parameter"),
        (Round, {"to": INF}, "'to' parameter"),
        (Round, {"to": "5"}, "'to' parameter"),
        (Round, {"digits": -1}, "'digits' parameter of Round must be an int >= 0"),
        (Round, {"digits": 16}, "'digits' parameter"),
        (Round, {"digits": 1.0}, "'digits' parameter"),
    ],
)
def test_bad_parameters(cls: type[Transform], params: dict, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        cls(**params)


@pytest.mark.parametrize(
    "t",
    [
        TopBottomCode(top=89),
        TopBottomCode(top=89.5, bottom=0, top_label="90+", bottom_label="0"),
        Round(to=5),
        Round(to=0.25),
        Round(digits=3),
    ],
)
def test_round_trip(t: Transform) -> None:
    data = t.to_dict()
    assert data["op"] == t.op
    again = transform_from_dict(data)
    assert again == t
    assert hash(again) == hash(t)
    # deterministic: no randomness here, but the same input gives the same output
    assert run(again, [1.5, 100.0]).equals(run(t, [1.5, 100.0]))

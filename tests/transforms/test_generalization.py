"""Generalization: intervals, calendar periods, prefixes and hierarchy labels."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anonlab.errors import (
    ColumnNotFoundError,
    HierarchyError,
    ParameterError,
    RecipeError,
    TransformError,
)
from anonlab.hierarchies import Hierarchy
from anonlab.transforms import Context, transform_from_dict
from anonlab.transforms.generalization import Generalize

NAN = float("nan")
INF = float("inf")

CITIES = Hierarchy(
    [["Boston", "MA", "*"], ["Cambridge", "MA", "*"], ["New York", "NY", "*"]], column="city"
)


def run(
    t: Generalize, values: list, dtype: pl.DataType | None = None, *, engine: str = "in-memory"
) -> pl.Series:
    lf = pl.LazyFrame({"v": values}, schema={"v": dtype} if dtype is not None else None)
    ctx = Context(schema=lf.collect_schema(), seed=0)
    return t.apply(lf, "v", ctx).collect(engine=engine).get_column("v")  # type: ignore[call-overload]


def same(got: list, expected: list) -> bool:
    """Equal lists where NaN equals NaN."""
    return len(got) == len(expected) and all(
        (isinstance(g, float) and isinstance(e, float) and math.isnan(g) and math.isnan(e))
        or g == e
        for g, e in zip(got, expected, strict=True)
    )


# -- every mode, table-driven ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("params", "dtype", "values", "expected", "out_dtype"),
    [
        # width on integers: exact integer arithmetic, floor toward -inf, nulls stay null
        ({"width": 10}, pl.Int64, [34, 0, 9, 10, -1, None], ["[30, 40)", "[0, 10)", "[0, 10)",
                                                             "[10, 20)", "[-10, 0)", None],
         pl.String),
        # an origin shifts the grid; a small dtype is widened for the arithmetic
        ({"width": 5, "origin": 3}, pl.UInt8, [3, 7, 8, 2], ["[3, 8)", "[3, 8)", "[8, 13)",
                                                            "[-2, 3)"], pl.String),
        # label="start" keeps integers numeric (Int64)
        ({"width": 10, "label": "start"}, pl.Int32, [34, -1, None], [30, -10, None], pl.Int64),
        # floats: 0.3 / 0.1 is 2.9999..., still [0.3, 0.4); NaN and infinities are labelled
        ({"width": 0.1}, pl.Float64, [0.3, 0.7, -0.05, NAN, INF, -INF, None],
         ["[0.3, 0.4)", "[0.7, 0.8)", "[-0.1, 0)", "NaN", "inf", "-inf", None], pl.String),
        # integral bounds of a float column are written without ".0"
        ({"width": 10}, pl.Float64, [34.5, 20.0], ["[30, 40)", "[20, 30)"], pl.String),
        # a non-integer origin: bounds keep its decimals
        ({"width": 5, "origin": 2.5}, pl.Float32, [0.0, 2.5, 7.4, 7.5],
         ["[-2.5, 2.5)", "[2.5, 7.5)", "[2.5, 7.5)", "[7.5, 12.5)"], pl.String),
        # label="start" on floats: Float64; NaN and infinities stay
        ({"width": 0.25, "label": "start"}, pl.Float64, [0.3, 0.75, NAN, INF, None],
         [0.25, 0.75, NAN, INF, None], pl.Float64),
        # a non-integer width on an integer column goes through floats
        ({"width": 2.5}, pl.Int64, [4, 5], ["[2.5, 5)", "[5, 7.5)"], pl.String),
        ({"width": 2.5, "label": "start"}, pl.Int64, [4, 5], [2.5, 5.0], pl.Float64),
        # breaks: open ends "<lo" and ">=hi", left-closed intervals
        ({"breaks": [18, 65]}, pl.Int64, [1, 18, 64, 65, 100, None],
         ["<18", "[18, 65)", "[18, 65)", ">=65", ">=65", None], pl.String),
        ({"breaks": [0.5, 1, 2.25]}, pl.Float64, [0.4, 0.5, 1.0, 3.0, NAN, -INF, INF],
         ["<0.5", "[0.5, 1)", "[1, 2.25)", ">=2.25", "NaN", "<0.5", ">=2.25"], pl.String),
        # a single break gives two bins
        ({"breaks": [0]}, pl.Int8, [-1, 0, 1], ["<0", ">=0", ">=0"], pl.String),
        # quantiles: cut points are data values (nearest), so labels read like the data
        ({"quantiles": 4}, pl.Int64, [*range(1, 13), None],
         ["<4"] * 3 + ["[4, 7)"] * 3 + ["[7, 10)"] * 3 + [">=10"] * 3 + [None], pl.String),
        # quantiles over floats ignore NaN, which keeps its own label
        ({"quantiles": 2}, pl.Float64, [1.5, 2.5, 3.5, NAN], ["<2.5", ">=2.5", ">=2.5", "NaN"],
         pl.String),
        # ties: equal cut points leave empty bins out
        ({"quantiles": 3}, pl.Int64, [1, 1, 1, 1, 2], [">=1"] * 5, pl.String),
        # calendar periods of dates: ISO week and week-year (2021-01-02 is in 2020-W53)
        ({"unit": "year"}, pl.Date, [dt.date(2024, 3, 1), None], ["2024", None], pl.String),
        ({"unit": "quarter"}, pl.Date, [dt.date(2024, 3, 31), dt.date(2024, 4, 1)],
         ["2024-Q1", "2024-Q2"], pl.String),
        ({"unit": "month"}, pl.Date, [dt.date(2024, 3, 1)], ["2024-03"], pl.String),
        ({"unit": "week"}, pl.Date, [dt.date(2024, 3, 1), dt.date(2021, 1, 2)],
         ["2024-W09", "2020-W53"], pl.String),
        # datetimes too
        ({"unit": "month"}, pl.Datetime("us"), [dt.datetime(2024, 3, 31, 23, 59)], ["2024-03"],
         pl.String),
        # as_date: the Date the period starts on (a week starts on Monday)
        ({"unit": "year", "as_date": True}, pl.Date, [dt.date(2024, 3, 1), None],
         [dt.date(2024, 1, 1), None], pl.Date),
        ({"unit": "quarter", "as_date": True}, pl.Date, [dt.date(2024, 5, 17)],
         [dt.date(2024, 4, 1)], pl.Date),
        ({"unit": "month", "as_date": True}, pl.Datetime("ms"), [dt.datetime(2024, 3, 9, 5)],
         [dt.date(2024, 3, 1)], pl.Date),
        ({"unit": "week", "as_date": True}, pl.Date, [dt.date(2024, 3, 1)],
         [dt.date(2024, 2, 26)], pl.Date),
        # prefixes: same length, characters counted (not bytes), short values unchanged
        ({"keep": 3}, pl.String, ["02139", "021", "0", "", None],
         ["021**", "021", "0", "", None], pl.String),
        ({"keep": 2, "char": "#"}, pl.String, ["é日本語"], ["é日##"], pl.String),
        ({"keep": 0}, pl.Categorical, ["abc", None], ["***", None], pl.String),
        # a hierarchy: values matched by their string form
        ({"hierarchy": CITIES, "level": 1}, pl.String, ["Boston", "New York", None],
         ["MA", "NY", None], pl.String),
        ({"hierarchy": CITIES, "level": 0}, pl.Categorical, ["Boston"], ["Boston"], pl.String),
        ({"hierarchy": Hierarchy([["39", "35-39"], ["41", "40-44"]]), "level": 1}, pl.Int16,
         [39, 41, None], ["35-39", "40-44", None], pl.String),
    ],
)
def test_modes(
    params: dict, dtype: pl.DataType, values: list, expected: list, out_dtype: pl.DataType
) -> None:
    out = run(Generalize(**params), values, dtype)
    assert same(out.to_list(), expected), out.to_list()
    assert out.dtype == out_dtype


def test_labels_agree_with_hierarchy_builders() -> None:
    # the same width and origin give the labels Hierarchy.intervals writes
    ages = [17, 23, 39, 41, 90]
    h = Hierarchy.intervals(ages, [10], start=0)
    assert run(Generalize(width=10), ages).to_list() == [h.levels(a)[1] for a in ages]
    # and calendar periods those of Hierarchy.dates
    days = [dt.date(2024, 3, 1), dt.date(2021, 1, 2), dt.date(1999, 12, 31)]
    for unit in ("week", "month", "quarter", "year"):
        h = Hierarchy.dates(days, (unit,))
        assert run(Generalize(unit=unit), days).to_list() == [h.levels(d)[1] for d in days]


def test_time_zone_periods_follow_the_local_calendar() -> None:
    # 2024-03-31 23:30 UTC is already April in Berlin
    instant = dt.datetime(2024, 3, 31, 23, 30, tzinfo=dt.UTC)
    lf = pl.LazyFrame({"v": [instant]}).with_columns(
        pl.col("v").dt.convert_time_zone("Europe/Berlin")
    )
    ctx = Context(schema=lf.collect_schema())
    out = Generalize(unit="month").apply(lf, "v", ctx).collect()
    assert out["v"].to_list() == ["2024-04"]
    out = Generalize(unit="month", as_date=True).apply(lf, "v", ctx).collect()
    assert out["v"].to_list() == [dt.date(2024, 4, 1)]


def test_quantiles_have_equal_frequency() -> None:
    values = list(range(1000))
    out = run(Generalize(quantiles=4), values)
    counts = out.value_counts().get_column("count").to_list()
    assert sorted(counts) == [250, 250, 250, 250]
    # labels are deterministic and follow the data's order
    assert out.to_list() == run(Generalize(quantiles=4), values).to_list()
    assert out[0] == "<250" and out[-1] == ">=750"


# -- idempotence -----------------------------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.one_of(st.none(), st.integers(-10_000, 10_000)), max_size=30),
    width=st.integers(1, 50),
    origin=st.integers(-20, 20),
)
def test_width_start_is_idempotent_on_integers(values: list, width: int, origin: int) -> None:
    t = Generalize(width=width, origin=origin, label="start")
    once = run(t, values, pl.Int64)
    assert run(t, once.to_list(), once.dtype).to_list() == once.to_list()
    # every value lies in [start, start + width)
    for v, s in zip(values, once.to_list(), strict=True):
        assert (v is None and s is None) or s <= v < s + width


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(
        st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False)), max_size=30
    ),
    width=st.sampled_from([0.1, 0.25, 0.5, 1, 2.5, 10]),
)
def test_width_start_is_idempotent_on_floats(values: list, width: float) -> None:
    t = Generalize(width=width, label="start")
    once = run(t, values, pl.Float64)
    assert run(t, once.to_list(), pl.Float64).to_list() == once.to_list()


@settings(max_examples=60, deadline=None)
@given(
    days=st.lists(st.one_of(st.none(), st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)))),
    unit=st.sampled_from(["year", "quarter", "month", "week"]),
)
def test_date_truncation_is_idempotent(days: list, unit: str) -> None:
    t = Generalize(unit=unit, as_date=True)
    once = run(t, days, pl.Date)
    assert run(t, once.to_list(), pl.Date).to_list() == once.to_list()
    for d, s in zip(days, once.to_list(), strict=True):
        assert (d is None and s is None) or s <= d


@settings(max_examples=60, deadline=None)
@given(
    texts=st.lists(st.one_of(st.none(), st.text(max_size=8))),
    keep=st.integers(0, 6),
)
def test_keep_is_idempotent(texts: list, keep: int) -> None:
    t = Generalize(keep=keep)
    once = run(t, texts, pl.String)
    assert run(t, once.to_list(), pl.String).to_list() == once.to_list()
    for s, o in zip(texts, once.to_list(), strict=True):
        assert (s is None and o is None) or (len(o) == len(s) and o[:keep] == s[:keep])


# -- engines, empty frames -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "params",
    [
        {"width": 7},
        {"width": 0.3, "label": "start"},
        {"breaks": [10, 500]},
        {"quantiles": 10},
    ],
)
def test_streaming_equals_in_memory(params: dict) -> None:
    values = [(i * 7919) % 1000 - 300 for i in range(50_000)]
    t = Generalize(**params)
    assert run(t, values, engine="streaming").equals(run(t, values))


@pytest.mark.parametrize(
    ("params", "dtype", "out_dtype"),
    [
        ({"width": 10}, pl.Int64, pl.String),
        ({"width": 10, "label": "start"}, pl.Int64, pl.Int64),
        ({"breaks": [1]}, pl.Float64, pl.String),
        ({"quantiles": 3}, pl.Float64, pl.String),
        ({"unit": "week"}, pl.Date, pl.String),
        ({"unit": "week", "as_date": True}, pl.Datetime("us"), pl.Date),
        ({"keep": 1}, pl.String, pl.String),
        ({"hierarchy": CITIES, "level": 2}, pl.String, pl.String),
    ],
)
def test_empty_frame(params: dict, dtype: pl.DataType, out_dtype: pl.DataType) -> None:
    out = run(Generalize(**params), [], dtype)
    assert out.len() == 0
    assert out.dtype == out_dtype


def test_all_null_column() -> None:
    assert run(Generalize(quantiles=3), [None, None], pl.Float64).to_list() == [None, None]
    assert run(Generalize(hierarchy=CITIES, level=1), [None], pl.String).to_list() == [None]


# -- hierarchy coverage ----------------------------------------------------------------------------
def test_uncovered_values_fail_before_any_work() -> None:
    values = ["Boston", "Salem", "Salem", "Lowell", None]
    with pytest.raises(HierarchyError, match=r"2 distinct values of column 'v' \(3 rows\)"):
        run(Generalize(hierarchy=CITIES, level=1), values)


def test_expression_alone_checks_as_it_runs() -> None:
    lf = pl.LazyFrame({"city": ["Boston", "Salem"]})
    t = Generalize(hierarchy=CITIES, level=1)
    expr = t.expr("city", Context(schema=lf.collect_schema()))
    with pytest.raises(HierarchyError, match="column 'city'"):
        lf.select(expr).collect()


# -- wrong input -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("params", "dtype", "value"),
    [
        ({"width": 10}, pl.String, "34"),
        ({"breaks": [1]}, pl.Date, dt.date(2024, 1, 1)),
        ({"quantiles": 2}, pl.Boolean, True),
        ({"unit": "year"}, pl.Int64, 2024),
        ({"unit": "year"}, pl.String, "2024-01-01"),
        ({"keep": 2}, pl.Int64, 2139),
        ({"hierarchy": CITIES, "level": 1}, pl.List(pl.String), ["Boston"]),
    ],
)
def test_wrong_dtype(params: dict, dtype: pl.DataType, value: object) -> None:
    mode = next(iter(params))
    wanted = f"'generalize' transform with '{mode}' cannot apply to column 'v'"
    with pytest.raises(TransformError, match=wanted):
        run(Generalize(**params), [value], dtype)


def test_missing_column() -> None:
    lf = pl.LazyFrame({"v": [1]})
    with pytest.raises(ColumnNotFoundError, match="'w'"):
        Generalize(width=1).apply(lf, "w", Context(schema=lf.collect_schema()))


# -- parameters ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("params", "message"),
    [
        # no mode, two modes (named both)
        ({}, "needs one of 'width', 'breaks'"),
        ({"width": 10, "breaks": [1, 2]}, "got both 'width' and 'breaks'"),
        ({"unit": "year", "keep": 2}, "got both 'unit' and 'keep'"),
        ({"quantiles": 4, "hierarchy": CITIES, "level": 1}, "both 'quantiles' and 'hierarchy'"),
        # companions of another mode
        ({"breaks": [1], "origin": 5}, "'origin' parameter of Generalize goes with 'width'"),
        ({"breaks": [1], "label": "start"}, "'label' parameter of Generalize goes with 'width'"),
        ({"width": 1, "as_date": True}, "'as_date' parameter of Generalize goes with 'unit'"),
        ({"unit": "year", "char": "#"}, "'char' parameter of Generalize goes with 'keep'"),
        ({"keep": 1, "level": 1}, "'level' parameter of Generalize goes with 'hierarchy'"),
        # bad values
        ({"width": 0}, "'width' parameter of Generalize must be a positive number"),
        ({"width": -2.5}, "'width' parameter"),
        ({"width": True}, "'width' parameter"),
        ({"width": INF}, "'width' parameter"),
        ({"width": "10"}, "'width' parameter"),
        ({"width": 10, "origin": NAN}, "'origin' parameter"),
        ({"width": 10, "origin": None}, "'origin' parameter of Generalize must be a finite"),
        ({"width": 10, "label": "end"}, "'label' parameter of Generalize must be one of"),
        ({"breaks": []}, "'breaks' parameter"),
        ({"breaks": [2, 1]}, "'breaks' parameter"),
        ({"breaks": [1, 1]}, "'breaks' parameter"),
        ({"breaks": [1, "2"]}, "'breaks' parameter"),
        ({"breaks": "12"}, "'breaks' parameter"),
        ({"breaks": [1, NAN]}, "'breaks' parameter"),
        ({"quantiles": 1}, "'quantiles' parameter of Generalize must be an int >= 2"),
        ({"quantiles": 101}, "'quantiles' parameter"),
        ({"quantiles": 2.0}, "'quantiles' parameter"),
        ({"unit": "day"}, "'unit' parameter of Generalize must be one of"),
        ({"unit": "year", "as_date": 1}, "'as_date' parameter"),
        ({"keep": -1}, "'keep' parameter"),
        ({"keep": 1, "char": "**"}, "'char' parameter of Generalize must be a single character"),
        ({"keep": 1, "char": ""}, "'char' parameter"),
        ({"hierarchy": CITIES}, "'level' parameter of Generalize must be given"),
        ({"hierarchy": CITIES, "level": 3}, "'level' parameter of Generalize must be an int >= 0"),
        ({"hierarchy": CITIES, "level": -1}, "'level' parameter"),
        ({"hierarchy": 5, "level": 1}, "'hierarchy' parameter"),
        ({"hierarchy": {"rows": []}, "level": 1}, "'hierarchy' parameter.*cannot be loaded"),
        ({"hierarchy": "/no/such/file.csv", "level": 1}, "'hierarchy' parameter.*cannot be"),
    ],
)
def test_bad_parameters(params: dict, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        Generalize(**params)


def test_breaks_are_normalized_to_a_tuple() -> None:
    assert Generalize(breaks=[1, 2.5]).breaks == (1, 2.5)


# -- plain data ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "t",
    [
        Generalize(width=10),
        Generalize(width=0.5, origin=0.25, label="start"),
        Generalize(breaks=(18, 65)),
        Generalize(quantiles=5),
        Generalize(unit="week", as_date=True),
        Generalize(keep=3, char="#"),
        Generalize(hierarchy=CITIES, level=2),
    ],
)
def test_round_trip(t: Generalize) -> None:
    data = t.to_dict()
    assert data["op"] == "generalize"
    # only the parameters that differ from their defaults are written
    assert None not in data.values()
    assert transform_from_dict(data) == t
    assert hash(transform_from_dict(data)) == hash(t)


def test_hierarchy_from_plain_data_and_arx_file(tmp_path: Path) -> None:
    data = Generalize(hierarchy=CITIES, level=1).to_dict()
    assert data["hierarchy"] == CITIES.to_dict()
    # a path to an ARX CSV file is read at construction
    path = tmp_path / "patients_hierarchy_city.csv"
    CITIES.to_arx_csv(path)
    from_file = transform_from_dict({"op": "generalize", "hierarchy": str(path), "level": 1})
    assert from_file == Generalize(hierarchy=Hierarchy.from_arx_csv(path), level=1)
    assert run(from_file, ["Cambridge"]).to_list() == ["MA"]
    # a broken file is a recipe error with the path to the key
    (tmp_path / "bad.csv").write_text("a;b\nc\n")
    with pytest.raises(RecipeError, match=r"steps\[0\]: The 'hierarchy' parameter"):
        transform_from_dict(
            {"op": "generalize", "hierarchy": str(tmp_path / "bad.csv"), "level": 1},
            path="steps[0]",
        )


def test_uncovered_values_are_never_shown_by_a_recipe() -> None:
    from anonlab import Recipe, Step
    from anonlab.errors import HierarchyError
    from anonlab.hierarchies import Hierarchy

    h = Hierarchy([["02139", "021**", "*"]], column="zip")
    frame = pl.DataFrame({"zip": ["02139", "90210-SECRET"]})
    recipe = Recipe(steps=(Step("zip", Generalize(hierarchy=h, level=1)),))

    def run(lazy: bool) -> None:
        out = recipe.apply(frame.lazy() if lazy else frame)
        if lazy:
            out.collect()

    for lazy in (False, True):
        with pytest.raises(HierarchyError) as info:
            run(lazy)
        assert "SECRET" not in str(info.value)
        assert "1 distinct value" in str(info.value)

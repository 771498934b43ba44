"""Microaggregation: numbers replaced by the mean or median of groups of at least k."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections import Counter

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anonlab import Recipe, Step
from anonlab.errors import ColumnNotFoundError, ParameterError, TransformError
from anonlab.transforms import Context, transform_from_dict
from anonlab.transforms.aggregation import Microaggregate


def run(transform: Microaggregate, frame: pl.DataFrame | dict, column: str = "v") -> pl.DataFrame:
    lf = pl.DataFrame(frame).lazy() if isinstance(frame, dict) else frame.lazy()
    ctx = Context(schema=lf.collect_schema(), seed=0)
    return transform.apply(lf, column, ctx).collect()


@pytest.mark.parametrize(
    ("values", "params", "expected"),
    [
        # sorted 1..6, k=3: groups {1,2,3} {4,5,6}
        ([6, 1, 5, 2, 4, 3], {"k": 3}, [5.0, 2.0, 5.0, 2.0, 5.0, 2.0]),
        # 7 values, k=3: the last group takes the remainder: {1,2,3} {4,5,6,7}
        ([1, 2, 3, 4, 5, 6, 7], {"k": 3}, [2.0, 2.0, 2.0, 5.5, 5.5, 5.5, 5.5]),
        # median of {4,5,6,7} is 5.5 too; of {1,2,3,10} with k=2: {1,2} {3,10}
        ([1, 2, 3, 10], {"k": 2, "statistic": "median"}, [1.5, 1.5, 6.5, 6.5]),
        # median vs mean on a skewed group
        ([1, 2, 30], {"k": 3, "statistic": "median"}, [2.0, 2.0, 2.0]),
        ([1, 2, 30], {"k": 3}, [11.0, 11.0, 11.0]),
        # fewer values than k: one group
        ([1, 3], {"k": 5}, [2.0, 2.0]),
        # nulls stay null and take no part; 4 values, k=2: {1,2} {8,9}
        ([None, 9, 1, None, 8, 2], {"k": 2}, [None, 8.5, 1.5, None, 8.5, 1.5]),
        # ties keep row order in the sort; equal values may straddle two groups
        ([5, 5, 5, 5], {"k": 2}, [5.0, 5.0, 5.0, 5.0]),
        # floats
        ([0.5, 1.5, 2.5, 3.5], {"k": 2}, [1.0, 1.0, 3.0, 3.0]),
        # all null
        ([None, None], {"k": 2}, [None, None]),
    ],
)
def test_microaggregate(values: list, params: dict, expected: list) -> None:
    frame = pl.DataFrame({"v": values}, schema={"v": pl.Int64 if 0.5 not in values else pl.Float64})
    out = run(Microaggregate(**params), frame)
    assert out["v"].to_list() == expected
    assert out.schema["v"] == pl.Float64


def test_nan_stays_and_float32_stays_float32() -> None:
    frame = pl.DataFrame({"v": [1.0, float("nan"), 3.0, None]}, schema={"v": pl.Float32})
    out = run(Microaggregate(k=2), frame)
    assert out.schema["v"] == pl.Float32
    got = out["v"].to_list()
    assert got[0] == got[2] == 2.0
    assert math.isnan(got[1])
    assert got[3] is None


def test_within_strata() -> None:
    frame = {
        "sex": ["F", "F", "F", "M", "M", "M", "M", None],
        "v": [10, 20, 30, 1, 2, 3, 4, 99],
        "other": list("abcdefgh"),
    }
    out = run(Microaggregate(k=2, within=("sex",)), frame)
    # F: 3 values, one group of 3; M: {1,2} {3,4}; the null stratum has one value alone
    assert out["v"].to_list() == [20.0, 20.0, 20.0, 1.5, 1.5, 3.5, 3.5, 99.0]
    assert out["other"].to_list() == list("abcdefgh")
    assert out.columns == ["sex", "v", "other"]
    # within may be given as one name
    assert Microaggregate(k=2, within="sex").within == ("sex",)


def test_temporary_names_do_not_clash() -> None:
    frame = {"v": [1, 2, 3, 4], "__microaggregate_value": [7, 7, 7, 7]}
    out = run(Microaggregate(k=2), frame)
    assert out.columns == ["v", "__microaggregate_value"]
    assert out["__microaggregate_value"].to_list() == [7, 7, 7, 7]
    assert out["v"].to_list() == [1.5, 1.5, 3.5, 3.5]


def test_empty_frame() -> None:
    frame = pl.DataFrame({"v": [], "g": []}, schema={"v": pl.Int32, "g": pl.String})
    out = run(Microaggregate(k=3, within=("g",)), frame)
    assert out.height == 0
    assert out.schema == pl.Schema({"v": pl.Float64, "g": pl.String})


@pytest.mark.parametrize(
    "frame",
    [
        pl.DataFrame({"v": ["1", "2"]}),
        pl.DataFrame({"v": [True, False]}),
        pl.DataFrame({"v": [dt.date(2024, 1, 1)]}),
    ],
)
def test_wrong_dtype(frame: pl.DataFrame) -> None:
    wanted = "'microaggregate' transform cannot apply to column 'v'"
    with pytest.raises(TransformError, match=wanted):
        run(Microaggregate(k=2), frame)


def test_column_faults() -> None:
    with pytest.raises(ColumnNotFoundError, match="'region'"):
        run(Microaggregate(k=2, within=("region",)), {"v": [1, 2]})
    with pytest.raises(ColumnNotFoundError, match="'w'"):
        run(Microaggregate(k=2), {"v": [1, 2]}, "w")
    with pytest.raises(TransformError, match="'within'"):
        run(Microaggregate(k=2, within=("v",)), {"v": [1, 2]})


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"k": 1}, "k"),
        ({"k": True}, "k"),
        ({"k": 2.5}, "k"),
        ({"k": 2, "statistic": "mode"}, "statistic"),
        ({"k": 2, "within": 3}, "within"),
        ({"k": 2, "within": ("a", "a")}, "within"),
        ({"k": 2, "within": {"a": 1}}, "within"),
    ],
)
def test_bad_parameters(params: dict, name: str) -> None:
    with pytest.raises(ParameterError, match=f"'{name}' parameter of Microaggregate"):
        Microaggregate(**params)


numbers = st.lists(st.one_of(st.none(), st.integers(-50, 50)), max_size=40)


@settings(max_examples=120, deadline=None)
@given(values=numbers, k=st.integers(2, 6), statistic=st.sampled_from(["mean", "median"]))
def test_every_output_value_is_shared_by_k(values: list, k: int, statistic: str) -> None:
    out = run(Microaggregate(k=k, statistic=statistic), pl.DataFrame({"v": values},
                                                                     schema={"v": pl.Int64}))
    got = out["v"].to_list()
    # nulls exactly where they were
    assert [g is None for g in got] == [v is None for v in values]
    present = [(v, g) for v, g in zip(values, got, strict=True) if v is not None]
    if len(present) >= k:
        assert all(n >= k for n in Counter(g for _, g in present).values())
    # order is preserved (a larger value never gets a smaller replacement)
    ordered = sorted(present)
    assert all(a[1] <= b[1] for a, b in itertools.pairwise(ordered))
    # the mean keeps the column's total
    if statistic == "mean" and present:
        assert math.isclose(sum(g for _, g in present), sum(v for v, _ in present), abs_tol=1e-6)


@settings(max_examples=80, deadline=None)
@given(
    rows=st.lists(st.tuples(st.sampled_from(["a", "b", None]), st.integers(0, 20)), max_size=40),
    k=st.integers(2, 4),
)
def test_within_every_stratum_is_microaggregated(rows: list, k: int) -> None:
    frame = pl.DataFrame(rows, schema={"g": pl.String, "v": pl.Int64}, orient="row")
    out = run(Microaggregate(k=k, within=("g",)), frame)
    assert out["g"].to_list() == frame["g"].to_list()
    for g in ("a", "b", None):
        got = [o for s, o in zip(frame["g"], out["v"], strict=True) if s == g]
        if len(got) >= k:
            assert all(n >= k for n in Counter(got).values())


def test_plain_data_round_trip_and_determinism() -> None:
    for t in (Microaggregate(k=3), Microaggregate(k=2, statistic="median", within=["g"])):
        data = t.to_dict()
        assert data["op"] == "microaggregate"
        assert transform_from_dict(data) == t
        frame = {"g": ["x", "y"] * 5, "v": [3, 1, 4, 1, 5, 9, 2, 6, 5, 3]}
        first = run(t, frame)
        assert run(t, frame).equals(first)


def test_in_a_recipe() -> None:
    recipe = Recipe(steps=(Step("income", Microaggregate(k=2)),))
    out = recipe.apply(pl.DataFrame({"income": [100, 300, 200, 400], "id": [1, 2, 3, 4]}))
    assert out["income"].to_list() == [150.0, 350.0, 150.0, 350.0]
    assert Recipe.from_yaml(recipe.to_yaml()) == recipe

"""Mondrian local recoding."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anonlab.errors import ColumnNotFoundError, EmptyFrameError, ParameterError
from anonlab.optimize import MondrianResult, mondrian
from anonlab.risk import equivalence_classes


def bounds(label: str) -> tuple[float, float]:
    if label.startswith("["):
        lo, hi = label[1:-1].split(", ")
        return float(lo), float(hi)
    return float(label), float(label)


def test_small_example_and_result_shape():
    df = pl.DataFrame(
        {"age": [21, 22, 23, 40, 41, 42], "zip": [1, 1, 2, 5, 5, 6], "x": list("abcdef")}
    )
    result = mondrian(df, ["age", "zip"], k=3)
    assert isinstance(result, MondrianResult)
    assert result.frame["age"].to_list() == ["[21, 23]"] * 3 + ["[40, 42]"] * 3
    assert result.frame["x"].to_list() == list("abcdef")
    assert result.partitions == 2 and result.smallest == 3
    assert "partitions: 2" in result.summary() and repr(result).startswith("MondrianResult(k=3")
    assert result.to_dict()["partitions"] == 2
    assert result.discernibility == 18 and result.aecs == 3
    pandas_out = mondrian(df.to_pandas(), ["age", "zip"], k=3).frame
    assert isinstance(pandas_out, pd.DataFrame)
    assert pl.from_pandas(pandas_out).equals(result.frame)


@settings(max_examples=30, deadline=None)
@given(
    values=st.lists(st.tuples(st.integers(0, 30), st.floats(-5, 5, allow_nan=False, width=32)),
                    min_size=1, max_size=80),
    k=st.integers(1, 6),
)
def test_property_k_anonymous_and_covering(values, k):
    df = pl.DataFrame({"a": [v[0] for v in values], "b": [float(v[1]) for v in values]})
    if df.height < k:
        with pytest.raises(ParameterError):
            mondrian(df, ["a", "b"], k=k)
        return
    result = mondrian(df, ["a", "b"], k=k)
    table = equivalence_classes(result.frame, ["a", "b"])
    assert int(table.size.min()) >= k
    assert table.classes == result.partitions
    for q in ("a", "b"):
        for original, label in zip(df[q].to_list(), result.frame[q].to_list(), strict=True):
            lo, hi = bounds(label)
            assert lo <= original <= hi
    # strict partitions: the boxes of different classes do not overlap
    boxes = {tuple(bounds(r[q]) for q in ("a", "b")) for r in result.frame.iter_rows(named=True)}
    boxes = list(boxes)
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            overlap = all(boxes[i][d][0] <= boxes[j][d][1] and boxes[j][d][0] <= boxes[i][d][1]
                          for d in range(2))
            assert not overlap


def test_cuts_until_no_allowable_cut():
    rng = np.random.default_rng(1)
    df = pl.DataFrame({"a": rng.integers(0, 1000, 5000), "b": rng.integers(0, 1000, 5000)})
    result = mondrian(df, ["a", "b"], k=10)
    sizes = result.classes.size
    assert int(sizes.min()) >= 10
    assert int(sizes.max()) < 40  # every partition of 2k or more distinct-ish values was cut


def test_errors():
    df = pl.DataFrame({"a": [1, 2, 3], "s": ["x", "y", "z"], "n": [1.0, None, 2.0]})
    with pytest.raises(ColumnNotFoundError):
        mondrian(df, ["nope"], k=2)
    with pytest.raises(ParameterError, match="numeric"):
        mondrian(df, ["s"], k=2)
    with pytest.raises(ParameterError, match="null"):
        mondrian(df, ["n"], k=2)
    with pytest.raises(ParameterError):
        mondrian(df, [], k=2)
    with pytest.raises(ParameterError):
        mondrian(df, ["a"], k=0)
    with pytest.raises(ParameterError, match="only 3 records"):
        mondrian(df, ["a"], k=4)
    with pytest.raises(EmptyFrameError):
        mondrian(df.head(0), ["a"], k=1)


def test_skewed_discrete_columns_are_still_cut() -> None:
    # 70% of the values tie at the median: "<= median" leaves nothing on the right, so the cut
    # just below the median must be used, or the column is never split
    frame = pl.DataFrame({"sex": [1] * 70 + [0] * 30, "race": [5] * 90 + [1] * 10})
    result = mondrian(frame, ["sex", "race"], k=5)
    # three combinations occur (10, 20 and 70 records): each becomes its own exact partition
    assert result.partitions == 3
    assert result.metric_value == 0.0
    assert result.frame.select(pl.col("sex").str.contains(r"\[").any()).item() is False

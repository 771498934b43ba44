"""Quasi-identifier contributions and SUDA-style minimal sample uniques, checked by hand and
against a brute-force count."""

from __future__ import annotations

import itertools
import math
import time

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import anonlab
from anonlab.errors import ColumnNotFoundError, EmptyFrameError, ParameterError
from anonlab.risk.contribution import minimal_sample_uniques, qi_contribution, suda_scores
from tests import brute_force as brute

ADULT_QI = ["sex", "age", "race", "marital-status", "education", "native-country", "workclass",
            "occupation"]


@pytest.fixture
def small() -> pl.DataFrame:
    return pl.DataFrame({"a": [1, 1, 2, 2], "b": ["x", "y", "x", "x"], "secret": [1, 2, 3, 4]})


def _kept_rows(frame: pl.DataFrame, qis: list[str]) -> list[tuple]:
    return [r for r in brute.rows(frame, qis) if not brute.suppressed(r)]


def _unique(rows: list[tuple], positions: tuple[int, ...]) -> list[bool]:
    # alone among the kept records on these positions, a suppressed cell matching any value
    keys = [tuple(r[p] for p in positions) for r in rows]
    return [sum(brute.compatible(k, s) for s in keys) == 1 for k in keys]


def _brute_msu(frame: pl.DataFrame, qis: list[str], max_size: int) -> dict[tuple, int]:
    """Records per set, by definition: unique on the set and on no proper subset."""
    rows = _kept_rows(frame, qis)
    out = {}
    for size in range(1, max_size + 1):
        for combo in itertools.combinations(range(len(qis)), size):
            unique = _unique(rows, combo)
            proper = [_unique(rows, sub) for r in range(size)
                      for sub in itertools.combinations(combo, r)]
            out[tuple(qis[i] for i in combo)] = sum(
                u and not any(p[i] for p in proper) for i, u in enumerate(unique)
            )
    return out


# -- qi_contribution -------------------------------------------------------------------------------
def test_contribution_by_hand(small: pl.DataFrame) -> None:
    # uniques on (a, b): (1, x) and (1, y). Without a: only y is unique -> a frees 1 of 2.
    # Without b: a = 1 and a = 2 twice each -> b frees both.
    assert qi_contribution(small, ["a", "b"]) == {"a": 0.5, "b": 1.0}
    assert qi_contribution(small, "b") == {"b": 1.0}
    assert qi_contribution(small.filter(pl.col("a") == 2), ["a", "b"]) == {"a": 0.0, "b": 0.0}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "*", None]), st.integers(0, 2),
                          st.sampled_from(["x", "y"])), min_size=1, max_size=30))
def test_contribution_matches_brute_force(data: list[tuple]) -> None:
    frame = pl.DataFrame(data, schema={"p": pl.String, "q": pl.Int64, "r": pl.String},
                         orient="row")
    qis = ["p", "q", "r"]
    rows = _kept_rows(frame, qis)
    full = sum(_unique(rows, (0, 1, 2)))
    got = qi_contribution(frame, qis)
    assert list(got) == qis
    for i, q in enumerate(qis):
        rest = tuple(j for j in range(3) if j != i)
        without = sum(_unique(rows, rest)) if rows else 0
        assert got[q] == pytest.approx((full - without) / full if full else 0.0)
        assert 0.0 <= got[q] <= 1.0


def test_contribution_on_adult_ranks_age_first() -> None:
    got = qi_contribution(anonlab.datasets.adult(), ADULT_QI)
    assert max(got, key=got.get) == "age"  # type: ignore[arg-type]


# -- minimal sample uniques ------------------------------------------------------------------------
def test_msu_by_hand(small: pl.DataFrame) -> None:
    out = minimal_sample_uniques(small, ["a", "b"], max_size=2)
    assert out.columns == ["attributes", "size", "records"]
    assert out.schema["attributes"] == pl.List(pl.String)
    # b = y is unique on b alone (row 1); row 0 (1, x) needs both; a alone singles nobody out
    assert out.rows() == [(["b"], 1, 1), (["a", "b"], 2, 1), (["a"], 1, 0)]


def test_msu_is_minimal() -> None:
    frame = pl.DataFrame({"a": [1, 1, 1, 2], "b": [1, 2, 2, 1], "c": [1, 1, 2, 1]})
    # row 3: unique on a (a = 2); row 0: not unique on a, b or c alone; on (a, b)? (1, 1) is
    # unique, so (a, b) is its MSU; (b, c) = (1, 1) is shared with row 3: no.
    got = {tuple(r[0]): r[2] for r in minimal_sample_uniques(frame, ["a", "b", "c"]).rows()}
    assert got == _brute_msu(frame, ["a", "b", "c"], 3)
    assert got[("a",)] == 1 and got[("a", "b")] == 1


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", None]), st.integers(0, 2),
                          st.sampled_from(["x", "y", "*"]), st.booleans()),
                min_size=1, max_size=25),
       st.integers(1, 4))
def test_msu_matches_brute_force(data: list[tuple], max_size: int) -> None:
    frame = pl.DataFrame(data, schema={"p": pl.String, "q": pl.Int64, "r": pl.String,
                                       "s": pl.Boolean}, orient="row")
    qis = ["p", "q", "r", "s"]
    out = minimal_sample_uniques(frame, qis, max_size=max_size)
    got = {tuple(r[0]): r[2] for r in out.rows()}
    assert got == _brute_msu(frame, qis, max_size)
    assert out.get_column("records").is_sorted(descending=True)
    assert (out.get_column("size") == out.get_column("attributes").list.len()).all()
    # a record has at most one MSU per attribute set, and suda scores count them
    scores = suda_scores(frame, qis, max_size=max_size)
    assert scores.len() == frame.height
    weights = {s: math.factorial(4 - len(s)) for s in got}
    assert scores.sum() == pytest.approx(sum(weights[s] * n for s, n in got.items()))


def test_suda_scores_by_hand(small: pl.DataFrame) -> None:
    # row 0: MSU (a, b) -> (2 - 2)! = 1; row 1: MSU (b) -> (2 - 1)! = 1; others none
    assert suda_scores(small, ["a", "b"]).to_list() == [1.0, 1.0, 0.0, 0.0]
    suppressed = pl.DataFrame({"a": ["*", "1", "2"], "b": [None, "x", "x"]})
    # the suppressed row is left out and scores 0; rows 1 and 2 are unique on a
    assert suda_scores(suppressed, ["a", "b"], name="s").to_list() == [0.0, 1.0, 1.0]


def test_msu_on_adult_is_fast() -> None:
    adult = anonlab.datasets.adult()
    start = time.perf_counter()
    out = minimal_sample_uniques(adult, ADULT_QI, max_size=3)
    elapsed = time.perf_counter() - start
    assert out.height == 8 + 28 + 56
    assert elapsed < 2.0
    assert out.row(0)[2] > 0 and out.get_column("records").sum() > 0


def test_bad_input(small: pl.DataFrame) -> None:
    for fn in (qi_contribution, minimal_sample_uniques, suda_scores):
        with pytest.raises(ColumnNotFoundError):
            fn(small, ["a", "zz"])
        with pytest.raises(EmptyFrameError):
            fn(small.clear(), ["a"])
        with pytest.raises(ParameterError):
            fn(small, [])
    for bad in (0, -1, 1.5, True, None):
        with pytest.raises(ParameterError, match="max_size"):
            minimal_sample_uniques(small, ["a", "b"], max_size=bad)  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="name"):
        suda_scores(small, ["a"], name=None)  # type: ignore[arg-type]

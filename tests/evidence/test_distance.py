"""The mixed-type distance and the exact nearest-neighbour search, against brute force."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anonlab.evidence import distance
from anonlab.evidence.distance import encode, nearest_neighbors, pairwise_distances


@pytest.fixture(autouse=True, params=["cells", "matrix"])
def search(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test runs on both searches: the cell search (forced) and the full matrix that
    small frames get."""
    if request.param == "cells":
        monkeypatch.setattr(distance, "_SMALL", 0)
    return str(request.param)

KINDS = {"t": "categorical", "i": "categorical", "x": "numeric", "y": "numeric"}


def _frames(draw: st.DrawFn, n: int) -> pl.DataFrame:
    text = st.sampled_from(["a", "b", "c", "*", None])
    small = st.sampled_from([0, 1, 2, None])
    number = st.one_of(
        st.sampled_from([0.0, 1.0, 2.5, -0.0, float("nan")]),
        st.none(),
        st.floats(-10, 10, allow_nan=False),
    )
    return pl.DataFrame(
        {
            "t": draw(st.lists(text, min_size=n, max_size=n)),
            "i": draw(st.lists(small, min_size=n, max_size=n)),
            "x": draw(st.lists(number, min_size=n, max_size=n)),
            "y": draw(st.lists(number, min_size=n, max_size=n)),
        },
        schema={"t": pl.String, "i": pl.Int64, "x": pl.Float64, "y": pl.Float64},
    )


def _wild(v: object) -> bool:
    return v is None or v == "*" or (isinstance(v, float) and math.isnan(v))


def brute_distance(a: dict, b: dict, kinds: dict[str, str], spans: dict[str, float]) -> float:
    """The documented distance, one pair at a time in plain Python."""
    total = 0.0
    for name, kind in kinds.items():
        u, v = a[name], b[name]
        if _wild(u) or _wild(v):
            continue
        if kind == "numeric":
            total += abs(u - v) / spans[name]
        else:
            total += u != v
    return total


def _spans(frames: list[pl.DataFrame], kinds: dict[str, str]) -> dict[str, float]:
    spans = {}
    for name, kind in kinds.items():
        if kind != "numeric":
            continue
        values = [v for f in frames for v in f.get_column(name).to_list() if not _wild(v)]
        span = max(values) - min(values) if values else 0.0
        spans[name] = span if span > 0 else 1.0
    return spans


@st.composite
def cases(draw: st.DrawFn) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, str], int]:
    release = _frames(draw, draw(st.integers(1, 40)))
    queries = _frames(draw, draw(st.integers(1, 15)))
    names = draw(st.lists(st.sampled_from(list(KINDS)), min_size=1, max_size=4, unique=True))
    return release, queries, {n: KINDS[n] for n in names}, draw(st.integers(1, 5))


@settings(max_examples=150, deadline=None)
@given(case=cases(), seed=st.integers(0, 2**32 - 1), small=st.booleans())
def test_nearest_neighbours_are_exact(
    case: tuple[pl.DataFrame, pl.DataFrame, dict[str, str], int],
    seed: int,
    small: bool,
) -> None:
    """The n nearest release records, nearest first, with the brute-force distances; with
    ``small`` the search is forced to split its batches down to single queries."""
    release, queries, kinds, n = case
    rel, qry = encode([release, queries], kinds)
    with pytest.MonkeyPatch.context() as patch:
        if small:
            patch.setattr(distance, "_PAIRS", 3)
            patch.setattr(distance, "_BLOCK", 2)
            patch.setattr(distance, "_CELL", 1)
        idx, dist = nearest_neighbors(rel, qry, n, np.random.default_rng(seed))
    spans = _spans([release, queries], kinds)
    rrows, qrows = release.to_dicts(), queries.to_dicts()
    k = min(n, release.height)
    assert idx.shape == dist.shape == (queries.height, k)
    for q, row in enumerate(qrows):
        brute = sorted(brute_distance(r, row, kinds, spans) for r in rrows)
        assert dist[q] == pytest.approx(brute[:k], abs=1e-9)
        assert len(set(idx[q].tolist())) == k
        for j in range(k):
            got = brute_distance(rrows[idx[q, j]], row, kinds, spans)
            assert got == pytest.approx(dist[q, j], abs=1e-9)


def test_pairwise_matches_brute_force() -> None:
    rng = np.random.default_rng(0)
    a = pl.DataFrame({"t": rng.choice(["a", "b", "*"], 30), "x": rng.normal(size=30)})
    b = pl.DataFrame({"t": rng.choice(["a", "c", None], 20), "x": rng.normal(size=20)})
    kinds = {"t": "categorical", "x": "numeric"}
    ea, eb = encode([a, b], kinds)
    got = pairwise_distances(ea, eb)
    spans = _spans([a, b], kinds)
    want = [[brute_distance(r, s, kinds, spans) for s in b.to_dicts()] for r in a.to_dicts()]
    assert got == pytest.approx(np.array(want), abs=1e-12)


def test_wildcards_are_at_distance_zero() -> None:
    release = pl.DataFrame({"t": ["*", None, "a"], "x": [None, float("nan"), 3.0]})
    query = pl.DataFrame({"t": ["b"], "x": [100.0]})
    kinds = {"t": "categorical", "x": "numeric"}
    rel, q = encode([release, query], kinds)
    d = pairwise_distances(rel, q)[:, 0]
    assert d[0] == 0.0 and d[1] == 0.0
    assert d[2] == pytest.approx(2.0)  # mismatch + the whole range


def test_ties_are_broken_uniformly() -> None:
    """Ten identical release records: over 1,000 searches each is picked about 100 times
    (a binomial count within 5 standard deviations)."""
    release = pl.DataFrame({"t": ["a"] * 10 + ["b"] * 5})
    queries = pl.DataFrame({"t": ["a"]})
    rel, q = encode([release, queries], {"t": "categorical"})
    rng = np.random.default_rng(7)
    picks = [int(nearest_neighbors(rel, q, 1, rng)[0][0, 0]) for _ in range(1_000)]
    counts = np.bincount(picks, minlength=15)
    assert counts[10:].sum() == 0
    sd = math.sqrt(1_000 * 0.1 * 0.9)
    assert np.all(np.abs(counts[:10] - 100) < 5 * sd)


def test_seeded_searches_repeat() -> None:
    rng = np.random.default_rng(1)
    release = pl.DataFrame({"t": rng.choice(["a", "b"], 500), "x": rng.integers(0, 5, 500)})
    kinds = {"t": "categorical", "x": "numeric"}
    rel, q = encode([release, release[:50]], kinds)
    one = nearest_neighbors(rel, q, 3, np.random.default_rng(5))[0]
    two = nearest_neighbors(rel, q, 3, np.random.default_rng(5))[0]
    assert np.array_equal(one, two)


def test_encoding_shares_one_value_space() -> None:
    a = pl.DataFrame({"t": ["x", "y", "*"], "n": [1, 2, None]})
    b = pl.DataFrame({"t": ["y", None, "z"], "n": [5, -3, 0]})
    ea, eb = encode([a, b], {"t": "categorical", "n": "numeric"})
    assert ea.codes[0][1] == eb.codes[0][0]  # "y" in both
    assert ea.codes[0][2] == -1 and eb.codes[0][1] == -1  # "*" and null
    assert ea.numbers[0][1] == pytest.approx(2 / 8)  # divided by the range over both, 8
    assert math.isnan(ea.numbers[0][2])
    raw = encode([a, b], {"n": "numeric"}, scale=False)
    assert raw[1].numbers[0].tolist() == [5.0, -3.0, 0.0]

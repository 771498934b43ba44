"""Mixed-type distances and exact nearest neighbours between release and attacker records.

The distance is anonymeter's Gower-like one (``anonymeter.neighbors.mixed_types_kneighbors``):
the sum over columns of

* numeric columns: ``|a - b| / range``, the range taken over every frame encoded together (a
  column whose values are all equal has range 1), so each term is at most 1;
* other columns: 0 when the values are equal, else 1;
* a wildcard cell on either side (null, NaN, or ``"*"`` in a text column: a suppressed value that
  could hide any value) contributes 0 — it matches anything. anonymeter instead adds 1 when both
  cells are missing and NaN when one is; a release's suppressed cells must not make a record
  look further from its original than an unsuppressed label would.

:func:`nearest_neighbors` finds, for every query record, the ``n`` release records with the
smallest distance, exactly, with ties broken uniformly at random by the caller's generator (one
random priority per release record and call). Written here rather than with scikit-learn's
neighbour searches because wildcards make the distance a non-metric (a suppressed cell is at
distance 0 from two values that are 1 apart) that no tree or ball index supports.

How it stays fast without a Python loop over records: release records are partitioned into
*cells* that share their categorical codes and a quantile bin of each numeric column; each cell
keeps the bounding box of its numbers. A record with ``L`` categorical mismatches is at least
``L`` away, so the search goes by *levels*: at level ``L`` the cells within ``L`` mismatches of
each query are found by joins (one per choice of ``L`` columns left free, and per pair of
wildcard patterns), a lower bound per (query, cell) pair is the mismatch count plus the distance
to the box, the records of the ``n`` most promising cells give an upper bound on the ``n``-th
distance, and the exact distances to the records of every cell whose bound does not exceed it
are computed as flat (query, record) pairs, sorted, and the first ``n`` kept. A query is settled
when its ``n``-th distance is below ``L + 1`` (no record with more mismatches can be as near);
the others go on to level ``L + 1``. A target that is in the release usually settles at level 0,
its own record's cell. The bounds use the same floating-point operations as the exact distance,
in the same order, so no candidate is lost to rounding.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import polars as pl

from anonlab.evidence._inputs import Kind, wildcard_expr

__all__ = ["Encoded", "encode", "nearest_neighbors", "pairwise_distances"]

# Queries searched together, and the most (query, cell) pairs one step holds before it splits.
_BLOCK = 1024
_PAIRS = 1 << 22
# Aim for cells of about this many records when binning numeric columns.
_CELL = 16


@dataclass(frozen=True, eq=False)
class Encoded:
    """Records of one frame in a shared value space.

    Attributes
    ----------
    codes : numpy.ndarray
        ``(categorical columns, rows)`` int32 codes, equal codes for equal values across every
        frame encoded together; -1 for a wildcard.
    numbers : numpy.ndarray
        ``(numeric columns, rows)`` float64, divided by the column's range when encoded with
        ``scale=True``; NaN for a wildcard.
    """

    codes: np.ndarray
    numbers: np.ndarray

    @property
    def rows(self) -> int:
        """The number of records."""
        return int(self.codes.shape[1] if self.codes.shape[0] else self.numbers.shape[1])

    def take(self, rows: np.ndarray) -> Encoded:
        """The records at these positions."""
        return Encoded(self.codes[:, rows], self.numbers[:, rows])


def encode(
    frames: Sequence[pl.DataFrame],
    kinds: Mapping[str, Kind],
    *,
    scale: bool = True,
) -> list[Encoded]:
    """Encode the columns of ``kinds`` of several frames in one value space.

    Parameters
    ----------
    frames : sequence of polars.DataFrame
        Frames holding every column of ``kinds``.
    kinds : mapping of str to {"numeric", "categorical"}
        The columns, in order, and how each is compared.
    scale : bool, default True
        Divide numbers by their range over all frames (for distances); False keeps raw values
        (for predicates).

    Returns
    -------
    list of Encoded
        One per frame, in order.
    """
    heights = [f.height for f in frames]
    bounds = np.cumsum([0, *heights])
    cat = [c for c, k in kinds.items() if k == "categorical"]
    num = [c for c, k in kinds.items() if k == "numeric"]
    codes = np.empty((len(cat), int(bounds[-1])), dtype=np.int32)
    numbers = np.empty((len(num), int(bounds[-1])), dtype=np.float64)
    for j, name in enumerate(cat):
        parts = [
            f.select(
                pl.when(wildcard_expr(name, f.schema[name]))
                .then(None)
                .otherwise(pl.col(name).cast(pl.String))
                .alias(name)
            ).to_series()
            for f in frames
        ]
        ranked = pl.concat(parts).rank("dense").fill_null(0).cast(pl.Int64).to_numpy() - 1
        codes[j] = ranked.astype(np.int32)
    for j, name in enumerate(num):
        parts = [
            f.select(
                pl.when(wildcard_expr(name, f.schema[name]))
                .then(None)
                .otherwise(pl.col(name).cast(pl.Float64))
                .alias(name)
            ).to_series()
            for f in frames
        ]
        values = pl.concat(parts).fill_null(float("nan")).to_numpy().astype(np.float64)
        values = values + 0.0  # -0.0 -> 0.0, so equal numbers have equal bits
        if scale:
            finite = values[~np.isnan(values)]
            span = float(finite.max() - finite.min()) if finite.size else 0.0
            if span > 0 and np.isfinite(span):
                values = values / span
        numbers[j] = values
    return [
        Encoded(codes[:, bounds[i] : bounds[i + 1]], numbers[:, bounds[i] : bounds[i + 1]])
        for i in range(len(frames))
    ]


_SMALL = 1 << 21
"""Query x candidate pairs up to which the full distance matrix is computed directly."""


def _pair_distances(
    cand: Encoded, rows: np.ndarray, query: Encoded, qrows: np.ndarray
) -> np.ndarray:
    """Exact distances between ``cand[rows[i]]`` and ``query[qrows[i]]`` for every i."""
    d = np.zeros(rows.shape[0], dtype=np.float64)
    for j in range(cand.codes.shape[0]):
        a = cand.codes[j][rows]
        b = query.codes[j][qrows]
        d += (a != b) & (a >= 0) & (b >= 0)
    for j in range(cand.numbers.shape[0]):
        diff = np.abs(cand.numbers[j][rows] - query.numbers[j][qrows])
        d += np.where(np.isnan(diff), 0.0, diff)
    return d


def pairwise_distances(a: Encoded, b: Encoded) -> np.ndarray:
    """The full ``(a.rows, b.rows)`` distance matrix (for small frames and tests)."""
    rows = np.repeat(np.arange(a.rows), b.rows)
    qrows = np.tile(np.arange(b.rows), a.rows)
    return _pair_distances(a, rows, b, qrows).reshape(a.rows, b.rows)


@dataclass(frozen=True, eq=False)
class _Cells:
    """Release records grouped into cells (records of cell g are order[start[g]:start[g+1]])."""

    order: np.ndarray
    start: np.ndarray
    size: np.ndarray
    codes: np.ndarray  # (categorical columns, cells), -1 wildcard
    lo: np.ndarray  # (numeric columns, cells); -inf/+inf where a cell holds a wildcard
    hi: np.ndarray
    # the cells' categorical codes, one table per wildcard pattern (bit j: column j is "*")
    tables: dict[int, pl.DataFrame]


def _patterns(codes: np.ndarray) -> np.ndarray:
    pattern = np.zeros(codes.shape[1], dtype=np.int64)
    for j in range(codes.shape[0]):
        pattern |= (codes[j] < 0).astype(np.int64) << j
    return pattern


def _cells(cand: Encoded) -> _Cells:
    n = cand.rows
    n_cat, n_num = cand.codes.shape[0], cand.numbers.shape[0]
    keys: dict[str, np.ndarray] = {f"c{j}": cand.codes[j] for j in range(n_cat)}
    categories = int(pl.DataFrame(keys).n_unique()) if n_cat else 1
    if n_num:
        per_column = (n / (_CELL * categories)) ** (1.0 / n_num)
        bins = int(min(64, max(1, round(per_column))))
        for j in range(n_num):
            x = cand.numbers[j]
            finite = x[~np.isnan(x)]
            if bins > 1 and finite.size:
                edges = np.unique(np.quantile(finite, np.linspace(0, 1, bins + 1)[1:-1]))
                b = np.searchsorted(edges, x, side="right").astype(np.int32)
            else:
                b = np.zeros(n, dtype=np.int32)
            b[np.isnan(x)] = -1
            keys[f"b{j}"] = b
    if keys:
        ranks = pl.DataFrame(keys).select(pl.struct(pl.all()).rank("dense")).to_series()
        gid = ranks.to_numpy().astype(np.int64) - 1
    else:
        gid = np.zeros(n, dtype=np.int64)
    order = np.argsort(gid, kind="stable")
    size = np.bincount(gid)
    start = np.concatenate([[0], np.cumsum(size)[:-1]])
    first = order[start]
    lo = np.empty((n_num, size.shape[0]))
    hi = np.empty((n_num, size.shape[0]))
    for j in range(n_num):
        x = cand.numbers[j][order]
        nan = np.add.reduceat(np.isnan(x), start) > 0
        with np.errstate(invalid="ignore"):
            lo[j] = np.fmin.reduceat(x, start)
            hi[j] = np.fmax.reduceat(x, start)
        lo[j][nan] = -np.inf
        hi[j][nan] = np.inf
    codes = cand.codes[:, first]
    table = pl.DataFrame(
        {
            "cell": np.arange(size.shape[0]),
            **{f"c{j}": codes[j] for j in range(n_cat)},
            "pattern": _patterns(codes),
        }
    )
    tables = {
        int(p[0]): t.drop("pattern") for p, t in table.partition_by("pattern", as_dict=True).items()
    }
    return _Cells(order, start, size, codes, lo, hi, tables)


def _expand(
    cells: _Cells, qi: np.ndarray, g: np.ndarray, cap: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(query, cell) pairs -> (query, record) pairs (the first ``cap`` records of each cell)."""
    sizes = cells.size[g] if cap is None else np.minimum(cells.size[g], cap)
    total = int(sizes.sum())
    pair = np.repeat(np.arange(g.shape[0]), sizes)
    offset = np.arange(total) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    rows = cells.order[cells.start[g][pair] + offset]
    return qi[pair], rows


def _first_per_group(
    keys: tuple[np.ndarray, ...], group: np.ndarray, n: int, groups: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sort by ``keys`` (last is primary, as lexsort) and give the positions of up to ``n`` first
    items of each group, with a mask of the slots that exist and each group's item count."""
    by = np.lexsort(keys)
    counts = np.bincount(group, minlength=groups)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    slot = np.arange(n)[None, :]
    exists = slot < counts[:, None]
    pos = np.where(exists, starts[:, None] + slot, 0)
    return by[pos] if by.size else pos, exists, counts


class _Search:
    """One nearest-neighbour search of ``queries`` among the records of ``cand``."""

    def __init__(self, cand: Encoded, query: Encoded, n: int, priority: np.ndarray) -> None:
        self.cand, self.query, self.n, self.priority = cand, query, n, priority
        self.cells = _cells(cand)
        # Without numeric columns every record of a cell is at the cell's distance from a query,
        # so only a cell's n records of best priority can be among a query's n nearest: order
        # each cell by priority and expand no more than n records of it (a cell of thousands of
        # equal records would otherwise be expanded for every query, 10x the time on a
        # generalized release).
        self.cap: int | None = None
        if cand.numbers.shape[0] == 0:
            cells = self.cells
            cell_of = np.repeat(np.arange(cells.size.shape[0]), cells.size)
            order = cells.order[np.lexsort((priority[cells.order], cell_of))]
            self.cells = dataclasses.replace(cells, order=order)
            self.cap = n
        self.qpattern = _patterns(query.codes)
        self.idx = np.empty((query.rows, n), dtype=np.int64)
        self.dist = np.empty((query.rows, n), dtype=np.float64)

    def candidates(self, q: np.ndarray, level: int) -> tuple[np.ndarray, np.ndarray]:
        """Unique (query, cell) pairs of ``q`` whose categorical mismatches are <= ``level``."""
        m = self.cand.codes.shape[0]
        n_cells = self.cells.size.shape[0]
        if level >= m:
            return np.repeat(q, n_cells), np.tile(np.arange(n_cells), q.shape[0])
        qtab = pl.DataFrame(
            {
                "qi": q,
                **{f"c{j}": self.query.codes[j][q] for j in range(m)},
                "pattern": self.qpattern[q],
            }
        )
        qparts = {int(p[0]): t for p, t in qtab.partition_by("pattern", as_dict=True).items()}
        parts = []
        for free in combinations(range(m), level):
            for qp, qsub in qparts.items():
                for cp, csub in self.cells.tables.items():
                    keys = [
                        f"c{j}"
                        for j in range(m)
                        if j not in free and not (qp >> j) & 1 and not (cp >> j) & 1
                    ]
                    if keys:
                        pairs = qsub.select("qi", *keys).join(csub.select("cell", *keys), on=keys)
                    else:
                        pairs = qsub.select("qi").join(csub.select("cell"), how="cross")
                    parts.append(pairs.select("qi", "cell"))
        found = pl.concat(parts)
        if level:
            found = found.unique()
        return (
            found.get_column("qi").to_numpy().astype(np.int64),
            found.get_column("cell").to_numpy().astype(np.int64),
        )

    def run(self, q: np.ndarray, level: int) -> None:
        m = self.cand.codes.shape[0]
        qi, g = self.candidates(q, level)
        if qi.shape[0] > _PAIRS and q.shape[0] > 1:
            half = q.shape[0] // 2
            self.run(q[:half], level)
            self.run(q[half:], level)
            return
        done = self.refine(q, qi, g, final=level >= m, level=level)
        rest = q[~done]
        if rest.size:
            self.run(rest, level + 1)

    def refine(
        self, q: np.ndarray, qi: np.ndarray, g: np.ndarray, *, final: bool, level: int
    ) -> np.ndarray:
        """Exact neighbours of the queries whose answer these candidate cells settle."""
        cells, n = self.cells, self.n
        # local query numbers 0..len(q)-1
        local = np.full(self.query.rows, -1, dtype=np.int64)
        local[q] = np.arange(q.shape[0])
        lq = local[qi]
        # lower bound per (query, cell): the same operations, in the same order, as the
        # exact distance, with each number replaced by the nearest edge of the cell's box
        lb = np.zeros(qi.shape[0], dtype=np.float64)
        for j in range(cells.codes.shape[0]):
            a = cells.codes[j][g]
            b = self.query.codes[j][qi]
            lb += (a != b) & (a >= 0) & (b >= 0)
        for j in range(cells.lo.shape[0]):
            v = self.query.numbers[j][qi]
            gap = np.maximum(np.maximum(cells.lo[j][g] - v, v - cells.hi[j][g]), 0.0)
            lb += np.where(np.isnan(gap), 0.0, gap)
        # an upper bound of the n-th distance from the records of the n most promising cells
        pos, exists, _ = _first_per_group((lb, lq), lq, n, q.shape[0])
        sel = pos[exists]
        uq, rows = _expand(cells, qi[sel], g[sel], self.cap)
        d = _pair_distances(self.cand, rows, self.query, uq)
        luq = local[uq]
        pos, exists, counts = _first_per_group((d, luq), luq, n, q.shape[0])
        upper = np.where(counts >= n, d[pos[:, -1]] if d.size else np.inf, np.inf)
        # every record that can be as near as that
        keep = lb <= upper[lq]
        uq, rows = _expand(cells, qi[keep], g[keep], self.cap)
        d = _pair_distances(self.cand, rows, self.query, uq)
        luq = local[uq]
        pos, exists, counts = _first_per_group((self.priority[rows], d, luq), luq, n, q.shape[0])
        enough = counts >= n
        nth = np.where(enough, d[pos[:, -1]] if d.size else np.inf, np.inf)
        # records with more mismatches than ``level`` are at least level + 1 away
        done = enough & (final | (nth < level + 1))
        self.idx[q[done]] = rows[pos[done]]
        self.dist[q[done]] = d[pos[done]]
        return done


def nearest_neighbors(
    candidates: Encoded, queries: Encoded, n_neighbors: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """The ``n_neighbors`` nearest candidates of every query, nearest first.

    Parameters
    ----------
    candidates : Encoded
        The records searched (the release), at least one.
    queries : Encoded
        The records whose neighbours are wanted, encoded together with ``candidates``.
    n_neighbors : int
        Neighbours per query; capped at the number of candidates.
    rng : numpy.random.Generator
        Breaks ties: among equally near candidates the order is uniformly random.

    Returns
    -------
    indices : numpy.ndarray
        ``(queries, n)`` int64 positions in ``candidates``.
    distances : numpy.ndarray
        ``(queries, n)`` float64 distances, ascending along each row.
    """
    n = min(n_neighbors, candidates.rows)
    priority = rng.permutation(candidates.rows)
    if candidates.rows * queries.rows <= _SMALL:
        # small frames: every distance at once is faster than the cell search's many joins
        d = pairwise_distances(queries, candidates)
        ties = np.broadcast_to(priority, d.shape)
        order = np.lexsort((ties, d), axis=-1)[:, :n]
        return order.astype(np.int64), np.take_along_axis(d, order, axis=-1)
    search = _Search(candidates, queries, n, priority)
    m = queries.rows
    for lo in range(0, m, _BLOCK):
        search.run(np.arange(lo, min(m, lo + _BLOCK)), 0)
    return search.idx, search.dist

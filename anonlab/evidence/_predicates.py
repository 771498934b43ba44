"""Conjunctive predicates over encoded records, counted in blocks without a loop over records.

A predicate is up to ``s`` conditions ``column <op> value`` joined by *and*; ``op`` is one of
``==``, ``!=``, ``>``, ``<``, ``>=``, ``<=`` (categorical columns only use ``==`` and ``!=``, on
their codes). A batch of predicates is three ``(predicates, s)`` arrays: the column of each
condition (-1 for an unused slot), its operator and its value.

A wildcard cell (a suppressed value, see :mod:`anonlab.evidence.distance`) satisfies every
condition on its column: it could hide any value, so a predicate cannot rule its record out.

Counting works on blocks of predicates: a ``(predicates, records)`` boolean matrix is and-ed one
condition slot at a time, with one broadcast comparison per (slot, column, operator) group. To
decide "matches exactly one record" quickly, a predicate that already matches two records of
every eighth record is settled without looking at the rest (matching is monotone in the
records looked at).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from anonlab.evidence.distance import Encoded

__all__ = ["EQ", "GE", "GT", "LE", "LT", "NE", "Matcher", "Predicates"]

EQ, NE, GT, LT, GE, LE = range(6)
_BLOCK = 1 << 22  # booleans in one (predicates x records) block
_PREFILTER = 8  # look at every 8th record first


@dataclass(frozen=True, eq=False)
class Predicates:
    """A batch of conjunctive predicates (see the module documentation)."""

    cols: np.ndarray  # (b, s) int64, -1 = unused slot
    ops: np.ndarray  # (b, s) int8
    vals: np.ndarray  # (b, s) float64

    @property
    def size(self) -> int:
        """The number of predicates."""
        return int(self.cols.shape[0])

    def take(self, which: np.ndarray | slice) -> Predicates:
        """The predicates at these positions (or where this mask is true, or in this slice)."""
        return Predicates(self.cols[which], self.ops[which], self.vals[which])

    @staticmethod
    def concat(parts: list[Predicates], slots: int) -> Predicates:
        """One batch from several with the same number of slots."""
        if not parts:
            return Predicates(
                np.empty((0, slots), dtype=np.int64),
                np.empty((0, slots), dtype=np.int8),
                np.empty((0, slots), dtype=np.float64),
            )
        return Predicates(
            np.concatenate([p.cols for p in parts]),
            np.concatenate([p.ops for p in parts]),
            np.concatenate([p.vals for p in parts]),
        )

    def canonical(self) -> Predicates:
        """The same predicates with their conditions sorted by column (unused slots last), so
        equal predicates have equal rows."""
        key = np.where(self.cols < 0, np.iinfo(np.int64).max, self.cols)
        by = np.lexsort((self.vals, self.ops, key), axis=1) if self.size else key
        return Predicates(
            np.take_along_axis(self.cols, by, 1),
            np.take_along_axis(self.ops, by, 1),
            np.take_along_axis(self.vals, by, 1),
        )

    def keys(self) -> list[bytes]:
        """One hashable key per predicate (of the canonical form)."""
        c = self.canonical()
        table = np.concatenate(
            [c.cols.astype(np.float64), c.ops.astype(np.float64), c.vals], axis=1
        )
        table = np.ascontiguousarray(table)
        return [row.tobytes() for row in table]


class Matcher:
    """Counts the records of one encoded frame that predicates match.

    Parameters
    ----------
    frame : Encoded
        The records, encoded with ``scale=False`` (raw numbers).
    layout : list of (str, int)
        For each predicate column index: ``("categorical", j)`` (row ``j`` of ``frame.codes``)
        or ``("numeric", j)`` (row ``j`` of ``frame.numbers``).
    """

    def __init__(self, frame: Encoded, layout: list[tuple[str, int]]) -> None:
        self.rows = frame.rows
        self.values: list[np.ndarray] = []
        self.wild: list[np.ndarray | None] = []
        for kind, j in layout:
            if kind == "categorical":
                v = frame.codes[j].astype(np.float64)
                w = frame.codes[j] < 0
            else:
                v = frame.numbers[j]
                w = np.isnan(v)
            self.values.append(v)
            self.wild.append(w if w.any() else None)

    def _subset(self, rows: np.ndarray) -> Matcher:
        sub = object.__new__(Matcher)
        sub.rows = int(rows.shape[0])
        sub.values = [v[rows] for v in self.values]
        sub.wild = [None if w is None or not w[rows].any() else w[rows] for w in self.wild]
        return sub

    def matrix(self, preds: Predicates) -> np.ndarray:
        """The ``(predicates, records)`` boolean match matrix (for one block)."""
        m = np.ones((preds.size, self.rows), dtype=bool)
        for s in range(preds.cols.shape[1]):
            cols, ops, vals = preds.cols[:, s], preds.ops[:, s], preds.vals[:, s]
            for c in np.unique(cols[cols >= 0]):
                on_c = cols == c
                x = self.values[c][None, :]
                wild = self.wild[c]
                for op in np.unique(ops[on_c]):
                    which = np.nonzero(on_c & (ops == op))[0]
                    v = vals[which][:, None]
                    if op == EQ:
                        cond = x == v
                    elif op == NE:
                        cond = x != v
                    elif op == GT:
                        cond = x > v
                    elif op == LT:
                        cond = x < v
                    elif op == GE:
                        cond = x >= v
                    else:
                        cond = x <= v
                    if wild is not None:
                        cond |= wild[None, :]
                    m[which] &= cond
        return m

    def _blocks(self, size: int) -> list[slice]:
        step = max(1, _BLOCK // max(1, self.rows))
        return [slice(i, min(size, i + step)) for i in range(0, size, step)]

    def counts(self, preds: Predicates) -> np.ndarray:
        """How many records each predicate matches."""
        out = np.zeros(preds.size, dtype=np.int64)
        for sl in self._blocks(preds.size):
            out[sl] = self.matrix(preds.take(sl)).sum(axis=1)
        return out

    def singles_out(self, preds: Predicates) -> np.ndarray:
        """Whether each predicate matches exactly one record."""
        result = np.zeros(preds.size, dtype=bool)
        if preds.size == 0:
            return result
        todo = np.arange(preds.size)
        if self.rows >= 64 * _PREFILTER:
            sample = self._subset(np.arange(0, self.rows, _PREFILTER))
            todo = todo[sample.counts(preds) < 2]
        if todo.size:
            result[todo] = self.counts(preds.take(todo)) == 1
        return result

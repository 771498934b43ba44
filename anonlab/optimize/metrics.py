"""Information-loss metrics of a generalization with record suppression (lower is better).

Notation: ``n`` records, ``d`` quasi-identifiers, node levels ``l_j`` of hierarchies of height
``h_j``, the set ``S`` of suppressed records (every quasi-identifier ``*``) and the classes ``E``
of the records kept.

``"loss"`` (ARX's default *Loss*, Iyengar's loss metric)
    A value generalized to a label covering ``r`` of the ``|D_j|`` rows of its hierarchy file has
    share ``r / |D_j|``; a suppressed record has share 1 in every column. Per column
    ``L_j = max(0, (sum of shares - n/|D_j|) / (n - n/|D_j|))`` rounded to 10 decimals, and
    ``Loss = prod_j (1 + L_j) ** (1/d) - 1``, in [0, 1]. ``|D_j|`` is the number of rows of the
    hierarchy, not of distinct values in the data (ARX's rule).
``"discernibility"`` (Bayardo and Agrawal's DM)
    ``sum over kept classes |E|**2 + |S| * n``: every record is charged the size of its class,
    a suppressed record the size of the whole table.
``"aecs"`` (average equivalence class size, LeFevre et al.)
    ``n / (number of kept classes + [|S| > 0])``: the suppressed records count as one more
    class (of ``*`` values), as ARX counts them.
``"precision"`` (Sweeney's precision loss)
    The mean over records and quasi-identifiers of ``l_j / h_j``, a suppressed record counting 1
    in every column.
``"entropy"`` (non-uniform entropy, Gionis and Tassa)
    ``sum_j sum over records -log2(f_j(v) / f_j(g))`` where ``v`` is the record's original value
    of column ``j``, ``g`` its label at ``l_j``, and ``f_j`` counts records with that value or
    label in the input. For a suppressed record ``f_j(g) = n``.

Lower bounds
------------
Each metric gives, for every node, a lower bound of its value that needs no grouping, which the
search (:mod:`anonlab.optimize.search`) uses to skip nodes. In every metric a suppressed record
costs at least what it costs generalized (share 1 >= any share; ``l_j/h_j <= 1``; ``f(g) <= n``;
a class holds at most ``n`` records; and merging the suppressed classes into one cannot increase
the number of classes). So the value *without suppression* is a lower bound. For Loss, precision
and entropy that value is a sum of per-column constants (exact when nothing is suppressed). For
discernibility and AECS it needs the class count, bounded above by ``c = min(product of the
labels present at the node's levels, distinct level-0 combinations)``: by Cauchy-Schwarz
``DM >= n**2 / c`` (and ``>= n``), and ``AECS >= n / c``.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from anonlab.optimize.encoding import EncodedData
from anonlab.optimize.evaluation import NodeEvaluation
from anonlab.optimize.lattice import Lattice

__all__ = ["METRICS", "Metric"]


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    """``sum(a * b)`` without BLAS (whose spinning threads fight polars' pool for the cores)."""
    return float(np.multiply(a, b).sum())


class Metric:
    """Base class: a metric's bound over all nodes and its value for an evaluated node.

    Class attributes
    ----------------
    name : str
    exact_without_suppression : bool
        The bound equals the value when nothing is suppressed (so the search can fill in the
        values of nodes it knows need no suppression without grouping them).
    """

    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    exact_without_suppression: ClassVar[bool] = True

    def __init__(self, data: EncodedData, lattice: Lattice) -> None:
        self.data = data
        self.lattice = lattice

    def bounds(self) -> np.ndarray:
        """A lower bound of the value of every node (float64, one per node)."""
        raise NotImplementedError

    def value(self, ev: NodeEvaluation) -> float:
        """The value of an evaluated node, the records of failing classes suppressed."""
        raise NotImplementedError

    def _class_bound(self) -> np.ndarray:
        """Per node, an upper bound of its number of classes (before suppression)."""
        data, nodes = self.data, self.lattice.nodes
        product = np.ones(self.lattice.size, dtype=np.float64)
        for j in range(len(data.heights)):
            product *= np.asarray(data.cards[j], dtype=np.float64)[nodes[:, j]]
        return np.minimum(product, float(data.rows))


class _PerColumn(Metric):
    """Metrics built from per-column sums over records (Loss, precision, entropy)."""

    def _cost(self, j: int, level: int, rows: np.ndarray | None) -> np.ndarray:
        """Per level-0 row (or the rows given), the cost of one record of column j at level."""
        raise NotImplementedError

    def _suppressed_cost(self, j: int, rows: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _combine(self, totals: list[np.ndarray] | list[float]) -> np.ndarray | float:
        raise NotImplementedError

    def _totals(self) -> list[np.ndarray]:
        if not hasattr(self, "_cache"):
            data = self.data
            self._cache = [
                np.array([_dot(data.weights, self._cost(j, level, None))
                          for level in range(data.heights[j] + 1)])
                for j in range(len(data.heights))
            ]
        return self._cache

    def bounds(self) -> np.ndarray:
        totals = self._totals()
        nodes = self.lattice.nodes
        return np.asarray(self._combine([totals[j][nodes[:, j]] for j in range(len(totals))]))

    def value(self, ev: NodeEvaluation) -> float:
        totals = self._totals()
        rows = ev.suppressed_rows()
        weight = self.data.weights[rows]
        per_column = []
        for j, level in enumerate(ev.levels):
            extra = 0.0
            if rows.size:
                extra = _dot(weight, self._suppressed_cost(j, rows) - self._cost(j, level, rows))
            per_column.append(float(totals[j][level]) + extra)
        return float(self._combine(per_column))


class Loss(_PerColumn):
    name = "loss"
    label = "Loss"

    def _cost(self, j: int, level: int, rows: np.ndarray | None) -> np.ndarray:
        codes = self.data.codes[j][level]
        cost: np.ndarray = self.data.shares[j][level][codes if rows is None else codes[rows]]
        return cost

    def _suppressed_cost(self, j: int, rows: np.ndarray) -> np.ndarray:
        return np.ones(rows.shape[0])

    def _combine(self, totals: list[np.ndarray] | list[float]) -> np.ndarray | float:
        n = float(self.data.records)
        d = len(totals)
        product: np.ndarray | float = 1.0
        for j, total in enumerate(totals):
            size = self.data.domain[j]
            loss_j: np.ndarray
            if size <= 1:
                loss_j = np.zeros_like(np.asarray(total, dtype=np.float64))
            else:
                low = n / size
                loss_j = np.round(np.maximum(0.0, (np.asarray(total) - low) / (n - low)), 10)
            product = product * (loss_j + 1.0)
        return np.asarray(product) ** (1.0 / d) - 1.0


class Precision(_PerColumn):
    name = "precision"
    label = "Precision loss"

    def _cost(self, j: int, level: int, rows: np.ndarray | None) -> np.ndarray:
        size = self.data.rows if rows is None else rows.shape[0]
        return np.full(size, level / self.data.heights[j])

    def _suppressed_cost(self, j: int, rows: np.ndarray) -> np.ndarray:
        return np.ones(rows.shape[0])

    def _combine(self, totals: list[np.ndarray] | list[float]) -> np.ndarray | float:
        total = sum(np.asarray(t, dtype=np.float64) for t in totals)
        return np.asarray(total) / (self.data.records * len(totals))


class Entropy(_PerColumn):
    name = "entropy"
    label = "Non-uniform entropy"

    def _frequencies(self) -> list[list[np.ndarray]]:
        if not hasattr(self, "_freq"):
            data = self.data
            self._freq = [
                [np.bincount(data.codes[j][level], weights=data.weights,
                             minlength=data.cards[j][level])
                 for level in range(data.heights[j] + 1)]
                for j in range(len(data.heights))
            ]
        return self._freq

    def _cost(self, j: int, level: int, rows: np.ndarray | None) -> np.ndarray:
        freq = self._frequencies()[j]
        base = self.data.codes[j][0]
        codes = self.data.codes[j][level]
        if rows is not None:
            base, codes = base[rows], codes[rows]
        cost: np.ndarray = -np.log2(freq[0][base] / freq[level][codes])
        return cost

    def _suppressed_cost(self, j: int, rows: np.ndarray) -> np.ndarray:
        freq = self._frequencies()[j]
        cost: np.ndarray = -np.log2(freq[0][self.data.codes[j][0][rows]] / self.data.records)
        return cost

    def _combine(self, totals: list[np.ndarray] | list[float]) -> np.ndarray | float:
        return sum(np.asarray(t, dtype=np.float64) for t in totals)


class Discernibility(Metric):
    name = "discernibility"
    label = "Discernibility"
    exact_without_suppression = False

    def bounds(self) -> np.ndarray:
        n = float(self.data.records)
        return np.maximum(n, n * n / self._class_bound())

    def value(self, ev: NodeEvaluation) -> float:
        assert ev.failing is not None
        kept = ev.sizes[~ev.failing].astype(np.float64)
        return _dot(kept, kept) + ev.suppressed * float(self.data.records)


class AECS(Metric):
    name = "aecs"
    label = "Average class size"
    exact_without_suppression = False

    def bounds(self) -> np.ndarray:
        return float(self.data.records) / self._class_bound()

    def value(self, ev: NodeEvaluation) -> float:
        assert ev.failing is not None
        groups = int((~ev.failing).sum()) + (1 if ev.suppressed > 0 else 0)
        return float(self.data.records) / groups


#: The metrics :func:`anonlab.optimize` accepts, by name (each documented in this module).
METRICS: dict[str, type[Metric]] = {
    m.name: m for m in (Loss, Discernibility, AECS, Precision, Entropy)
}

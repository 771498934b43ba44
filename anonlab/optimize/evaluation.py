"""Evaluating one node: its equivalence classes, which break the targets, what is suppressed.

A node's classes come from the level-0 table (:mod:`anonlab.optimize.encoding`): each column's
codes at the node's level are combined into one int64 key per level-0 row (mixed radix over the
labels present), and the keys are grouped, by a dense ``bincount`` when the key space is small
and by sorting (or pandas' hash table when pandas is loaded) otherwise. Class sizes are a
weighted ``bincount`` of the record counts.

Targets are checked per class. k-anonymity and distinct l-diversity have vectorized fast paths;
every other privacy model is asked through :meth:`~anonlab.risk.models.PrivacyModel.class_passes`
on a :class:`~anonlab.risk.classes.ClassTable` built from the node's counts, so the search
applies exactly the rules the risk module checks.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from anonlab.optimize.encoding import EncodedData
from anonlab.risk.classes import CLASS, COUNT, VALUE, ClassTable
from anonlab.risk.models import KAnonymity, LDiversity, PrivacyModel
from anonlab.suppressed import SUPPRESSED

__all__ = ["Evaluator", "NodeEvaluation", "superset_monotone"]

_DENSE_MIN = 1 << 18  # key spaces up to this size (or 8x the rows) are grouped densely
_INT_LIMIT = 1 << 62


def superset_monotone(model: PrivacyModel) -> bool:
    """Whether a class that passes keeps passing when any records join it.

    True for k-anonymity (a class only grows) and distinct l-diversity (its set of values only
    grows). Then a class that fails at a generalization is a union of classes that all failed
    below it, so the records failing these targets can only decrease as a node is generalized.
    (Entropy and recursive l-diversity and t-closeness are only *union-closed*: two passing
    classes merge into a passing one, but a passing class can fail after a failing one joins.)
    """
    if isinstance(model, KAnonymity):
        return True
    return isinstance(model, LDiversity) and model.variant == "distinct"


def _factorize(key: np.ndarray) -> tuple[np.ndarray, int]:
    """Dense ids 0..m-1 of the distinct keys, and m."""
    pd = sys.modules.get("pandas")  # its hash table is fastest, but not worth an import
    if pd is not None:
        inv, uniques = pd.factorize(key)
        return inv.astype(np.int64, copy=False), len(uniques)
    uniques, inv = np.unique(key, return_inverse=True)
    return inv.astype(np.int64, copy=False), len(uniques)


def group_keys(key: np.ndarray, space: int) -> tuple[np.ndarray, int]:
    """Dense group ids of ``key`` (values in ``0..space-1``) and the number of groups."""
    n = key.shape[0]
    if n == 0:
        return key.copy(), 0
    if space <= max(_DENSE_MIN, 8 * n):
        present = np.zeros(space, dtype=np.int64)
        present[key] = 1
        ids = np.cumsum(present)
        return ids[key] - 1, int(ids[-1])
    return _factorize(key)


@dataclass
class NodeEvaluation:
    """The classes of one node and how they fare against the targets.

    Attributes
    ----------
    index : int
        The node's index in the lattice.
    levels : tuple of int
    inverse : numpy.ndarray
        The class of each level-0 row.
    sizes : numpy.ndarray
        Records per class (int64).
    failing : numpy.ndarray or None
        Per class, whether it breaks a target; None when the node was found infeasible from
        the superset-monotone targets alone (the other targets were not checked).
    failing_monotone : int
        Records in classes breaking a superset-monotone target (k-anonymity, distinct
        l-diversity).
    suppressed : int
        Records in classes breaking any target (what suppression must remove); ``-1`` when
        ``failing`` is None.
    """

    index: int
    levels: tuple[int, ...]
    inverse: np.ndarray
    sizes: np.ndarray
    failing: np.ndarray | None = None
    failing_monotone: int = 0
    suppressed: int = -1
    _rows: np.ndarray | None = field(default=None, repr=False)

    @property
    def classes(self) -> int:
        """The number of classes before suppression."""
        return int(self.sizes.shape[0])

    def suppressed_rows(self) -> np.ndarray:
        """Indices of the level-0 rows in failing classes."""
        if self._rows is None:
            assert self.failing is not None
            self._rows = np.flatnonzero(self.failing[self.inverse])
        return self._rows


class Evaluator:
    """Evaluates nodes of the lattice against the targets on the encoded data."""

    def __init__(self, data: EncodedData, targets: Sequence[PrivacyModel]) -> None:
        self.data = data
        self.targets = tuple(targets)
        self.monotone = tuple(t for t in self.targets if superset_monotone(t))
        self.others = tuple(t for t in self.targets if not superset_monotone(t))

    # -- grouping ------------------------------------------------------------------------------
    def group(self, levels: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """The class of each level-0 row at ``levels``, and the class sizes."""
        data = self.data
        key = np.zeros(data.rows, dtype=np.int64)
        space = 1
        for j, level in enumerate(levels):
            card = data.cards[j][level]
            if card == 1:
                continue
            if space * card >= _INT_LIMIT:
                key, space = group_keys(key, space)
            key = key * card + data.codes[j][level]
            space *= card
        inverse, classes = group_keys(key, space)
        sizes = np.bincount(inverse, weights=data.weights, minlength=classes).astype(np.int64)
        return inverse, sizes

    # -- targets -------------------------------------------------------------------------------
    def _distinct(self, inverse: np.ndarray, classes: int, column: str) -> np.ndarray:
        """Distinct non-null values of ``column`` per class."""
        code = self.data.sensitive_codes[column]
        card = max(int(self.data.sensitive_values[column].len()), 1)
        valid = code >= 0
        pair = inverse[valid] * card + code[valid]
        ids, m = group_keys(pair, classes * card)
        first = np.zeros(m, dtype=np.int64)
        first[ids] = pair // card
        return np.bincount(first, minlength=classes)

    def _passes_fast(
        self, model: PrivacyModel, inverse: np.ndarray, sizes: np.ndarray
    ) -> np.ndarray:
        if isinstance(model, KAnonymity):
            return sizes >= model.k
        assert isinstance(model, LDiversity)
        return self._distinct(inverse, sizes.shape[0], model.column) >= model.l

    def evaluate(self, index: int, levels: Sequence[int], limit: int) -> NodeEvaluation:
        """Group the node and check the targets.

        ``limit`` is the most records that may be suppressed: when the superset-monotone
        targets alone fail more, the other targets are not checked (``failing`` is None).
        """
        inverse, sizes = self.group(levels)
        ev = NodeEvaluation(index, tuple(int(v) for v in levels), inverse, sizes)
        if self._all_suppressed(levels):
            # every quasi-identifier is "*": every record is suppressed (anonlab.suppressed),
            # as the risk report reads the output; not a class that passes. Not counted as
            # failing the monotone targets: the nodes below are not suppressed.
            ev.failing = np.ones(sizes.shape[0], dtype=bool)
            ev.suppressed = int(sizes.sum())
            return ev
        failing = np.zeros(sizes.shape[0], dtype=bool)
        for model in self.monotone:
            failing |= ~self._passes_fast(model, inverse, sizes)
        ev.failing_monotone = int(sizes[failing].sum())
        if ev.failing_monotone > limit:
            return ev
        if self.others:
            table = self.class_table(ev, labels=False)
            for model in self.others:
                failing |= ~model.class_passes(table).fill_null(False).to_numpy()
        ev.failing = failing
        ev.suppressed = int(sizes[failing].sum())
        return ev

    def _all_suppressed(self, levels: Sequence[int]) -> bool:
        """Whether every quasi-identifier is at a level whose only label is ``*``."""
        data = self.data
        return all(
            data.cards[j][level] == 1 and data.labels[j][level][0] == SUPPRESSED
            for j, level in enumerate(levels)
        )

    # -- class tables --------------------------------------------------------------------------
    def class_table(self, ev: NodeEvaluation, *, labels: bool) -> ClassTable:
        """The node's classes (before suppression) as a :class:`ClassTable`.

        With ``labels``, the keys hold the hierarchy labels; otherwise the integer codes.
        """
        data = self.data
        classes = ev.classes
        rep = np.zeros(classes, dtype=np.int64)
        rep[ev.inverse] = np.arange(data.rows, dtype=np.int64)
        keys = {}
        for j, q in enumerate(data.quasi_identifiers):
            codes = data.codes[j][ev.levels[j]][rep]
            if labels:
                keys[q] = data.labels[j][ev.levels[j]].gather(codes)
            else:
                keys[q] = pl.Series(q, codes, dtype=pl.UInt32)
        dists: dict[str, pl.DataFrame] = {}
        overall: dict[str, pl.DataFrame] = {}
        for s in data.sensitive:
            code = data.sensitive_codes[s]
            values = data.sensitive_values[s]
            card = max(int(values.len()), 1)
            valid = code >= 0
            pair = ev.inverse[valid] * card + code[valid]
            ids, m = group_keys(pair, classes * card)
            weight = np.bincount(ids, weights=data.weights[valid], minlength=m).astype(np.int64)
            first = np.zeros(m, dtype=np.int64)
            first[ids] = pair
            dists[s] = pl.DataFrame(
                {
                    CLASS: pl.Series(first // card, dtype=pl.UInt32),
                    VALUE: values.gather(first % card),
                    COUNT: pl.Series(weight, dtype=pl.Int64),
                }
            )
            overall[s] = pl.DataFrame(
                {VALUE: values, COUNT: pl.Series(data.sensitive_overall[s], dtype=pl.Int64)}
            )
        return ClassTable(
            data.quasi_identifiers,
            pl.DataFrame(keys) if keys else pl.DataFrame(),
            pl.Series(COUNT, ev.sizes, dtype=pl.Int64),
            dists,
            overall,
        )

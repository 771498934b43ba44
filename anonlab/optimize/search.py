"""The optimal full-domain generalization search with record suppression (:func:`optimize`).

The problem
-----------
Each quasi-identifier ``j`` has a hierarchy of height ``h_j``; a *node* picks one level per
column, and the nodes form a lattice (:mod:`anonlab.optimize.lattice`). At a node the records
fall into equivalence classes; the records of classes breaking a target are suppressed (all
their quasi-identifiers become ``*``), and the node is *acceptable* when they number at most
``floor(max_suppression * n)``, ARX's rule. The result is the acceptable node of least metric
(:mod:`anonlab.optimize.metrics`), over the whole lattice: the search is exact, not heuristic.

Why it is exact
---------------
Every node is settled by one of three arguments, each proven:

1. **Bound.** Each metric gives a lower bound ``B(N)`` of a node's value that needs no
   grouping: its value with nothing suppressed, or a bound of it (see the metrics module; a
   suppressed record never costs less than the same record generalized). Once ``A``
   acceptable nodes are known (``A = alternatives + 1``), a node with ``B(N)`` above the
   ``A``-th best value found cannot enter the answer and is skipped. Loss is *not* monotonic
   under suppression (generalizing can un-suppress records and lower it), so the bound is taken
   per node and never propagated up the lattice. For Loss, precision and entropy the bound is
   the value without suppression, which is monotonic in the lattice, so it is also tight.
2. **Infeasibility below.** For *superset-monotone* targets (k-anonymity and distinct
   l-diversity: a class that passes keeps passing whatever records join it), a class failing
   at a generalization ``G`` is a union of classes that all fail at any ``N <= G``. So the
   records failing these targets can only shrink as a node is generalized, and if they exceed
   the limit at ``G``, every ``N <= G`` is unacceptable too. Entropy or recursive l-diversity,
   t-closeness and the other models are only union-closed (two passing classes merge into a
   passing one), which does not survive suppression, so they never prune this way.
3. **Exactness above.** When a node needs no suppression at all and every target is
   union-closed (``monotonic``), each class of a generalization is a union of passing classes,
   so every generalization needs no suppression either; for metrics whose bound is exact
   without suppression (Loss, precision, entropy) their values are their bounds, known without
   grouping.

The order of work decides how few nodes are grouped, not the result: among the unsettled
nodes the search takes a *maximal* one (no unsettled generalization) of least bound. If it is
unacceptable by argument 2, its whole down-set is settled at once; if acceptable, its value
tightens the bound of argument 1 (and argument 3 may settle its up-set).

Grouping
--------
The raw rows are grouped once (:mod:`anonlab.optimize.encoding`); each node is evaluated on the
level-0 table of distinct combinations with integer codes (:mod:`anonlab.optimize.evaluation`).
"""

from __future__ import annotations

import dataclasses
import math
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import polars as pl

from anonlab._validation import check_int, check_one_of, describe
from anonlab.errors import ColumnNotFoundError, EmptyFrameError, ParameterError
from anonlab.frames import ingest_eager
from anonlab.hierarchies import Hierarchy
from anonlab.optimize.encoding import encode
from anonlab.optimize.evaluation import Evaluator, NodeEvaluation
from anonlab.optimize.lattice import Lattice
from anonlab.optimize.metrics import METRICS, Metric
from anonlab.optimize.result import Alternative, OptimizationResult
from anonlab.recipe import Recipe, Step, Targets
from anonlab.risk.models import KAnonymity, LDiversity, PrivacyModel, TCloseness

__all__ = ["optimize"]

_OWNER = "optimize"


# -- checking the arguments ------------------------------------------------------------------------
def _hierarchies(hierarchies: Any, columns: Sequence[str]) -> dict[str, Hierarchy]:
    if not isinstance(hierarchies, Mapping) or not hierarchies:
        raise ParameterError(
            f"The 'hierarchies' parameter of {_OWNER} must be a non-empty dict from each "
            f"quasi-identifier to its Hierarchy. Got {describe(hierarchies)} instead."
        )
    out: dict[str, Hierarchy] = {}
    for column, h in hierarchies.items():
        if not isinstance(column, str):
            raise ParameterError(
                f"The 'hierarchies' parameter of {_OWNER} must be keyed by column names (str). "
                f"Got the key {describe(column)}."
            )
        if column not in columns:
            raise ColumnNotFoundError(column, list(columns), where=f"{_OWNER} hierarchies")
        if isinstance(h, Hierarchy):
            out[column] = h
        elif isinstance(h, Mapping):
            out[column] = Hierarchy.from_mapping(h, column=column)
        elif isinstance(h, (str, os.PathLike)):
            out[column] = Hierarchy.from_arx_csv(h, column=column)
        else:
            raise ParameterError(
                f"The hierarchy of {column!r} given to {_OWNER} must be a Hierarchy, a mapping "
                "value -> (level 1, ..., level h) or the path of an ARX CSV file. Got "
                f"{describe(h)} instead."
            )
    return out


def _targets(targets: Any, qis: Sequence[str], columns: Sequence[str]) -> tuple[PrivacyModel, ...]:
    if isinstance(targets, Targets):
        targets = targets.models()
    if isinstance(targets, PrivacyModel):
        targets = [targets]
    if isinstance(targets, (str, bytes, Mapping)) or not isinstance(targets, Iterable):
        raise ParameterError(
            f"The 'targets' parameter of {_OWNER} must be a list of privacy models such as "
            f"[KAnonymity(5), LDiversity('disease', 2)]. Got {describe(targets)} instead."
        )
    out = tuple(targets)
    if not out:
        raise ParameterError(
            f"{_OWNER} needs at least one privacy target, e.g. targets=[KAnonymity(5)]."
        )
    for i, t in enumerate(out):
        if not isinstance(t, PrivacyModel):
            raise ParameterError(
                f"The 'targets' parameter of {_OWNER} must hold privacy models from "
                f"anonlab.risk (KAnonymity, LDiversity, TCloseness, ...). Got "
                f"{describe(t)} at position {i} instead."
            )
        if t.needs_population:
            raise ParameterError(
                f"{_OWNER} cannot search for {t.describe()}: the model needs a population "
                "table. Check it afterwards with anonlab.risk on the result."
            )
        column = t.sensitive_column
        if column is None:
            continue
        if column in qis:
            raise ParameterError(
                f"{_OWNER}: {column!r} is both a quasi-identifier and the sensitive column of "
                f"{t.describe()}; a column an attacker knows cannot be the secret its classes "
                "protect. Choose one role."
            )
        if column not in columns:
            raise ColumnNotFoundError(column, list(columns), where=f"{_OWNER} target "
                                      f"{t.describe()}")
    return out


def _fraction(value: Any) -> float:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok or not (0 <= value <= 1) or math.isnan(value):
        raise ParameterError(
            f"The 'max_suppression' parameter of {_OWNER} must be a number from 0 to 1 (the "
            f"largest share of records that may be suppressed). Got {describe(value)} instead."
        )
    return float(value)


# -- the search ------------------------------------------------------------------------------------
_TIE = 1e-9
"""Relative difference under which two metric values are a tie: the same loss summed in another
order differs by float noise (1e-12 relative and more), which must not decide between nodes."""


def _tied(a: float, b: float) -> bool:
    return abs(a - b) <= _TIE * max(abs(a), abs(b)) + 1e-12


def _order(found: list[tuple[tuple[float, int, int], float, int]]) -> None:
    """Sort by value; values within :data:`_TIE` of a run's first are ties, ordered by level
    sum, then node index (rounding values instead would split ties that straddle a digit)."""
    found.sort()
    i = 0
    while i < len(found):
        j = i + 1
        while j < len(found) and _tied(found[j][1], found[i][1]):
            j += 1
        found[i:j] = sorted(found[i:j], key=lambda f: (f[0][1], f[0][2]))
        i = j


class _Search:
    """The branch-and-bound walk over the lattice (see the module docstring)."""

    def __init__(
        self,
        evaluator: Evaluator,
        metric: Metric,
        lattice: Lattice,
        limit: int,
        keep: int,
    ) -> None:
        self.evaluator = evaluator
        self.metric = metric
        self.lattice = lattice
        self.limit = limit
        self.keep = keep
        self.found: list[tuple[tuple[float, int, int], float, int]] = []
        self.evaluated = 0
        self.level_sums = lattice.nodes.sum(axis=1)

    def _add(self, index: int, value: float, suppressed: int) -> None:
        key = (value, int(self.level_sums[index]), index)
        self.found.append((key, value, suppressed))
        _order(self.found)
        del self.found[self.keep:]

    def _threshold(self) -> float:
        if len(self.found) < self.keep:
            return math.inf
        worst = self.found[-1][1]
        return worst + abs(worst) * _TIE + 1e-12

    def run(self, progress: bool) -> None:
        lattice, metric, evaluator = self.lattice, self.metric, self.evaluator
        bounds = metric.bounds()
        unsettled = np.ones(lattice.size, dtype=bool)
        fill_up = metric.exact_without_suppression and all(
            t.monotonic for t in evaluator.targets
        )
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=lattice.size, desc="optimize", unit="node", leave=False)
        settled = 0
        try:
            while True:
                threshold = self._threshold()
                if threshold < math.inf:
                    unsettled &= bounds <= threshold
                if bar is not None:
                    now = lattice.size - int(unsettled.sum())
                    bar.update(now - settled)
                    settled = now
                candidates = np.flatnonzero(lattice.maximal(unsettled))
                if candidates.size == 0:
                    break
                i = int(candidates[np.argmin(bounds[candidates])])
                ev = evaluator.evaluate(i, lattice.nodes[i], self.limit)
                self.evaluated += 1
                unsettled[i] = False
                if ev.failing_monotone > self.limit:
                    unsettled &= ~lattice.down_set(i)
                    continue
                if ev.suppressed > self.limit:
                    continue
                self._add(i, metric.value(ev), ev.suppressed)
                if ev.suppressed == 0 and fill_up:
                    up = lattice.up_set(i) & unsettled
                    unsettled &= ~up
                    up &= bounds <= self._threshold()
                    members = np.flatnonzero(up)
                    if members.size:
                        order = np.lexsort((members, self.level_sums[members], bounds[members]))
                        for u in members[order[: self.keep]]:
                            self._add(int(u), float(bounds[u]), 0)
        finally:
            if bar is not None:
                bar.update(lattice.size - settled)
                bar.close()


# -- building the result ---------------------------------------------------------------------------
def _recipe_targets(
    qis: Sequence[str], targets: Sequence[PrivacyModel], max_suppression: float
) -> Targets:
    """The targets as a recipe's Targets: every one of them, in the k, l_diversity and
    t_closeness shorthands where they can be said so, the others as privacy models."""
    ks = [t.k for t in targets if isinstance(t, KAnonymity)]
    sens = tuple(dict.fromkeys(t.sensitive_column for t in targets if t.sensitive_column))
    ls = {t.l for t in targets if isinstance(t, LDiversity) and t.variant == "distinct"}
    ts = {t.t for t in targets if isinstance(t, TCloseness) and t.distance == "auto"}
    simple = all(
        isinstance(t, KAnonymity)
        or (isinstance(t, LDiversity) and t.variant == "distinct")
        or (isinstance(t, TCloseness) and t.distance == "auto" and t.hierarchy is None
            and t.order is None and t.t > 0)
        for t in targets
    )
    per_column_ok = simple and len(ls) <= 1 and len(ts) <= 1 and all(
        (not ls or any(isinstance(t, LDiversity) and t.column == s for t in targets))
        and (not ts or any(isinstance(t, TCloseness) and t.column == s for t in targets))
        for s in sens
    )
    if not per_column_ok:
        sens, ls, ts = (), set(), set()
    shorthand = Targets(
        quasi_identifiers=tuple(qis),
        sensitive=sens,
        k=max(ks) if ks else None,
        l_diversity=int(next(iter(ls))) if ls else None,
        t_closeness=float(next(iter(ts))) if ts else None,
        max_suppression=max_suppression,
    )
    covered = set(shorthand.models())
    rest = tuple(t for t in targets if t not in covered)
    return dataclasses.replace(shorthand, privacy_models=rest)


def _recipe(
    hierarchies: dict[str, Hierarchy],
    levels: dict[str, int],
    targets: Sequence[PrivacyModel],
    max_suppression: float,
) -> Recipe:
    from anonlab.transforms.generalization import Generalize
    from anonlab.transforms.outliers import SuppressOutliers

    qis = tuple(hierarchies)
    steps = [
        Step(q, Generalize(hierarchy=hierarchies[q], level=levels[q]),
             note=f"level {levels[q]} of {hierarchies[q].height}")
        for q in qis
    ]
    if max_suppression > 0:
        ks = [t.k for t in targets if isinstance(t, KAnonymity)]
        others = tuple(t.to_dict() for t in targets if not isinstance(t, KAnonymity))
        steps.append(
            Step(
                None,
                SuppressOutliers(
                    quasi_identifiers=qis,
                    k=max(ks) if ks else None,
                    models=others,
                    max_suppression=max_suppression,
                ),
                note="suppress the records of classes that break the targets",
            )
        )
    return Recipe(
        steps=tuple(steps),
        targets=_recipe_targets(qis, targets, max_suppression),
        name="optimal generalization",
    )


def optimize(
    frame: Any,
    hierarchies: Mapping[str, Hierarchy],
    targets: Sequence[PrivacyModel] | Targets,
    max_suppression: float = 0.05,
    metric: str = "loss",
    *,
    alternatives: int = 5,
    progress: bool = True,
) -> OptimizationResult:
    """Find the full-domain generalization of least information loss that meets the targets.

    One hierarchy level is chosen per quasi-identifier (the keys of ``hierarchies``, in order);
    the records of classes that still break a target are suppressed (every quasi-identifier
    becomes ``*``) as long as they number at most ``max_suppression * n``, which is how ARX
    (Flash, optimal) works. The search is exact over the whole lattice; see
    :mod:`anonlab.optimize.search` for why, and :mod:`anonlab.optimize.metrics` for the metrics.

    Parameters
    ----------
    frame : pandas, polars (eager or lazy) or Arrow frame
        The data (a LazyFrame is collected).
    hierarchies : dict of str to Hierarchy
        The quasi-identifiers and their hierarchies; a mapping ``value -> (level 1, ...)`` or
        the path of an ARX CSV file is accepted in place of a Hierarchy. Every value of each
        column must be in its hierarchy.
    targets : list of PrivacyModel, or Targets
        e.g. ``[KAnonymity(5), LDiversity("salary-class", 2)]``. Sensitive columns come from
        the models. Models needing a population table are refused.
    max_suppression : float, default 0.05
        The largest share of records (0 to 1) that may be suppressed.
    metric : {"loss", "discernibility", "aecs", "precision", "entropy"}, default "loss"
        What to minimize (:data:`METRICS`).
    alternatives : int, default 5
        How many runners-up to report (each costs a little more search).
    progress : bool, default True
        Show a progress bar (tqdm: a widget in a notebook, a line in a terminal).

    Returns
    -------
    OptimizationResult
        Levels, metric value, suppressed records, the output frame (the caller's kind), its
        classes, a recipe reproducing it, and the runners-up.

    Raises
    ------
    ColumnNotFoundError
        A quasi-identifier or sensitive column is not in the frame.
    HierarchyError
        A hierarchy does not cover a column's values (the message says how many are missing),
        or a quasi-identifier holds nulls.
    ParameterError
        Bad targets (none, not privacy models, needing a population, a sensitive column that is
        also a quasi-identifier), ``max_suppression`` outside [0, 1], an unknown metric, or no
        transformation meets the targets within the suppression limit.
    EmptyFrameError
        The frame has no rows.

    Examples
    --------
    >>> import anonlab
    >>> from anonlab.optimize import optimize
    >>> from anonlab.risk import KAnonymity
    >>> df = anonlab.datasets.adult()
    >>> h = {c: anonlab.Hierarchy.from_mapping(m, column=c)
    ...      for c, m in anonlab.datasets.adult_hierarchies().items()
    ...      if c in ("sex", "age", "race")}
    >>> result = optimize(df, h, [KAnonymity(5)], 0.01, progress=False)
    >>> result.levels, result.suppressed
    ({'sex': 0, 'age': 1, 'race': 0}, 37)
    """
    start = time.perf_counter()
    data, _origin = ingest_eager(frame, owner=_OWNER)
    columns = data.columns
    hier = _hierarchies(hierarchies, columns)
    qis = tuple(hier)
    models = _targets(targets, qis, columns)
    fraction = _fraction(max_suppression)
    check_one_of(metric, "metric", _OWNER, tuple(METRICS))
    keep = check_int(alternatives, "alternatives", _OWNER, min_value=0)
    assert keep is not None
    if not isinstance(progress, bool):
        raise ParameterError(
            f"The 'progress' parameter of {_OWNER} must be True or False. Got "
            f"{describe(progress)} instead."
        )
    if data.height == 0:
        raise EmptyFrameError(f"{_OWNER} got a frame with no rows; there is nothing to anonymize.")
    sensitive = tuple(dict.fromkeys(t.sensitive_column for t in models if t.sensitive_column))
    encoded = encode(data, hier, sensitive)
    n = encoded.records
    limit = math.floor(fraction * n + 1e-9)
    lattice = Lattice(encoded.heights)
    evaluator = Evaluator(encoded, models)
    scorer = METRICS[metric](encoded, lattice)
    search = _Search(evaluator, scorer, lattice, limit, keep + 1)
    search.run(progress)
    if not search.found:
        raise ParameterError(
            f"No generalization meets {', '.join(t.describe() for t in models)} with at most "
            f"{limit} suppressed records ({fraction:.1%} of {n}), not even the most general "
            "one. Raise max_suppression, relax the targets, or extend the hierarchies."
        )
    (_, _, best), value, suppressed = search.found[0]
    best_ev = evaluator.evaluate(best, lattice.nodes[best], limit)
    _check(best_ev, scorer, value, suppressed)
    search_seconds = time.perf_counter() - start

    levels = {q: int(lattice.nodes[best][j]) for j, q in enumerate(qis)}
    recipe = _recipe(hier, levels, models, fraction)
    side: dict[str, pl.DataFrame] = {}
    out = recipe.apply(frame, side_outputs=side)
    summary = next((t for name, t in side.items() if name.startswith("suppress_outliers")), None)
    if summary is not None and int(summary["suppressed"][0]) != suppressed:
        raise RuntimeError(  # pragma: no cover - a bug, not a user error
            "optimize: the recipe suppressed a different number of records than the search "
            "found; please report this."
        )
    assert best_ev.failing is not None
    table = evaluator.class_table(best_ev, labels=True)
    table = dataclasses.replace(table, suppressed=suppressed)
    classes = table.subset(pl.Series(~best_ev.failing))
    alts = [
        Alternative(
            {q: int(lattice.nodes[i][j]) for j, q in enumerate(qis)}, float(v), int(s)
        )
        for (_, _, i), v, s in search.found[1:]
    ]
    return OptimizationResult(
        levels=levels,
        metric=metric,
        metric_value=float(value),
        suppressed=int(suppressed),
        records=n,
        classes=classes,
        recipe=recipe,
        frame=out,
        alternatives=alts,
        targets=models,
        max_suppression=fraction,
        nodes_evaluated=search.evaluated,
        lattice_size=lattice.size,
        seconds=time.perf_counter() - start,
        search_seconds=search_seconds,
    )


def _check(ev: NodeEvaluation, metric: Metric, value: float, suppressed: int) -> None:
    """The chosen node re-evaluated gives what the search recorded (a guard against bugs)."""
    again = metric.value(ev) if ev.failing is not None else math.nan
    if ev.suppressed != suppressed or not math.isclose(again, value, rel_tol=1e-9, abs_tol=1e-12):
        raise RuntimeError(  # pragma: no cover - a bug, not a user error
            "optimize: the chosen transformation does not re-evaluate to the value the search "
            "recorded; please report this."
        )

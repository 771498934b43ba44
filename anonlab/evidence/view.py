"""The attacker's view: original records mapped into the release's value space.

The attacks of :mod:`anonlab.evidence` model a determined recipient who holds the bundle, the
recipe it ships and, about their targets, the original values of the quasi-identifiers (from a
voter list, a previous release, knowing the person). To look a target up in the release they do
to its values what the recipe did wherever the recipe lets them, step by step, as each
transform's :attr:`~anonlab.transforms.Transform.linkage` says:

``"recompute"``
    a public, deterministic function (generalize, round, top-code, mask, ZIP3): the attacker
    applies it too, and compares exactly.
``"suppress"``
    values stay or become suppressed cells (null or ``*``, or the step's replacement text),
    which match anything: the attacker keeps the value.
``"tolerance"``
    a bounded perturbation (noise, date shifts): the attacker keeps the value and accepts
    release values within the step's :meth:`~anonlab.transforms.Transform.tolerance`.
``"nearest"``
    values replaced by a group value (microaggregation): the attacker takes the release value
    nearest to theirs.
``"exact"``
    values randomly exchanged (PRAM): the attacker keeps the value and compares exactly, right
    as often as the value was kept.
``"hidden"``
    keyed codes, shuffled or dropped columns: nothing to match; the column is left out.

A ``"recompute"`` step after a perturbation of the same column (noise, then intervals) is
replayed on the unperturbed value and compared exactly: the attacker then misses the records
whose perturbation crossed a boundary, as a real one would.

Dates and datetimes are compared as whole days; every other matched column keeps the release's
dtype. :func:`attacker_view` returns the targets (every original record, with the release row
it became) and the release prepared the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from anonlab.errors import ColumnNotFoundError, ParameterError
from anonlab.evidence.release import rerun

if TYPE_CHECKING:
    from anonlab.recipe import Recipe

__all__ = ["TRUTH", "AttackerView", "attacker_view"]

TRUTH = "__anonlab_truth"
"""The column of :attr:`AttackerView.targets` holding the release row each record became."""


@dataclass(frozen=True)
class AttackerView:
    """Targets and release, in one value space, ready for matching.

    Attributes
    ----------
    targets : polars.DataFrame
        One row per original record: the matched columns as the attacker computes them, and
        :data:`TRUTH`, the row of :attr:`release` the record became (null when the recipe
        removed it).
    release : polars.DataFrame
        The release's matched columns (suppression replacements turned into nulls, dates into
        days).
    columns : tuple of str
        The columns an attacker can match on.
    tolerance : mapping of str to float
        For perturbed numeric columns, how far a release value may lie from the target's.
    modes : mapping of str to str
        How each column of the quasi-identifiers was matched (or ``"hidden"``).
    """

    targets: pl.DataFrame
    release: pl.DataFrame
    columns: tuple[str, ...]
    tolerance: Mapping[str, float] = field(default_factory=dict)
    modes: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tolerance", MappingProxyType(dict(self.tolerance)))
        object.__setattr__(self, "modes", MappingProxyType(dict(self.modes)))


def _step_columns(step: Any) -> tuple[str, ...]:
    own = tuple(getattr(step.transform, "quasi_identifiers", ()) or ())
    together = tuple(getattr(step.transform, "together", ()) or ())
    head = (step.column,) if step.column is not None else ()
    return (*head, *own, *together)


def _modes(recipe: Recipe, columns: Sequence[str], schema: Mapping[str, pl.DataType]) -> tuple[
    dict[str, str], dict[str, float], list[int]
]:
    """Per column: how it is matched and its tolerance; and the steps the attacker replays."""
    modes = dict.fromkeys(columns, "recompute")
    tolerance: dict[str, float] = {}
    perturbed: set[str] = set()
    replay: list[int] = []
    for i, step in enumerate(recipe.steps):
        t = step.transform
        touched = [c for c in _step_columns(step) if c in modes]
        if not touched:
            if t.linkage == "recompute" and t.scope == "row":
                replay.append(i)  # it may feed a matched column later (a derived column)
            continue
        mode = t.linkage
        for c in touched:
            if mode == "hidden":
                modes[c] = "hidden"
            elif mode == "tolerance":
                perturbed.add(c)
                if modes[c] in ("recompute", "tolerance"):
                    modes[c] = "tolerance"
                    tolerance[c] = tolerance.get(c, 0.0) + float(
                        t.tolerance(c, schema.get(c, pl.Float64()))
                    )
            elif mode == "nearest":
                perturbed.add(c)
                if modes[c] != "hidden":
                    modes[c] = "nearest"
            elif mode == "exact":
                perturbed.add(c)
                if modes[c] != "hidden":
                    modes[c] = "exact"
            elif mode == "recompute" and c in perturbed and modes[c] in ("tolerance", "nearest"):
                modes[c] = "exact"  # a public step on a perturbed value: compare its label
        if mode == "recompute" and t.scope == "row":
            replay.append(i)
    return modes, {c: v for c, v in tolerance.items() if modes[c] == "tolerance"}, replay


def _as_days(s: pl.Series) -> pl.Series:
    if s.dtype == pl.Date:
        return s.cast(pl.Int64)
    if isinstance(s.dtype, pl.Datetime):
        return (s.dt.epoch("d")).cast(pl.Int64)
    return s


def _suppressed_text(recipe: Recipe, column: str) -> set[str]:
    """Replacement texts that suppression steps wrote into ``column``."""
    out = set()
    for step in recipe.steps:
        replacement = getattr(step.transform, "replacement", None)
        if step.column == column and isinstance(replacement, str):
            out.add(replacement)
    return out


def _nearest(values: pl.Series, release: pl.Series) -> pl.Series:
    """Each value replaced by the release value nearest to it (ties: the lower one)."""
    candidates = np.unique(release.drop_nulls().cast(pl.Float64).to_numpy())
    x = values.cast(pl.Float64)
    if not len(candidates):
        return x
    arr = x.to_numpy()
    mask = np.isnan(arr)
    pos = np.clip(np.searchsorted(candidates, np.where(mask, 0.0, arr)), 1, len(candidates) - 1)
    if len(candidates) == 1:
        snapped = np.full(len(arr), candidates[0])
    else:
        lower, upper = candidates[pos - 1], candidates[pos]
        snapped = np.where(np.abs(arr - lower) <= np.abs(upper - arr), lower, upper)
    snapped = np.where(mask, np.nan, snapped)
    return pl.Series(values.name, snapped).fill_nan(None)


def attacker_view(
    original: pl.DataFrame,
    release: pl.DataFrame,
    recipe: Recipe,
    *,
    columns: Sequence[str],
    rows: np.ndarray | None = None,
) -> AttackerView:
    """Map the original records into the release's value space, as a recipient can.

    Parameters
    ----------
    original : polars.DataFrame
        The data before the recipe.
    release : polars.DataFrame
        The data the recipient holds.
    recipe : Recipe
        The recipe the bundle ships.
    columns : sequence of str
        The columns the attacker knows about their targets (the quasi-identifiers).
    rows : numpy array, optional
        For each release row, the original row it came from; by default row ``i`` of the
        release is row ``i`` of the original (which needs equal heights).

    Returns
    -------
    AttackerView
    """
    if rows is None:
        if release.height != original.height:
            raise ParameterError(
                f"The release has {release.height:,} rows and the original {original.height:,}: "
                "without the rows= mapping the attacks cannot tell which record each release row "
                "is. Export the data with anonlab.export, which keeps that mapping."
            )
        rows = np.arange(release.height)
    rows = np.asarray(rows, dtype=np.int64)
    if len(rows) != release.height:
        raise ParameterError(
            f"rows= has {len(rows):,} entries for a release of {release.height:,} rows."
        )
    for c in columns:
        if c not in original.columns:
            raise ColumnNotFoundError(c, original.columns, where="the attacker's knowledge")
    modes, tolerance, replay = _modes(recipe, columns, original.schema)
    matched = [c for c in columns if modes[c] != "hidden" and c in release.columns]
    for c in columns:
        if c not in release.columns:
            modes[c] = "hidden"

    from anonlab.recipe import Recipe as _Recipe

    public = _Recipe(steps=tuple(recipe.steps[i] for i in replay))
    mapped, where = rerun(original, public, attacker=True)
    order = np.empty(mapped.height, dtype=np.int64)  # the original row of each mapped row
    order[where[where >= 0]] = np.arange(original.height)[where >= 0]

    truth = np.full(original.height, -1, dtype=np.int64)
    truth[rows] = np.arange(release.height)

    target_cols: dict[str, pl.Series] = {}
    release_cols: dict[str, pl.Series] = {}
    for c in matched:
        rel = release.get_column(c)
        mine = mapped.get_column(c) if c in mapped.columns else original.get_column(c)[order]
        hidden_text = _suppressed_text(recipe, c)
        if hidden_text and rel.dtype == pl.String:
            replaced = pl.col(c).is_in(list(hidden_text))
            rel = (
                rel.to_frame()
                .select(pl.when(replaced).then(None).otherwise(pl.col(c)))
                .to_series()
            )
        if modes[c] == "nearest":
            mine = _nearest(mine, rel)
            rel = rel.cast(pl.Float64)
        elif modes[c] == "tolerance":
            mine, rel = _as_days(mine), _as_days(rel)
            if mine.dtype.is_numeric() and rel.dtype.is_numeric():
                mine, rel = mine.cast(pl.Float64), rel.cast(pl.Float64)
            else:
                modes[c] = "exact"
        if mine.dtype != rel.dtype:
            mine, rel = _common(mine, rel)
        target_cols[c] = mine.alias(c)
        release_cols[c] = rel.alias(c)
    targets = pl.DataFrame(target_cols) if target_cols else pl.DataFrame(
        {"__empty": np.zeros(original.height)}).drop("__empty")
    truth_series = pl.Series(TRUTH, truth[order]).replace(-1, None)
    targets = targets.with_columns(truth_series)
    prepared = pl.DataFrame(release_cols) if release_cols else release.select([])
    return AttackerView(
        targets=targets,
        release=prepared,
        columns=tuple(matched),
        tolerance={c: v for c, v in tolerance.items() if c in matched and modes[c] == "tolerance"},
        modes={c: modes[c] for c in columns},
    )


def _common(a: pl.Series, b: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Both series in one dtype: numbers as Float64, anything else as text."""
    if a.dtype.is_numeric() and b.dtype.is_numeric():
        return a.cast(pl.Float64), b.cast(pl.Float64)
    return a.cast(pl.String), b.cast(pl.String)

"""The replay attack: can a recipient reproduce the randomness of the release?

A perturbation (noise, PRAM, shuffling, date shifts, tie-breaks) protects a value only while its
random draws stay unknown. A recipient holds everything the bundle ships: the recipe with every
parameter and, with a written seed, the seed; and, for this attack, the *original records
themselves* (the strongest position: a recipient who can reproduce the draws for a record they
know can undo them for a record they partly know, by trying the candidate values). The attack
re-runs the shipped recipe on the original records the way such a recipient can, every key
replaced by one of their own (they do not have the licensor's), and counts the released values
of each random step's column it reproduces exactly.

Reproducing a value by chance is possible (a coarse rounding, two categories): the chance level
is measured by a blind replay, the same recipe with every seed removed and fresh keys, counting
how often it lands on the released value. The residual risk is
``(reproduced - chance) / (1 - chance)`` with its interval
(:func:`~anonlab.evidence.confidence.residual_risk`); a column *passes* when the interval
reaches 0 at the 99.999% level, that is, the recipient does no better than chance (a level this
high so that a sound release is refused by chance about once in 200,000 random columns). A seed
written in the recipe, or randomness drawn from the row position, reproduces every value and
fails.

:func:`row_order_attack` asks the same of the order of the rows: a release whose rows keep the
original order lets a recipient who knows that order (by admission date, by record number) link
rows by position. It counts the consecutive release rows whose original positions increase: one
half by chance, all of them when the order was kept.

Neither attack records a value: only columns, steps, counts and rates.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from anonlab.evidence.confidence import RiskEstimate, SuccessRate, residual_risk, success_rate
from anonlab.evidence.release import rerun

if TYPE_CHECKING:
    from anonlab.recipe import Recipe

__all__ = ["ColumnReplay", "ReplayResult", "RowOrderResult", "replay_attack", "row_order_attack"]

CONFIDENCE = 0.99999
"""The confidence level at which a replay must not beat chance (one false refusal in about
200,000 sound columns)."""


@dataclass(frozen=True)
class ColumnReplay:
    """The replay of one random step's output column.

    Attributes
    ----------
    column : str
    step : int
        The step's position in the recipe (0-based).
    op : str
        The step's transform.
    replayable : bool
        The step's randomness came from a seed written in the recipe.
    reproduced : SuccessRate
        Released values the recipient reproduced.
    chance : SuccessRate
        Released values a blind replay (fresh randomness) lands on (the chance level).
    risk : RiskEstimate
        ``(reproduced - chance) / (1 - chance)``.
    """

    column: str
    step: int
    op: str
    replayable: bool
    reproduced: SuccessRate
    chance: SuccessRate
    risk: RiskEstimate

    @property
    def passed(self) -> bool:
        """The recipient does no better than chance (the risk interval reaches 0)."""
        return self.risk.low <= 0.0

    def to_dict(self) -> dict[str, Any]:
        """Plain data."""
        return {"column": self.column, "step": self.step + 1, "op": self.op,
                "replayable_seed": self.replayable, "passed": self.passed,
                "reproduced": self.reproduced.to_dict(), "chance": self.chance.to_dict(),
                "risk": self.risk.to_dict()}


@dataclass(frozen=True)
class ReplayResult:
    """The replay attack on every random step of a recipe.

    Attributes
    ----------
    columns : tuple of ColumnReplay
        One per output column of a random step (empty when the recipe has none).
    records : int
        Records the replay ran on.
    """

    columns: tuple[ColumnReplay, ...]
    records: int

    @property
    def passed(self) -> bool:
        """No column reproduced beyond chance."""
        return all(c.passed for c in self.columns)

    @property
    def detail(self) -> str:
        """One sentence: what the attack found."""
        if not self.columns:
            return "The recipe has no random step: nothing to replay."
        failing = [c for c in self.columns if not c.passed]
        if failing:
            listed = "; ".join(
                f"{c.column} ({c.op}, step {c.step + 1}): {c.reproduced.share:.1%} of released "
                f"values reproduced, chance {c.chance.share:.1%}"
                + (" (the recipe ships its seed)" if c.replayable else "")
                for c in failing)
            return (f"A recipient replaying the shipped recipe reproduces the random draws of "
                    f"{len(failing)} column(s): {listed}. Remove the seed and give the step a "
                    "key (key='env:NAME'), or none for fresh randomness.")
        worst = max(self.columns, key=lambda c: c.risk.value)
        return (f"Replaying the shipped recipe on {self.records:,} original records reproduced "
                f"no more released values than chance in {len(self.columns)} random column(s) "
                f"(at most {worst.reproduced.share:.2%} against a chance level of "
                f"{worst.chance.share:.2%}, in {worst.column}).")

    def to_dict(self) -> dict[str, Any]:
        """Plain data."""
        return {"attack": "replay", "passed": self.passed, "records": self.records,
                "confidence_level": CONFIDENCE, "detail": self.detail,
                "columns": [c.to_dict() for c in self.columns]}


def _outputs(recipe: Recipe, i: int) -> tuple[str, ...]:
    step = recipe.steps[i]
    head = (step.column,) if step.column is not None else ()
    return (*head, *tuple(getattr(step.transform, "together", ()) or ()))


def _replayable(recipe: Recipe, i: int) -> bool:
    t = recipe.steps[i].transform
    if getattr(t, "seed", None) is not None:
        return True
    return getattr(t, "key", None) is None and recipe.seed is not None


def _blind(recipe: Recipe) -> Recipe:
    """The recipe with every seed removed: its random steps draw fresh numbers."""
    steps = []
    for step in recipe.steps:
        t = step.transform
        if getattr(t, "seed", None) is not None:
            # a transform class with a seed field (checked above); Transform itself has none
            t = dataclasses.replace(t, seed=None)  # type: ignore[call-arg]
        steps.append(dataclasses.replace(step, transform=t))
    return dataclasses.replace(recipe, steps=tuple(steps), seed=None)


def _agree(a: pl.Series, b: pl.Series) -> pl.Series:
    """Element-wise equality that counts two NaNs as equal and any null as no agreement."""
    if a.dtype.is_float() and b.dtype.is_float():
        both_nan = a.is_nan() & b.is_nan()
        return ((a == b) | both_nan).fill_null(False)
    return (a == b).fill_null(False)


def replay_attack(
    original: pl.DataFrame,
    release: pl.DataFrame,
    recipe: Recipe,
    *,
    rows: np.ndarray,
    max_records: int = 200_000,
    rng: np.random.Generator | None = None,
) -> ReplayResult:
    """Re-run the shipped recipe as a recipient would and count the random values it reproduces.

    Parameters
    ----------
    original : polars.DataFrame
        The data before the recipe.
    release : polars.DataFrame
        The data the recipient holds (before any reordering of its rows).
    recipe : Recipe
        The recipe as the bundle ships it.
    rows : numpy array
        For each release row, the original row it came from.
    max_records : int, default 200,000
        Compare at most this many records (a random sample of the release rows).
    rng : numpy.random.Generator, optional
        For the sample (fresh OS randomness by default).

    Returns
    -------
    ReplayResult
    """
    steps = recipe.random_steps
    if not steps:
        return ReplayResult((), 0)
    rng = rng if rng is not None else np.random.default_rng()
    rows = np.asarray(rows, dtype=np.int64)
    positions = np.arange(release.height)
    if len(positions) > max_records:
        positions = np.sort(rng.choice(len(positions), size=max_records, replace=False))
    # the recipient's replay, and a blind one (no seed, fresh keys) for the chance level
    runs = [rerun(original, attempt, attacker=True) for attempt in (recipe, _blind(recipe))]
    source = rows[positions]
    found = (runs[0][1][source] >= 0) & (runs[1][1][source] >= 0)
    positions, source = positions[found], source[found]
    results = []
    for i in steps:
        for column in _outputs(recipe, i):
            if column not in release.columns or any(column not in r[0].columns for r in runs):
                continue
            released = release.get_column(column)[positions]
            first = runs[0][0].get_column(column)[runs[0][1][source]]
            second = runs[1][0].get_column(column)[runs[1][1][source]]
            present = released.is_not_null()
            trials = int(present.sum())
            if not trials:
                continue
            if first.dtype != released.dtype:
                first, second = first.cast(released.dtype), second.cast(released.dtype)
            hits = int((_agree(released, first) & present).sum())
            by_chance = int((_agree(released, second) & present).sum())
            reproduced = success_rate(hits, trials, CONFIDENCE)
            chance = success_rate(by_chance, trials, CONFIDENCE)
            results.append(ColumnReplay(column, i, recipe.steps[i].transform.op,
                                        _replayable(recipe, i), reproduced, chance,
                                        residual_risk(reproduced, chance)))
    return ReplayResult(tuple(results), len(positions))


@dataclass(frozen=True)
class RowOrderResult:
    """Whether the release's rows keep the order of the original records.

    Attributes
    ----------
    increasing : SuccessRate
        Consecutive release rows whose original positions increase (one half by chance).
    risk : RiskEstimate
        ``(increasing - 1/2) / (1/2)``.
    kept_reason : str or None
        Why the licensor kept the order (the export's opt-out), when it did.
    """

    increasing: SuccessRate
    risk: RiskEstimate
    kept_reason: str | None = None

    @property
    def passed(self) -> bool:
        """The order tells nothing (the risk interval reaches 0)."""
        return self.risk.low <= 0.0

    @property
    def detail(self) -> str:
        """One sentence: what the attack found."""
        share = self.increasing.share
        if self.passed:
            return (f"The row order gives no position away: {share:.1%} of consecutive rows are "
                    "in their original order, as chance has it (50%).")
        why = f" (kept on purpose: {self.kept_reason})" if self.kept_reason else ""
        return (f"The rows keep the original order{why}: {share:.1%} of consecutive rows are in "
                "their original order, so a recipient who knows that order links rows by "
                "position.")

    def to_dict(self) -> dict[str, Any]:
        """Plain data."""
        return {"attack": "row-order", "passed": self.passed, "detail": self.detail,
                "increasing": self.increasing.to_dict(), "risk": self.risk.to_dict(),
                "kept_reason": self.kept_reason}


def row_order_attack(rows: np.ndarray, *, kept_reason: str | None = None) -> RowOrderResult:
    """How much of the original order the release's rows keep.

    Parameters
    ----------
    rows : numpy array
        For each release row, in release order, the original row it came from.
    kept_reason : str, optional
        The licensor's reason for keeping the order, recorded beside the result.
    """
    rows = np.asarray(rows, dtype=np.int64)
    pairs = max(len(rows) - 1, 1)
    increasing = int((np.diff(rows) > 0).sum()) if len(rows) > 1 else 0
    rate = success_rate(increasing, pairs, CONFIDENCE)
    half = SuccessRate(successes=pairs / 2, trials=pairs, value=0.5, error=0.0,
                       confidence_level=CONFIDENCE)
    return RowOrderResult(rate, residual_risk(rate, half), kept_reason)

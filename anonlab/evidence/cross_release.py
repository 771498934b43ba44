"""The cross-release attack: can two recipients join their releases on the tokens?

Keyed hashes, pseudonyms and shifted dates are *tokens*: the same person gets the same token
wherever the same key is used. Two recipients of releases of the same people, made with one key,
could then join their copies on the tokens (1,000 of 1,000 records, in the observation that led
here), whatever each license forbids. :func:`anonlab.export` therefore derives a key per release
(HKDF of the master key and the release's scope, :meth:`Context.token_key
<anonlab.transforms.Context.token_key>`), unless the licensor declares a named *family* of
linkable releases.

The attack is the licensor's own test of that promise. It makes the release a second recipient
would get (the same recipe and original, the same master keys, made the same way: keyed to
another release outside the family, or to the master keys themselves when this release was) and
joins the two on each token column:

* ``shared``: distinct tokens of the release that also occur in the other one;
* ``linked``: records that carry the same token in both (a join that finds the right person).

Sequential pseudonyms (``ID-000001``...) are shared by construction, since every release numbers
from 1, but point at other people; so the attack's figure is ``linked``, compared with the chance
level measured between two further releases that cannot be linked. A column passes when the
links are no more than chance at the 99.999% level. Only counts are recorded.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from anonlab.evidence.confidence import RiskEstimate, SuccessRate, residual_risk, success_rate
from anonlab.evidence.release import rerun

if TYPE_CHECKING:
    from anonlab.recipe import Recipe

__all__ = ["TOKEN_OPS", "ColumnLinks", "CrossReleaseResult", "cross_release_attack"]

TOKEN_OPS = frozenset({"hash", "pseudonymize", "date_shift"})
"""Transforms whose outputs are keyed tokens (a transform of your own joins them by declaring
``derived_code = True``)."""

CONFIDENCE = 0.99999


@dataclass(frozen=True)
class ColumnLinks:
    """One token column joined with another release's.

    Attributes
    ----------
    column, op : str
    shared : int
        Distinct tokens of the release found in the other release.
    tokens : int
        Distinct tokens of the release.
    linked : SuccessRate
        Records carrying the same token in both releases.
    chance : SuccessRate
        The same, between two releases that cannot be linked.
    risk : RiskEstimate
    """

    column: str
    op: str
    shared: int
    tokens: int
    linked: SuccessRate
    chance: SuccessRate
    risk: RiskEstimate

    @property
    def passed(self) -> bool:
        """Joining finds no more of the right people than chance."""
        return self.risk.low <= 0.0

    def to_dict(self) -> dict[str, Any]:
        """Plain data."""
        return {"column": self.column, "op": self.op, "passed": self.passed,
                "shared_tokens": self.shared, "tokens": self.tokens,
                "linked": self.linked.to_dict(), "chance": self.chance.to_dict(),
                "risk": self.risk.to_dict()}


@dataclass(frozen=True)
class CrossReleaseResult:
    """The join of a release's tokens with another release's.

    Attributes
    ----------
    columns : tuple of ColumnLinks
    scope : str
        What the release's tokens are keyed to: ``"release"`` (this release alone) or
        ``"family:<name>"``.
    records : int
    """

    columns: tuple[ColumnLinks, ...]
    scope: str
    records: int

    @property
    def passed(self) -> bool:
        """No token column links to a release outside the scope."""
        return all(c.passed for c in self.columns)

    @property
    def detail(self) -> str:
        """One sentence: what the attack found."""
        if not self.columns:
            return "No column holds keyed tokens: nothing to join across releases."
        family = (f"; releases of the family {self.scope[7:]!r} share them by the licensor's "
                  "declaration" if self.scope.startswith("family:") else "")
        failing = [c for c in self.columns if not c.passed]
        if failing:
            listed = "; ".join(f"{c.column} ({c.op}): {c.linked.share:.1%} of records linked, "
                               f"chance {c.chance.share:.1%}" for c in failing)
            return (f"Another release made with the same key joins this one on {len(failing)} "
                    f"token column(s): {listed}. Export with anonlab.export, which keys tokens "
                    "per release.")
        shared = sum(c.shared for c in self.columns)
        return (f"Joining the {len(self.columns)} token column(s) with another licensee's "
                f"release of the same {self.records:,} records linked no more records than "
                f"chance ({shared:,} shared token value(s), none pointing at the same person "
                f"beyond chance){family}.")

    def to_dict(self) -> dict[str, Any]:
        """Plain data."""
        return {"attack": "cross-release", "passed": self.passed, "scope": self.scope,
                "records": self.records, "confidence_level": CONFIDENCE, "detail": self.detail,
                "columns": [c.to_dict() for c in self.columns]}


def token_columns(recipe: Recipe, columns: list[str]) -> dict[str, str]:
    """Columns of the release whose last hiding step made keyed tokens: column -> op."""
    out: dict[str, str] = {}
    for step in recipe.steps:
        t = step.transform
        derived = getattr(t, "derived_code", None)
        tokens = t.op in TOKEN_OPS if derived is None else bool(derived)
        if step.column is None or step.column not in columns:
            continue
        if tokens and getattr(t, "key", None) is not None:
            out[step.column] = t.op
        elif t.hides_values:
            out.pop(step.column, None)
    return out


def cross_release_attack(
    original: pl.DataFrame,
    release: pl.DataFrame,
    recipe: Recipe,
    *,
    rows: np.ndarray,
    scope: str | None,
) -> CrossReleaseResult:
    """Join the release's token columns with another licensee's release of the same records.

    Parameters
    ----------
    original : polars.DataFrame
        The data before the recipe.
    release : polars.DataFrame
        The release (before any reordering of its rows).
    recipe : Recipe
        The recipe that made it (its keys are read: this is the licensor's test).
    rows : numpy array
        For each release row, the original row it came from.
    scope : str or None
        The release's token scope (``"release:..."`` or ``"family:<name>"``), None for tokens
        made with the master keys themselves.
    """
    label = "master keys" if scope is None else (
        scope if scope.startswith("family:") else "release")
    tokens = token_columns(recipe, release.columns)
    if not tokens:
        return CrossReleaseResult((), label, release.height)
    rows = np.asarray(rows, dtype=np.int64)
    # another licensee's release made the same way (with the master keys if this one was), and
    # a third, keyed to a release of its own, for the chance level
    siblings = [None if scope is None else f"release:sibling:{uuid.uuid4()}",
                f"release:sibling:{uuid.uuid4()}"]
    others = [rerun(original, recipe, scope=sibling) for sibling in siblings]
    found = (others[0][1][rows] >= 0) & (others[1][1][rows] >= 0)
    positions, source = np.arange(release.height)[found], rows[found]
    results = []
    for column, op in tokens.items():
        if any(column not in o[0].columns for o in others):
            continue
        mine = release.get_column(column)
        first = others[0][0].get_column(column)
        second = others[1][0].get_column(column)
        distinct = mine.drop_nulls().unique()
        shared = int(distinct.is_in(first.drop_nulls().unique().implode()).sum())
        a = mine[positions]
        b = first[others[0][1][source]]
        c = second[others[1][1][source]]
        present = a.is_not_null()
        trials = int(present.sum())
        if not trials:
            continue
        linked = success_rate(int(((a == b).fill_null(False) & present).sum()), trials,
                              CONFIDENCE)
        chance = success_rate(int(((b == c).fill_null(False) & present).sum()), trials,
                              CONFIDENCE)
        results.append(ColumnLinks(column, op, shared, int(distinct.len()), linked, chance,
                                   residual_risk(linked, chance)))
    return CrossReleaseResult(tuple(results), label, len(positions))

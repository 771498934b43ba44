"""Compliance checks that attack the release: a claim stands only if its attack fails.

Each check runs one attack of :mod:`anonlab.evidence` on the anonymized frame against the
original, records the attack's figures as its evidence, and fails, naming the attack and the
figure, when the attack succeeds:

``replay``
    The recipient re-runs the shipped recipe and tries to reproduce the random draws of every
    noise, PRAM, shuffle, date shift and tie-break (:mod:`anonlab.evidence.replay`): the release
    may claim its perturbations protect values only when the replay does no better than chance.
``cross-release``
    Another licensee's release of the same records, made with the same master keys, is joined
    with this one on every token column (:mod:`anonlab.evidence.cross_release`): tokens may be
    claimed unlinkable only when the join finds no more of the right people than chance.
``row-order``
    The rows must not keep the original order (a recipient who knows it links rows by position),
    unless the licensor kept it on purpose and said why, which the license then states.

Every one of them needs the original frame; without it they fail, saying so, because nothing was
proven.
"""

from __future__ import annotations

from typing import Any

from anonlab.evidence.cross_release import cross_release_attack, token_columns
from anonlab.evidence.replay import replay_attack, row_order_attack
from anonlab.licensing.checks import Check, CheckContext, ComplianceCheck, _builtin

__all__: list[str] = []

_NEEDS_ORIGINAL = (
    "needs the original frame and which of its rows each release row is (check_compliance("
    "..., original=...) or anonlab.export, which keeps both); nothing was proven"
)


def _figures(result: Any) -> dict[str, Any]:
    """An attack result's plain data, less what the check states itself."""
    return {k: v for k, v in result.to_dict().items() if k not in ("passed", "detail")}


@_builtin
class Replay(ComplianceCheck):
    """A recipient replaying the shipped recipe does not reproduce its random draws."""

    name = "replay"
    title = "Perturbations cannot be replayed"

    def run(self, context: CheckContext) -> Check:
        recipe = context.recipe
        if recipe is None or not recipe.random_steps:
            why = "no recipe was given" if recipe is None else "the recipe has no random step"
            return self.result(True, f"Nothing to replay: {why}, so no perturbation is "
                               "claimed.", columns=[])
        rows = context.source_rows()
        if context.original is None or rows is None:
            return self.result(False, f"The replay attack {_NEEDS_ORIGINAL}.", columns=[])
        result = replay_attack(context.original, context.frame, recipe, rows=rows)
        return self.result(result.passed, result.detail, **_figures(result))


@_builtin
class CrossRelease(ComplianceCheck):
    """Tokens do not join this release with another licensee's release of the same records."""

    name = "cross-release"
    title = "Tokens cannot be joined across releases"
    at_export = True

    def run(self, context: CheckContext) -> Check:
        recipe = context.recipe
        if recipe is None:
            coded = context.pseudonymised()
            if coded:
                return self.result(
                    False, f"{len(coded)} column(s) hold codes of unknown origin; without the "
                    "recipe nothing shows they cannot be joined with other releases.",
                    columns=[])
            return self.result(True, "No column holds keyed tokens.", columns=[])
        if not token_columns(recipe, context.frame.columns):
            return self.result(True, "No column holds keyed tokens: nothing to join across "
                               "releases.", columns=[])
        rows = context.source_rows()
        if context.original is None or rows is None:
            return self.result(False, f"The cross-release attack {_NEEDS_ORIGINAL}.",
                               columns=[])
        result = cross_release_attack(context.original, context.frame, recipe, rows=rows,
                                      scope=context.scope)
        return self.result(result.passed, result.detail, **_figures(result))


@_builtin
class RowOrder(ComplianceCheck):
    """The rows are not in the original order (or the licensor kept it and said why)."""

    name = "row-order"
    title = "Rows in a secret order"
    at_export = True

    def run(self, context: CheckContext) -> Check:
        rows = context.source_rows()
        if rows is None:
            return self.result(False, f"The row-order attack {_NEEDS_ORIGINAL}.")
        result = row_order_attack(rows, kept_reason=context.row_order)
        if not result.passed and context.row_order:
            return self.result(True, result.detail, **_figures(result))
        return self.result(result.passed, result.detail, **_figures(result))

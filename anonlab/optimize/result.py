"""What the optimal search returns: the chosen levels, the output, a recipe and the runners-up."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from anonlab.recipe import Recipe
from anonlab.risk.classes import ClassTable
from anonlab.risk.models import PrivacyModel

__all__ = ["Alternative", "OptimizationResult"]


def _levels_text(levels: dict[str, int]) -> str:
    return ", ".join(f"{c}={v}" for c, v in levels.items())


@dataclass(frozen=True)
class Alternative:
    """A runner-up transformation: its levels, metric value and suppressed records."""

    levels: dict[str, int]
    metric_value: float
    suppressed: int

    def to_dict(self) -> dict[str, Any]:
        """Plain data."""
        return {
            "levels": dict(self.levels),
            "metric_value": self.metric_value,
            "suppressed": self.suppressed,
        }


@dataclass(frozen=True, eq=False)
class OptimizationResult:
    """The optimal full-domain generalization found by :func:`anonlab.optimize`.

    Attributes
    ----------
    levels : dict of str to int
        The hierarchy level of each quasi-identifier, in the order given.
    metric : str
        The metric minimized (see :data:`anonlab.optimize.METRICS`).
    metric_value : float
        Its value for the chosen levels, suppressed records included.
    suppressed : int
        Records whose quasi-identifiers were all suppressed (set to ``*``).
    records : int
        Records in the input.
    classes : ClassTable
        The equivalence classes of the output, suppressed records left out (counted in
        ``classes.suppressed``).
    recipe : Recipe
        A recipe reproducing the output: one ``generalize`` step per quasi-identifier and, when
        suppression is allowed, a ``suppress_outliers`` step. ``recipe.apply(frame)`` equals
        ``frame`` below.
    frame : frame
        The anonymized data, in the kind of frame given (pandas, polars, lazy, Arrow).
    alternatives : list of Alternative
        The next best transformations, best first.
    targets : tuple of PrivacyModel
    max_suppression : float
    nodes_evaluated : int
        Transformations whose classes were computed (the rest were settled by bounds and
        monotonicity).
    lattice_size : int
        Transformations in the lattice.
    seconds : float
        Wall time of the whole call (search and output).
    search_seconds : float
        Wall time of the search alone (grouping the input included).
    """

    levels: dict[str, int]
    metric: str
    metric_value: float
    suppressed: int
    records: int
    classes: ClassTable
    recipe: Recipe
    frame: Any
    alternatives: list[Alternative] = field(default_factory=list)
    targets: tuple[PrivacyModel, ...] = ()
    max_suppression: float = 0.0
    nodes_evaluated: int = 0
    lattice_size: int = 0
    seconds: float = 0.0
    search_seconds: float = 0.0

    def __repr__(self) -> str:
        return (
            f"OptimizationResult(levels={{{_levels_text(self.levels)}}}, "
            f"{self.metric}={self.metric_value:.4f}, suppressed={self.suppressed}, "
            f"classes={self.classes.classes}, evaluated={self.nodes_evaluated}/"
            f"{self.lattice_size}, seconds={self.seconds:.2f})"
        )

    def summary(self) -> str:
        """A few lines for a terminal or a notebook."""
        targets = ", ".join(t.describe() for t in self.targets)
        share = self.suppressed / self.records if self.records else 0.0
        lines = [
            f"Optimal generalization for {targets} (suppression up to "
            f"{self.max_suppression:.1%}), minimizing {self.metric}:",
            f"  levels: {_levels_text(self.levels)}",
            f"  {self.metric}: {self.metric_value:.4f}",
            f"  suppressed: {self.suppressed:,} of {self.records:,} records ({share:.2%})",
            f"  classes: {self.classes.classes:,}"
            + (f", smallest {self.classes.smallest}" if self.classes.classes else ""),
            f"  search: {self.nodes_evaluated:,} of {self.lattice_size:,} transformations "
            f"evaluated in {self.search_seconds:.2f} s ({self.seconds:.2f} s in all)",
        ]
        if self.alternatives:
            lines.append("  next best:")
            for alt in self.alternatives:
                lines.append(
                    f"    {_levels_text(alt.levels)}: {self.metric} {alt.metric_value:.4f}, "
                    f"suppressed {alt.suppressed:,}"
                )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (no frame): levels, figures, targets, alternatives and the recipe."""
        return {
            "levels": dict(self.levels),
            "metric": self.metric,
            "metric_value": self.metric_value,
            "suppressed": self.suppressed,
            "records": self.records,
            "classes": self.classes.classes,
            "smallest_class": self.classes.smallest,
            "targets": [t.to_dict() for t in self.targets],
            "max_suppression": self.max_suppression,
            "alternatives": [a.to_dict() for a in self.alternatives],
            "nodes_evaluated": self.nodes_evaluated,
            "lattice_size": self.lattice_size,
            "seconds": self.seconds,
            "search_seconds": self.search_seconds,
            "recipe": self.recipe.to_dict(),
        }

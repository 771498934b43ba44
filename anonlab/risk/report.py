"""``anonlab.assess_risk``: how exposed the people in a frame are, in one report.

The report groups the records once (:func:`~anonlab.risk.classes.equivalence_classes`) and
derives everything else from that small table: the privacy models' figures and targets, the
attacker risks, sample uniques and, given a sampling fraction, population-uniqueness estimates.
What needs the records themselves (per-record risk, the drill-down into failing classes, which
quasi-identifiers make records unique) is computed on request from the frame the report keeps.
"""

from __future__ import annotations

import itertools
import json
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from anonlab._validation import check_int
from anonlab.errors import ParameterError
from anonlab.frames import ingest
from anonlab.risk.attacker import (
    THRESHOLDS,
    AttackerRisk,
    journalist_risk,
    marketer_risk,
    population_uniqueness,
    prosecutor_risk,
)
from anonlab.risk.classes import ClassTable, equivalence_classes
from anonlab.risk.models import (
    KAnonymity,
    LDiversity,
    ModelResult,
    PrivacyModel,
    TCloseness,
)
from anonlab.suppressed import cell_suppressed, suppressed_cells

__all__ = ["REPORT_FORMAT_VERSION", "RiskReport", "assess_risk"]

REPORT_FORMAT_VERSION = 1
_SIZE_BUCKETS = (1, 2, 3, 5, 10, 20, 50, 100, 1000)


@dataclass(frozen=True)
class Measures:
    """The measured figures of the frame, whatever the targets (one entry per sensitive column
    for l and t)."""

    k: int | None
    distinct_l: Mapping[str, float] = field(default_factory=dict)
    entropy_l: Mapping[str, float] = field(default_factory=dict)
    t: Mapping[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"k": self.k, "distinct_l": dict(self.distinct_l),
                "entropy_l": dict(self.entropy_l), "t": dict(self.t)}


@dataclass(frozen=True, eq=False)
class RiskReport:
    """The re-identification risk of a frame on its quasi-identifiers.

    Attributes
    ----------
    quasi_identifiers, sensitive : tuple of str
    records : int
        Records in the frame (suppressed ones included).
    suppressed : int
        Records whose quasi-identifiers are all suppressed; left out of the classes.
    suppressed_cells : mapping of str to int
        Per quasi-identifier, the suppressed cells (null or ``*``, :mod:`anonlab.suppressed`)
        in the frame, those of suppressed records included.
    input_cells : mapping of str to mapping, or None
        Given the ``original`` frame: per quasi-identifier, ``missing`` (its suppressed cells
        in the original, values missing before any step) and ``by_recipe`` (cells suppressed
        in the frame that were not in the original; None when the recipe dropped rows, so
        rows cannot be paired).
    classes : int
        Equivalence classes.
    sample_uniques : int
        Records alone in their class.
    measures : Measures
        k, distinct and entropy l, and t (the EMD of :class:`~anonlab.TCloseness`'s automatic
        distance) per sensitive column.
    targets : tuple of ModelResult
        Each target with its achieved figure and pass/fail.
    attackers : mapping of str to AttackerRisk
        prosecutor and marketer always; journalist when a population table was given.
    population_uniqueness : mapping of str to float
        Estimated population uniqueness by model, when a sampling fraction was given.
    table : ClassTable
        The classes themselves.
    seconds : float
        Time taken.
    """

    quasi_identifiers: tuple[str, ...]
    sensitive: tuple[str, ...]
    records: int
    suppressed: int
    classes: int
    sample_uniques: int
    measures: Measures
    targets: tuple[ModelResult, ...]
    attackers: Mapping[str, AttackerRisk]
    population_uniqueness: Mapping[str, float]
    sampling_fraction: float | None
    table: ClassTable
    seconds: float
    _frame: Any = field(repr=False, default=None)
    suppressed_cells: Mapping[str, int] = field(default_factory=dict)
    input_cells: Mapping[str, Mapping[str, int | None]] | None = None

    # -- headline --------------------------------------------------------------------------------
    @property
    def passed(self) -> bool:
        """Every target is met."""
        return all(r.passed for r in self.targets)

    @property
    def highest_risk(self) -> float:
        """The highest prosecutor risk of a record (1 / smallest class size)."""
        return self.attackers["prosecutor"].highest

    @property
    def average_risk(self) -> float:
        """The average prosecutor risk (classes / records)."""
        return self.attackers["prosecutor"].average

    @property
    def sample_unique_share(self) -> float:
        """Sample uniques as a share of the records in classes."""
        return self.sample_uniques / self.table.records if self.table.records else 0.0

    def size_histogram(self) -> pl.DataFrame:
        """Classes and records by class size bucket (1, 2, 3-4, 5-9, 10-19, ...)."""
        edges = [*_SIZE_BUCKETS, math.inf]
        labels = []
        for lo, hi in itertools.pairwise(edges):
            if hi == math.inf:
                labels.append(f"{lo}+")
            elif hi - lo == 1:
                labels.append(str(lo))
            else:
                labels.append(f"{lo}-{int(hi) - 1}")
        size, members = self.table.size, self.table.members
        rows = []
        for label, lo, hi in zip(labels, edges[:-1], edges[1:], strict=True):
            mask = (size >= lo) & (size < hi) if hi != math.inf else size >= lo
            rows.append((label, int(mask.sum()), int(members.filter(mask).sum())))
        return pl.DataFrame(rows, schema=["size", "classes", "records"], orient="row")

    # -- on request ------------------------------------------------------------------------------
    def _data(self) -> Any:
        if self._frame is None:
            raise ParameterError("This report was built without its frame; pass the frame.")
        return self._frame

    def record_risk(self, *, name: str = "risk") -> pl.Series:
        """Per-record prosecutor risk in the frame's row order (0 for suppressed records)."""
        from anonlab.risk.records import record_risk

        return record_risk(self._data(), list(self.quasi_identifiers), name=name)

    def drill_down(self, *, limit: int | None = None) -> pl.DataFrame:
        """The records in classes that break a target: positions, quasi-identifier values,
        class size and risk, riskiest first. No other column is shown."""
        from anonlab.risk.records import drill_down

        models = [r.model for r in self.targets]
        return drill_down(self._data(), self.table, models, limit=limit)

    def contribution(self) -> dict[str, float]:
        """Per quasi-identifier, the share of sample uniques that stop being unique without it."""
        from anonlab.risk.contribution import qi_contribution

        return qi_contribution(self._data(), list(self.quasi_identifiers))

    def minimal_sample_uniques(self, *, max_size: int = 3) -> pl.DataFrame:
        """The quasi-identifier sets that make records unique (SUDA-style)."""
        from anonlab.risk.contribution import minimal_sample_uniques

        return minimal_sample_uniques(self._data(), list(self.quasi_identifiers),
                                      max_size=max_size)

    # -- figures ---------------------------------------------------------------------------------
    def plot(self, *, theme: str = "light") -> Any:
        """The 2x2 dashboard: class sizes, risk distribution, records at risk, contributions."""
        from anonlab.risk.figures import risk_dashboard

        k = next((int(r.model.k) for r in self.targets if isinstance(r.model, KAnonymity)), None)
        return risk_dashboard(self.table, self.record_risk(), self.contribution(), k=k,
                              thresholds=self.thresholds, theme=theme)

    @property
    def thresholds(self) -> dict[str, float]:
        """The threshold of each attacker model."""
        return {name: a.threshold for name, a in self.attackers.items()}

    # -- plain data ------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Every number of the report as plain, JSON-ready data."""
        return {
            "format_version": REPORT_FORMAT_VERSION,
            "quasi_identifiers": list(self.quasi_identifiers),
            "sensitive": list(self.sensitive),
            "records": self.records,
            "suppressed": self.suppressed,
            "classes": self.classes,
            "sample_uniques": self.sample_uniques,
            "sample_unique_share": self.sample_unique_share,
            "average_class_size": self.table.records / self.classes if self.classes else None,
            "size_histogram": self.size_histogram().to_dicts(),
            "measures": self.measures.to_dict(),
            "targets": [r.to_dict() for r in self.targets],
            "passed": self.passed,
            "attackers": {name: a.to_dict() for name, a in self.attackers.items()},
            "sampling_fraction": self.sampling_fraction,
            # an estimator without a solution on this data gives NaN: JSON says null
            "population_uniqueness": {
                name: (None if math.isnan(v) else v)
                for name, v in self.population_uniqueness.items()
            },
            "suppressed_cells": dict(self.suppressed_cells),
            "input_cells": None if self.input_cells is None
            else {q: dict(v) for q, v in self.input_cells.items()},
            "seconds": self.seconds,
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """The report as JSON text."""
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False) + "\n"

    def summary(self) -> str:
        """A few lines of text with the headline numbers and each target."""
        p = self.attackers["prosecutor"]
        lines = [
            f"Risk on {', '.join(self.quasi_identifiers)}: {self.records:,} records, "
            f"{self.classes:,} classes, {self.sample_uniques:,} sample uniques "
            f"({self.sample_unique_share:.1%})"
            + (f", {self.suppressed:,} suppressed" if self.suppressed else ""),
            f"  prosecutor risk: highest {p.highest:.3g}, average {p.average:.3g}; "
            f"{p.records_at_risk:,} records ({p.share_at_risk:.1%}) above {p.threshold:g}",
        ]
        cells = {q: n for q, n in self.suppressed_cells.items() if n}
        if cells or self.input_cells:
            parts = []
            for q, n in self.suppressed_cells.items():
                text = f"{q} {n:,}"
                if self.input_cells is not None and q in self.input_cells:
                    counted = self.input_cells[q]
                    by = "?" if counted["by_recipe"] is None else f"{counted['by_recipe']:,}"
                    text += f" ({by} by the recipe, {counted['missing']:,} missing in the input)"
                if n or self.input_cells is not None:
                    parts.append(text)
            lines.append("  suppressed cells (null or *): " + ", ".join(parts))
        for name, a in self.attackers.items():
            if name != "prosecutor":
                lines.append(f"  {name} risk: highest {a.highest:.3g}, average {a.average:.3g}")
        for name, value in self.population_uniqueness.items():
            shown = "no estimate (the model has no solution here)" if math.isnan(value) \
                else f"{value:.3g}"
            lines.append(f"  population uniqueness ({name}): {shown}")
        for r in self.targets:
            mark = "PASS" if r.passed else "FAIL"
            got = "n/a" if r.achieved is None else f"{r.achieved:.4g}"
            extra = "" if r.passed else (
                f" ({r.failing_classes:,} classes, {r.failing_records:,} records)")
            lines.append(f"  [{mark}] {r.model.describe()}: achieved {got}{extra}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        from anonlab.risk.html import report_html

        return report_html(self)


def _targets(
    targets: Sequence[PrivacyModel] | None,
    k: int | None,
    l: float | None,  # noqa: E741
    t: float | None,
    sensitive: Sequence[str],
) -> list[PrivacyModel]:
    if targets is not None:
        if isinstance(targets, PrivacyModel):
            targets = [targets]
        out = list(targets)
        for m in out:
            if not isinstance(m, PrivacyModel):
                raise ParameterError(
                    "The 'targets' parameter of assess_risk must be a list of privacy models "
                    f"(anonlab.KAnonymity(5), ...). Got a {type(m).__name__} in it."
                )
            column = m.sensitive_column
            if column is not None and column not in sensitive:
                raise ParameterError(
                    f"The target {m.describe()} is about {column!r}, which is not among the "
                    f"sensitive columns ({', '.join(sensitive) or 'none'}); add it to sensitive."
                )
        return out
    out = [] if k is None else [KAnonymity(k)]
    for s in sensitive:
        if l is not None:
            out.append(LDiversity(s, l))
        if t is not None:
            out.append(TCloseness(s, t))
    return out


def _input_cells(
    original: Any, data: pl.DataFrame, qis: Sequence[str]
) -> dict[str, dict[str, int | None]]:
    """Per quasi-identifier: suppressed cells of the original, and those the recipe added."""
    before, _ = ingest(original, owner="assess_risk (original)")
    if isinstance(before, pl.LazyFrame):
        before = before.collect()
    out: dict[str, dict[str, int | None]] = {}
    for q in qis:
        if q not in before.columns:
            raise ParameterError(
                f"The 'original' frame of assess_risk has no column {q!r}; pass the frame the "
                "recipe was applied to."
            )
        missing = before.select(cell_suppressed(q, before.schema[q]).sum()).item()
        by: int | None = None
        if before.height == data.height:  # no row dropped: the recipe keeps the row order
            was = before.select(cell_suppressed(q, before.schema[q])).to_series()
            now = data.select(cell_suppressed(q, data.schema[q])).to_series()
            by = int((now & ~was).sum())
        out[q] = {"missing": int(missing), "by_recipe": by}
    return out


def assess_risk(
    frame: Any,
    quasi_identifiers: str | Sequence[str],
    sensitive: str | Sequence[str] = (),
    *,
    targets: Sequence[PrivacyModel] | None = None,
    k: int | None = 5,
    l: float | None = None,  # noqa: E741
    t: float | None = None,
    population: Any = None,
    sampling_fraction: float | None = None,
    thresholds: Mapping[str, float] | None = None,
    original: Any = None,
) -> RiskReport:
    """Measure the re-identification risk of ``frame`` on its quasi-identifiers.

    Parameters
    ----------
    frame : pandas, polars (eager or lazy) or Arrow frame
    quasi_identifiers : str or list of str
        Columns an attacker could know (they define the equivalence classes).
    sensitive : str or list of str, optional
        Columns whose values must not be inferred; l and t are measured on each.
    targets : list of PrivacyModel, optional
        The targets to pass or fail (``[anonlab.KAnonymity(5), anonlab.LDiversity("s", 2)]``).
        Without them, ``k``, ``l`` and ``t`` give k-anonymity, distinct l-diversity and
        t-closeness targets (l and t on every sensitive column); ``k=None`` drops the default
        5-anonymity target.
    population : frame, optional
        A population table with the same quasi-identifiers: adds journalist risk and enables
        :class:`~anonlab.KMap` and :class:`~anonlab.DeltaPresence` targets.
    sampling_fraction : float in (0, 1], optional
        The share of the population the frame is: adds population-uniqueness estimates.
    thresholds : mapping, optional
        Risk thresholds by attacker model (default prosecutor 0.2, journalist 0.09,
        marketer 0.05).
    original : frame, optional
        The frame before the recipe: the report then tells, per quasi-identifier, the
        suppressed cells that were missing in the input and those the recipe suppressed
        (:attr:`RiskReport.input_cells`).

    Notes
    -----
    Suppressed cells (null or ``*``) match any value and records with every
    quasi-identifier suppressed are left out of the classes: the rule of
    :mod:`anonlab.suppressed`, which the transforms and the search use too.

    Returns
    -------
    RiskReport

    Examples
    --------
    >>> report = anonlab.assess_risk(df, ["age", "zip", "sex"], "diagnosis", l=2)
    >>> report.passed, report.highest_risk
    """
    start = time.perf_counter()
    check_int(k, "k", "assess_risk", min_value=1, allow_none=True)
    limits = dict(THRESHOLDS)
    if thresholds is not None:
        for name, value in thresholds.items():
            if name not in THRESHOLDS:
                raise ParameterError(
                    f"Unknown attacker model {name!r} in thresholds (known: "
                    f"{', '.join(THRESHOLDS)})."
                )
            if not isinstance(value, int | float) or isinstance(value, bool) or not 0 < value <= 1:
                raise ParameterError(
                    f"The threshold for {name!r} must be a number in (0, 1]. Got {value!r}."
                )
            limits[name] = float(value)
    data, _ = ingest(frame, owner="assess_risk")
    if isinstance(data, pl.LazyFrame):
        data = data.collect()
    sens = (sensitive,) if isinstance(sensitive, str) else tuple(sensitive)
    table = equivalence_classes(data, quasi_identifiers, sens, population=population,
                                owner="assess_risk")
    # no suppressed record and no wildcard in a kept one: no mark in the quasi-identifiers
    marked = table.suppressed > 0 or table.overlapping
    cells = suppressed_cells(data, table.quasi_identifiers) if marked else dict.fromkeys(
        table.quasi_identifiers, 0)
    input_cells = None
    if original is not None:
        input_cells = _input_cells(original, data, table.quasi_identifiers)
    wanted = _targets(targets, k, l, t, table.sensitive)
    results = tuple(m.evaluate(table) for m in wanted)
    measures = Measures(
        k=table.smallest,
        distinct_l={s: LDiversity(s, 1).achieved(table) or 0.0 for s in table.sensitive},
        entropy_l={s: LDiversity(s, 1, "entropy").achieved(table) or 0.0
                   for s in table.sensitive},
        t={s: TCloseness(s, 1.0).achieved(table) or 0.0 for s in table.sensitive},
    )
    attackers = {"prosecutor": prosecutor_risk(table, threshold=limits["prosecutor"])}
    if table.population is not None:
        attackers["journalist"] = journalist_risk(table, threshold=limits["journalist"])
    attackers["marketer"] = marketer_risk(table, threshold=limits["marketer"])
    uniqueness: dict[str, float] = {}
    if sampling_fraction is not None:
        for model in ("pitman", "zayatz", "snb"):
            uniqueness[model] = population_uniqueness(table, sampling_fraction, model=model)
    return RiskReport(
        quasi_identifiers=table.quasi_identifiers,
        sensitive=table.sensitive,
        records=table.records + table.suppressed,
        suppressed=table.suppressed,
        classes=table.classes,
        sample_uniques=int(table.members.filter(table.size == 1).sum()),
        suppressed_cells=cells,
        input_cells=input_cells,
        measures=measures,
        targets=results,
        attackers=attackers,
        population_uniqueness=uniqueness,
        sampling_fraction=sampling_fraction,
        table=table,
        seconds=time.perf_counter() - start,
        _frame=data,
    )

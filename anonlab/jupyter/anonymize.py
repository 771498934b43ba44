"""What ``%anonymize`` does, without IPython: pick or read a recipe, settle its targets, apply it,
assess the risk of the result, and sum it all up in an :class:`AnonymizeResult` that displays
as a compact summary (HTML and text).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from anonlab.jupyter._common import (
    check_keys,
    frame_columns,
    frame_kind,
    frame_rows,
    suggest,
)

__all__ = ["AnonymizeResult", "anonymize"]

_KIND_NAMES = {
    "pandas": "pandas DataFrame",
    "polars": "polars DataFrame",
    "lazy": "polars LazyFrame",
    "arrow": "Arrow Table",
}


@dataclass(frozen=True, eq=False)
class AnonymizeResult:
    """The outcome of anonymizing a frame: the frame, the recipe, the risk, and a summary.

    Attributes
    ----------
    frame : frame
        The anonymized frame, of the input's kind (a LazyFrame stays lazy).
    recipe : Recipe
        The recipe applied, with the targets the risk was assessed against.
    report : RiskReport or None
        The risk of ``frame`` on the quasi-identifiers it still has (None when the recipe
        removed them all).
    compliance : ComplianceResult or None
        The license template's checks, when a template was asked for.
    source : str
        Where the recipe came from, in words.
    name, output : str
        The input's and the output's names (in the notebook).
    rows, columns : tuple of int
        Rows and columns before and after.
    dropped_quasi_identifiers : tuple of str
        Quasi-identifiers the recipe removed (not part of the risk assessment).
    original : frame
        The frame that was anonymized (``%anonlab export`` makes the release from it).
    """

    frame: Any
    recipe: Any
    report: Any
    compliance: Any
    source: str
    name: str
    output: str
    kind: str
    rows: tuple[int, int]
    columns: tuple[int, int]
    dropped_quasi_identifiers: tuple[str, ...] = ()
    original: Any = field(default=None, repr=False)

    # -- headline ------------------------------------------------------------------------------
    @property
    def passed(self) -> bool:
        """The privacy targets (and the template's checks, if any) are met."""
        ok = self.report is None or self.report.passed
        return ok and (self.compliance is None or self.compliance.passed)

    @property
    def k(self) -> int | None:
        """The k reached: the size of the smallest class on the quasi-identifiers."""
        return None if self.report is None else self.report.measures.k

    def step_groups(self) -> list[tuple[str, list[str]]]:
        """The steps grouped by operation, in order: ``[("drop", ["name", "ssn"]), ...]``."""
        groups: dict[str, list[str]] = {}
        for step in self.recipe.steps:
            where = step.column
            if where is None:
                own = getattr(step.transform, "quasi_identifiers", None) or ()
                where = f"({', '.join(own)})" if own else "(table)"
            groups.setdefault(step.transform.op, []).append(where)
        kept = groups.pop("keep", None)
        return [*groups.items(), *([("keep", kept)] if kept else [])]

    def _rows(self) -> list[tuple[str, str, str]]:
        """(label, text, status) rows of the summary; status is "", "pass" or "fail"."""
        rows_in, rows_out = self.rows
        cols_in, cols_out = self.columns
        out = [(
            "result",
            f"{self.output} ({_KIND_NAMES.get(self.kind, self.kind)}): {rows_in:,} -> "
            f"{rows_out:,} rows, {cols_in} -> {cols_out} columns",
            "",
        )]
        out.append(("recipe", self.source, ""))
        steps = "; ".join(f"{op} {', '.join(cols)}" for op, cols in self.step_groups())
        out.append((f"steps ({len(self.recipe.steps)})", steps or "none", ""))
        report = self.report
        targets = self.recipe.targets
        wanted = None if targets is None else targets.k
        if report is None and self.dropped_quasi_identifiers:
            out.append(("risk", "not assessed: the recipe removed every quasi-identifier", ""))
        elif report is None:
            out.append(("risk", "not assessed: no quasi-identifiers are known (name them "
                                "with --qi a,b or in the recipe's targets)", ""))
        else:
            qis = ", ".join(report.quasi_identifiers)
            reached = report.measures.k
            k_text = "n/a (no records left)" if reached is None else str(reached)
            target = f" (target {wanted})" if wanted is not None else ""
            out.append(("k reached", f"{k_text}{target} on {qis}", ""))
            out.append((
                "highest risk",
                f"{report.highest_risk:.3g} (prosecutor; average {report.average_risk:.3g}, "
                f"{report.sample_uniques:,} sample uniques)",
                "",
            ))
            for r in report.targets:
                got = "n/a" if r.achieved is None else f"{r.achieved:.4g}"
                extra = "" if r.passed else (
                    f"; {r.failing_classes:,} classes, {r.failing_records:,} records fail")
                out.append((
                    "target", f"{r.model.describe()}: achieved {got}{extra}",
                    "pass" if r.passed else "fail",
                ))
        if self.dropped_quasi_identifiers:
            out.append((
                "note",
                "removed by the recipe, so left out of the risk: "
                + ", ".join(self.dropped_quasi_identifiers),
                "",
            ))
        if self.compliance is not None:
            c = self.compliance
            if c.passed:
                text = f"{len(c.checks)} checks pass (status: {c.status})"
            else:
                text = "; ".join(f"{f.name}: {f.detail}" for f in c.failures)
            if c.deferred:
                text += f"; at export: {', '.join(c.deferred)}"
            out.append((f"template {c.template}", text, "pass" if c.passed else "fail"))
        return out

    # -- display -------------------------------------------------------------------------------
    def summary(self) -> str:
        """The summary as text."""
        verdict = "PASS" if self.passed else "FAIL"
        lines = [f"Anonymized {self.name} -> {self.output}: {verdict}"]
        for label, text, status in self._rows():
            mark = f"[{status.upper()}] " if status else ""
            lines.append(f"  {label}: {mark}{text}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        colour = "#1a7f37" if self.passed else "#cf222e"
        cells = []
        for label, text, status in self._rows():
            badge = ""
            if status:
                c = "#1a7f37" if status == "pass" else "#cf222e"
                badge = f'<b style="color:{c}">{status.upper()}</b> '
            cells.append(
                f'<tr><th style="text-align:left;vertical-align:top;padding-right:1em">'
                f"{html.escape(label)}</th>"
                f'<td style="text-align:left">{badge}{html.escape(text)}</td></tr>'
            )
        recipe = html.escape(self.recipe.summary())
        return (
            '<div class="anonlab-anonymize">'
            f"<p><b>Anonymized <code>{html.escape(self.name)}</code> &rarr; "
            f"<code>{html.escape(self.output)}</code></b> "
            f'<b style="color:{colour}">{verdict}</b></p>'
            f"<table>{''.join(cells)}</table>"
            f"<details><summary>recipe</summary><pre>{recipe}</pre></details>"
            "</div>"
        )


def _targets(recipe: Any, columns: tuple[str, ...], qi: tuple[str, ...] | None,
             sensitive: tuple[str, ...] | None, k: int | None, profile: Any) -> Any:
    """The Targets to assess: options first, then the recipe's, then the profile's."""
    from anonlab.errors import ColumnNotFoundError
    from anonlab.recipe import Targets

    have = recipe.targets or Targets()
    qis = qi if qi else have.quasi_identifiers
    if not qis and profile is not None:
        qis = profile.quasi_identifiers
    sens = sensitive if sensitive is not None else have.sensitive
    for option, names in (("--qi", qi or ()), ("--sensitive", sensitive or ())):
        for name in names:
            if name not in columns:
                raise ColumnNotFoundError(name, columns, where=option)
    if not qis:
        return None
    sens = tuple(s for s in sens if s not in qis)
    return Targets(
        quasi_identifiers=qis,
        sensitive=sens,
        k=k if k is not None else (have.k or 5),
        l_diversity=have.l_diversity if sens else None,
        t_closeness=have.t_closeness if sens else None,
        max_suppression=have.max_suppression,
        privacy_models=tuple(m for m in have.privacy_models if m.sensitive_column not in qis),
    )


def anonymize(
    frame: Any,
    *,
    recipe: Any = None,
    template: str | None = None,
    quasi_identifiers: tuple[str, ...] | None = None,
    sensitive: tuple[str, ...] | None = None,
    k: int | None = None,
    name: str = "df",
    output: str = "df_anon",
    source: str = "",
) -> AnonymizeResult:
    """Anonymize ``frame`` and assess the result.

    Parameters
    ----------
    frame : pandas or polars frame (or an Arrow table)
    recipe : Recipe, optional
        The recipe to apply. Without it, the recipe :func:`anonlab.suggest_recipe` proposes
        from the frame's profile (for ``template`` when given).
    template : str, optional
        A license template id: the suggested recipe aims at it, and its checks run on the
        result.
    quasi_identifiers, sensitive : tuple of str, optional
        The columns of the risk assessment (default: the recipe's targets, else the
        quasi-identifiers the profile suggests).
    k : int, optional
        The k-anonymity target (default: the recipe's, else 5).
    name, output : str
        Names shown in the summary.
    source : str
        Where the recipe came from, for the summary.

    Returns
    -------
    AnonymizeResult

    Raises
    ------
    AnonlabError
        Any error of the steps involved: an unknown column, a malformed recipe, a missing key
        (checked before any work), an unknown template.
    """
    from anonlab.profiling import profile as make_profile
    from anonlab.risk.report import assess_risk

    kind = frame_kind(frame) or "frame"
    columns = frame_columns(frame)
    prof = None
    if recipe is None:
        prof = make_profile(frame)
        recipe = suggest(prof, template=template, k=k)
        source = source or (
            f"suggested for the license template {template!r}" if template
            else "suggested from the frame's profile")
    elif not (quasi_identifiers or (recipe.targets and recipe.targets.quasi_identifiers)):
        prof = make_profile(frame)
    targets = _targets(recipe, columns, quasi_identifiers, sensitive, k, prof)
    if targets is not None:
        recipe = recipe.with_targets(targets)
    check_keys(recipe)
    result = recipe.apply(frame)
    after = frame_columns(result)
    report = None
    dropped: tuple[str, ...] = ()
    if targets is not None:
        qis = tuple(q for q in targets.quasi_identifiers if q in after)
        dropped = tuple(q for q in targets.quasi_identifiers if q not in after)
        sens = tuple(s for s in targets.sensitive if s in after)
        if qis:
            kept = type(targets)(
                quasi_identifiers=qis, sensitive=sens, k=targets.k,
                l_diversity=targets.l_diversity if sens else None,
                t_closeness=targets.t_closeness if sens else None,
                privacy_models=tuple(m for m in targets.privacy_models
                                     if m.sensitive_column is None or m.sensitive_column in after),
            )
            report = assess_risk(result, qis, kept.sensitive_columns, targets=kept.models())
    compliance = None
    if template is not None:
        from anonlab.licensing import check_compliance

        compliance = check_compliance(template, frame=result, recipe=recipe, report=report,
                                      original_profile=prof, original=frame, preview=True)
    rows_in = prof.rows if prof is not None else frame_rows(frame)
    rows_out = report.records if report is not None else frame_rows(result)
    return AnonymizeResult(
        frame=result, recipe=recipe, report=report, compliance=compliance,
        source=source or "given", name=name, output=output, kind=kind,
        rows=(rows_in, rows_out), columns=(len(columns), len(after)),
        dropped_quasi_identifiers=dropped, original=frame,
    )

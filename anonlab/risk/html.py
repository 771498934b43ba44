"""The notebook display of a :class:`~anonlab.risk.report.RiskReport`: the headline numbers and
each target's pass/fail at a glance.

Self-contained HTML (no script, no external resources), readable in light and dark themes; every
text is escaped. Only aggregate figures appear: no record, no value of any column.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from anonlab.risk.report import RiskReport

__all__ = ["report_html"]

_CSS = """
<style>
.anonlab-risk { font-family: var(--jp-ui-font-family, system-ui, sans-serif); font-size: 12px;
  color: var(--jp-ui-font-color1, inherit); }
.anonlab-risk .al-head { margin: 0 0 8px 0; font-size: 13px; }
.anonlab-risk .al-cards { display: flex; flex-wrap: wrap; gap: 8px; margin-bottom: 8px; }
.anonlab-risk .al-card { border: 1px solid var(--jp-border-color2, rgba(128,128,128,.4));
  border-radius: 6px; padding: 6px 10px; min-width: 9em; }
.anonlab-risk .al-card .al-v { font-size: 18px; font-weight: 600;
  font-variant-numeric: tabular-nums; }
.anonlab-risk .al-card .al-l { color: var(--jp-ui-font-color2, #777); font-size: 11px; }
.anonlab-risk table { border-collapse: collapse; }
.anonlab-risk.anonlab-risk table th, .anonlab-risk.anonlab-risk table td { text-align: left; }
.anonlab-risk th { font-weight: 600; padding: 3px 8px;
  border-bottom: 1px solid var(--jp-border-color1, #999); }
.anonlab-risk td { padding: 3px 8px;
  border-bottom: 1px solid var(--jp-border-color3, rgba(128,128,128,.25)); }
.anonlab-risk.anonlab-risk td.al-num { text-align: right; font-variant-numeric: tabular-nums; }
.anonlab-risk .al-pass { color: #009E73; font-weight: 700; }
.anonlab-risk .al-fail { color: #D55E00; font-weight: 700; }
</style>
"""


def _num(value: float | int | None, fmt: str = ",.4g") -> str:
    if value is None:
        return "n/a"
    return format(value, fmt)


def _card(value: str, label: str, css: str = "") -> str:
    return (f'<div class="al-card {css}"><div class="al-v">{escape(value)}</div>'
            f'<div class="al-l">{escape(label)}</div></div>')


def report_html(report: RiskReport) -> str:
    """HTML for a notebook: headline cards, then one row per target."""
    p = report.attackers["prosecutor"]
    verdict = ("all targets met" if report.passed else
               f"{sum(not r.passed for r in report.targets)} of {len(report.targets)} "
               "targets not met")
    if not report.targets:
        verdict = "no targets set"
    css = "al-pass" if report.passed and report.targets else (
        "al-fail" if report.targets else "")
    head = (f'<div class="al-head"><b>Re-identification risk</b> on '
            f"{escape(', '.join(report.quasi_identifiers))}: "
            f'<span class="{css}">{escape(verdict)}</span></div>')
    cards = [
        _card(f"{report.records:,}", "records"),
        _card(f"{report.classes:,}", "equivalence classes"),
        _card(f"{report.sample_uniques:,} ({report.sample_unique_share:.1%})", "sample uniques"),
        _card(_num(p.highest, ".3g"), "highest risk (prosecutor)"),
        _card(_num(p.average, ".3g"), "average risk (prosecutor)"),
        _card(f"{p.share_at_risk:.1%}", f"records above {p.threshold:g}"),
    ]
    if report.suppressed:
        cards.append(_card(f"{report.suppressed:,}", "records suppressed"))
    for name, a in report.attackers.items():
        if name != "prosecutor":
            cards.append(_card(_num(a.average, ".3g"), f"{name} risk"))
    rows = []
    for r in report.targets:
        mark = ('<span class="al-pass">&#10003; pass</span>' if r.passed
                else '<span class="al-fail">&#10007; fail</span>')
        failing = "" if r.passed else f"{r.failing_classes:,} / {r.failing_records:,}"
        rows.append(
            f"<tr><td>{mark}</td><td>{escape(r.model.describe())}</td>"
            f'<td class="al-num">{escape(_num(r.achieved))}</td>'
            f'<td class="al-num">{escape(failing)}</td></tr>'
        )
    table = ""
    if rows:
        table = ("<table><thead><tr><th></th><th>target</th><th>achieved</th>"
                 "<th>failing classes / records</th></tr></thead><tbody>"
                 + "".join(rows) + "</tbody></table>")
    measures = []
    m = report.measures
    for s in report.sensitive:
        measures.append(
            f"{escape(s)}: distinct l {_num(m.distinct_l.get(s), '.4g')}, entropy l "
            f"{_num(m.entropy_l.get(s), '.3g')}, t {_num(m.t.get(s), '.3g')}"
        )
    extra = ""
    if measures:
        extra = ('<div class="al-l" style="margin-top:6px">'
                 + "<br>".join(measures) + "</div>")
    return (_CSS + '<div class="anonlab-risk">' + head
            + '<div class="al-cards">' + "".join(cards) + "</div>" + table + extra + "</div>")

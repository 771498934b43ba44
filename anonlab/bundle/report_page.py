"""``report.html``: the bundle's evidence and risk report as one self-contained page.

The page opens with the evidence behind the license's claims: every check and attack the export
ran, passed or not, with what it found (a recipient reads there which Safe Harbor checks passed
and what each attack measured). Then the risk report's headline numbers and each target's
pass/fail (the notebook display of :class:`~anonlab.risk.report.RiskReport`), the license it
belongs to and the recipe's name, and, when matplotlib is installed, the report's figures
embedded as base64 PNG images. No script, no external resource, every text escaped, and only
aggregate figures: no record and no value of any column. Without a report it says plainly that no
risk assessment was made, and that the license therefore states no risk figure.

matplotlib is optional: it is looked up when the page is written, never imported by anonlab at
import time.
"""

from __future__ import annotations

import base64
import importlib.util
import io
import sys
from html import escape
from typing import Any

__all__ = ["report_page"]

_STYLE = """<style>
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 60em; padding: 0 1em;
  color: #222; background: #fff; }
@media (prefers-color-scheme: dark) { body { color: #ddd; background: #111; } }
h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 1.6em; }
.meta { color: #777; font-size: .9em; } img { max-width: 100%; }
.note { border-left: 4px solid #E69F00; padding: .4em .8em; }
table.checks { border-collapse: collapse; } table.checks td, table.checks th {
  border-bottom: 1px solid #8884; padding: .3em .6em; text-align: left; vertical-align: top; }
.pass { color: #009E73; font-weight: 600; } .fail { color: #D55E00; font-weight: 600; }
</style>"""


def _evidence(checks: Any) -> str:
    """The checks and attacks behind the license, as a table."""
    rows = []
    for c in checks:
        ok = bool(c.get("passed"))
        rows.append(f"<tr><td>{escape(str(c.get('name', '')))}</td>"
                    f"<td class='{'pass' if ok else 'fail'}'>{'pass' if ok else 'FAIL'}</td>"
                    f"<td>{escape(str(c.get('detail', '')))}</td></tr>")
    if not rows:
        return ""
    return ("<h2>Evidence: the checks and attacks behind the license</h2>"
            "<p>Each claim of the license stands because the check or attack below failed to "
            "disprove it on this release; the figures are in <code>license.json</code> under "
            "<code>anonymization.checks</code>.</p>"
            "<table class='checks'><tr><th>Check or attack</th><th>Result</th><th>Finding</th>"
            "</tr>" + "".join(rows) + "</table>")


def _figures(report: Any) -> str:
    """The report's figures as ``<img>`` tags, or "" when matplotlib is not installed."""
    if importlib.util.find_spec("matplotlib") is None:
        return ""
    try:
        fig = report.plot()
    except ImportError:  # the figures need something this installation lacks
        return ""
    try:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=96, bbox_inches="tight", metadata={"Software": None})
    finally:
        pyplot = sys.modules.get("matplotlib.pyplot")
        if pyplot is not None:  # do not leave the figure open in a notebook's pyplot state
            pyplot.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return ('<h2>Figures</h2><img alt="class sizes, risk distribution, records at risk and '
            f'quasi-identifier contributions" src="data:image/png;base64,{data}">')


def report_page(
    report: Any,
    *,
    license_id: str,
    recipe_name: str,
    created: str,
    tool_version: str,
    attacks: Any = (),
) -> str:
    """The HTML page for ``report`` (a RiskReport, or None when no assessment was made) and
    ``attacks``, the license's checks (plain data: name, passed, detail)."""
    head = (
        "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<title>anonlab evidence and risk report</title>" + _STYLE + "</head><body>"
        "<h1>Evidence and re-identification risk</h1>"
        f"<p class='meta'>License {escape(license_id)}"
        + (f" &middot; recipe {escape(recipe_name)}" if recipe_name else "")
        + f" &middot; written {escape(created)} by anonlab {escape(tool_version)}</p>"
        + _evidence(attacks)
    )
    if report is None:
        body = (
            "<p class='note'><b>No risk assessment was made.</b> The recipe sets no privacy "
            "targets (quasi-identifiers), so this bundle carries no re-identification risk "
            "figures and the license states none. Give the recipe targets "
            "(<code>recipe.with_targets(quasi_identifiers=[...])</code>) and export again to "
            "include them.</p>"
        )
    else:
        verdict = "met" if report.passed else "NOT met"
        body = (
            f"<h2>Risk targets of the recipe: {verdict}</h2>{report._repr_html_()}"
            f"<h2>In words</h2><pre>{escape(report.summary())}</pre>"
            + _figures(report)
        )
    return head + body + "</body></html>\n"

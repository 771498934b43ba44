"""The notebook display of a :class:`~anonlab.profiling.profile.Profile`.

Self-contained HTML (no script, no external resources) that reads in JupyterLab's light and dark
themes, VS Code and a static repository page. Every value is escaped; identifier columns show only
masked values.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from anonlab.profiling.profile import ColumnProfile, Profile

__all__ = ["profile_html"]

_CSS = """
<style>
.anonlab-profile { font-family: var(--jp-ui-font-family, system-ui, sans-serif);
  font-size: 12px; color: var(--jp-ui-font-color1, inherit); }
.anonlab-profile .al-head { margin: 0 0 6px 0; font-size: 13px; }
.anonlab-profile .al-head b { font-weight: 600; }
.anonlab-profile table { border-collapse: collapse; }
/* JupyterLab right-aligns output tables with a (0,2,1) selector; a doubled class outranks it */
.anonlab-profile.anonlab-profile table th, .anonlab-profile.anonlab-profile table td {
  text-align: left; }
.anonlab-profile th { font-weight: 600; padding: 3px 8px;
  border-bottom: 1px solid var(--jp-border-color1, #999); white-space: nowrap; }
.anonlab-profile td { padding: 3px 8px; vertical-align: top;
  border-bottom: 1px solid var(--jp-border-color3, rgba(128,128,128,.25)); }
.anonlab-profile.anonlab-profile table td.al-num { text-align: right;
  font-variant-numeric: tabular-nums; white-space: nowrap; }
.anonlab-profile .al-role { display: inline-block; padding: 0 6px; border-radius: 8px;
  font-size: 11px; white-space: nowrap; border: 1px solid currentColor; }
.anonlab-profile .al-identifier { color: #c0392b; }
.anonlab-profile .al-quasi_identifier { color: #b9770e; }
.anonlab-profile .al-sensitive { color: #7d3c98; }
.anonlab-profile .al-insensitive { color: #5d6d7e; }
.anonlab-profile .al-warn { color: #c0392b; font-weight: 700; }
.anonlab-profile .al-why { color: var(--jp-ui-font-color2, #777); font-size: 11px;
  max-width: 34em; }
.anonlab-profile .al-values { max-width: 28em; overflow-wrap: anywhere; }
.anonlab-profile .anonlab-masked { font-family: var(--jp-code-font-family, monospace); }
.anonlab-profile .al-bar { display: inline-block; height: 6px; background: #2e86c1;
  vertical-align: middle; margin-left: 4px; opacity: .7; }
</style>
"""


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.4g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _values_cell(c: ColumnProfile) -> str:
    parts = []
    if c.min is not None or c.max is not None:
        rng = f"{escape(_fmt(c.min))} … {escape(_fmt(c.max))}"
        if c.mean is not None:
            rng += f"; mean {escape(_fmt(c.mean))}"
        parts.append(rng)
    if c.min_length is not None:
        parts.append(
            f"length {c.min_length}" if c.min_length == c.max_length
            else f"length {c.min_length}–{c.max_length}"
        )
    if c.top_values:
        tops = ", ".join(f"{escape(_fmt(v))} <small>({n:,})</small>" for v, n in c.top_values)
        parts.append(f"top: {tops}")
    elif c.distinct and c.distinct == c.non_null:
        parts.append("every value is distinct")
    body = "<br>".join(parts)
    cls = "al-values anonlab-masked" if c.masked else "al-values"
    return f'<td class="{cls}">{body}</td>'


def _row(c: ColumnProfile) -> str:
    warn = (
        '<span class="al-warn" title="direct identifier">⚠</span> '
        if c.role.value == "identifier"
        else ""
    )
    if c.kind is None:
        kind = ""
    else:
        of = f" of {c.detection.checked:,} sampled" if c.detection.sampled else ""
        kind = f"{escape(c.kind.value)} <small>{c.detection.share:.0%}{of}</small>"
    hipaa = "" if c.hipaa is None else f"({c.hipaa.letter}) {escape(c.hipaa.label)}"
    bar = f'<span class="al-bar" style="width:{round(40 * c.uniqueness)}px"></span>'
    return (
        f'<tr data-column="{escape(c.name)}">'
        f"<td>{warn}<b>{escape(c.name)}</b></td>"
        f"<td>{escape(c.dtype)}</td>"
        f'<td class="al-num">{c.nulls:,}<br><small>{c.null_share:.0%}</small></td>'
        f'<td class="al-num">{c.distinct:,}</td>'
        f'<td class="al-num">{c.uniqueness:.2f}{bar}</td>'
        f"<td>{kind}</td>"
        f'<td><span class="al-role al-{c.role.value}">{escape(c.role.value.replace("_", "-"))}'
        f'</span><div class="al-why">{escape(c.role_reason)}</div></td>'
        f"<td>{hipaa}</td>"
        f"{_values_cell(c)}"
        "</tr>"
    )


def profile_html(profile: Profile) -> str:
    """HTML for a profile, as shown in a notebook."""
    n_id = len(profile.identifiers)
    n_qi = len(profile.quasi_identifiers)
    n_s = len(profile.sensitive)
    sample = (
        f" Statistics from a random sample of {profile.rows_profiled:,} rows."
        if profile.sampled
        else ""
    )
    head = (
        f'<p class="al-head"><b>{profile.rows:,}</b> rows × <b>{len(profile)}</b> columns: '
        f'<span class="al-identifier">{n_id} identifier{"s" if n_id != 1 else ""}</span>, '
        f'<span class="al-quasi_identifier">{n_qi} quasi-identifier'
        f'{"s" if n_qi != 1 else ""}</span>, '
        f'<span class="al-sensitive">{n_s} sensitive</span>. '
        f"Values of identifier columns are masked.{sample}</p>"
    )
    header = (
        "<tr><th>column</th><th>dtype</th><th>nulls</th><th>distinct</th><th>unique</th>"
        "<th>detected kind</th><th>suggested role</th><th>HIPAA Safe Harbor</th>"
        "<th>values</th></tr>"
    )
    rows = "".join(_row(c) for c in profile)
    return (
        f'{_CSS}<div class="anonlab-profile">{head}'
        f"<table><thead>{header}</thead><tbody>{rows}</tbody></table></div>"
    )

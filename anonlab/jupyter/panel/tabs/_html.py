"""Small HTML helpers shared by the tabs (every text is escaped)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

__all__ = ["cell", "message", "table"]


def cell(value: Any) -> str:
    """A value as escaped table text (None as an empty, dimmed ``null``)."""
    if value is None:
        return '<span class="al-dim">null</span>'
    text = str(value)
    if len(text) > 80:
        text = text[:80] + "…"
    return escape(text)


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], css: str = "") -> str:
    """An HTML table; cells are escaped unless they are given as ``("html", text)``."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = []
    for row in rows:
        tds = []
        for v in row:
            if isinstance(v, tuple) and len(v) == 2 and v[0] == "html":
                tds.append(f"<td>{v[1]}</td>")
            else:
                tds.append(f"<td>{cell(v)}</td>")
        body.append("<tr>" + "".join(tds) + "</tr>")
    return (f'<table class="al-table {escape(css)}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>")


def message(text: str, kind: str = "info") -> str:
    """A short message line: ``kind`` is info, ok, warn or error."""
    if not text:
        return ""
    return f'<div class="al-msg al-{escape(kind)}">{escape(text)}</div>'

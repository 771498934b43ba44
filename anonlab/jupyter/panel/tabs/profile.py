"""The Profile tab: one row per column with its kind, role (editable), nulls, distinct values,
uniqueness and top values. Identifier columns carry a warning mark; their values are shown
masked, as the profile already masks them."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from anonlab.profiling import ColumnProfile, ColumnRole

if TYPE_CHECKING:
    from anonlab.jupyter.panel.panel import Panel

__all__ = ["ROLE_OPTIONS", "ProfileTab"]

ROLE_OPTIONS = [
    ("identifier", ColumnRole.IDENTIFIER.value),
    ("quasi-identifier", ColumnRole.QUASI_IDENTIFIER.value),
    ("sensitive", ColumnRole.SENSITIVE.value),
    ("insensitive", ColumnRole.INSENSITIVE.value),
]
_HEADERS = ("column", "kind", "role", "nulls", "distinct", "uniqueness", "values")
_COLUMNS = "minmax(10em, max-content) 10em 11em 5em 6em 7em minmax(12em, 1fr)"


def _values_text(c: ColumnProfile) -> str:
    if c.top_values:
        return ", ".join(f"{v} ({n:,})" for v, n in c.top_values[:3])
    if c.distinct and c.distinct == c.non_null:
        return "every value is distinct"
    return ""


def _is_identifier(c: ColumnProfile) -> bool:
    return c.role is ColumnRole.IDENTIFIER or (c.kind is not None and c.masked)


class ProfileTab:
    """The Profile tab of a :class:`~anonlab.jupyter.panel.Panel`.

    Attributes
    ----------
    roles : dict of str to ipywidgets.Dropdown
        The role dropdown of each column (values are :class:`~anonlab.ColumnRole` values).
    widget : ipywidgets.VBox
    """

    def __init__(self, panel: Panel) -> None:
        self.panel = panel
        self.roles: dict[str, w.Dropdown] = {}
        self._syncing = False
        cells: list[w.Widget] = [w.HTML(f"<b>{h}</b>") for h in _HEADERS]
        profile = panel.profile
        for c in profile:
            mark = ""
            if _is_identifier(c):
                why = c.kind.value if c.kind is not None else "identifier"
                mark = (f' <span class="al-warn" title="detected identifier: {escape(why)}">'
                        "&#9888;</span>")
            name = w.HTML(f"<code>{escape(c.name)}</code>{mark}")
            kind = w.HTML(escape(c.kind.value if c.kind is not None else "—"))
            role = w.Dropdown(options=ROLE_OPTIONS, value=panel.role(c.name),
                              layout=w.Layout(width="10.5em"))
            role.add_class("anonlab-role")
            role.observe(self._role_changed(c.name), names="value")
            self.roles[c.name] = role
            values = _values_text(c)
            values_html = escape(values)
            if c.masked and values:
                values_html = f'<span class="anonlab-masked" title="masked">{values_html}</span>'
            cells += [
                name, kind, role,
                w.HTML(f"{c.nulls:,}"), w.HTML(f"{c.distinct:,}"),
                w.HTML(f"{c.uniqueness:.0%}"), w.HTML(values_html),
            ]
        grid = w.GridBox(cells, layout=w.Layout(grid_template_columns=_COLUMNS,
                                                grid_gap="2px 8px", align_items="center"))
        sampled = (f" Statistics from a sample of {profile.rows_profiled:,} of {profile.rows:,} "
                   "rows." if profile.sampled else "")
        intro = w.HTML(
            f"<div>{profile.rows:,} rows, {len(profile)} columns.{sampled} "
            "&#9888; marks detected identifiers; their values are masked. Quasi-identifier and "
            "sensitive roles set the risk targets.</div>"
        )
        self.widget = w.VBox([intro, grid])

    def _role_changed(self, column: str) -> Any:
        def handler(change: dict[str, Any]) -> None:
            if not self._syncing:
                self.panel.set_role(column, change["new"])

        return handler

    def sync(self) -> None:
        """Show the roles the panel's recipe implies (after an undo, a suggestion...)."""
        self._syncing = True
        try:
            for column, dropdown in self.roles.items():
                role = self.panel.role(column)
                if dropdown.value != role:
                    dropdown.value = role
        finally:
            self._syncing = False

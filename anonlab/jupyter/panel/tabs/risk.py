"""The Risk tab: the headline numbers and each target's pass or fail (the report's own HTML),
what the numbers leave out (a sample, a temporary key), and the risk figures in a light or dark
theme (transparent PNG, readable on either background)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import ipywidgets as w

from anonlab.jupyter.panel.compute import RiskResult
from anonlab.jupyter.panel.tabs._html import message

if TYPE_CHECKING:
    from anonlab.jupyter.panel.panel import Panel

__all__ = ["RiskTab"]


class RiskTab:
    """The Risk tab of a :class:`~anonlab.jupyter.panel.Panel`.

    Attributes
    ----------
    status : ipywidgets.HTML
        "computing..." or when the numbers were last updated.
    notes : ipywidgets.HTML
        Sampling and other caveats.
    report : ipywidgets.HTML
        The risk report (headline numbers and targets).
    theme : ipywidgets.ToggleButtons
        ``"light"`` or ``"dark"`` figures.
    figure : ipywidgets.Image
        The risk figures as PNG.
    figure_message : ipywidgets.HTML
        Why there is no figure, if so.
    """

    def __init__(self, panel: Panel) -> None:
        self.panel = panel
        self.status = w.HTML(message("computing…"))
        self.status.add_class("anonlab-risk-status")
        self.notes = w.HTML()
        self.notes.add_class("anonlab-risk-notes")
        self.report = w.HTML()
        self.report.add_class("anonlab-risk-report")
        self.theme = w.ToggleButtons(options=["light", "dark"], value=panel.theme,
                                     description="figures", style={"button_width": "5em"})
        self.theme.observe(lambda change: panel.set_theme(change["new"]), names="value")
        self.figure = w.Image(format="png", layout=w.Layout(max_width="100%",
                                                            display="none"))
        self.figure.add_class("anonlab-risk-figure")
        self.figure_message = w.HTML()
        self.widget = w.VBox([self.status, self.notes, self.report, self.theme, self.figure,
                              self.figure_message])

    def show_pending(self) -> None:
        """Say that new numbers are being computed (the old ones stay until then)."""
        self.status.value = message("computing…")

    def show(self, result: RiskResult) -> None:
        """Show a risk result's numbers."""
        if result.report is None:
            self.report.value = message(result.message, "warn")
            self.status.value = message("no risk figures for this recipe", "warn")
        else:
            self.report.value = result.report._repr_html_()
            where = (f"a sample of {result.rows_used:,} rows" if result.sampled
                     else f"all {result.rows_used:,} rows")
            text = f"updated in {result.seconds:.2f} s on {where}"
            if not result.complete:
                text += "; measuring the sensitive columns…"
            self.status.value = message(text, "ok")
        notes = "".join(message(n, "warn" if "sample" in n else "info") for n in result.notes)
        self.notes.value = notes

    def show_figure(self, png: bytes | None, text: str = "") -> None:
        """Show the figures (PNG bytes), or why there are none."""
        if png:
            self.figure.value = png
            self.figure.layout.display = "block"
        else:
            self.figure.layout.display = "none"
        self.figure_message.value = message(text, "info") if text else ""

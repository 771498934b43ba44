"""The Code tab: the recipe as Python (``recipe.to_python()``) and as YAML, ready to copy."""

from __future__ import annotations

from typing import TYPE_CHECKING

import ipywidgets as w

from anonlab.errors import RecipeError
from anonlab.jupyter.panel.tabs._html import message

if TYPE_CHECKING:
    from anonlab.jupyter.panel.panel import Panel

__all__ = ["CodeTab"]


class CodeTab:
    """The Code tab of a :class:`~anonlab.jupyter.panel.Panel`.

    Attributes
    ----------
    python, yaml : ipywidgets.Textarea
        The recipe as Python source and as a YAML recipe file (edits are not read back).
    message : ipywidgets.HTML
        Why the recipe cannot be written (an in-memory key), if so.
    """

    def __init__(self, panel: Panel) -> None:
        self.panel = panel
        box = w.Layout(width="100%", height="22em")
        self.python = w.Textarea(layout=box)
        self.python.add_class("anonlab-code-python")
        self.yaml = w.Textarea(layout=box)
        self.yaml.add_class("anonlab-code-yaml")
        self.message = w.HTML()
        intro = w.HTML("<div>Copy the recipe into a script (<code>recipe.apply(df)</code>) or "
                       "save the YAML as a recipe file (<code>anonlab apply</code>).</div>")
        self.widget = w.VBox([
            intro, self.message,
            w.HBox([w.VBox([w.HTML("<b>Python</b>"), self.python], layout=w.Layout(flex="1")),
                    w.VBox([w.HTML("<b>YAML</b>"), self.yaml], layout=w.Layout(flex="1"))]),
        ])

    def sync(self) -> None:
        """Show the current recipe."""
        recipe = self.panel.recipe
        try:
            self.python.value = recipe.to_python()
            self.yaml.value = recipe.to_yaml()
            self.message.value = ""
        except RecipeError as exc:
            self.python.value = ""
            self.yaml.value = ""
            self.message.value = message(str(exc), "error")

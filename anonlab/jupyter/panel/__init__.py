"""The anonymization panel: ``anonlab.panel(df)`` in a notebook.

Importing this package needs ipywidgets (``pip install 'anonlab[jupyter]'``); the recipe model
(:mod:`anonlab.jupyter.panel.state`) and the computations (:mod:`anonlab.jupyter.panel.compute`)
do not.
"""

from anonlab.jupyter.panel.panel import ExportOutcome, Panel, panel
from anonlab.jupyter.panel.state import HistoryEntry, RecipeState

__all__ = ["ExportOutcome", "HistoryEntry", "Panel", "RecipeState", "panel"]

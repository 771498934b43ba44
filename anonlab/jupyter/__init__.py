"""anonlab in notebooks: the IPython extension, the ``%anonymize`` and ``%anonlab`` magics, the
``.anonlab`` accessor on pandas and polars frames, and the interactive panel
(:mod:`anonlab.jupyter.panel`).

Load it with ``%load_ext anonlab`` (or ``%load_ext anonlab.jupyter``). Importing this package
imports neither IPython nor ipywidgets; the extension imports IPython when it is loaded.
"""

from __future__ import annotations

from typing import Any

__all__ = ["load_ipython_extension", "unload_ipython_extension"]


def load_ipython_extension(ipython: Any) -> None:
    """Register the magics and the frame accessors (``%load_ext anonlab.jupyter``)."""
    from anonlab.jupyter.extension import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """Remove the magics (``%unload_ext anonlab.jupyter``)."""
    from anonlab.jupyter.extension import unload_ipython_extension as unload

    unload(ipython)

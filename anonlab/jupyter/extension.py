"""The IPython extension: ``%load_ext anonlab`` (or ``anonlab.jupyter``) registers the magics
(``%anonymize``, ``%%anonymize``, ``%anonlab``) and the ``.anonlab`` frame accessor.

``%reload_ext`` registers the magics again (harmless) and leaves the accessor alone: it is
registered once per process, as pandas and polars warn when a name is registered twice.
``%unload_ext`` removes the magics; the accessor stays until the kernel restarts.
"""

from __future__ import annotations

from typing import Any

__all__ = ["load_ipython_extension", "unload_ipython_extension"]


def load_ipython_extension(ipython: Any) -> None:
    """Register anonlab's magics on ``ipython`` and the frame accessors (once per process).

    Parameters
    ----------
    ipython : IPython.core.interactiveshell.InteractiveShell
        The running shell (IPython passes it).
    """
    from anonlab.jupyter.accessors import register
    from anonlab.jupyter.magics import AnonlabMagics

    register()
    ipython.register_magics(AnonlabMagics)


def unload_ipython_extension(ipython: Any) -> None:
    """Remove anonlab's magics from ``ipython`` (the accessors stay registered).

    Parameters
    ----------
    ipython : IPython.core.interactiveshell.InteractiveShell
        The running shell (IPython passes it).
    """
    from anonlab.jupyter.magics import AnonlabMagics

    manager = ipython.magics_manager
    for kind, names in AnonlabMagics.magics.items():
        for name in names:
            manager.magics.get(kind, {}).pop(name, None)
    manager.registry.pop(AnonlabMagics.__name__, None)

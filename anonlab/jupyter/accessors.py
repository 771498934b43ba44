"""The ``.anonlab`` accessor on pandas DataFrames and polars DataFrames and LazyFrames.

After :func:`register` (which ``%load_ext anonlab`` calls)::

    df.anonlab.profile()                       # anonlab.profile(df)
    df.anonlab.risk(["zip", "sex"], "diagnosis", k=5)
    df.anonlab.suggest(template="gdpr-anonymous")
    df.anonlab.apply("recipe.yaml")           # a Recipe, YAML text or a path
    df.anonlab.anonymize()                     # what %anonymize does, as an object
    df.anonlab.panel()                         # the interactive panel

Each library warns when a name is registered twice, so registration happens once per process
(a module flag, and a check that ``anonlab`` is not already ours on the class, which survives a
reload of this module).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["AnonlabAccessor", "register", "registered"]

NAME = "anonlab"
"""The attribute the accessor lives under."""

_registered = False


class AnonlabAccessor:
    """anonlab's methods on a frame: ``df.anonlab.<method>(...)``.

    Parameters
    ----------
    frame : pandas.DataFrame, polars.DataFrame or polars.LazyFrame
        The frame the accessor was reached from (never modified).
    """

    def __init__(self, frame: Any) -> None:
        self._frame = frame

    def profile(self, **kwargs: Any) -> Any:
        """Profile the frame: :func:`anonlab.profile` (keywords are passed on).

        Returns
        -------
        Profile
        """
        from anonlab.profiling import profile

        return profile(self._frame, **kwargs)

    def risk(
        self, quasi_identifiers: str | Sequence[str], sensitive: str | Sequence[str] = (),
        **kwargs: Any,
    ) -> Any:
        """The re-identification risk: :func:`anonlab.assess_risk` (keywords such as ``k``,
        ``l``, ``t``, ``targets``, ``population`` are passed on).

        Returns
        -------
        RiskReport
        """
        from anonlab.risk.report import assess_risk

        return assess_risk(self._frame, quasi_identifiers, sensitive, **kwargs)

    def suggest(self, *, template: str | None = None, **kwargs: Any) -> Any:
        """A first recipe for this frame, from its profile (:func:`anonlab.suggest_recipe`;
        with ``template=``, one meant to pass that license template's checks).

        Parameters
        ----------
        template : str, optional
            A license template id such as ``"hipaa-safe-harbor"``.
        **kwargs
            ``key``, ``k``, ``name``... for the suggestion.

        Returns
        -------
        Recipe
        """
        from anonlab.jupyter._common import suggest

        return suggest(self.profile(), template=template, **kwargs)

    def apply(self, recipe: Any, **kwargs: Any) -> Any:
        """Apply a recipe and return the same kind of frame (a LazyFrame stays lazy).

        Parameters
        ----------
        recipe : Recipe, str or path
            A :class:`~anonlab.Recipe`, recipe YAML text, or the path of a ``.yaml``/``.json``
            recipe file.
        **kwargs
            Passed to :meth:`Recipe.apply` (``side_outputs``).

        Returns
        -------
        frame
        """
        from anonlab.jupyter._common import load_recipe

        return load_recipe(recipe).apply(self._frame, **kwargs)

    def anonymize(
        self,
        recipe: Any = None,
        *,
        template: str | None = None,
        quasi_identifiers: str | Sequence[str] | None = None,
        sensitive: str | Sequence[str] | None = None,
        k: int | None = None,
    ) -> Any:
        """Anonymize and assess in one go, as ``%anonymize`` does.

        Parameters
        ----------
        recipe : Recipe, str or path, optional
            Without it, the suggested recipe (for ``template`` when given).
        template : str, optional
            A license template id; its checks run on the result.
        quasi_identifiers, sensitive : str or list of str, optional
            The risk assessment's columns (default: the recipe's targets, else the profile's
            quasi-identifiers).
        k : int, optional
            The k-anonymity target.

        Returns
        -------
        AnonymizeResult
            ``.frame`` is the anonymized frame; it displays as a summary.
        """
        from anonlab.jupyter._common import load_recipe, split_names
        from anonlab.jupyter.anonymize import anonymize

        return anonymize(
            self._frame,
            recipe=None if recipe is None else load_recipe(recipe),
            template=template,
            quasi_identifiers=split_names(quasi_identifiers),
            sensitive=split_names(sensitive),
            k=k,
            name="frame",
            output="result",
            source="" if recipe is None else "given",
        )

    def panel(self, **kwargs: Any) -> Any:
        """The interactive anonymization panel on this frame
        (``anonlab.jupyter.panel.panel(frame, **kwargs)``; needs ipywidgets).

        Raises
        ------
        ImportError
            The panel, or a library it needs, is not available.
        """
        return _panel_function()(self._frame, **kwargs)

    def __repr__(self) -> str:
        methods = "profile, risk, suggest, apply, anonymize, panel"
        return f"<anonlab accessor: {methods}>"


def _panel_function() -> Any:
    try:
        import anonlab.jupyter.panel as module
    except ImportError as exc:
        raise ImportError(
            f"The anonlab panel cannot be loaded ({exc}). It needs ipywidgets and matplotlib: "
            "pip install 'anonlab[jupyter]'."
        ) from exc
    function = getattr(module, "panel", None)
    if not callable(function):
        raise ImportError(
            "This anonlab has no interactive panel (anonlab.jupyter.panel.panel is missing); "
            "use %anonymize or df.anonlab.anonymize() instead."
        )
    return function


def _ours(cls: type) -> bool:
    """The accessor already registered on ``cls`` is this one (by qualified name, which
    survives a reload of this module)."""
    current = getattr(cls, NAME, None)
    return (
        isinstance(current, type)
        and current.__module__ == AnonlabAccessor.__module__
        and current.__qualname__ == AnonlabAccessor.__qualname__
    )


def registered() -> bool:
    """Whether the accessor is registered (in this process)."""
    return _registered


def register() -> None:
    """Register ``.anonlab`` on pandas DataFrames and polars DataFrames and LazyFrames, once.

    Calling it again does nothing (and warns about nothing).
    """
    global _registered
    if _registered:
        return
    import pandas as pd
    import polars as pl

    if not _ours(pd.DataFrame):
        pd.api.extensions.register_dataframe_accessor(NAME)(AnonlabAccessor)
    if not _ours(pl.DataFrame):
        pl.api.register_dataframe_namespace(NAME)(AnonlabAccessor)
    if not _ours(pl.LazyFrame):
        pl.api.register_lazyframe_namespace(NAME)(AnonlabAccessor)
    _registered = True

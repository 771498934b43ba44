"""``anonlab.panel(df)``: an ipywidgets panel to anonymize a frame while watching the risk.

The panel is a view over plain values: :attr:`Panel.recipe` (the recipe being edited),
:attr:`Panel.result` (the anonymized frame, the caller's kind), :attr:`Panel.report` (the risk
report) and :meth:`Panel.on_change`. Every widget action goes through a method a script can call
as well (:meth:`Panel.set_transform`, :meth:`Panel.set_role`, :meth:`Panel.suggest`,
:meth:`Panel.optimize`, :meth:`Panel.export`, :meth:`Panel.undo`...).

Nothing blocks the kernel: after a change the risk is recomputed on a worker thread once the
edits pause (``debounce`` seconds), on a random sample for frames above ``sample`` rows (the Risk
tab says so). :meth:`Panel.refresh` computes it now, for tests and scripts.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import io
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from anonlab.errors import AnonlabError, ColumnNotFoundError, ParameterError
from anonlab.jupyter.panel.compute import Preview, RiskResult, Workspace
from anonlab.jupyter.panel.options import ColumnInfo
from anonlab.jupyter.panel.scheduler import Debouncer, Jobs
from anonlab.jupyter.panel.state import RecipeState
from anonlab.keys import KeyRef, check_key_ref
from anonlab.profiling import ColumnRole, profile
from anonlab.profiling.masking import mask_value
from anonlab.recipe import Recipe, Targets
from anonlab.suggest import suggest_recipe
from anonlab.transforms import Transform

__all__ = ["ExportOutcome", "Panel", "panel"]

_INSTALL = "pip install 'anonlab[jupyter]'"

_CSS = """<style>
.anonlab-panel { font-size: 12px; }
.anonlab-panel .al-msg { margin: 2px 0; padding: 2px 6px; border-radius: 4px; }
.anonlab-panel .al-ok { color: #009E73; }
.anonlab-panel .al-warn { color: #B26B00; }
.anonlab-panel .al-error { color: #D55E00; font-weight: 600; }
.anonlab-panel .al-dim { color: var(--jp-ui-font-color2, #777); }
.anonlab-panel .al-table { border-collapse: collapse; margin: 4px 0; }
.anonlab-panel .al-table th { text-align: left; padding: 2px 8px;
  border-bottom: 1px solid var(--jp-border-color1, #999); }
.anonlab-panel .al-table td { padding: 2px 8px; font-family: var(--jp-code-font-family, monospace);
  border-bottom: 1px solid var(--jp-border-color3, rgba(128,128,128,.25)); }
.anonlab-panel .anonlab-history ol { margin: 0; padding-left: 2em; }
.anonlab-panel .anonlab-history li.al-current { font-weight: 600; }
</style>"""


@dataclass(frozen=True)
class ExportOutcome:
    """What an export did.

    Attributes
    ----------
    template : str
        The license template.
    path : Path or None
        The bundle folder written.
    bundle : Bundle or None
    verification : VerificationResult or None
        :func:`anonlab.bundle.verify` of the written bundle.
    failures : tuple
        The failing compliance checks (each with ``name`` and ``detail``); no bundle then.
    error : str
        Any other reason there is no bundle.
    """

    template: str
    path: Path | None = None
    bundle: Any = None
    verification: Any = None
    failures: tuple[Any, ...] = ()
    error: str = ""

    @property
    def ok(self) -> bool:
        """Whether a bundle was written and verified."""
        return self.bundle is not None and self.verification is not None


def _require_widgets() -> Any:
    try:
        import ipywidgets
    except ImportError:
        raise ImportError(
            f"anonlab.panel needs ipywidgets: {_INSTALL}"
        ) from None
    return ipywidgets


class Panel:
    """An anonymization panel over one frame (see :func:`panel`).

    Attributes
    ----------
    profile : Profile
        The frame's profile (identifier values masked).
    workspace : Workspace
        The frame as polars, its sample and the computations.
    state : RecipeState
        The recipe, its history, undo and redo.
    widget : ipywidgets.VBox
        The panel (CSS class ``anonlab-panel``); a notebook displays the Panel itself.
    profile_tab, transform_tab, risk_tab, code_tab, export_tab
        The tabs' views (their widgets are attributes, for tests and scripts).
    """

    def __init__(
        self,
        frame: Any,
        *,
        quasi_identifiers: Sequence[str] | None = None,
        sensitive: Sequence[str] | None = None,
        k: int = 5,
        sample: int = 200_000,
        key: KeyRef = "env:ANONLAB_KEY",
        debounce: float = 0.3,
        theme: str = "light",
    ) -> None:
        w = _require_widgets()
        from anonlab.jupyter.panel.tabs.code import CodeTab
        from anonlab.jupyter.panel.tabs.export import ExportTab
        from anonlab.jupyter.panel.tabs.profile import ProfileTab
        from anonlab.jupyter.panel.tabs.risk import RiskTab
        from anonlab.jupyter.panel.tabs.transform import TransformTab

        if not isinstance(k, int) or isinstance(k, bool) or k < 1:
            raise ParameterError(f"The 'k' parameter of panel must be an int >= 1. Got {k!r}.")
        if theme not in ("light", "dark"):
            raise ParameterError(
                f"The 'theme' parameter of panel must be 'light' or 'dark'. Got {theme!r}."
            )
        if not isinstance(debounce, int | float) or isinstance(debounce, bool) or debounce < 0:
            raise ParameterError(
                f"The 'debounce' parameter of panel must be a number of seconds >= 0. "
                f"Got {debounce!r}."
            )
        self._key = check_key_ref(key, "panel")
        self.workspace = Workspace(frame, sample=sample)
        rows = self.workspace.rows
        self.profile = profile(frame, sample=sample if rows > sample else None)
        self.theme = theme
        self._roles = {c.name: c.role.value for c in self.profile}
        columns = self.workspace.columns
        for arg, role in ((quasi_identifiers, ColumnRole.QUASI_IDENTIFIER),
                          (sensitive, ColumnRole.SENSITIVE)):
            if arg is None:
                continue
            names = [arg] if isinstance(arg, str) else list(arg)
            for name in names:
                if name not in columns:
                    raise ColumnNotFoundError(name, columns, where="panel")
            for name, current in list(self._roles.items()):
                if current == role.value and name not in names:
                    self._roles[name] = ColumnRole.INSENSITIVE.value
            for name in names:
                self._roles[name] = role.value
        targets = Targets(
            quasi_identifiers=tuple(c for c in columns
                                    if self._roles[c] == ColumnRole.QUASI_IDENTIFIER),
            sensitive=tuple(c for c in columns if self._roles[c] == ColumnRole.SENSITIVE),
            k=k,
        )
        self.state = RecipeState(Recipe(targets=targets), columns=columns)
        self._lock = threading.RLock()
        self._risk: RiskResult | None = None
        self._figure: tuple[int, str, bytes | None, str] | None = None
        self._errors: list[str] = []
        self._debouncer = Debouncer(debounce, self._background_refresh, self._background_error)
        self._jobs = Jobs(self._background_error)

        self.profile_tab = ProfileTab(self)
        self.transform_tab = TransformTab(self)
        self.risk_tab = RiskTab(self)
        self.code_tab = CodeTab(self)
        self.export_tab = ExportTab(self)

        self.undo_button = w.Button(description="undo", icon="undo", disabled=True,
                                    layout=w.Layout(width="7em"))
        self.undo_button.add_class("anonlab-undo")
        self.undo_button.on_click(lambda _: self.undo())
        self.redo_button = w.Button(description="redo", icon="repeat", disabled=True,
                                    layout=w.Layout(width="7em"))
        self.redo_button.add_class("anonlab-redo")
        self.redo_button.on_click(lambda _: self.redo())
        self.summary = w.HTML()
        self.history_view = w.HTML()
        self.history_view.add_class("anonlab-history")
        history = w.Accordion([self.history_view], titles=("history",))
        self.tabs = w.Tab([self.profile_tab.widget, self.transform_tab.widget,
                           self.risk_tab.widget, self.code_tab.widget, self.export_tab.widget])
        self.tabs.titles = ("Profile", "Transform", "Risk", "Code", "Export")
        toolbar = w.HBox([self.undo_button, self.redo_button, self.summary],
                         layout=w.Layout(align_items="center"))
        self.widget = w.VBox([w.HTML(_CSS), toolbar, self.tabs, history])
        self.widget.add_class("anonlab-panel")

        self.state.on_change(self._changed)
        self._sync()
        self._debouncer.trigger()

    # -- display ----------------------------------------------------------------------------------
    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return (f"<anonlab panel: {self.workspace.rows:,} rows, "
                f"{len(self.recipe.steps)} steps; {self.summary_text()}>")

    def summary_text(self) -> str:
        """One line: steps, targets and the last risk verdict."""
        recipe = self.recipe
        targets = recipe.targets
        qis = len(targets.quasi_identifiers) if targets else 0
        text = f"{len(recipe.steps)} steps, {qis} quasi-identifiers"
        risk = self._risk
        if risk is not None and risk.report is not None:
            verdict = "targets met" if risk.report.passed else "targets NOT met"
            text += f"; highest risk {risk.report.highest_risk:.3g}, {verdict}"
        return text

    # -- plain values -----------------------------------------------------------------------------
    @property
    def recipe(self) -> Recipe:
        """The recipe being edited."""
        return self.state.recipe

    @property
    def result(self) -> Any:
        """The recipe applied to the whole frame, as the caller's kind of frame.

        Raises
        ------
        SecretKeyError
            A step's key reference cannot be read yet (``ANONLAB_KEY`` unset).
        """
        self.workspace.forget_keys()
        return self.workspace.result(self.recipe)

    @property
    def risk(self) -> RiskResult:
        """The risk of the current recipe (computed now if the last one is stale)."""
        current = self._risk
        if current is None or current.version != self.state.version or not current.complete:
            self.refresh(figures=False)
            current = self._risk
        assert current is not None
        return current

    @property
    def report(self) -> Any:
        """The RiskReport of the current recipe (None when the risk cannot be computed)."""
        return self.risk.report

    @property
    def history(self) -> list[str]:
        """What changed, oldest first (the first entry is the start)."""
        return self.state.history_labels()

    @property
    def errors(self) -> list[str]:
        """Errors raised in background work (also shown in the panel)."""
        return list(self._errors)

    def on_change(self, callback: Callable[[Recipe], Any]) -> Callable[[], None]:
        """Call ``callback(recipe)`` after every change (returns a function that removes it)."""
        return self.state.on_change(callback)

    # -- roles and columns ------------------------------------------------------------------------
    def role(self, column: str) -> str:
        """The role of ``column`` as the recipe's targets imply it."""
        targets = self.recipe.targets
        if targets is not None and column in targets.quasi_identifiers:
            return ColumnRole.QUASI_IDENTIFIER.value
        if targets is not None and column in targets.sensitive_columns:
            return ColumnRole.SENSITIVE.value
        stored = self._roles.get(column, ColumnRole.INSENSITIVE.value)
        if stored in (ColumnRole.QUASI_IDENTIFIER.value, ColumnRole.SENSITIVE.value):
            return ColumnRole.INSENSITIVE.value
        return stored

    def set_role(self, column: str, role: str | ColumnRole) -> bool:
        """Give ``column`` a role; quasi-identifier and sensitive roles change the targets."""
        role = ColumnRole(role).value
        if column not in self.workspace.columns:
            raise ColumnNotFoundError(column, self.workspace.columns, where="panel")
        self._roles[column] = role
        targets = self.recipe.targets or Targets(k=5)
        qis = [c for c in targets.quasi_identifiers if c != column]
        sens = [c for c in targets.sensitive if c != column]
        if role == ColumnRole.QUASI_IDENTIFIER:
            qis.append(column)
        elif role == ColumnRole.SENSITIVE:
            sens.append(column)
        order = {c: i for i, c in enumerate(self.workspace.columns)}
        extra: dict[str, Any] = {}
        if not sens:
            extra = {"l_diversity": None, "t_closeness": None}
        if role != ColumnRole.SENSITIVE:  # the targets about it go with its sensitive role
            extra["privacy_models"] = tuple(m for m in targets.privacy_models
                                            if m.sensitive_column != column)
        new = dataclasses.replace(
            targets, quasi_identifiers=tuple(sorted(qis, key=order.__getitem__)),
            sensitive=tuple(sorted(sens, key=order.__getitem__)), **extra,
        )
        changed = self.state.set_targets(new, label=f"{column}: role {role.replace('_', '-')}")
        if not changed:
            self.profile_tab.sync()
        return changed

    def column_info(self, column: str) -> ColumnInfo:
        """What the Transform tab needs to know of ``column``."""
        targets = self.recipe.targets
        k = targets.k if targets is not None and targets.k else 5
        is_qi = self.role(column) == ColumnRole.QUASI_IDENTIFIER
        return ColumnInfo(
            name=column,
            dtype=self.workspace.dtype(column),
            columns=self.workspace.columns,
            identifiers=tuple(c for c in self.workspace.columns
                              if self._roles.get(c) == ColumnRole.IDENTIFIER),
            k=k,
            stats=self.workspace.stats(column),
            hierarchy_source=(lambda: self.workspace.hierarchy(column)) if is_qi else None,
        )

    def shown(self, column: str, value: Any) -> Any:
        """``value`` as the panel may show it: masked for identifier columns."""
        if value is None or column not in self.profile or not self.profile[column].masked:
            return value
        return mask_value(value, self.profile[column].kind)

    def preview(self, column: str, rows: int = 8) -> Preview:
        """The first rows of ``column`` before and after its steps (raw values)."""
        return self.workspace.preview(self.recipe, column, rows)

    # -- changing the recipe ----------------------------------------------------------------------
    def set_transform(self, column: str, transform: Transform | None, note: str = "") -> bool:
        """Apply ``transform`` to ``column`` (None keeps the column as it is)."""
        if column not in self.workspace.columns:
            raise ColumnNotFoundError(column, self.workspace.columns, where="panel")
        changed = self.state.set_transform(column, transform, note)
        self.transform_tab.focus(column)
        return changed

    def set_targets(
        self,
        *,
        k: int | None = None,
        l_diversity: int | None = None,
        t_closeness: float | None = None,
        max_suppression: float | None = None,
    ) -> bool:
        """Set the privacy targets (the quasi-identifiers and sensitive columns stay)."""
        targets = self.recipe.targets or Targets()
        try:
            new = dataclasses.replace(targets, k=k, l_diversity=l_diversity,
                                      t_closeness=t_closeness, max_suppression=max_suppression)
        except ParameterError as exc:
            self.transform_tab.set_status(str(exc), "error")
            return False
        self.transform_tab.set_status("")
        return self.state.set_targets(new)

    def suggest(self) -> bool:
        """Fill in the suggested recipe (:func:`anonlab.suggest_recipe`), keeping the targets."""
        targets = self.recipe.targets
        k = targets.k if targets is not None and targets.k else 5
        suggested = suggest_recipe(self.profile, key=self._key, k=k)
        recipe = dataclasses.replace(suggested, targets=targets)
        changed = self.state.replace(recipe, label=f"suggest: {len(recipe.steps)} steps")
        self.transform_tab.set_status(
            "Suggested recipe filled in." if changed else "Already the suggested recipe.", "ok"
        )
        return changed

    def undo(self) -> bool:
        """Undo the last change."""
        return self.state.undo()

    def redo(self) -> bool:
        """Redo the last undone change."""
        return self.state.redo()

    # -- reacting to changes ----------------------------------------------------------------------
    def _changed(self, recipe: Recipe) -> None:
        self._sync()
        self.risk_tab.show_pending()
        self._debouncer.trigger()

    def _sync(self) -> None:
        self.profile_tab.sync()
        self.transform_tab.sync()
        self.code_tab.sync()
        self.undo_button.disabled = not self.state.can_undo
        self.redo_button.disabled = not self.state.can_redo
        labels = self.state.history_labels()
        items = "".join(
            f'<li{" class=al-current" if i == len(labels) - 1 else ""}>{escape(t)}</li>'
            for i, t in enumerate(labels)
        )
        self.history_view.value = f"<ol>{items}</ol>"
        self.summary.value = f"<span class='al-dim'>{escape(self.summary_text())}</span>"

    # -- risk -------------------------------------------------------------------------------------
    def refresh(self, *, figures: bool = True, complete: bool = True) -> Any:
        """Compute the risk of the current recipe now and show it; returns the RiskReport.

        A pending debounced refresh is cancelled. With ``figures=False`` the figures are not
        drawn; with ``complete=False`` only the headline numbers and the targets are computed
        (sensitive columns no l or t target needs are not measured).
        """
        self._debouncer.cancel()
        self._compute(figures=figures, complete=complete)
        assert self._risk is not None
        return self._risk.report

    def wait(self, timeout: float = 60.0) -> bool:
        """Wait for background work (a search, an export, a refresh due within ``timeout``)."""
        deadline = time.monotonic() + timeout
        ok = self._debouncer.wait(timeout)
        ok = self._jobs.wait(max(0.0, deadline - time.monotonic())) and ok
        # A job may have changed the recipe, which schedules a refresh.
        return self._debouncer.wait(max(0.0, deadline - time.monotonic())) and ok

    def close(self, timeout: float = 60.0) -> None:
        """Stop background work: forget a scheduled refresh and wait for running jobs. The
        widgets stay; the next change schedules refreshes again."""
        self._debouncer.cancel()
        self._debouncer.wait(timeout)
        self._jobs.wait(timeout)
        self._debouncer.cancel()

    def _background_refresh(self) -> None:
        self._compute(figures=True)

    def _background_error(self, exc: BaseException) -> None:
        text = f"{type(exc).__name__}: {exc}"
        self._errors.append(text)
        with contextlib.suppress(Exception):
            self.risk_tab.status.value = (
                f"<div class='al-msg al-error'>Background work failed: {escape(text)}</div>"
            )

    def _compute(self, *, figures: bool, complete: bool = True) -> None:
        version, recipe = self.state.version, self.state.recipe
        # The headline numbers first; the measures of sensitive columns no target needs next.
        result = self.workspace.risk(recipe, version=version, complete=False)
        if not self._publish(result):
            return
        if complete and not result.complete:
            result = self.workspace.risk(recipe, version=version, complete=True)
            if not self._publish(result):
                return
        if figures:
            self._draw(result)

    def _publish(self, result: RiskResult) -> bool:
        with self._lock:
            if result.version != self.state.version:
                return False  # the recipe changed meanwhile; a newer refresh is scheduled
            self._risk = result
            self.risk_tab.show(result)
            self.summary.value = f"<span class='al-dim'>{escape(self.summary_text())}</span>"
        return True

    def _draw(self, result: RiskResult) -> None:
        theme = self.theme
        if result.report is None:
            png, text = None, ""
        else:
            png, text = _figure_png(result.report, theme)
        with self._lock:
            if result.version != self.state.version or theme != self.theme:
                return
            self._figure = (result.version, theme, png, text)
            self.risk_tab.show_figure(png, text)

    @property
    def figure_png(self) -> bytes | None:
        """The PNG of the current risk figures, if drawn."""
        return None if self._figure is None else self._figure[2]

    def set_theme(self, theme: str) -> None:
        """Draw the figures for a ``"light"`` or ``"dark"`` notebook theme."""
        if theme not in ("light", "dark"):
            raise ParameterError(f"theme must be 'light' or 'dark'. Got {theme!r}.")
        if theme == self.theme:
            return
        self.theme = theme
        if self.risk_tab.theme.value != theme:
            self.risk_tab.theme.value = theme
        current = self._risk
        if current is not None and current.version == self.state.version:
            self._jobs.start(lambda: self._draw(current), name="anonlab-panel-figures")

    # -- optimal search ---------------------------------------------------------------------------
    def optimize(self, *, wait: bool = True, metric: str = "loss") -> Any:
        """Search the least-loss generalization of the quasi-identifiers meeting the targets.

        Runs :func:`anonlab.optimize.optimize` on the working frame (the sample on a large
        frame) with simple hierarchies for the quasi-identifiers, then takes the found recipe's
        steps into the panel's recipe. With ``wait=False`` (the button) it runs in the
        background and the Transform tab shows its progress.

        Returns
        -------
        OptimizationResult or None
            None when the search cannot run or finds nothing (the tab says why), or when it
            runs in the background.
        """
        tab = self.transform_tab
        try:
            from anonlab.optimize import optimize as search
        except ImportError as exc:
            tab.set_status(f"The optimal search needs anonlab.optimize, which this installation "
                           f"does not have ({exc}).", "error")
            return None
        recipe = self.recipe
        targets = recipe.targets
        qis = list(targets.quasi_identifiers) if targets is not None else []
        if targets is None or not qis:
            tab.set_status("Set some quasi-identifiers first (Profile tab).", "error")
            return None
        models = targets.models()
        if not models:
            tab.set_status("Set a target (k, l or t) first.", "error")
            return None
        hierarchies = self.workspace.hierarchies(qis)
        missing = [c for c in qis if c not in hierarchies]
        if missing:
            tab.set_status(f"No hierarchy could be built for {', '.join(missing)}; give them "
                           "another role or generalize them by hand.", "error")
            return None
        sensitive = [m.sensitive_column for m in models if m.sensitive_column]
        frame = self.workspace.working.select(list(dict.fromkeys([*qis, *sensitive])))
        limit = targets.max_suppression if targets.max_suppression is not None else 0.05
        outcome: dict[str, Any] = {}

        def run() -> None:
            start = time.perf_counter()
            try:
                result = search(frame, hierarchies, models, limit, metric, progress=False)
            except AnonlabError as exc:
                tab.set_status(f"optimize: {exc}", "error")
                return
            finally:
                tab.progress.value = 1.0
                tab.progress.bar_style = ""
                tab.progress.layout.visibility = "hidden"
            outcome["result"] = result
            levels = ", ".join(f"{c}={v}" for c, v in result.levels.items())
            self.state.merge(result.recipe, label=f"optimize: {levels}")
            sampled = (f" on a sample of {frame.height:,} rows" if self.workspace.sampled
                       else "")
            tab.set_status(
                f"Found levels {levels} (metric {result.metric_value:.4g}){sampled} in "
                f"{time.perf_counter() - start:.1f} s.", "ok"
            )

        tab.progress.value = 1.0
        tab.progress.bar_style = "info"
        tab.progress.layout.visibility = "visible"
        tab.set_status(f"searching the generalization lattice of {len(qis)} quasi-identifiers…")
        if wait:
            run()
            return outcome.get("result")
        self._jobs.start(run, name="anonlab-panel-optimize")
        return None

    # -- export -----------------------------------------------------------------------------------
    def generate_keypair(self, prefix: str | Path) -> tuple[Path, Path]:
        """Write a new Ed25519 key pair ``<prefix>.key`` / ``<prefix>.pub``."""
        from anonlab.bundle import generate_keypair

        return generate_keypair(prefix)

    def export(
        self,
        *,
        template: str,
        licensee: str,
        path: str | Path,
        signing_key: Any,
        purposes: Sequence[str] | None = None,
        expires: dt.date | None = None,
        licensor: str | None = None,
        public_key: Any = None,
        licensee_keys: Sequence[str] | None = None,
    ) -> ExportOutcome:
        """Make the release from the original frame with the recipe, attack it, license it,
        write the signed bundle, then verify it (:func:`anonlab.export`).

        ``licensee_keys`` are the licensee's identity public key files (``.pub``): then only
        those keys open the bundle (required by templates such as
        ``gdpr-pseudonymous-research``).

        Never raises for a user mistake: the outcome's ``failures`` lists the compliance checks
        that fail (no bundle is written) and ``error`` says what else went wrong.
        """
        try:
            from anonlab import bundle
            from anonlab.errors import ComplianceError
        except ImportError as exc:
            return ExportOutcome(template, error=f"Export needs anonlab.licensing and "
                                                 f"anonlab.bundle ({exc}).")
        if not licensee:
            return ExportOutcome(template, error="Enter the licensee (who receives the data).")
        if not str(path):
            return ExportOutcome(template, error="Enter the output folder.")
        if not signing_key:
            return ExportOutcome(template, error="Enter the signing key (or generate a pair).")
        terms: dict[str, Any] = {"licensee": licensee}
        if purposes:
            terms["purposes"] = list(purposes)
        if expires is not None:
            terms["expires"] = expires
        if licensor:
            terms["licensor"] = licensor
        if licensee_keys:
            terms["licensee_keys"] = list(licensee_keys)
        try:
            # the release is made from the whole original frame, keyed for this release alone,
            # and attacked against it; the panel's preview is not what ships
            written = bundle.export(self.workspace.frame, recipe=self.recipe, license=template,
                                    license_terms=terms, path=path, signing_key=signing_key)
            verification = bundle.verify(written.path, public_key=public_key or None)
        except ComplianceError as exc:
            return ExportOutcome(template, failures=tuple(exc.failures))
        except (AnonlabError, OSError) as exc:
            return ExportOutcome(template, error=str(exc))
        return ExportOutcome(template, path=Path(written.path), bundle=written,
                             verification=verification)

    def export_async(self, **settings: Any) -> None:
        """Run :meth:`export` in the background and show its outcome in the Export tab."""
        tab = self.export_tab
        tab.show_running()

        def run() -> None:
            outcome = self.export(**settings)
            self.last_export = outcome
            tab.show(outcome)

        self._jobs.start(run, name="anonlab-panel-export")

    last_export: ExportOutcome | None = None


def _figure_png(report: Any, theme: str) -> tuple[bytes | None, str]:
    """The report's figures as a transparent PNG, or why there are none."""
    try:
        fig = report.plot(theme=theme)
    except ImportError as exc:
        return None, f"No figures: {exc}. They need matplotlib ({_INSTALL})."
    except (AnonlabError, ValueError) as exc:
        return None, f"No figures for this recipe: {exc}"
    try:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", transparent=True, dpi=90, bbox_inches="tight")
        return buffer.getvalue(), ""
    finally:
        pyplot = sys.modules.get("matplotlib.pyplot")
        if pyplot is not None:
            pyplot.close(fig)


def panel(
    df: Any,
    *,
    quasi_identifiers: Sequence[str] | None = None,
    sensitive: Sequence[str] | None = None,
    k: int = 5,
    sample: int = 200_000,
    key: KeyRef = "env:ANONLAB_KEY",
    debounce: float = 0.3,
    theme: str = "light",
) -> Panel:
    """An interactive panel to anonymize ``df`` while watching the re-identification risk.

    Tabs: **Profile** (kinds, editable roles, masked values), **Transform** (a transform and its
    options per column, targets, suggest, optimize, a before/after preview), **Risk** (headline
    numbers, targets, figures; refreshed in the background after each change), **Code** (the
    recipe as Python and YAML) and **Export** (a signed bundle under a license template). Undo,
    redo and the history of changes sit above the tabs.

    Parameters
    ----------
    df : pandas.DataFrame, polars.DataFrame, polars.LazyFrame or pyarrow.Table
        The data (not modified).
    quasi_identifiers, sensitive : list of str, optional
        Override the profile's suggested roles.
    k : int, default 5
        The k-anonymity target.
    sample : int, default 200,000
        Above this many rows, previews, risk and the search run on a random sample of this
        size (the Risk tab says so); the result and the export use every row.
    key : str or Key, default "env:ANONLAB_KEY"
        The key reference suggested hash steps use. While it cannot be read, previews use a
        temporary session key.
    debounce : float, default 0.3
        Seconds of quiet after a change before the risk is recomputed.
    theme : {"light", "dark"}, default "light"
        The figures' theme (a toggle in the Risk tab).

    Returns
    -------
    Panel
        Display it (last expression of a cell); script it through ``recipe``, ``result``,
        ``report``, ``on_change`` and ``refresh()``.

    Examples
    --------
    >>> p = anonlab.panel(anonlab.datasets.patients(500))  # doctest: +SKIP
    >>> p.set_transform("zip", anonlab.transforms.Generalize(keep=3))  # doctest: +SKIP
    >>> p.refresh().highest_risk  # doctest: +SKIP
    """
    return Panel(df, quasi_identifiers=quasi_identifiers, sensitive=sensitive, k=k,
                 sample=sample, key=key, debounce=debounce, theme=theme)

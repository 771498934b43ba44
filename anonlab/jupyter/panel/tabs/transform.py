"""The Transform tab: per column, the transform and its options; the privacy targets; the
"suggest" and "optimize" buttons; and a preview of the first rows before and after."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from anonlab.errors import AnonlabError
from anonlab.jupyter.panel.options import (
    ColumnInfo,
    OptionSpec,
    default_generalize,
    default_transform,
    format_numbers,
    generalize_fields,
    generalize_modes,
    ops_for,
    option_specs,
    parse_numbers,
)
from anonlab.jupyter.panel.tabs._html import message, table
from anonlab.keys import Key
from anonlab.transforms import Generalize, Transform, registered_transforms

if TYPE_CHECKING:
    from anonlab.jupyter.panel.panel import Panel

__all__ = ["KEEP_AS_IS", "ColumnEditor", "OptionsEditor", "TransformTab"]

KEEP_AS_IS = "(as is)"
_IN_MEMORY_KEY = "(in-memory key)"


# -- one option ---------------------------------------------------------------------------------
def _make(spec: OptionSpec, value: Any, info: ColumnInfo) -> w.Widget:
    layout = w.Layout(width="auto")
    style = {"description_width": "initial"}
    common: dict[str, Any] = {"description": spec.name, "layout": layout, "style": style}
    if spec.kind == "bool":
        return w.Checkbox(value=bool(value), indent=False, **common)
    if spec.kind == "slider":
        lo, hi = spec.choices
        if spec.name == "level" and info.hierarchy is not None:
            lo, hi = 0, info.hierarchy.height
        v = lo if value is None else int(value)
        common["layout"] = w.Layout(width="20em")
        return w.IntSlider(value=min(max(v, lo), max(hi, v)), min=lo, max=max(hi, v),
                           continuous_update=False, **common)
    if spec.kind == "choice":
        choices = list(spec.choices) or [c for c in info.columns if c != info.name]
        if value is not None and value not in choices:
            choices.append(value)
        return w.Dropdown(options=choices, value=value if value is not None else choices[0],
                          **common)
    if spec.kind in ("columns", "kinds"):
        choices = list(spec.choices) if spec.kind == "kinds" else list(info.columns)
        picked = tuple(v for v in (value or ()) if v in choices)
        return w.SelectMultiple(options=choices, value=picked, rows=min(4, len(choices)),
                                **common)
    if spec.kind == "int" and not spec.optional:
        return w.IntText(value=int(value), continuous_update=False, **common)
    if spec.kind == "float" and not spec.optional:
        return w.FloatText(value=float(value), continuous_update=False, **common)
    if spec.kind == "key" and isinstance(value, Key):
        text = _IN_MEMORY_KEY
    elif spec.kind in ("numbers", "pair"):
        text = format_numbers(value)
    else:
        text = "" if value is None else str(value)
    return w.Text(value=text, continuous_update=False, **common)


def _read(spec: OptionSpec, widget: w.Widget, original: Any) -> Any:
    value = widget.value
    if spec.kind in ("bool", "slider", "choice"):
        return value
    if spec.kind in ("columns", "kinds"):
        return tuple(value)
    if isinstance(widget, w.IntText | w.FloatText):
        return value
    text = str(value).strip()
    if spec.kind == "key" and text == _IN_MEMORY_KEY and isinstance(original, Key):
        return original
    if text == "" and (spec.optional or spec.kind == "key"):
        return None
    if spec.kind == "int":
        return int(text)
    if spec.kind == "float":
        number = float(text)
        return int(number) if number.is_integer() and "." not in text else number
    if spec.kind in ("numbers", "pair"):
        return parse_numbers(text)
    return text


def _write(spec: OptionSpec, widget: w.Widget, value: Any) -> None:
    if spec.kind in ("columns", "kinds"):
        widget.value = tuple(v for v in (value or ()) if v in widget.options)
    elif isinstance(widget, w.Checkbox | w.IntSlider | w.Dropdown | w.IntText | w.FloatText):
        if isinstance(widget, w.Dropdown) and value not in widget.options:
            widget.options = [*widget.options, value]
        if isinstance(widget, w.IntSlider) and value is not None and value > widget.max:
            widget.max = value
        if value is not None:
            widget.value = value
    elif spec.kind == "key" and isinstance(value, Key):
        widget.value = _IN_MEMORY_KEY
    elif spec.kind in ("numbers", "pair"):
        widget.value = format_numbers(value)
    else:
        widget.value = "" if value is None else str(value)


# -- one transform's options --------------------------------------------------------------------
class OptionsEditor:
    """The option widgets of one transform; ``on_change`` runs when the user edits one.

    For ``generalize``, a mode dropdown comes first and the fields follow the mode.
    """

    def __init__(self, transform: Transform, info: ColumnInfo,
                 on_change: Callable[[], None]) -> None:
        self.op = transform.op
        self.info = info
        self._on_change = on_change
        self._syncing = False
        self._original = transform
        self.mode: w.Dropdown | None = None
        self.fields: dict[str, tuple[OptionSpec, w.Widget]] = {}
        self.widget = w.HBox(layout=w.Layout(flex_flow="row wrap", align_items="center"))
        if isinstance(transform, Generalize):
            self.mode = w.Dropdown(options=generalize_modes(info), value=transform.mode,
                                   description="mode", layout=w.Layout(width="auto"),
                                   style={"description_width": "initial"})
            if transform.mode not in self.mode.options:
                self.mode.options = [*self.mode.options, transform.mode]
                self.mode.value = transform.mode
            self.mode.observe(self._mode_changed, names="value")
        self._build(transform)

    def _specs(self, transform: Transform) -> list[OptionSpec]:
        if isinstance(transform, Generalize):
            return generalize_fields(transform.mode)
        return option_specs(type(transform))

    def _build(self, transform: Transform) -> None:
        self.fields = {}
        for spec in self._specs(transform):
            widget = _make(spec, getattr(transform, spec.name), self.info)
            widget.observe(self._edited, names="value")
            self.fields[spec.name] = (spec, widget)
        head = [self.mode] if self.mode is not None else []
        self.widget.children = [*head, *(wd for _, wd in self.fields.values())]

    def _mode_changed(self, change: dict[str, Any]) -> None:
        if self._syncing:
            return
        self._original = default_generalize(self.info, change["new"])
        self._build(self._original)
        self._on_change()

    def _edited(self, change: dict[str, Any]) -> None:
        if not self._syncing:
            self._on_change()

    def read(self) -> Transform:
        """The transform the widgets describe.

        Raises
        ------
        ParameterError, ValueError
            An option is invalid (the message says which).
        """
        params = {name: _read(spec, widget, getattr(self._original, name, None))
                  for name, (spec, widget) in self.fields.items()}
        if self.mode is not None and self.mode.value == "hierarchy":
            params["hierarchy"] = getattr(self._original, "hierarchy", None) or (
                self.info.hierarchy
            )
        cls = registered_transforms()[self.op]
        return cls(**params)

    def show(self, transform: Transform) -> None:
        """Show ``transform``'s options (same op) without reporting a change."""
        self._syncing = True
        try:
            self._original = transform
            if self.mode is not None and isinstance(transform, Generalize):
                if transform.mode not in self.mode.options:
                    self.mode.options = [*self.mode.options, transform.mode]
                if self.mode.value != transform.mode:
                    self.mode.value = transform.mode
                    self._build(transform)
            for name, (spec, widget) in self.fields.items():
                _write(spec, widget, getattr(transform, name))
        finally:
            self._syncing = False


# -- one column ---------------------------------------------------------------------------------
class ColumnEditor:
    """A column's row: its name, the transform dropdown, the options and an error line."""

    def __init__(self, tab: TransformTab, column: str) -> None:
        self.tab = tab
        self.column = column
        self._syncing = False
        info = tab.panel.column_info(column)
        self.ops = ops_for(info)
        self.op = w.Dropdown(options=[(KEEP_AS_IS, ""), *[(o, o) for o in self.ops]], value="",
                             layout=w.Layout(width="12em"))
        self.op.add_class("anonlab-op")
        self.op.observe(self._op_changed, names="value")
        self.editor: OptionsEditor | None = None
        self.error = w.HTML()
        self.label = w.HTML(f"<code>{escape(column)}</code>",
                            layout=w.Layout(width="11em", overflow="hidden"))
        self.options = w.HBox()
        self.widget = w.HBox([self.label, self.op, self.options, self.error],
                             layout=w.Layout(align_items="center", flex_flow="row wrap",
                                             flex="0 0 auto", min_height="2.4em"))
        self.widget.add_class("anonlab-column")
        self.widget.add_class(f"anonlab-column-{_css_name(column)}")

    def _op_changed(self, change: dict[str, Any]) -> None:
        if self._syncing:
            return
        op = change["new"]
        self.error.value = ""
        if not op:
            self._set_editor(None)
            self.tab.panel.set_transform(self.column, None)
            return
        try:
            transform = default_transform(op, self.tab.panel.column_info(self.column))
        except (AnonlabError, ValueError) as exc:
            self.error.value = message(str(exc), "error")
            return
        self._set_editor(transform)
        self.tab.panel.set_transform(self.column, transform)

    def _set_editor(self, transform: Transform | None) -> None:
        if transform is None:
            self.editor = None
            self.options.children = []
            return
        self.editor = OptionsEditor(transform, self.tab.panel.column_info(self.column),
                                    self._options_changed)
        self.options.children = [self.editor.widget]

    def _options_changed(self) -> None:
        if self.editor is None:
            return
        try:
            transform = self.editor.read()
        except (AnonlabError, ValueError, TypeError) as exc:
            self.error.value = message(str(exc), "error")
            return
        self.error.value = ""
        self.tab.panel.set_transform(self.column, transform)

    def sync(self, transform: Transform | None) -> None:
        """Show ``transform`` (from the recipe) without reporting a change."""
        self._syncing = True
        try:
            op = "" if transform is None else transform.op
            if op and op not in [v for _, v in self.op.options]:
                self.op.options = [*self.op.options, (op, op)]
            if self.op.value != op:
                self.op.value = op
            self.error.value = ""
            if transform is None:
                self._set_editor(None)
            elif self.editor is None or self.editor.op != transform.op:
                self._set_editor(transform)
            else:
                self.editor.show(transform)
        finally:
            self._syncing = False


def _css_name(column: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in column)


# -- the tab ------------------------------------------------------------------------------------
class TransformTab:
    """The Transform tab of a :class:`~anonlab.jupyter.panel.Panel`.

    Attributes
    ----------
    columns : dict of str to ColumnEditor
        Each column's editor (``columns["zip"].op.value = "mask"`` changes the recipe).
    k, l, t, max_suppression : ipywidgets widgets
        The targets (0 switches l and t off).
    suggest, optimize : ipywidgets.Button
    progress : ipywidgets.FloatProgress
        The search's progress.
    status : ipywidgets.HTML
        What the last button did.
    preview_column : ipywidgets.Dropdown
    preview : ipywidgets.HTML
        The first rows of ``preview_column`` before and after.
    """

    def __init__(self, panel: Panel) -> None:
        self.panel = panel
        self._syncing = False
        self.columns = {c: ColumnEditor(self, c) for c in panel.workspace.columns}
        narrow = w.Layout(width="9em")
        style = {"description_width": "initial"}
        self.k = w.BoundedIntText(value=5, min=1, max=100_000, description="k",
                                  layout=narrow, style=style)
        self.l = w.BoundedIntText(value=0, min=0, max=1000, description="l (0 off)",
                                  layout=w.Layout(width="10em"), style=style)
        self.t = w.BoundedFloatText(value=0.0, min=0.0, max=1.0, step=0.05,
                                    description="t (0 off)", layout=w.Layout(width="11em"),
                                    style=style)
        self.max_suppression = w.BoundedFloatText(value=0.05, min=0.0, max=1.0, step=0.01,
                                                  description="max suppression",
                                                  layout=w.Layout(width="14em"), style=style)
        for widget in (self.k, self.l, self.t, self.max_suppression):
            widget.observe(self._targets_changed, names="value")
        self.suggest = w.Button(description="suggest", icon="magic",
                                tooltip="fill in the suggested recipe")
        self.suggest.add_class("anonlab-suggest")
        self.suggest.on_click(lambda _: panel.suggest())
        self.optimize = w.Button(description="optimize", icon="search",
                                 tooltip="search the least-loss generalization meeting the targets")
        self.optimize.add_class("anonlab-optimize")
        self.optimize.on_click(lambda _: panel.optimize(wait=False))
        self.progress = w.FloatProgress(value=0.0, min=0.0, max=1.0,
                                        layout=w.Layout(width="12em", visibility="hidden"))
        self.status = w.HTML()
        self.preview_column = w.Dropdown(options=list(panel.workspace.columns),
                                         description="preview", style=style,
                                         layout=w.Layout(width="auto"))
        self.preview_column.observe(lambda _: self.update_preview(), names="value")
        self.preview = w.HTML()
        self.preview.add_class("anonlab-preview")
        targets = w.HBox([w.HTML("<b>targets</b>"), self.k, self.l, self.t,
                          self.max_suppression], layout=w.Layout(align_items="center"))
        buttons = w.HBox([self.suggest, self.optimize, self.progress, self.status],
                         layout=w.Layout(align_items="center"))
        rows = w.VBox([c.widget for c in self.columns.values()],
                      layout=w.Layout(max_height="26em", overflow="auto"))
        self.widget = w.VBox([targets, buttons, rows, self.preview_column, self.preview])

    def _targets_changed(self, change: dict[str, Any]) -> None:
        if self._syncing:
            return
        self.panel.set_targets(
            k=self.k.value,
            l_diversity=self.l.value or None,
            t_closeness=self.t.value or None,
            max_suppression=self.max_suppression.value,
        )

    def set_status(self, text: str, kind: str = "info") -> None:
        """Show what the last action did."""
        self.status.value = message(text, kind)

    def sync(self) -> None:
        """Show the panel's current recipe."""
        recipe = self.panel.recipe
        for column, editor in self.columns.items():
            editor.sync(self.panel.state.transform_for(column))
        targets = recipe.targets
        self._syncing = True
        try:
            if targets is not None:
                self.k.value = targets.k or 1
                self.l.value = targets.l_diversity or 0
                self.t.value = targets.t_closeness or 0.0
                if targets.max_suppression is not None:
                    self.max_suppression.value = targets.max_suppression
        finally:
            self._syncing = False
        self.update_preview()

    def focus(self, column: str) -> None:
        """Preview ``column``."""
        if self.preview_column.value != column:
            self.preview_column.value = column  # updates the preview
        else:
            self.update_preview()

    def update_preview(self) -> None:
        """Redraw the before/after preview of the chosen column."""
        column = self.preview_column.value
        if column is None:
            self.preview.value = ""
            return
        p = self.panel.preview(column)
        before = [self.panel.shown(column, v) for v in p.before]
        if p.after is None:
            after: list[Any] = ["(column removed)"] * len(before)
        else:
            raw_kept = self.panel.state.transform_for(column) is None or (
                self.panel.state.transform_for(column).op == "keep"  # type: ignore[union-attr]
            )
            after = [self.panel.shown(column, v) if raw_kept else v for v in p.after]
        rows = [(i + 1, b, a) for i, (b, a) in enumerate(zip(before, after, strict=False))]
        html = table(("row", f"{column} before", f"{column} after"), rows)
        if p.error:
            html = message(p.error, "error") + html
        note = ("<div class='al-dim'>first rows of the random sample</div>"
                if self.panel.workspace.sampled else "")
        self.preview.value = html + note

"""The panel's recipe model: the current recipe, its history, undo and redo, change callbacks.

No widgets here: the model is plain Python, so scripts and tests drive it directly and the tabs
are views over it. A recipe is an immutable value; every change makes a new recipe and records
what changed in words (``"zip: generalize(keep=3) -> mask()"``).

The panel keeps one step per column (in the frame's column order), plus table-wide steps
(``column=None``, such as record suppression) at the end.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from anonlab.errors import ParameterError
from anonlab.recipe import Recipe, Step, Targets
from anonlab.transforms import Transform

__all__ = ["HistoryEntry", "RecipeState", "describe_change"]

ChangeCallback = Callable[[Recipe], Any]


@dataclass(frozen=True)
class HistoryEntry:
    """One recorded change: the recipe after it and what changed, in words."""

    recipe: Recipe
    label: str


def _step_text(step: Step | None) -> str:
    return "(none)" if step is None else step.transform.describe()


def describe_change(before: Recipe, after: Recipe) -> str:
    """What changed from ``before`` to ``after``, in a few words.

    Examples
    --------
    >>> from anonlab.transforms import Drop, Keep
    >>> describe_change(Recipe().then("ssn", Keep()), Recipe().then("ssn", Drop()))
    'ssn: keep() -> drop()'
    """
    old = {s.column: s for s in before.steps if s.column is not None}
    new = {s.column: s for s in after.steps if s.column is not None}
    parts = []
    for column in [*old, *(c for c in new if c not in old)]:
        a, b = old.get(column), new.get(column)
        if a is None or b is None or a.transform != b.transform:
            parts.append(f"{column}: {_step_text(a)} -> {_step_text(b)}")
    old_table = [s.transform.describe() for s in before.steps if s.column is None]
    new_table = [s.transform.describe() for s in after.steps if s.column is None]
    if old_table != new_table:
        parts.append(f"table steps: {', '.join(old_table) or '(none)'} -> "
                     f"{', '.join(new_table) or '(none)'}")
    if before.targets != after.targets:
        parts.append(f"targets: {_targets_text(before.targets)} -> {_targets_text(after.targets)}")
    if not parts:
        return "no change"
    if len(parts) > 3:
        return f"{len(parts)} changes: " + "; ".join(parts[:3]) + "; ..."
    return "; ".join(parts)


def _targets_text(targets: Targets | None) -> str:
    if targets is None:
        return "(none)"
    data = targets.to_dict()
    return ", ".join(
        f"{k}={len(v)} columns" if isinstance(v, list) else f"{k}={v}" for k, v in data.items()
    ) or "(none)"


class RecipeState:
    """The recipe being edited, with undo, redo and a history of what changed.

    Parameters
    ----------
    recipe : Recipe
        The starting recipe (history entry 0, labelled ``label``).
    columns : sequence of str, optional
        The frame's columns, in order: per-column steps are kept in this order.
    label : str, default "start"
        How the starting point reads in the history.

    Examples
    --------
    >>> from anonlab.transforms import Drop, Mask
    >>> state = RecipeState(Recipe(), columns=["name", "ssn"])
    >>> _ = state.set_transform("ssn", Mask())
    >>> _ = state.set_transform("name", Drop())
    >>> [s.column for s in state.recipe.steps]
    ['name', 'ssn']
    >>> _ = state.undo()
    >>> state.history_labels()
    ['start', 'ssn: (none) -> mask()']
    """

    def __init__(
        self, recipe: Recipe | None = None, *, columns: Sequence[str] = (), label: str = "start"
    ) -> None:
        recipe = Recipe() if recipe is None else recipe
        if not isinstance(recipe, Recipe):
            raise ParameterError(
                f"RecipeState takes an anonlab.Recipe. Got {type(recipe).__name__} instead."
            )
        self._columns = tuple(columns)
        self._entries: list[HistoryEntry] = [HistoryEntry(recipe, label)]
        self._position = 0
        self._callbacks: list[ChangeCallback] = []
        self._lock = threading.RLock()
        self._version = 0

    # -- reading ----------------------------------------------------------------------------------
    @property
    def recipe(self) -> Recipe:
        """The current recipe."""
        return self._entries[self._position].recipe

    @property
    def columns(self) -> tuple[str, ...]:
        """The frame's columns, in order."""
        return self._columns

    @property
    def history(self) -> tuple[HistoryEntry, ...]:
        """Every change up to the current recipe (entries undone are not included)."""
        return tuple(self._entries[: self._position + 1])

    def history_labels(self) -> list[str]:
        """The history as words, oldest first."""
        return [e.label for e in self.history]

    @property
    def can_undo(self) -> bool:
        """Whether there is a change to undo."""
        return self._position > 0

    @property
    def can_redo(self) -> bool:
        """Whether there is an undone change to redo."""
        return self._position < len(self._entries) - 1

    @property
    def version(self) -> int:
        """A number that changes with every change, undo and redo (for discarding stale work)."""
        return self._version

    def step_for(self, column: str) -> Step | None:
        """The step of ``column`` in the current recipe, if any."""
        return next((s for s in self.recipe.steps if s.column == column), None)

    def transform_for(self, column: str) -> Transform | None:
        """The transform applied to ``column``, if any."""
        step = self.step_for(column)
        return None if step is None else step.transform

    # -- callbacks --------------------------------------------------------------------------------
    def on_change(self, callback: ChangeCallback) -> Callable[[], None]:
        """Call ``callback(recipe)`` after every change, undo and redo.

        Returns
        -------
        callable
            Call it to remove the callback.
        """
        if not callable(callback):
            raise ParameterError(
                f"on_change takes a function of the new recipe. Got {type(callback).__name__}."
            )
        self._callbacks.append(callback)

        def remove() -> None:
            if callback in self._callbacks:
                self._callbacks.remove(callback)

        return remove

    def _notify(self) -> None:
        self._version += 1
        recipe = self.recipe
        for callback in list(self._callbacks):
            callback(recipe)

    # -- changing ---------------------------------------------------------------------------------
    def replace(self, recipe: Recipe, label: str | None = None) -> bool:
        """Make ``recipe`` the current one (a new history entry; redo is cleared).

        Returns
        -------
        bool
            False when ``recipe`` equals the current recipe (nothing is recorded).
        """
        if not isinstance(recipe, Recipe):
            raise ParameterError(
                f"replace takes an anonlab.Recipe. Got {type(recipe).__name__} instead."
            )
        with self._lock:
            current = self.recipe
            if recipe == current:
                return False
            text = label if label is not None else describe_change(current, recipe)
            del self._entries[self._position + 1 :]
            self._entries.append(HistoryEntry(recipe, text))
            self._position += 1
        self._notify()
        return True

    def set_transform(
        self, column: str, transform: Transform | None, note: str = "", label: str | None = None
    ) -> bool:
        """Apply ``transform`` to ``column`` (replacing its step), or remove the step (None)."""
        if transform is not None and not isinstance(transform, Transform):
            raise ParameterError(
                "set_transform takes an anonlab transform such as Mask() or Generalize(keep=3). "
                f"Got {type(transform).__name__} instead."
            )
        recipe = self.recipe
        old = self.step_for(column)
        if transform is not None and old is not None and old.transform == transform:
            return False
        if transform is not None and not note and old is not None and old.transform.op == (
            transform.op
        ):
            note = old.note
        new_step = None if transform is None else Step(column, transform, note)
        return self.replace(self._with_step(recipe, column, new_step), label)

    def set_targets(self, targets: Targets | None, label: str | None = None) -> bool:
        """Set the recipe's privacy targets."""
        return self.replace(dataclasses.replace(self.recipe, targets=targets), label)

    def merge(self, other: Recipe, label: str | None = None, *, targets: bool = False) -> bool:
        """Take ``other``'s steps over the current ones, column by column.

        Steps of columns ``other`` does not mention are kept; its table-wide steps replace the
        current table-wide steps of the same ops. With ``targets=True`` its targets are taken
        too (when it has any).
        """
        recipe = self.recipe
        table_ops = {s.transform.op for s in other.steps if s.column is None}
        steps = [s for s in recipe.steps if not (s.column is None and s.transform.op in table_ops)]
        merged = dataclasses.replace(recipe, steps=tuple(steps))
        for step in other.steps:
            if step.column is None:
                merged = dataclasses.replace(merged, steps=(*merged.steps, step))
            else:
                merged = self._with_step(merged, step.column, step)
        if targets and other.targets is not None:
            merged = dataclasses.replace(merged, targets=other.targets)
        return self.replace(merged, label)

    def _with_step(self, recipe: Recipe, column: str, step: Step | None) -> Recipe:
        steps = [s for s in recipe.steps if s.column != column]
        if step is not None:
            steps.append(step)
        return dataclasses.replace(recipe, steps=tuple(self._ordered(steps)))

    def _ordered(self, steps: Iterable[Step]) -> list[Step]:
        """Per-column steps in the column order (unknown columns after), table steps last."""
        order = {c: i for i, c in enumerate(self._columns)}
        steps = list(steps)
        per_column = [s for s in steps if s.column is not None]
        table = [s for s in steps if s.column is None]
        per_column.sort(key=lambda s: order.get(s.column or "", len(order)))
        return per_column + table

    def undo(self) -> bool:
        """Go back one change. Returns False when there is nothing to undo."""
        with self._lock:
            if not self.can_undo:
                return False
            self._position -= 1
        self._notify()
        return True

    def redo(self) -> bool:
        """Redo the last undone change. Returns False when there is nothing to redo."""
        with self._lock:
            if not self.can_redo:
                return False
            self._position += 1
        self._notify()
        return True

"""The panel's computations, without widgets: the working frame and its sample, previews, the risk
of a recipe, the anonymized result, and simple generalization hierarchies for the search.

The caller's frame is turned into polars once. Frames above ``sample`` rows are sampled once, at
random (seeded), for the interactive work (previews, risk, the search); the result and the export
always use the whole frame.

Key references that cannot be resolved yet (``env:ANONLAB_KEY`` unset) do not stop the panel:
previews and risk use a temporary in-memory key for this session and say so. The result and the
export use the recipe's own references, and fail with the key's message until it is set.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from anonlab.errors import AnonlabError, HierarchyError, ParameterError
from anonlab.frames import ingest
from anonlab.hierarchies import Hierarchy
from anonlab.jupyter.panel.options import TABLE_OPS
from anonlab.keys import Key, describe_key_ref, resolve_key
from anonlab.recipe import Recipe, Step, Targets
from anonlab.transforms import dtype_family

__all__ = ["Preview", "RiskResult", "Workspace"]


@dataclass(frozen=True)
class Preview:
    """The first rows of one column before and after its steps."""

    column: str
    before: tuple[Any, ...]
    after: tuple[Any, ...] | None  # None when the step removes the column
    error: str = ""


@dataclass(frozen=True)
class RiskResult:
    """The risk of one recipe as the panel shows it.

    Attributes
    ----------
    report : RiskReport or None
        None when the risk cannot be computed (``message`` says why).
    message : str
        Why there is no report.
    rows_used, rows_total : int
        Rows the risk was computed on, and rows of the frame.
    notes : tuple of str
        What the numbers leave out or assume (sampling, temporary keys, columns skipped).
    seconds : float
        Time taken.
    version : int
        The recipe state's version the result belongs to.
    """

    report: Any
    message: str
    rows_used: int
    rows_total: int
    notes: tuple[str, ...] = ()
    seconds: float = 0.0
    version: int = -1
    complete: bool = True

    @property
    def sampled(self) -> bool:
        """Whether the risk was computed on a sample."""
        return self.rows_used < self.rows_total


def _refs(step: Step) -> set[str]:
    t = step.transform
    out = set(getattr(t, "quasi_identifiers", ()) or ()) | set(getattr(t, "within", ()) or ())
    by = getattr(t, "by", None)
    if isinstance(by, str):
        out.add(by)
    return out


def _risk_steps(recipe: Recipe, wanted: Sequence[str]) -> tuple[list[Step], set[str] | None]:
    """The steps that can change the wanted columns or the rows, and the columns they need
    (None: every column, for a step with a free-form predicate)."""
    needed = set(wanted)
    while True:
        chosen = [
            s for s in recipe.steps
            if s.column is None or s.column in needed or s.transform.op in TABLE_OPS
        ]
        if any(getattr(s.transform, "where", None) for s in chosen):
            return list(recipe.steps), None
        refs = set().union(*(_refs(s) for s in chosen)) if chosen else set()
        if refs <= needed:
            return chosen, needed
        needed |= refs


class Workspace:
    """The frame the panel works on, and what it computes from recipes.

    Parameters
    ----------
    frame : pandas.DataFrame, polars.DataFrame, polars.LazyFrame or pyarrow.Table
        The caller's frame (never modified).
    sample : int
        Interactive work uses a random sample of this many rows above this size.
    seed : int
        Seed of the sample.
    """

    def __init__(self, frame: Any, *, sample: int = 200_000, seed: int = 0) -> None:
        if not isinstance(sample, int) or isinstance(sample, bool) or sample < 1:
            raise ParameterError(
                f"The 'sample' parameter of panel must be an int >= 1. Got {sample!r} instead."
            )
        self.frame = frame
        data, origin = ingest(frame, owner="panel")
        if isinstance(data, pl.LazyFrame):
            data = data.collect()
        self.data: pl.DataFrame = data
        self.origin = origin
        self.sample_size = sample
        self.rows = data.height
        if self.rows > sample:
            rng = np.random.default_rng(seed)
            picks = np.sort(rng.choice(self.rows, size=sample, replace=False))
            self.working = data[picks]
        else:
            self.working = data
        self._session_key = Key.generate()
        self._key_ok: dict[str, bool] = {}
        self._hierarchies: dict[str, Hierarchy | None] = {}
        self._stats: dict[str, dict[str, float]] = {}
        self._result: tuple[Recipe, Any] | None = None

    # -- facts ------------------------------------------------------------------------------------
    @property
    def columns(self) -> tuple[str, ...]:
        """The frame's columns."""
        return tuple(self.data.columns)

    @property
    def sampled(self) -> bool:
        """Whether interactive work runs on a sample."""
        return self.working.height < self.rows

    def dtype(self, column: str) -> pl.DataType:
        """The polars dtype of a column."""
        return self.data.schema[column]

    def stats(self, column: str) -> dict[str, float]:
        """``min``, ``max``, ``p05`` and ``p95`` of a number column (empty for others)."""
        if column not in self._stats:
            out: dict[str, float] = {}
            if dtype_family(self.dtype(column)) in ("integer", "float"):
                s = self.working.get_column(column).drop_nulls()
                if s.dtype.is_float():
                    s = s.filter(s.is_finite())
                if s.len():
                    for name, value in (
                        ("min", s.min()), ("max", s.max()),
                        ("p05", s.quantile(0.05, "nearest")),
                        ("p95", s.quantile(0.95, "nearest")),
                    ):
                        if value is not None:
                            out[name] = float(value)  # type: ignore[arg-type]
            self._stats[column] = out
        return self._stats[column]

    # -- keys -------------------------------------------------------------------------------------
    def _resolvable(self, ref: Any) -> bool:
        if isinstance(ref, Key) or ref is None:
            return True
        if ref not in self._key_ok:
            try:
                resolve_key(ref)
                self._key_ok[ref] = True
            except AnonlabError:
                self._key_ok[ref] = False
        return self._key_ok[ref]

    def forget_keys(self) -> None:
        """Look key references up again (after setting ``ANONLAB_KEY``, say)."""
        self._key_ok.clear()

    def preview_recipe(self, recipe: Recipe) -> tuple[Recipe, tuple[str, ...]]:
        """``recipe`` with unresolvable key references replaced by this session's temporary key.

        Returns
        -------
        recipe : Recipe
        replaced : tuple of str
            The references replaced (as written, never a key).
        """
        replaced: list[str] = []
        steps = []
        for step in recipe.steps:
            t = step.transform
            names = [f.name for f in dataclasses.fields(t) if f.name == "key"]
            ref = getattr(t, "key", None) if names else None
            if names and isinstance(ref, str) and not self._resolvable(ref):
                if describe_key_ref(ref) not in replaced:
                    replaced.append(describe_key_ref(ref))
                # a transform class with a key field (checked above); Transform itself has none
                keyed = dataclasses.replace(t, key=self._session_key)  # type: ignore[call-arg]
                step = dataclasses.replace(step, transform=keyed)
            steps.append(step)
        return dataclasses.replace(recipe, steps=tuple(steps)), tuple(replaced)

    # -- previews ---------------------------------------------------------------------------------
    def preview(self, recipe: Recipe, column: str, rows: int = 8) -> Preview:
        """The first ``rows`` values of ``column`` before and after its own steps.

        Taken from the working frame (the sample on a large frame), so that steps computed
        from the whole column (quantiles, microaggregation) show what they do.
        """
        before = tuple(self.working.get_column(column).head(rows).to_list())
        steps = [s for s in recipe.steps if s.column == column]
        if not steps:
            return Preview(column, before, before)
        sub, _ = self.preview_recipe(Recipe(steps=tuple(steps), seed=recipe.seed))
        needed = [column, *sorted(set().union(*(_refs(s) for s in steps)) - {column})]
        try:
            lf = sub.apply_lazy(self.working.lazy().select(needed))
            out = lf.head(rows).collect()
        except AnonlabError as exc:
            return Preview(column, before, None, error=str(exc))
        after = tuple(out.get_column(column).to_list()) if column in out.columns else None
        return Preview(column, before, after)

    # -- risk -------------------------------------------------------------------------------------
    def risk(self, recipe: Recipe, *, version: int = -1, complete: bool = True) -> RiskResult:
        """The risk of the working frame once ``recipe`` is applied to it.

        Only the steps that can change the quasi-identifiers, the sensitive columns or the rows
        run. Never raises for a recipe problem: the result's ``message`` says what is wrong.

        With ``complete=False``, sensitive columns are measured only when an l or t target needs
        them: the headline numbers (classes, risks, k) come several times faster, and a complete
        result can follow.
        """
        start = time.perf_counter()
        total, used = self.rows, self.working.height
        notes: list[str] = []
        if self.sampled:
            notes.append(
                f"Computed on a random sample of {used:,} of {total:,} rows "
                f"(panel sample={self.sample_size:,}); the export uses every row."
            )
        targets = recipe.targets or Targets()
        qis = list(targets.quasi_identifiers)
        sensitive = list(targets.sensitive_columns)

        needs_sensitive = (targets.l_diversity is not None or targets.t_closeness is not None
                           or any(m.sensitive_column for m in targets.privacy_models))
        if not complete and sensitive and not needs_sensitive:
            sensitive = []
            targets = dataclasses.replace(targets, sensitive=())
        else:
            complete = True

        def empty(message: str) -> RiskResult:
            return RiskResult(None, message, used, total, tuple(notes),
                              time.perf_counter() - start, version, True)

        if not qis:
            return empty(
                "No quasi-identifiers: give some columns the quasi-identifier role (Profile tab) "
                "to measure the re-identification risk."
            )
        missing = [c for c in (*qis, *sensitive) if c not in self.data.columns]
        if missing:
            return empty(f"The targets name columns the frame does not have: {missing}.")
        steps, needed = _risk_steps(recipe, [*qis, *sensitive])
        sub, replaced = self.preview_recipe(dataclasses.replace(recipe, steps=tuple(steps)))
        if replaced:
            notes.append(
                f"Key {', '.join(replaced)} is not available: this preview uses a temporary "
                "session key; set it before exporting."
            )
        frame = self.working
        if needed is not None:
            frame = frame.select([c for c in frame.columns if c in needed])
        try:
            out = sub.apply(frame)
        except AnonlabError as exc:
            return empty(f"The recipe cannot be applied: {exc}")
        report, message = self._assess(out, targets, notes)
        if report is None:
            return empty(message)
        return RiskResult(report, "", used, total, tuple(notes), time.perf_counter() - start,
                          version, complete)

    def report_for(self, frame: Any, recipe: Recipe) -> Any:
        """The RiskReport of an anonymized ``frame`` on ``recipe``'s targets (None without
        quasi-identifiers)."""
        targets = recipe.targets
        if targets is None or not targets.quasi_identifiers:
            return None
        data, _ = ingest(frame, owner="panel")
        if isinstance(data, pl.LazyFrame):
            data = data.collect()
        report, _ = self._assess(data, targets, [])
        return report

    def _assess(self, out: pl.DataFrame, targets: Targets, notes: list[str]) -> tuple[Any, str]:
        """Risk of an anonymized frame; notes what is left out. (None, why) when it cannot."""
        from anonlab.risk.report import assess_risk

        qis, sensitive = list(targets.quasi_identifiers), list(targets.sensitive_columns)
        kept_qis = [c for c in qis if c in out.columns]
        dropped = [c for c in qis if c not in out.columns]
        if dropped:
            notes.append(f"Dropped quasi-identifiers are left out: {', '.join(dropped)}.")
        if not kept_qis:
            return None, ("Every quasi-identifier is dropped: no record can be singled out "
                          "through them.")
        kept_sensitive = []
        for c in sensitive:
            if c not in out.columns:
                notes.append(f"Sensitive column {c} is dropped.")
                continue
            kept_sensitive.append(c)
        shorthand = [c for c in kept_sensitive if c in targets.sensitive]
        extra: dict[str, Any] = {} if shorthand else {"l_diversity": None, "t_closeness": None}
        extra["privacy_models"] = tuple(
            m for m in targets.privacy_models
            if m.sensitive_column is None or m.sensitive_column in kept_sensitive
        )
        models = dataclasses.replace(
            targets, quasi_identifiers=tuple(kept_qis), sensitive=tuple(shorthand), **extra
        )
        try:
            report = assess_risk(out, kept_qis, kept_sensitive, targets=models.models())
        except AnonlabError as exc:
            return None, f"The risk cannot be computed: {exc}"
        return report, ""

    # -- result -----------------------------------------------------------------------------------
    def result(self, recipe: Recipe) -> Any:
        """``recipe`` applied to the whole frame, as the caller's kind of frame (cached)."""
        if self._result is not None and self._result[0] == recipe:
            return self._result[1]
        out = recipe.apply(self.frame)
        self._result = (recipe, out)
        return out

    # -- hierarchies ------------------------------------------------------------------------------
    def hierarchy(self, column: str) -> Hierarchy | None:
        """A simple generalization hierarchy for ``column`` over all its values (cached).

        Numbers: nested intervals (widths w, 2w, 4w, 8w); dates: month, year, decade;
        same-length codes (ZIP): masking from the right; other strings: ordered groups of the
        sorted values. None when no simple hierarchy fits.
        """
        if column not in self._hierarchies:
            try:
                self._hierarchies[column] = self._build_hierarchy(column)
            except (HierarchyError, ParameterError):
                self._hierarchies[column] = None
        return self._hierarchies[column]

    def hierarchies(self, columns: Sequence[str]) -> dict[str, Hierarchy]:
        """The hierarchies of ``columns`` that have one."""
        out = {}
        for c in columns:
            h = self.hierarchy(c)
            if h is not None:
                out[c] = h
        return out

    def _build_hierarchy(self, column: str) -> Hierarchy | None:
        s = self.data.get_column(column).drop_nulls()
        family = dtype_family(s.dtype)
        if s.len() == 0:
            return None
        if family in ("integer", "float"):
            if s.dtype.is_float():
                s = s.filter(s.is_finite())
            values = s.unique()
            lo, hi = float(values.min()), float(values.max())  # type: ignore[arg-type]
            from anonlab.jupyter.panel.options import _nice

            width = _nice((hi - lo) / 16 if hi > lo else 1.0)
            if family == "integer":
                width = max(1.0, float(math.ceil(width)))
            widths = [width * m for m in (1, 2, 4, 8)]
            if family == "integer":
                widths = [int(w) for w in widths]
            return Hierarchy.intervals(values, widths, column=column)
        if family == "temporal":
            if not isinstance(s.dtype, pl.Datetime):
                return Hierarchy.dates(s.unique(), column=column)
            # A Datetime (pandas datetime64) is matched by its string form: map each one to the
            # levels of its date.
            moments = s.unique()
            by_date = Hierarchy.dates(moments.dt.date().unique())
            texts = moments.cast(pl.String).to_list()
            days = moments.dt.date().cast(pl.String).to_list()
            mapping = {t: by_date.levels(d)[1:] for t, d in zip(texts, days, strict=True)}
            return Hierarchy.from_mapping(mapping, column=column)
        if family == "boolean":
            return Hierarchy.ordered_groups(["false", "true"], [2], column=column)
        if family != "string":
            return None
        values = s.cast(pl.String).unique().sort()
        lengths = values.str.len_chars()
        if lengths.min() == lengths.max() and 2 <= (lengths.max() or 0) <= 12:  # type: ignore[operator]
            return Hierarchy.masking(values, column=column)
        n = values.len()
        size = max(2, math.ceil(n ** (1 / 3)))
        try:
            return Hierarchy.ordered_groups(values, [size, size], column=column)
        except HierarchyError:
            return Hierarchy.masking(values, column=column)

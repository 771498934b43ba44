"""Recipes: ordered, named steps that anonymize a frame reproducibly.

A recipe is a value: steps (a column and the transform applied to it) and optional privacy
targets for the risk and search modules. It reads and writes YAML and JSON, rebuilds itself as
Python source (:meth:`Recipe.to_python`), and applies to any frame kind as one lazy polars query.
Random steps draw keyed randomness that a recipient holding the recipe cannot replay
(:mod:`anonlab.randomness`); a ``seed`` makes them replayable, for tests only.

The file format is versioned by an integer ``format_version`` (the package version does not
matter). A step is flat: ``column``, an optional ``note``, the transform's ``op`` and its
parameters::

    format_version: 1
    name: patients for the registry
    steps:
      - column: ssn
        op: hash
        key: env:ANONLAB_KEY
        length: 16
      - column: zip
        op: generalize
        keep: 3
    targets:
      quasi_identifiers: [zip, date_of_birth, sex]
      k: 5

Unknown fields and unknown ops fail at load with the path to the bad key
(``steps[1].op: unknown transform 'generalise'. Did you mean 'generalize'?``); a file written by a
newer anonlab says to upgrade. A recipe never holds a key, only references to one.

A recipe may come from someone else, so the names in it that become paths are confined: a
``hierarchy:`` file name is relative to the working folder (or ``base_dir=``), without ``..``,
absolute paths or links, and a ``lookup:`` table name is a plain file name
(:mod:`anonlab._paths`).

Older anonlab versions wrote ``seed: 0`` into every recipe; such a file still reads, and its seed
makes the recipe's random steps replayable (tests only): delete the line before exporting.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import polars as pl

from anonlab._plaintext import dump_yaml, load_json, load_yaml
from anonlab._validation import check_int, fresh_name
from anonlab.errors import (
    AnonlabError,
    ColumnNotFoundError,
    ParameterError,
    RecipeError,
    UnsafePathError,
    strip_polars_context,
)
from anonlab.frames import FrameKind, ingest, restore
from anonlab.keys import Key
from anonlab.randomness import record_fingerprint
from anonlab.transforms import Context, Transform, transform_from_dict

if TYPE_CHECKING:
    from anonlab.risk.models import PrivacyModel

__all__ = ["FORMAT_VERSION", "Recipe", "Step", "Targets"]

FORMAT_VERSION = 1
"""The recipe file format this anonlab writes and the newest it reads."""

_ROW = "__anonlab_row"
_RECORD = "__anonlab_record"


def _names(value: Any, name: str, owner: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = (value,)
    if not isinstance(value, Iterable) or not all(isinstance(v, str) for v in value):
        raise ParameterError(
            f"The {name!r} parameter of {owner} must be a list of column names. "
            f"Got {value!r} instead."
        )
    out = tuple(value)
    if len(set(out)) != len(out):
        raise ParameterError(f"The {name!r} parameter of {owner} names a column twice.")
    return out


@dataclass(frozen=True)
class Targets:
    """Privacy targets a recipe should meet, checked by the risk module and used by the search.

    ``k``, ``l_diversity`` and ``t_closeness`` are shorthands for the common targets;
    ``privacy_models`` holds any other registered privacy model (entropy or recursive
    l-diversity, beta-likeness, a t-closeness with its own distance...). :meth:`models` gives
    them all, and a recipe file keeps them all::

        targets:
          quasi_identifiers: [age, zip]
          sensitive: [diagnosis]
          k: 5
          privacy_models:
            - {model: l_diversity, column: diagnosis, l: 2, variant: entropy}

    Parameters
    ----------
    quasi_identifiers : sequence of str
        Columns an attacker may know (they define the equivalence classes).
    sensitive : sequence of str
        Columns whose values must not be inferred: the ``l_diversity`` and ``t_closeness``
        shorthands apply to each. (A model of ``privacy_models`` names its own column; see
        :attr:`sensitive_columns`.)
    k : int, optional
        k-anonymity: every class holds at least k records.
    l_diversity : int, optional
        Distinct l-diversity on each sensitive column.
    t_closeness : float, optional
        t-closeness on each sensitive column (0 < t <= 1).
    max_suppression : float, optional
        Largest share of records that may be suppressed to meet the targets (0..1).
    privacy_models : sequence of PrivacyModel (or their plain data), optional
        Further targets, any model of :func:`anonlab.risk.registered_models`.
    """

    quasi_identifiers: tuple[str, ...] = ()
    sensitive: tuple[str, ...] = ()
    k: int | None = None
    l_diversity: int | None = None
    t_closeness: float | None = None
    max_suppression: float | None = None
    privacy_models: tuple[PrivacyModel, ...] = ()

    def __post_init__(self) -> None:
        owner = "Targets"
        object.__setattr__(
            self, "quasi_identifiers", _names(self.quasi_identifiers, "quasi_identifiers", owner)
        )
        object.__setattr__(self, "sensitive", _names(self.sensitive, "sensitive", owner))
        check_int(self.k, "k", owner, min_value=1, allow_none=True)
        check_int(self.l_diversity, "l_diversity", owner, min_value=1, allow_none=True)
        for name, value, low_open in (
            ("t_closeness", self.t_closeness, True),
            ("max_suppression", self.max_suppression, False),
        ):
            if value is None:
                continue
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            ok = ok and (0 < value <= 1 if low_open else 0 <= value <= 1)
            if not ok:
                bound = "in (0, 1]" if low_open else "in [0, 1]"
                raise ParameterError(
                    f"The {name!r} parameter of Targets must be a number {bound}. "
                    f"Got {value!r} instead."
                )
        if (self.l_diversity or self.t_closeness) and not self.sensitive:
            raise ParameterError(
                "Targets with l_diversity or t_closeness need the sensitive columns they protect: "
                "pass sensitive=[...]."
            )
        models = _privacy_models(self.privacy_models)
        object.__setattr__(self, "privacy_models", models)
        for m in models:
            column = m.sensitive_column
            if column is not None and column in self.quasi_identifiers:
                raise ParameterError(
                    f"Targets: {column!r} is both a quasi-identifier and the sensitive column of "
                    f"{m.describe()}. Choose one role."
                )

    @property
    def sensitive_columns(self) -> tuple[str, ...]:
        """Every sensitive column a target is about: ``sensitive``, then those of
        ``privacy_models`` (what :func:`anonlab.assess_risk` needs as ``sensitive``)."""
        extra = (m.sensitive_column for m in self.privacy_models if m.sensitive_column)
        return tuple(dict.fromkeys((*self.sensitive, *extra)))

    def models(self) -> list[PrivacyModel]:
        """Every target as a privacy model: k-anonymity, distinct l-diversity and t-closeness
        on each sensitive column (from the shorthands), then ``privacy_models``; each once.
        What :func:`anonlab.assess_risk` and :func:`anonlab.optimize` take as ``targets``."""
        from anonlab.risk.models import KAnonymity, LDiversity, TCloseness

        out: list[PrivacyModel] = [] if self.k is None else [KAnonymity(self.k)]
        for s in self.sensitive:
            if self.l_diversity is not None:
                out.append(LDiversity(s, self.l_diversity))
            if self.t_closeness is not None:
                out.append(TCloseness(s, self.t_closeness))
        return list(dict.fromkeys((*out, *self.privacy_models)))

    def to_dict(self) -> dict[str, Any]:
        """Plain data, leaving out what is unset (each privacy model as its own plain data)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value in ((), None):
                continue
            if f.name == "privacy_models":
                value = [m.to_dict() for m in value]
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def from_dict(cls, data: Any, *, path: str = "targets") -> Targets:
        """Build from plain data; unknown keys fail with their path."""
        from anonlab.risk.models import model_from_dict

        if not isinstance(data, Mapping):
            raise RecipeError(f"targets must be a mapping, not a {type(data).__name__}", path=path)
        known = {f.name for f in dataclasses.fields(cls)}
        for key in data:
            if key not in known:
                raise RecipeError(
                    f"unknown target (known: {', '.join(sorted(known))})", path=f"{path}.{key}"
                )
        params = dict(data)
        raw = params.get("privacy_models")
        if raw is not None:
            if not isinstance(raw, list):
                raise RecipeError("must be a list of privacy models",
                                  path=f"{path}.privacy_models")
            params["privacy_models"] = tuple(
                model_from_dict(m, path=f"{path}.privacy_models[{i}]") for i, m in enumerate(raw)
            )
        try:
            return cls(**params)
        except ParameterError as exc:
            raise RecipeError(str(exc), path=path) from None


def _privacy_models(value: Any) -> tuple[PrivacyModel, ...]:
    """The ``privacy_models`` of Targets as model objects (plain data is decoded)."""
    from anonlab.risk.models import PrivacyModel, model_from_dict

    wanted = "a list of privacy models (anonlab.LDiversity('disease', 2, 'entropy'), ...)"
    if value is None:
        return ()
    if isinstance(value, PrivacyModel | Mapping):
        value = (value,)
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ParameterError(
            f"The 'privacy_models' parameter of Targets must be {wanted}. Got "
            f"{type(value).__name__} instead."
        )
    out = []
    for i, m in enumerate(value):
        if isinstance(m, Mapping):
            try:
                m = model_from_dict(m, path=f"privacy_models[{i}]")
            except RecipeError as exc:
                raise ParameterError(f"The 'privacy_models' parameter of Targets: {exc}") from None
        if not isinstance(m, PrivacyModel):
            raise ParameterError(
                f"The 'privacy_models' parameter of Targets must be {wanted}. Got a "
                f"{type(m).__name__} at position {i} instead."
            )
        out.append(m)
    return tuple(dict.fromkeys(out))


@dataclass(frozen=True)
class Step:
    """One step of a recipe: apply ``transform`` to ``column``.

    Parameters
    ----------
    column : str or None
        The column the step changes. Transforms over several columns (record suppression on
        quasi-identifiers) name their columns themselves; their step's column may be None.
    transform : Transform
        What to do.
    note : str
        Why, in words (kept in the recipe file and shown in summaries).
    """

    column: str | None
    transform: Transform
    note: str = ""

    def __post_init__(self) -> None:
        if self.column is not None and not isinstance(self.column, str):
            raise ParameterError(
                f"The 'column' parameter of Step must be a column name (str) or None. "
                f"Got {self.column!r} instead."
            )
        if not isinstance(self.transform, Transform):
            raise ParameterError(
                "The 'transform' parameter of Step must be an anonlab transform such as "
                f"Hash() or Generalize(keep=3). Got {type(self.transform).__name__} instead."
            )
        if not isinstance(self.note, str):
            raise ParameterError(f"The 'note' parameter of Step must be a str. Got {self.note!r}.")

    @property
    def target_column(self) -> str:
        """The column handed to the transform (its first own column when ``column`` is None)."""
        if self.column is not None:
            return self.column
        own = getattr(self.transform, "quasi_identifiers", None) or ()
        return own[0] if own else ""

    def to_dict(self) -> dict[str, Any]:
        """Plain data: ``column``, ``note`` (if any), then the transform's ``op`` and parameters."""
        out: dict[str, Any] = {"column": self.column}
        if self.note:
            out["note"] = self.note
        out.update(self.transform.to_dict())
        return out

    @classmethod
    def from_dict(
        cls, data: Any, *, path: str = "step", base_dir: str | os.PathLike[str] | None = None
    ) -> Step:
        """Build from plain data (see the module docstring for the layout).

        A ``hierarchy`` given as a file name is confined to ``base_dir`` (default: the working
        folder): a relative path without ``..`` or links (:func:`anonlab._paths.safe_relative`).
        """
        if not isinstance(data, Mapping):
            raise RecipeError(f"a step is a mapping, not a {type(data).__name__}", path=path)
        if "column" not in data:
            raise RecipeError("a step needs a 'column' (null for multi-column steps)", path=path)
        column = data["column"]
        if column is not None and not isinstance(column, str):
            raise RecipeError("must be a column name or null", path=f"{path}.column")
        note = data.get("note", "")
        if not isinstance(note, str):
            raise RecipeError("must be text", path=f"{path}.note")
        params = {k: v for k, v in data.items() if k not in ("column", "note")}
        if isinstance(params.get("hierarchy"), str):
            from anonlab._paths import safe_relative

            base = Path(base_dir) if base_dir is not None else Path.cwd()
            try:
                params["hierarchy"] = str(safe_relative(base, params["hierarchy"],
                                                        "the hierarchy file"))
            except UnsafePathError as exc:
                raise RecipeError(str(exc), path=f"{path}.hierarchy") from None
        return cls(column, transform_from_dict(params, path=path), note)


@dataclass(frozen=True)
class Recipe:
    """An ordered list of steps and optional privacy targets.

    Build one directly, with :meth:`then`, from a file (:meth:`from_yaml`, :meth:`from_json`),
    or from a profile with :func:`anonlab.suggest_recipe`. Recipes are immutable values:
    :meth:`then` returns a new recipe.

    Parameters
    ----------
    steps : sequence of Step
    targets : Targets, optional
    seed : int, optional
        A public seed for the random steps that have neither a key nor a seed of their own, for
        reproducible tests only: anyone holding the recipe can replay their draws, so
        :func:`anonlab.export` refuses a release made with one. Without it those steps draw
        fresh randomness every run (give a step ``key=`` for reproducible secret randomness).
    name, description : str

    Examples
    --------
    >>> import anonlab
    >>> from anonlab.transforms import Drop, Generalize
    >>> recipe = anonlab.Recipe().then("name", Drop()).then("zip", Generalize(keep=3))
    >>> [s.transform.op for s in recipe.steps]
    ['drop', 'generalize']
    """

    steps: tuple[Step, ...] = ()
    targets: Targets | None = None
    seed: int | None = None
    name: str = ""
    description: str = ""
    format_version: ClassVar[int] = FORMAT_VERSION

    def __post_init__(self) -> None:
        steps = tuple(self.steps)
        for i, s in enumerate(steps):
            if not isinstance(s, Step):
                raise ParameterError(
                    f"Recipe steps must be anonlab.Step objects; step {i} is a "
                    f"{type(s).__name__}. Use Step(column, transform) or Recipe.then()."
                )
        object.__setattr__(self, "steps", steps)
        if self.targets is not None and not isinstance(self.targets, Targets):
            raise ParameterError("The 'targets' parameter of Recipe must be an anonlab.Targets.")
        check_int(self.seed, "seed", "Recipe", min_value=0, allow_none=True)
        for name in ("name", "description"):
            if not isinstance(getattr(self, name), str):
                raise ParameterError(f"The {name!r} parameter of Recipe must be a str.")

    # -- building ------------------------------------------------------------------------------
    def then(self, column: str | None, transform: Transform, note: str = "") -> Recipe:
        """A new recipe with one more step at the end."""
        return dataclasses.replace(self, steps=(*self.steps, Step(column, transform, note)))

    def with_targets(self, targets: Targets | None = None, **kwargs: Any) -> Recipe:
        """A new recipe with these targets (a Targets, or its parameters as keywords)."""
        if targets is None:
            targets = Targets(**kwargs)
        return dataclasses.replace(self, targets=targets)

    def __len__(self) -> int:
        return len(self.steps)

    # -- applying ------------------------------------------------------------------------------
    def apply(
        self,
        frame: Any,
        *,
        side_outputs: dict[str, pl.DataFrame] | None = None,
        release: str | None = None,
    ) -> Any:
        """Apply the recipe; returns the kind of frame it was given.

        A polars LazyFrame stays lazy (nothing runs until you collect or sink it); other kinds
        are computed in one lazy polars query and handed back as the same kind, pandas with its
        index (for rows that survive). The input is never modified.

        Parameters
        ----------
        frame : pandas.DataFrame, polars.DataFrame, polars.LazyFrame or pyarrow.Table
        side_outputs : dict, optional
            Receives tables steps produce beside the data (a pseudonym lookup table, a local
            suppression summary), by name. They exist only where you ask for them.
        release : str, optional
            The token scope (see :attr:`anonlab.transforms.Context.release`):
            ``"release:<license id>"`` reproduces the tokens of a release made by
            :func:`anonlab.export`, ``"family:<name>"`` those of a declared family of linkable
            releases. By default tokens use the master keys themselves.

        Raises
        ------
        ColumnNotFoundError
            A step names a column the frame (at that step) does not have.
        TransformError
            A transform cannot handle its column's dtype.
        SecretKeyError
            A key reference cannot be resolved.
        """
        data, origin = ingest(frame, owner="Recipe.apply")
        track_rows = origin.kind is FrameKind.PANDAS
        lf = data.lazy()
        row = fresh_name(origin.columns, _ROW)
        if track_rows:
            lf = lf.with_row_index(row)
        lf = self.plan(lf, side_outputs, hidden=(row,) if track_rows else (), release=release)
        if origin.kind is FrameKind.LAZY:
            return restore(lf, origin)
        try:
            result = lf.collect()
        except AnonlabError as exc:  # a check inside the query (a value out of range)
            raise strip_polars_context(exc) from None
        rows = None
        if track_rows:
            rows = result.get_column(row).to_numpy()
            result = result.drop(row)
        return restore(result, origin, rows=rows)

    def apply_lazy(
        self,
        lf: pl.LazyFrame,
        *,
        side_outputs: dict[str, pl.DataFrame] | None = None,
        release: str | None = None,
    ) -> pl.LazyFrame:
        """The recipe as a lazy query over ``lf`` (for streaming to a file with ``sink_*``)."""
        if not isinstance(lf, pl.LazyFrame):
            raise ParameterError(
                f"apply_lazy takes a polars LazyFrame. Got {type(lf).__name__}; use apply()."
            )
        return self.plan(lf, side_outputs, hidden=(), release=release)

    def suppressions(self) -> dict[str, tuple[int, ...]]:
        """Provenance of suppressed cells: each column some step may suppress cells of (write
        null or ``*``, the one suppression mark of :mod:`anonlab.suppressed`), with the
        positions of those steps (0-based)."""
        out: dict[str, list[int]] = {}
        for i, step in enumerate(self.steps):
            if step.transform.linkage != "suppress":
                continue
            own = tuple(getattr(step.transform, "quasi_identifiers", ()) or ())
            for column in ((step.column,) if step.column is not None else ()) + own:
                out.setdefault(column, []).append(i)
        return {c: tuple(v) for c, v in out.items()}

    @property
    def random_steps(self) -> tuple[int, ...]:
        """Positions of the steps that draw secret randomness (noise, PRAM, shuffle, ...)."""
        return tuple(i for i, s in enumerate(self.steps) if s.transform.random)

    def plan(
        self,
        lf: pl.LazyFrame,
        side_outputs: dict[str, pl.DataFrame] | None = None,
        *,
        hidden: tuple[str, ...] = (),
        release: str | None = None,
        attacker: bool = False,
    ) -> pl.LazyFrame:
        """The recipe as a lazy query over ``lf``, carrying the ``hidden`` columns through.

        For the engine's callers (:func:`anonlab.export`, the attacks of
        :mod:`anonlab.evidence`): ``hidden`` columns (a row number) are not data, are never
        named in messages and take no part in the records' fingerprints; ``release`` is the
        token scope; ``attacker`` runs as a recipient without the secrets would (every key
        resolves to a random key of the attacker's own).
        """
        schema = lf.collect_schema()
        record = None
        if self.random_steps:
            # each input record's fingerprint keys the draws of every random step (hidden)
            record = fresh_name(schema.names(), _RECORD)
            data = [c for c in schema.names() if c not in hidden]
            lf = lf.with_columns(record_fingerprint(data, schema).alias(record))
            hidden = (*hidden, record)
            schema = lf.collect_schema()
        originals: dict[str, str] = {}
        for i, step in enumerate(self.steps):
            for name in step.transform.reads():
                if name not in schema or name in hidden:
                    where = f"step {i + 1}, {step.transform.op}"
                    visible = [c for c in schema.names() if c not in hidden]
                    raise ColumnNotFoundError(name, visible, where=where)
                if name not in originals:
                    # the values the step reads, as they were before any step ran (hidden)
                    originals[name] = fresh_name([*schema.names(), *originals.values()],
                                                 f"__anonlab_original_{name}")
        if originals:
            lf = lf.with_columns(pl.col(c).alias(h) for c, h in originals.items())
            hidden = (*hidden, *originals.values())
            schema = lf.collect_schema()
        ctx = Context(schema=schema, seed=self.seed, release=release, row_id=record,
                      attacker=attacker, hidden=hidden, originals=originals)
        seen: Counter[tuple[str, str]] = Counter()
        for i, step in enumerate(self.steps):
            ctx.step = i
            column = step.target_column
            ctx.occurrence = seen[(step.transform.op, column)]
            seen[(step.transform.op, column)] += 1
            visible = [c for c in schema.names() if c not in hidden]
            needed = [step.column] if step.column is not None else []
            needed += list(getattr(step.transform, "quasi_identifiers", ()) or ())
            by = getattr(step.transform, "by", None)
            if isinstance(by, str):
                needed.append(by)
            for name in needed:
                if name not in schema or name in hidden:
                    where = f"step {i + 1}, {step.transform.op}"
                    raise ColumnNotFoundError(name, visible, where=where)
            if step.column is not None:
                step.transform.check_input(step.column, schema[step.column])
            ctx.schema = schema
            lf = step.transform.apply(lf, column, ctx)
            # the schema each step leaves is derived from the step alone where it can be:
            # collecting the schema of the growing plan after every step made a recipe of n
            # steps cost O(n^2) (issue 13); frame steps that cannot say collect it
            after = step.transform.schema_after(schema, column, ctx)
            if after is None:
                after = lf.collect_schema()
            if after != schema:  # else the same object stays, and so does its empty frame
                schema = after
        if record is not None:
            lf = lf.drop(record)
        if originals:
            lf = lf.drop(list(originals.values()))
        if side_outputs is not None:
            side_outputs.update(ctx.side_outputs)
        return lf

    # -- plain data ----------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain data (see the module docstring for the layout)."""
        out: dict[str, Any] = {"format_version": FORMAT_VERSION}
        if self.name:
            out["name"] = self.name
        if self.description:
            out["description"] = self.description
        if self.seed is not None:
            out["seed"] = self.seed
        steps = []
        for i, s in enumerate(self.steps):
            try:
                steps.append(s.to_dict())
            except RecipeError as exc:
                raise RecipeError(str(exc), path=f"steps[{i}]") from None
        out["steps"] = steps
        if self.targets is not None:
            out["targets"] = self.targets.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: Any, *, base_dir: str | os.PathLike[str] | None = None) -> Recipe:
        """Build a recipe from plain data, checking every key.

        Parameters
        ----------
        data : mapping
        base_dir : path-like, optional
            The folder a ``hierarchy:`` file name is read from (default: the working folder). A
            recipe names files inside it only: no absolute path, ``..`` or link.
        """
        if not isinstance(data, Mapping):
            raise RecipeError(
                f"a recipe is a mapping with 'steps', not a {type(data).__name__}", path="recipe"
            )
        known = {"format_version", "name", "description", "seed", "steps", "targets"}
        for key in data:
            if key not in known:
                raise RecipeError(
                    f"unknown field (a recipe has: {', '.join(sorted(known))})", path=str(key)
                )
        version = data.get("format_version", FORMAT_VERSION)
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise RecipeError("must be a positive integer", path="format_version")
        if version > FORMAT_VERSION:
            raise RecipeError(
                f"this recipe was written in format {version} by a newer anonlab, which reads "
                f"formats up to {FORMAT_VERSION}; upgrade anonlab (pip install -U anonlab)",
                path="format_version",
            )
        raw_steps = data.get("steps", [])
        if not isinstance(raw_steps, list):
            raise RecipeError("must be a list of steps", path="steps")
        steps = tuple(Step.from_dict(s, path=f"steps[{i}]", base_dir=base_dir)
                      for i, s in enumerate(raw_steps))
        targets = None
        if data.get("targets") is not None:
            targets = Targets.from_dict(data["targets"])
        try:
            return cls(
                steps=steps,
                targets=targets,
                seed=data.get("seed"),
                name=data.get("name", ""),
                description=data.get("description", ""),
            )
        except ParameterError as exc:
            raise RecipeError(str(exc), path="recipe") from None

    def to_json(self, *, indent: int | None = 2) -> str:
        """The recipe as JSON text."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(
        cls, text: str | bytes, *, base_dir: str | os.PathLike[str] | None = None
    ) -> Recipe:
        """Read a recipe from JSON text (a key given twice is an error; ``base_dir`` as for
        :meth:`from_dict`)."""
        try:
            data = load_json(text)
        except ValueError as exc:
            raise RecipeError(f"not valid JSON: {exc}", path="recipe") from None
        return cls.from_dict(data, base_dir=base_dir)

    def to_yaml(self) -> str:
        """The recipe as YAML text (block style, keys in a readable order)."""
        return dump_yaml(self.to_dict())

    @classmethod
    def from_yaml(
        cls, text: str | bytes, *, base_dir: str | os.PathLike[str] | None = None
    ) -> Recipe:
        """Read a recipe from YAML text (plain data only; a key given twice is an error;
        ``base_dir`` as for :meth:`from_dict`)."""
        try:
            data = load_yaml(text)
        except ValueError as exc:
            raise RecipeError(f"not valid YAML: {exc}", path="recipe") from None
        return cls.from_dict(data, base_dir=base_dir)

    # -- code ----------------------------------------------------------------------------------
    def to_python(self) -> str:
        """Python source that rebuilds this recipe (``recipe = ...``).

        Raises
        ------
        RecipeError
            A step holds an in-memory :class:`~anonlab.Key`, which source code cannot reference.
        """
        self.to_dict()  # same refusal of in-memory keys as a file
        imports: dict[str, set[str]] = {"anonlab": set()}
        lines = ["recipe = anonlab.Recipe("]
        if self.name:
            lines.append(f"    name={self.name!r},")
        if self.description:
            lines.append(f"    description={self.description!r},")
        lines.append("    steps=[")
        for s in self.steps:
            code = _transform_code(s.transform, imports)
            note = f", note={s.note!r}" if s.note else ""
            lines.append(f"        anonlab.Step({s.column!r}, {code}{note}),")
        lines.append("    ],")
        if self.targets is not None:
            args = []
            for k, v in self.targets.to_dict().items():
                if k == "privacy_models":
                    code = _value_code(self.targets.privacy_models, imports)
                else:
                    code = repr(tuple(v) if isinstance(v, list) else v)
                args.append(f"{k}={code}")
            lines.append(f"    targets=anonlab.Targets({', '.join(args)}),")
        if self.seed is not None:
            lines.append(f"    seed={self.seed},")
        lines.append(")")
        head = ["import anonlab"]
        for module, names in sorted(imports.items()):
            if module != "anonlab" and names:
                head.append(f"from {module} import {', '.join(sorted(names))}")
        return "\n".join(head) + "\n\n" + "\n".join(lines) + "\n"

    def summary(self) -> str:
        """One line per step, for display."""
        lines = [f"Recipe{f' {self.name!r}' if self.name else ''}: {len(self.steps)} steps"]
        for i, s in enumerate(self.steps):
            where = s.column if s.column is not None else "(table)"
            note = f"  # {s.note}" if s.note else ""
            lines.append(f"  {i + 1}. {where}: {s.transform.describe()}{note}")
        if self.targets is not None:
            lines.append(f"  targets: {self.targets.to_dict()}")
        return "\n".join(lines)


def _transform_code(t: Any, imports: dict[str, set[str]]) -> str:
    """A transform or privacy model (a dataclass) as a constructor call."""
    cls = type(t)
    module = "anonlab.transforms" if _exported(cls) else cls.__module__
    imports.setdefault(module, set()).add(cls.__name__)
    args = []
    for f in dataclasses.fields(t):
        value = getattr(t, f.name)
        if f.default is not dataclasses.MISSING and value == f.default:
            continue
        args.append(f"{f.name}={_value_code(value, imports)}")
    return f"{cls.__name__}({', '.join(args)})"


def _exported(cls: type) -> bool:
    import anonlab.transforms as package

    return getattr(package, cls.__name__, None) is cls


def _value_code(value: Any, imports: dict[str, set[str]]) -> str:
    from anonlab.risk.models import PrivacyModel

    if isinstance(value, Key):  # to_dict() refused it already; kept for safety
        raise RecipeError("an in-memory Key cannot be written as code")
    if isinstance(value, PrivacyModel):
        return _transform_code(value, imports)
    if hasattr(value, "to_dict") and hasattr(type(value), "from_dict"):
        cls = type(value)
        imports.setdefault(cls.__module__, set()).add(cls.__name__)
        return f"{cls.__name__}.from_dict({value.to_dict()!r})"
    if isinstance(value, tuple):
        inner = ", ".join(_value_code(v, imports) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    return repr(value)

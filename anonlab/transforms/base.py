"""The base of every transform, the context it runs in, and its plain-data form.

A transform is a frozen, keyword-only dataclass whose fields are its whole configuration: what
you construct is what ``repr`` shows and what a recipe file holds. It has a registered name
(``op``) and works in one of two scopes:

``"row"``
    :meth:`Transform.expr` returns a polars expression computing the new value of the column from
    the row (mask, hash, generalize, noise). Row steps fuse into one lazy query.
``"frame"``
    :meth:`Transform.apply` rewrites the whole (lazy) frame, for work that needs the whole table
    (suppressing small classes, microaggregation, shuffling).

Parameters are validated at construction (:meth:`Transform.validate`) with the house message
shape; a dtype the transform cannot handle is refused when the step meets the column
(:meth:`Transform.check_input`), naming the column.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import polars as pl

from anonlab._validation import dtype_name
from anonlab.errors import ParameterError, RecipeError, TransformError
from anonlab.keys import Key, KeyRef, describe_key_ref, resolve_key
from anonlab.randomness import Draws, derive_key, fresh_secret, record_fingerprint, seed_secret

__all__ = ["Context", "Transform", "dtype_family"]

_TOKEN_SALT = b"anonlab/tokens/v1"

Family = Literal["string", "integer", "float", "decimal", "temporal", "boolean", "other"]
Linkage = Literal["recompute", "suppress", "tolerance", "nearest", "exact", "hidden"]


def dtype_family(dtype: pl.DataType) -> Family:
    """The family a polars dtype belongs to, as transforms declare what they accept."""
    if isinstance(dtype, type):  # a dtype class such as pl.Categorical
        dtype = dtype()
    if dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum):
        return "string"
    if dtype.is_integer():
        return "integer"
    if dtype.is_float():
        return "float"
    if dtype.is_decimal():
        return "decimal"
    if dtype == pl.Date or isinstance(dtype, pl.Datetime):
        return "temporal"
    if dtype == pl.Boolean:
        return "boolean"
    return "other"


@dataclass
class Context:
    """What a transform may need while it runs, besides its own parameters.

    Attributes
    ----------
    schema : polars.Schema
        The schema of the frame as the step sees it.
    seed : int or None
        The recipe's test seed: random steps without a key or seed of their own draw from it,
        replayably (see :mod:`anonlab.randomness`). None (the default) means fresh randomness.
    step : int
        The position of the running step in the recipe.
    occurrence : int
        How many earlier steps of the recipe applied the same op to the same column (so that
        two such steps draw different numbers).
    side_outputs : dict
        Tables a step produces beside the frame (a pseudonym lookup table), by name. They are
        written only where the caller asks.
    release : str or None
        The scope of the tokens of this run: ``"release:<license id>"`` while
        :func:`anonlab.export` makes a release, ``"family:<name>"`` for a declared family of
        linkable releases, None otherwise. Keyed hashes, pseudonyms and date shifts then use a
        key derived from the master key for this scope alone (:meth:`token_key`), so two
        releases never share a token unless they belong to one family.
    row_id : str or None
        The hidden column holding each input record's fingerprint, which random steps key their
        draws on; None outside a recipe, when the fingerprint is taken from the frame the step
        sees.
    attacker : bool
        Run as a recipient without the secrets would: every key reference resolves to a fresh
        random key of the attacker's own (the replay attack of :mod:`anonlab.evidence.replay`).
    hidden : tuple of str
        Columns the caller carries through the plan that are not part of the data.
    originals : dict
        For each column some step :meth:`~Transform.reads`, the hidden column holding its
        values as they were before the recipe ran (a recipe's plan snapshots them).
    """

    schema: pl.Schema
    seed: int | None = None
    step: int = 0
    side_outputs: dict[str, pl.DataFrame] = field(default_factory=dict)
    release: str | None = None
    row_id: str | None = None
    occurrence: int = 0
    attacker: bool = False
    hidden: tuple[str, ...] = ()
    originals: dict[str, str] = field(default_factory=dict)
    _keys: dict[int, bytes] = field(default_factory=dict, repr=False)
    _fresh: bytes | None = field(default=None, repr=False)
    _empty: tuple[pl.Schema, pl.LazyFrame] | None = field(default=None, repr=False)

    def empty(self, schema: pl.Schema) -> pl.LazyFrame:
        """An empty frame of ``schema``, to derive a step's output schema from (kept while the
        schema object stays the same, since building one costs more than the derivation)."""
        if self._empty is None or self._empty[0] is not schema:
            self._empty = (schema, pl.LazyFrame(schema=schema))
        return self._empty[1]

    def key(self, ref: KeyRef) -> bytes:
        """The key a reference points at (read once per run, kept only in memory).

        In an attacker context every reference resolves to a random key of the attacker's own.
        """
        slot = id(ref) if isinstance(ref, Key) else hash(ref)
        if slot not in self._keys:
            self._keys[slot] = fresh_secret() if self.attacker else resolve_key(ref)
        return self._keys[slot]

    def token_key(self, ref: KeyRef, purpose: str) -> bytes:
        """The key of a token-making step (hash, pseudonymize, date shift) in this run.

        Outside a release scope the master key itself, so ``Hash`` equals
        ``hmac.new(key, value, "sha256")``; inside one (:attr:`release`), HKDF-SHA256 of the
        master key for ``purpose`` and the scope, so each release (or family) has its own.
        """
        master = self.key(ref)
        if self.release is None:
            return master
        return derive_key(master, _TOKEN_SALT, purpose, self.release)

    def fresh(self) -> bytes:
        """This run's fresh secret (32 bytes from the OS, drawn once per run, never written)."""
        if self._fresh is None:
            self._fresh = fresh_secret()
        return self._fresh

    def draws(
        self, transform: Transform, column: str, key: KeyRef | None, seed: int | None
    ) -> Draws:
        """The keyed random numbers of ``transform`` on ``column`` in this run.

        The master secret is the step's ``seed`` (replayable; tests only), else its ``key``,
        else the recipe's test seed, else this run's fresh secret (:mod:`anonlab.randomness`).
        """
        if seed is not None:
            master, replayable = seed_secret(seed), True
        elif key is not None:
            master, replayable = self.key(key), False
        elif self.seed is not None:
            master, replayable = seed_secret(self.seed), True
        else:
            master, replayable = self.fresh(), False
        if self.row_id is not None:
            row = pl.col(self.row_id)
        else:
            names = [c for c in self.schema.names() if c not in self.hidden]
            row = record_fingerprint(names, self.schema)
        return Draws.for_step(master, transform, column, self.occurrence, row,
                              replayable=replayable)


@dataclass(frozen=True, kw_only=True)
class Transform:
    """Base class of transforms. Subclasses set ``op`` and are registered by name.

    Class attributes
    ----------------
    op : str
        The registered name (``"hash"``, ``"generalize"``, ...).
    scope : {"row", "frame"}
        Whether the transform is an expression over rows or a rewrite of the whole frame.
    accepts : frozenset of str
        Dtype families the input column may have (see :func:`dtype_family`); ``"any"`` for all.
    hides_values : bool
        True when no original value of the column can survive the transform (drop, redact,
        hash, pseudonymize, mask): what property tests and the Safe Harbor check rely on.
    random : bool
        True when the transform draws random numbers (:meth:`Context.draws`); the replay attack
        (:mod:`anonlab.evidence.replay`) re-runs every such step as a recipient would.
    linkage : {"recompute", "suppress", "tolerance", "nearest", "exact", "hidden"}
        How an attacker who knows a record's original value matches it against this step's
        output (:mod:`anonlab.evidence.view`): ``"recompute"``, the step is a public,
        deterministic function the attacker applies too (generalize, round, mask); ``"suppress"``,
        values stay or become suppressed wildcards; ``"tolerance"``, a bounded perturbation
        matched within :meth:`tolerance` (noise, date shift); ``"nearest"``, values replaced by a
        nearby group value (microaggregation); ``"exact"``, values randomly swapped, matched as
        if unchanged (PRAM); ``"hidden"``, nothing of the value can be matched (keyed codes,
        shuffling). A transform of your own is taken as ``"recompute"``, the strongest attacker,
        unless it says otherwise.
    """

    op: ClassVar[str] = ""
    scope: ClassVar[Literal["row", "frame"]] = "row"
    accepts: ClassVar[frozenset[str]] = frozenset({"any"})
    hides_values: ClassVar[bool] = False
    random: ClassVar[bool] = False
    linkage: ClassVar[Linkage] = "recompute"

    def __post_init__(self) -> None:
        self.validate()

    # -- configuration -------------------------------------------------------------------------
    def validate(self) -> None:
        """Check the parameters; raise :class:`~anonlab.ParameterError` on a bad one.

        Subclasses normalize here too (lists to tuples) with :meth:`_set`.
        """

    def _set(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)

    def _bad(self, name: str, wanted: str, got: Any) -> ParameterError:
        from anonlab._validation import describe

        return ParameterError(
            f"The {name!r} parameter of {type(self).__name__} must be {wanted}. "
            f"Got {describe(got)} instead."
        )

    # -- applying ------------------------------------------------------------------------------
    def check_input(self, column: str, dtype: pl.DataType) -> None:
        """Refuse a column whose dtype this transform cannot handle."""
        if "any" in self.accepts:
            return
        family = dtype_family(dtype)
        if family not in self.accepts:
            wanted = ", ".join(sorted(self.accepts))
            raise TransformError(
                f"The {self.op!r} transform cannot apply to column {column!r} of dtype "
                f"{dtype_name(dtype)}: it takes {wanted} columns. Cast the column first or "
                "choose another transform."
            )

    def expr(self, column: str, ctx: Context) -> pl.Expr:
        """The new value of ``column`` as a polars expression (row-scope transforms)."""
        raise NotImplementedError(f"{type(self).__name__} is a frame transform; use apply()")

    def apply(self, lf: pl.LazyFrame, column: str, ctx: Context) -> pl.LazyFrame:
        """Apply to ``column`` of ``lf``; row transforms replace the column with :meth:`expr`."""
        return lf.with_columns(self.expr(column, ctx).alias(column))

    def reads(self) -> tuple[str, ...]:
        """Other columns whose values, as they were before the recipe ran, the step reads
        (:class:`~anonlab.transforms.Scrub` reads the record's identifier columns)."""
        return ()

    def schema_after(self, schema: pl.Schema, column: str, ctx: Context) -> pl.Schema | None:
        """The frame's schema after this step, derived without resolving the whole plan.

        :meth:`anonlab.Recipe.plan` asks each step for it instead of collecting the schema of a
        plan that grows with every step (which made applying a recipe quadratic in its steps).
        A row-scope transform's schema is that of its :meth:`expr` over an empty frame of
        ``schema``. None means "not known without the plan": the caller then collects the
        schema of the real plan. A transform of your own that overrides :meth:`apply` returns
        None unless it overrides this method too.
        """
        if self.scope != "row":
            return None
        builtin = type(self).__module__.startswith("anonlab.transforms.")
        if not builtin and type(self).apply is not Transform.apply:
            return None
        return ctx.empty(schema).with_columns(self.expr(column, ctx).alias(column)).collect_schema()

    def tolerance(self, column: str, dtype: pl.DataType) -> float:
        """For ``linkage = "tolerance"``: how far (in the column's units, days for dates) an
        output may lie from its input and still be matched by an attacker (0 otherwise)."""
        return 0.0

    def output_column(self, column: str) -> str | None:
        """The column this step leaves behind (None when it removes the column)."""
        return column

    # -- plain data ----------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain data for a recipe file: ``{"op": ..., parameter: value, ...}``.

        Raises
        ------
        RecipeError
            A parameter holds an in-memory :class:`~anonlab.Key`, which a file cannot reference.
        """
        out: dict[str, Any] = {"op": self.op}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name == "seed" and value is None:
                continue  # a test-only field: absent unless set, so no file carries it idly
            out[f.name] = _plain(value, f"{self.op}.{f.name}")
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, path: str = "transform") -> Transform:
        """Build from plain data; unknown or missing parameters fail with the path to the key."""
        params = {k: v for k, v in data.items() if k != "op"}
        known = {f.name: f for f in dataclasses.fields(cls)}
        for name in params:
            if name not in known:
                listed = ", ".join(known) or "none"
                raise RecipeError(
                    f"unknown parameter of {cls.op!r} (its parameters: {listed})",
                    path=f"{path}.{name}",
                )
        missing = [
            n for n, f in known.items()
            if n not in params
            and f.default is dataclasses.MISSING
            and f.default_factory is dataclasses.MISSING
        ]
        if missing:
            raise RecipeError(f"missing parameter {missing[0]!r} of {cls.op!r}", path=path)
        try:
            return cls(**params)
        except (ParameterError, TransformError) as exc:
            raise RecipeError(str(exc), path=path) from None

    def describe(self) -> str:
        """One line for summaries: ``hash(key='env:ANONLAB_KEY', length=16)``."""
        parts = []
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Key):
                parts.append(f"{f.name}=<{describe_key_ref(value)}>")
            elif value != f.default:
                parts.append(f"{f.name}={value!r}")
        return f"{self.op}({', '.join(parts)})"


def _plain(value: Any, path: str) -> Any:
    """A parameter value as plain data (JSON/YAML-ready)."""
    if isinstance(value, Key):
        raise RecipeError(
            "holds an in-memory Key, which a recipe file cannot reference; use key='env:NAME' or "
            "key='file:PATH' to write this recipe",
            path=path,
        )
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_plain(v, path) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v, path) for k, v in value.items()}
    if hasattr(value, "to_dict") and callable(value.to_dict):
        return value.to_dict()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)

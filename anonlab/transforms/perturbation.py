"""Perturbation: add noise, shift dates, shuffle a column, randomize categories.

``noise`` (:class:`Noise`)
    Add Laplace or Gaussian noise to numbers.
``date_shift`` (:class:`DateShift`)
    Shift every date of an individual by one secret offset (keyed by the individual's id).
``shuffle`` (:class:`Shuffle`, frame scope)
    Permute a column's values across rows, optionally within groups.
``pram`` (:class:`Pram`)
    Post-randomization of a categorical column (a transition matrix, or a retain probability).

Randomness
----------
Noise, shuffling and PRAM draw their numbers from :meth:`Context.draws
<anonlab.transforms.Context.draws>`: a keyed pseudo-random function of each input record
(:mod:`anonlab.randomness`). With ``key="env:NAME"`` (or ``file:`` or an :class:`~anonlab.Key`)
the same key, data and recipe give the same result in every run, eagerly, lazily and streaming,
whatever the row order or batching; without a key each run draws fresh numbers from the operating
system, which are never written. Either way a recipient holding the recipe cannot replay them.

``seed`` is for reproducible tests only: it replaces the secret by a number written in the recipe,
which anyone can replay, so :func:`anonlab.export` refuses a release made with one (its replay
attack recovers the perturbation). :class:`DateShift` keys its offsets on the individual's id with
a keyed BLAKE2b instead, so that all the dates of one person move together.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import polars as pl

from anonlab._validation import check_int, check_one_of, fresh_name
from anonlab.errors import ColumnNotFoundError, ParameterError, TransformError
from anonlab.keys import KeyRef, check_key_ref
from anonlab.randomness import Draws
from anonlab.transforms._params import (
    check_randomness,
    column_list,
    decimals,
    guarded,
    input_dtype,
    is_integral,
    is_number,
)
from anonlab.transforms.base import Context, Transform, dtype_family
from anonlab.transforms.registry import builtin

__all__ = ["DateShift", "Noise", "Pram", "Shuffle"]


# -- noise -----------------------------------------------------------------------------------------
@builtin
@dataclass(frozen=True, kw_only=True)
class Noise(Transform):
    """Add random noise to numbers: Laplace or Gaussian, in the data's units.

    Each value ``x`` becomes ``x + e`` with ``e`` drawn independently per record: Laplace with
    scale ``b = scale`` (variance ``2 b**2``; by inverse CDF) or Gaussian with standard deviation
    ``sigma = scale`` (Box-Muller). The draws are a keyed function of the record (see the module
    documentation): with a ``key`` the same key and data give the same result eagerly, lazily and
    streaming; without one every run draws afresh. A recipient cannot replay them.

    Then, in this order: ``round_to`` rounds to a multiple (halves away from zero) and ``clip``
    bounds the result, so clipped values lie exactly within the bounds.

    A float column keeps its float dtype. An integer column gives Float64, or Int64 when
    ``round_to`` is an integer and the ``clip`` bounds (if any) are integers. Nulls stay null,
    NaN and infinities stay as they are.

    This is value perturbation for statistical disclosure control, not differential privacy:
    noise per record says nothing about a query's privacy budget.

    Parameters
    ----------
    distribution : {"laplace", "gaussian"}
        The noise distribution (centred on 0).
    scale : float
        Laplace ``b`` or Gaussian ``sigma``; positive, in the column's units.
    key : str or Key, optional
        The secret the draws are keyed with (``"env:NAME"``, ``"file:PATH"`` or a
        :class:`~anonlab.Key`), for reproducible releases. Without it each run draws fresh
        numbers that are never written.
    seed : int, optional
        A public seed instead of a secret, for reproducible tests only: anyone holding the
        recipe replays the noise, so :func:`anonlab.export` refuses a release made with one.
    clip : (float, float), optional
        ``(lower, upper)`` bounds of the output, ``lower < upper``.
    round_to : float, optional
        Round the noisy value to a multiple of this positive number.

    Examples
    --------
    >>> import polars as pl
    >>> from anonlab.transforms import Context
    >>> lf = pl.LazyFrame({"age": [34, 57, None, 91]})
    >>> ctx = Context(schema=lf.collect_schema())
    >>> t = Noise(distribution="gaussian", scale=2.0, seed=7, round_to=1, clip=(0, 120))
    >>> out = t.apply(lf, "age", ctx).collect()["age"]
    >>> out.dtype, out.null_count()
    (Int64, 1)
    >>> out.equals(t.apply(lf, "age", ctx).collect()["age"])  # deterministic for a seed
    True
    """

    op = "noise"
    accepts = frozenset({"integer", "float"})
    random = True
    linkage = "tolerance"
    distribution: str
    scale: float
    key: KeyRef | None = None
    seed: int | None = None
    clip: tuple[float, float] | None = None
    round_to: float | None = None

    def validate(self) -> None:
        owner = type(self).__name__
        check_one_of(self.distribution, "distribution", owner, ("laplace", "gaussian"))
        if not is_number(self.scale) or self.scale <= 0:
            raise self._bad("scale", "a positive number (Laplace b or Gaussian sigma)", self.scale)
        check_randomness(self)
        if self.clip is not None:
            wanted = "a pair (lower, upper) of finite numbers with lower < upper, or None"
            clip = self.clip
            if isinstance(clip, str | bytes | Mapping) or not isinstance(clip, Iterable):
                raise self._bad("clip", wanted, clip)
            pair = tuple(clip)
            if len(pair) != 2 or not all(is_number(v) for v in pair) or not pair[0] < pair[1]:
                raise self._bad("clip", wanted, clip)
            self._set("clip", pair)
        if self.round_to is not None and (not is_number(self.round_to) or self.round_to <= 0):
            raise self._bad("round_to", "a positive number or None", self.round_to)

    def tolerance(self, column: str, dtype: pl.DataType) -> float:
        """How far an output lies from its input in 99.9% of records (plus half the rounding):
        ``b ln(1000)`` for Laplace, ``3.29 sigma`` for Gaussian."""
        spread = self.scale * (math.log(1000.0) if self.distribution == "laplace" else 3.2905)
        return spread + (self.round_to / 2 if self.round_to is not None else 0.0)

    def expr(self, column: str, ctx: Context) -> pl.Expr:
        dtype = input_dtype(self, column, ctx)
        draws = ctx.draws(self, column, self.key, self.seed)
        x = pl.col(column).cast(pl.Float64)
        if self.distribution == "laplace":
            v = draws.uniform(0) - 0.5
            e = -self.scale * v.sign() * (1.0 - 2.0 * v.abs()).log()
        else:
            radius = (-2.0 * draws.uniform(1).log()).sqrt()
            e = self.scale * radius * (2.0 * math.pi * draws.uniform(2)).cos()
        out = x + e
        if self.round_to is not None:
            q = (out / self.round_to).round(0, mode="half_away_from_zero") * self.round_to
            out = q.round(decimals(self.round_to))
        if self.clip is not None:
            out = out.clip(self.clip[0], self.clip[1])
        if dtype.is_float():
            return out.cast(dtype)
        integral = (
            self.round_to is not None
            and is_integral(self.round_to)
            and (self.clip is None or all(is_integral(v) for v in self.clip))
        )
        if not integral:
            return out
        limit = 2.0**63  # Int64 holds [-2**63, 2**63)

        def outside(batch: pl.Series) -> pl.Series:
            return (batch >= limit) | (batch < -limit)

        return guarded(out, outside, lambda n: TransformError(
            f"Noise on column {column!r}: {n:,} noisy value(s) fall beyond the Int64 range the "
            "integer output holds (the column holds values near +-9.2e18). Clip the output "
            "(clip=(lower, upper)) or round to a non-integer multiple to get Float64."
        ), pl.Float64()).cast(pl.Int64)


# -- date shift ------------------------------------------------------------------------------------
_PERSON = b"anonlab.dateshft"  # BLAKE2b personalization: these digests serve nothing else


def _blake2b_key(key: bytes) -> bytes:
    """A BLAKE2b key (at most 64 bytes): the key itself, or its 64-byte digest if longer."""
    return key if len(key) <= 64 else hashlib.blake2b(key, digest_size=64).digest()


@builtin
@dataclass(frozen=True, kw_only=True)
class DateShift(Transform):
    """Shift each individual's dates by one secret offset of whole days.

    Every row of the same individual (the same value in ``by``) moves by the same number of
    days, so intervals between one person's events survive while calendar dates do not. The
    offset is uniform in ``[-max_days, max_days]`` (without 0 when ``exclude_zero``) and is a
    keyed function of the individual: the first 8 bytes of
    ``BLAKE2b(key=key, person="anonlab.dateshft")`` over the ``by`` value's string form (as
    polars casts it to String, so an Int64 id ``7`` and a String id ``"7"`` get the same offset)
    taken modulo the number of possible offsets. Without the key the offsets cannot be
    recomputed; the same key and ``by`` give the same offsets in every date column and every run.
    A polars hash is not used: it is not a keyed cryptographic function. Inside a release made by
    :func:`anonlab.export` the BLAKE2b key is derived from ``key`` for that release alone
    (:meth:`Context.token_key <anonlab.transforms.Context.token_key>`), so two releases shift
    the same person by different offsets and cannot be joined on the shifted dates.

    :meth:`apply` hashes each distinct ``by`` value once (a Python loop over the distinct
    individuals, not over rows) and joins the offsets back in the lazy query; :meth:`expr`
    alone hashes the distinct values of each batch polars evaluates. Rows whose ``by`` is null
    are one individual of their own. Dates stay dates; datetimes move by calendar days in their time
    zone. Nulls stay null.

    Parameters
    ----------
    by : str
        The column identifying the individual.
    max_days : int
        The largest shift, in days (1 to 36500).
    exclude_zero : bool, default True
        Never leave a date in place.
    key : str or Key, default "env:ANONLAB_KEY"
        The secret key reference: ``"env:NAME"``, ``"file:PATH"`` or an :class:`~anonlab.Key`.

    Examples
    --------
    >>> import datetime as dt
    >>> import polars as pl
    >>> from anonlab import Key
    >>> from anonlab.transforms import Context
    >>> lf = pl.LazyFrame({"id": ["a", "a", "b"],
    ...                    "visit": [dt.date(2024, 1, 10), dt.date(2024, 1, 20), None]})
    >>> ctx = Context(schema=lf.collect_schema())
    >>> t = DateShift(by="id", max_days=30, key=Key("a secret key of 32 bytes, really"))
    >>> out = t.apply(lf, "visit", ctx).collect()["visit"]
    >>> (out[1] - out[0]).days, out[2]  # the interval survives, nulls stay null
    (10, None)
    """

    op = "date_shift"
    accepts = frozenset({"temporal"})
    random = True
    linkage = "tolerance"
    by: str
    max_days: int
    exclude_zero: bool = True
    key: KeyRef = "env:ANONLAB_KEY"

    def validate(self) -> None:
        owner = type(self).__name__
        if not isinstance(self.by, str) or not self.by:
            raise self._bad("by", "the name of the column identifying the individual", self.by)
        check_int(self.max_days, "max_days", owner, min_value=1, max_value=36_500)
        if not isinstance(self.exclude_zero, bool):
            raise self._bad("exclude_zero", "a bool", self.exclude_zero)
        check_key_ref(self.key, owner)

    def tolerance(self, column: str, dtype: pl.DataType) -> float:
        """Dates move by at most ``max_days`` days."""
        return float(self.max_days)

    def offsets(self, ids: pl.Series, key: bytes) -> pl.Series:
        """The offset in days (Int32) of each value of ``ids`` (cast to String; nulls too).

        Examples
        --------
        >>> import polars as pl
        >>> t = DateShift(by="id", max_days=3, key="env:K")
        >>> t.offsets(pl.Series(["a", "a", None]), b"k" * 32).n_unique()
        2
        """
        ids = ids.cast(pl.String)
        span = 2 * self.max_days if self.exclude_zero else 2 * self.max_days + 1
        secret = _blake2b_key(key)

        def offset(value: str | None) -> int:
            data = b"\x00" if value is None else b"\x01" + value.encode()
            digest = hashlib.blake2b(data, key=secret, person=_PERSON, digest_size=8).digest()
            k = int.from_bytes(digest, "big") % span - self.max_days
            return k + 1 if self.exclude_zero and k >= 0 else k

        distinct = ids.drop_nulls().unique()
        if distinct.len():
            out = ids.replace_strict(
                distinct, [offset(v) for v in distinct.to_list()], return_dtype=pl.Int32
            )
        else:  # replace_strict with nothing to replace would keep the String dtype
            out = pl.Series(ids.name, [None] * ids.len(), dtype=pl.Int32)
        if ids.null_count():
            out = out.fill_null(offset(None))
        return out.alias(ids.name)

    def _check(self, column: str, ctx: Context) -> pl.DataType:
        dtype = input_dtype(self, column, ctx)
        if self.by not in ctx.schema:
            raise ColumnNotFoundError(self.by, ctx.schema.names(), where="date_shift by")
        if self.by == column:
            raise TransformError(
                f"The 'date_shift' step on column {column!r} names that column in 'by'. 'by' "
                "must identify the individual whose dates move together: another column."
            )
        by_dtype = ctx.schema[self.by]
        if dtype_family(by_dtype) == "other":
            raise TransformError(
                f"The 'by' column {self.by!r} of 'date_shift' has dtype {by_dtype}, which has no "
                "string form to key the offsets. Use an id column of strings or integers."
            )
        return dtype

    @staticmethod
    def _shifted(x: pl.Expr, days: pl.Expr, dtype: pl.DataType, column: str = "") -> pl.Expr:
        if dtype == pl.Date:
            out = (x.cast(pl.Int32) + days).cast(pl.Date)
        else:
            assert isinstance(dtype, pl.Datetime)
            if dtype.time_zone is None:
                out = x + pl.duration(days=days, time_unit=dtype.time_unit)
            else:
                out = x.dt.offset_by(pl.format("{}d", days))

        def outside(batch: pl.Series) -> pl.Series:
            year = batch.dt.year()
            return (year < 1) | (year > 9999)

        # polars holds dates past 9999-12-31, but Python, pandas and most readers do not: a
        # shifted 9999-12-31 would fail far from here, with "year 10000 is out of range"
        return guarded(out, outside, lambda n: TransformError(
            f"DateShift on column {column!r}: {n:,} shifted date(s) fall outside the years 1 to "
            "9999, which Python, pandas and most readers cannot hold (dates within max_days of "
            "0001-01-01 or 9999-12-31, often placeholders for 'unknown' or 'never'). Replace "
            "such placeholder dates with null before shifting."
        ), dtype)

    def _days(self, ids: pl.Expr, key: bytes) -> pl.Expr:
        return ids.map_batches(
            lambda s: self.offsets(s, key), return_dtype=pl.Int32, is_elementwise=True
        )

    def expr(self, column: str, ctx: Context) -> pl.Expr:
        """The shifted column; the offsets are hashed per distinct ``by`` value of each batch."""
        dtype = self._check(column, ctx)
        key = ctx.token_key(self.key, "date_shift")
        return self._shifted(pl.col(column), self._days(pl.col(self.by), key), dtype, column)

    def apply(self, lf: pl.LazyFrame, column: str, ctx: Context) -> pl.LazyFrame:
        """Shift ``column``, hashing each distinct ``by`` value once (a join in the query)."""
        dtype = self._check(column, ctx)
        key = ctx.token_key(self.key, "date_shift")
        names = lf.collect_schema().names()
        ident, days = fresh_name(names, "__date_shift_id"), fresh_name(names, "__date_shift_days")
        with_id = lf.with_columns(pl.col(self.by).cast(pl.String).alias(ident))
        offsets = (
            with_id.select(ident)
            .unique()
            .with_columns(self._days(pl.col(ident), key).alias(days))
        )
        return (
            with_id.join(offsets, on=ident, how="left", nulls_equal=True, maintain_order="left")
            .with_columns(
                self._shifted(pl.col(column), pl.col(days), dtype, column).alias(column)
            )
            .drop(ident, days)
        )


# -- shuffle ---------------------------------------------------------------------------------------
@builtin
@dataclass(frozen=True, kw_only=True)
class Shuffle(Transform):
    """Permute a column's values across rows, leaving every other column in place.

    The permutation is keyed on the records, not their positions: within each group, rows are
    ranked by one keyed random number and values by another, and the row ranked ``i`` receives
    the value ranked ``i`` (see the module documentation). So the result does not depend on the
    row order, and with a ``key`` it is the same in every run; without one each run shuffles
    afresh. Nulls stay where they are: only the non-null values are permuted, among the non-null
    rows. Columns named in ``together`` move with the column, so their values stay paired with
    it (a null of the step's column keeps its row's ``together`` values in place too).

    Parameters
    ----------
    key : str or Key, optional
        The secret the permutation is keyed with, for reproducible releases; without it each run
        draws a fresh permutation that is never written.
    seed : int, optional
        A public seed instead of a secret, for reproducible tests only (replayable: refused by
        :func:`anonlab.export`).
    within : tuple of str, default ()
        Shuffle separately inside each group of these columns' values (a null is a group).
    together : tuple of str, default ()
        Other columns permuted by the same permutation.

    Examples
    --------
    >>> import polars as pl
    >>> from anonlab.transforms import Context
    >>> lf = pl.LazyFrame({"sex": ["F", "F", "M", "M"], "income": [1, 2, 3, 4]})
    >>> ctx = Context(schema=lf.collect_schema())
    >>> out = Shuffle(seed=1, within=("sex",)).apply(lf, "income", ctx).collect()
    >>> sorted(out["income"][:2]), sorted(out["income"][2:])
    ([1, 2], [3, 4])
    """

    op = "shuffle"
    scope = "frame"
    random = True
    linkage = "hidden"
    key: KeyRef | None = None
    seed: int | None = None
    within: tuple[str, ...] = ()
    together: tuple[str, ...] = ()

    def validate(self) -> None:
        check_randomness(self)
        self._set("within", column_list(self, "within", self.within, allow_empty=True))
        self._set("together", column_list(self, "together", self.together, allow_empty=True))
        shared = sorted(set(self.within) & set(self.together))
        if shared:
            raise self._bad("together", "columns that are not also in 'within'", shared)

    def apply(self, lf: pl.LazyFrame, column: str, ctx: Context) -> pl.LazyFrame:
        schema = lf.collect_schema()
        for name in (column, *self.within, *self.together):
            if name not in schema:
                raise ColumnNotFoundError(name, schema.names(), where="shuffle")
        self.check_input(column, schema[column])
        if column in self.within or column in self.together:
            raise TransformError(
                f"The 'shuffle' step on column {column!r} names that column in 'within' or "
                "'together'. Shuffle inside groups of other columns, with other columns."
            )
        draws = ctx.draws(self, column, self.key, self.seed)
        groups = [*self.within, pl.col(column).is_null()]
        # row ranked i (by one keyed number) receives the value ranked i (by another)
        rank = draws.bits(0).rank("ordinal") - 1
        moved = [
            pl.col(name).sort_by(draws.bits(1)).gather(rank).over(groups).alias(name)
            for name in (column, *self.together)
        ]
        return lf.with_columns(moved)


# -- pram ------------------------------------------------------------------------------------------
@builtin
@dataclass(frozen=True, kw_only=True)
class Pram(Transform):
    """Post-randomization (PRAM) of a categorical column.

    Each value is replaced at random according to a transition matrix: value ``a`` becomes ``b``
    with probability ``matrix[a][b]``. Or, with ``retain``, a value is kept with that
    probability and otherwise replaced by one of the *other* categories present in the column
    (at this step), each equally likely. The draws are a keyed function of the record (see the
    module documentation): reproducible with a ``key``, fresh every run without one.

    A String column stays String, a Categorical stays Categorical and an Enum stays the same
    Enum (every category the matrix can produce must be one of the Enum's). Nulls stay null.

    Parameters
    ----------
    matrix : dict of str to dict of str to float, optional
        From-category to ``{to-category: probability}``; each row's probabilities are in
        [0, 1] and sum to 1 (within 1e-9). Every non-null value of the column must be a
        from-category: :meth:`apply` counts the others with a pass over the column before any
        other work and raises :class:`~anonlab.TransformError` (:meth:`expr` alone checks each
        batch as it is evaluated).
    retain : float, optional
        The probability, from 0 to 1, that a value is kept. Exactly one of ``matrix`` and
        ``retain``. A column with a single category is left as it is.
    key : str or Key, optional
        The secret the draws are keyed with, for reproducible releases; without it each run
        draws afresh.
    seed : int, optional
        A public seed instead of a secret, for reproducible tests only (replayable: refused by
        :func:`anonlab.export`).

    Examples
    --------
    >>> import polars as pl
    >>> from anonlab.transforms import Context
    >>> lf = pl.LazyFrame({"sex": ["F", "M", None] * 1000})
    >>> ctx = Context(schema=lf.collect_schema())
    >>> t = Pram(matrix={"F": {"F": 0.9, "M": 0.1}, "M": {"M": 1.0}}, seed=5)
    >>> out = t.apply(lf, "sex", ctx).collect()["sex"]
    >>> out.null_count(), 50 < (out == "M").sum() - 1000 < 150
    (1000, True)
    """

    op = "pram"
    accepts = frozenset({"string"})
    random = True
    linkage = "exact"
    matrix: dict[str, dict[str, float]] | None = None
    retain: float | None = None
    key: KeyRef | None = None
    seed: int | None = None

    def __hash__(self) -> int:  # the matrix is a dict; hash its items
        matrix = (
            None
            if self.matrix is None
            else tuple((a, tuple(row.items())) for a, row in self.matrix.items())
        )
        return hash((self.op, matrix, self.retain, self.key, self.seed))

    def validate(self) -> None:
        owner = type(self).__name__
        if (self.matrix is None) == (self.retain is None):
            got = "both" if self.matrix is not None else "neither"
            raise ParameterError(
                f"{owner} takes exactly one of 'matrix' (transition probabilities) and 'retain' "
                f"(the probability of keeping a value). Got {got}."
            )
        check_randomness(self)
        if self.retain is not None:
            ok = is_number(self.retain) and 0 <= self.retain <= 1
            if not ok:
                raise self._bad("retain", "a probability from 0 to 1", self.retain)
            return
        wanted = (
            "a mapping from each category to {category: probability}, each row's "
            "probabilities from 0 to 1 summing to 1"
        )
        matrix = self.matrix
        if not isinstance(matrix, Mapping) or not matrix:
            raise self._bad("matrix", wanted, matrix)
        clean: dict[str, dict[str, float]] = {}
        for source, row in matrix.items():
            if not isinstance(source, str) or not isinstance(row, Mapping) or not row:
                raise self._bad("matrix", wanted, matrix)
            probabilities: dict[str, float] = {}
            for target, p in row.items():
                if not isinstance(target, str) or not is_number(p) or not 0 <= p <= 1:
                    raise self._bad("matrix", f"{wanted}; row {source!r} is not", matrix)
                probabilities[target] = float(p)
            total = math.fsum(probabilities.values())
            if abs(total - 1.0) > 1e-9:
                raise self._bad(
                    "matrix", f"{wanted}; row {source!r} sums to {total!r}", matrix
                )
            clean[source] = probabilities
        self._set("matrix", clean)

    def check_input(self, column: str, dtype: pl.DataType) -> None:
        super().check_input(column, dtype)
        if isinstance(dtype, pl.Enum) and self.matrix is not None:
            allowed = set(dtype.categories.to_list())
            outside = sorted({t for row in self.matrix.values() for t in row} - allowed)
            if outside:
                raise TransformError(
                    f"The 'pram' matrix can turn values of Enum column {column!r} into "
                    f"{len(outside)} categories the Enum lacks. Add them to the Enum's "
                    "categories or cast the column to String first."
                )

    def _unknown_error(
        self, column: str, rows: int, distinct: int, where: str = ""
    ) -> TransformError:
        return TransformError(
            f"{distinct} distinct value{'s' if distinct != 1 else ''} of column {column!r} "
            f"({rows} row{'s' if rows != 1 else ''}{where}) "
            f"{'are' if distinct != 1 else 'is'} not a "
            "row of the 'pram' matrix (values not shown). Add a row for every category of the "
            "column, or use retain= instead of a matrix."
        )

    def expr(self, column: str, ctx: Context) -> pl.Expr:
        """The randomized column (a matrix is checked batch by batch)."""
        return self._expr(column, ctx, strict=True)

    def apply(self, lf: pl.LazyFrame, column: str, ctx: Context) -> pl.LazyFrame:
        """Randomize ``column``; with a matrix, first count values it lacks in one pass."""
        input_dtype(self, column, ctx)
        if self.matrix is not None:
            text = pl.col(column).cast(pl.String)
            unknown = text.filter(text.is_not_null() & text.is_in(list(self.matrix)).not_())
            counts = lf.select(unknown.len().alias("rows"), unknown.n_unique().alias("distinct"))
            rows, distinct = counts.collect().row(0)
            if rows:
                raise self._unknown_error(column, rows, distinct)
        return lf.with_columns(self._expr(column, ctx, strict=False).alias(column))

    def _expr(self, column: str, ctx: Context, *, strict: bool) -> pl.Expr:
        dtype = input_dtype(self, column, ctx)
        draws = ctx.draws(self, column, self.key, self.seed)
        text = pl.col(column).cast(pl.String)
        if self.matrix is not None:
            if strict:
                text = text.map_batches(
                    lambda s: self._checked(s, column), return_dtype=pl.String,
                    is_elementwise=True,
                )
            out = self._by_matrix(text, draws.uniform(0))
        else:
            out = self._by_retain(text, draws)
        out = pl.when(text.is_not_null()).then(out)
        return out if dtype == pl.String else out.cast(dtype)

    def _checked(self, s: pl.Series, column: str) -> pl.Series:
        assert self.matrix is not None
        unknown = s.filter(s.is_not_null() & s.is_in(list(self.matrix)).not_())
        if unknown.len():
            where = f" in a batch of {s.len()}"
            raise self._unknown_error(column, unknown.len(), unknown.n_unique(), where)
        return s

    def _by_matrix(self, text: pl.Expr, u: pl.Expr) -> pl.Expr:
        assert self.matrix is not None
        sources = list(self.matrix)
        targets = sorted({t for row in self.matrix.values() for t in row})
        width = len(targets) - 1
        if not width:
            return pl.when(text.is_in(sources)).then(pl.lit(targets[0], dtype=pl.String))
        # Source i draws target j when u falls in [c[i][j-1], c[i][j]), c the cumulative
        # probabilities (1.0 from the last possible target on). All sources share one sorted
        # table: source i's thresholds i + c[i][0 .. width-1] lie in [i, i + 1], so counting
        # the entries <= i + u (one binary search) gives width * i + j.
        table: list[float] = []
        lasts: list[int] = []
        for i, source in enumerate(sources):
            row = self.matrix[source]
            probabilities = [row.get(t, 0.0) for t in targets]
            last = max(j for j, p in enumerate(probabilities) if p > 0)
            lasts.append(last)
            for j in range(width):
                cumulative = 1.0 if j >= last else math.fsum(probabilities[: j + 1])
                table.append(i + cumulative)
        source_at = text.replace_strict(
            sources, list(range(len(sources))), default=None, return_dtype=pl.Int64
        )
        found = pl.lit(pl.Series(table, dtype=pl.Float64)).search_sorted(
            source_at.cast(pl.Float64) + u, side="right"
        )
        target_at = found.cast(pl.Int64) - width * source_at
        # i + u can round up to i + 1 for a u within 1e-13 of 1: stay on a possible target
        target_at = pl.min_horizontal(
            target_at, pl.lit(pl.Series(lasts, dtype=pl.Int64)).gather(source_at)
        )
        return pl.lit(pl.Series(targets, dtype=pl.String)).gather(target_at)

    def _by_retain(self, text: pl.Expr, draws: Draws) -> pl.Expr:
        assert self.retain is not None
        categories = text.drop_nulls().unique().sort()
        # not categories.len(): polars 2.1 then shares an unsorted unique() with the gather below
        m = text.drop_nulls().n_unique().cast(pl.Int64)
        position = categories.search_sorted(text).cast(pl.Int64)
        # one of the m - 1 other categories, uniformly: skip over the value's own position
        j = (draws.uniform(2) * (m - 1)).floor().cast(pl.Int64)
        j = pl.min_horizontal(j, m - 2)
        j = pl.when(j >= position).then(j + 1).otherwise(j)
        other = categories.gather(pl.when((m >= 2) & text.is_not_null()).then(j))
        keep = (draws.uniform(1) < self.retain) | (m < 2)
        return pl.when(keep).then(text).otherwise(other)

"""Microaggregation: replace numbers by the mean or median of a group of at least k neighbours."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import polars as pl

from anonlab._validation import check_int, check_one_of, fresh_name
from anonlab.errors import ColumnNotFoundError, TransformError
from anonlab.keys import KeyRef
from anonlab.transforms._params import check_randomness
from anonlab.transforms.base import Context, Transform
from anonlab.transforms.registry import builtin

__all__ = ["Microaggregate"]


@builtin
@dataclass(frozen=True, kw_only=True)
class Microaggregate(Transform):
    """Replace each number by the mean (or median) of its group of at least ``k`` neighbours.

    Univariate fixed-size microaggregation: the column's non-null values are sorted, cut into
    consecutive groups of ``k`` (the last group also takes the remainder of fewer than ``k``, so
    every group has ``k`` to ``2k - 1`` values), and each value is replaced by its group's
    statistic. Every output value is then shared by at least ``k`` records when the column (or
    the stratum) has at least ``k`` values; fewer than ``k`` values form a single group.

    Nulls, NaNs and infinities stay as they are and take no part: an infinity in a group would
    make its mean (and a NaN its median) non-finite, turning the group's finite values into
    infinities. A lone ``inf`` kept as it is singles its record out, so top-code or suppress
    non-finite values before this step when they are rare. Equal values are ordered by a keyed
    random number per record (:mod:`anonlab.randomness`), so which of several tied records falls
    into which group depends neither on the row order nor on anything a recipient can replay;
    with a ``key`` the result is reproducible, without one each run breaks ties afresh. The
    output is a float column (Float64, or Float32 for a Float32 input): a group's mean, or for
    ``"median"`` the median (the middle values' average for an even group).

    Parameters
    ----------
    k : int
        The smallest group; at least 2.
    statistic : {"mean", "median"}, default "mean"
        What replaces the values of a group.
    within : tuple of str, default ()
        Strata: microaggregate separately inside each combination of these columns' values (a
        null stratum value is a stratum of its own).
    key : str or Key, optional
        The secret the tie-breaks are keyed with, for reproducible releases.
    seed : int, optional
        A public seed instead, for reproducible tests only.

    Examples
    --------
    >>> import polars as pl
    >>> from anonlab.transforms import Context
    >>> lf = pl.LazyFrame({"income": [10, 50, 20, None, 40, 30, 60]})
    >>> ctx = Context(schema=lf.collect_schema())
    >>> out = Microaggregate(k=3).apply(lf, "income", ctx).collect()
    >>> out["income"].to_list()
    [20.0, 50.0, 20.0, None, 50.0, 20.0, 50.0]
    """

    op = "microaggregate"
    scope = "frame"
    accepts = frozenset({"integer", "float"})
    random = True
    linkage = "nearest"
    k: int
    statistic: str = "mean"
    within: tuple[str, ...] = ()
    key: KeyRef | None = None
    seed: int | None = None

    def validate(self) -> None:
        owner = type(self).__name__
        check_int(self.k, "k", owner, min_value=2)
        check_one_of(self.statistic, "statistic", owner, ("mean", "median"))
        within = (self.within,) if isinstance(self.within, str) else self.within
        if (
            not isinstance(within, Iterable)
            or isinstance(within, Mapping)
            or not all(isinstance(c, str) for c in within)
        ):
            raise self._bad("within", "a list of column names", self.within)
        within = tuple(within)
        if len(set(within)) != len(within):
            raise self._bad("within", "a list of column names, each named once", self.within)
        self._set("within", within)
        check_randomness(self)

    def apply(self, lf: pl.LazyFrame, column: str, ctx: Context) -> pl.LazyFrame:
        schema = lf.collect_schema()
        for name in (column, *self.within):
            if name not in schema:
                raise ColumnNotFoundError(name, schema.names(), where="microaggregate")
        dtype = schema[column]
        self.check_input(column, dtype)
        if column in self.within:
            raise TransformError(
                f"The 'microaggregate' step on column {column!r} names that column in 'within'. "
                "Stratify by other columns."
            )
        out_dtype = pl.Float32 if dtype == pl.Float32 else pl.Float64
        col = pl.col(column).cast(out_dtype)
        valid = col.is_not_null() & col.is_finite()  # NaN and +-inf take no part
        value = fresh_name(schema, "__microaggregate_value")
        group = fresh_name(schema, "__microaggregate_group")

        def over(expr: pl.Expr, *by: str) -> pl.Expr:
            return expr.over(*by) if by else expr

        v = pl.col(value)
        tie = ctx.draws(self, column, self.key, self.seed).bits()
        # position among the stratum's sorted values (ties by a keyed number), and how many
        keyed = pl.when(v.is_not_null()).then(pl.struct(v, tie))
        rank = over(keyed.rank("ordinal"), *self.within)
        size = over(v.count(), *self.within)
        groups = pl.max_horizontal(size // self.k, pl.lit(1, dtype=pl.UInt32))
        stat = v.mean() if self.statistic == "mean" else v.median()
        return (
            lf.with_columns(pl.when(valid).then(col).alias(value))
            .with_columns(pl.min_horizontal((rank - 1) // self.k, groups - 1).alias(group))
            .with_columns(
                pl.when(v.is_not_null())
                .then(over(stat, *self.within, group).cast(out_dtype))
                .otherwise(col)
                .alias(column)
            )
            .drop(value, group)
        )

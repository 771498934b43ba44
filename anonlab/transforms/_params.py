"""Parameter checks and small numeric helpers shared by the built-in transforms."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any, TypeGuard

import polars as pl

from anonlab._validation import check_int
from anonlab.errors import ColumnNotFoundError, ParameterError
from anonlab.keys import check_key_ref
from anonlab.transforms.base import Context, Transform

__all__ = [
    "MAX_DECIMALS",
    "check_randomness",
    "column_list",
    "decimals",
    "guarded",
    "input_dtype",
    "is_integral",
    "is_number",
]

MAX_DECIMALS = 15
"""Decimal places a rounded or bounded value keeps at most (a float's reliable digits)."""


def is_number(value: Any) -> TypeGuard[int | float]:
    """A finite int or float (a bool is not a number here)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def is_integral(value: float) -> bool:
    """An int, or a float with no fractional part."""
    return isinstance(value, int) or float(value).is_integer()


def decimals(*values: float) -> int:
    """How many decimal places the shortest forms of ``values`` use (0.25 -> 2), at most 15."""
    places = 0
    for value in values:
        exponent = Decimal(repr(value)).normalize().as_tuple().exponent
        if isinstance(exponent, int) and exponent < 0:
            places = max(places, -exponent)
    return min(places, MAX_DECIMALS)


def input_dtype(t: Transform, column: str, ctx: Context) -> pl.DataType:
    """The dtype of ``column`` in the step's schema, after checking the transform takes it."""
    if column not in ctx.schema:
        raise ColumnNotFoundError(column, ctx.schema.names(), where=t.op)
    dtype = ctx.schema[column]
    t.check_input(column, dtype)
    return dtype


def column_list(
    owner: Transform, name: str, value: Any, *, allow_empty: bool = False
) -> tuple[str, ...]:
    """Normalize a list of distinct column names (a single name becomes a one-tuple)."""
    if isinstance(value, str):
        value = (value,)
    if (
        not isinstance(value, Iterable)
        or isinstance(value, Mapping)
        or not all(isinstance(v, str) for v in value)
    ):
        raise owner._bad(name, "a list of column names", value)
    out = tuple(value)
    if not out and not allow_empty:
        raise owner._bad(name, "a non-empty list of column names", value)
    if len(set(out)) != len(out):
        raise owner._bad(name, "a list of column names, each named once", value)
    return out


def check_randomness(t: Any) -> None:
    """Validate a random step's ``key`` and ``seed`` (at most one of them)."""
    owner = type(t).__name__
    check_int(t.seed, "seed", owner, min_value=0, allow_none=True)
    if t.key is not None:
        check_key_ref(t.key, owner)
        if t.seed is not None:
            raise ParameterError(
                f"{owner} takes a 'key' (secret, reproducible randomness) or a 'seed' (public, "
                "replayable randomness for tests), not both."
            )


def guarded(
    expr: pl.Expr,
    bad: Callable[[pl.Series], pl.Series],
    error: Callable[[int], Exception],
    dtype: pl.DataType,
) -> pl.Expr:
    """``expr``, with each batch checked as polars evaluates it: when ``bad(batch)`` marks ``n``
    values, ``error(n)`` is raised (an anonlab error naming the column and the count, never the
    values) instead of polars failing later with its own message, or a wrong value going on.

    The check is elementwise, so it streams and costs one vectorized pass over each batch.
    """

    def check(batch: pl.Series) -> pl.Series:
        n = int(bad(batch).fill_null(False).sum())
        if n:
            raise error(n)
        return batch

    return expr.map_batches(check, return_dtype=dtype, is_elementwise=True)

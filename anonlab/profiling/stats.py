"""Per-column statistics in one pass of parallel polars queries.

Scalar statistics (nulls, min, max, mean, string lengths) for every column come from one
``select``; distinct counts and top values come from one ``group_by`` per column. All the queries
run together through :func:`polars.collect_all`, so the work is spread over the cores.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

__all__ = ["ColumnStats", "column_stats"]

_COUNT = "__anonlab_n"
_VALUE = "__anonlab_value"  # counts frames are (value, count) whatever the column is called


@dataclass(frozen=True)
class ColumnStats:
    """Raw statistics of one column (values not yet masked)."""

    nulls: int
    distinct: int
    top_values: tuple[tuple[object, int], ...]
    min: object = None
    max: object = None
    mean: object = None
    min_length: int | None = None
    max_length: int | None = None


def _orderable(dtype: pl.DataType) -> bool:
    return dtype.is_numeric() or dtype.is_temporal() or dtype == pl.Boolean


def _stringlike(dtype: pl.DataType) -> bool:
    return dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum)


def column_stats(
    lf: pl.LazyFrame, schema: pl.Schema, *, top_k: int = 5
) -> tuple[int, dict[str, ColumnStats]]:
    """Compute the row count and the :class:`ColumnStats` of every column of ``lf``."""
    names = list(schema.names())
    scalars: list[pl.Expr] = [pl.len().alias("rows")]
    for i, name in enumerate(names):
        dtype = schema[name]
        col = pl.col(name)
        scalars.append(col.null_count().alias(f"{i}:nulls"))
        if _orderable(dtype):
            scalars += [col.min().alias(f"{i}:min"), col.max().alias(f"{i}:max")]
            if dtype.is_numeric() or dtype == pl.Boolean or dtype in (pl.Date,) or isinstance(
                dtype, pl.Datetime | pl.Duration
            ):
                scalars.append(col.mean().alias(f"{i}:mean"))
        elif _stringlike(dtype):
            length = col.cast(pl.String).str.len_chars()
            scalars += [length.min().alias(f"{i}:minlen"), length.max().alias(f"{i}:maxlen")]
    queries = [lf.select(scalars)]
    for name in names:
        queries.append(
            lf.select(name)
            .filter(pl.col(name).is_not_null())
            .group_by(name)
            .agg(pl.len().alias(f"{name}{_COUNT}"))  # cannot be ``name`` itself
            .rename({name: _VALUE, f"{name}{_COUNT}": _COUNT})
        )
    results = pl.collect_all(queries)
    row = results[0].row(0, named=True)
    out: dict[str, ColumnStats] = {}
    for i, name in enumerate(names):
        counts = results[i + 1]
        out[name] = ColumnStats(
            nulls=row[f"{i}:nulls"],
            distinct=counts.height,
            top_values=_top(counts, top_k),
            min=row.get(f"{i}:min"),
            max=row.get(f"{i}:max"),
            mean=row.get(f"{i}:mean"),
            min_length=row.get(f"{i}:minlen"),
            max_length=row.get(f"{i}:maxlen"),
        )
    return row["rows"], out


def _top(counts: pl.DataFrame, k: int) -> tuple[tuple[object, int], ...]:
    """The ``k`` most frequent values seen more than once, ties broken by value (deterministic)."""
    if counts.height == 0 or k == 0:
        return ()
    kth = counts.get_column(_COUNT).top_k(k).min()
    assert isinstance(kth, int)
    frequent = counts.filter(pl.col(_COUNT) >= max(kth, 2))
    if frequent.height == 0:
        return ()
    try:
        ranked = frequent.sort([_COUNT, _VALUE], descending=[True, False], nulls_last=True)
    except pl.exceptions.PolarsError:  # values that cannot be ordered (some nested types)
        ranked = frequent.with_columns(pl.col(_VALUE).hash(seed=0).alias("__h")).sort(
            [_COUNT, "__h"], descending=[True, False]
        )
    head = ranked.head(k)
    values = head.get_column(_VALUE).to_list()
    return tuple(zip(values, head.get_column(_COUNT).to_list(), strict=True))

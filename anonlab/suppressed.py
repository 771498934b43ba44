"""Suppressed cells and records: the one definition every part of anonlab uses.

The rule
--------
Think as the attacker: they know a target's true quasi-identifiers and look in the release for
the records that could be the target's.

* A quasi-identifier **cell is suppressed** when it is null or holds :data:`SUPPRESSED` (``*``,
  what ARX hierarchies put at their top and what :class:`~anonlab.transforms.SuppressOutliers`
  writes into text columns). Both are one mark, in every dtype: a table gives the same figures
  whether it was read with its numbers as Int64 (``*`` becomes null) or as text. A value that was
  already missing in the input is a suppressed cell too: the attacker cannot tell it from one the
  recipe blanked.
* A suppressed cell could hide any value, so it is a **wildcard**: compatible with every value of
  its column. Records ``r`` and ``s`` are compatible when, on every quasi-identifier, they are
  equal or one of them is suppressed. This is sdcMicro's rule for missing key values
  (``freqCalc`` and ``measure_risk``, ``alpha = 1``) and the one its ``localSuppression``
  reaches k-anonymity under.
* A **record is suppressed** when every one of its quasi-identifiers is. It says nothing about
  anyone: it is left out of the classes, as ARX does, neither at risk itself nor making any
  other record's class look bigger.
* The **frequency** (class size) of a record that is not suppressed is the number of records
  that are not suppressed and are compatible with it, itself included. k-anonymity holds when
  every such record has a frequency of at least k.

When no record that is kept has a suppressed cell, compatibility is equality and the classes
are the usual partition (one group-by). Otherwise the classes overlap: anonlab keeps one class
per distinct key (its *members* are the records with exactly that key), whose size is the
frequency of its members and whose sensitive values are those of every compatible record.

Computing it
------------
Never pairwise over rows: :func:`compatible_sums` groups the records by key, and the keys by
suppression pattern (which quasi-identifiers they keep). Two keys with patterns ``D`` and ``E``
are compatible exactly when they agree on ``D & E``; so for each pattern ``D`` of a query, every
data key is projected on ``D`` and counted once (one group-by), and each query key looks up its
projections on the few patterns ``D & E`` that occur (one join). The work grows with the
distinct keys times the distinct patterns, which are few in practice.

Provenance
----------
:func:`suppressed_cells` counts the marks of a frame per column; :func:`anonlab.assess_risk`
given the ``original`` frame as well reports, per quasi-identifier, the cells that were
missing in the input and those the recipe suppressed (``RiskReport.input_cells``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import polars as pl

__all__ = [
    "SUPPRESSED",
    "cell_suppressed",
    "compatible_sums",
    "is_text",
    "record_frequencies",
    "record_suppressed",
    "suppressed_cells",
    "wildcard",
]

SUPPRESSED = "*"
"""The text mark of a suppressed value (ARX's); null is the other, in every dtype."""


def is_text(dtype: pl.DataType) -> bool:
    """Whether a column of this dtype can hold the ``*`` mark."""
    return dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum)


def cell_suppressed(column: str, dtype: pl.DataType) -> pl.Expr:
    """True where a cell of ``column`` is suppressed: null, or ``*`` in a text column."""
    col = pl.col(column)
    if is_text(dtype):
        return col.is_null() | (col.cast(pl.String) == SUPPRESSED).fill_null(True)
    return col.is_null()


def wildcard(column: str, dtype: pl.DataType) -> pl.Expr:
    """``column`` with every suppressed cell as null (its dtype and name kept): the form the
    computations below take, where null is the wildcard."""
    if not is_text(dtype):
        return pl.col(column)
    col = pl.col(column)
    return pl.when(col.cast(pl.String) != SUPPRESSED).then(col).alias(column)


def record_suppressed(
    schema: Mapping[str, pl.DataType], quasi_identifiers: Sequence[str]
) -> pl.Expr:
    """True for a record whose quasi-identifiers are all suppressed (left out of the classes)."""
    return pl.all_horizontal([cell_suppressed(q, schema[q]) for q in quasi_identifiers])


def suppressed_cells(frame: pl.DataFrame, columns: Sequence[str]) -> dict[str, int]:
    """The suppressed cells of each column (null or ``*``), in the order of ``columns``."""
    if not columns:
        return {}
    row = frame.select(cell_suppressed(c, frame.schema[c]).sum().alias(c) for c in columns).row(0)
    return {c: int(v) for c, v in zip(columns, row, strict=True)}


def _pattern(m: int) -> pl.Expr:
    """The pattern of a key over ``q0 .. q{m-1}``: bit j set when ``qj`` is kept (not null)."""
    if m == 0:
        return pl.lit(0, dtype=pl.Int64)
    return pl.sum_horizontal(
        [pl.col(f"q{j}").is_not_null().cast(pl.Int64) * (1 << j) for j in range(m)]
    )


def compatible_sums(
    data: pl.DataFrame,
    queries: pl.DataFrame,
    quasi_identifiers: Sequence[str],
    *,
    weight: str | None = None,
    by: Sequence[str] = (),
) -> pl.DataFrame:
    """For each distinct key of ``queries``, the total weight of the compatible ``data`` records.

    Both frames hold the quasi-identifiers with null as the wildcard (see :func:`wildcard`), and
    ``data`` must not hold suppressed records (all null): the caller leaves them out, as the rule
    says. Records are compatible when they agree wherever both are not null.

    Parameters
    ----------
    data : polars.DataFrame
        The records counted: the quasi-identifiers, ``by`` and ``weight``.
    queries : polars.DataFrame
        The keys to count for (its quasi-identifier columns; other columns are ignored and
        repeated keys counted once). The dtypes must match ``data``'s.
    quasi_identifiers : sequence of str
    weight : str, optional
        A column of ``data`` with each record's weight (a count of records); 1 each without.
    by : sequence of str
        Columns of ``data`` to keep apart: one result row per query key and value of ``by``
        among its compatible records (for the sensitive values of a class).

    Returns
    -------
    polars.DataFrame
        The quasi-identifiers, ``by`` and ``weight`` (named ``"weight"`` without one; Int64).
        Without ``by``, one row per distinct query key, in order of first appearance, with 0
        where nothing is compatible; with ``by``, only the combinations that occur.

    Examples
    --------
    >>> data = pl.DataFrame({"a": ["x", "x", None, "y"], "b": [1, 2, 1, None]})
    >>> compatible_sums(data, data, ["a", "b"])["weight"].to_list()
    [2, 1, 3, 2]
    """
    qis, extra = list(quasi_identifiers), list(by)
    m = len(qis)
    out_weight = weight or "weight"
    q = [f"q{j}" for j in range(m)]
    b = [f"b{i}" for i in range(len(extra))]
    w = pl.col(weight).cast(pl.Int64) if weight is not None else pl.lit(1, dtype=pl.Int64)
    rows = data.select(
        *(pl.col(c).alias(n) for c, n in zip(qis, q, strict=True)),
        *(pl.col(c).alias(n) for c, n in zip(extra, b, strict=True)),
        w.alias("_w"),
    )
    keys = queries.select(pl.col(c).alias(n) for c, n in zip(qis, q, strict=True)).unique(
        maintain_order=True
    )
    names = {**dict(zip(q, qis, strict=True)), **dict(zip(b, extra, strict=True)), "_w": out_weight}
    distinct = rows.group_by(*q, *b).agg(pl.col("_w").sum()).with_columns(_e=_pattern(m))
    keys = keys.with_columns(_d=_pattern(m))
    full = (1 << m) - 1
    data_patterns = distinct.get_column("_e").unique().to_list()
    query_patterns = keys.get_column("_d").unique().sort().to_list()
    if data_patterns in ([], [full]) and query_patterns == [full]:
        # no wildcard anywhere: compatible is equal, one join
        table = distinct.drop("_e")
        how: Literal["left", "inner"] = "left" if not b else "inner"
        joined = keys.drop("_d").join(table, on=q, how=how, maintain_order="left")
        if not b:
            joined = joined.with_columns(pl.col("_w").fill_null(0))
        return joined.rename(names)
    pairs = [(d, c) for d in query_patterns for c in sorted({e & d for e in data_patterns})]
    pairs_lf = pl.LazyFrame(
        {"_d": [d for d, _ in pairs], "_c": [c for _, c in pairs]},
        schema={"_d": pl.Int64, "_c": pl.Int64},
    )
    # every data key projected on every query pattern D (null outside D), weighed
    weighed = (
        distinct.lazy()
        .join(pl.LazyFrame({"_d": query_patterns}, schema={"_d": pl.Int64}), how="cross")
        .with_columns(
            pl.when((pl.col("_d") & (1 << j)) != 0).then(pl.col(f"q{j}")).alias(f"q{j}")
            for j in range(m)
        )
        .group_by("_d", *q, *b)
        .agg(pl.col("_w").sum())
        .with_columns(_c=_pattern(m))
    )
    # every query key, nulled outside each pattern C = D & E it can meet, looked up
    masked = [f"m{j}" for j in range(m)]
    probes = (
        keys.lazy()
        .join(pairs_lf, on="_d")
        .with_columns(
            pl.when((pl.col("_c") & (1 << j)) != 0).then(pl.col(f"q{j}")).alias(f"m{j}")
            for j in range(m)
        )
        .join(
            weighed,
            left_on=["_d", "_c", *masked],
            right_on=["_d", "_c", *q],
            how="inner",
            nulls_equal=True,
            suffix="_data",
        )
        .group_by(*q, *b)
        .agg(pl.col("_w").sum())
    )
    if b:
        return probes.collect().rename(names)
    out = (
        keys.lazy()
        .drop("_d")
        .join(probes, on=q, how="left", nulls_equal=True, maintain_order="left")
        .with_columns(pl.col("_w").fill_null(0))
    )
    return out.collect().rename(names)


def record_frequencies(
    frame: pl.DataFrame, quasi_identifiers: Sequence[str], *, name: str = "frequency"
) -> pl.Series:
    """Each record's frequency under the rule, in row order: the records that are not
    suppressed and are compatible with it; 0 for a suppressed record.

    Without a suppressed cell in a kept record this is the plain class size (one window
    count); otherwise :func:`compatible_sums` over the distinct keys.
    """
    qis = list(quasi_identifiers)
    schema = frame.schema
    keys = frame.select(wildcard(q, schema[q]) for q in qis)
    gone = pl.all_horizontal([pl.col(q).is_null() for q in qis])
    partial = keys.select((pl.any_horizontal([pl.col(q).is_null() for q in qis]) & ~gone).any())
    if not partial.item():
        return keys.select(
            pl.when(gone).then(0).otherwise(pl.len().over(qis)).cast(pl.Int64).alias(name)
        ).to_series()
    kept = keys.filter(~gone)
    weights = kept.group_by(qis).len(name="_n")
    sums = compatible_sums(weights, weights, qis, weight="_n")
    row = keys.join(sums, on=qis, how="left", nulls_equal=True, maintain_order="left")
    return row.select(
        pl.when(gone).then(0).otherwise(pl.col("_n")).cast(pl.Int64).alias(name)
    ).to_series()

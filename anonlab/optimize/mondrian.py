"""Mondrian: local recoding of numeric quasi-identifiers into k-anonymous boxes.

Strict multidimensional Mondrian (LeFevre, DeWitt and Ramakrishnan, ICDE 2006). Starting from
one partition holding every record, each partition is cut at the median of the quasi-identifier
with the widest range (normalized by the column's range over the whole table) into
``value <= median`` and ``value > median``; a cut is *allowable* when both halves keep at least
``k`` records. When many values tie at the median (a skewed discrete column), the cut
``value < median`` / ``value >= median`` is tried when the first one is not allowable. When the
widest column has no allowable cut, the next widest is tried; a partition with no allowable cut
is final. Each record's values are then replaced by its
partition's range, ``"[lo, hi]"`` (or the single value when ``lo == hi``).

It is vectorized: every round cuts all open partitions at once. Values are ranked per column
once; a round sorts the open records by (partition, rank in the partition's chosen column),
finds every partition's median with index arithmetic and counts the halves with ``bincount``.
There are about ``log2(n / k)`` rounds, each a sort of the still-open records, so a million
rows take seconds, not a Python call per partition.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from anonlab._validation import check_int, describe, dtype_name, fresh_name
from anonlab.errors import ColumnNotFoundError, EmptyFrameError, ParameterError
from anonlab.frames import ingest_eager, restore
from anonlab.risk.classes import COUNT, ClassTable

__all__ = ["MondrianResult", "mondrian"]

_OWNER = "mondrian"


@dataclass(frozen=True, eq=False)
class MondrianResult:
    """What :func:`mondrian` returns.

    Attributes
    ----------
    frame : frame
        The data with each quasi-identifier replaced by its partition's range (String
        ``"[lo, hi]"`` or the single value), in the kind of frame given.
    classes : ClassTable
        The partitions as equivalence classes (keys are the range labels).
    quasi_identifiers : tuple of str
    k : int
    metric : str
        ``"ncp"``, the normalized certainty penalty: the mean over records and quasi-identifiers
        of ``(hi - lo) / (column max - column min)`` (0 for a column with one value).
    metric_value : float
    discernibility : float
        Sum of squared partition sizes.
    aecs : float
        Average partition size.
    partitions : int
    seconds : float
    """

    frame: Any
    classes: ClassTable
    quasi_identifiers: tuple[str, ...]
    k: int
    metric: str
    metric_value: float
    discernibility: float
    aecs: float
    partitions: int
    seconds: float

    def __repr__(self) -> str:
        return (
            f"MondrianResult(k={self.k}, partitions={self.partitions}, "
            f"ncp={self.metric_value:.4f}, smallest={self.smallest}, "
            f"seconds={self.seconds:.2f})"
        )

    @property
    def smallest(self) -> int:
        """The size of the smallest partition."""
        smallest = self.classes.smallest
        return 0 if smallest is None else smallest

    def summary(self) -> str:
        """A few lines for display."""
        return "\n".join([
            f"Mondrian (strict, median cuts) on {', '.join(self.quasi_identifiers)}, k={self.k}:",
            f"  partitions: {self.partitions:,}, smallest {self.smallest:,}, "
            f"average {self.aecs:.1f}",
            f"  normalized certainty penalty: {self.metric_value:.4f}",
            f"  discernibility: {self.discernibility:,.0f}",
            f"  {self.seconds:.2f} s",
        ])

    def to_dict(self) -> dict[str, Any]:
        """Plain data (no frame)."""
        return {
            "quasi_identifiers": list(self.quasi_identifiers),
            "k": self.k,
            "metric": self.metric,
            "metric_value": self.metric_value,
            "discernibility": self.discernibility,
            "aecs": self.aecs,
            "partitions": self.partitions,
            "smallest": self.smallest,
            "seconds": self.seconds,
        }


def _ranks(data: pl.DataFrame, qis: Sequence[str]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Dense ranks (0-based) of every column's values, ``(n, d)``, and per column the
    normalized position of each rank: ``(value - min) / (max - min)``."""
    ranks = np.empty((data.height, len(qis)), dtype=np.int64)
    scaled = []
    for j, q in enumerate(qis):
        column = data.get_column(q).cast(pl.Float64)
        ranks[:, j] = (column.rank("dense") - 1).to_numpy()
        uniq = column.unique().sort().to_numpy()
        span = float(uniq[-1] - uniq[0])
        scaled.append((uniq - uniq[0]) / span if span > 0 else np.zeros_like(uniq))
    return ranks, scaled


def _statistics(
    pid: np.ndarray, sub: np.ndarray, parts: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per open partition (ids 0..parts-1, all present): size, and per column the lowest,
    highest and lower-median rank, in one grouping."""
    d = sub.shape[1]
    frame = pl.DataFrame({"p": pid, **{f"c{j}": sub[:, j] for j in range(d)}})
    agg = (
        frame.group_by("p")
        .agg(
            pl.len().alias("n"),
            *(pl.col(f"c{j}").min().alias(f"lo{j}") for j in range(d)),
            *(pl.col(f"c{j}").max().alias(f"hi{j}") for j in range(d)),
            *(pl.col(f"c{j}").quantile(0.5, "lower").alias(f"md{j}") for j in range(d)),
        )
        .sort("p")
    )
    size = agg.get_column("n").to_numpy().astype(np.int64)

    def block(prefix: str) -> np.ndarray:
        return np.column_stack(
            [agg.get_column(f"{prefix}{j}").to_numpy().astype(np.int64) for j in range(d)]
        )

    return size, block("lo"), block("hi"), block("md")


def mondrian(
    frame: Any,
    quasi_identifiers: Sequence[str],
    k: int = 5,
) -> MondrianResult:
    """k-anonymize numeric quasi-identifiers by strict Mondrian partitioning (local recoding).

    Parameters
    ----------
    frame : pandas, polars (eager or lazy) or Arrow frame
    quasi_identifiers : list of str
        Numeric columns (integers or floats, no nulls).
    k : int, default 5
        Every partition keeps at least ``k`` records.

    Returns
    -------
    MondrianResult

    Raises
    ------
    ColumnNotFoundError
        A quasi-identifier is not in the frame.
    ParameterError
        No quasi-identifiers, a non-numeric one, nulls or NaN in one, a bad ``k``, or fewer
        than ``k`` records.
    EmptyFrameError
        The frame has no rows.

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"age": [21, 22, 23, 40, 41, 42], "zip": [1, 1, 2, 5, 5, 6]})
    >>> mondrian(df, ["age", "zip"], k=3).frame["age"].to_list()
    ['[21, 23]', '[21, 23]', '[21, 23]', '[40, 42]', '[40, 42]', '[40, 42]']
    """
    start_time = time.perf_counter()
    k = check_int(k, "k", _OWNER, min_value=1)  # type: ignore[assignment]
    if isinstance(quasi_identifiers, str):
        quasi_identifiers = [quasi_identifiers]
    qis = tuple(quasi_identifiers)
    if not qis or not all(isinstance(q, str) for q in qis) or len(set(qis)) != len(qis):
        raise ParameterError(
            f"The 'quasi_identifiers' parameter of {_OWNER} must be a non-empty list of distinct "
            f"column names. Got {describe(quasi_identifiers)} instead."
        )
    data, origin = ingest_eager(frame, owner=_OWNER)
    for q in qis:
        if q not in data.columns:
            raise ColumnNotFoundError(q, data.columns, where=_OWNER)
        dtype = data.schema[q]
        if not dtype.is_numeric() or dtype == pl.Boolean:
            raise ParameterError(
                f"{_OWNER} cuts numeric quasi-identifiers; {q!r} has dtype {dtype_name(dtype)}. "
                "Encode it as numbers, or use anonlab.optimize with a hierarchy."
            )
        nulls = data.get_column(q).null_count()
        if dtype.is_float():
            nulls += int(data.get_column(q).is_nan().sum())
        if nulls:
            raise ParameterError(
                f"{_OWNER}: column {q!r} has {nulls} null or NaN value(s); fill or drop them first."
            )
    n = data.height
    if n == 0:
        raise EmptyFrameError(f"{_OWNER} got a frame with no rows; there is nothing to partition.")
    if n < k:
        raise ParameterError(f"{_OWNER} cannot reach k={k}: the frame has only {n} records.")

    ranks, scaled = _ranks(data, qis)
    d = len(qis)
    final = np.zeros(n, dtype=np.int64)  # final partition id per row
    n_final = 0
    rows = np.arange(n, dtype=np.int64)  # rows still in open partitions
    pid = np.zeros(n, dtype=np.int64)  # their open partition id (dense)
    parts = 1
    while rows.size:
        sub = ranks[rows]
        size, lo, hi, median = _statistics(pid, sub, parts)
        widths = np.column_stack([scaled[j][hi[:, j]] - scaled[j][lo[:, j]] for j in range(d)])
        left = np.column_stack([
            np.bincount(pid, weights=sub[:, j] <= median[pid, j], minlength=parts)
            for j in range(d)
        ])
        at_or_below = (widths > 0) & (left >= k) & (size[:, None] - left >= k)
        # with many ties at the median (a skewed discrete column) "<= median" can leave nothing
        # on the right; cutting just below the median ("< median") is then tried instead
        below = np.column_stack([
            np.bincount(pid, weights=sub[:, j] < median[pid, j], minlength=parts)
            for j in range(d)
        ])
        strictly_below = (widths > 0) & (below >= k) & (size[:, None] - below >= k)
        allowable = at_or_below | strictly_below
        # the widest allowable column (the widest first, the next if its cut is not allowable)
        dim = np.argmax(np.where(allowable, widths, -1.0), axis=1)
        split = np.asarray(allowable.any(axis=1))  # numpy types any(axis=1) as maybe a scalar
        row_dim = dim[pid]
        use_below = ~at_or_below[pid, row_dim]
        values = sub[np.arange(rows.size), row_dim]
        cut = median[pid, row_dim]
        goes_left = np.where(use_below, values < cut, values <= cut)
        done = ~split[pid]
        if done.any():
            closing = np.flatnonzero(~split)
            new_ids = np.full(parts, -1, dtype=np.int64)
            new_ids[closing] = n_final + np.arange(closing.size)
            final[rows[done]] = new_ids[pid[done]]
            n_final += closing.size
            keep = ~done
            rows, pid, goes_left = rows[keep], pid[keep], goes_left[keep]
        if not rows.size:
            break
        child = pid * 2 + (~goes_left).astype(np.int64)
        present = np.bincount(child, minlength=2 * parts) > 0
        ids = np.cumsum(present) - 1
        pid = ids[child]
        parts = int(ids[-1]) + 1

    return _result(data, origin, qis, k, final, n_final, start_time)


def _result(
    data: pl.DataFrame,
    origin: Any,
    qis: tuple[str, ...],
    k: int,
    final: np.ndarray,
    parts: int,
    start_time: float,
) -> MondrianResult:
    part = fresh_name(data.columns, "__anonlab_partition")
    with_part = data.with_columns(pl.Series(part, final))
    bounds = with_part.group_by(part).agg(
        pl.len().alias("__n"),
        *(pl.col(q).min().alias(f"__lo{j}") for j, q in enumerate(qis)),
        *(pl.col(q).max().alias(f"__hi{j}") for j, q in enumerate(qis)),
    )

    def label(j: int) -> pl.Expr:
        lo, hi = pl.col(f"__lo{j}"), pl.col(f"__hi{j}")
        return (
            pl.when(lo == hi).then(lo.cast(pl.String))
            .otherwise(pl.format("[{}, {}]", lo, hi)).alias(qis[j])
        )

    labels = bounds.select(part, "__n", *(label(j) for j in range(len(qis))))
    out = (
        with_part.drop(*qis)
        .join(labels.drop("__n"), on=part, how="left", maintain_order="left")
        .select(data.columns)
    )
    n = data.height
    spans = []
    for j, q in enumerate(qis):
        col = data.get_column(q).cast(pl.Float64)
        top, bottom = col.max(), col.min()
        assert isinstance(top, float) and isinstance(bottom, float)  # a Float64 of rows
        full = top - bottom
        width = (bounds[f"__hi{j}"].cast(pl.Float64) - bounds[f"__lo{j}"].cast(pl.Float64))
        spans.append(0.0 if full == 0 else float((width * bounds["__n"]).sum()) / (full * n))
    sizes = bounds.get_column("__n").cast(pl.Int64)
    classes = ClassTable(qis, labels.select(qis), sizes.alias(COUNT))
    size_np = sizes.to_numpy().astype(np.float64)
    return MondrianResult(
        frame=restore(out, origin),
        classes=classes,
        quasi_identifiers=qis,
        k=k,
        metric="ncp",
        metric_value=float(np.mean(spans)),
        discernibility=float(np.multiply(size_np, size_np).sum()),
        aecs=n / parts,
        partitions=parts,
        seconds=time.perf_counter() - start_time,
    )

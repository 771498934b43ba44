"""How much an anonymized frame still looks like the original: per column and overall.

Per column (every column the two frames share, quasi-identifiers first):

* ``changed``: the share of records whose value differs (compared as text when the dtype
  changed, so ``39`` and ``"39"`` are equal; null equals null);
* ``distinct_before`` / ``distinct_after``: distinct non-null values;
* ``intensity``: how far the values were generalized, 0 (untouched) to 1 (fully). With a
  hierarchy, the mean over records of level / height, where a record's level is the lowest
  level whose label of its original value is its anonymized value (level 0 when unchanged;
  ``height`` when it is null, ``*`` or not a label of its original value at all); records
  whose original value is null are left out. Without a hierarchy, the share changed;
* ``suppressed``: the share of records whose value was present and is now null or ``*``;
* ``distance``: how far the value distribution moved. For a numeric column that is still
  numeric, the 1-D Wasserstein (earth mover's) distance between the original and anonymized
  values over the original's range (0 same distribution, 1 everything moved across the whole
  range); otherwise the total variation distance between the value frequencies (nulls a value
  of their own), ``0.5 sum |p - q|``.

Overall, on the quasi-identifiers of the anonymized frame (:func:`~anonlab.risk.classes
.equivalence_classes`):

* ``discernibility``: ``sum f_j^2`` over classes (with suppressed cells, which make classes
  overlap, the sum over records of their class size) plus ``n`` for each record whose
  quasi-identifiers are all suppressed, as ARX's discernibility metric (Bayardo and Agrawal,
  ICDE 2005);
* ``average_class_size``: records in classes / classes, and with ``k`` the normalized average
  equivalence class size (LeFevre, DeWitt and Ramakrishnan, ICDE 2006) ``average / k``;
* ``records_suppressed``: records whose quasi-identifiers are all suppressed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from anonlab._validation import check_int
from anonlab.errors import ColumnNotFoundError, EmptyFrameError, ParameterError
from anonlab.frames import ingest
from anonlab.hierarchies import Hierarchy
from anonlab.risk.classes import _names, equivalence_classes
from anonlab.suppressed import cell_suppressed

if TYPE_CHECKING:
    from polars.expr.whenthen import ChainedThen, Then

__all__ = ["ColumnUtility", "UtilityReport", "utility"]

_OWNER = "utility"


@dataclass(frozen=True)
class ColumnUtility:
    """The utility figures of one column (see the module docstring)."""

    column: str
    quasi_identifier: bool
    changed: float
    distinct_before: int
    distinct_after: int
    intensity: float
    hierarchy: bool
    suppressed: float
    distance: float
    distance_kind: str  # "wasserstein" or "tvd"

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-ready data."""
        return {
            "column": self.column,
            "quasi_identifier": self.quasi_identifier,
            "changed": self.changed,
            "distinct_before": self.distinct_before,
            "distinct_after": self.distinct_after,
            "intensity": self.intensity,
            "hierarchy": self.hierarchy,
            "suppressed": self.suppressed,
            "distance": self.distance,
            "distance_kind": self.distance_kind,
        }


@dataclass(frozen=True)
class UtilityReport:
    """The utility of an anonymized frame against its original.

    Attributes
    ----------
    quasi_identifiers : tuple of str
    records : int
        Records in each frame.
    columns : mapping of str to ColumnUtility
        Per shared column, quasi-identifiers first.
    removed : tuple of str
        Columns of the original the anonymized frame no longer has.
    classes : int
        Equivalence classes of the anonymized frame.
    discernibility : int
        ``sum f_j^2`` plus ``n`` per suppressed record.
    average_class_size : float or None
        Records in classes / classes (None without classes).
    normalized_average_class_size : float or None
        ``average_class_size / k`` when ``k`` was given.
    records_suppressed : int
        Records whose quasi-identifiers are all suppressed.
    k : int or None
    """

    quasi_identifiers: tuple[str, ...]
    records: int
    columns: Mapping[str, ColumnUtility]
    removed: tuple[str, ...]
    classes: int
    discernibility: int
    average_class_size: float | None
    normalized_average_class_size: float | None
    records_suppressed: int
    k: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", MappingProxyType(dict(self.columns)))

    @property
    def suppressed_share(self) -> float:
        """Records suppressed over all records."""
        return self.records_suppressed / self.records if self.records else 0.0

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-ready data."""
        return {
            "quasi_identifiers": list(self.quasi_identifiers),
            "records": self.records,
            "columns": {name: c.to_dict() for name, c in self.columns.items()},
            "removed": list(self.removed),
            "classes": self.classes,
            "discernibility": self.discernibility,
            "average_class_size": self.average_class_size,
            "normalized_average_class_size": self.normalized_average_class_size,
            "records_suppressed": self.records_suppressed,
            "suppressed_share": self.suppressed_share,
            "k": self.k,
        }

    def to_frame(self) -> pl.DataFrame:
        """One row per column with its figures."""
        schema = {
            "column": pl.String, "quasi_identifier": pl.Boolean, "changed": pl.Float64,
            "distinct_before": pl.Int64, "distinct_after": pl.Int64, "intensity": pl.Float64,
            "hierarchy": pl.Boolean, "suppressed": pl.Float64, "distance": pl.Float64,
            "distance_kind": pl.String,
        }
        return pl.DataFrame([c.to_dict() for c in self.columns.values()], schema=schema,
                            orient="row")

    def __repr__(self) -> str:
        avg = "n/a" if self.average_class_size is None else f"{self.average_class_size:.3g}"
        lines = [
            f"Utility on {', '.join(self.quasi_identifiers)}: {self.records:,} records, "
            f"{self.classes:,} classes (average size {avg}"
            + (f", normalized {self.normalized_average_class_size:.3g} for k={self.k}"
               if self.normalized_average_class_size is not None else "")
            + f"), discernibility {self.discernibility:,}, "
            f"{self.records_suppressed:,} records suppressed ({self.suppressed_share:.1%})",
        ]
        width = max((len(c) for c in self.columns), default=6)
        lines.append(f"  {'column':<{width}}  changed  distinct  intensity  suppressed  distance")
        for name, c in self.columns.items():
            mark = "*" if c.quasi_identifier else " "
            distinct = f"{c.distinct_before}->{c.distinct_after}"
            kind = "W1" if c.distance_kind == "wasserstein" else "TVD"
            lines.append(
                f"{mark} {name:<{width}}  {c.changed:>7.1%}  {distinct:>8}  {c.intensity:>9.3f}"
                f"  {c.suppressed:>10.1%}  {c.distance:.3f} {kind}"
            )
        if self.removed:
            lines.append(f"  removed: {', '.join(self.removed)}")
        return "\n".join(lines)


# -- measures --------------------------------------------------------------------------------------
def _is_number(dtype: pl.DataType) -> bool:
    return dtype.is_numeric() or dtype.is_temporal()


def _text(dtype: pl.DataType, name: str) -> pl.Expr:
    return pl.col(name) if dtype == pl.String else pl.col(name).cast(pl.String)


def _missing(dtype: pl.DataType, name: str) -> pl.Expr:
    """Null, or ``*`` in a text column (:func:`anonlab.suppressed.cell_suppressed`)."""
    return cell_suppressed(name, dtype)


def _tvd(before: pl.Series, after: pl.Series) -> float:
    """Total variation distance between the value frequencies (as text, nulls a value)."""
    n = before.len()
    p = before.cast(pl.String).value_counts(name="p").rename({before.name: "v"})
    q = after.cast(pl.String).value_counts(name="q").rename({after.name: "v"})
    joined = p.join(q, on="v", how="full", coalesce=True, nulls_equal=True)
    diff = joined.select((pl.col("p").cast(pl.Int64).fill_null(0)
                          - pl.col("q").cast(pl.Int64).fill_null(0)).abs().sum()).item()
    return 0.5 * float(diff) / n


def _wasserstein(before: pl.Series, after: pl.Series) -> float:
    """W1 between the non-null values of two numeric samples, over the original's range."""
    x = before.drop_nulls().to_physical().cast(pl.Float64).to_numpy()
    y = after.drop_nulls().to_physical().cast(pl.Float64).to_numpy()
    if x.size == 0 or y.size == 0:
        return 0.0 if x.size == y.size else 1.0
    x, y = np.sort(x), np.sort(y)
    support = np.concatenate([x, y])
    support.sort()
    widths = np.diff(support)
    fx = np.searchsorted(x, support[:-1], side="right") / x.size
    fy = np.searchsorted(y, support[:-1], side="right") / y.size
    w1 = float(np.sum(np.abs(fx - fy) * widths))
    span = float(x[-1] - x[0]) or float(support[-1] - support[0])
    return min(w1 / span, 1.0) if span > 0 else 0.0


def _levels(hierarchy: Hierarchy, name: str, a_dtype: pl.DataType, anon: str) -> pl.Expr:
    """Each record's generalization level (null where the original is null)."""
    text = _text(a_dtype, anon)
    expr: Then | ChainedThen = pl.when(pl.col(name).is_null()).then(None)
    expr = expr.when(text.is_null()).then(hierarchy.height)
    expr = expr.when(text == pl.col(name).cast(pl.String)).then(0)
    for level in range(1, hierarchy.height + 1):
        expr = expr.when(text == hierarchy.expr(name, level, strict=False)).then(level)
    return expr.otherwise(hierarchy.height)


def _hierarchy(value: Any, column: str) -> Hierarchy:
    if isinstance(value, Hierarchy):
        return value
    if isinstance(value, Mapping):
        return Hierarchy.from_mapping(value, column=column)
    raise ParameterError(
        f"The hierarchy for {column!r} given to {_OWNER} must be a Hierarchy or a mapping "
        f"value -> (level 1, ..., level h). Got {type(value).__name__} instead."
    )


def _column(
    name: str, before: pl.DataFrame, after: pl.DataFrame, anon: str,
    hierarchy: Hierarchy | None, is_qi: bool,
) -> ColumnUtility:
    b_dtype, a_dtype = before.schema[name], after.schema[anon]
    frame = pl.concat([before.select(name), after.select(pl.col(anon).alias(anon))],
                      how="horizontal")
    if b_dtype == a_dtype:
        same = pl.col(name).eq_missing(pl.col(anon))
    else:
        same = _text(b_dtype, name).eq_missing(_text(a_dtype, anon))
    exprs = [
        (~same).mean().alias("changed"),
        pl.col(name).drop_nulls().n_unique().alias("db"),
        pl.col(anon).drop_nulls().n_unique().alias("da"),
        (pl.col(name).is_not_null() & _missing(a_dtype, anon)).mean().alias("sup"),
    ]
    if hierarchy is not None:
        exprs.append((_levels(hierarchy, name, a_dtype, anon).mean()
                      / max(hierarchy.height, 1)).alias("lvl"))
    row = frame.select(exprs).row(0, named=True)
    changed = float(row["changed"])
    intensity = changed if hierarchy is None else float(row["lvl"] if row["lvl"] is not None
                                                        else 0.0)
    b, a = frame.get_column(name), frame.get_column(anon)
    if _is_number(b_dtype) and _is_number(a_dtype) and b_dtype != pl.Boolean:
        distance, kind = _wasserstein(b, a), "wasserstein"
    else:
        distance, kind = _tvd(b, a), "tvd"
    return ColumnUtility(
        column=name,
        quasi_identifier=is_qi,
        changed=changed,
        distinct_before=int(row["db"]),
        distinct_after=int(row["da"]),
        intensity=intensity,
        hierarchy=hierarchy is not None,
        suppressed=float(row["sup"]),
        distance=distance,
        distance_kind=kind,
    )


def _eager(frame: Any, which: str) -> pl.DataFrame:
    data, _ = ingest(frame, owner=_OWNER)
    if isinstance(data, pl.LazyFrame):
        data = data.collect()
    if data.height == 0:
        raise EmptyFrameError(
            f"{_OWNER} got an {which} frame with no rows; there is nothing to compare."
        )
    return data


def utility(
    original: Any,
    anonymized: Any,
    quasi_identifiers: str | Sequence[str],
    *,
    hierarchies: Mapping[str, Hierarchy | Mapping[str, Sequence[str]]] | None = None,
    k: int | None = None,
) -> UtilityReport:
    """Compare an anonymized frame with its original, record by record.

    Parameters
    ----------
    original, anonymized : pandas, polars (eager or lazy) or Arrow frames
        The same records in the same order (suppressed records kept as ``*`` or null, not
        dropped).
    quasi_identifiers : str or list of str
    hierarchies : mapping of column to Hierarchy (or ``{value: (level 1, ...)}``), optional
        The generalization hierarchies used; they make ``intensity`` the mean level / height.
    k : int >= 1, optional
        The k of the k-anonymity target, for the normalized average class size.

    Returns
    -------
    UtilityReport

    Raises
    ------
    ParameterError
        The frames have different heights, a hierarchy is not a Hierarchy or mapping, or a
        parameter is malformed.
    ColumnNotFoundError
        A quasi-identifier (or a column with a hierarchy) is missing from either frame.
    EmptyFrameError
        A frame has no rows.
    """
    qis = _names(quasi_identifiers, "quasi_identifiers", _OWNER, allow_empty=False)
    check_int(k, "k", _OWNER, min_value=1, allow_none=True)
    if hierarchies is not None and not isinstance(hierarchies, Mapping):
        raise ParameterError(
            f"The 'hierarchies' parameter of {_OWNER} must be a mapping of column names to "
            f"hierarchies. Got {type(hierarchies).__name__} instead."
        )
    before = _eager(original, "original")
    after = _eager(anonymized, "anonymized")
    if before.height != after.height:
        raise ParameterError(
            f"{_OWNER} compares records row by row, but the original has {before.height:,} rows "
            f"and the anonymized frame {after.height:,}. Keep suppressed records (as '*' or "
            "null) instead of dropping them, and keep the row order."
        )
    for q in qis:
        for data, which in ((before, "original"), (after, "anonymized")):
            if q not in data.columns:
                raise ColumnNotFoundError(q, data.columns, where=f"{_OWNER} ({which} frame)")
    hier = {}
    for column, value in (hierarchies or {}).items():
        for data, which in ((before, "original"), (after, "anonymized")):
            if column not in data.columns:
                raise ColumnNotFoundError(
                    column, data.columns, where=f"{_OWNER} hierarchies ({which} frame)"
                )
        hier[column] = _hierarchy(value, column)
    shared = [c for c in before.columns if c in after.columns]
    order = list(qis) + [c for c in shared if c not in qis]
    anon_names = {c: f"{c}\u0000anonymized" for c in order}
    columns = {
        c: _column(c, before.select(c), after.select(pl.col(c).alias(anon_names[c])),
                   anon_names[c], hier.get(c), c in qis)
        for c in order
    }
    table = equivalence_classes(after, list(qis), owner=_OWNER)
    n = before.height
    classes = table.classes
    size = table.size.cast(pl.Int64)
    # the sum over records of their class size (sum of squares when the classes partition)
    size_sq = int((size * table.members).sum()) if classes else 0
    average = table.records / classes if classes else None
    return UtilityReport(
        quasi_identifiers=tuple(qis),
        records=n,
        columns=columns,
        removed=tuple(c for c in before.columns if c not in after.columns),
        classes=classes,
        discernibility=size_sq + table.suppressed * n,
        average_class_size=average,
        normalized_average_class_size=(
            average / k if average is not None and k is not None else None
        ),
        records_suppressed=table.suppressed,
        k=k,
    )

"""Equivalence classes: the groups of records that share their quasi-identifier values.

Every risk figure and privacy model works on a :class:`ClassTable`, a small summary of a frame:
one row per class with its quasi-identifier values and size, and, for each sensitive column,
how often each value occurs in each class and in the whole frame. It is built once by
:func:`equivalence_classes` (one grouping per sensitive column, run in parallel) and is cheap to
build from counts directly (:meth:`ClassTable.from_counts`), which is how the optimal search
evaluates a generalization without regrouping the raw rows.

Suppressed records
------------------
A record whose quasi-identifiers are all suppressed (``*``, the top of an ARX hierarchy, in the
text columns, null in the others) is counted in :attr:`ClassTable.suppressed` and left out of the
classes, as the reference tool ARX does: such a record says nothing about anyone, and counting it
as one large class would make every k look met. Nulls alone are missing values and stay in a
class (see :func:`suppressed_expr`). A record with only some values suppressed stays in a
class, with ``*`` as one of its values.

Sensitive values that are null are left out of the distributions (a missing diagnosis does not
make a class more diverse).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import polars as pl

from anonlab._validation import fresh_name
from anonlab.errors import ColumnNotFoundError, EmptyFrameError, ParameterError
from anonlab.frames import ingest

__all__ = ["SUPPRESSED", "ClassTable", "equivalence_classes"]

SUPPRESSED = "*"
"""The value ARX hierarchies use for a fully generalized (suppressed) value."""

CLASS, VALUE, COUNT = "class", "value", "count"


@dataclass(frozen=True, eq=False)
class ClassTable:
    """The equivalence classes of a frame on its quasi-identifiers, with sensitive-value counts.

    Attributes
    ----------
    quasi_identifiers : tuple of str
        The columns that define the classes.
    keys : polars.DataFrame
        One row per class: its quasi-identifier values. Row ``i`` is class ``i``.
    size : polars.Series
        The number of records in each class (Int64, aligned with ``keys``).
    distributions : mapping of str to polars.DataFrame
        Per sensitive column, the non-null value counts in each class: columns ``class``
        (the row of ``keys``), ``value`` and ``count``. Absent values are absent rows.
    overall : mapping of str to polars.DataFrame
        Per sensitive column, value counts over every record of the frame (suppressed ones
        too): columns ``value`` and ``count``. t-closeness, beta-likeness and
        delta-disclosure compare each class with this distribution.
    suppressed : int
        Records left out because all their quasi-identifiers are suppressed.
    population : polars.Series or None
        When a population table was given: how many of its records share each class's values.
    """

    quasi_identifiers: tuple[str, ...]
    keys: pl.DataFrame
    size: pl.Series
    distributions: Mapping[str, pl.DataFrame] = field(default_factory=dict)
    overall: Mapping[str, pl.DataFrame] = field(default_factory=dict)
    suppressed: int = 0
    population: pl.Series | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "distributions", MappingProxyType(dict(self.distributions)))
        object.__setattr__(self, "overall", MappingProxyType(dict(self.overall)))
        if self.keys.height != self.size.len():
            raise ValueError("ClassTable: keys and size must have one row per class")
        if self.population is not None and self.population.len() != self.size.len():
            raise ValueError("ClassTable: population must have one count per class")

    # -- figures -------------------------------------------------------------------------------
    @property
    def classes(self) -> int:
        """The number of equivalence classes."""
        return self.size.len()

    @property
    def records(self) -> int:
        """Records in classes (the suppressed ones are not)."""
        return int(self.size.sum()) if self.classes else 0

    @property
    def sensitive(self) -> tuple[str, ...]:
        """The sensitive columns whose distributions are held."""
        return tuple(self.distributions)

    def class_shares(self, column: str) -> pl.DataFrame:
        """Per class and present value: ``class``, ``value``, ``q`` (share in the class) and
        ``p`` (share in the whole frame). Values absent from a class have no row."""
        dist = self._distribution(column)
        overall = self.overall[column]
        total = overall.get_column(COUNT).sum()
        sizes = (
            dist.group_by(CLASS).agg(pl.col(COUNT).sum().alias("_n"))
        )
        return (
            dist.join(sizes, on=CLASS)
            .join(overall.rename({COUNT: "_p"}), on=VALUE, nulls_equal=True)
            .select(
                CLASS,
                VALUE,
                (pl.col(COUNT) / pl.col("_n")).alias("q"),
                (pl.col("_p") / total).alias("p"),
            )
        )

    def _distribution(self, column: str) -> pl.DataFrame:
        if column not in self.distributions:
            raise ParameterError(
                f"No distribution of {column!r} was computed; pass it among the sensitive "
                f"columns (have: {', '.join(self.distributions) or 'none'})."
            )
        return self.distributions[column]

    # -- building ------------------------------------------------------------------------------
    @classmethod
    def from_counts(
        cls,
        counts: pl.DataFrame,
        quasi_identifiers: Sequence[str],
        *,
        sensitive: str | None = None,
        count: str = "count",
        overall: pl.DataFrame | None = None,
        suppressed: int = 0,
    ) -> ClassTable:
        """A table from grouped counts: one row per combination of quasi-identifiers (and,
        with ``sensitive``, of its value), with the number of records in ``count``.

        This is how a search builds a table for a candidate generalization from counts rolled
        up the hierarchies, without touching the raw rows.
        """
        qis = list(quasi_identifiers)
        if sensitive is None:
            grouped = counts.group_by(qis).agg(pl.col(count).sum().alias(COUNT))
            return cls(tuple(qis), grouped.select(qis), grouped.get_column(COUNT),
                       suppressed=suppressed)
        sizes = counts.group_by(qis).agg(pl.col(count).sum().alias(COUNT))
        sizes = sizes.with_row_index(CLASS)
        dist = (
            counts.filter(pl.col(sensitive).is_not_null())
            .join(sizes.select(CLASS, *qis), on=qis, nulls_equal=True)
            .group_by(CLASS, sensitive)
            .agg(pl.col(count).sum().alias(COUNT))
            .rename({sensitive: VALUE})
        )
        if overall is None:
            overall = (
                counts.filter(pl.col(sensitive).is_not_null())
                .group_by(sensitive)
                .agg(pl.col(count).sum().alias(COUNT))
                .rename({sensitive: VALUE})
            )
        return cls(
            tuple(qis),
            sizes.select(qis),
            sizes.get_column(COUNT),
            {sensitive: dist},
            {sensitive: overall},
            suppressed=suppressed,
        )

    def subset(self, keep: pl.Series) -> ClassTable:
        """The table restricted to the classes where ``keep`` is true (renumbered)."""
        index = pl.Series(CLASS, range(self.classes), dtype=pl.UInt32).filter(keep)
        renumber = pl.DataFrame({CLASS: index, "_new": pl.int_range(index.len(), dtype=pl.UInt32,
                                                                    eager=True)})
        dists = {
            name: d.with_columns(pl.col(CLASS).cast(pl.UInt32))
            .join(renumber, on=CLASS)
            .select(pl.col("_new").alias(CLASS), VALUE, COUNT)
            for name, d in self.distributions.items()
        }
        return ClassTable(
            self.quasi_identifiers,
            self.keys.filter(keep),
            self.size.filter(keep),
            dists,
            self.overall,
            suppressed=self.suppressed,
            population=None if self.population is None else self.population.filter(keep),
        )


def _names(value: Any, what: str, owner: str, *, allow_empty: bool) -> tuple[str, ...]:
    if isinstance(value, str):
        value = (value,)
    if value is None:
        value = ()
    if not isinstance(value, Iterable) or not all(isinstance(v, str) for v in value):
        raise ParameterError(
            f"The {what!r} parameter of {owner} must be a list of column names. Got "
            f"{type(value).__name__} instead."
        )
    out = tuple(value)
    if not out and not allow_empty:
        raise ParameterError(
            f"{owner} needs at least one quasi-identifier: the columns an attacker could know "
            "(for example age, ZIP code, sex)."
        )
    if len(set(out)) != len(out):
        twice = next(v for v in out if out.count(v) > 1)
        raise ParameterError(f"The {what!r} parameter of {owner} names {twice!r} twice.")
    return out


def suppressed_expr(schema: Mapping[str, pl.DataType], quasi_identifiers: Sequence[str]) -> pl.Expr:
    """True for a record whose quasi-identifiers are all suppressed.

    Suppression writes ``*`` into text columns and null into the others, so a record is
    suppressed when every quasi-identifier is ``*`` or null and at least one text
    quasi-identifier holds ``*``. Nulls alone are missing values, which an attacker can match
    like any other value, so they stay in a class, unless no quasi-identifier is text (then
    null is the only mark suppression can leave).
    """
    parts, starred = [], []
    for q in quasi_identifiers:
        col = pl.col(q)
        if schema[q] in (pl.String, pl.Categorical) or isinstance(schema[q], pl.Enum):
            star = col.cast(pl.String) == SUPPRESSED
            parts.append(col.is_null() | star)
            starred.append(star.fill_null(False))
        else:
            parts.append(col.is_null())
    if not starred:
        return pl.all_horizontal(parts)
    return pl.all_horizontal(parts) & pl.any_horizontal(starred)


def equivalence_classes(
    frame: Any,
    quasi_identifiers: str | Sequence[str],
    sensitive: str | Sequence[str] = (),
    *,
    population: Any = None,
    owner: str = "equivalence_classes",
) -> ClassTable:
    """Group a frame's records into equivalence classes on ``quasi_identifiers``.

    Parameters
    ----------
    frame : pandas, polars (eager or lazy) or Arrow frame
        The data.
    quasi_identifiers : str or list of str
        Columns an attacker could know.
    sensitive : str or list of str, optional
        Columns whose per-class value counts are kept (for l-diversity, t-closeness...).
    population : frame, optional
        A population table with the same quasi-identifier columns, for k-map, delta-presence
        and journalist risk: each class gets the number of population records that match it.

    Raises
    ------
    ColumnNotFoundError
        A named column is not in the frame (or the population table).
    ParameterError
        No quasi-identifiers, a column named twice, or a column both quasi-identifying and
        sensitive.
    EmptyFrameError
        The frame has no rows.
    """
    qis = _names(quasi_identifiers, "quasi_identifiers", owner, allow_empty=False)
    sens = _names(sensitive, "sensitive", owner, allow_empty=True)
    both = [s for s in sens if s in qis]
    if both:
        raise ParameterError(
            f"{owner}: {both[0]!r} is both a quasi-identifier and a sensitive column; a column "
            "an attacker knows cannot be the secret the classes protect. Choose one role."
        )
    data, _ = ingest(frame, owner=owner)
    lf = data.lazy()
    schema = lf.collect_schema()
    for name in (*qis, *sens):
        if name not in schema:
            raise ColumnNotFoundError(name, schema.names(), where=owner)
    flag = fresh_name(schema.names(), "__anonlab_suppressed")
    lf = lf.select(*qis, *sens).with_columns(suppressed_expr(schema, qis).alias(flag))
    kept = lf.filter(~pl.col(flag))
    queries: list[pl.LazyFrame] = [lf.select(pl.len().alias("n"), pl.col(flag).sum().alias("s"))]
    if sens:
        count = fresh_name(qis, "__anonlab_count")
        for s in sens:
            queries.append(kept.group_by(*qis, s).agg(pl.len().alias(count)))
            queries.append(
                lf.filter(pl.col(s).is_not_null()).group_by(s).agg(pl.len().alias(COUNT))
                .rename({s: VALUE})
            )
    else:
        count = fresh_name(qis, "__anonlab_count")
        queries.append(kept.group_by(*qis).agg(pl.len().alias(count)))
    results = pl.collect_all(queries)
    total, suppressed = results[0].row(0)
    if total == 0:
        raise EmptyFrameError(f"{owner} got a frame with no rows; there are no records to assess.")
    if sens:
        # one grouping per sensitive column; the classes come from regrouping the first one's
        # (much smaller) result into lists, so no join is needed to number them
        first = results[1]
        per_class = (
            first.group_by(qis)
            .agg(pl.col(sens[0]), pl.col(count))
            .with_row_index(CLASS)
        )
        keys = per_class.select(qis)
        size = per_class.get_column(count).list.sum().alias(COUNT)
        dists: dict[str, pl.DataFrame] = {}
        overall: dict[str, pl.DataFrame] = {}
        dists[sens[0]] = (
            per_class.select(CLASS, pl.col(sens[0]).alias(VALUE), pl.col(count).alias(COUNT))
            .explode(VALUE, COUNT)
            .filter(pl.col(VALUE).is_not_null())
        )
        overall[sens[0]] = results[2]
        numbered = per_class.select(CLASS, *qis) if len(sens) > 1 else None
        for i, s in enumerate(sens[1:], start=1):
            assert numbered is not None
            dists[s] = (
                results[1 + 2 * i]
                .filter(pl.col(s).is_not_null())
                .join(numbered, on=list(qis), nulls_equal=True)
                .select(CLASS, pl.col(s).alias(VALUE), pl.col(count).alias(COUNT))
            )
            overall[s] = results[2 + 2 * i]
    else:
        grouped = results[1]
        keys, size = grouped.select(qis), grouped.get_column(count).alias(COUNT)
        dists, overall = {}, {}
    size = size.cast(pl.Int64)
    pop = None
    if population is not None:
        pop = _population_counts(population, keys, qis, owner)
    return ClassTable(qis, keys, size, dists, overall, suppressed=int(suppressed), population=pop)


def _population_counts(
    population: Any, keys: pl.DataFrame, qis: Sequence[str], owner: str
) -> pl.Series:
    data, _ = ingest(population, owner=owner)
    lf = data.lazy()
    schema = lf.collect_schema()
    for name in qis:
        if name not in schema:
            raise ColumnNotFoundError(name, schema.names(), where=f"{owner} (population table)")
    count = fresh_name(qis, "__anonlab_population")
    counts = lf.group_by(*qis).agg(pl.len().alias(count)).collect()
    cast = [pl.col(q).cast(keys.schema[q]) for q in qis]
    try:
        counts = counts.with_columns(cast)
    except pl.exceptions.PolarsError:
        raise ParameterError(
            f"{owner}: the population table's quasi-identifier columns do not have the sample's "
            "types; give both tables the same columns and dtypes."
        ) from None
    matched = keys.with_row_index("_i").join(counts, on=list(qis), how="left", nulls_equal=True)
    return matched.sort("_i").get_column(count).fill_null(0).cast(pl.Int64).alias("population")

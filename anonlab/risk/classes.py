"""Equivalence classes: the groups of records that share their quasi-identifier values.

Every risk figure and privacy model works on a :class:`ClassTable`, a small summary of a frame:
one row per class with its quasi-identifier values and size, and, for each sensitive column,
how often each value occurs in each class and in the whole frame. It is built once by
:func:`equivalence_classes` (one grouping per sensitive column, run in parallel) and is cheap to
build from counts directly (:meth:`ClassTable.from_counts`), which is how the optimal search
evaluates a generalization without regrouping the raw rows.

Suppressed cells and records
----------------------------
The rule is :mod:`anonlab.suppressed`'s, the one every part of anonlab uses: a quasi-identifier
cell that is null or ``*`` is suppressed and matches any value (a wildcard, as in sdcMicro); a
record whose quasi-identifiers are all suppressed is counted in :attr:`ClassTable.suppressed`
and left out of the classes (as ARX does). Without a suppressed cell in the records kept, the
classes are the groups of equal records. With some, the classes overlap: there is one per
distinct key, its :attr:`ClassTable.members` are the records with exactly that key, and its
size and sensitive values are those of every record compatible with it.

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
from anonlab.suppressed import (
    SUPPRESSED,
    cell_suppressed,
    compatible_sums,
    record_suppressed,
    wildcard,
)

__all__ = ["SUPPRESSED", "ClassTable", "equivalence_classes"]

CLASS, VALUE, COUNT = "class", "value", "count"


@dataclass(frozen=True, eq=False)
class ClassTable:
    """The equivalence classes of a frame on its quasi-identifiers, with sensitive-value counts.

    Attributes
    ----------
    quasi_identifiers : tuple of str
        The columns that define the classes.
    keys : polars.DataFrame
        One row per class: its quasi-identifier values (a suppressed cell as null). Row ``i``
        is class ``i``.
    size : polars.Series
        The number of records in each class (Int64, aligned with ``keys``): for a key with a
        suppressed cell, every record compatible with it (its members' frequency).
    distributions : mapping of str to polars.DataFrame
        Per sensitive column, the non-null value counts in each class (over the records
        ``size`` counts): columns ``class`` (the row of ``keys``), ``value`` and ``count``.
        Absent values are absent rows.
    overall : mapping of str to polars.DataFrame
        Per sensitive column, value counts over every record of the frame (suppressed ones
        too): columns ``value`` and ``count``. t-closeness, beta-likeness and
        delta-disclosure compare each class with this distribution.
    suppressed : int
        Records left out because all their quasi-identifiers are suppressed.
    population : polars.Series or None
        When a population table was given: how many of its records are compatible with each
        class's values.
    members : polars.Series
        The records whose key is the class's (Int64, aligned with ``keys``): ``size`` itself
        when the classes partition the records (no suppressed cell in a kept record), fewer
        when a class also counts compatible records of other keys. Figures about records
        (how many fail, the average risk) add up ``members``.
    """

    quasi_identifiers: tuple[str, ...]
    keys: pl.DataFrame
    size: pl.Series
    distributions: Mapping[str, pl.DataFrame] = field(default_factory=dict)
    overall: Mapping[str, pl.DataFrame] = field(default_factory=dict)
    suppressed: int = 0
    population: pl.Series | None = None
    members: pl.Series = None  # type: ignore[assignment]  # None: the classes partition

    def __post_init__(self) -> None:
        object.__setattr__(self, "distributions", MappingProxyType(dict(self.distributions)))
        object.__setattr__(self, "overall", MappingProxyType(dict(self.overall)))
        if self.keys.height != self.size.len():
            raise ValueError("ClassTable: keys and size must have one row per class")
        if self.population is not None and self.population.len() != self.size.len():
            raise ValueError("ClassTable: population must have one count per class")
        if self.members is None:
            object.__setattr__(self, "members", self.size.cast(pl.Int64).alias("members"))
        elif self.members.len() != self.size.len():
            raise ValueError("ClassTable: members must have one count per class")

    # -- figures -------------------------------------------------------------------------------
    @property
    def classes(self) -> int:
        """The number of equivalence classes."""
        return self.size.len()

    @property
    def smallest(self) -> int | None:
        """The size of the smallest class (the k the table achieves), None without classes."""
        if not self.classes:
            return None
        value = self.size.min()
        assert isinstance(value, int)  # size holds counts
        return value

    @property
    def records(self) -> int:
        """Records in classes (the suppressed ones are not)."""
        return int(self.members.sum()) if self.classes else 0

    @property
    def overlapping(self) -> bool:
        """Whether a class counts records of other keys (a kept record has a suppressed
        cell, a wildcard), so the classes do not partition the records."""
        return bool((self.members != self.size).any()) if self.classes else False

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
            members=self.members.filter(keep),
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
    """True for a record whose quasi-identifiers are all suppressed (null or ``*``), whatever
    their dtypes: :func:`anonlab.suppressed.record_suppressed`."""
    return record_suppressed(schema, quasi_identifiers)


def equivalence_classes(
    frame: Any,
    quasi_identifiers: str | Sequence[str],
    sensitive: str | Sequence[str] = (),
    *,
    population: Any = None,
    owner: str = "equivalence_classes",
) -> ClassTable:
    """Group a frame's records into equivalence classes on ``quasi_identifiers``.

    Suppressed cells (null or ``*``) match any value and records with every quasi-identifier
    suppressed are left out (:mod:`anonlab.suppressed`).

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
        and journalist risk: each class gets the number of population records compatible
        with it.

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
    count = fresh_name((*qis, *sens), "__anonlab_count")
    # group every record first; the suppression marks are read on the (small) grouped keys
    if sens:
        queries = [lf.group_by(*qis, s).agg(pl.len().cast(pl.Int64).alias(count)) for s in sens]
    else:
        queries = [lf.group_by(*qis).agg(pl.len().cast(pl.Int64).alias(count))]
    grouped = pl.collect_all(queries)
    marks = [cell_suppressed(q, schema[q]) for q in qis]
    if grouped[0].select(pl.any_horizontal(marks).any()).item():  # only then read the marks
        grouped = [g.with_columns(wildcard(q, schema[q]) for q in qis) for g in grouped]
    total = int(grouped[0].get_column(count).sum())
    if total == 0:
        raise EmptyFrameError(f"{owner} got a frame with no rows; there are no records to assess.")
    gone = pl.all_horizontal([pl.col(q).is_null() for q in qis])
    suppressed = int(grouped[0].filter(gone).get_column(count).sum())
    overall = {
        s: g.filter(pl.col(s).is_not_null()).group_by(s).agg(pl.col(count).sum().alias(COUNT))
        .rename({s: VALUE})
        for s, g in zip(sens, grouped, strict=False)  # no sensitive column: one grouping
    }
    kept = [g.filter(~gone) for g in grouped]
    wild = bool(kept[0].select(pl.any_horizontal(pl.col(q).is_null() for q in qis).any()).item())
    if wild:
        table = _overlapping(kept, qis, sens, count, overall, suppressed)
    else:
        table = _partition(kept, qis, sens, count, overall, suppressed)
    if population is not None:
        pop = _population_counts(population, table.keys, qis, owner)
        table = ClassTable(qis, table.keys, table.size, table.distributions, table.overall,
                           suppressed=suppressed, population=pop, members=table.members)
    return table


def _partition(
    kept: list[pl.DataFrame], qis: tuple[str, ...], sens: tuple[str, ...], count: str,
    overall: dict[str, pl.DataFrame], suppressed: int,
) -> ClassTable:
    """The classes when no kept record has a suppressed cell: the groups of equal keys."""
    if not sens:
        grouped = kept[0]
        return ClassTable(qis, grouped.select(qis), grouped.get_column(count).alias(COUNT),
                          suppressed=suppressed)
    # one grouping per sensitive column; the classes come from regrouping the first one's
    # (much smaller) result into lists, so no join is needed to number them
    per_class = (
        kept[0].group_by(qis)
        .agg(pl.col(sens[0]), pl.col(count))
        .with_row_index(CLASS)
    )
    keys = per_class.select(qis)
    size = per_class.get_column(count).list.sum().cast(pl.Int64).alias(COUNT)
    dists: dict[str, pl.DataFrame] = {
        sens[0]: (
            per_class.select(CLASS, pl.col(sens[0]).alias(VALUE), pl.col(count).alias(COUNT))
            .explode(VALUE, COUNT)
            .filter(pl.col(VALUE).is_not_null())
        )
    }
    numbered = per_class.select(CLASS, *qis)
    for s, g in zip(sens[1:], kept[1:], strict=True):
        dists[s] = (
            g.filter(pl.col(s).is_not_null())
            .join(numbered, on=list(qis), nulls_equal=True)
            .select(CLASS, pl.col(s).alias(VALUE), pl.col(count).alias(COUNT))
        )
    return ClassTable(qis, keys, size, dists, overall, suppressed=suppressed)


def _overlapping(
    kept: list[pl.DataFrame], qis: tuple[str, ...], sens: tuple[str, ...], count: str,
    overall: dict[str, pl.DataFrame], suppressed: int,
) -> ClassTable:
    """The classes when kept records have suppressed cells: one per distinct key, counting
    every compatible record (:func:`anonlab.suppressed.compatible_sums`)."""
    members = kept[0].group_by(qis, maintain_order=True).agg(pl.col(count).sum())
    keys = members.select(qis)
    size = compatible_sums(members, keys, qis, weight=count).get_column(count)
    numbered = keys.with_row_index(CLASS)
    dists: dict[str, pl.DataFrame] = {}
    for s, g in zip(sens, kept, strict=False):
        sums = compatible_sums(g.filter(pl.col(s).is_not_null()), keys, qis, weight=count,
                               by=[s])
        dists[s] = sums.join(numbered, on=list(qis), nulls_equal=True).select(
            CLASS, pl.col(s).alias(VALUE), pl.col(count).alias(COUNT)
        )
    return ClassTable(qis, keys, size.cast(pl.Int64).alias(COUNT), dists, overall,
                      suppressed=suppressed,
                      members=members.get_column(count).cast(pl.Int64).alias("members"))


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
    counts = counts.with_columns(wildcard(q, schema[q]) for q in qis).filter(
        ~pl.all_horizontal([pl.col(q).is_null() for q in qis])
    )
    cast = [pl.col(q).cast(keys.schema[q]) for q in qis]
    try:
        counts = counts.with_columns(cast)
    except pl.exceptions.PolarsError:
        raise ParameterError(
            f"{owner}: the population table's quasi-identifier columns do not have the sample's "
            "types; give both tables the same columns and dtypes."
        ) from None
    matched = compatible_sums(counts, keys, qis, weight=count)
    matched = keys.join(matched, on=list(qis), how="left", nulls_equal=True,
                        maintain_order="left")
    return matched.get_column(count).fill_null(0).cast(pl.Int64).alias("population")

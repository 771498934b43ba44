"""Suppression: blank rare values, drop risky records, or blank the fewest cells for k-anonymity.

Null is how these transforms write a suppressed value, so a suppressed cell stays in its
column's dtype. Null and ``*`` (ARX's mark) are one mark to every step and risk measure: a
suppressed cell matches any value and a record suppressed on every quasi-identifier is in no
class (:mod:`anonlab.suppressed`, the one rule).

Three transforms:

``suppress_rare`` (:class:`SuppressRare`, row scope)
    Values of one column seen fewer than ``min_count`` times become null.
``suppress_records`` (:class:`SuppressRecords`, frame scope)
    Drop the records matching a SQL predicate, or the records whose equivalence class on the
    quasi-identifiers is smaller than ``k`` (ARX's record suppression).
``local_suppress`` (:class:`LocalSuppress`, frame scope)
    Blank the fewest quasi-identifier cells so that every record has at least ``k`` compatible
    records, a null matching any value (sdcMicro's ``localSuppression``).

The last two work over several columns. A recipe step hands a transform one column; for these
the step's column is the transform's first quasi-identifier (``Step(None, transform)`` does
that), and the transform reads its own ``quasi_identifiers``::

    SuppressRecords(quasi_identifiers=("zip", "age", "sex"), k=5).apply(lf, "zip", ctx)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import polars as pl

from anonlab._validation import check_int, describe, dtype_name
from anonlab.errors import ColumnNotFoundError, ParameterError, TransformError
from anonlab.suppressed import cell_suppressed, compatible_sums, record_frequencies, wildcard
from anonlab.transforms._params import column_list
from anonlab.transforms.base import Context, Transform, dtype_family
from anonlab.transforms.registry import builtin

__all__ = ["LocalSuppress", "SuppressRare", "SuppressRecords", "compatible_counts"]


# -- helpers ---------------------------------------------------------------------------------------
def _require(schema: pl.Schema, names: Iterable[str], where: str) -> None:
    """Raise :class:`ColumnNotFoundError` for the first name the schema lacks."""
    for name in names:
        if name not in schema:
            raise ColumnNotFoundError(name, schema.names(), where=where)


def compatible_counts(data: pl.DataFrame, queries: pl.DataFrame) -> pl.Series:
    """For each query record, the number of ``data`` records compatible with it, null matching all.

    Records ``r`` and ``s`` are compatible when, on every column, ``r`` is null or ``s`` is null or
    both are equal (sdcMicro's rule for k-anonymity with missing values, the rule of
    :mod:`anonlab.suppressed`). A data record null on every column is suppressed and counted
    for no one (ARX). Applied to a table and itself, this is each record's class size under
    that rule (the record counts itself).

    Parameters
    ----------
    data : polars.DataFrame
        The records to count, with columns ``q0 .. q{m-1}``.
    queries : polars.DataFrame
        The records to count for, with the same columns (and dtypes).

    Returns
    -------
    polars.Series
        ``count`` (UInt32), one per query row, in the order of ``queries``.

    Notes
    -----
    The count is exact and needs no pairwise comparison: see
    :func:`anonlab.suppressed.compatible_sums`, which groups the keys by null pattern.

    Examples
    --------
    >>> import polars as pl
    >>> data = pl.DataFrame({"q0": ["a", "a", None, "b"], "q1": [1, 2, 1, None]})
    >>> compatible_counts(data, data).to_list()
    [2, 1, 3, 2]
    """
    qs = [c for c in data.columns if c.startswith("q") and c[1:].isdigit()]
    if queries.height == 0:
        return pl.Series("count", [], dtype=pl.UInt32)
    kept = data.select(qs).filter(~pl.all_horizontal([pl.col(q).is_null() for q in qs]))
    sums = compatible_sums(kept, queries, qs)
    out = queries.select(qs).join(sums, on=qs, how="left", nulls_equal=True,
                                  maintain_order="left")
    return out.get_column("weight").fill_null(0).cast(pl.UInt32).alias("count")


# -- suppress_rare ---------------------------------------------------------------------------------
@builtin
@dataclass(frozen=True, kw_only=True)
class SuppressRare(Transform):
    """Blank the values of a column seen fewer than ``min_count`` times.

    A value (of any dtype) that occurs in fewer than ``min_count`` rows of the frame becomes null,
    how a suppressed value appears in anonlab (ARX's ``*``); or, for string columns, the
    ``replacement`` text. Nulls stay null.

    Parameters
    ----------
    min_count : int
        The fewest rows a value must appear in to be kept; at least 2.
    replacement : str or None, default None
        Write this instead of null (string columns only). A categorical column stays
        categorical; an enum column must list the replacement among its categories.

    Examples
    --------
    >>> import polars as pl
    >>> from anonlab.transforms import Context
    >>> lf = pl.LazyFrame({"city": ["Boston", "Boston", "Salem", None]})
    >>> ctx = Context(schema=lf.collect_schema())
    >>> SuppressRare(min_count=2).apply(lf, "city", ctx).collect()["city"].to_list()
    ['Boston', 'Boston', None, None]
    >>> t = SuppressRare(min_count=2, replacement="other")
    >>> t.apply(lf, "city", ctx).collect()["city"].to_list()
    ['Boston', 'Boston', 'other', None]
    """

    op = "suppress_rare"
    linkage = "suppress"
    min_count: int
    replacement: str | None = None

    def validate(self) -> None:
        check_int(self.min_count, "min_count", type(self).__name__, min_value=2)
        if self.replacement is not None and not isinstance(self.replacement, str):
            raise self._bad("replacement", "a str or None", self.replacement)

    def check_input(self, column: str, dtype: pl.DataType) -> None:
        super().check_input(column, dtype)
        if self.replacement is None:
            return
        if dtype_family(dtype) != "string":
            raise TransformError(
                f"The 'suppress_rare' transform cannot write a replacement text into column "
                f"{column!r} of dtype {dtype_name(dtype)}: a replacement needs a string column. "
                "Leave 'replacement' unset (suppressed values become null) or cast the column "
                "first."
            )
        if isinstance(dtype, pl.Enum) and self.replacement not in dtype.categories.to_list():
            raise TransformError(
                f"The 'suppress_rare' replacement is not a category of the enum column "
                f"{column!r}. Add it to the enum's categories or cast the column to string."
            )

    def expr(self, column: str, ctx: Context) -> pl.Expr:
        dtype = ctx.schema.get(column)
        if dtype is not None:
            self.check_input(column, dtype)
        col = pl.col(column)
        marked = cell_suppressed(column, dtype) if dtype is not None else col.is_null()
        rare = (pl.len().over(column) < self.min_count) & ~marked
        if self.replacement is None:
            return pl.when(rare.not_()).then(col)
        out = pl.when(rare).then(pl.lit(self.replacement)).otherwise(col.cast(pl.String))
        if dtype is not None and dtype != pl.String:
            out = out.cast(dtype)
        return out


# -- suppress_records ------------------------------------------------------------------------------
def _parse_where(where: str) -> pl.Expr:
    return pl.sql_expr(where)


@builtin
@dataclass(frozen=True, kw_only=True)
class SuppressRecords(Transform):
    """Drop whole records: those matching a predicate, or those in classes smaller than ``k``.

    Exactly one mode:

    ``where``
        A SQL predicate over the frame's columns (polars SQL, e.g. ``"age > 89 AND sex = 'F'"``);
        the rows for which it is true are dropped. A row where it is null (a missing value
        compared) is kept. The predicate is parsed when the transform is built, so a bad one fails
        at once. Quote column names that are not plain identifiers: ``"\\"marital-status\\" =
        'Widowed'"``.
    ``quasi_identifiers`` and ``k``
        The records whose class on the quasi-identifiers (the records compatible with them,
        a null or ``*`` matching any value: :mod:`anonlab.suppressed`) has fewer than ``k``
        rows are dropped, as ARX suppresses the records of classes that break k-anonymity.
        Dropping a record can shrink the class of a record with a suppressed cell, so this
        repeats until every record left has ``k``. Records suppressed on every
        quasi-identifier are in no class and are kept. This mode reads the quasi-identifiers
        when the step is planned.

    In a recipe this is a multi-column step: ``Step(None, SuppressRecords(...))`` hands it its
    first quasi-identifier as the column, which it does not otherwise use.

    Parameters
    ----------
    where : str or None, default None
        The predicate of the ``where`` mode.
    quasi_identifiers : tuple of str, default ()
        The columns of the ``k`` mode.
    k : int or None, default None
        The smallest class to keep (at least 2), with ``quasi_identifiers``.
    max_fraction : float or None, default None
        The largest share of rows (0 to 1) the step may drop. If more would go, it raises
        :class:`~anonlab.TransformError` saying how many, instead of dropping them. Checking runs
        a count over the input when the step is planned.

    Examples
    --------
    >>> import polars as pl
    >>> from anonlab.transforms import Context
    >>> lf = pl.LazyFrame({"zip": ["02139"] * 3 + ["10001"], "age": [34, 34, 34, 91]})
    >>> ctx = Context(schema=lf.collect_schema())
    >>> t = SuppressRecords(quasi_identifiers=("zip", "age"), k=2)
    >>> t.apply(lf, "zip", ctx).collect()["age"].to_list()
    [34, 34, 34]
    >>> SuppressRecords(where="age > 89").apply(lf, "zip", ctx).collect().height
    3
    """

    op = "suppress_records"
    linkage = "suppress"
    scope = "frame"
    where: str | None = None
    quasi_identifiers: tuple[str, ...] = ()
    k: int | None = None
    max_fraction: float | None = None

    def validate(self) -> None:
        owner = type(self).__name__
        self._set(
            "quasi_identifiers",
            column_list(self, "quasi_identifiers", self.quasi_identifiers, allow_empty=True),
        )
        if self.where is not None:
            if not isinstance(self.where, str) or not self.where.strip():
                raise self._bad("where", 'a SQL predicate (str) such as "age > 89"', self.where)
            if self.quasi_identifiers or self.k is not None:
                raise ParameterError(
                    f"{owner} takes either 'where' or 'quasi_identifiers' with 'k', not both. "
                    "Use two steps to do both."
                )
            try:
                _parse_where(self.where)
            except Exception as exc:  # polars raises several kinds for SQL it cannot parse
                raise ParameterError(
                    f"The 'where' parameter of {owner} must be a SQL predicate polars can parse, "
                    f"such as \"age > 89 AND sex = 'F'\". Got {describe(self.where)}, which "
                    f"fails: {exc}"
                ) from None
        else:
            if not self.quasi_identifiers:
                raise ParameterError(
                    f"{owner} needs either 'where' (a SQL predicate) or 'quasi_identifiers' "
                    "with 'k'. Got neither."
                )
            check_int(self.k, "k", owner, min_value=2)
        if self.max_fraction is not None:
            ok = (
                isinstance(self.max_fraction, int | float)
                and not isinstance(self.max_fraction, bool)
                and 0 <= self.max_fraction <= 1
            )
            if not ok:
                raise self._bad("max_fraction", "a number from 0 to 1 or None", self.max_fraction)
            self._set("max_fraction", float(self.max_fraction))

    def _drop(self, lf: pl.LazyFrame) -> pl.Expr:
        """True on the rows to drop."""
        schema = lf.collect_schema()
        if self.where is None:
            _require(schema, self.quasi_identifiers, "suppress_records quasi_identifiers")
            return pl.lit(pl.Series(self._small(lf.select(self.quasi_identifiers).collect())))
        if self.where is not None:
            predicate = _parse_where(self.where)
            _require(schema, predicate.meta.root_names(), "suppress_records where")
            dtype = lf.select(predicate).collect_schema().dtypes()[0]
            if dtype != pl.Boolean:
                raise TransformError(
                    "The 'where' predicate of 'suppress_records' gives "
                    f"{dtype_name(dtype)} values, not "
                    'true/false. Write a condition such as "age > 89".'
                )
            return predicate.fill_null(False)
        raise AssertionError("unreachable")  # pragma: no cover

    def _small(self, keys: pl.DataFrame) -> pl.Series:
        """True on the records to drop: those whose frequency stays below ``k``."""
        assert self.k is not None
        drop = pl.Series("drop", [False] * keys.height, dtype=pl.Boolean)
        while True:
            alive = keys.filter(~drop)
            freq = record_frequencies(alive, self.quasi_identifiers)
            small = (freq > 0) & (freq < self.k)
            if not small.any():
                return drop
            index = pl.int_range(keys.height, eager=True).filter(~drop).filter(small)
            drop = drop.scatter(index, True)

    def apply(self, lf: pl.LazyFrame, column: str, ctx: Context) -> pl.LazyFrame:
        drop = self._drop(lf)
        if self.max_fraction is not None:
            counts = lf.select(dropped=drop.sum(), rows=pl.len()).collect()
            dropped, rows = counts.row(0)
            if rows and dropped > self.max_fraction * rows:
                allowed = int(self.max_fraction * rows)
                raise TransformError(
                    f"'suppress_records' would drop {dropped} of {rows} rows "
                    f"({dropped / rows:.1%}), more than max_fraction={self.max_fraction:g} allows "
                    f"({allowed} rows). Generalize the quasi-identifiers first, lower k, or raise "
                    "max_fraction."
                )
        return lf.filter(drop.not_())


# -- local_suppress --------------------------------------------------------------------------------
@builtin
@dataclass(frozen=True, kw_only=True)
class LocalSuppress(Transform):
    """Blank the fewest quasi-identifier cells so that every record has ``k`` compatible records.

    k-anonymity with missing values as sdcMicro defines it: a null in a quasi-identifier matches
    every value of that column, so a record's class is every record that agrees with it wherever
    both are non-null (see :func:`compatible_counts`, which computes it exactly). Suppressed
    cells become null; no record is dropped.

    The heuristic follows sdcMicro's ``localSuppression``. Each round, over the whole table:

    1. compute every record's class size; the records below ``k`` violate;
    2. for every violating record and each of its non-null quasi-identifiers, compute the class
       size it would have with that cell blanked;
    3. blank, in every violating record, one cell: the least important column (highest
       ``importance`` number) among those whose blanking enlarges its class; if none does, the
       least important non-null one. Ties go to the larger resulting class, then to the later
       column of ``quasi_identifiers``.

    A null or ``*`` already in the input is a suppressed cell too, and a record blank on every
    quasi-identifier is in no class and counts for no one (:mod:`anonlab.suppressed`, the rule
    :func:`anonlab.assess_risk` reads the result with). Each round blanks one more cell of
    every violating record, so it stops, at the latest when the violating records are blank,
    with k-anonymity reached; in practice after a few rounds. Each round is a few group-bys and
    joins over the table, not a loop over records.

    This step reads the whole frame (it runs when the recipe is planned) and writes a summary,
    cells suppressed per column, to ``ctx.side_outputs[f"local_suppress:{step}"]`` with columns
    ``column``, ``importance`` and ``suppressed``.

    In a recipe this is a multi-column step: ``Step(None, LocalSuppress(...))`` hands it its first
    quasi-identifier as the column, which it does not otherwise use.

    Parameters
    ----------
    quasi_identifiers : tuple of str
        The key columns.
    k : int
        The smallest class size every record must reach; at least 2.
    importance : dict of str to int, or None, default None
        sdcMicro's importance for every quasi-identifier: a LOWER number means MORE important, its
        cells are suppressed LAST. By default a column with more distinct values is less important
        (sdcMicro's default), so it is suppressed first.

    Raises
    ------
    TransformError
        The frame has fewer than ``k`` records (no suppression can reach ``k``).

    Examples
    --------
    >>> import polars as pl
    >>> from anonlab.transforms import Context
    >>> lf = pl.LazyFrame({"zip": ["02139", "02139", "02140"], "sex": ["F", "F", "F"]})
    >>> ctx = Context(schema=lf.collect_schema())
    >>> t = LocalSuppress(quasi_identifiers=("zip", "sex"), k=3)
    >>> t.apply(lf, "zip", ctx).collect()["zip"].to_list()
    [None, None, None]
    >>> ctx.side_outputs["local_suppress:0"]["suppressed"].to_list()
    [3, 0]
    """

    op = "local_suppress"
    linkage = "suppress"
    scope = "frame"
    quasi_identifiers: tuple[str, ...]
    k: int
    importance: dict[str, int] | None = None

    def __hash__(self) -> int:  # importance is a dict; hash its items
        items = None if self.importance is None else tuple(sorted(self.importance.items()))
        return hash((self.op, self.quasi_identifiers, self.k, items))

    def validate(self) -> None:
        owner = type(self).__name__
        self._set(
            "quasi_identifiers",
            column_list(self, "quasi_identifiers", self.quasi_identifiers),
        )
        check_int(self.k, "k", owner, min_value=2)
        if self.importance is None:
            return
        wanted = "a mapping from each quasi-identifier to an int (lower = more important)"
        if not isinstance(self.importance, Mapping):
            raise self._bad("importance", wanted, self.importance)
        for name, value in self.importance.items():
            if name not in self.quasi_identifiers:
                raise self._bad(
                    "importance", f"{wanted}; {name!r} is not a quasi-identifier", self.importance
                )
            if not isinstance(value, int) or isinstance(value, bool):
                raise self._bad("importance", wanted, self.importance)
        missing = [q for q in self.quasi_identifiers if q not in self.importance]
        if missing:
            raise self._bad("importance", f"{wanted}; {missing[0]!r} has none", self.importance)
        self._set("importance", {q: self.importance[q] for q in self.quasi_identifiers})

    def _ranks(self, work: pl.DataFrame) -> list[int]:
        """The importance number of each quasi-identifier (given, or from distinct counts)."""
        if self.importance is not None:
            return [self.importance[q] for q in self.quasi_identifiers]
        m = len(self.quasi_identifiers)
        distinct = work.select(pl.col(f"q{j}").drop_nulls().n_unique() for j in range(m)).row(0)
        order = sorted(set(distinct))
        return [order.index(d) + 1 for d in distinct]

    def apply(self, lf: pl.LazyFrame, column: str, ctx: Context) -> pl.LazyFrame:
        qis = self.quasi_identifiers
        m = len(qis)
        _require(lf.collect_schema(), qis, "local_suppress quasi_identifiers")
        df = lf.collect()
        n = df.height
        if 0 < n < self.k:
            raise TransformError(
                f"'local_suppress' cannot reach k={self.k}: the frame has only {n} records. "
                "Lower k or anonymize a larger table."
            )
        work = df.select(wildcard(q, df.schema[q]).alias(f"q{j}") for j, q in enumerate(qis))
        ranks = self._ranks(work)
        before = work.null_count().row(0)
        rank_of = pl.col("_j").replace_strict(list(range(m)), ranks, return_dtype=pl.Int64)
        blank = pl.all_horizontal([pl.col(f"q{j}").is_null() for j in range(m)])
        # each round blanks a cell in every violating record: at most n * m rounds
        for round_ in range(n * m + 2):
            size = compatible_counts(work, work)
            violating = work.with_columns(_id=pl.int_range(n, dtype=pl.UInt32), _size=size).filter(
                (pl.col("_size") < self.k) & ~blank
            )
            if violating.height == 0:
                break
            if round_ > n * m:  # cannot happen: every round adds a null
                raise RuntimeError("local_suppress did not converge; please report this")
            # every violating record with one of its non-null cells blanked, and its class then
            candidates = pl.concat(
                violating.filter(pl.col(f"q{j}").is_not_null()).with_columns(
                    pl.lit(None, dtype=work.schema[f"q{j}"]).alias(f"q{j}"),
                    _j=pl.lit(j, dtype=pl.Int64),
                )
                for j in range(m)
            )
            candidates = candidates.with_columns(_new=compatible_counts(work, candidates))
            choice = (
                candidates.with_columns(_helps=pl.col("_new") > pl.col("_size"), _rank=rank_of)
                .sort(
                    ["_id", "_helps", "_rank", "_new", "_j"],
                    descending=[False, True, True, True, True],
                )
                .unique("_id", keep="first", maintain_order=True)
                .select("_id", "_j")
            )
            work = (
                work.with_row_index("_id")
                .join(choice, on="_id", how="left", maintain_order="left")
                .select(
                    pl.when((pl.col("_j") == j).fill_null(False).not_())
                    .then(pl.col(f"q{j}"))
                    .alias(f"q{j}")
                    for j in range(m)
                )
            )
        after = work.null_count().row(0)
        ctx.side_outputs[f"local_suppress:{ctx.step}"] = pl.DataFrame(
            {
                "column": list(qis),
                "importance": ranks,
                "suppressed": [a - b for a, b in zip(after, before, strict=True)],
            },
            schema={"column": pl.String, "importance": pl.Int64, "suppressed": pl.Int64},
        )
        # write null only where this step blanked a cell; a '*' of the input stays as it was
        return df.with_columns(
            pl.when(pl.lit(work.get_column(f"q{j}").is_null()) & ~cell_suppressed(q, df.schema[q]))
            .then(pl.lit(None, dtype=df.schema[q]))
            .otherwise(pl.col(q))
            .alias(q)
            for j, q in enumerate(qis)
        ).lazy()

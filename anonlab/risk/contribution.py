"""Which quasi-identifiers make records unique, and in which combinations.

:func:`qi_contribution` ranks the columns to generalize first (leave-one-out); and
:func:`minimal_sample_uniques` lists the small attribute sets that single records out, as SUDA
does (Elliot, Manning and Ford, "A computational algorithm for handling the special uniques
problem", IJUFKS 10, 2002); :func:`suda_scores` sums them per record.

Suppressed cells (``*`` or null) match any value and records whose quasi-identifiers are all
suppressed are left out, as in :func:`~anonlab.risk.classes.equivalence_classes`
(:mod:`anonlab.suppressed`): a record is unique on a set of columns when no other record is
compatible with it there.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import polars as pl

from anonlab._validation import check_int
from anonlab.errors import ParameterError
from anonlab.risk.records import _frame
from anonlab.suppressed import compatible_sums, record_suppressed, wildcard

__all__ = ["minimal_sample_uniques", "qi_contribution", "suda_scores"]


def _kept(frame: Any, quasi_identifiers: Any, owner: str) -> tuple[pl.DataFrame, list[str]]:
    """The frame's quasi-identifiers (suppressed cells as null), without the suppressed
    records."""
    data, qis = _frame(frame, quasi_identifiers, owner)
    kept = data.select(qis).filter(~record_suppressed(data.schema, qis))
    return kept.select(wildcard(q, data.schema[q]) for q in qis), qis


def _unique_on(kept: pl.DataFrame, columns: Sequence[str]) -> pl.Series:
    """True for the records of ``kept`` no other record is compatible with on ``columns``
    (on no column: alone in the frame)."""
    height = kept.height
    if not columns:
        return pl.Series([height == 1] * height, dtype=pl.Boolean)
    cols = list(columns)
    if not kept.select(pl.any_horizontal(pl.col(c).has_nulls() for c in cols)).item():
        if len(cols) == 1:
            return kept.select(pl.col(cols[0]).is_unique()).to_series()
        return kept.select(pl.struct(cols).is_unique()).to_series()
    sub = kept.select(cols)
    weights = sub.group_by(cols).len(name="_n")
    sums = compatible_sums(weights, weights, cols, weight="_n")
    joined = sub.join(sums, on=cols, how="left", nulls_equal=True, maintain_order="left")
    return joined.get_column("_n") == 1


def qi_contribution(frame: Any, quasi_identifiers: str | Sequence[str]) -> dict[str, float]:
    """For each quasi-identifier, the share of sample-unique records that stop being unique
    when it is left out (leave-one-out).

    A record is sample unique when no other record shares its quasi-identifier values. Leaving
    a column out can only merge classes, so the records unique without column ``q`` are a subset
    of those unique with it; the contribution of ``q`` is
    ``(uniques on all - uniques on all but q) / uniques on all``. A column with a high share is
    the one whose generalization removes the most uniques; the shares need not sum to 1 (a
    record can depend on two columns, or on none alone).

    Parameters
    ----------
    frame : pandas, polars (eager or lazy) or Arrow frame
    quasi_identifiers : str or list of str

    Returns
    -------
    dict of str to float
        In the order of ``quasi_identifiers``; every value 0.0 when no record is unique.

    Raises
    ------
    ColumnNotFoundError, EmptyFrameError, ParameterError
    """
    kept, qis = _kept(frame, quasi_identifiers, "qi_contribution")
    n = kept.height
    if not kept.select(pl.any_horizontal(pl.col(q).has_nulls() for q in qis)).item():
        lf = kept.lazy()
        # records alone on each subset: one group_by per subset, run in parallel
        queries = [lf.group_by(qis).len()] + [
            lf.group_by([c for c in qis if c != q]).len() for q in qis if len(qis) > 1
        ]
        counts = [int(r.get_column("len").eq(1).sum()) for r in pl.collect_all(queries)]
    else:  # suppressed cells: uniqueness among compatible records
        subsets = [qis] + [[c for c in qis if c != q] for q in qis if len(qis) > 1]
        counts = [int(_unique_on(kept, sub).sum()) for sub in subsets]
    if len(qis) == 1:
        counts.append(int(n == 1))  # without the only column every record is in one class
    full = counts[0]
    if not full:
        return dict.fromkeys(qis, 0.0)
    return {q: (full - counts[i + 1]) / full for i, q in enumerate(qis)}


def _msu_flags(
    kept: pl.DataFrame, qis: list[str], max_size: int
) -> tuple[pl.DataFrame, list[tuple[str, ...]]]:
    """One Boolean column per attribute subset up to ``max_size``: the records for which it is
    a minimal sample unique."""
    n = kept.height
    subsets = [s for size in range(1, max_size + 1) for s in itertools.combinations(qis, size)]
    names = {s: f"u{i}" for i, s in enumerate(subsets)}
    unique = pl.DataFrame([_unique_on(kept, s).alias(names[s]) for s in subsets]) if subsets \
        else pl.DataFrame()
    empty_unique = n == 1

    def msu(s: tuple[str, ...]) -> pl.Expr:
        expr = pl.col(names[s])
        if len(s) == 1:
            return expr & pl.lit(not empty_unique)
        # uniqueness only grows with the set: checking the subsets one smaller is enough
        for drop in s:
            expr = expr & ~pl.col(names[tuple(c for c in s if c != drop)])
        return expr

    flags = unique.select(msu(s).alias(names[s]) for s in subsets)
    return flags, subsets


def _check_max_size(max_size: Any, qis: list[str], owner: str) -> int:
    checked = check_int(max_size, "max_size", owner, min_value=1)
    assert checked is not None  # None is not allowed
    return min(checked, len(qis))


def minimal_sample_uniques(
    frame: Any, quasi_identifiers: str | Sequence[str], *, max_size: int = 3
) -> pl.DataFrame:
    """SUDA-style minimal sample uniques (MSUs): the attribute sets that single records out.

    An attribute set is a minimal sample unique for a record when the record is the only one
    with its values on the set and is not the only one on any proper subset of it (Elliot et
    al., 2002). For every set of up to ``max_size`` quasi-identifiers this counts the records
    for which it is an MSU. Small sets with many records are the combinations an attacker needs
    least, and the first to break up.

    Parameters
    ----------
    frame : pandas, polars (eager or lazy) or Arrow frame
    quasi_identifiers : str or list of str
    max_size : int >= 1, default 3
        The largest set considered (at most the number of quasi-identifiers).

    Returns
    -------
    polars.DataFrame
        Columns ``attributes`` (list of str, in the order of ``quasi_identifiers``), ``size``
        and ``records``; one row per set of up to ``max_size`` attributes (those that are an
        MSU for no record with 0), sorted by records descending, then size, then the order of
        the sets (:func:`itertools.combinations` of ``quasi_identifiers``).

    Raises
    ------
    ColumnNotFoundError, EmptyFrameError, ParameterError
    """
    owner = "minimal_sample_uniques"
    kept, qis = _kept(frame, quasi_identifiers, owner)
    max_size = _check_max_size(max_size, qis, owner)
    flags, subsets = _msu_flags(kept, qis, max_size)
    totals = flags.sum().row(0) if flags.height else (0,) * len(subsets)
    out = pl.DataFrame(
        {
            "attributes": [list(s) for s in subsets],
            "size": [len(s) for s in subsets],
            "records": [int(t) for t in totals],
        },
        schema={"attributes": pl.List(pl.String), "size": pl.Int64, "records": pl.Int64},
    ).with_row_index("_order")
    return out.sort(["records", "size", "_order"], descending=[True, False, False]).drop("_order")


def suda_scores(
    frame: Any,
    quasi_identifiers: str | Sequence[str],
    *,
    max_size: int = 3,
    name: str = "suda",
) -> pl.Series:
    """A SUDA score per record: the sum over its minimal sample uniques of ``(M - size)!``,
    with ``M`` the number of quasi-identifiers, so small MSUs weigh most (as SUDA and
    sdcMicro's ``suda2`` score them).

    Only MSUs of up to ``max_size`` attributes are counted, so the score is a lower bound of
    the full score; records that are not unique on any set, and suppressed records, score 0.

    Parameters
    ----------
    frame : pandas, polars (eager or lazy) or Arrow frame
    quasi_identifiers : str or list of str
    max_size : int >= 1, default 3
    name : str, default "suda"

    Returns
    -------
    polars.Series
        Float64, one value per row of ``frame``, in its order.
    """
    owner = "suda_scores"
    if not isinstance(name, str):
        raise ParameterError(f"The 'name' parameter of {owner} must be a str. Got "
                             f"{type(name).__name__} instead.")
    data, qis = _frame(frame, quasi_identifiers, owner)
    max_size = _check_max_size(max_size, qis, owner)
    kept, _ = _kept(data, qis, owner)
    flags, subsets = _msu_flags(kept, qis, max_size)
    m = len(qis)
    weights = [float(math.factorial(m - len(s))) for s in subsets]
    score = pl.sum_horizontal(
        pl.col(c).cast(pl.Float64) * w for c, w in zip(flags.columns, weights, strict=True)
    ) if subsets else pl.lit(0.0)
    kept_scores = flags.select(score.alias(name)).to_series() if flags.height else \
        pl.Series(name, [], dtype=pl.Float64)
    suppressed = data.select(record_suppressed(data.schema, qis)).to_series()
    if not suppressed.any():
        return kept_scores
    kept_index = pl.int_range(data.height, eager=True).filter(~suppressed)
    full = pl.Series(name, [0.0] * data.height, dtype=pl.Float64)
    return full.scatter(kept_index, kept_scores)

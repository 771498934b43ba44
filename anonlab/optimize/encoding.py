"""The input summarized once: distinct quasi-identifier combinations as integer codes.

The raw rows are grouped a single time, on the quasi-identifiers and the sensitive columns the
targets need: the result (the *level-0 table*) holds one row per distinct combination with its
record count. Every value of a quasi-identifier gets, for every level of its hierarchy, the
integer code of its label at that level (codes are dense over the labels present in the data).
A node of the lattice is then evaluated by looking up each column's codes at the node's level
and re-grouping the small level-0 table, never the raw rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from anonlab._validation import dtype_name, fresh_name
from anonlab.errors import HierarchyError, ParameterError
from anonlab.hierarchies import Hierarchy
from anonlab.suppressed import SUPPRESSED

__all__ = ["EncodedData", "encode"]


@dataclass(frozen=True, eq=False)
class EncodedData:
    """The level-0 table and the code lookups of every column and level.

    Attributes
    ----------
    quasi_identifiers : tuple of str
    sensitive : tuple of str
    records : int
        Records in the input (``n``).
    counts : numpy.ndarray
        ``(c0,)`` int64: records per row of the level-0 table.
    weights : numpy.ndarray
        The same counts as float64 (for dot products and weighted bincounts).
    heights : tuple of int
        Hierarchy height per quasi-identifier.
    domain : tuple of int
        Rows of each hierarchy (``|D_j|``, the Loss denominator).
    codes : list of list of numpy.ndarray
        ``codes[j][l]``: the level-``l`` code of column ``j`` for each level-0 row (int64).
    cards : list of list of int
        ``cards[j][l]``: labels of column ``j`` at level ``l`` present in the data.
    labels : list of list of polars.Series
        ``labels[j][l][c]``: the label with code ``c``.
    shares : list of list of numpy.ndarray
        ``shares[j][l][c]``: hierarchy rows under label ``c`` divided by ``|D_j|``.
    sensitive_codes : dict of str to numpy.ndarray
        Per sensitive column, each level-0 row's value code (``-1`` for null).
    sensitive_values : dict of str to polars.Series
        The value of each code, in the column's dtype.
    sensitive_overall : dict of str to numpy.ndarray
        Records per value code over the whole input.
    """

    quasi_identifiers: tuple[str, ...]
    sensitive: tuple[str, ...]
    records: int
    counts: np.ndarray
    weights: np.ndarray
    heights: tuple[int, ...]
    domain: tuple[int, ...]
    codes: list[list[np.ndarray]]
    cards: list[list[int]]
    labels: list[list[pl.Series]]
    shares: list[list[np.ndarray]]
    sensitive_codes: dict[str, np.ndarray]
    sensitive_values: dict[str, pl.Series]
    sensitive_overall: dict[str, np.ndarray]

    @property
    def rows(self) -> int:
        """Rows of the level-0 table (distinct combinations)."""
        return int(self.counts.shape[0])


def _qi_codes(
    values: pl.Series, counts: np.ndarray, hierarchy: Hierarchy, column: str
) -> tuple[list[np.ndarray], list[int], list[pl.Series], list[np.ndarray]]:
    """Per level: codes of the level-0 rows, present labels, and their hierarchy shares."""
    try:
        text = values.cast(pl.String)
    except pl.exceptions.PolarsError:
        raise ParameterError(
            f"The quasi-identifier {column!r} has dtype {dtype_name(values.dtype)}, which has no "
            "string form to look up in a hierarchy. Cast it to String or a number first."
        ) from None
    nulls = text.is_null().to_numpy()
    if nulls.any():
        raise HierarchyError(
            f"Column {column!r} has {int(counts[nulls].sum())} null value(s); a hierarchy cannot "
            "generalize a missing value. Fill them with a value the hierarchy lists (or drop "
            "those rows) before optimizing."
        )
    rows = hierarchy.to_rows()
    size = len(rows)
    position = text.replace_strict(
        pl.Series(hierarchy.values, dtype=pl.String),
        pl.Series(np.arange(size, dtype=np.int64)),
        default=None,
        return_dtype=pl.Int64,
    )
    missing = position.is_null().to_numpy()
    if missing.any():
        distinct = text.filter(pl.Series(missing)).n_unique()
        raise HierarchyError(
            f"{distinct} distinct value{'s' if distinct != 1 else ''} of column {column!r} "
            f"({int(counts[missing].sum())} records) {'are' if distinct != 1 else 'is'} not in "
            f"its hierarchy ({size} values). Add them to the hierarchy, or suppress or remove "
            "those records before optimizing."
        )
    pos = position.to_numpy().astype(np.int64)
    codes, cards, labels, shares = [], [], [], []
    for level in range(hierarchy.height + 1):
        names: dict[str, int] = {}
        of_row = np.fromiter(
            (names.setdefault(r[level], len(names)) for r in rows), dtype=np.int64, count=size
        )
        per_label = np.bincount(of_row, minlength=len(names))
        label_text = np.array(list(names), dtype=object)
        present = np.zeros(len(names), dtype=bool)
        row_label = of_row[pos]
        present[row_label] = True
        dense = np.cumsum(present) - 1
        codes.append(dense[row_label])
        cards.append(int(present.sum()))
        kept = label_text[present].tolist()
        if SUPPRESSED in kept and len(kept) > 1:
            # "*" is the suppression mark (anonlab.suppressed): a record with it matches any
            # value, which a search that groups equal labels would not see
            raise HierarchyError(
                f"Level {level} of the hierarchy of {column!r} maps some values to "
                f"{SUPPRESSED!r} and others not; {SUPPRESSED!r} marks a suppressed value, "
                "which matches any other. Give that group a label of its own, or use "
                f"{SUPPRESSED!r} only at a level where every value is suppressed."
            )
        labels.append(pl.Series(column, kept, dtype=pl.String))
        shares.append(per_label[present] / size)
    return codes, cards, labels, shares


def encode(
    frame: pl.DataFrame,
    hierarchies: dict[str, Hierarchy],
    sensitive: Sequence[str],
) -> EncodedData:
    """Group ``frame`` once on the quasi-identifiers (the keys of ``hierarchies``) and the
    sensitive columns, and encode every column's values and levels as integers."""
    qis = tuple(hierarchies)
    sens = tuple(sensitive)
    count = fresh_name(frame.columns, "__anonlab_count")
    grouped = frame.group_by(*qis, *sens).agg(pl.len().alias(count))
    counts = grouped.get_column(count).to_numpy().astype(np.int64)
    codes, cards, labels, shares = [], [], [], []
    for q in qis:
        c, k, lab, share = _qi_codes(grouped.get_column(q), counts, hierarchies[q], q)
        codes.append(c)
        cards.append(k)
        labels.append(lab)
        shares.append(share)
    sens_codes: dict[str, np.ndarray] = {}
    sens_values: dict[str, pl.Series] = {}
    sens_overall: dict[str, np.ndarray] = {}
    for s in sens:
        column = grouped.get_column(s)
        values = column.drop_nulls().unique().sort()
        code = column.replace_strict(
            values, pl.Series(np.arange(values.len(), dtype=np.int64)), default=-1,
            return_dtype=pl.Int64,
        ).to_numpy().astype(np.int64)
        valid = code >= 0
        sens_codes[s] = code
        sens_values[s] = values.alias("value")
        sens_overall[s] = np.bincount(code[valid], weights=counts[valid],
                                      minlength=values.len()).astype(np.int64)
    return EncodedData(
        quasi_identifiers=qis,
        sensitive=sens,
        records=int(counts.sum()),
        counts=counts,
        weights=counts.astype(np.float64),
        heights=tuple(hierarchies[q].height for q in qis),
        domain=tuple(len(hierarchies[q]) for q in qis),
        codes=codes,
        cards=cards,
        labels=labels,
        shares=shares,
        sensitive_codes=sens_codes,
        sensitive_values=sens_values,
        sensitive_overall=sens_overall,
    )

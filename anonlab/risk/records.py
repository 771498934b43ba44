"""Per-record risk and the drill-down into the classes that break a target.

Both work on the records themselves, for joining risk back to a frame or showing which records
need more generalization. Neither ever shows a column that is not a quasi-identifier: no
identifiers, no sensitive values.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from anonlab._validation import check_int, fresh_name
from anonlab.errors import ColumnNotFoundError, EmptyFrameError, ParameterError
from anonlab.frames import ingest
from anonlab.risk.classes import CLASS, ClassTable, _names
from anonlab.risk.models import PrivacyModel
from anonlab.suppressed import record_frequencies, wildcard

__all__ = ["DRILL_DOWN_COLUMNS", "drill_down", "record_risk"]

DRILL_DOWN_COLUMNS = ("row", "class", "size", "risk", "breaks")
"""The columns :func:`drill_down` adds around the quasi-identifiers."""


def _frame(frame: Any, quasi_identifiers: Any, owner: str) -> tuple[pl.DataFrame, list[str]]:
    """The frame as an eager polars frame and the checked quasi-identifiers."""
    qis = list(_names(quasi_identifiers, "quasi_identifiers", owner, allow_empty=False))
    data, _ = ingest(frame, owner=owner)
    if isinstance(data, pl.LazyFrame):
        data = data.collect()
    for name in qis:
        if name not in data.columns:
            raise ColumnNotFoundError(name, data.columns, where=owner)
    if data.height == 0:
        raise EmptyFrameError(f"{owner} got a frame with no rows; there are no records to assess.")
    return data, qis


def record_risk(
    frame: Any, quasi_identifiers: str | Sequence[str], *, name: str = "risk"
) -> pl.Series:
    """Each record's prosecutor risk, ``1 / size`` of its equivalence class, in row order.

    The class size is the record's frequency under :mod:`anonlab.suppressed`'s rule (a
    suppressed cell, null or ``*``, matches any value). Records whose quasi-identifiers are
    all suppressed are in no class and get 0.0, as in
    :func:`~anonlab.risk.classes.equivalence_classes`.

    Parameters
    ----------
    frame : pandas, polars (eager or lazy) or Arrow frame
    quasi_identifiers : str or list of str
    name : str, default "risk"
        The name of the returned Series.

    Returns
    -------
    polars.Series
        Float64, one value per row of ``frame``, in its order: ready for
        ``frame.with_columns(risk)`` or ``df["risk"] = risk.to_numpy()``.

    Raises
    ------
    ColumnNotFoundError, EmptyFrameError, ParameterError
    """
    if not isinstance(name, str):
        raise ParameterError(f"The 'name' parameter of record_risk must be a str. Got "
                             f"{type(name).__name__} instead.")
    data, qis = _frame(frame, quasi_identifiers, "record_risk")
    size = record_frequencies(data, qis, name=name)
    return size.to_frame().select(
        pl.when(pl.col(name) == 0).then(pl.lit(0.0)).otherwise(1.0 / pl.col(name)).alias(name)
    ).to_series()


def drill_down(
    frame: Any,
    table: ClassTable,
    models: Sequence[PrivacyModel],
    *,
    limit: int | None = None,
) -> pl.DataFrame:
    """The records in the classes that break each target, riskiest first.

    Parameters
    ----------
    frame : pandas, polars (eager or lazy) or Arrow frame
        The frame ``table`` was built from.
    table : ClassTable
        Its equivalence classes (with the distributions and population the models need).
    models : list of PrivacyModel
        The targets.
    limit : int >= 0, optional
        Keep only the first ``limit`` records.

    Returns
    -------
    polars.DataFrame
        Columns ``row`` (0-based position in ``frame``), ``class`` (row of ``table.keys``),
        the quasi-identifiers, ``size``, ``risk`` (1 / size) and ``breaks`` (the targets the
        class breaks, e.g. ``"5-anonymity; distinct 2-diversity on salary-class"``), sorted by
        risk descending then row. No other column of ``frame`` is ever included.

    Raises
    ------
    ColumnNotFoundError
        A quasi-identifier of the table is not in the frame.
    ParameterError
        A model needs a distribution or population the table lacks, a quasi-identifier is
        named like one of the added columns, or the frame is not the one the table was built
        from.
    """
    if not isinstance(table, ClassTable):
        raise ParameterError(
            "drill_down takes a ClassTable (from anonlab.risk.equivalence_classes). Got "
            f"{type(table).__name__} instead."
        )
    if isinstance(models, PrivacyModel):
        models = [models]
    models = list(models)
    for m in models:
        if not isinstance(m, PrivacyModel):
            raise ParameterError(
                "The 'models' parameter of drill_down must be a list of privacy models "
                f"(anonlab.KAnonymity(5), ...). Got a {type(m).__name__} in it."
            )
    check_int(limit, "limit", "drill_down", min_value=0, allow_none=True)
    qis = list(table.quasi_identifiers)
    clash = [q for q in qis if q in DRILL_DOWN_COLUMNS]
    if clash:
        raise ParameterError(
            f"drill_down cannot show the quasi-identifier {clash[0]!r}: the result has a column "
            f"of that name ({', '.join(DRILL_DOWN_COLUMNS)}). Rename the column first."
        )
    data, qis = _frame(frame, qis, "drill_down")

    labels = []
    for i, m in enumerate(models):
        result = m.evaluate(table)  # checks the table has what the model needs
        if result.passed:
            continue
        fails = ~m.class_passes(table)
        labels.append(
            pl.when(fails).then(pl.lit(m.describe())).otherwise(None).alias(f"_b{i}")
        )
    classes = table.keys.with_columns(
        pl.int_range(table.classes, dtype=pl.UInt32).alias(CLASS),
        table.size.alias("size"),
        table.members.alias("_members"),
    )
    if labels:
        breaks = pl.concat_str(labels, separator="; ", ignore_nulls=True)
        classes = classes.with_columns(breaks.alias("breaks")).filter(
            pl.col("breaks").is_not_null() & (pl.col("breaks") != "")
        )
    else:
        classes = classes.with_columns(pl.lit(None, dtype=pl.String).alias("breaks")).clear()
    row = fresh_name(qis, "__anonlab_row")
    # each record is in the class of its own key, suppressed cells read as null
    rows = data.select(wildcard(q, data.schema[q]) for q in qis).with_row_index(row)
    try:
        joined = rows.join(classes, on=qis, how="inner", nulls_equal=True)
    except pl.exceptions.PolarsError:
        raise ParameterError(
            "drill_down: the frame's quasi-identifier columns do not have the table's types; "
            "pass the frame the table was built from."
        ) from None
    want = int(classes.get_column("_members").sum())
    if joined.height != want:
        raise ParameterError(
            "drill_down: the frame does not match the table (the classes that break a target "
            f"hold {want} records, the frame {joined.height}). "
            "Pass the frame the table was built from."
        )
    out = joined.select(
        pl.col(row).cast(pl.Int64).alias("row"),
        pl.col(CLASS).alias("class"),
        *qis,
        pl.col("size"),
        (1.0 / pl.col("size")).alias("risk"),
        pl.col("breaks"),
    ).sort(["risk", "row"], descending=[True, False])
    return out if limit is None else out.head(limit)

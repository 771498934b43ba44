"""``anonlab.profile``: what each column of a frame is, and what in it identifies people."""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from anonlab._validation import check_int, fresh_name
from anonlab._validation import dtype_name as safe_dtype_name
from anonlab.errors import ColumnNotFoundError, EmptyFrameError
from anonlab.frames import FrameKind, ingest
from anonlab.profiling.detect import Detection, detect_values
from anonlab.profiling.kinds import ColumnRole, HipaaCategory, Kind
from anonlab.profiling.masking import mask_value
from anonlab.profiling.patterns import CONTAINED
from anonlab.profiling.roles import suggest_role
from anonlab.profiling.stats import ColumnStats, column_stats

__all__ = ["DETECTION_ROWS", "ColumnProfile", "Profile", "profile"]

PROFILE_FORMAT_VERSION = 1
_IDENTIFIER_PATTERNS = tuple(re.compile(p) for p in CONTAINED.values())


def _holds_identifier(value: Any) -> bool:
    return isinstance(value, str) and any(p.search(value) for p in _IDENTIFIER_PATTERNS)


DETECTION_ROWS = 10_000
"""Rows looked at by identifier detection by default; more rows are sampled down to this."""


@dataclass(frozen=True)
class ColumnProfile:
    """The profile of one column.

    Values of columns detected as identifiers (``masked`` is True) are never kept: their top
    values, minimum and maximum are masked (``****@****.***``) and their mean is not reported.
    A column is masked when it has a detected kind, when its suggested role is identifier, or
    when any checked value was or contained a direct identifier (``detection.seen``).

    Attributes
    ----------
    name : str
        Column name.
    dtype : str
        The column's dtype as the caller's library names it (``"str"``, ``"Int64"``,
        ``"category"`` for pandas; ``"String"``, ``"Date"`` for polars).
    polars_dtype : str
        The polars dtype anonlab computes with.
    rows : int
        Rows profiled.
    nulls : int
        Null (missing) values.
    distinct : int
        Distinct non-null values.
    uniqueness : float
        ``distinct / non_null`` (0 when the column is all null): 1.0 means every value is unique.
    top_values : tuple of (value, count)
        The most frequent values seen more than once, most frequent first (masked if ``masked``).
    min, max, mean : object
        For numbers, dates and booleans (``mean`` of a boolean is the share of True).
    min_length, max_length : int or None
        String length range, in characters.
    detection : Detection
        The detected identifier kind with its evidence.
    role : ColumnRole
        The suggested role.
    role_reason : str
        Why, in words.
    hipaa : HipaaCategory or None
        The HIPAA Safe Harbor identifier category the column falls under.
    masked : bool
        Whether values shown for this column are masked.
    """

    name: str
    dtype: str
    polars_dtype: str
    rows: int
    nulls: int
    distinct: int
    uniqueness: float
    top_values: tuple[tuple[Any, int], ...]
    min: Any
    max: Any
    mean: Any
    min_length: int | None
    max_length: int | None
    detection: Detection
    role: ColumnRole
    role_reason: str
    hipaa: HipaaCategory | None
    masked: bool

    @property
    def kind(self) -> Kind | None:
        """The detected kind (shortcut for ``detection.kind``)."""
        return self.detection.kind

    @property
    def non_null(self) -> int:
        """Non-null values."""
        return self.rows - self.nulls

    @property
    def null_share(self) -> float:
        """Share of rows that are null."""
        return self.nulls / self.rows if self.rows else 0.0

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-ready data."""
        return {
            "name": self.name,
            "dtype": self.dtype,
            "polars_dtype": self.polars_dtype,
            "rows": self.rows,
            "nulls": self.nulls,
            "distinct": self.distinct,
            "uniqueness": self.uniqueness,
            "top_values": [[_plain(v), n] for v, n in self.top_values],
            "min": _plain(self.min),
            "max": _plain(self.max),
            "mean": _plain(self.mean),
            "min_length": self.min_length,
            "max_length": self.max_length,
            "detection": self.detection.to_dict(),
            "role": self.role.value,
            "role_reason": self.role_reason,
            "hipaa": None
            if self.hipaa is None
            else {
                "number": self.hipaa.number,
                "letter": self.hipaa.letter,
                "label": self.hipaa.label,
            },
            "masked": self.masked,
        }


@dataclass(frozen=True)
class Profile:
    """The profile of a frame: one :class:`ColumnProfile` per column, in the frame's order.

    Index it by column name (``profile["email"]``), iterate over it, turn it into a table with
    :meth:`to_frame` or plain data with :meth:`to_dict`. In a notebook it displays as a table with
    identifier columns marked and their values masked.

    Attributes
    ----------
    columns : tuple of ColumnProfile
    rows : int
        Rows in the frame.
    rows_profiled : int
        Rows the statistics were computed on (fewer than ``rows`` when ``sample`` was given).
    source : str
        The kind of frame profiled: ``"pandas"``, ``"polars"``, ``"lazy"`` or ``"arrow"``.
    """

    columns: tuple[ColumnProfile, ...]
    rows: int
    rows_profiled: int
    source: str
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {c.name: i for i, c in enumerate(self.columns)})

    @property
    def sampled(self) -> bool:
        """Whether statistics come from a sample of the rows."""
        return self.rows_profiled < self.rows

    @property
    def names(self) -> tuple[str, ...]:
        """Column names, in order."""
        return tuple(c.name for c in self.columns)

    def __getitem__(self, name: str) -> ColumnProfile:
        try:
            return self.columns[self._index[name]]
        except KeyError:
            raise ColumnNotFoundError(name, self.names) from None

    def __contains__(self, name: object) -> bool:
        return name in self._index

    def __iter__(self) -> Iterator[ColumnProfile]:
        return iter(self.columns)

    def __len__(self) -> int:
        return len(self.columns)

    def by_role(self, role: ColumnRole | str) -> tuple[str, ...]:
        """Names of the columns whose suggested role is ``role``."""
        wanted = ColumnRole(role)
        return tuple(c.name for c in self.columns if c.role is wanted)

    @property
    def identifiers(self) -> tuple[str, ...]:
        """Columns suggested as direct identifiers."""
        return self.by_role(ColumnRole.IDENTIFIER)

    @property
    def quasi_identifiers(self) -> tuple[str, ...]:
        """Columns suggested as quasi-identifiers."""
        return self.by_role(ColumnRole.QUASI_IDENTIFIER)

    @property
    def sensitive(self) -> tuple[str, ...]:
        """Columns suggested as sensitive attributes."""
        return self.by_role(ColumnRole.SENSITIVE)

    @property
    def hipaa_identifiers(self) -> dict[str, HipaaCategory]:
        """Columns that fall under a HIPAA Safe Harbor identifier category, with the category."""
        return {c.name: c.hipaa for c in self.columns if c.hipaa is not None}

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-ready data (masked where the profile masks)."""
        return {
            "format_version": PROFILE_FORMAT_VERSION,
            "rows": self.rows,
            "rows_profiled": self.rows_profiled,
            "sampled": self.sampled,
            "source": self.source,
            "columns": [c.to_dict() for c in self.columns],
        }

    def to_frame(self, backend: str | None = None) -> Any:
        """One row per column: statistics, detected kind, suggested role and HIPAA category.

        Parameters
        ----------
        backend : {"polars", "pandas", "arrow"}, optional
            The kind of frame to return; by default the kind that was profiled (a polars
            DataFrame for a LazyFrame).
        """
        from anonlab.profiling.table import profile_table

        return profile_table(self, backend)

    def _repr_html_(self) -> str:
        from anonlab.profiling.html import profile_html

        return profile_html(self)

    def __repr__(self) -> str:
        from anonlab.profiling.table import profile_text

        return profile_text(self)


def _plain(value: Any) -> Any:
    """JSON-ready form of a statistic."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, float) and not np.isfinite(value):
        return None if np.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def _display(value: Any) -> Any:
    """A value as a profile may hold it: binary and nested values become short descriptions."""
    if isinstance(value, bytes | bytearray):
        return f"<{len(value)} bytes>"
    if isinstance(value, list | dict | tuple | pl.Series):
        text = str(value if not isinstance(value, pl.Series) else value.to_list())
        return text if len(text) <= 60 else text[:60] + "…"
    return value


def _detection_frame(
    lf: pl.LazyFrame, rows: int, limit: int, seed: int
) -> tuple[pl.DataFrame, bool]:
    """Rows for detection: all of them, or ``limit`` rows drawn at random (without replacement)."""
    if rows <= limit:
        return lf.collect(), False
    rng = np.random.default_rng(seed)
    picks = np.sort(rng.choice(rows, size=limit, replace=False))
    row = fresh_name(lf.collect_schema().names(), "__anonlab_row")
    picked = (
        lf.with_row_index(row)
        .filter(pl.col(row).is_in(pl.Series(picks, dtype=pl.get_index_type())))
        .drop(row)
        .collect()
    )
    return picked, True


def profile(
    frame: Any,
    *,
    sample: int | None = None,
    detection_rows: int = DETECTION_ROWS,
    seed: int = 0,
    top: int = 5,
) -> Profile:
    """Profile a frame: statistics, identifier detection and suggested roles, per column.

    Parameters
    ----------
    frame : pandas.DataFrame, polars.DataFrame, polars.LazyFrame or pyarrow.Table
        The data. It is not modified. A LazyFrame is read once, into memory (the statistics
        look at every value of every column); with ``sample`` only the sample is kept.
    sample : int, optional
        Profile a random sample of this many rows instead of all rows (``Profile.sampled`` says
        so). Statistics are then those of the sample.
    detection_rows : int, default 10,000
        Identifier detection looks at this many rows at most, drawn at random; each column's
        ``detection.checked`` and ``detection.sampled`` say how many values were examined.
    seed : int, default 0
        Seed of the random draws, for reproducible profiles.
    top : int, default 5
        How many most frequent values to report per column.

    Returns
    -------
    Profile

    Raises
    ------
    UnsupportedFrameError
        ``frame`` is not a frame.
    EmptyFrameError
        The frame has no columns.
    ParameterError
        A parameter is out of range.

    Examples
    --------
    >>> import anonlab
    >>> p = anonlab.profile(anonlab.datasets.patients(200))
    >>> p["ssn"].kind
    <Kind.SSN: 'ssn'>
    >>> p["ssn"].role
    <ColumnRole.IDENTIFIER: 'identifier'>
    """
    owner = "profile"
    check_int(sample, "sample", owner, min_value=1, allow_none=True)
    check_int(detection_rows, "detection_rows", owner, min_value=1)
    check_int(seed, "seed", owner, min_value=0)
    check_int(top, "top", owner, min_value=0, max_value=100)
    data, origin = ingest(frame, owner=owner)
    lf = data.lazy()
    schema = lf.collect_schema()
    if len(schema) == 0:
        raise EmptyFrameError(
            "profile got a frame with no columns; there is nothing to profile. "
            "Check that the frame was loaded with its columns."
        )
    if sample is None and isinstance(data, pl.LazyFrame):
        # Every value of every column is looked at (value counts), so the whole frame is read
        # anyway: read it once, rather than once for the statistics and again for detection (a
        # wide CSV scanned lazily would otherwise be parsed several times).
        lf = data.collect().lazy()
    total = lf.select(pl.len()).collect().item() if sample is not None else None
    if sample is not None and total is not None and sample < total:
        rng = np.random.default_rng(seed)
        picks = np.sort(rng.choice(total, size=sample, replace=False))
        row = fresh_name(lf.collect_schema().names(), "__anonlab_row")
        lf = (
            lf.with_row_index(row)
            .filter(pl.col(row).is_in(pl.Series(picks, dtype=pl.get_index_type())))
            .drop(row)
        )
        # Materialize the sample once so statistics and detection see the same rows.
        lf = lf.collect().lazy()
    rows, stats = column_stats(lf, schema, top_k=top)
    det_frame, det_sampled = _detection_frame(lf, rows, detection_rows, seed)
    today = dt.date.today()
    # Sparse columns (few non-null values among the sampled rows): detection looks at their
    # first non-null values instead, all fetched in one query (one read of the source).
    sparse = [
        name for name in schema.names()
        if det_sampled
        and det_frame.get_column(name).null_count() > det_frame.height - min(
            rows - stats[name].nulls, 200)
    ]
    firsts: dict[str, pl.Series] = {}
    if sparse:
        heads = lf.select(
            pl.col(n).drop_nulls().head(detection_rows).implode() for n in sparse
        ).collect()
        firsts = {n: heads.get_column(n).explode().drop_nulls() for n in sparse}
    columns = []
    for name, dtype in schema.items():
        st = stats[name]
        non_null = rows - st.nulls
        values = det_frame.get_column(name).drop_nulls()
        sampled = det_sampled
        if name in firsts:
            values = firsts[name]
            sampled = values.len() < non_null
        detection = detect_values(
            values, name, non_null=non_null, distinct=st.distinct, sampled=sampled, today=today
        )
        columns.append(
            _column_profile(name, dtype, origin.dtype_names.get(name, safe_dtype_name(dtype)),
                            rows, st, detection)
        )
    return Profile(
        columns=tuple(columns),
        rows=total if total is not None else rows,
        rows_profiled=rows,
        source=origin.kind.value if isinstance(origin.kind, FrameKind) else str(origin.kind),
    )


def _column_profile(
    name: str, dtype: pl.DataType, dtype_name: str, rows: int, st: ColumnStats, det: Detection
) -> ColumnProfile:
    non_null = rows - st.nulls
    uniqueness = st.distinct / non_null if non_null else 0.0
    suggestion = suggest_role(
        name, dtype, det, uniqueness=uniqueness, non_null=non_null, max_value=st.max
    )
    # Mask whatever was detected, whatever is suggested as an identifier, and, as a safety net,
    # any column where even one checked value was or contained a direct identifier.
    masked = det.kind is not None or suggestion.role is ColumnRole.IDENTIFIER or bool(det.seen)
    kind = det.kind

    def show(value: Any) -> Any:
        value = _display(value)
        if value is None:
            return None
        # A value about to be shown is checked on its own too: detection samples, and a column
        # that is mostly harmless can still hold an e-mail address among its extremes.
        if masked or _holds_identifier(value):
            return mask_value(value, kind)
        return value

    return ColumnProfile(
        name=name,
        dtype=dtype_name,
        polars_dtype=safe_dtype_name(dtype),
        rows=rows,
        nulls=st.nulls,
        distinct=st.distinct,
        uniqueness=uniqueness,
        top_values=tuple((show(v), n) for v, n in st.top_values),
        min=show(st.min),
        max=show(st.max),
        mean=None if masked else st.mean,
        min_length=st.min_length,
        max_length=st.max_length,
        detection=det,
        role=suggestion.role,
        role_reason=suggestion.reason,
        hipaa=suggestion.hipaa,
        masked=masked,
    )

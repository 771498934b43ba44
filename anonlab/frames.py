"""Frames in, frames out: the one door every public anonlab function goes through.

anonlab computes with polars. A public function calls :func:`ingest` (or :func:`ingest_eager`) on
whatever the caller passed, works on the polars frame it gets, and calls :func:`restore` with the
:class:`Origin` it was handed to give the caller back the kind of frame they passed in::

    data, origin = ingest(frame, owner="profile")
    result = data.with_columns(...)
    return restore(result, origin)

Accepted inputs
---------------
* **polars DataFrame**: used as is (the same object); handed back as a DataFrame.
* **polars LazyFrame**: stays lazy (:func:`ingest` never collects it; its schema is read with
  ``collect_schema()``); handed back as a LazyFrame. :func:`ingest_eager` collects it.
* **pandas DataFrame**: converted column by column (see below); handed back as a pandas DataFrame.
* **pyarrow Table**: converted column by column; handed back as a pyarrow Table.

Anything else raises :class:`~anonlab.errors.UnsupportedFrameError`. pandas and pyarrow are
never imported just to test a type: they are looked up in ``sys.modules``, so an anonlab call
with a polars frame does not load pandas. No Python code runs per row: conversions go through
Arrow, numpy and polars, and object columns are typed with ``pd.api.types.infer_dtype``.

Round-trip rules
----------------
A column is *unchanged* when it still exists under its name in the result and its polars dtype
is still the one :func:`ingest` produced for it (:meth:`Origin.unchanged`). Unchanged columns get
back exactly the caller's dtype; new, renamed or type-changed columns get the natural dtype for
their polars type.

pandas, unchanged columns
    Come back identical (``pd.testing.assert_frame_equal`` with every check on): numpy
    ``int``/``uint``/``float``/``bool`` (NaN is a polars null, and a null comes back as NaN),
    ``datetime64[s|ms|us|ns]`` and ``timedelta64`` (``[s]`` is held as ``ms`` in polars),
    tz-aware datetimes, the nullable ``Int8``..``UInt64``, ``Float32``/``Float64`` and
    ``boolean`` dtypes, the ``str`` dtype (either storage), ``string[python]`` and
    ``string[pyarrow]``, every ``ArrowDtype`` polars can hold, and ``category`` (categories, their
    order and dtype, unused categories, ``ordered``, nulls). String categories are held as
    ``pl.Enum`` of the categories, so a categorical cannot silently gain a value outside them;
    other categories (ints, dates, bools, ...) as their values.

    ``object`` columns are typed from what they hold. Accepted: only ``str``, only ``bytes``,
    only ints (64-bit), only floats, only bools, only ``Decimal``, only dates, only times, only
    datetimes in one time zone, only timedeltas, or only lists / only dicts (with the same keys)
    that pyarrow can type. They come back as ``object`` holding the same Python types (pandas
    ``Timestamp``/``Timedelta`` scalars stay pandas scalars), and the missing-value marker
    (``None``, ``NaN``, ``pd.NA``, ...) comes back when the column used one kind of marker.

    The row index (named, string, datetime, categorical, non-unique, MultiIndex) is carried as
    it is, the column index keeps its dtype and name, and ``DataFrame.attrs`` is carried.

    Deliberate exceptions: a numpy ``int``/``uint``/``bool`` column that now holds nulls comes
    back as the matching nullable dtype (``Int64``, ``boolean``) rather than being cast to float;
    a non-string categorical whose values left its categories comes back as plain values.

    Not bit-identical (equal values, so ``assert_frame_equal`` passes): object ``Decimal``
    columns come back at the column's common scale (``Decimal("1.1")`` next to
    ``Decimal("2.25")`` comes back as ``Decimal("1.10")``); tz-aware Python datetimes come back
    with ``zoneinfo`` time zones (``datetime.timezone.utc`` becomes ``ZoneInfo("UTC")``); an
    object column that mixed missing markers (``None`` and ``NaN``) comes back with ``None``.

pandas, new or type-changed columns
    Strings -> ``str``; integers -> numpy, or nullable ``Int*``/``UInt*`` when they hold nulls;
    booleans -> ``bool``, or ``boolean`` with nulls; floats -> numpy floats (nulls as NaN);
    datetimes and durations -> ``datetime64``/``timedelta64`` of the same unit and time zone;
    ``Date`` -> ``datetime64[ms]`` (as polars' ``to_pandas`` does); ``Categorical``/``Enum`` ->
    ``category``; everything else (time, decimal, binary, list, struct, null) -> ``object``
    holding Python values.

pandas, rejected
    :class:`~anonlab.errors.ColumnNameError`: column names that are not strings, duplicate names,
    a MultiIndex of columns. :class:`~anonlab.errors.UnrepresentableColumnError` (naming the
    column and what it holds, never its values): object columns mixing Python types (ints and
    strs, strs and floats, ints and floats, ...), mixing time zones or naive and aware datetimes,
    holding sets, tuples, dicts with different keys, ints beyond 64 bits or other objects Arrow
    cannot type; Period, Interval, complex and sparse dtypes; Arrow types polars cannot hold.

pyarrow
    Unchanged columns are cast back to their original field type (``string`` vs ``large_string``
    vs ``string_view``, ``timestamp[s]``, ``decimal256``, extension types, dictionary index width,
    ...) and keep their field (nullability, metadata). Dictionary columns come back with their
    original dictionary (order and unused entries) while their values stay within it; a
    dictionary column whose chunks had different dictionaries comes back as one unified
    dictionary, and one whose dictionary held nulls or repeated entries gets a fresh dictionary
    (same values either way). Schema metadata is kept, except a ``b"pandas"`` entry when columns
    changed (it would describe columns that are no longer there). Duplicate column names raise
    :class:`~anonlab.errors.ColumnNameError`; types polars cannot hold (unions, run-end encoded,
    list views, calendar intervals, ``decimal256`` wider than 38 digits) raise
    :class:`~anonlab.errors.UnrepresentableColumnError`.

polars
    Passed through untouched (nested, binary and object columns included).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from operator import attrgetter
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl
from polars.datatypes import DataTypeClass

from anonlab._validation import dtype_name
from anonlab.errors import (
    ColumnNameError,
    ParameterError,
    UnrepresentableColumnError,
    UnsupportedFrameError,
)

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = ["FrameKind", "Origin", "frame_kind", "ingest", "ingest_eager", "restore"]

_ACCEPTED = "a pandas or polars DataFrame, a polars LazyFrame or a pyarrow Table"

# Object columns: pandas' inferred kind -> the Arrow type to build (None: let pyarrow infer it).
_OBJECT_SIMPLE = {
    "string": "large_string",
    "bytes": "large_binary",
    "integer": None,
    "floating": None,
    "boolean": None,
    "decimal": None,
    "date": None,
    "time": None,
}
_OBJECT_PANDAS_ARRAY = {"datetime", "datetime64", "timedelta", "timedelta64"}
_OBJECT_NESTED = {"mixed"}


class FrameKind(StrEnum):
    """The kind of frame a caller passed in (and gets back)."""

    POLARS = "polars"
    LAZY = "lazy"
    PANDAS = "pandas"
    ARROW = "arrow"


@dataclass(frozen=True, eq=False)
class Origin:
    """What :func:`restore` needs to hand back the caller's kind of frame faithfully.

    Attributes
    ----------
    kind : FrameKind
        The kind of frame the caller passed.
    columns : tuple of str
        The caller's column names, in order.
    dtype_names : Mapping[str, str]
        The caller-facing dtype name of each column, as the caller's library names it: pandas
        ``"Int64"``, ``"str"``, ``"category"``, ``"datetime64[ns, Europe/Paris]"``, ``"object"``;
        polars ``"String"``, ``"Int64"``; arrow ``"string"``, ``"int64"``.
    polars_dtypes : Mapping[str, pl.DataType]
        The polars dtype :func:`ingest` produced for each column. A result column with this dtype
        is restored to the caller's dtype.
    height : int or None
        Rows of the input; None for a LazyFrame that was not collected.
    pandas_dtypes : Mapping[str, object]
        pandas only: the original dtype of each column.
    pandas_index : pandas.Index or None
        pandas only: the original row index.
    pandas_columns : pandas.Index or None
        pandas only: the original column index (its dtype and name are restored).
    pandas_attrs : Mapping[str, object]
        pandas only: ``DataFrame.attrs``.
    na_values : Mapping[str, object]
        pandas object columns only: the missing-value marker each used (``None``, ``NaN``,
        ``pd.NA``), when it used a single kind.
    arrow_schema : pyarrow.Schema or None
        pyarrow only: the original schema, with field and schema metadata.
    categories : Mapping[str, pl.Series]
        pandas categoricals and Arrow dictionary columns whose categories are not strings (held in
        polars as their values): the categories, in order, so codes can be rebuilt.
    pandas_scalars : frozenset of str
        pandas object columns of datetimes or timedeltas that held ``pd.Timestamp`` /
        ``pd.Timedelta`` (or numpy) scalars rather than Python ``datetime``/``timedelta``: they
        come back as pandas scalars (nanoseconds kept), the others as Python objects.
    """

    kind: FrameKind
    columns: tuple[str, ...]
    dtype_names: Mapping[str, str]
    polars_dtypes: Mapping[str, pl.DataType] = field(default_factory=dict)
    height: int | None = None
    pandas_dtypes: Mapping[str, Any] = field(default_factory=dict)
    pandas_index: Any = None
    pandas_columns: Any = None
    pandas_attrs: Mapping[str, Any] = field(default_factory=dict)
    na_values: Mapping[str, Any] = field(default_factory=dict)
    arrow_schema: Any = None
    categories: Mapping[str, pl.Series] = field(default_factory=dict)
    pandas_scalars: frozenset[str] = frozenset()

    def unchanged(self, name: str, dtype: pl.DataType) -> bool:
        """Whether result column ``name`` with ``dtype`` is one ingest produced, untouched in type.

        Parameters
        ----------
        name : str
            A column name of the result.
        dtype : pl.DataType
            Its polars dtype in the result.

        Returns
        -------
        bool
            True when the column existed in the input and still has the polars dtype
            :func:`ingest` gave it.
        """
        produced = self.polars_dtypes.get(name)
        return produced is not None and produced == dtype


# --------------------------------------------------------------------------- kinds


def _modules() -> tuple[Any, Any]:
    return sys.modules.get("pandas"), sys.modules.get("pyarrow")


def _describe_type(obj: object) -> str:
    if obj is None:
        return "None"
    cls = type(obj)
    module = cls.__module__.split(".")[0]
    name = cls.__name__
    if module in {"builtins", ""}:
        article = "an" if name[:1].lower() in "aeiou" else "a"
        return f"{article} {name}"
    return f"a {module} {name}"


def _unsupported(obj: object, owner: str) -> UnsupportedFrameError:
    got = _describe_type(obj)
    hint = ""
    pd, pa = _modules()
    if isinstance(obj, pl.Series) or (pd is not None and isinstance(obj, pd.Series)):
        hint = " Turn a Series into a frame with series.to_frame()."
    elif pa is not None and isinstance(obj, pa.RecordBatch):
        hint = " Turn a RecordBatch into a table with pa.Table.from_batches([batch])."
    elif isinstance(obj, dict | list | tuple) or type(obj).__module__ == "numpy":
        hint = " Build a frame first, for example pl.DataFrame(data) or pd.DataFrame(data)."
    return UnsupportedFrameError(f"{owner} expects {_ACCEPTED}. Got {got}.{hint}")


def frame_kind(obj: object, *, owner: str = "anonlab") -> FrameKind:
    """Tell which kind of frame ``obj`` is.

    Parameters
    ----------
    obj : object
        The would-be frame.
    owner : str, default "anonlab"
        The public function asking, named in the error message.

    Returns
    -------
    FrameKind
        ``POLARS``, ``LAZY``, ``PANDAS`` or ``ARROW``.

    Raises
    ------
    UnsupportedFrameError
        ``obj`` is none of the accepted kinds (the message names its type and lists them).
    """
    if isinstance(obj, pl.DataFrame):
        return FrameKind.POLARS
    if isinstance(obj, pl.LazyFrame):
        return FrameKind.LAZY
    pd, pa = _modules()
    if pd is not None and isinstance(obj, pd.DataFrame):
        return FrameKind.PANDAS
    if pa is not None and isinstance(obj, pa.Table):
        return FrameKind.ARROW
    raise _unsupported(obj, owner)


# --------------------------------------------------------------------------- ingest


def ingest(
    frame: Any, *, owner: str = "anonlab"
) -> tuple[pl.DataFrame | pl.LazyFrame, Origin]:
    """Turn any accepted frame into a polars frame, remembering how to hand it back.

    Parameters
    ----------
    frame : pandas.DataFrame, polars.DataFrame, polars.LazyFrame or pyarrow.Table
        The caller's frame. A LazyFrame is not collected.
    owner : str, default "anonlab"
        The public function's name, used in error messages.

    Returns
    -------
    data : pl.DataFrame or pl.LazyFrame
        The frame as polars (a LazyFrame stays lazy; a polars DataFrame is the same object).
    origin : Origin
        What :func:`restore` needs to give back the caller's kind of frame.

    Raises
    ------
    UnsupportedFrameError
        ``frame`` is not an accepted kind of frame.
    ColumnNameError
        Column names are not unique strings (or the pandas columns are a MultiIndex).
    UnrepresentableColumnError
        A column holds values polars cannot hold without changing them.
    """
    kind = frame_kind(frame, owner=owner)
    if kind is FrameKind.POLARS:
        _refuse_objects(frame.schema, owner)
        return frame, _polars_origin(kind, frame.schema, frame.height)
    if kind is FrameKind.LAZY:
        schema = frame.collect_schema()
        _refuse_objects(schema, owner)
        return frame, _polars_origin(kind, schema, None)
    if kind is FrameKind.PANDAS:
        return _ingest_pandas(frame, owner)
    return _ingest_arrow(frame, owner)


def ingest_eager(frame: Any, *, owner: str = "anonlab") -> tuple[pl.DataFrame, Origin]:
    """Like :func:`ingest`, but a LazyFrame is collected.

    The origin still says ``LAZY``, so :func:`restore` hands back a LazyFrame.

    Parameters
    ----------
    frame : pandas.DataFrame, polars.DataFrame, polars.LazyFrame or pyarrow.Table
        The caller's frame.
    owner : str, default "anonlab"
        The public function's name, used in error messages.

    Returns
    -------
    data : pl.DataFrame
        The frame as an eager polars DataFrame.
    origin : Origin
        What :func:`restore` needs.

    Raises
    ------
    UnsupportedFrameError, ColumnNameError, UnrepresentableColumnError
        As :func:`ingest`.
    """
    data, origin = ingest(frame, owner=owner)
    if isinstance(data, pl.LazyFrame):
        data = data.collect()
        origin = replace(origin, height=data.height)
    return data, origin


def _polars_origin(
    kind: FrameKind, schema: Mapping[str, pl.DataType], height: int | None
) -> Origin:
    dtypes = dict(schema)
    return Origin(
        kind=kind,
        columns=tuple(dtypes),
        dtype_names=MappingProxyType({name: dtype_name(dtype) for name, dtype in dtypes.items()}),
        polars_dtypes=MappingProxyType(dtypes),
        height=height,
    )


# ---- pandas


def _check_pandas_names(df: pd.DataFrame, pd: Any, owner: str) -> tuple[str, ...]:
    columns = df.columns
    if isinstance(columns, pd.MultiIndex):
        raise ColumnNameError(
            f"{owner} needs one level of string column names, but the frame's columns are a "
            f"MultiIndex with {columns.nlevels} levels. Flatten them first, for example "
            "df.columns = ['_'.join(map(str, c)) for c in df.columns]."
        )
    names = columns.tolist()
    for position, name in enumerate(names):
        if not isinstance(name, str):
            raise ColumnNameError(
                f"{owner} needs string column names, but column {position} is named {name!r} "
                f"(a {type(name).__name__}). Make the names strings first, for example "
                "df.columns = df.columns.astype(str)."
            )
    if len(set(names)) != len(names):
        duplicated = columns.duplicated(keep=False)
        name = columns[duplicated][0]
        positions = [int(p) for p in np.flatnonzero(np.asarray(columns == name))]
        raise ColumnNameError(
            f"{owner} needs unique column names, but {name!r} names the columns at positions "
            f"{', '.join(map(str, positions))}. Rename or drop the duplicates first, for example "
            "df = df.loc[:, ~df.columns.duplicated()]."
        )
    return tuple(names)


def _from_series(series: list[pl.Series], names: Sequence[str], height: int) -> pl.DataFrame:
    """A frame of ``series`` under exactly ``names`` (polars renames an empty name ``column_0``)."""
    if not series:
        return pl.DataFrame(height=height)
    data = pl.DataFrame(series, height=height)
    if data.columns != list(names):
        data.columns = list(names)
    return data


def _ingest_pandas(df: pd.DataFrame, owner: str) -> tuple[pl.DataFrame, Origin]:
    pd = sys.modules["pandas"]
    names = _check_pandas_names(df, pd, owner)
    series: list[pl.Series] = []
    na_values: dict[str, Any] = {}
    categories: dict[str, pl.Series] = {}
    pandas_scalars: set[str] = set()
    for position, name in enumerate(names):
        column = df.iloc[:, position]
        if isinstance(column.dtype, pd.CategoricalDtype):
            converted, cats = _pandas_categorical(name, column, pd, owner)
            if cats is not None:
                categories[name] = cats
        else:
            converted, na_value = _pandas_column(name, column, pd, owner)
            if na_value is not _NO_NA:
                na_values[name] = na_value
            if column.dtype == object and _holds_pandas_scalars(column, converted, pd):
                pandas_scalars.add(name)
        series.append(converted)
    data = _from_series(series, names, len(df))
    origin = Origin(
        kind=FrameKind.PANDAS,
        columns=names,
        dtype_names=MappingProxyType(
            {n: dtype_name(t) for n, t in zip(names, df.dtypes, strict=True)}
        ),
        polars_dtypes=MappingProxyType(dict(data.schema)),
        height=len(df),
        pandas_dtypes=MappingProxyType(dict(zip(names, df.dtypes, strict=True))),
        pandas_index=df.index,
        pandas_columns=df.columns,
        pandas_attrs=MappingProxyType(dict(df.attrs)),
        na_values=MappingProxyType(na_values),
        categories=MappingProxyType(categories),
        pandas_scalars=frozenset(pandas_scalars),
    )
    return data, origin


def _holds_pandas_scalars(column: pd.Series, converted: pl.Series, pd: Any) -> bool:
    """Whether an object column of datetimes/timedeltas holds pandas (not Python) scalars."""
    if not isinstance(converted.dtype, pl.Datetime | pl.Duration):
        return False
    values = column.to_numpy()
    first = int(np.argmin(pd.isna(values))) if len(values) else 0
    return len(values) > 0 and type(values[first]) not in {dt.datetime, dt.timedelta}


class _NoNA:
    def __repr__(self) -> str:
        return "<no missing values>"


_NO_NA = _NoNA()


def _refuse_objects(schema: Mapping[str, pl.DataType], owner: str) -> None:
    """Refuse polars Object columns: arbitrary Python objects no transform can read faithfully."""
    for name, dtype in schema.items():
        if _holds_object(dtype):
            raise UnrepresentableColumnError(
                f"{owner} cannot work on column {name!r}: it holds arbitrary Python objects "
                f"(polars dtype {dtype_name(dtype)}), which no transform or check can read. "
                f"Convert it first, e.g. df.with_columns(pl.col({name!r}).map_elements(str, "
                "return_dtype=pl.String)).",
                column=name,
            )


def _holds_object(dtype: pl.DataType | DataTypeClass) -> bool:
    if dtype == pl.Object:
        return True
    if isinstance(dtype, pl.List | pl.Array):
        return _holds_object(dtype.inner)
    if isinstance(dtype, pl.Struct):
        return any(_holds_object(f.dtype) for f in dtype.fields)
    return False


def _unrepresentable(name: str, holds: str, fix: str, owner: str) -> UnrepresentableColumnError:
    return UnrepresentableColumnError(
        f"{owner} cannot work on column {name!r}: it {holds}, which polars cannot hold without "
        f"changing it. {fix}",
        column=name,
    )


def _pandas_column(name: str, s: pd.Series, pd: Any, owner: str) -> tuple[pl.Series, Any]:
    """One pandas column as a polars Series, and the missing-value marker of an object column."""
    dtype = s.dtype
    if isinstance(dtype, pd.SparseDtype):
        raise _unrepresentable(
            name, f"has the sparse dtype {dtype}",
            f"Densify it first: df[{name!r}] = df[{name!r}].sparse.to_dense().", owner,
        )
    if isinstance(dtype, pd.PeriodDtype | pd.IntervalDtype):
        what = "periods" if isinstance(dtype, pd.PeriodDtype) else "intervals"
        fix = (f"Convert it first, e.g. df[{name!r}] = df[{name!r}].dt.to_timestamp()"
               if what == "periods" else f"Convert it first, e.g. df[{name!r}].astype(str)")
        raise _unrepresentable(name, f"holds {what} (dtype {dtype})", fix + ".", owner)
    if isinstance(dtype, pd.ArrowDtype):
        return _arrow_column(name, _pa().array(s.array), owner, f"dtype {dtype}"), _NO_NA
    if isinstance(dtype, pd.StringDtype):
        pa = _pa()
        arr = pa.array(s.array, type=pa.large_string(), from_pandas=True)
        return pl.Series(name, arr), _NO_NA
    if isinstance(dtype, np.dtype):
        return _numpy_column(name, s, dtype, pd, owner)
    # Masked (Int64, Float64, boolean), DatetimeTZDtype and other extension arrays that export
    # to Arrow. Masked arrays keep their mask (a NaN that pandas distinguishes from NA stays NaN).
    pa = _pa()
    try:
        arr = pa.array(s.array)
    except (pa.ArrowException, TypeError, ValueError):
        raise _unrepresentable(
            name, f"has the dtype {dtype}", f"Convert it first, e.g. df[{name!r}].astype(str).",
            owner,
        ) from None
    if isinstance(dtype, pd.DatetimeTZDtype) and arr.type.unit == "s":
        arr = arr.cast(_pa().timestamp("ms", arr.type.tz))
    return _arrow_column(name, arr, owner, f"dtype {dtype}"), _NO_NA


def _pa_array(arr: Any, pa: Any) -> Any:
    """One contiguous Arrow array from an array or chunked array."""
    if isinstance(arr, pa.ChunkedArray):
        return arr.combine_chunks()
    return arr


def _pc() -> Any:
    import pyarrow.compute as pc

    return pc


def _pa() -> Any:
    pa = sys.modules.get("pyarrow")
    if pa is None:  # pandas is loaded, and pandas always comes with pyarrow for anonlab
        import pyarrow

        pa = pyarrow
    return pa


def _numpy_column(
    name: str, s: pd.Series, dtype: np.dtype, pd: Any, owner: str
) -> tuple[pl.Series, Any]:
    kind = dtype.kind
    values = s.to_numpy()
    if kind in "iub":
        return pl.Series(name, values), _NO_NA
    if kind == "f":
        return pl.Series(name, values, nan_to_null=True), _NO_NA
    if kind in "mM":
        unit = np.datetime_data(dtype)[0]
        if unit not in {"ms", "us", "ns"}:
            values = values.astype(f"{kind}8[ms]")
        return pl.Series(name, values), _NO_NA
    if kind == "c":
        raise _unrepresentable(
            name, f"holds complex numbers (dtype {dtype})",
            f"Split it first, e.g. into df[{name!r}].to_numpy().real and .imag.", owner,
        )
    if kind == "O":
        return _object_column(name, values, s.isna().to_numpy(), pd, owner)
    raise _unrepresentable(
        name, f"has the dtype {dtype}", f"Convert it first, e.g. df[{name!r}].astype(str).", owner
    )


def _type_names(values: np.ndarray) -> list[str]:
    # Only reached to word an error: map() and set() iterate in C, no Python code runs per row.
    return sorted({t.__name__ for t in set(map(type, values))})


def _na_marker(values: np.ndarray, missing: np.ndarray) -> Any:
    """The missing-value marker of an object column (None, NaN, pd.NA, NaT, Decimal NaN...).

    ``_NO_NA`` when nothing is missing; None when the column mixes kinds of markers.
    """
    if not missing.any():
        return _NO_NA
    markers = values[missing]
    if len(set(map(type, markers))) != 1:
        return None
    return markers[0]


def _object_column(
    name: str, values: np.ndarray, missing: np.ndarray, pd: Any, owner: str
) -> tuple[pl.Series, Any]:
    """An object column, typed from what it holds, and its missing-value marker."""
    inferred = pd.api.types.infer_dtype(values, skipna=True)
    na_value = _na_marker(values, missing)
    present = values[~missing] if na_value is not _NO_NA else values
    converted = _object_to_arrow(name, values, present, inferred, pd, owner)
    if converted is None:
        return pl.Series(name, [], dtype=pl.Null).extend_constant(None, len(values)), na_value
    if converted.null_count != int(missing.sum()):
        raise _unrepresentable(
            name, f"holds Python {_join(_type_names(present))} values some of which Arrow "
            "would turn into nulls",
            f"Convert it first, e.g. df[{name!r}].astype(str).", owner,
        )
    return _arrow_column(name, converted, owner, "object values"), na_value


def _object_to_arrow(
    name: str, values: np.ndarray, present: np.ndarray, inferred: str, pd: Any, owner: str
) -> Any:
    """An object column as an Arrow array (None when it holds no values), or a clear error."""
    pa = _pa()
    if inferred == "empty":
        return None
    if inferred == "date" and set(map(type, present)) != {dt.date}:
        # infer_dtype calls dates mixed with datetimes "date"; Arrow would drop their times.
        raise _unrepresentable(
            name, f"mixes Python types in one object column ({_join(_type_names(present))})",
            f"Give it one type first, e.g. df[{name!r}] = pd.to_datetime(df[{name!r}]).", owner,
        )
    if inferred == "time" and any(map(attrgetter("tzinfo"), present)):
        raise _unrepresentable(
            name, "holds times of day with a time zone (polars times have none)",
            f"Drop the time zones first, e.g. df[{name!r}].map(lambda t: t.replace(tzinfo=None)).",
            owner,
        )
    if inferred in _OBJECT_SIMPLE:
        arrow_type = _OBJECT_SIMPLE[inferred]
        try:
            arr = pa.array(values, type=getattr(pa, arrow_type)() if arrow_type else None,
                           from_pandas=True)
        except (pa.ArrowException, TypeError, ValueError, OverflowError) as exc:
            raise _unrepresentable(
                name, f"holds Python {_join(_type_names(present))} values that Arrow cannot "
                f"type ({type(exc).__name__})",
                f"Convert it first, e.g. df[{name!r}].astype(str).", owner,
            ) from None
        return arr
    if inferred in _OBJECT_PANDAS_ARRAY:
        arr = pd.array(values)
        if isinstance(arr, pd.arrays.NumpyExtensionArray):
            raise _unrepresentable(
                name, "holds datetimes in more than one time zone (or naive and aware together)",
                f"Make them agree first, e.g. df[{name!r}] = pd.to_datetime(df[{name!r}], "
                "utc=True).", owner,
            )
        return pa.array(arr)
    found = _type_names(present)
    if inferred in _OBJECT_NESTED and set(found) <= {"list", "dict"}:
        # Lists and dicts only: pyarrow would also take sets, tuples and arrays, as lists.
        try:
            arr = pa.array(values, from_pandas=True)
        except (pa.ArrowException, TypeError, ValueError, OverflowError):
            arr = None
        if arr is not None and pa.types.is_struct(arr.type) and len(present):
            # pyarrow gives every dict every key (None where missing): refuse to invent keys.
            sizes = np.fromiter(map(len, present), dtype=np.intp, count=len(present))
            if (sizes != arr.type.num_fields).any():
                raise _unrepresentable(
                    name, "holds dicts that do not all have the same keys (polars would add "
                    "the missing keys as None)",
                    f"Give every dict the same keys first, or turn the column into JSON text, "
                    f"e.g. df[{name!r}].map(json.dumps).", owner,
                )
        if arr is not None and _is_nested(arr.type, pa):
            return arr
    holds = (f"mixes Python types in one object column ({_join(found)})" if len(found) > 1
             else f"holds Python {_join(found)} objects in an object column")
    raise _unrepresentable(
        name, holds,
        f"Give it one type polars can hold first, e.g. df[{name!r}] = df[{name!r}].astype(str).",
        owner,
    )


def _join(names: Sequence[str]) -> str:
    return ", ".join(names) if names else "no values"


def _is_nested(arrow_type: Any, pa: Any) -> bool:
    t = pa.types
    return bool(
        t.is_list(arrow_type) or t.is_large_list(arrow_type) or t.is_struct(arrow_type)
        or t.is_map(arrow_type) or t.is_fixed_size_list(arrow_type)
    )


def _pandas_categorical(
    name: str, s: pd.Series, pd: Any, owner: str
) -> tuple[pl.Series, pl.Series | None]:
    """A categorical as pl.Enum (string categories) or as its values (with the categories)."""
    pa = _pa()
    dtype = s.dtype
    categories = dtype.categories
    codes = np.asarray(s.cat.codes.to_numpy())
    if pd.api.types.is_string_dtype(categories.dtype) and (
        categories.dtype != object or pd.api.types.infer_dtype(categories) == "string"
    ):
        dictionary = pa.array(categories.to_numpy(), type=pa.large_string(), from_pandas=True)
        arr = pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0), dictionary)
        return pl.Series(name, arr, dtype=pl.Enum(pl.Series(dictionary))), None
    # Non-string categories (ints, dates, ...): polars holds the values themselves.
    cats, _ = _pandas_column(name, pd.Series(categories, copy=False), pd, owner)
    values = cats.gather(pl.Series(codes, dtype=pl.Int64).replace(-1, None))
    return values, cats


# ---- arrow


def _arrow_problem(arrow_type: Any, pa: Any) -> str | None:
    """Why polars cannot hold this Arrow type, or None when it can (after _arrow_compatible)."""
    t = pa.types
    if t.is_union(arrow_type):
        return "a union type"
    if t.is_run_end_encoded(arrow_type):
        return "run-end encoded values"
    if hasattr(t, "is_list_view") and (t.is_list_view(arrow_type)
                                       or t.is_large_list_view(arrow_type)):
        return "list views"
    if t.is_interval(arrow_type):
        return "calendar intervals"
    if t.is_decimal256(arrow_type) and arrow_type.precision > 38:
        return f"decimals of precision {arrow_type.precision} (polars holds up to 38 digits)"
    if isinstance(arrow_type, pa.ExtensionType):
        return _arrow_problem(arrow_type.storage_type, pa)
    for i in range(arrow_type.num_fields):
        problem = _arrow_problem(arrow_type.field(i).type, pa)
        if problem is not None:
            return problem
    return None


def _arrow_compatible(arrow_type: Any, pa: Any) -> Any:
    """The Arrow type polars can take for ``arrow_type`` (decimal256 -> decimal128, recursively)."""
    t = pa.types
    if t.is_decimal256(arrow_type):
        return pa.decimal128(arrow_type.precision, arrow_type.scale)
    if t.is_list(arrow_type):
        return pa.list_(arrow_type.value_field.with_type(
            _arrow_compatible(arrow_type.value_type, pa)))
    if t.is_large_list(arrow_type):
        return pa.large_list(arrow_type.value_field.with_type(
            _arrow_compatible(arrow_type.value_type, pa)))
    if t.is_fixed_size_list(arrow_type):
        return pa.list_(arrow_type.value_field.with_type(
            _arrow_compatible(arrow_type.value_type, pa)), arrow_type.list_size)
    if t.is_struct(arrow_type):
        return pa.struct([f.with_type(_arrow_compatible(f.type, pa)) for f in arrow_type])
    return arrow_type


def _arrow_column(name: str, arr: Any, owner: str, what: str) -> pl.Series:
    """An Arrow array (or chunked array) as a polars Series, or a clear error."""
    pa = _pa()
    problem = _arrow_problem(arr.type, pa)
    if problem is not None:
        raise _unrepresentable(
            name, f"holds {problem} ({what}: {arr.type})",
            f"Cast it to a simpler type first, e.g. df[{name!r}].astype(str).", owner,
        )
    compatible = _arrow_compatible(arr.type, pa)
    if compatible != arr.type:
        arr = arr.cast(compatible)
    if pa.types.is_dictionary(arr.type) and _is_string_like(arr.type.value_type, pa):
        return _arrow_dictionary(name, arr, pa)
    try:
        out = pl.Series(name, arr)
    except Exception as exc:  # polars raises several error types for Arrow it cannot import
        raise _unrepresentable(
            name, f"holds {what} of Arrow type {arr.type} ({type(exc).__name__})",
            f"Cast it to a simpler type first, e.g. df[{name!r}].astype(str).", owner,
        ) from None
    if out.dtype == pl.Object:
        raise _unrepresentable(
            name, f"holds {what} of Arrow type {arr.type}",
            f"Cast it to a simpler type first, e.g. df[{name!r}].astype(str).", owner,
        )
    return out


def _is_string_like(arrow_type: Any, pa: Any) -> bool:
    t = pa.types
    return bool(t.is_string(arrow_type) or t.is_large_string(arrow_type)
                or (hasattr(t, "is_string_view") and t.is_string_view(arrow_type)))


def _arrow_dictionary(name: str, arr: Any, pa: Any) -> pl.Series:
    """A dictionary of strings as pl.Enum of its dictionary (order and unused values kept)."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.unify_dictionaries()
    dictionary = _unified_dictionary(arr, pa)
    if dictionary is None:  # nulls or duplicates in the dictionary: a plain Categorical
        return pl.Series(name, arr)
    return pl.Series(name, arr, dtype=pl.Enum(pl.Series(dictionary.cast(pa.large_string()))))


def _unified_dictionary(arr: Any, pa: Any) -> Any:
    """The one dictionary of a dictionary array, or None if it has nulls or duplicates."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.unify_dictionaries()
        if arr.num_chunks == 0:
            return pa.array([], arr.type.value_type)
        arr = arr.chunk(0)
    dictionary = arr.dictionary
    if dictionary.null_count or len(_pc().unique(dictionary)) != len(dictionary):
        return None
    return dictionary


def _ingest_arrow(table: pa.Table, owner: str) -> tuple[pl.DataFrame, Origin]:
    pa = _pa()
    names = tuple(table.column_names)
    if len(set(names)) != len(names):
        seen: dict[str, list[int]] = {}
        for position, name in enumerate(names):
            seen.setdefault(name, []).append(position)
        name, positions = next((n, p) for n, p in seen.items() if len(p) > 1)
        raise ColumnNameError(
            f"{owner} needs unique column names, but the Arrow table names the columns at "
            f"positions {', '.join(map(str, positions))} {name!r}. Rename them first, for "
            "example table = table.rename_columns([...]) with one unique name per column."
        )
    series = []
    categories: dict[str, pl.Series] = {}
    for i, name in enumerate(names):
        column = table.column(i)
        converted = _arrow_column(name, column, owner, "Arrow values")
        if pa.types.is_dictionary(column.type) and not isinstance(converted.dtype, pl.Enum):
            dictionary = _unified_dictionary(column, pa)
            if dictionary is not None:
                categories[name] = _arrow_column(name, dictionary, owner, "Arrow values")
        series.append(converted)
    data = _from_series(series, names, table.num_rows)
    schema = table.schema
    origin = Origin(
        kind=FrameKind.ARROW,
        columns=names,
        dtype_names=MappingProxyType({f.name: str(f.type) for f in schema}),
        polars_dtypes=MappingProxyType(dict(data.schema)),
        height=table.num_rows,
        arrow_schema=schema,
        categories=MappingProxyType(categories),
    )
    return data, origin


# --------------------------------------------------------------------------- restore


def restore(
    result: pl.DataFrame | pl.LazyFrame,
    origin: Origin,
    *,
    rows: Sequence[int] | np.ndarray | pl.Series | None = None,
) -> Any:
    """Hand a polars result back as the kind of frame the caller passed in.

    Parameters
    ----------
    result : pl.DataFrame or pl.LazyFrame
        The polars result.
    origin : Origin
        From :func:`ingest` on the caller's frame.
    rows : sequence of int, numpy array or pl.Series, optional
        pandas only: for each result row, its position in the original frame (e.g. the rows that
        survived a suppression); the result's index is then ``original_index[rows]``.

    Returns
    -------
    pl.DataFrame, pl.LazyFrame, pandas.DataFrame or pyarrow.Table
        Of ``origin.kind``. Columns that still exist with the polars dtype ingest gave them get
        the caller's original dtype back; the others get their natural dtype (see the module
        docstring). For pandas, the original index is reattached when ``rows`` is None and the
        height is unchanged, ``original_index[rows]`` when ``rows`` is given, else a RangeIndex.

    Raises
    ------
    ParameterError
        ``rows`` does not hold one position per result row, or a position is out of range.
    """
    kind = origin.kind
    if kind is FrameKind.LAZY:
        return result if isinstance(result, pl.LazyFrame) else result.lazy()
    data = result.collect() if isinstance(result, pl.LazyFrame) else result
    if kind is FrameKind.POLARS:
        return data
    if kind is FrameKind.PANDAS:
        return _restore_pandas(data, origin, rows)
    return _restore_arrow(data, origin)


# ---- pandas


def _check_rows(rows: Any, height: int, origin_height: int | None) -> np.ndarray:
    positions = rows.to_numpy() if isinstance(rows, pl.Series) else np.asarray(rows)
    if positions.ndim != 1 or (positions.size and positions.dtype.kind not in "iu"):
        raise ParameterError(
            "The 'rows' parameter of restore must be a one-dimensional sequence of integer "
            f"positions. Got an array of dtype {positions.dtype} with {positions.ndim} dimensions."
        )
    if len(positions) != height:
        raise ParameterError(
            f"The 'rows' parameter of restore must give one position per result row: the result "
            f"has {height} rows but 'rows' has {len(positions)} positions."
        )
    if origin_height is not None and positions.size and (
        positions.min() < 0 or positions.max() >= origin_height
    ):
        raise ParameterError(
            f"The 'rows' parameter of restore holds positions outside 0..{origin_height - 1}, "
            "the rows of the original frame."
        )
    return positions.astype(np.intp, copy=False)


def _restore_pandas(data: pl.DataFrame, origin: Origin, rows: Any) -> pd.DataFrame:
    pd: Any = sys.modules.get("pandas")
    if pd is None:
        import pandas

        pd = pandas
    index = origin.pandas_index
    if rows is not None:
        positions = _check_rows(rows, data.height, origin.height)
        index = index.take(positions) if index is not None else None
    elif index is None or data.height != origin.height:
        index = None
    arrays = {}
    for s in data.iter_columns():
        name = s.name
        if origin.unchanged(name, s.dtype) and name in origin.pandas_dtypes:
            arrays[name] = _pandas_original(s, origin.pandas_dtypes[name], name, origin, pd)
        else:
            arrays[name] = _pandas_natural(s, pd)
    # Series on one shared RangeIndex: nothing to align, and an object array stays object
    # (the DataFrame constructor would infer ``str`` for an object array of strings).
    positions = pd.RangeIndex(data.height)
    out = pd.DataFrame(
        {name: pd.Series(arr, index=positions, dtype=arr.dtype, copy=False)
         for name, arr in arrays.items()},
        index=positions,
        copy=False,
    )
    if index is not None:
        out.index = index
    out.columns = _columns_index(list(arrays), origin.pandas_columns, pd)
    if origin.pandas_attrs:
        out.attrs = dict(origin.pandas_attrs)
    return out


def _columns_index(names: list[str], original: Any, pd: Any) -> Any:
    if original is not None and len(original) == len(names) and original.tolist() == names:
        return original
    if original is not None and original.dtype == object:
        return pd.Index(names, dtype=object, name=original.name)
    return pd.Index(names, dtype="str", name=None if original is None else original.name)


_MASKED_INTS: dict[type[pl.DataType], str] = {
    pl.Int8: "Int8", pl.Int16: "Int16", pl.Int32: "Int32", pl.Int64: "Int64",
    pl.UInt8: "UInt8", pl.UInt16: "UInt16", pl.UInt32: "UInt32", pl.UInt64: "UInt64",
}


def _as_object(s: pl.Series, na_value: Any = None) -> np.ndarray:
    """A polars Series as a numpy object array of Python values (nulls as ``na_value``)."""
    values = np.fromiter(s.to_list(), dtype=object, count=s.len())
    if na_value is not None and na_value is not _NO_NA and s.null_count():
        values[s.is_null().to_numpy()] = na_value
    return values


def _pandas_natural(s: pl.Series, pd: Any) -> Any:
    """The natural pandas array for a polars Series of any dtype."""
    dtype = s.dtype
    if dtype == pl.String:
        return pd.api.types.pandas_dtype("str").__from_arrow__(s.to_arrow())
    if dtype == pl.Boolean:
        if s.null_count():
            return pd.BooleanDtype().__from_arrow__(s.to_arrow())
        return s.to_numpy()
    if dtype.base_type() in _MASKED_INTS:
        if s.null_count():
            return pd.api.types.pandas_dtype(_MASKED_INTS[dtype.base_type()]).__from_arrow__(
                s.to_arrow())
        return s.to_numpy()
    if dtype.is_float():
        return s.to_numpy()
    if isinstance(dtype, pl.Datetime | pl.Duration | pl.Date | pl.Categorical | pl.Enum):
        return s.to_pandas().array
    return _as_object(s)


def _pandas_original(s: pl.Series, dtype: Any, name: str, origin: Origin, pd: Any) -> Any:
    """A polars Series as a pandas array of the original ``dtype`` (the column is unchanged)."""
    if isinstance(dtype, pd.CategoricalDtype):
        return _pandas_categorical_back(s, dtype, origin.categories.get(name), pd)
    na_value = origin.na_values.get(name, _NO_NA)
    if isinstance(dtype, pd.ArrowDtype):
        pa = _pa()
        arr = _arrow_back(s, s.to_arrow(), dtype.pyarrow_dtype, None, pa)
        return pd.arrays.ArrowExtensionArray(pa.chunked_array([arr]))
    if isinstance(dtype, np.dtype):
        kind = dtype.kind
        if kind == "O":
            if name in origin.pandas_scalars:
                values = s.to_pandas().astype(object).to_numpy(copy=True)
                if s.null_count():
                    values[s.is_null().to_numpy()] = None if na_value is _NO_NA else na_value
                return values
            return _as_object(s, na_value)
        if kind in "iub" and s.null_count():
            return _pandas_natural(s, pd)  # nulls appeared: nullable rather than float
        return s.to_numpy().astype(dtype, copy=False)
    if isinstance(dtype, pd.DatetimeTZDtype):
        return s.to_pandas().array.astype(dtype, copy=False)
    if hasattr(dtype, "__from_arrow__"):  # masked, string
        return dtype.__from_arrow__(s.to_arrow())
    return pd.array(_pandas_natural(s, pd), dtype=dtype)


def _pandas_categorical_back(s: pl.Series, dtype: Any, categories: Any, pd: Any) -> Any:
    if isinstance(s.dtype, pl.Enum):
        codes = s.to_physical().cast(pl.Int64).fill_null(-1)
    elif categories is not None:
        codes = s.replace_strict(
            categories, pl.int_range(categories.len(), eager=True), default=-1,
            return_dtype=pl.Int64,
        )
        if codes.eq(-1).sum() != s.null_count():
            return _pandas_natural(s, pd)  # values outside the categories: keep them as values
    else:  # pragma: no cover - every categorical gets one of the two above
        return _pandas_natural(s, pd)
    return pd.Categorical.from_codes(codes.to_numpy(), dtype=dtype)


# ---- arrow


def _restore_arrow(data: pl.DataFrame, origin: Origin) -> pa.Table:
    pa = _pa()
    schema = origin.arrow_schema
    originals = {f.name: f for f in schema} if schema is not None else {}
    arrays = []
    fields = []
    all_unchanged = list(data.columns) == list(origin.columns)
    for s in data.iter_columns():
        original = originals.get(s.name)
        arr = s.to_arrow()
        if original is not None and origin.unchanged(s.name, s.dtype):
            arr = _arrow_back(s, arr, original.type, origin.categories.get(s.name), pa)
            fld = original if (original.nullable or arr.null_count == 0) else \
                original.with_nullable(True)
        else:
            all_unchanged = False
            fld = pa.field(s.name, arr.type)
        arrays.append(arr)
        fields.append(fld)
    metadata = dict(schema.metadata or {}) if schema is not None else {}
    if not all_unchanged:
        metadata.pop(b"pandas", None)
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields, metadata=metadata or None)) \
        if arrays else pa.table({}).replace_schema_metadata(metadata or None)


def _arrow_back(
    s: pl.Series, arr: Any, arrow_type: Any, categories: pl.Series | None, pa: Any
) -> Any:
    """An unchanged column back to its original Arrow type (dictionaries rebuilt exactly)."""
    if pa.types.is_dictionary(arrow_type):
        codes = None
        if isinstance(s.dtype, pl.Enum):
            codes = s.to_physical()
            categories = s.dtype.categories
        elif categories is not None:
            codes = s.replace_strict(
                categories, pl.int_range(categories.len(), eager=True), default=-1,
                return_dtype=pl.Int64,
            )
            codes = None if codes.eq(-1).sum() != s.null_count() else codes.replace(-1, None)
        if codes is not None and categories is not None:
            dictionary = _pa_array(categories.to_arrow(), pa).cast(arrow_type.value_type)
            return pa.DictionaryArray.from_arrays(
                _pa_array(codes.to_arrow(), pa).cast(arrow_type.index_type), dictionary,
                ordered=arrow_type.ordered,
            )
        plain = arr.cast(arrow_type.value_type) if pa.types.is_dictionary(arr.type) is False \
            else arr.dictionary_decode().cast(arrow_type.value_type)
        encoded = _pc().dictionary_encode(plain)
        return encoded.cast(arrow_type)
    return arr.cast(arrow_type)

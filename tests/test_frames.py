"""anonlab.frames: every accepted kind of frame in, the same kind (and dtypes) back out."""

from __future__ import annotations

import datetime as dt
import decimal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anonlab.errors import (
    ColumnNameError,
    FrameError,
    ParameterError,
    UnrepresentableColumnError,
    UnsupportedFrameError,
)
from anonlab.frames import FrameKind, Origin, frame_kind, ingest, ingest_eager, restore

ROOT = Path(__file__).resolve().parents[1]


def assert_pandas_identical(out: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Values, dtypes, index (type and values) and column index all identical."""
    pd.testing.assert_frame_equal(
        out,
        expected,
        check_dtype=True,
        check_index_type=True,
        check_column_type=True,
        check_frame_type=True,
        check_names=True,
        check_exact=True,
        check_categorical=True,
        check_flags=True,
    )


def round_trip(frame: Any) -> Any:
    data, origin = ingest(frame)
    return restore(data, origin)


def _dates(*days: int | None) -> list[dt.date | None]:
    return [None if d is None else dt.date(2024, 1, d) for d in days]


def _times(unit: str, tz: str | None = None) -> pd.Series:
    stamps = ["2024-01-01 10:00:00.123456", None, "2024-03-31 23:59:59.000000"]
    s = pd.Series(pd.to_datetime(stamps))
    s = s.astype(f"datetime64[{unit}]")
    return s.dt.tz_localize(tz) if tz else s


# --------------------------------------------------------------------------- kinds


@pytest.mark.parametrize(
    ("frame", "kind"),
    [
        (pl.DataFrame({"a": [1]}), FrameKind.POLARS),  # eager polars
        (pl.LazyFrame({"a": [1]}), FrameKind.LAZY),  # lazy polars
        (pd.DataFrame({"a": [1]}), FrameKind.PANDAS),  # pandas
        (pa.table({"a": [1]}), FrameKind.ARROW),  # pyarrow Table
    ],
)
def test_frame_kind(frame: Any, kind: FrameKind) -> None:
    assert frame_kind(frame) is kind
    assert kind == kind.value  # a str enum: compares equal to its value


@pytest.mark.parametrize(
    ("obj", "got"),
    [
        ([{"a": 1}], "a list"),  # a list of records
        ({"a": [1]}, "a dict"),  # a dict of columns
        (np.zeros((2, 2)), "a numpy ndarray"),  # a bare array
        (pd.Series([1, 2]), "a pandas Series"),  # a Series is not a frame
        (pl.Series([1, 2]), "a polars Series"),  # nor is a polars Series
        (None, "None"),  # nothing at all
        ("data.csv", "a str"),  # a path is not a frame
        (pa.record_batch({"a": [1]}), "a pyarrow RecordBatch"),  # a batch, not a table
    ],
)
def test_anything_else_is_unsupported(obj: Any, got: str) -> None:
    expected = (
        "profile expects a pandas or polars DataFrame, a polars LazyFrame or a pyarrow Table. "
        f"Got {got}."
    )
    with pytest.raises(UnsupportedFrameError) as exc:
        ingest(obj, owner="profile")
    assert str(exc.value).startswith(expected)
    assert isinstance(exc.value, TypeError)
    with pytest.raises(UnsupportedFrameError):
        frame_kind(obj)


def test_unsupported_error_says_what_to_do() -> None:
    with pytest.raises(UnsupportedFrameError, match=r"to_frame\(\)"):
        ingest(pd.Series([1]))
    with pytest.raises(UnsupportedFrameError, match=r"pl\.DataFrame\(data\)"):
        ingest([1, 2])


def test_importing_and_using_frames_with_polars_does_not_load_pandas() -> None:
    # frames.py (and errors.py) loaded on their own, without the package __init__ whose other
    # modules are not this module's business; pandas and pyarrow made unimportable.
    code = textwrap.dedent(
        f"""
        import sys, types
        sys.modules["pandas"] = None
        sys.modules["pyarrow"] = None
        pkg = types.ModuleType("anonlab")
        pkg.__path__ = [{str(ROOT / "anonlab")!r}]
        sys.modules["anonlab"] = pkg
        import polars as pl
        from anonlab.frames import ingest, restore
        data, origin = ingest(pl.DataFrame({{"a": [1]}}))
        assert restore(data, origin).equals(pl.DataFrame({{"a": [1]}}))
        lazy, origin = ingest(pl.LazyFrame({{"a": [1]}}))
        assert isinstance(restore(lazy, origin), pl.LazyFrame)
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


# --------------------------------------------------------------------------- polars


def test_polars_dataframe_is_passed_through() -> None:
    df = pl.DataFrame(
        {
            "tags": [["a", "b"], None],  # list
            "address": [{"street": "Main St", "zip": "02139"}, None],  # struct
            "photo": [b"\x89PNG", None],  # binary
            "when": [dt.datetime(2024, 1, 1), None],
        }
    )
    data, origin = ingest(df)
    assert data is df
    assert origin.kind is FrameKind.POLARS
    assert origin.columns == ("tags", "address", "photo", "when")
    assert origin.dtype_names == {
        "tags": "List(String)",
        "address": "Struct({'street': String, 'zip': String})",
        "photo": "Binary",
        "when": "Datetime(time_unit='us', time_zone=None)",
    }
    assert origin.height == 2
    out = restore(data, origin)
    assert out is df
    # A lazy result for an eager caller is collected.
    assert restore(data.lazy().head(1), origin).equals(df.head(1))


def test_lazyframe_stays_lazy_and_is_not_collected() -> None:
    calls: list[int] = []

    def touch(s: pl.Series) -> pl.Series:
        calls.append(len(s))
        return s

    lf = pl.LazyFrame({"a": [1, 2, 3]}).select(pl.col("a").map_batches(touch,
                                                                        return_dtype=pl.Int64))
    data, origin = ingest(lf)
    assert data is lf
    assert calls == []  # the schema came from collect_schema(), nothing ran
    assert origin.kind is FrameKind.LAZY
    assert origin.dtype_names == {"a": "Int64"}
    assert origin.height is None
    out = restore(data.with_columns(b=pl.col("a") * 2), origin)
    assert isinstance(out, pl.LazyFrame)
    assert calls == []
    assert out.collect().to_dict(as_series=False) == {"a": [1, 2, 3], "b": [2, 4, 6]}


def test_ingest_eager_collects_but_restore_gives_lazy_back() -> None:
    lf = pl.LazyFrame({"a": [1, 2]})
    data, origin = ingest_eager(lf)
    assert isinstance(data, pl.DataFrame)
    assert origin.kind is FrameKind.LAZY
    assert origin.height == 2
    out = restore(data, origin)  # an eager result is lazified
    assert isinstance(out, pl.LazyFrame)
    assert out.collect().equals(data)


@pytest.mark.parametrize(
    "frame",
    [
        pl.DataFrame({"a": [1]}),  # eager: nothing to collect
        pd.DataFrame({"a": [1]}),  # pandas: converted
        pa.table({"a": [1]}),  # arrow: converted
    ],
)
def test_ingest_eager_on_eager_kinds_is_ingest(frame: Any) -> None:
    data, origin = ingest_eager(frame)
    assert isinstance(data, pl.DataFrame)
    assert data.to_dict(as_series=False) == {"a": [1]}
    assert origin.kind is frame_kind(frame)


# --------------------------------------------------------------------------- pandas round trips

PANDAS_COLUMNS = {
    # pandas 3 default string dtype ("str": Arrow-backed, NaN as missing)
    "str": pd.Series(["a", None, "ccc"], dtype="str"),
    # str dtype with python storage
    "str_python_nan": pd.Series(["a", None, "c"], dtype=pd.StringDtype("python", na_value=np.nan)),
    # the NA-variant string dtypes
    "string_python": pd.Series(["a", None, "c"], dtype="string[python]"),
    "string_pyarrow": pd.Series(["a", None, "c"], dtype="string[pyarrow]"),
    # categoricals: unordered, ordered, unused categories, nulls, custom category order
    "category": pd.Series(pd.Categorical(["b", None, "a"], categories=["b", "a", "unused"])),
    "category_ordered": pd.Series(
        pd.Categorical(["lo", "hi", None], categories=["lo", "mid", "hi"], ordered=True)
    ),
    "category_object_categories": pd.Series(
        pd.Categorical(["a", None, "b"], categories=pd.Index(["a", "b"], dtype=object))
    ),
    "category_empty_string": pd.Series(pd.Categorical(["", "x", None])),
    "category_ints": pd.Series(pd.Categorical([3, None, 1], categories=[3, 1, 2])),
    "category_dates": pd.Series(pd.Categorical(_dates(1, None, 2), categories=_dates(2, 1, 9))),
    "category_bools": pd.Series(pd.Categorical([True, None], categories=[False, True])),
    "category_no_values": pd.Series(pd.Categorical([None, None], categories=["a"])),
    # nullable integers with pd.NA, at their bounds
    "Int8": pd.Series([-128, None, 127], dtype="Int8"),
    "Int16": pd.Series([-(2**15), None, 2**15 - 1], dtype="Int16"),
    "Int32": pd.Series([-(2**31), None, 2**31 - 1], dtype="Int32"),
    "Int64": pd.Series([-(2**63), None, 2**63 - 1], dtype="Int64"),
    "UInt8": pd.Series([0, None, 255], dtype="UInt8"),
    "UInt16": pd.Series([0, None, 2**16 - 1], dtype="UInt16"),
    "UInt32": pd.Series([0, None, 2**32 - 1], dtype="UInt32"),
    "UInt64": pd.Series([0, None, 2**64 - 1], dtype="UInt64"),
    # nullable boolean and floats
    "boolean": pd.Series([True, None, False], dtype="boolean"),
    "Float64": pd.Series([1.5, None, -0.0], dtype="Float64"),
    "Float32": pd.Series([1.5, None, 3.25], dtype="Float32"),
    # plain numpy dtypes
    "int64": pd.Series([1, -2, 2**63 - 1], dtype="int64"),
    "int8": pd.Series([1, -2, 3], dtype="int8"),
    "uint16": pd.Series([1, 2, 3], dtype="uint16"),
    "float64": pd.Series([1.5, np.nan, np.inf], dtype="float64"),
    "float32": pd.Series([1.5, np.nan, -np.inf], dtype="float32"),
    "float16": pd.Series([1.5, np.nan, 2.0], dtype="float16"),
    "bool": pd.Series([True, False, True], dtype="bool"),
    # datetimes: units, time zones, NaT
    "datetime64[ns]": _times("ns"),
    "datetime64[us]": _times("us"),
    "datetime64[ms]": _times("ms"),
    "datetime64[s]": _times("s"),  # polars has no seconds unit: held as ms
    "datetime64[ns, UTC]": _times("ns", "UTC"),
    "datetime64[us, America/New_York]": _times("us", "America/New_York"),
    "datetime64[s, Asia/Tokyo]": _times("s", "Asia/Tokyo"),
    "timedelta64[ns]": pd.Series(pd.to_timedelta(["1 days 02:00:00.000000001", None, "-3s"])),
    "timedelta64[s]": pd.Series(pd.to_timedelta(["1h", None, "-3s"])).astype("timedelta64[s]"),
    # Arrow-backed dtypes
    "int64[pyarrow]": pd.Series([1, None, 3], dtype="int64[pyarrow]"),
    "date32[pyarrow]": pd.Series(_dates(1, None, 3), dtype=pd.ArrowDtype(pa.date32())),
    "string(arrow)": pd.Series(["a", None], dtype=pd.ArrowDtype(pa.string())),
    "large_string(arrow)": pd.Series(["a", None], dtype=pd.ArrowDtype(pa.large_string())),
    "decimal(arrow)": pd.Series(
        [decimal.Decimal("1.50"), None], dtype=pd.ArrowDtype(pa.decimal128(6, 2))
    ),
    "timestamp_tz(arrow)": pd.Series(
        [dt.datetime(2024, 1, 1, 12), None], dtype=pd.ArrowDtype(pa.timestamp("s", "UTC"))
    ),
    "time(arrow)": pd.Series([dt.time(10, 30), None], dtype=pd.ArrowDtype(pa.time64("us"))),
    "list(arrow)": pd.Series([[1, 2], None, []], dtype=pd.ArrowDtype(pa.list_(pa.int64()))),
    "struct(arrow)": pd.Series(
        [{"x": 1, "y": "a"}, None], dtype=pd.ArrowDtype(pa.struct({"x": pa.int64(),
                                                                    "y": pa.string()}))
    ),
    "dictionary(arrow)": pd.Series(
        pa.DictionaryArray.from_arrays(pa.array([1, None, 0], pa.int8()), pa.array(["b", "a"])),
        dtype=pd.ArrowDtype(pa.dictionary(pa.int8(), pa.string())),
    ),
    # object columns of one Python type (+ None): they stay object, holding the same types
    "object_str": pd.Series(["a", None, "c"], dtype=object),
    "object_str_nan": pd.Series(["a", np.nan, "c"], dtype=object),  # NaN as the missing marker
    "object_str_NA": pd.Series(["a", pd.NA, "c"], dtype=object),  # pd.NA as the missing marker
    "object_date": pd.Series(_dates(1, None, 3), dtype=object),
    "object_decimal": pd.Series(
        [decimal.Decimal("1.10"), None, decimal.Decimal("-2.25")], dtype=object
    ),
    "object_decimal_nan_missing": pd.Series(  # pandas counts Decimal NaN as missing
        [decimal.Decimal("NaN"), decimal.Decimal("2.5")], dtype=object
    ),
    "object_bytes": pd.Series([b"\x00\xff", None, b"abc"], dtype=object),
    "object_int": pd.Series([1, None, 2**40], dtype=object),
    "object_float": pd.Series([1.5, None, 2.0], dtype=object),
    "object_bool": pd.Series([True, None, False], dtype=object),
    "object_time": pd.Series([dt.time(1, 2, 3), None, dt.time(23, 59)], dtype=object),
    "object_datetime": pd.Series([dt.datetime(2024, 1, 1, 8), None, dt.datetime(2024, 2, 1)],
                                 dtype=object),
    "object_timestamp_tz": pd.Series(
        [pd.Timestamp("2024-01-01 08:00", tz="Europe/Paris"), None], dtype=object
    ),
    "object_timedelta": pd.Series([dt.timedelta(days=1), None], dtype=object),
    "object_timestamp_ns": pd.Series(  # pandas scalars come back as pandas scalars, ns kept
        [None, pd.Timestamp("2024-01-01 00:00:00.000000001")], dtype=object
    ),
    "object_pd_timedelta": pd.Series([pd.Timedelta(1), None], dtype=object),
    "object_all_missing": pd.Series([None, None, None], dtype=object),
    "object_lists": pd.Series([[1, 2], None, []], dtype=object),
    "object_dicts": pd.Series([{"a": 1, "b": "x"}, None, {"a": 2, "b": None}], dtype=object),
    "object_list_of_str": pd.Series([["a@example.com"], ["b@example.org", "c@x.net"]],
                                    dtype=object),
}


@pytest.mark.parametrize("name", list(PANDAS_COLUMNS))
def test_pandas_column_round_trips_exactly(name: str) -> None:
    df = PANDAS_COLUMNS[name].rename(name).to_frame()
    data, origin = ingest(df)
    assert isinstance(data, pl.DataFrame)
    assert origin.dtype_names[name] == str(df[name].dtype)
    assert_pandas_identical(restore(data, origin), df)


def test_pandas_all_columns_together_round_trip() -> None:
    n = 2
    df = pd.DataFrame({name: s.iloc[:n].reset_index(drop=True)
                       for name, s in PANDAS_COLUMNS.items()})
    assert_pandas_identical(round_trip(df), df)


@pytest.mark.parametrize(
    ("name", "polars_dtype"),
    [
        ("str", pl.String),  # the str dtype is a polars String
        ("category", pl.Enum(["b", "a", "unused"])),  # string categories: an Enum, order kept
        ("category_ints", pl.Int64),  # other categories: their values
        ("Int8", pl.Int8),  # nullable ints keep their width
        ("UInt64", pl.UInt64),
        ("datetime64[s]", pl.Datetime("ms")),  # seconds held as milliseconds
        ("datetime64[us, America/New_York]", pl.Datetime("us", "America/New_York")),
        ("object_date", pl.Date),  # object dates: a real Date column
        ("object_decimal", pl.Decimal(3, 2)),  # object Decimals: a Decimal column
        ("object_bytes", pl.Binary),
        ("object_lists", pl.List(pl.Int64)),
        ("object_all_missing", pl.Null),
        ("float64", pl.Float64),
    ],
)
def test_pandas_columns_become_these_polars_dtypes(name: str, polars_dtype: pl.DataType) -> None:
    data, origin = ingest(PANDAS_COLUMNS[name].rename(name).to_frame())
    assert data.schema[name] == polars_dtype
    assert origin.polars_dtypes[name] == polars_dtype


def test_numpy_nan_is_a_polars_null() -> None:
    data, _ = ingest(pd.DataFrame({"x": [1.0, np.nan, np.inf]}))
    assert data["x"].null_count() == 1
    assert data["x"].is_nan().sum() == 0
    assert data["x"].to_list()[2] == np.inf


@pytest.mark.parametrize(
    ("values", "python_type"),
    [
        ([dt.datetime(2024, 1, 1, 8), None], dt.datetime),  # Python datetimes stay Python
        ([None, pd.Timestamp("2024-01-01 08:00")], pd.Timestamp),  # pandas ones stay pandas
        ([dt.timedelta(hours=1), None], dt.timedelta),
        ([pd.Timedelta(hours=1), None], pd.Timedelta),
        ([dt.date(2024, 1, 1), None], dt.date),
        ([decimal.Decimal("1.5"), None], decimal.Decimal),
        ([b"x", None], bytes),
        ([7, None], int),
        ([[1], None], list),
        ([{"a": 1}, None], dict),
    ],
)
def test_object_columns_hold_the_same_python_types(values: list[Any], python_type: type) -> None:
    df = pd.DataFrame({"o": pd.Series(values, dtype=object)})
    out = round_trip(df)
    assert out["o"].dtype == object
    assert {type(v) for v in out["o"] if v is not None} == {python_type}


def test_object_missing_markers_are_restored() -> None:
    df = pd.DataFrame(
        {
            "none": pd.Series(["a", None], dtype=object),
            "nan": pd.Series(["a", np.nan], dtype=object),
            "na": pd.Series(["a", pd.NA], dtype=object),
        }
    )
    out = round_trip(df)
    assert out["none"].iloc[1] is None
    assert np.isnan(out["nan"].iloc[1])
    assert out["na"].iloc[1] is pd.NA
    assert type(out["none"].iloc[0]) is str


@pytest.mark.parametrize(
    "index",
    [
        pd.Index(["r1", "r2", "r3"], name="record"),  # named string labels
        pd.Index(["r1", "r2", "r3"], dtype=object),  # object labels
        pd.date_range("2024-01-01", periods=3, name="when"),  # DatetimeIndex
        pd.date_range("2024-01-01", periods=3, tz="Europe/Paris"),  # tz-aware DatetimeIndex
        pd.Index([10, 10, 7]),  # non-unique
        pd.RangeIndex(5, 11, 2, name="row"),  # a RangeIndex that does not start at 0
        pd.MultiIndex.from_tuples([("a", 1), ("a", 2), ("b", 1)], names=["k", "n"]),  # MultiIndex
        pd.CategoricalIndex(["x", "y", "x"]),  # categorical labels
    ],
)
def test_pandas_row_index_is_carried(index: pd.Index) -> None:
    df = pd.DataFrame({"n": pd.array([1, None, 3], dtype="Int64"), "s": ["a", "b", None]},
                      index=index)
    assert_pandas_identical(round_trip(df), df)


@pytest.mark.parametrize(
    "df",
    [
        pd.DataFrame(columns=["a", "b"]),  # empty, untyped columns
        pd.DataFrame({"n": pd.Series([], dtype="Int64"), "s": pd.Series([], dtype="str"),
                      "c": pd.Categorical([], categories=["x"])}),  # empty, typed columns
        pd.DataFrame(),  # no columns at all
        pd.DataFrame(index=pd.Index(["a", "b"])),  # rows but no columns
        pd.DataFrame({"a": [1]}, columns=pd.Index(["a"], dtype=object, name="field")),  # columns
    ],
)
def test_pandas_edge_frames_round_trip(df: pd.DataFrame) -> None:
    assert_pandas_identical(round_trip(df), df)


def test_pandas_attrs_are_carried() -> None:
    df = pd.DataFrame({"a": [1, 2]})
    df.attrs["source"] = "survey 2024"
    out = round_trip(df)
    assert out.attrs == {"source": "survey 2024"}


def test_pandas_ingest_does_not_modify_the_input() -> None:
    df = pd.DataFrame({"a": pd.array([1, None], dtype="Int64"), "s": ["x", None],
                       "o": pd.Series(["a", None], dtype=object)})
    before = df.copy(deep=True)
    data, origin = ingest(df)
    restore(data.with_columns(pl.col("a").fill_null(0), pl.col("s").fill_null("?")), origin)
    assert_pandas_identical(df, before)


# --------------------------------------------------------------------------- pandas restore rules


@pytest.mark.parametrize(
    ("column", "polars_dtype", "expected_dtype"),
    [
        (pl.Series(["a", None]), pl.String, "str"),  # strings: pandas 3's str dtype
        (pl.Series([1, 2]), pl.Int64, "int64"),  # ints without nulls: numpy
        (pl.Series([1, None]), pl.Int64, "Int64"),  # ints with nulls: nullable, not float
        (pl.Series([1, None]), pl.UInt8, "UInt8"),  # width and sign kept
        (pl.Series([1.5, None]), pl.Float64, "float64"),  # floats: numpy, null -> NaN
        (pl.Series([1.5, None]), pl.Float32, "float32"),
        (pl.Series([True, False]), pl.Boolean, "bool"),  # bools without nulls: numpy
        (pl.Series([True, None]), pl.Boolean, "boolean"),  # bools with nulls: nullable
        (pl.Series([dt.datetime(2024, 1, 1), None]), pl.Datetime("us"), "datetime64[us]"),
        (pl.Series([dt.datetime(2024, 1, 1), None]), pl.Datetime("ns", "UTC"),
         "datetime64[ns, UTC]"),  # time zone kept
        (pl.Series([dt.date(2024, 1, 1), None]), pl.Date, "datetime64[ms]"),  # as polars does
        (pl.Series([dt.timedelta(1), None]), pl.Duration("ms"), "timedelta64[ms]"),
        (pl.Series(["a", None]), pl.Categorical, "category"),
        (pl.Series(["a", None]), pl.Enum(["b", "a"]), "category"),
        (pl.Series([dt.time(1), None]), pl.Time, "object"),  # Python objects from here on
        (pl.Series([decimal.Decimal("1.5"), None]), pl.Decimal(5, 1), "object"),
        (pl.Series([b"a", None]), pl.Binary, "object"),
        (pl.Series([[1], None]), pl.List(pl.Int64), "object"),
        (pl.Series([{"a": 1}, None]), pl.Struct({"a": pl.Int64}), "object"),
        (pl.Series([None, None]), pl.Null, "object"),
    ],
)
def test_new_columns_get_the_natural_pandas_dtype(
    column: pl.Series, polars_dtype: pl.DataType, expected_dtype: str
) -> None:
    df = pd.DataFrame({"keep": [1, 2]})
    data, origin = ingest(df)
    out = restore(data.with_columns(column.cast(polars_dtype).alias("new")), origin)
    assert str(out["new"].dtype) == expected_dtype
    assert out["keep"].dtype == np.int64
    assert list(out.columns) == ["keep", "new"]


def test_new_object_columns_hold_python_values() -> None:
    data, origin = ingest(pd.DataFrame({"k": [1, 2]}))
    out = restore(data.with_columns(new=pl.Series([[1, 2], None])), origin)
    assert out["new"].iloc[0] == [1, 2]
    assert out["new"].iloc[1] is None


@pytest.mark.parametrize(
    ("column", "change", "expected_dtype"),
    [
        # Int64 turned into text (e.g. generalized "30-39"): the natural str dtype
        (pd.array([31, None], dtype="Int64"), pl.col("x").cast(pl.String), "str"),
        # numpy int64 that gained nulls (suppressed cells): nullable Int64, not float
        (np.array([1, 2]), pl.when(pl.col("x") > 1).then(pl.col("x")), "Int64"),
        # numpy bool that gained nulls: nullable boolean
        (np.array([True, False]), pl.when(pl.col("x")).then(pl.col("x")), "boolean"),
        # an Enum categorical cast to String (a new value): str
        (pd.Categorical(["a", "b"]), pl.col("x").cast(pl.String) + "*", "str"),
        # an int categorical whose values left its categories: plain values
        (pd.Categorical([1, 2]), pl.col("x") * 10, "int64"),
        # an int categorical whose values stay within its categories: still category
        (pd.Categorical([1, 2], categories=[1, 2, 3]), pl.col("x") + 1, "category"),
        # a date object column cast to a string: str
        (np.array(_dates(1, 2), dtype=object), pl.col("x").cast(pl.String), "str"),
        # the str dtype with masked characters, still a String: str again
        (pd.array(["ab", None], dtype="string[python]"), pl.col("x").str.replace("b", "*"),
         "string"),
    ],
)
def test_changed_columns(column: Any, change: pl.Expr, expected_dtype: str) -> None:
    df = pd.DataFrame({"x": column})
    data, origin = ingest(df)
    out = restore(data.with_columns(change), origin)
    assert str(out["x"].dtype) == expected_dtype


def test_int_categorical_within_categories_keeps_the_dtype() -> None:
    dtype = pd.CategoricalDtype([1, 2, 3], ordered=True)
    df = pd.DataFrame({"x": pd.Series([1, 2, None], dtype=dtype)})
    data, origin = ingest(df)
    out = restore(data.with_columns(pl.col("x") + 1), origin)
    assert out["x"].dtype == dtype
    assert out["x"].tolist()[:2] == [2, 3]
    assert pd.isna(out["x"].iloc[2])


def test_dropped_and_reordered_columns() -> None:
    df = pd.DataFrame({"a": pd.array([1, None], dtype="Int8"), "b": ["x", "y"], "c": [1.0, 2.0]})
    data, origin = ingest(df)
    out = restore(data.select("c", "a"), origin)
    assert list(out.columns) == ["c", "a"]
    assert out["a"].dtype == "Int8"
    assert out["c"].dtype == np.float64
    assert out.columns.dtype == df.columns.dtype


def test_a_renamed_column_gets_the_natural_dtype() -> None:
    df = pd.DataFrame({"a": pd.array([1, 2], dtype="Int8")})
    data, origin = ingest(df)
    out = restore(data.rename({"a": "b"}), origin)
    assert out["b"].dtype == np.int8  # Int8 was kept only for the column named "a"


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([0, 2], ["r0", "r2"]),  # a list of positions
        (np.array([2, 0]), ["r2", "r0"]),  # a numpy array, reordered
        (pl.Series([1], dtype=pl.UInt32), ["r1"]),  # a polars Series (e.g. a row index column)
    ],
)
def test_rows_pick_the_original_index_labels(rows: Any, expected: list[str]) -> None:
    df = pd.DataFrame({"a": [1, 2, 3]}, index=pd.Index(["r0", "r1", "r2"], name="id"))
    data, origin = ingest(df)
    kept = data[np.asarray(rows).tolist()]
    out = restore(kept, origin, rows=rows)
    assert out.index.tolist() == expected
    assert out.index.name == "id"
    assert out["a"].tolist() == [int(r[1]) + 1 for r in expected]


def test_rows_of_an_empty_result() -> None:
    df = pd.DataFrame({"a": [1, 2]}, index=pd.Index(["x", "y"]))
    data, origin = ingest(df)
    out = restore(data.clear(), origin, rows=[])
    assert len(out) == 0
    assert out.index.dtype == df.index.dtype


def test_changed_height_without_rows_gives_a_range_index() -> None:
    df = pd.DataFrame({"a": [1, 2, 3]}, index=pd.Index(["r0", "r1", "r2"]))
    data, origin = ingest(df)
    out = restore(data.head(2), origin)
    assert isinstance(out.index, pd.RangeIndex)
    assert out.index.tolist() == [0, 1]


def test_a_lazy_result_for_pandas() -> None:
    df = pd.DataFrame({"a": [1, 2]}, index=["x", "y"])
    data, origin = ingest(df)
    assert_pandas_identical(restore(data.lazy(), origin), df)


@pytest.mark.parametrize(
    ("rows", "match"),
    [
        ([0], "one position per result row"),  # too few
        ([0, 1, 2], "one position per result row"),  # too many
        ([0, 5], "outside 0..2"),  # out of range
        ([-1, 0], "outside 0..2"),  # negative
        ([0.0, 1.0], "integer positions"),  # floats
        ([[0, 1]], "one-dimensional"),  # nested
    ],
)
def test_bad_rows(rows: Any, match: str) -> None:
    data, origin = ingest(pd.DataFrame({"a": [1, 2, 3]}))
    with pytest.raises(ParameterError, match=match):
        restore(data.head(2), origin, rows=rows)


# --------------------------------------------------------------------------- pandas errors


@pytest.mark.parametrize(
    ("df", "match"),
    [
        # integer column names
        (pd.DataFrame([[1, 2]], columns=[0, 1]), r"column 0 is named 0 \(a int\)"),
        # one non-string name among strings
        (pd.DataFrame([[1, 2]], columns=pd.Index(["a", 5], dtype=object)),
         r"column 1 is named 5"),
        # tuple names
        (pd.DataFrame([[1]], columns=pd.Index([("a", "b")], tupleize_cols=False)),
         r"column 0 is named \('a', 'b'\)"),
        # duplicate names
        (pd.DataFrame([[1, 2, 3]], columns=["a", "b", "a"]), r"'a' names the columns at "
                                                             r"positions 0, 2"),
        # a MultiIndex of columns
        (pd.DataFrame([[1, 2]], columns=pd.MultiIndex.from_tuples([("a", "x"), ("a", "y")])),
         r"MultiIndex with 2 levels"),
    ],
)
def test_bad_pandas_column_names(df: pd.DataFrame, match: str) -> None:
    with pytest.raises(ColumnNameError, match=match) as exc:
        ingest(df, owner="profile")
    message = str(exc.value)
    assert message.startswith("profile needs")
    assert "df.columns" in message or "df = df.loc" in message  # says how to fix it
    assert isinstance(exc.value, FrameError)


def test_int_column_names_error_suggests_astype_str() -> None:
    with pytest.raises(ColumnNameError, match=r"df\.columns = df\.columns\.astype\(str\)"):
        ingest(pd.DataFrame([[1, 2]], columns=[0, 1]))


@pytest.mark.parametrize(
    ("column", "holds"),
    [
        # ints and strs in one object column
        (pd.Series([1, "two", 3], dtype=object), r"mixes Python types .*\(int, str\)"),
        # strs and non-NaN floats
        (pd.Series(["a", 2.5], dtype=object), r"\(float, str\)"),
        # ints and floats: polars would turn 1 into 1.0
        (pd.Series([1, 2.5, None], dtype=object), r"\(float, int\)"),
        # bools and ints
        (pd.Series([True, 2], dtype=object), r"\(bool, int\)"),
        # lists mixed with strings: pyarrow cannot type it
        (pd.Series([[1], "a"], dtype=object), r"\(list, str\)"),
        # sets are not lists
        (pd.Series([{1, 2}, {3}], dtype=object), r"holds Python set objects"),
        # arbitrary objects
        (pd.Series([object(), object()], dtype=object), r"holds Python object objects"),
        # complex numbers in an object column
        (pd.Series([1 + 2j, None], dtype=object), r"complex"),
        # Period objects in an object column
        (pd.Series([pd.Period("2024-01", "M")], dtype=object), r"Period"),
        # datetimes in two time zones
        (pd.Series([pd.Timestamp("2024-01-01", tz="UTC"),
                    pd.Timestamp("2024-01-01", tz="Europe/Paris")], dtype=object),
         r"more than one time zone"),
        # naive and aware datetimes
        (pd.Series([dt.datetime(2024, 1, 1), pd.Timestamp("2024-01-01", tz="UTC")],
                   dtype=object), r"naive and aware"),
        # Decimal infinity has no Arrow form
        (pd.Series([decimal.Decimal("Infinity"), decimal.Decimal("1")], dtype=object),
         r"Decimal values that Arrow cannot type"),
        # dicts with different keys would all get every key
        (pd.Series([{"a": 1}, {"b": 2}, None], dtype=object), r"not all have the same keys"),
        # dates and datetimes: Arrow would drop the times
        (pd.Series([dt.date(2024, 1, 1), dt.datetime(2024, 1, 1, 5)], dtype=object),
         r"\(date, datetime\)"),
        # times of day with a time zone
        (pd.Series([dt.time(1, tzinfo=dt.UTC), None], dtype=object), r"time zone"),
        # bytes and bytearrays
        (pd.Series([b"a", bytearray(b"b")], dtype=object), r"\(bytearray, bytes\)"),
        # tuples would become lists
        (pd.Series([(1, 2), [3]], dtype=object), r"\(list, tuple\)"),
        # Python ints beyond 64 bits
        (pd.Series([2**70, 1], dtype=object), r"int"),
        # Period dtype
        (pd.Series(pd.period_range("2024-01", periods=2, freq="M")), r"periods \(dtype period"),
        # Interval dtype
        (pd.Series(pd.interval_range(0, 2)), r"intervals \(dtype interval"),
        # complex dtype
        (pd.Series([1 + 2j, 3j]), r"complex numbers \(dtype complex128\)"),
        # sparse dtype
        (pd.Series(pd.arrays.SparseArray([0, 0, 1])), r"sparse dtype Sparse\[int64, 0\]"),
        # an Arrow type polars cannot hold
        (pd.Series([1, None], dtype=pd.ArrowDtype(pa.decimal256(60, 0))),
         r"decimals of precision 60"),
    ],
)
def test_unrepresentable_pandas_columns(column: pd.Series, holds: str) -> None:
    df = pd.DataFrame({"ok": range(len(column)), "bad col": column})
    with pytest.raises(UnrepresentableColumnError, match=holds) as exc:
        ingest(df, owner="profile")
    assert exc.value.column == "bad col"
    message = str(exc.value)
    assert message.startswith("profile cannot work on column 'bad col'")
    assert "first" in message  # says what to do


def test_mixed_object_error_suggests_astype_str() -> None:
    with pytest.raises(UnrepresentableColumnError, match=r"df\['m'\]\.astype\(str\)"):
        ingest(pd.DataFrame({"m": pd.Series([1, "a"], dtype=object)}))


def test_error_messages_do_not_show_cell_values() -> None:
    secret = "123-45-6789"
    with pytest.raises(UnrepresentableColumnError) as exc:
        ingest(pd.DataFrame({"ssn": pd.Series([secret, 7], dtype=object)}))
    assert secret not in str(exc.value)


# --------------------------------------------------------------------------- pyarrow

ARROW_COLUMNS = {
    "string": pa.array(["a", None, "c"], pa.string()),
    "large_string": pa.array(["a", None, "c"], pa.large_string()),
    "string_view": pa.array(["a", None, "c"], pa.string_view()),
    "int8": pa.array([-128, None, 127], pa.int8()),
    "int32": pa.array([1, None, 3], pa.int32()),
    "uint64": pa.array([0, None, 2**64 - 1], pa.uint64()),
    "float32": pa.array([1.5, None, -0.0], pa.float32()),
    "bool": pa.array([True, None, False]),
    "timestamp_s": pa.array([1, None, 3], pa.timestamp("s")),  # seconds held as ms
    "timestamp_us_tz": pa.array([1, None, 3], pa.timestamp("us", "America/New_York")),
    "timestamp_ns_utc": pa.array([1, None, 3], pa.timestamp("ns", "UTC")),
    "date32": pa.array(_dates(1, None, 3), pa.date32()),
    "time32": pa.array([1000, None, 2000], pa.time32("ms")),
    "duration": pa.array([1, None, 3], pa.duration("us")),
    "decimal128": pa.array([decimal.Decimal("1.10"), None, decimal.Decimal("-3.00")],
                           pa.decimal128(7, 2)),
    "decimal256": pa.array([decimal.Decimal("1.10"), None, None], pa.decimal256(30, 2)),
    "binary": pa.array([b"\x00", None, b"abc"]),
    "large_binary": pa.array([b"\x00", None, b"abc"], pa.large_binary()),
    "dictionary": pa.DictionaryArray.from_arrays(
        pa.array([1, None, 0], pa.int8()), pa.array(["b", "a", "unused"])
    ),
    "dictionary_ordered": pa.DictionaryArray.from_arrays(
        pa.array([1, None, 0], pa.int32()), pa.array(["lo", "hi"]), ordered=True
    ),
    "dictionary_ints": pa.DictionaryArray.from_arrays(
        pa.array([1, None, 0], pa.int16()), pa.array([20, 10, 99])
    ),
    "list": pa.array([[1, 2], None, []], pa.list_(pa.int64())),
    "large_list": pa.array([["a"], None, []], pa.large_list(pa.string())),
    "fixed_size_list": pa.array([[1, 2], None, [3, 4]], pa.list_(pa.int32(), 2)),
    "struct": pa.array([{"x": 1, "y": "a"}, None, {"x": None, "y": "c"}],
                       pa.struct({"x": pa.int64(), "y": pa.string()})),
    "map": pa.array([[("a", 1)], None, []], pa.map_(pa.string(), pa.int32())),
    "null": pa.nulls(3),
    "uuid": pa.array([b"0123456789abcdef", None, b"fedcba9876543210"], pa.uuid()),  # extension
}


@pytest.mark.parametrize("name", list(ARROW_COLUMNS))
def test_arrow_column_round_trips_exactly(name: str) -> None:
    table = pa.table({name: ARROW_COLUMNS[name]})
    data, origin = ingest(table)
    assert origin.kind is FrameKind.ARROW
    assert origin.dtype_names[name] == str(table.schema.field(name).type)
    out = restore(data, origin)
    assert out.schema.equals(table.schema, check_metadata=True)
    assert out.equals(table)


def test_arrow_all_columns_together_with_metadata() -> None:
    fields = [
        pa.field("id", pa.int64(), nullable=False, metadata={"unit": "none"}),
        *(pa.field(name, arr.type) for name, arr in ARROW_COLUMNS.items()),
    ]
    schema = pa.schema(fields, metadata={"source": "survey", "version": "3"})
    table = pa.Table.from_arrays([pa.array([1, 2, 3]), *ARROW_COLUMNS.values()], schema=schema)
    out = round_trip(table)
    assert out.schema.equals(table.schema, check_metadata=True)
    assert out.equals(table)


def test_arrow_from_pandas_keeps_its_pandas_metadata_when_unchanged() -> None:
    table = pa.Table.from_pandas(pd.DataFrame({"a": [1, 2]}, index=pd.Index(["x", "y"],
                                                                                name="key")))
    out = round_trip(table)
    assert out.schema.equals(table.schema, check_metadata=True)
    assert out.to_pandas().index.name == "key"


def test_arrow_nan_stays_nan_and_null_stays_null() -> None:
    table = pa.table({"x": pa.array([1.5, None, float("nan")], pa.float64())})
    data, origin = ingest(table)
    assert data["x"].null_count() == 1
    assert data["x"].is_nan().sum() == 1
    out = restore(data, origin)
    assert out.schema.equals(table.schema)
    values = out.column("x").to_pylist()
    assert values[:2] == [1.5, None]
    assert np.isnan(values[2])


def test_arrow_changed_columns() -> None:
    table = pa.table({"age": pa.array([31, 47], pa.int16()),
                      "city": pa.array(["Lyon", "Nice"], pa.string())})
    table = table.replace_schema_metadata({"source": "survey", "pandas": "{}"})
    data, origin = ingest(table)
    out = restore(data.with_columns(pl.col("age").cast(pl.String)).drop("city"), origin)
    assert out.schema.field("age").type == pa.large_string()  # polars' natural Arrow type
    assert out.schema.metadata == {b"source": b"survey"}  # stale pandas metadata dropped
    out = restore(data.with_columns(pl.col("age") + 1), origin)
    assert out.schema.field("age").type == pa.int16()  # unchanged dtype: original type
    assert out.schema.field("city").type == pa.string()
    assert out.column("age").to_pylist() == [32, 48]


def test_arrow_dictionary_with_a_value_outside_it() -> None:
    dictionary = pa.DictionaryArray.from_arrays(pa.array([0, 1], pa.int8()), pa.array([10, 20]))
    data, origin = ingest(pa.table({"d": dictionary}))
    out = restore(data.with_columns(pl.col("d") + 1), origin)  # 11 and 21 are new values
    assert out.schema.field("d").type == dictionary.type
    assert out.column("d").to_pylist() == [11, 21]


def test_arrow_chunked_dictionaries_are_unified() -> None:
    chunks = [
        pa.DictionaryArray.from_arrays(pa.array([0], pa.int8()), pa.array(["a"])),
        pa.DictionaryArray.from_arrays(pa.array([0], pa.int8()), pa.array(["b"])),
    ]
    table = pa.table({"d": pa.chunked_array(chunks)})
    data, origin = ingest(table)
    assert data.schema["d"] == pl.Enum(["a", "b"])
    out = restore(data, origin)
    assert out.schema.equals(table.schema)
    assert out.column("d").to_pylist() == ["a", "b"]  # same values, one unified dictionary


@pytest.mark.parametrize(
    "dictionary",
    [
        pa.array(["a", None]),  # a null in the dictionary
        pa.array(["a", "a"]),  # a repeated dictionary entry
    ],
)
def test_arrow_odd_dictionaries_keep_their_values(dictionary: pa.Array) -> None:
    table = pa.table({"d": pa.DictionaryArray.from_arrays(pa.array([0, 1, None], pa.int8()),
                                                          dictionary)})
    data, origin = ingest(table)
    assert data.schema["d"] == pl.Categorical()
    out = restore(data, origin)
    assert out.schema.equals(table.schema)
    assert out.column("d").to_pylist() == table.column("d").to_pylist()


def test_arrow_non_nullable_field_that_gained_nulls_becomes_nullable() -> None:
    schema = pa.schema([pa.field("a", pa.int64(), nullable=False)])
    data, origin = ingest(pa.table({"a": [1, 2]}, schema=schema))
    out = restore(data.with_columns(pl.when(pl.col("a") > 1).then(pl.col("a"))), origin)
    assert out.schema.field("a").nullable
    assert out.column("a").to_pylist() == [None, 2]


@pytest.mark.parametrize(
    "table",
    [
        pa.table({}),  # no columns
        pa.table({"a": pa.array([], pa.int32()), "s": pa.array([], pa.string_view())}),  # no rows
        pa.table({"a": pa.chunked_array([[1], [2, 3]])}),  # several chunks
        pa.table({"d": pa.chunked_array([], pa.dictionary(pa.int8(), pa.string()))}),  # no chunks
        pa.table({"d": pa.chunked_array([], pa.dictionary(pa.int8(), pa.int64()))}),
    ],
)
def test_arrow_edge_tables(table: pa.Table) -> None:
    out = round_trip(table)
    assert out.schema.equals(table.schema, check_metadata=True)
    assert out.equals(table)


def test_arrow_duplicate_column_names() -> None:
    table = pa.Table.from_arrays([pa.array([1]), pa.array([2]), pa.array([3])],
                                 names=["a", "b", "a"])
    with pytest.raises(ColumnNameError, match=r"positions 0, 2 'a'"):
        ingest(table, owner="profile")


@pytest.mark.parametrize(
    ("arr", "holds"),
    [
        # unions
        (pa.UnionArray.from_dense(pa.array([0], pa.int8()), pa.array([0], pa.int32()),
                                  [pa.array([1])]), "a union type"),
        # run-end encoded
        (pa.RunEndEncodedArray.from_arrays([2], ["a"]), "run-end encoded"),
        # list views
        (pa.array([[1], None], pa.list_view(pa.int32())), "list views"),
        # calendar intervals
        (pa.array([pa.scalar((1, 2, 3), pa.month_day_nano_interval())]), "calendar intervals"),
        # decimals wider than polars can hold (also nested)
        (pa.array([None], pa.decimal256(50, 0)), "precision 50"),
        (pa.array([None], pa.list_(pa.decimal256(40, 0))), "precision 40"),
    ],
)
def test_unrepresentable_arrow_columns(arr: pa.Array, holds: str) -> None:
    table = pa.table({"ok": pa.nulls(len(arr)), "bad": arr})
    with pytest.raises(UnrepresentableColumnError, match=holds) as exc:
        ingest(table)
    assert exc.value.column == "bad"


# --------------------------------------------------------------------------- Origin


def test_origin_of_a_pandas_frame() -> None:
    df = pd.DataFrame(
        {
            "n": pd.array([1, None], dtype="Int64"),
            "s": ["a", "b"],
            "c": pd.Categorical(["x", "y"]),
            "t": _times("ns", "Europe/Paris").iloc[:2],
            "o": pd.Series([dt.date(2024, 1, 1), None], dtype=object),
        },
        index=pd.Index(["r1", "r2"], name="id"),
    )
    _, origin = ingest(df)
    assert isinstance(origin, Origin)
    assert origin.kind is FrameKind.PANDAS
    assert origin.columns == ("n", "s", "c", "t", "o")
    assert origin.dtype_names == {
        "n": "Int64",
        "s": "str",
        "c": "category",
        "t": "datetime64[ns, Europe/Paris]",
        "o": "object",
    }
    assert origin.pandas_index.equals(df.index)
    assert origin.height == 2
    assert origin.unchanged("n", pl.Int64)
    assert not origin.unchanged("n", pl.String)
    assert not origin.unchanged("missing", pl.Int64)
    with pytest.raises((TypeError, AttributeError)):
        origin.kind = FrameKind.POLARS  # type: ignore[misc]  # frozen


def test_origin_of_an_arrow_table() -> None:
    table = pa.table({"s": pa.array(["a"], pa.string()),
                      "t": pa.array([1], pa.timestamp("us", "UTC"))})
    _, origin = ingest(table)
    assert origin.dtype_names == {"s": "string", "t": "timestamp[us, tz=UTC]"}
    assert origin.arrow_schema.equals(table.schema)


# --------------------------------------------------------------------------- property


_NULLABLE_INTS = st.lists(st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1)))


@st.composite
def pandas_frames(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(0, 12))
    kinds = draw(st.lists(st.sampled_from(["Int64", "Int8", "str", "float", "bool", "boolean"]),
                          min_size=1, max_size=5))
    columns: dict[str, Any] = {}
    for i, kind in enumerate(kinds):
        if kind == "Int64":
            values = draw(st.lists(st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1)),
                                   min_size=n, max_size=n))
            columns[f"c{i}"] = pd.array(values, dtype="Int64")
        elif kind == "Int8":
            values = draw(st.lists(st.one_of(st.none(), st.integers(-128, 127)),
                                   min_size=n, max_size=n))
            columns[f"c{i}"] = pd.array(values, dtype="Int8")
        elif kind == "str":
            values = draw(st.lists(st.one_of(st.none(), st.text(max_size=5)),
                                   min_size=n, max_size=n))
            columns[f"c{i}"] = pd.array(values, dtype="str")
        elif kind == "float":
            values = draw(st.lists(st.one_of(st.just(np.nan), st.floats(allow_nan=False)),
                                   min_size=n, max_size=n))
            columns[f"c{i}"] = np.array(values, dtype=np.float64)
        elif kind == "bool":
            columns[f"c{i}"] = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)),
                                        dtype=bool)
        else:
            values = draw(st.lists(st.one_of(st.none(), st.booleans()), min_size=n, max_size=n))
            columns[f"c{i}"] = pd.array(values, dtype="boolean")
    index = draw(st.sampled_from(["range", "labels", "dates"]))
    if index == "labels":
        idx: pd.Index = pd.Index([f"r{i}" for i in range(n)], name="id")
    elif index == "dates":
        idx = pd.date_range("2024-01-01", periods=n, freq="D")
    else:
        idx = pd.RangeIndex(n)
    return pd.DataFrame(columns, index=idx)


@settings(max_examples=75, deadline=None)
@given(pandas_frames())
def test_random_pandas_frames_round_trip(df: pd.DataFrame) -> None:
    assert_pandas_identical(round_trip(df), df)


def test_object_columns_are_refused() -> None:
    frame = pl.DataFrame({"o": pl.Series([object(), object()], dtype=pl.Object)})
    for frame_in in (frame, frame.lazy()):
        with pytest.raises(UnrepresentableColumnError, match="'o': it holds arbitrary Python"):
            ingest(frame_in, owner="profile")

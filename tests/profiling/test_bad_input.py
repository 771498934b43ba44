"""Bad and odd input: a clear result or a clear error, never a crash."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import polars as pl
import pytest

import anonlab
from anonlab import ColumnRole, Kind


def test_empty_frame_with_columns() -> None:
    prof = anonlab.profile(pl.DataFrame(schema={"email": pl.String, "n": pl.Int64}))
    assert prof.rows == 0
    email = prof["email"]
    assert (email.nulls, email.distinct, email.uniqueness) == (0, 0, 0.0)
    assert email.kind is None
    assert email.detection.evidence == "no non-null values to examine"
    assert prof._repr_html_()  # renders


def test_zero_columns() -> None:
    with pytest.raises(anonlab.EmptyFrameError, match="no columns"):
        anonlab.profile(pl.DataFrame())
    with pytest.raises(anonlab.EmptyFrameError):
        anonlab.profile(pd.DataFrame())


def test_all_null_columns() -> None:
    frame = pl.DataFrame(
        {"untyped": [None, None], "email": pl.Series([None, None], dtype=pl.String)}
    )
    prof = anonlab.profile(frame)
    for col in prof:
        assert col.nulls == 2
        assert col.distinct == 0
        assert col.kind is None
        assert col.top_values == ()


def test_a_single_value() -> None:
    prof = anonlab.profile(pl.DataFrame({"country": ["US"] * 50}))
    c = prof["country"]
    assert (c.distinct, c.uniqueness) == (1, 1 / 50)
    assert c.top_values == (("US", 50),)


def test_huge_cardinality() -> None:
    n = 200_000
    frame = pl.DataFrame({"token": [f"t{i:08d}x" for i in range(n)], "v": np.arange(n)})
    prof = anonlab.profile(frame)
    assert prof["token"].distinct == n
    assert prof["token"].top_values == ()  # nothing is seen twice
    assert prof["token"].role is ColumnRole.IDENTIFIER


def test_binary_column() -> None:
    frame = pl.DataFrame({"photo": [b"\x89PNG\r\n", b"\xff\xd8\xff", None]})
    prof = anonlab.profile(frame)
    photo = prof["photo"]
    assert photo.kind is None
    assert photo.role is ColumnRole.IDENTIFIER
    assert "photo" in photo.role_reason or "binary" in photo.role_reason
    assert photo.masked
    assert "PNG" not in repr(prof.to_dict())


def test_nested_columns() -> None:
    frame = pl.DataFrame(
        {
            "emails": [["a@example.com", "b@example.org"], ["c@example.net"], None],
            "address": [{"street": "4821 Maple St", "zip": "02139"}] * 3,
            "scores": [[1, 2], [3], [4, 5, 6]],
        }
    )
    prof = anonlab.profile(frame)
    assert prof["emails"].kind is Kind.EMAIL
    assert prof["emails"].distinct == 2
    assert prof["address"].distinct == 1
    assert prof["scores"].kind is None
    assert prof._repr_html_()


def test_mixed_object_column_is_a_clear_error() -> None:
    frame = pd.DataFrame({"mixed": pd.Series([1, "two", 3.5], dtype=object)})
    with pytest.raises(anonlab.UnrepresentableColumnError, match="mixed") as exc:
        anonlab.profile(frame)
    assert exc.value.column == "mixed"


@pytest.mark.parametrize(
    ("frame", "error"),
    [
        (pd.DataFrame([[1, 2]], columns=[0, 1]), anonlab.ColumnNameError),  # int names
        (pd.DataFrame([[1, 2]], columns=["a", "a"]), anonlab.ColumnNameError),  # duplicates
        ([{"a": 1}], anonlab.UnsupportedFrameError),  # a list of records
        ({"a": [1]}, anonlab.UnsupportedFrameError),  # a dict
        (None, anonlab.UnsupportedFrameError),
        (pd.Series([1, 2]), anonlab.UnsupportedFrameError),  # a Series is not a frame
    ],
)
def test_not_a_usable_frame(frame, error: type) -> None:
    with pytest.raises(error):
        anonlab.profile(frame)


def test_special_floats_and_times() -> None:
    frame = pl.DataFrame(
        {
            "x": [1.0, float("nan"), float("inf"), None],
            "t": [dt.time(10, 0), dt.time(11, 30), None, None],
            "d": [dt.timedelta(hours=1), None, dt.timedelta(0), None],
        }
    )
    prof = anonlab.profile(frame)
    assert prof["x"].nulls == 1
    data = prof.to_dict()  # JSON-ready despite NaN and inf
    import json

    json.dumps(data, allow_nan=False)


def test_categorical_and_enum() -> None:
    frame = pl.DataFrame(
        {
            "sex": pl.Series(["F", "M", "F"], dtype=pl.Categorical),
            "grade": pl.Series(["a", "b", "a"], dtype=pl.Enum(["a", "b", "c"])),
        }
    )
    prof = anonlab.profile(frame)
    assert prof["sex"].distinct == 2
    assert prof["sex"].top_values == (("F", 2),)
    assert (prof["grade"].min_length, prof["grade"].max_length) == (1, 1)

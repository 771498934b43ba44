"""The one message shape for bad parameters."""

from __future__ import annotations

import pytest

from anonlab._validation import check_int, check_one_of
from anonlab.errors import ParameterError


@pytest.mark.parametrize(
    ("value", "kwargs", "message"),
    [
        (1, {"min_value": 2}, "KAnonymity must be an int >= 2. Got 1 instead."),
        (True, {}, "must be an int. Got True instead."),  # a bool is not an int here
        (2.0, {}, "must be an int. Got 2.0 instead."),
        (None, {}, "must be an int. Got None instead."),
        (200, {"max_value": 100}, "must be an int <= 100. Got 200 instead."),
        ("x" * 80, {}, "Got a str instead."),  # long values are not echoed
    ],
)
def test_check_int_messages(value, kwargs, message: str) -> None:
    with pytest.raises(ParameterError, match=r"^The 'k' parameter of KAnonymity") as exc:
        check_int(value, "k", "KAnonymity", **kwargs)
    assert str(exc.value).endswith(message)


def test_check_int_passes_good_values() -> None:
    assert check_int(5, "k", "KAnonymity", min_value=2) == 5
    assert check_int(None, "k", "KAnonymity", allow_none=True) is None


def test_check_one_of() -> None:
    assert check_one_of("pandas", "backend", "read", ("polars", "pandas")) == "pandas"
    with pytest.raises(ParameterError, match=r"must be one of 'polars', 'pandas'\. Got 'spark'"):
        check_one_of("spark", "backend", "read", ("polars", "pandas"))


def test_dtype_name_never_lists_enum_categories() -> None:
    import polars as pl

    from anonlab._validation import dtype_name

    secret = pl.Enum(["123-45-6789", "987-65-4321"])
    assert dtype_name(secret) == "Enum(2 categories)"
    assert dtype_name(pl.Enum(["x"])) == "Enum(1 category)"
    assert dtype_name(pl.List(secret)) == "List(Enum(2 categories))"
    assert dtype_name(pl.Array(secret, 2)) == "Array(Enum(2 categories), shape=(2,))"
    assert "6789" not in dtype_name(pl.Struct({"s": secret, "n": pl.Int64}))
    assert dtype_name(pl.Int64) == "Int64"


def test_fresh_name_avoids_taken_names() -> None:
    from anonlab._validation import fresh_name

    assert fresh_name(["a"], "__row") == "__row"
    assert fresh_name(["__row", "__row_"], "__row") == "__row__"

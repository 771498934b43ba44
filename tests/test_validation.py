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

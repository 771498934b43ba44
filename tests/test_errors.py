"""The exception tree: every leaf is an AnonlabError and the builtin a caller would expect."""

from __future__ import annotations

import pytest

from anonlab import errors
from anonlab.errors import (
    AnonlabError,
    ColumnNameError,
    ColumnNotFoundError,
    DatasetError,
    EmptyFrameError,
    FrameError,
    ParameterError,
    UnrepresentableColumnError,
    UnsupportedFrameError,
)


@pytest.mark.parametrize(
    ("cls", "builtin"),
    [
        (FrameError, TypeError),
        (UnsupportedFrameError, TypeError),
        (ColumnNameError, ValueError),
        (UnrepresentableColumnError, TypeError),
        (EmptyFrameError, ValueError),
        (ColumnNotFoundError, KeyError),
        (ParameterError, ValueError),
        (DatasetError, RuntimeError),
    ],
)
def test_leaves_inherit_the_expected_builtin(cls: type, builtin: type) -> None:
    assert issubclass(cls, AnonlabError)
    assert issubclass(cls, builtin)


def test_every_exported_error_is_in_the_tree_drawing() -> None:
    for name in errors.__all__:
        assert name in errors.__doc__, f"{name} is missing from the drawing in errors.py"


def test_column_not_found_names_the_column_and_the_alternatives() -> None:
    exc = ColumnNotFoundError("emial", ["name", "email"])
    text = str(exc)
    assert "'emial'" in text and "'email'" in text
    assert text.endswith("to list its columns.")
    assert exc.column == "emial"


def test_column_not_found_shortens_long_lists() -> None:
    text = str(ColumnNotFoundError("x", [f"c{i}" for i in range(50)]))
    assert "(30 more)" in text


def test_unrepresentable_column_carries_the_column() -> None:
    assert UnrepresentableColumnError("msg", column="mixed").column == "mixed"

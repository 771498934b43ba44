"""The exceptions anonlab raises.

Every error anonlab raises on purpose is an :class:`AnonlabError`, so ``except AnonlabError``
catches them all. Each leaf also inherits the builtin a caller would expect (a missing column is a
``KeyError``, a bad parameter value a ``ValueError``), so code written against the builtins keeps
working::

    AnonlabError
    ├── FrameError (TypeError)                   the input is not a frame anonlab can work with
    │   ├── UnsupportedFrameError (TypeError)    not a pandas/polars frame or an Arrow table
    │   ├── ColumnNameError (ValueError)         non-string or duplicate column names
    │   └── UnrepresentableColumnError (TypeError)  a column polars cannot hold faithfully
    ├── EmptyFrameError (ValueError)             nothing to work on (no columns)
    ├── ColumnNotFoundError (KeyError)           a named column is not in the frame
    ├── ParameterError (ValueError)              a parameter has the wrong type or value
    └── DatasetError (RuntimeError)              embedded example data is missing or corrupt

Messages name columns, counts and positions, never cell values (a value may be the very
personal data the caller is protecting), and end with what to do.
"""

from __future__ import annotations

__all__ = [
    "AnonlabError",
    "ColumnNameError",
    "ColumnNotFoundError",
    "DatasetError",
    "EmptyFrameError",
    "FrameError",
    "ParameterError",
    "UnrepresentableColumnError",
    "UnsupportedFrameError",
]


class AnonlabError(Exception):
    """Base class of every error anonlab raises on purpose."""


class FrameError(AnonlabError, TypeError):
    """The input is not a frame anonlab can work with."""


class UnsupportedFrameError(FrameError, TypeError):
    """The object is not a pandas DataFrame, polars DataFrame/LazyFrame or pyarrow Table."""


class ColumnNameError(FrameError, ValueError):
    """Column names are not unique strings."""


class UnrepresentableColumnError(FrameError, TypeError):
    """A column holds values polars cannot represent without changing them (e.g. mixed types).

    Attributes
    ----------
    column : str
        The offending column.
    """

    def __init__(self, message: str, *, column: str) -> None:
        super().__init__(message)
        self.column = column


class EmptyFrameError(AnonlabError, ValueError):
    """The frame has nothing to work on (for example, no columns at all)."""


class ColumnNotFoundError(AnonlabError, KeyError):
    """A column named by the caller is not in the frame.

    Attributes
    ----------
    column : str
        The name that was asked for.
    available : tuple of str
        The columns the frame does have.
    """

    def __init__(self, column: str, available: tuple[str, ...] | list[str]) -> None:
        self.column = column
        self.available = tuple(available)
        shown = ", ".join(repr(c) for c in self.available[:20])
        if len(self.available) > 20:
            shown += f", ... ({len(self.available) - 20} more)"
        super().__init__(
            f"Column {column!r} is not in the frame. The frame has: {shown or 'no columns'}. "
            "Check the spelling, or profile the frame to list its columns."
        )

    def __str__(self) -> str:  # KeyError would otherwise repr() the message
        return str(self.args[0])


class ParameterError(AnonlabError, ValueError):
    """A parameter has the wrong type or an out-of-range value."""


class DatasetError(AnonlabError, RuntimeError):
    """Embedded example data is missing or does not match its recorded checksum."""

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
    ├── TransformError (ValueError)              a transform cannot apply to a column
    ├── RecipeError (ValueError)                 a recipe is malformed (names the path to the key)
    ├── HierarchyError (ValueError)  a hierarchy is malformed or does not cover a column's values
    ├── SecretKeyError (LookupError)             a hash or pseudonym key cannot be found or is weak
    ├── LookupTableError (ValueError)            an encrypted lookup table does not decrypt (wrong
    │                                            key or changed byte), or is not one
    ├── UnsafePathError (ValueError)             a name from a recipe, license or manifest would
    │                                            leave its folder (separator, '..', link)
    ├── DatasetError (RuntimeError)              embedded example data is missing or corrupt
    ├── LicenseError (ValueError)                a license or template is malformed (names the path)
    │   ├── ComplianceError (ValueError)         the data fails a template's checks (lists them)
    │   └── AccessDeniedError (PermissionError)  the license forbids this use (expiry, purpose)
    └── BundleError (ValueError)                 a bundle cannot be written or read
        └── VerificationError (ValueError)       a bundle's signature or hashes do not verify

Messages name columns, counts and positions, never cell values (a value may be the very
personal data the caller is protecting), and end with what to do.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AccessDeniedError",
    "AnonlabError",
    "BundleError",
    "ColumnNameError",
    "ColumnNotFoundError",
    "ComplianceError",
    "DatasetError",
    "EmptyFrameError",
    "FrameError",
    "HierarchyError",
    "LicenseError",
    "LookupTableError",
    "ParameterError",
    "RecipeError",
    "SecretKeyError",
    "TransformError",
    "UnrepresentableColumnError",
    "UnsafePathError",
    "UnsupportedFrameError",
    "VerificationError",
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

    def __init__(
        self, column: str, available: tuple[str, ...] | list[str], *, where: str = ""
    ) -> None:
        self.column = column
        self.available = tuple(available)
        shown = ", ".join(repr(c) for c in self.available[:20])
        if len(self.available) > 20:
            shown += f", ... ({len(self.available) - 20} more)"
        named = f" (named by {where})" if where else ""
        super().__init__(
            f"Column {column!r}{named} is not in the frame. The frame has: "
            f"{shown or 'no columns'}. "
            "Check the spelling, or profile the frame to list its columns."
        )

    def __str__(self) -> str:  # KeyError would otherwise repr() the message
        return str(self.args[0])


class ParameterError(AnonlabError, ValueError):
    """A parameter has the wrong type or an out-of-range value."""


class TransformError(AnonlabError, ValueError):
    """A transform cannot apply to a column (wrong dtype, values it cannot handle)."""


class RecipeError(AnonlabError, ValueError):
    """A recipe is malformed: unknown op or field, wrong value, or a newer format version.

    Attributes
    ----------
    path : str
        Where in the recipe the fault is, e.g. ``steps[2].transform.length``.
    """

    def __init__(self, message: str, *, path: str = "") -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path


class HierarchyError(AnonlabError, ValueError):
    """A generalization hierarchy is malformed, or does not cover a column's values.

    Raised for ragged, duplicate or inconsistent hierarchy rows (the message names the label,
    level and row or file line), and when data holds values the hierarchy lacks (the message
    gives counts and, unless the column is an identifier, a few examples).
    """


class SecretKeyError(AnonlabError, LookupError):
    """A key referenced by a hash or pseudonym step cannot be found, or is too weak.

    The message names where the key was looked for (an environment variable's name, a file's
    path), never the key.
    """


class LookupTableError(AnonlabError, ValueError):
    """An encrypted lookup table (:mod:`anonlab.lookup`) cannot be written or read: the file is
    not one, has an unknown format version, holds another table, or does not decrypt (a wrong
    key or a changed byte). The message names the file, never the key.
    """


class UnsafePathError(AnonlabError, ValueError):
    """A name taken from a recipe, license or manifest would not stay inside its folder.

    Raised by :func:`anonlab._paths.safe_child` for a name that is empty, absolute, holds a path
    separator, ``..`` or a control character, or names a symbolic link.

    Attributes
    ----------
    what : str
        What the name is, e.g. ``"the lookup table name"``.
    """

    def __init__(self, message: str, *, what: str = "") -> None:
        super().__init__(message)
        self.what = what


class DatasetError(AnonlabError, RuntimeError):
    """Embedded example data is missing or does not match its recorded checksum."""


class LicenseError(AnonlabError, ValueError):
    """A license or license template is malformed, or cannot be built from the given terms.

    Attributes
    ----------
    path : str
        Where in the license the fault is, e.g. ``parties.licensees[0].name``.
    """

    def __init__(self, message: str, *, path: str = "") -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path


class ComplianceError(LicenseError):
    """The data does not pass the checks a license template requires; no license is issued.

    Attributes
    ----------
    failures : tuple
        The failing checks (each with its name and what failed), in the order they ran.
    """

    def __init__(self, message: str, *, failures: tuple[Any, ...] = ()) -> None:
        super().__init__(message)
        self.failures = tuple(failures)


class AccessDeniedError(LicenseError, PermissionError):
    """The license does not allow this use: expired or not yet in force, a purpose or role it
    does not permit, or a use it prohibits.

    Attributes
    ----------
    reason : str
        One of ``"expired"``, ``"not_yet_valid"``, ``"purpose"``, ``"role"``, ``"action"``
        (the role is not granted the declared action), ``"prohibited"``, or, from
        ``anonlab.open``'s clock (:mod:`anonlab.bundle.clock`), ``"clock_backdated"`` and
        ``"clock_rollback"``; ``"retention"`` (the deletion date passed);
        ``"unauthenticated"`` and ``"identity"`` (:mod:`anonlab.bundle.identity`);
        ``"revoked"``, ``"status_missing"``, ``"status_stale"``, ``"status_untrusted"``,
        ``"status_future"``, ``"status_rollback"`` (:mod:`anonlab.bundle.status`);
        ``"amendment_invalid"`` (:mod:`anonlab.bundle.amendment`).
    """

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class BundleError(AnonlabError, ValueError):
    """A bundle cannot be written (the target exists, a file cannot be written) or read (a
    file is missing or malformed)."""


class VerificationError(BundleError):
    """A bundle does not verify: a file was changed, added or removed, the signature does not
    match, or the key is not the one it was signed with. The message says which.

    Attributes
    ----------
    reason : str
        ``changed_file``, ``unexpected_file``, ``missing_file``, ``malformed``,
        ``bad_signature``, ``wrong_key``, ``license_mismatch``, ``not_a_bundle``, or
        ``untrusted`` (:func:`anonlab.open` without a trusted key for the signer).
    file : str
        The file at fault, when there is one.
    """

    def __init__(self, message: str, *, reason: str = "", file: str = "") -> None:
        super().__init__(message)
        self.reason = reason
        self.file = file


_POLARS_CONTEXT = "\n\nThis error occurred in the following expression"


def strip_polars_context(exc: BaseException) -> BaseException:
    """Take the query text polars appends to an error raised while it ran a query (an anonlab
    check inside an expression) out of the message; returns ``exc``, changed in place."""
    if exc.args and isinstance(exc.args[0], str) and _POLARS_CONTEXT in exc.args[0]:
        exc.args = (exc.args[0].split(_POLARS_CONTEXT, 1)[0], *exc.args[1:])
    return exc

"""Names that become paths stay inside their folder.

A recipe, a license or a bundle's manifest is text someone else may have written. Whenever a name
taken from one becomes a file path (a recipe's ``lookup:`` table written under ``anonlab apply
--lookup-dir``, a hierarchy file a recipe names, a file listed in a manifest), it goes through
this module, so that ``lookup: ../release`` cannot overwrite the release with the table of raw
identifiers, and a manifest cannot point anonlab at a file outside the bundle.

:func:`safe_child` takes a plain file name (no separator, no ``..``, not absolute, no control
character) and refuses a symbolic link at the result; :func:`safe_relative` takes a relative path
below a folder (sub-folders allowed, ``..`` and links on the way not). Both raise
:class:`~anonlab.errors.UnsafePathError` naming what the name was for.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from anonlab.errors import UnsafePathError

__all__ = ["MAX_NAME_BYTES", "name_problem", "safe_child", "safe_relative"]

MAX_NAME_BYTES = 255
"""The longest file name (in UTF-8 bytes) most file systems accept."""

_LINE_BREAKS = frozenset("\x85\u2028\u2029")


def _shown(name: Any) -> str:
    text = name if isinstance(name, str) else repr(name)
    text = "".join(c if c.isprintable() else "?" for c in text)
    return repr(text if len(text) <= 80 else text[:60] + "…")


def _text_problem(name: Any) -> str | None:
    if not isinstance(name, str):
        return f"is a {type(name).__name__}, not text"
    if not name.strip():
        return "is empty"
    if any(ord(c) < 0x20 or ord(c) == 0x7F or c in _LINE_BREAKS for c in name):
        return "holds a control character"
    if any(0xD800 <= ord(c) <= 0xDFFF for c in name):
        return "holds an undecodable character"
    return None


def name_problem(name: Any) -> str | None:
    """Why ``name`` is not a plain file name (a phrase such as ``"holds a path separator"``), or
    None when it is one."""
    problem = _text_problem(name)
    if problem is not None:
        return problem
    if "/" in name or "\\" in name:
        return "holds a path separator"
    if name in (".", ".."):
        return "names a folder ('.' or '..')"
    if PureWindowsPath(name).drive:
        return "is an absolute path"
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        return f"is longer than {MAX_NAME_BYTES} bytes"
    return None


def _fail(what: str, name: Any, problem: str, hint: str) -> UnsafePathError:
    return UnsafePathError(
        f"{what[:1].upper()}{what[1:]} {_shown(name)} {problem}; {hint}", what=what
    )


def safe_child(folder: str | os.PathLike[str], name: Any, what: str) -> Path:
    """``folder / name`` for a plain file name that stays in ``folder``.

    Parameters
    ----------
    folder : path-like
        The folder the name must stay in (the caller's choice, not checked).
    name : str
        The name taken from a recipe, license or manifest.
    what : str
        What the name is, for the message: ``"the lookup table name"``.

    Returns
    -------
    Path

    Raises
    ------
    UnsafePathError
        ``name`` is not text, is empty, absolute, ``.`` or ``..``, holds a path separator or a
        control character, is too long, or ``folder / name`` is a symbolic link.
    """
    problem = name_problem(name)
    hint = "a name here is a plain file name inside its folder (no '/', '\\' or '..')"
    if problem is not None:
        raise _fail(what, name, problem, hint)
    target = Path(folder, name)
    if target.is_symlink():
        raise _fail(
            what,
            name,
            f"is a symbolic link in {str(folder)!r}",
            "anonlab does not follow links here: remove the link",
        )
    return target


def safe_relative(folder: str | os.PathLike[str], relative: Any, what: str) -> Path:
    """``folder / relative`` for a relative path that stays below ``folder``.

    Sub-folders are allowed; an absolute path, a ``~``, a ``..`` part, a backslash or a control
    character is not, and neither is a symbolic link anywhere on the way (checked for the parts
    that exist).

    Raises
    ------
    UnsafePathError
        Naming ``what`` and why.
    """
    hint = f"it must be a path relative to {str(folder)!r} without '..' (or give the data inline)"
    problem = _text_problem(relative)
    if problem is None:
        if "\\" in relative:
            problem = "holds a backslash"
        elif relative.startswith(("/", "~")) or PureWindowsPath(relative).drive:
            problem = "is an absolute path"
        elif ".." in PurePosixPath(relative).parts:
            problem = "climbs out of its folder with '..'"
    if problem is not None:
        raise _fail(what, relative, problem, hint)
    parts = [p for p in PurePosixPath(relative).parts if p != "."]
    if not parts:
        raise _fail(what, relative, "names no file", hint)
    for part in parts:
        if len(part.encode("utf-8")) > MAX_NAME_BYTES:
            raise _fail(what, relative, f"has a part longer than {MAX_NAME_BYTES} bytes", hint)
    current = Path(folder)
    for part in parts:
        current = current / part
        if current.is_symlink():
            raise _fail(
                what,
                relative,
                f"passes through the symbolic link {str(current)!r}",
                "anonlab does not follow links here",
            )
    return current

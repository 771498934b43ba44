"""One place that validates parameters, with one message shape.

``The 'k' parameter of KAnonymity must be an int >= 2. Got 1 instead.``
"""

from __future__ import annotations

from typing import Any

from anonlab.errors import ParameterError

__all__ = ["check_int", "check_one_of", "describe"]


def describe(value: Any) -> str:
    """A short description of a value for an error message: its repr if small, else its type."""
    text = repr(value)
    if len(text) <= 40:
        return text
    return f"a {type(value).__name__}"


def check_int(
    value: Any,
    name: str,
    owner: str,
    *,
    min_value: int | None = None,
    max_value: int | None = None,
    allow_none: bool = False,
) -> int | None:
    """Check that ``value`` is an int (not a bool) within bounds and return it."""
    if value is None and allow_none:
        return None
    bounds = []
    if min_value is not None:
        bounds.append(f">= {min_value}")
    if max_value is not None:
        bounds.append(f"<= {max_value}")
    wanted = "an int" + (" " + " and ".join(bounds) if bounds else "")
    if allow_none:
        wanted += " or None"
    ok = isinstance(value, int) and not isinstance(value, bool)
    if ok and min_value is not None and value < min_value:
        ok = False
    if ok and max_value is not None and value > max_value:
        ok = False
    if not ok:
        raise ParameterError(
            f"The {name!r} parameter of {owner} must be {wanted}. Got {describe(value)} instead."
        )
    return value


def check_one_of(value: Any, name: str, owner: str, options: tuple[Any, ...]) -> Any:
    """Check that ``value`` is one of ``options`` and return it."""
    if value not in options:
        listed = ", ".join(repr(o) for o in options)
        raise ParameterError(
            f"The {name!r} parameter of {owner} must be one of {listed}. "
            f"Got {describe(value)} instead."
        )
    return value


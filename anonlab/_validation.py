"""One place that validates parameters, with one message shape.

``The 'k' parameter of KAnonymity must be an int >= 2. Got 1 instead.``
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from anonlab.errors import ParameterError

__all__ = ["INT64_MAX", "check_int", "check_one_of", "describe", "dtype_name", "fresh_name"]

INT64_MAX = 2**63 - 1
"""The largest int a parameter may be (polars and numpy hold 64-bit integers)."""


def dtype_name(dtype: Any) -> str:
    """A dtype's name for messages and profiles, without the data an Enum's name would list.

    ``str(pl.Enum([...]))`` spells out every category, which for an identifier column is the
    identifiers themselves; here it is ``Enum(30 categories)``, also inside List, Array and Struct.
    """
    import polars as pl

    if isinstance(dtype, pl.Enum):
        n = len(dtype.categories)
        return f"Enum({n} categor{'y' if n == 1 else 'ies'})"
    if isinstance(dtype, pl.List):
        return f"List({dtype_name(dtype.inner)})"
    if isinstance(dtype, pl.Array):
        return f"Array({dtype_name(dtype.inner)}, shape={dtype.shape})"
    if isinstance(dtype, pl.Struct):
        fields = ", ".join(f"{f.name!r}: {dtype_name(f.dtype)}" for f in dtype.fields)
        return f"Struct({{{fields}}})"
    return str(dtype)


def fresh_name(taken: Iterable[str], base: str) -> str:
    """A column name starting with ``base`` that is not in ``taken``.

    Internal helper columns (row numbers, counts, join keys) are named with this, so a user's
    column that happens to carry the same name is never overwritten or confused with them.
    """
    names = set(taken)
    name = base
    while name in names:
        name += "_"
    return name


def describe(value: Any) -> str:
    """A short description of a value for an error message: its repr if small, else its type.

    Text that may be a key (:func:`anonlab.keys.looks_like_key_material`) and bytes of key
    length are described, never shown: a key passed where another parameter belongs must not
    end up in a message. A large container is described by its type without being formatted at
    all (formatting a structure of a billion shared items would take hours).
    """
    from anonlab.keys import KEY_MIN_BYTES, looks_like_key_material

    if isinstance(value, bytes | bytearray) and len(value) >= KEY_MIN_BYTES:
        return f"a {type(value).__name__} of {len(value)} bytes (not shown)"
    if isinstance(value, str) and looks_like_key_material(value):
        return f"a str of {len(value)} characters that may be a key (not shown)"
    if isinstance(value, list | tuple | dict | set | frozenset | str | bytes) and len(value) > 40:
        return f"a {type(value).__name__}"
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
    """Check that ``value`` is an int (not a bool) within bounds and return it.

    Whatever the bounds, the int must fit in 64 bits (:data:`INT64_MAX`): every count, length
    and seed goes to polars or numpy, which hold 64-bit integers, and a larger one would fail
    there with an overflow instead of here with the parameter's name.
    """
    if value is None and allow_none:
        return None
    if (isinstance(value, int) and not isinstance(value, bool)
            and not -INT64_MAX - 1 <= value <= INT64_MAX):
        digits = len(str(abs(value)))
        raise ParameterError(
            f"The {name!r} parameter of {owner} must be an int that fits in 64 bits (at most "
            f"{INT64_MAX:,} in size). Got an int of {digits} digits instead."
        )
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
    checked: int = value
    return checked


def check_one_of(value: Any, name: str, owner: str, options: tuple[Any, ...]) -> Any:
    """Check that ``value`` is one of ``options`` and return it."""
    if value not in options:
        listed = ", ".join(repr(o) for o in options)
        raise ParameterError(
            f"The {name!r} parameter of {owner} must be one of {listed}. "
            f"Got {describe(value)} instead."
        )
    return value


"""Canonical JSON in the style of RFC 8785 (JSON Canonicalization Scheme).

The bytes a license is hashed and signed over must not depend on who wrote them. This module
writes plain data (dicts with string keys, lists, strings, booleans, None, ints and finite
floats) as RFC 8785 does: object members sorted by the UTF-16 code units of their keys, no
whitespace, strings with only the escapes JSON requires (``\\"``, ``\\\\``, ``\\b``, ``\\f``,
``\\n``, ``\\r``, ``\\t`` and ``\\u00xx`` for other control characters) and every other character
as UTF-8, and numbers as ECMAScript's ``Number.prototype.toString`` writes them (``1e-7``,
``100``, ``1.5``, ``1e+21``).

Integers beyond ±2**53 cannot be represented exactly by I-JSON and are refused, as are NaN,
infinities, lone surrogates and keys that are not strings.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

__all__ = ["canonical_json"]

_MAX_SAFE = 2**53


def canonical_json(data: Any) -> bytes:
    """The canonical UTF-8 bytes of ``data``.

    Raises
    ------
    ValueError
        The data holds something I-JSON cannot represent exactly (a NaN, an infinity, an integer
        beyond 2**53, a lone surrogate, a non-string key, a non-JSON type).

    Examples
    --------
    >>> canonical_json({"b": [1, 2.5, 1e-7], "a": "é"})
    b'{"a":"\\xc3\\xa9","b":[1,2.5,1e-7]}'
    """
    out: list[str] = []
    _write(data, out, "$")
    return "".join(out).encode("utf-8")


def _write(value: Any, out: list[str], path: str) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        if abs(value) > _MAX_SAFE:
            raise ValueError(f"{path}: integer {value} is beyond I-JSON's exact range (2**53)")
        out.append(str(value))
    elif isinstance(value, float):
        out.append(_number(value, path))
    elif isinstance(value, str):
        out.append(_string(value, path))
    elif isinstance(value, Mapping):
        for key in value:
            if not isinstance(key, str):
                raise ValueError(f"{path}: object keys must be strings, got {type(key).__name__}")
        out.append("{")
        for i, key in enumerate(sorted(value, key=lambda k: k.encode("utf-16-be"))):
            if i:
                out.append(",")
            out.append(_string(key, path))
            out.append(":")
            _write(value[key], out, f"{path}.{key}")
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _write(item, out, f"{path}[{i}]")
        out.append("]")
    else:
        raise ValueError(f"{path}: {type(value).__name__} is not a JSON type")


def _string(text: str, path: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"{path}: a string holds a lone surrogate") from None
    return json.dumps(text, ensure_ascii=False)


def _number(x: float, path: str) -> str:
    """ECMAScript Number.prototype.toString for a finite double."""
    if not math.isfinite(x):
        raise ValueError(f"{path}: {x} is not a finite number")
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    # Python's repr gives the shortest digits that round-trip, like ECMAScript
    mantissa, _, exp = repr(abs(x)).partition("e")
    digits_part, _, frac = mantissa.partition(".")
    digits = (digits_part + frac).lstrip("0")
    # n: the position of the decimal point relative to the digits (value = 0.digits * 10**n)
    point = len(digits_part) + (int(exp) if exp else 0)
    if digits_part.strip("0") == "":  # 0.000123 -> leading zeros after the point
        stripped = frac.lstrip("0")
        point = -(len(frac) - len(stripped)) + (int(exp) if exp else 0)
        digits = stripped
    digits = digits.rstrip("0") or "0"
    k, n = len(digits), point
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * (-n) + digits
    e = n - 1
    exponent = f"e{'+' if e >= 0 else '-'}{abs(e)}"
    if k == 1:
        return sign + digits + exponent
    return sign + digits[0] + "." + digits[1:] + exponent

"""Canonical JSON for bundles: the bytes that are hashed, signed and chained.

One implementation serves the whole package: :func:`anonlab.licensing.canonical.canonical_json`
(RFC 8785 style: members sorted by UTF-16 code units, no whitespace, ``ensure_ascii=False``
escapes, ECMAScript number formatting; NaN, infinities, integers beyond 2**53 and lone
surrogates refused). This module wraps it with the bundle's errors and adds the strict reading
side: a file that claims to be canonical must parse (no repeated keys) *and* re-serialize to
exactly its own bytes, so two different byte strings can never stand for the same signed value.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from anonlab._plaintext import load_json
from anonlab.bundle._fail import verification_error
from anonlab.errors import BundleError
from anonlab.licensing.canonical import canonical_json

__all__ = ["canonical_bytes", "pretty_bytes", "read_canonical", "sha256_hex"]


def canonical_bytes(data: Any, *, what: str = "data") -> bytes:
    """The canonical UTF-8 bytes of ``data``.

    Raises
    ------
    BundleError
        ``data`` holds a value canonical JSON cannot represent exactly (NaN, infinity, an
        integer beyond 2**53, a lone surrogate, a non-JSON type); the message says where.
    """
    try:
        return canonical_json(data)
    except ValueError as exc:
        raise BundleError(f"Cannot write {what} as canonical JSON: {exc}.") from None


def pretty_bytes(data: Any, *, what: str = "data") -> bytes:
    """Indented JSON with sorted keys, for files people read (not for hashing)."""
    canonical_bytes(data, what=what)  # same refusals as the canonical form
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False)
            + "\n").encode("utf-8")


def read_canonical(raw: bytes, *, file: str) -> Any:
    """Parse ``raw`` and check it is in canonical form.

    Raises
    ------
    VerificationError
        The bytes are not JSON, repeat a key, or are not the canonical form of what they hold
        (``reason="malformed"``, ``file=file``).
    """
    try:
        data = load_json(raw)
    except ValueError as exc:
        raise verification_error(
            "malformed", file, f"{file} is not valid JSON ({exc})."
        ) from None
    try:
        again = canonical_json(data)
    except ValueError as exc:
        raise verification_error(
            "malformed", file, f"{file} holds a value canonical JSON refuses ({exc})."
        ) from None
    if again != raw:
        raise verification_error(
            "malformed", file, f"{file} is not in canonical JSON form (RFC 8785): it was edited "
            "or written by another tool.")
    return data


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of ``data`` as 64 lowercase hex digits."""
    return hashlib.sha256(data).hexdigest()


"""Small signed JSON documents a licensor issues beside a bundle (status lists, amendments).

Each document is a JSON object: a *body* of known fields, including ``issuer`` (the key's
fingerprint) and ``issuer_key`` (the raw public key in base64), plus ``signature``, the base64
Ed25519 signature of ``domain + canonical_bytes(body)``. The domain (``b"anonlab-...-v1\\n"``)
keeps a signature made for one kind of document from being valid for another kind, or for a
bundle manifest.

Reading is strict: the bytes must be UTF-8 JSON without repeated keys, the fields exactly the
expected ones, times written ``YYYY-MM-DDTHH:MM:SSZ``, base64 canonical
(:func:`~anonlab.bundle.signing.b64decode_strict`), and the signature valid under the embedded
key. Whether that key is the *right* one is for the caller to decide (the bundle's signer).
Every fault raises :class:`~anonlab.errors.BundleError` naming the file and what is wrong.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from anonlab._files import TEXT_MAX_BYTES, read_bounded, umask, write_atomic
from anonlab._plaintext import load_json
from anonlab.bundle.canonical import canonical_bytes
from anonlab.bundle.signing import PublicKey, SigningKey, b64decode_strict
from anonlab.errors import BundleError, ParameterError

__all__ = [
    "LICENSE_ID",
    "MAX_INT",
    "REASON_MAX",
    "Reader",
    "check_reason",
    "document_bytes",
    "read_document",
    "read_file",
    "reason_problem",
    "sign_body",
    "signing_input",
    "stamp",
    "utc_seconds",
    "write_document",
]

LICENSE_ID = re.compile(
    r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
"""A license id: ``urn:uuid:`` and a lowercase version 4 UUID (as the license schema says).
Match it with ``fullmatch`` (``$`` would let a trailing line break through)."""

MAX_INT = 2**53 - 1
"""The largest serial or number (canonical JSON refuses larger integers)."""

REASON_MAX = 200
"""The longest revocation reason, in characters."""

_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_FINGERPRINT = re.compile(r"ed25519:[0-9a-f]{32}")
_UNPRINTABLE = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def stamp(when: dt.datetime) -> str:
    """``2026-05-01T12:00:00Z``."""
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def utc_seconds(value: Any, name: str) -> dt.datetime:
    """A tz-aware datetime in UTC, cut to whole seconds.

    Raises
    ------
    ParameterError
        ``value`` is not a datetime, or is naive.
    """
    if not isinstance(value, dt.datetime):
        raise ParameterError(f"{name} must be a datetime, not a {type(value).__name__}.")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ParameterError(
            f"{name} is a naive datetime; give a time zone (datetime(..., tzinfo=datetime.UTC)).")
    return value.astimezone(dt.UTC).replace(microsecond=0)


def reason_problem(reason: Any) -> str | None:
    """What is wrong with a revocation reason, or None (short plain text, no control
    characters, no line breaks, no invisible formatting such as bidirectional overrides)."""
    if not isinstance(reason, str):
        return f"is a {type(reason).__name__}, not text"
    if not reason.strip():
        return "is empty"
    if len(reason) > REASON_MAX:
        return f"is {len(reason)} characters long, more than {REASON_MAX}"
    if any(unicodedata.category(c) in _UNPRINTABLE for c in reason):
        return ("holds a control or formatting character (a line break, tab, escape or "
                "bidirectional mark)")
    return None


def check_reason(reason: Any) -> str:
    """``reason`` if it is a valid revocation reason.

    Raises
    ------
    ParameterError
        It is not (the message says why, without repeating the text).
    """
    problem = reason_problem(reason)
    if problem is not None:
        raise ParameterError(
            f"The revocation reason {problem}: give short plain text of at most {REASON_MAX} "
            "characters on one line, e.g. 'data shared beyond the licensee'.")
    return str(reason)


def signing_input(domain: bytes, body: Mapping[str, Any], *, what: str) -> bytes:
    """The bytes a document's signature covers."""
    return domain + canonical_bytes(dict(body), what=what)


def sign_body(body: dict[str, Any], key: SigningKey, domain: bytes, *, what: str) -> dict[str, Any]:
    """``body`` plus its ``signature``."""
    signature = key.sign(signing_input(domain, body, what=what))
    return {**body, "signature": base64.b64encode(signature).decode("ascii")}


def document_bytes(document: Mapping[str, Any], *, what: str) -> bytes:
    """The canonical JSON bytes of a whole document (what is written to a file)."""
    return canonical_bytes(dict(document), what=what)


def write_document(path: str | Path, document: Mapping[str, Any], *, what: str) -> Path:
    """Write a document atomically, readable as any new file (it holds nothing secret)."""
    target = Path(path)
    write_atomic(target, document_bytes(document, what=what), mode=0o666 & ~umask())
    return target


def read_file(path: str | Path, *, what: str) -> bytes:
    """The bytes of a document file (at most :data:`~anonlab._files.TEXT_MAX_BYTES`).

    Raises
    ------
    BundleError
        The file is missing, not a regular file, too large or unreadable.
    """
    file = Path(path)
    try:
        return read_bounded(file, TEXT_MAX_BYTES, what, BundleError)
    except FileNotFoundError:
        raise BundleError(f"There is no {what} {str(file)!r}.") from None
    except BundleError:  # worded by read_bounded (a folder, a device, too large)
        raise
    except (OSError, ValueError) as exc:  # ValueError: an embedded NUL
        reason = getattr(exc, "strerror", None) or "not a usable path"
        raise BundleError(f"The {what} {str(file)!r} cannot be read: {reason}.") from None


class Reader:
    """Checks a parsed document's fields, naming the file and kind in every error."""

    def __init__(self, kind: str, source: str = "") -> None:
        self.kind = kind
        self.source = source
        self.label = f"{kind} {source}" if source else kind

    def fail(self, what: str) -> BundleError:
        return BundleError(f"The {self.label} is malformed: {what}.")

    def fields(self, data: Any, expected: tuple[str, ...], where: str = "") -> dict[str, Any]:
        if not isinstance(data, dict):
            raise self.fail(f"{where or 'it'} is not a JSON object")
        missing = [k for k in expected if k not in data]
        extra = sorted(k for k in data if k not in expected)
        if missing or extra:
            parts = ([f"missing {', '.join(missing)}"] if missing else []) + (
                [f"unknown {', '.join(extra)}"] if extra else [])
            inside = f" of {where}" if where else ""
            raise self.fail(f"the fields{inside} are not the expected ones ({'; '.join(parts)})")
        return data

    def integer(self, value: Any, name: str, *, minimum: int) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or not (
                minimum <= value <= MAX_INT):
            raise self.fail(f"{name} is not a whole number from {minimum} to {MAX_INT}")
        return value

    def time(self, value: Any, name: str) -> dt.datetime:
        if not isinstance(value, str) or not _STAMP.fullmatch(value):
            raise self.fail(f"{name} is not a UTC time written like 2026-05-01T12:00:00Z")
        try:
            return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
        except ValueError:
            raise self.fail(f"{name} is not a valid date and time") from None

    def license_id(self, value: Any, name: str) -> str:
        if not isinstance(value, str) or not LICENSE_ID.fullmatch(value):
            raise self.fail(f"{name} is not a license id (urn:uuid: and a lowercase UUID4)")
        return value

    def issuer(self, data: Mapping[str, Any]) -> PublicKey:
        """The embedded public key, checked against the ``issuer`` fingerprint."""
        fp = data["issuer"]
        if not isinstance(fp, str) or not _FINGERPRINT.fullmatch(fp):
            raise self.fail("issuer is not 'ed25519:' and 32 hex digits")
        try:
            key = PublicKey(b64decode_strict(data["issuer_key"]))
        except (ValueError, TypeError):
            raise self.fail("issuer_key is not the canonical base64 of a 32-byte Ed25519 "
                            "public key") from None
        if key.fingerprint != fp:
            raise self.fail(f"issuer {fp} is not the fingerprint of issuer_key "
                            f"({key.fingerprint})")
        return key

    def signature(self, data: Mapping[str, Any], body: Mapping[str, Any], key: PublicKey,
                  domain: bytes) -> None:
        """Check the document's ``signature`` over ``body`` under ``key``."""
        try:
            signature = b64decode_strict(data["signature"])
        except (ValueError, TypeError):
            raise self.fail("signature is not canonical base64") from None
        if len(signature) != 64:
            raise self.fail(f"signature is {len(signature)} bytes, not the 64 of an Ed25519 "
                            "signature")
        try:
            signed = signing_input(domain, body, what=f"the {self.kind}")
        except BundleError as exc:
            raise self.fail(str(exc).rstrip(".")) from None
        if not key.verify(signature, signed):
            raise BundleError(
                f"The {self.label} does not verify: its signature does not match "
                f"its content under its issuer key {key.fingerprint}. It was changed after "
                "signing (or the signature was copied from another document); ask the licensor "
                "for the file again.")


def read_document(raw: bytes, reader: Reader) -> Any:
    """Parse ``raw`` as one JSON value (no repeated keys, UTF-8)."""
    try:
        return load_json(raw)
    except ValueError as exc:
        raise reader.fail(f"it is not valid JSON ({exc})") from None

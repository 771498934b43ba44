"""License amendments: a signed renewal that extends a license without re-exporting the data.

A bundle's ``license.json`` is covered by its manifest and signature, so its ``valid_until``
cannot change without a new bundle. An **amendment** is a small signed file, issued by the
licensor with the key that signed the bundle, that moves the end of the license later
(:func:`renew`, ``anonlab renew``)::

    {"type": "anonlab-license-amendment", "format_version": 1,
     "license_id": "urn:uuid:...", "license_sha256": "<sha256 of license.json's bytes>",
     "number": 1, "issued": "...Z", "valid_until": "...Z", "delete_by": "...Z",
     "issuer": "ed25519:...", "issuer_key": "<base64 raw key>", "signature": "<base64>"}

``signature`` is the Ed25519 signature of ``b"anonlab-license-amendment-v1\\n"`` followed by the
canonical JSON of every other field. Amendments of one license are numbered 1, 2, ...; the
highest number given applies (:func:`effective_terms`).

What it guarantees
------------------
* An amendment binds to one license, byte for byte: its id *and* the SHA-256 of its
  ``license.json``. It cannot be applied to another license, nor to a re-issued license with
  the same id but other terms.
* It is refused unless signed by the bundle's signer, and unless it extends: ``valid_until``
  later than the license's own, ``delete_by`` no earlier than ``valid_until`` nor than the
  license's ``delete_by``. An edited amendment (a later date typed in) breaks its signature
  and is refused when read (:func:`load_amendment`).
* Of several amendments given, the highest number applies, so an older one replayed beside a
  newer one changes nothing; two different amendments with the same number are refused.

What it cannot do
-----------------
* Shorten a license or change anything but its end and its deletion date: purposes, roles and
  duties are in the signed ``license.json``. To end a license early, revoke it
  (:mod:`anonlab.bundle.status`); for other terms, issue a new bundle.
* Make a licensee present the newest amendment: one who holds amendments 1 and 2 can show only
  1. If 2 gives a *shorter* extension than 1, the licensee gets 1's terms; only revocation
  (or a status list naming the license) takes an extension back.
* Number amendments for the licensor: :func:`renew` does not know what was issued before;
  pass ``number=`` one more than the last.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from anonlab.bundle import _signed
from anonlab.bundle._signed import Reader, stamp, utc_seconds
from anonlab.bundle.canonical import sha256_hex
from anonlab.bundle.clock import system_now
from anonlab.bundle.signing import PublicKey, SigningKey, load_private_key
from anonlab.errors import AccessDeniedError, LicenseError, ParameterError
from anonlab.licensing.model import License

__all__ = [
    "AMENDMENT_TYPE",
    "FORMAT_VERSION",
    "SIGNING_DOMAIN",
    "Amendment",
    "EffectiveTerms",
    "effective_terms",
    "load_amendment",
    "renew",
]

AMENDMENT_TYPE = "anonlab-license-amendment"
"""The ``type`` of an amendment."""
FORMAT_VERSION = 1
"""The format version of an amendment."""
SIGNING_DOMAIN = b"anonlab-license-amendment-v1\n"
"""What the signed bytes of an amendment begin with."""

_BODY = ("type", "format_version", "license_id", "license_sha256", "number", "issued",
         "valid_until", "delete_by", "issuer", "issuer_key")
_HEX64 = re.compile(r"[0-9a-f]{64}")


class Amendment:
    """A signed license amendment, checked on construction: every instance is well formed and
    validly signed by its own ``issuer_key`` (whether that is the bundle's signer, and whether
    it fits the license, is :func:`effective_terms`'s business).

    Build one with :func:`renew` or read one with :func:`load_amendment` / :meth:`from_bytes`.

    Parameters
    ----------
    document : mapping
        The parsed JSON document (body and ``signature``).
    source : str
        How error messages name it (a file path).

    Raises
    ------
    BundleError
        The document is malformed or its signature does not verify.
    """

    __slots__ = ("_delete_by", "_document", "_issued", "_key", "_license_id", "_license_sha256",
                 "_number", "_source", "_valid_until")

    def __init__(self, document: Mapping[str, Any], *, source: str = "") -> None:
        reader = Reader("license amendment", source)
        data = reader.fields(dict(document), (*_BODY, "signature"))
        if data["type"] != AMENDMENT_TYPE:
            raise reader.fail(f"type is not {AMENDMENT_TYPE!r}")
        if data["format_version"] != FORMAT_VERSION:
            raise reader.fail(f"format_version is not {FORMAT_VERSION} (a newer anonlab may "
                              "read it)")
        key = reader.issuer(data)
        license_id = reader.license_id(data["license_id"], "license_id")
        digest = data["license_sha256"]
        if not isinstance(digest, str) or not _HEX64.fullmatch(digest):
            raise reader.fail("license_sha256 is not 64 lowercase hex digits")
        number = reader.integer(data["number"], "number", minimum=1)
        issued = reader.time(data["issued"], "issued")
        valid_until = reader.time(data["valid_until"], "valid_until")
        delete_by = reader.time(data["delete_by"], "delete_by")
        if delete_by < valid_until:
            raise reader.fail("delete_by is before valid_until")
        reader.signature(data, {k: data[k] for k in _BODY}, key, SIGNING_DOMAIN)
        self._document = dict(data)
        self._source = source
        self._key = key
        self._license_id = license_id
        self._license_sha256 = digest
        self._number = number
        self._issued = issued
        self._valid_until = valid_until
        self._delete_by = delete_by

    @classmethod
    def from_bytes(cls, raw: bytes, *, source: str = "") -> Amendment:
        """Parse and check an amendment's bytes (see the class)."""
        reader = Reader("license amendment", source)
        return cls(reader.fields(_signed.read_document(raw, reader), (*_BODY, "signature")),
                   source=source)

    @property
    def source(self) -> str:
        """Where it was read from (a quoted path), or ``""``."""
        return self._source

    @property
    def license_id(self) -> str:
        """The id of the license it amends."""
        return self._license_id

    @property
    def license_sha256(self) -> str:
        """The SHA-256 (hex) of the ``license.json`` bytes it amends."""
        return self._license_sha256

    @property
    def number(self) -> int:
        """Its number among the amendments of the license (1, 2, ...)."""
        return self._number

    @property
    def issued(self) -> dt.datetime:
        """When it was signed (UTC)."""
        return self._issued

    @property
    def valid_until(self) -> dt.datetime:
        """The new end of the license (UTC)."""
        return self._valid_until

    @property
    def delete_by(self) -> dt.datetime:
        """The new deletion date (UTC)."""
        return self._delete_by

    @property
    def issuer(self) -> str:
        """The fingerprint of the key that signed it."""
        return self._key.fingerprint

    @property
    def issuer_key(self) -> PublicKey:
        """The key that signed it."""
        return self._key

    def to_dict(self) -> dict[str, Any]:
        """The whole document (body and signature) as plain data."""
        return dict(self._document)

    def to_bytes(self) -> bytes:
        """The canonical JSON bytes (what :meth:`write` writes)."""
        return _signed.document_bytes(self._document, what="the license amendment")

    def write(self, path: str | os.PathLike[str]) -> Path:
        """Write the amendment atomically as canonical JSON; returns the path."""
        return _signed.write_document(Path(path), self._document, what="the license amendment")

    def _named(self) -> str:
        where = f" {self._source}" if self._source else ""
        return f"The license amendment{where} (number {self._number})"

    def __repr__(self) -> str:
        return (f"Amendment({self._license_id}, number={self._number}, "
                f"valid_until={stamp(self._valid_until)}, delete_by={stamp(self._delete_by)}, "
                f"issuer={self.issuer!r})")


@dataclass(frozen=True)
class EffectiveTerms:
    """The end and deletion date a license has once its amendments are applied.

    Attributes
    ----------
    valid_until : datetime
        The license may be used until then (inclusive).
    delete_by : datetime
        The data must be deleted by then.
    amendment : Amendment or None
        The amendment that set them, or None for the license's own terms.
    """

    valid_until: dt.datetime
    delete_by: dt.datetime
    amendment: Amendment | None = None


def load_amendment(path: str | os.PathLike[str]) -> Amendment:
    """Read and check an amendment file.

    Raises
    ------
    BundleError
        The file is missing, unreadable, too large, not JSON, not an amendment of this format
        version, has missing or unknown fields, bad base64, or a signature that does not match
        its content under its issuer key. The message names the file and the fault.
    """
    file = Path(path)
    raw = _signed.read_file(file, what="license amendment")
    return Amendment.from_bytes(raw, source=repr(str(file)))


def _parse_license(license_bytes: Any) -> License:
    if not isinstance(license_bytes, bytes):
        raise ParameterError(
            "license_bytes must be the bytes of the bundle's license.json, not a "
            f"{type(license_bytes).__name__}.")
    try:
        return License.from_json(license_bytes)
    except LicenseError as exc:
        raise ParameterError(f"license_bytes are not a valid license.json: {exc}") from None


def renew(
    license_bytes: bytes,
    signing_key: Any,
    *,
    valid_until: dt.datetime,
    delete_by: dt.datetime | None = None,
    number: int = 1,
    now: dt.datetime | None = None,
) -> Amendment:
    """Sign an amendment that extends a license to ``valid_until``.

    Parameters
    ----------
    license_bytes : bytes
        The bundle's ``license.json``, byte for byte (the amendment binds to their SHA-256).
    signing_key : SigningKey, path, "file:PATH" or "env:NAME"
        The key that signed the bundle (licensees refuse an amendment by any other key).
    valid_until : datetime
        The new end (tz-aware): later than the license's ``valid_until`` and than ``now``.
    delete_by : datetime, optional
        The new deletion date (tz-aware); default the later of the license's ``delete_by`` and
        ``valid_until``. Not before ``valid_until``, nor before the license's ``delete_by``.
    number : int
        1 for the first amendment of this license, one more for each later one (the highest
        given applies).
    now : datetime, optional
        The time of issue (tz-aware; default the system clock).

    Returns
    -------
    Amendment
        Write it with :meth:`Amendment.write` and give it to the licensees.

    Raises
    ------
    ParameterError
        The bytes are not a license; a date is naive, shortens the license or is already past;
        ``number`` is not a whole number from 1.
    SecretKeyError
        The key cannot be read.
    """
    license_ = _parse_license(license_bytes)
    until = utc_seconds(valid_until, "valid_until")
    issued = utc_seconds(system_now() if now is None else now, "now")
    if not isinstance(number, int) or isinstance(number, bool) or not (
            1 <= number <= _signed.MAX_INT):
        raise ParameterError("number must be a whole number, 1 for the first amendment of a "
                             "license and one more for each later one.")
    own_delete = license_.retention.delete_by
    if until <= license_.valid_until:
        raise ParameterError(
            f"valid_until {stamp(until)} is not later than the license's own valid_until "
            f"({stamp(license_.valid_until)}): an amendment only extends a license. To end a "
            "license early, revoke it (`anonlab revoke`) and publish a status list.")
    if until <= issued:
        raise ParameterError(
            f"valid_until {stamp(until)} is already past (now {stamp(issued)}): an amendment "
            "that ends before it is issued extends nothing.")
    deletion = max(own_delete, until) if delete_by is None else utc_seconds(delete_by,
                                                                            "delete_by")
    if deletion < until:
        raise ParameterError(
            f"delete_by {stamp(deletion)} is before valid_until {stamp(until)}: the data may be "
            "used until valid_until, so it is deleted no earlier.")
    if deletion < own_delete:
        raise ParameterError(
            f"delete_by {stamp(deletion)} is before the license's own delete_by "
            f"({stamp(own_delete)}): an amendment only extends a license.")
    key: SigningKey = load_private_key(signing_key)
    body = {
        "type": AMENDMENT_TYPE,
        "format_version": FORMAT_VERSION,
        "license_id": license_.id,
        "license_sha256": sha256_hex(license_bytes),
        "number": number,
        "issued": stamp(issued),
        "valid_until": stamp(until),
        "delete_by": stamp(deletion),
        "issuer": key.fingerprint,
        "issuer_key": key.public_key.base64,
    }
    return Amendment(_signed.sign_body(body, key, SIGNING_DOMAIN, what="the license amendment"))


def _invalid(amendment: Amendment, why: str) -> AccessDeniedError:
    return AccessDeniedError(f"{amendment._named()} {why}", reason="amendment_invalid")


def effective_terms(
    license: License,
    license_bytes: bytes,
    amendments: Iterable[Amendment],
    *,
    signer: PublicKey,
) -> EffectiveTerms:
    """The license's end and deletion date once ``amendments`` are applied.

    Parameters
    ----------
    license : License
        The license parsed from ``license_bytes`` (the verified bundle's).
    license_bytes : bytes
        The bundle's ``license.json`` bytes, as verified.
    amendments : iterable of Amendment
        Every amendment given (none: the license's own terms).
    signer : PublicKey
        The key that signed the bundle.

    Returns
    -------
    EffectiveTerms
        The terms of the amendment with the highest number, or the license's own.

    Raises
    ------
    AccessDeniedError
        ``reason="amendment_invalid"``: an amendment is signed by another key than ``signer``,
        names another license id or other ``license.json`` bytes, does not extend the license
        (``valid_until`` not later, ``delete_by`` earlier than the license's or than
        ``valid_until``), or two amendments share a number with different terms. The message
        names the file and number, and why.
    ParameterError
        An argument has the wrong type.
    """
    if not isinstance(license, License):
        raise ParameterError(f"license must be a License, not a {type(license).__name__}.")
    if not isinstance(license_bytes, bytes):
        raise ParameterError("license_bytes must be the bytes of the bundle's license.json.")
    if not isinstance(signer, PublicKey):
        raise ParameterError(
            f"signer must be the bundle's PublicKey, not a {type(signer).__name__}.")
    given = tuple(amendments)
    digest = sha256_hex(license_bytes)
    own_until, own_delete = license.valid_until, license.retention.delete_by
    best: Amendment | None = None
    by_number: dict[int, Amendment] = {}
    for amendment in given:
        if not isinstance(amendment, Amendment):
            raise ParameterError(
                f"amendments must be Amendment objects (load_amendment(path)), not a "
                f"{type(amendment).__name__}.")
        if amendment.issuer_key != signer:
            raise _invalid(amendment, (
                f"is signed by {amendment.issuer}, not by the bundle's signer "
                f"{signer.fingerprint}: only the licensor who signed the bundle may amend it."))
        if amendment.license_id != license.id:
            raise _invalid(amendment, (
                f"amends license {amendment.license_id}, not this bundle's license "
                f"{license.id}."))
        if amendment.license_sha256 != digest:
            raise _invalid(amendment, (
                f"was issued for other license.json bytes (SHA-256 "
                f"{amendment.license_sha256[:16]}..., this bundle's is {digest[:16]}...): the "
                "license was re-issued, or the amendment belongs to another copy."))
        if amendment.valid_until <= own_until:
            raise _invalid(amendment, (
                f"ends the license at {stamp(amendment.valid_until)}, not later than its own "
                f"valid_until ({stamp(own_until)}): an amendment may only extend."))
        if amendment.delete_by < own_delete:
            raise _invalid(amendment, (
                f"moves delete_by to {stamp(amendment.delete_by)}, before the license's own "
                f"({stamp(own_delete)}): an amendment may only extend."))
        twin = by_number.get(amendment.number)
        if twin is not None and (twin.valid_until, twin.delete_by) != (
                amendment.valid_until, amendment.delete_by):
            where = f" ({twin.source})" if twin.source else ""
            raise _invalid(amendment, (
                f"has the same number as another amendment{where} with different terms: "
                "the licensor numbers each renewal once; ask them which applies."))
        by_number.setdefault(amendment.number, amendment)
        if best is None or amendment.number > best.number:
            best = amendment
    if best is None:
        return EffectiveTerms(own_until, own_delete, None)
    return EffectiveTerms(best.valid_until, best.delete_by, best)

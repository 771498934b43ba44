"""Revocation status lists: the licensor's signed word on which licenses are withdrawn.

A license runs until its ``valid_until``; a licensor who must end it sooner (a breach, a
withdrawn consent, data released by mistake) cannot recall a bundle already copied. What the
licensor can do is *revoke* it and publish a signed **status list**, as a certificate
revocation list does for certificates:

1. the licensor keeps a :class:`StatusRegister`, a plain JSON working file on their side (never
   shipped), and records each revocation in it (:meth:`StatusRegister.revoke`,
   ``anonlab revoke``);
2. :func:`publish_status` (``anonlab status publish``) signs the register's current content
   as a :class:`StatusList` with the same key that signed the bundles, numbered by a serial that
   grows with each publication and valid until ``next_update`` (a week by default);
3. the licensee fetches the list and an ``open`` checks the license against it
   (:meth:`StatusList.check`).

The file is canonical JSON::

    {"type": "anonlab-status-list", "format_version": 1, "issuer": "ed25519:...",
     "issuer_key": "<base64 raw key>", "serial": 3, "issued": "...Z", "next_update": "...Z",
     "revoked": [{"license_id": "urn:uuid:...", "revoked_at": "...Z", "reason": "..."}],
     "signature": "<base64>"}

``signature`` is the Ed25519 signature of ``b"anonlab-status-list-v1\\n"`` followed by the
canonical JSON of every other field; ``revoked`` is sorted by license id.

What it guarantees
------------------
* A list cannot be changed without the licensor's key: removing a revoked id, moving
  ``next_update`` or replacing the key breaks the signature (:func:`load_status_list` refuses
  it), and a list signed by any other key than the bundle's signer is refused by
  :meth:`StatusList.check` (``reason="status_untrusted"``).
* A licensee who never fetches a new list does not keep using it for ever: once the check time
  is past ``next_update`` the list is stale and the check refuses (``"status_stale"``), so a
  license that names a status list stops opening until a fresh list is fetched.
* A revocation is permanent: a license listed is refused (``"revoked"``) whatever time the
  check runs at, and the register never drops an entry.

What it cannot do
-----------------
* Take back data already opened or copied: revocation stops further ``open`` calls on
  machines that check the list, nothing more.
* Tell a list from an older one the licensee kept: a list published *before* a revocation is
  validly signed and, until its ``next_update``, fresh. The window is at most ``valid_for``
  (choose it short), and a caller that records the highest ``serial`` it has seen can refuse a
  lower one.
* Protect a licensee whose clock is wrong: staleness is judged at the time the caller passes
  (``anonlab.open`` passes its honest clock, :mod:`anonlab.bundle.clock`). A list issued more
  than :data:`~anonlab.bundle.clock.CLOCK_TOLERANCE` after that time is refused
  (``"status_future"``): either the licensee's clock is behind or the time was chosen.
* Enforce anything on a machine that does not run the check at all, or whose license does not
  name a status list.
* Serialize concurrent publications: one register is meant for one licensor's tool at a time.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from anonlab._files import write_atomic
from anonlab.bundle import _signed
from anonlab.bundle._signed import LICENSE_ID, Reader, stamp, utc_seconds
from anonlab.bundle.canonical import pretty_bytes
from anonlab.bundle.clock import CLOCK_TOLERANCE, system_now
from anonlab.bundle.signing import PublicKey, SigningKey, load_private_key
from anonlab.errors import AccessDeniedError, BundleError, ParameterError

__all__ = [
    "DEFAULT_VALID_FOR",
    "FORMAT_VERSION",
    "REGISTER_TYPE",
    "SIGNING_DOMAIN",
    "STATUS_TYPE",
    "Revocation",
    "StatusList",
    "StatusRegister",
    "load_status_list",
    "publish_status",
]

STATUS_TYPE = "anonlab-status-list"
"""The ``type`` of a status list."""
REGISTER_TYPE = "anonlab-status-register"
"""The ``type`` of a licensor's register file."""
FORMAT_VERSION = 1
"""The format version of both files."""
SIGNING_DOMAIN = b"anonlab-status-list-v1\n"
"""What the signed bytes of a status list begin with."""
DEFAULT_VALID_FOR = dt.timedelta(days=7)
"""How long a published list stays fresh unless told otherwise."""

_BODY = ("type", "format_version", "issuer", "issuer_key", "serial", "issued", "next_update",
         "revoked")
_ENTRY = ("license_id", "revoked_at", "reason")
_REGISTER = ("type", "format_version", "serial", "revoked")


@dataclass(frozen=True)
class Revocation:
    """One revoked license.

    Attributes
    ----------
    license_id : str
        ``urn:uuid:<uuid4>``.
    revoked_at : datetime
        When the licensor revoked it (UTC, whole seconds).
    reason : str
        Why, in short plain text.
    """

    license_id: str
    revoked_at: dt.datetime
    reason: str

    def to_dict(self) -> dict[str, str]:
        """Plain data, as written in the register and the list."""
        return {"license_id": self.license_id, "revoked_at": stamp(self.revoked_at),
                "reason": self.reason}


def _entries(data: Any, reader: Reader, where: str) -> tuple[Revocation, ...]:
    """The revocations of a parsed list, sorted by license id and each id once."""
    if not isinstance(data, list):
        raise reader.fail(f"{where} is not a list")
    out: list[Revocation] = []
    for i, entry in enumerate(data):
        name = f"{where}[{i}]"
        reader.fields(entry, _ENTRY, name)
        license_id = reader.license_id(entry["license_id"], f"{name}.license_id")
        revoked_at = reader.time(entry["revoked_at"], f"{name}.revoked_at")
        problem = _signed.reason_problem(entry["reason"])
        if problem is not None:
            raise reader.fail(f"{name}.reason {problem}")
        if out and license_id <= out[-1].license_id:
            raise reader.fail(f"{where} is not sorted by license_id with each id once "
                              f"(at {name})")
        out.append(Revocation(license_id, revoked_at, entry["reason"]))
    return tuple(out)


class StatusRegister:
    """A licensor's record of revoked licenses and of how many lists were published.

    A plain JSON working file kept by the licensor (not signed, not shipped)::

        {"type": "anonlab-status-register", "format_version": 1, "serial": 2,
         "revoked": [{"license_id": ..., "revoked_at": ..., "reason": ...}]}

    Changes stay in memory until :meth:`save` (:func:`publish_status` saves the serial itself).

    Parameters
    ----------
    path : path-like
        Where the register is kept.
    serial : int
        How many status lists were published from it.
    revoked : iterable of Revocation
        The revocations.
    """

    def __init__(self, path: str | os.PathLike[str], *, serial: int = 0,
                 revoked: tuple[Revocation, ...] = ()) -> None:
        if not isinstance(serial, int) or isinstance(serial, bool) or not (
                0 <= serial <= _signed.MAX_INT):
            raise ParameterError("A register's serial is a whole number, 0 or more.")
        self._path = Path(path)
        self._serial = serial
        self._revoked: dict[str, Revocation] = {r.license_id: r for r in revoked}

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> StatusRegister:
        """Read a register; a missing file is an empty register (serial 0) at that path.

        Raises
        ------
        BundleError
            The file is unreadable or malformed (the message names it and the fault).
        """
        file = Path(path)
        if not file.exists() and not file.is_symlink():
            return cls(file)
        raw = _signed.read_file(file, what="status register")
        reader = Reader("status register", repr(str(file)))
        data = reader.fields(_signed.read_document(raw, reader), _REGISTER)
        if data["type"] != REGISTER_TYPE:
            raise reader.fail(f"type is not {REGISTER_TYPE!r}")
        if data["format_version"] != FORMAT_VERSION:
            raise reader.fail(f"format_version is not {FORMAT_VERSION} (a newer anonlab may "
                              "read it)")
        serial = reader.integer(data["serial"], "serial", minimum=0)
        return cls(file, serial=serial, revoked=_entries(data["revoked"], reader, "revoked"))

    @property
    def path(self) -> Path:
        """Where the register is kept."""
        return self._path

    @property
    def serial(self) -> int:
        """How many status lists were published from this register (the last list's serial)."""
        return self._serial

    @property
    def revoked(self) -> tuple[Revocation, ...]:
        """The revocations, sorted by license id."""
        return tuple(self._revoked[k] for k in sorted(self._revoked))

    def get(self, license_id: str) -> Revocation | None:
        """The revocation of ``license_id``, or None."""
        return self._revoked.get(license_id)

    def revoke(self, license_id: str, *, reason: str, at: dt.datetime | None = None) -> bool:
        """Record that ``license_id`` is revoked (in memory; call :meth:`save`).

        Parameters
        ----------
        license_id : str
            ``urn:uuid:<uuid4>``, the license's ``id``.
        reason : str
            Short plain text (at most 200 characters, one line, no control characters). It is
            published in the status list: no personal data.
        at : datetime, optional
            When (tz-aware; default now).

        Returns
        -------
        bool
            True when the license is newly revoked; False when it already was, in which case
            the first revocation (its time and reason) is kept unchanged.

        Raises
        ------
        ParameterError
            The id is not a license id, the reason is not valid, ``at`` is naive.
        """
        if not isinstance(license_id, str) or not LICENSE_ID.fullmatch(license_id):
            raise ParameterError(
                "A license id is 'urn:uuid:' followed by a lowercase UUID4 (the id field of "
                "license.json, shown by `anonlab license show BUNDLE`).")
        reason = _signed.check_reason(reason)
        when = utc_seconds(system_now() if at is None else at, "at")
        if license_id in self._revoked:
            return False
        self._revoked[license_id] = Revocation(license_id, when, reason)
        return True

    def to_dict(self) -> dict[str, Any]:
        """The register as plain data."""
        return {"type": REGISTER_TYPE, "format_version": FORMAT_VERSION, "serial": self._serial,
                "revoked": [r.to_dict() for r in self.revoked]}

    def save(self) -> Path:
        """Write the register atomically (indented JSON); returns its path.

        Raises
        ------
        BundleError
            The file cannot be written (the previous one, if any, is left as it was).
        """
        data = pretty_bytes(self.to_dict(), what="the status register")
        try:
            write_atomic(self._path, data)
        except OSError as exc:
            raise BundleError(f"Cannot write the status register {str(self._path)!r}: "
                              f"{exc.strerror or exc}.") from None
        return self._path

    def _next_serial(self) -> int:
        if self._serial >= _signed.MAX_INT:
            raise BundleError(f"The status register {str(self._path)!r} has no serial left.")
        self._serial += 1
        return self._serial

    def __repr__(self) -> str:
        return (f"StatusRegister({str(self._path)!r}, serial={self._serial}, "
                f"revoked={len(self._revoked)})")


class StatusList:
    """A signed status list, checked on construction: every instance has a valid signature
    under its own ``issuer_key`` (which key that must be is :meth:`check`'s business).

    Build one with :func:`publish_status` or read one with :func:`load_status_list` /
    :meth:`from_bytes`.

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

    __slots__ = ("_document", "_issued", "_key", "_next_update", "_revoked", "_serial",
                 "_source")

    def __init__(self, document: Mapping[str, Any], *, source: str = "") -> None:
        reader = Reader("status list", source)
        data = reader.fields(dict(document), (*_BODY, "signature"))
        if data["type"] != STATUS_TYPE:
            raise reader.fail(f"type is not {STATUS_TYPE!r}")
        if data["format_version"] != FORMAT_VERSION:
            raise reader.fail(f"format_version is not {FORMAT_VERSION} (a newer anonlab may "
                              "read it)")
        key = reader.issuer(data)
        serial = reader.integer(data["serial"], "serial", minimum=1)
        issued = reader.time(data["issued"], "issued")
        next_update = reader.time(data["next_update"], "next_update")
        if next_update <= issued:
            raise reader.fail("next_update is not after issued")
        revoked = _entries(data["revoked"], reader, "revoked")
        body = {k: data[k] for k in _BODY}
        reader.signature(data, body, key, SIGNING_DOMAIN)
        self._document = copy.deepcopy(data)  # the caller's lists cannot change it later
        self._source = source
        self._key = key
        self._serial = serial
        self._issued = issued
        self._next_update = next_update
        self._revoked = {r.license_id: r for r in revoked}

    @classmethod
    def from_bytes(cls, raw: bytes, *, source: str = "") -> StatusList:
        """Parse and check a status list's bytes (see the class)."""
        reader = Reader("status list", source)
        return cls(reader.fields(_signed.read_document(raw, reader), (*_BODY, "signature")),
                   source=source)

    @property
    def _label(self) -> str:
        return f"The status list {self._source}" if self._source else "The status list"

    @property
    def source(self) -> str:
        """Where it was read from (a quoted path), or ``""``."""
        return self._source

    @property
    def serial(self) -> int:
        """The publication number (grows by one with each list from the same register)."""
        return self._serial

    @property
    def issued(self) -> dt.datetime:
        """When it was signed (UTC)."""
        return self._issued

    @property
    def next_update(self) -> dt.datetime:
        """When it goes stale (UTC): a check after it refuses."""
        return self._next_update

    @property
    def issuer(self) -> str:
        """The fingerprint of the key that signed it."""
        return self._key.fingerprint

    @property
    def issuer_key(self) -> PublicKey:
        """The key that signed it."""
        return self._key

    @property
    def revoked(self) -> tuple[Revocation, ...]:
        """The revocations, sorted by license id."""
        return tuple(self._revoked[k] for k in sorted(self._revoked))

    def revocation(self, license_id: str) -> Revocation | None:
        """The revocation of ``license_id`` in this list, or None (no trust or time check)."""
        return self._revoked.get(license_id)

    def to_dict(self) -> dict[str, Any]:
        """The whole document (body and signature) as plain data (a copy)."""
        return copy.deepcopy(self._document)

    def to_bytes(self) -> bytes:
        """The canonical JSON bytes (what :meth:`write` writes)."""
        return _signed.document_bytes(self._document, what="the status list")

    def write(self, path: str | os.PathLike[str]) -> Path:
        """Write the list atomically as canonical JSON; returns the path."""
        return _signed.write_document(Path(path), self._document, what="the status list")

    def check(self, license_id: str, *, signer: PublicKey, at: dt.datetime) -> None:
        """Refuse ``license_id`` unless this list, trusted and fresh at ``at``, does not
        revoke it.

        Parameters
        ----------
        license_id : str
            The license being opened.
        signer : PublicKey
            The key that signed the bundle: the list must be signed by the same key.
        at : datetime
            The time of the check (tz-aware; ``anonlab.open`` passes its honest clock).

        Raises
        ------
        AccessDeniedError
            ``reason`` is, checked in this order: ``"status_untrusted"`` (signed by another key
            than ``signer``), ``"revoked"`` (the license is listed; the message gives when and
            why; a revocation counts whatever ``at`` is), ``"status_future"`` (issued more than
            :data:`~anonlab.bundle.clock.CLOCK_TOLERANCE` after ``at``: a clock behind, or a
            chosen time), ``"status_stale"`` (``at`` is after ``next_update``).
        ParameterError
            ``signer`` is not a PublicKey, or ``at`` is not a tz-aware datetime.
        """
        if not isinstance(signer, PublicKey):
            raise ParameterError(
                f"signer must be the bundle's PublicKey, not a {type(signer).__name__}.")
        when = utc_seconds(at, "at")
        if self._key != signer:
            raise AccessDeniedError(
                f"{self._label} is signed by {self.issuer}, not by the "
                f"bundle's signer {signer.fingerprint}: it does not speak for this license. "
                "Fetch the status list published by the bundle's licensor.",
                reason="status_untrusted")
        entry = self._revoked.get(license_id)
        if entry is not None:
            raise AccessDeniedError(
                f"License {license_id} was revoked by its licensor at "
                f"{stamp(entry.revoked_at)}: {entry.reason} (status list serial "
                f"{self._serial}, issued {stamp(self._issued)}). It may no longer be opened; "
                "delete the data as the license requires, or contact the licensor.",
                reason="revoked")
        if self._issued > when + CLOCK_TOLERANCE:
            raise AccessDeniedError(
                f"{self._label} (serial {self._serial}) was issued at "
                f"{stamp(self._issued)}, later than the time of this check ({stamp(when)}): "
                "the clock is behind, or the time given was chosen. Correct the clock.",
                reason="status_future")
        if when > self._next_update:
            raise AccessDeniedError(
                f"{self._label} (serial {self._serial}, issued "
                f"{stamp(self._issued)}) was due for renewal at {stamp(self._next_update)} and "
                f"is stale at {stamp(when)}. Ask the licensor ({self.issuer}) for a fresh "
                "status list.",
                reason="status_stale")

    def __repr__(self) -> str:
        return (f"StatusList(serial={self._serial}, issuer={self.issuer!r}, "
                f"issued={stamp(self._issued)}, next_update={stamp(self._next_update)}, "
                f"revoked={len(self._revoked)})")


def load_status_list(path: str | os.PathLike[str]) -> StatusList:
    """Read and check a status list file.

    Raises
    ------
    BundleError
        The file is missing, unreadable, too large, not JSON, not a status list of this format
        version, has missing or unknown fields, bad base64, or a signature that does not match
        its content under its issuer key. The message names the file and the fault.
    """
    file = Path(path)
    raw = _signed.read_file(file, what="status list")
    return StatusList.from_bytes(raw, source=repr(str(file)))


def publish_status(
    register: StatusRegister,
    signing_key: Any,
    *,
    valid_for: dt.timedelta = DEFAULT_VALID_FOR,
    now: dt.datetime | None = None,
) -> StatusList:
    """Sign the register's revocations as the next status list.

    The register's serial is increased and the register saved *before* the list is signed, so
    two lists never share a serial.

    Parameters
    ----------
    register : StatusRegister
        The licensor's register.
    signing_key : SigningKey, path, "file:PATH" or "env:NAME"
        The key that signed the licensor's bundles.
    valid_for : timedelta
        How long the list stays fresh (``next_update = issued + valid_for``); positive.
    now : datetime, optional
        The time of issue (tz-aware; default the system clock).

    Returns
    -------
    StatusList
        Write it with :meth:`StatusList.write` and give it to the licensees.

    Raises
    ------
    ParameterError
        ``valid_for`` is not a positive timedelta, ``now`` is naive.
    SecretKeyError
        The key cannot be read.
    BundleError
        The register cannot be saved.
    """
    if not isinstance(register, StatusRegister):
        raise ParameterError(
            f"publish_status takes a StatusRegister, not a {type(register).__name__}.")
    if not isinstance(valid_for, dt.timedelta) or valid_for < dt.timedelta(seconds=1):
        raise ParameterError("valid_for must be a positive timedelta (e.g. timedelta(days=7)).")
    key: SigningKey = load_private_key(signing_key)
    issued = utc_seconds(system_now() if now is None else now, "now")
    try:
        next_update = issued + valid_for
    except OverflowError:
        raise ParameterError("valid_for is too long.") from None
    serial = register._next_serial()
    try:
        register.save()
    except BaseException:
        register._serial -= 1  # nothing was published
        raise
    body = {
        "type": STATUS_TYPE,
        "format_version": FORMAT_VERSION,
        "issuer": key.fingerprint,
        "issuer_key": key.public_key.base64,
        "serial": serial,
        "issued": stamp(issued),
        "next_update": stamp(next_update.replace(microsecond=0)),
        "revoked": [r.to_dict() for r in register.revoked],
    }
    document = _signed.sign_body(body, key, SIGNING_DOMAIN, what="the status list")
    return StatusList(document)

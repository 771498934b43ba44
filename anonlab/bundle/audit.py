"""The access log of a bundle: append-only JSON lines in a hash chain.

Each line is one entry, written as canonical JSON (:mod:`anonlab.bundle.canonical`)::

    {"action":"open","bundle":"patients-2026","hash":"…","license_id":"urn:uuid:…",
     "outcome":"allowed","prev":"…","purpose":"scientific-research","reason":null,
     "role":"analyst","seq":1,"time":"2026-05-01T12:00:00.123456Z","user":"ada"}

``action`` is ``"open"``, ``"verify"`` or ``"export"``; ``outcome`` is ``"allowed"``,
``"refused"`` (the license forbids the use; ``reason`` says why: ``expired``, ``purpose``, ...) or
``"failed"`` (the bundle did not verify, its signer is not trusted, or it could not be read);
the one entry anonlab writes of its own is ``action="repair"``, ``outcome="repaired"``, after
removing a torn last line (below). ``seq`` counts from 1. ``hash`` is
the SHA-256 of the entry's canonical JSON without ``hash``; ``prev`` is the previous entry's
``hash``, and the first entry's ``prev`` is the SHA-256 of the bundle's ``license.json`` bytes,
which ties the log to one license.

Entries written by ``anonlab.open`` also carry ``declared_action`` (the action on the data the
caller declared: ``read``, ``train-model``, ``distribute``, ...) and, when made under the test
clock (:mod:`anonlab.bundle.clock`), ``"clock": "test"`` (:data:`OPTIONAL_FIELDS`); entries
without them, as older logs hold, are as valid. ``time`` is always the system time; the latest
one (:meth:`AuditLog.latest_time`) is what ``open`` checks a clock set back against.

No data value ever enters the log: only the fields above. ``user``, ``role`` and ``purpose`` are
the caller's words; they are limited to 200 characters without control, line-separator or
bidirectional-override characters.

Where the log lives: by default ``<bundle>.audit.jsonl`` beside the bundle folder (a file inside
the folder would break the bundle's "nothing unlisted" rule), or any path the licensee chooses.
A path ending with ``.sqlite``, ``.sqlite3`` or ``.db`` (:data:`SQLITE_SUFFIXES`) holds the same
records in an SQLite database (:class:`~anonlab.bundle.audit_sqlite.SqliteAuditLog`):
:meth:`AuditLog.for_bundle` and :func:`open_log` pick the store by the name.

Appends open the file with ``O_APPEND``, take an exclusive ``flock`` (so concurrent writers, in
threads or processes, chain correctly), check the last entry, write the whole new line in one
``write`` and ``fsync``. A write that fails part-way (a full disk) is cut back off before the
error is raised, so the file always ends with a whole record. Should a process die in the middle
of a write (``kill -9``, a power cut) and leave a torn last line (no line end), the next append
removes those bytes and first writes a repair entry (``action="repair"``,
``outcome="repaired"``, ``reason`` giving the number of bytes removed and the first 16 hex digits
of their SHA-256), so the torn write is on record and the log keeps working: an access is only
granted once its entry is whole on disk, so the torn bytes never recorded a granted access.
:meth:`AuditLog.verify` recomputes the whole chain and names the first line that was edited,
removed, inserted or moved.

Limit: whoever holds the whole file can rewrite the chain from scratch, and dropping the last
entries leaves a valid shorter chain. Send the head (:meth:`AuditLog.head`) to the licensor from
time to time: a later log must extend it.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import errno
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from anonlab._plaintext import load_json
from anonlab.bundle import clock
from anonlab.bundle.canonical import canonical_bytes, sha256_hex
from anonlab.errors import BundleError, ParameterError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: appends are not locked
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "ACTIONS",
    "FIELDS",
    "MAX_TEXT",
    "MAX_TORN_BYTES",
    "OPTIONAL_FIELDS",
    "OUTCOMES",
    "REPAIR",
    "SIGNATURE_DOMAIN",
    "SQLITE_SUFFIXES",
    "AuditLog",
    "AuditVerification",
    "check_chain",
    "entry_hash",
    "open_log",
    "seal",
    "signature_problem",
]

ACTIONS = ("open", "verify", "export", "purge")
OUTCOMES = ("allowed", "refused", "failed", "deleted")
REPAIR = ("repair", "repaired")
"""The action and outcome of the entry an append writes after removing a torn last line (never
written by callers)."""
MAX_TORN_BYTES = 1 << 16
"""A last line without a line end longer than this is not a torn record (entries are a few
hundred bytes) and is left alone: the log is refused as damaged."""
FIELDS = ("action", "bundle", "hash", "license_id", "outcome", "prev", "purpose", "reason",
          "role", "seq", "time", "user")
OPTIONAL_FIELDS = ("clock", "declared_action", "deletion", "identity", "identity_certificate",
                   "identity_key", "signature", "status_serial")
"""Fields an entry may also have (written since issue 14; logs without them stay valid):

``declared_action``
    the action on the data an open declared (``read``, ``train-model``, ...);
``clock``
    ``"test"`` when the entry was made under the test clock (:mod:`anonlab.bundle.clock`);
``identity``
    the fingerprint of the identity key the entry was made with, or ``"unauthenticated"``;
``identity_key``, ``signature``
    that key (base64 of its raw bytes) and its Ed25519 signature of
    ``b"anonlab-audit-entry-v1\n"`` and the entry's ``hash``;
``identity_certificate``
    the certificate by which a licensee organisation key vouched for the identity
    (:mod:`anonlab.bundle.identity`), whole, so that the licensor can check it;
``status_serial``
    the serial of the licensor's status list the open checked (:mod:`anonlab.bundle.status`);
``deletion``
    the deletion certificate of a ``purge`` entry: the license, the files deleted with their
    SHA-256 and size."""
SIGNATURE_DOMAIN = b"anonlab-audit-entry-v1\n"
"""What an entry's signature covers before its hash (so it is never a signature of anything
else)."""
MAX_TEXT = 200
"""Longest user, role, purpose or reason accepted (characters)."""
SQLITE_SUFFIXES = (".sqlite", ".sqlite3", ".db")
"""Names of audit stores kept in an SQLite database (compared ignoring case); any other name is a
JSON lines file."""

_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_LINE_BREAKS = frozenset("\x85\u2028\u2029")


def _check_text(value: Any, name: str, *, required: bool) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise ParameterError(
            f"The {name!r} of an audit entry must be a non-empty str. Got "
            f"{type(value).__name__ if not isinstance(value, str) else 'an empty string'}."
        )
    if len(value) > MAX_TEXT:
        raise ParameterError(
            f"The {name!r} of an audit entry has {len(value)} characters; at most {MAX_TEXT}."
        )
    for ch in value:
        if ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 or ch in _LINE_BREAKS or ch in _BIDI \
                or 0xD800 <= ord(ch) <= 0xDFFF:
            raise ParameterError(
                f"The {name!r} of an audit entry holds a control character (U+{ord(ch):04X}); "
                "use plain text."
            )
    return value


def _utc_stamp() -> str:
    return clock.system_now().strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _has_fields(entry: Any) -> bool:
    """Whether ``entry`` is a dict with every field of an entry and no unknown one."""
    return (isinstance(entry, dict) and set(FIELDS) <= set(entry)
            and set(entry) <= set(FIELDS) | set(OPTIONAL_FIELDS))


def entry_hash(entry: dict[str, Any]) -> str:
    """The SHA-256 of an entry's canonical JSON without its ``hash`` and ``signature``."""
    body = {k: v for k, v in entry.items() if k not in ("hash", "signature")}
    return sha256_hex(canonical_bytes(body, what="an audit entry"))


def signature_problem(entry: dict[str, Any]) -> str | None:
    """Why an entry's identity fields do not hold (None when they do, or it has none): a
    signature must come with the key it names and verify over the entry's hash; an entry that
    names an identity key must be signed by it."""
    from anonlab.bundle.signing import PublicKey, b64decode_strict

    ident = entry.get("identity")
    signed = "signature" in entry or "identity_key" in entry
    if not signed:
        if ident not in (None, "unauthenticated") or "identity_certificate" in entry:
            return "it names an identity but is not signed by it"
        return None
    try:
        key = PublicKey(b64decode_strict(entry["identity_key"]))
        signature = b64decode_strict(entry["signature"])
    except (KeyError, TypeError, ValueError, ParameterError):
        return "its identity key or signature is missing or malformed"
    if ident != key.fingerprint:
        return "its identity is not the fingerprint of its identity key"
    if not key.verify(signature, SIGNATURE_DOMAIN + str(entry["hash"]).encode("ascii")):
        return f"its signature is not {key.fingerprint}'s (the entry was forged or altered)"
    if "identity_certificate" in entry:
        from anonlab.bundle.identity import Certificate

        try:
            cert = Certificate.from_dict(entry["identity_certificate"])
        except BundleError as exc:
            return f"its identity certificate does not hold ({exc})"
        if cert.subject_key != key:
            return "its identity certificate is for another key"
    return None


def check_chain(lines: list[bytes], genesis: str | None) -> tuple[int | None, str, str | None]:
    """Check a log's lines (canonical JSON entries, without line ends) as a chain from
    ``genesis``: ``(first broken line or None, why, head hash)``.

    Each line must be a canonical JSON entry with exactly the known fields; its ``hash`` must
    match its content; its ``seq`` must be its line number; its ``prev`` the previous line's
    hash (the first line's, ``genesis`` when known); a signed entry's signature must be its
    identity key's (:func:`signature_problem`).
    """
    prev = genesis
    for i, line in enumerate(lines, 1):
        try:
            entry = load_json(line)
        except ValueError:
            return i, "not a JSON entry", None
        if not _has_fields(entry):
            return i, "its fields are not those of an entry", None
        try:
            canonical = canonical_bytes(entry, what="an audit entry")
            own = entry_hash(entry)
        except BundleError:
            return i, "holds a value canonical JSON refuses", None
        if canonical != line:
            return i, "not in canonical form (it was edited)", None
        if own != entry["hash"]:
            return i, "its hash does not match its content (the entry was edited)", None
        if entry["seq"] != i:
            return i, (f"its sequence number is {entry['seq']!r}, expected {i} (an entry was "
                       "removed, inserted or moved)"), None
        if prev is not None and entry["prev"] != prev:
            where = ("the license's hash: the log does not start at its first entry, or "
                     "belongs to another license") if i == 1 else (
                f"line {i - 1}'s hash (an entry was removed, inserted or moved)")
            return i, f"its prev is not {where}", None
        problem = signature_problem(entry)
        if problem is not None:
            return i, problem, None
        prev = entry["hash"]
    return None, "", prev if lines else None


def seal(entry: dict[str, Any], signer: Any = None) -> dict[str, Any]:
    """Set ``entry``'s ``hash`` and, with an identity (``signer``), its ``signature``."""
    entry["hash"] = entry_hash(entry)
    if signer is not None:
        entry["signature"] = base64.b64encode(
            signer.sign(SIGNATURE_DOMAIN + entry["hash"].encode("ascii"))).decode("ascii")
    return entry


@dataclass(frozen=True)
class AuditVerification:
    """The result of checking an audit log's chain.

    Attributes
    ----------
    path : Path
    ok : bool
        The chain is intact (truthiness is ``ok`` too).
    entries : int
        Lines in the log.
    head : str or None
        The last entry's hash (None for an empty log, or when the chain is broken).
    line : int or None
        The first broken line (1-based), when broken.
    reason : str
        What is wrong with that line ("" when intact).
    genesis_checked : bool
        Whether the first entry was checked against the license's hash.
    """

    path: Path
    ok: bool
    entries: int
    head: str | None
    line: int | None = None
    reason: str = ""
    genesis_checked: bool = False

    def __bool__(self) -> bool:
        return self.ok

    def summary(self) -> str:
        """One line saying whether the chain holds."""
        if self.ok:
            tied = ("; it starts from the license's hash" if self.genesis_checked
                    else "; its start was not checked against a license")
            return f"Audit log {self.path.name}: {self.entries} entries, chain intact{tied}."
        return f"Audit log {self.path.name}: BROKEN at line {self.line}: {self.reason}"


class AuditLog:
    """An append-only, hash-chained JSON lines file.

    Parameters
    ----------
    path : str or path-like
        The log file (created on the first append).
    genesis : str or bytes, optional
        What the first entry's ``prev`` is: the SHA-256 hex of the bundle's ``license.json``,
        or those bytes themselves. Needed to start a new log; when given, :meth:`verify` also
        checks the first entry against it. :meth:`for_bundle` sets it.

    Examples
    --------
    >>> log = AuditLog.for_bundle("release-2026")           # release-2026.audit.jsonl
    >>> log.verify().ok
    True
    """

    def __init__(self, path: str | os.PathLike[str], *, genesis: str | bytes | None = None) -> None:
        self._path = Path(path)
        if isinstance(genesis, bytes):
            genesis = hashlib.sha256(genesis).hexdigest()
        if genesis is not None and (
            not isinstance(genesis, str) or len(genesis) != 64
            or any(c not in "0123456789abcdef" for c in genesis)
        ):
            raise ParameterError(
                "The 'genesis' of an AuditLog is the SHA-256 hex of license.json (64 lowercase "
                "hex digits) or the license.json bytes."
            )
        self._genesis = genesis

    @classmethod
    def for_bundle(
        cls, bundle: str | os.PathLike[str], path: str | os.PathLike[str] | None = None
    ) -> AuditLog:
        """The log of a bundle: at ``path``, or ``<bundle>.audit.jsonl`` beside the folder;
        its chain starts from the hash of the bundle's ``license.json`` (of empty bytes when the
        file is missing, so even a failed open of a damaged bundle is logged). A ``path`` named
        like an SQLite store (:data:`SQLITE_SUFFIXES`) gives a
        :class:`~anonlab.bundle.audit_sqlite.SqliteAuditLog`."""
        from anonlab.bundle.layout import LICENSE_JSON, audit_path_for

        folder = Path(bundle)
        target = Path(path) if path is not None else audit_path_for(folder)
        try:
            resolved = target.resolve()
            inside = resolved.is_relative_to(folder.resolve())
        except OSError:  # pragma: no cover - unresolvable paths
            inside = False
        if inside:
            raise ParameterError(
                f"The audit log {str(target)!r} is inside the bundle folder, where it would break "
                "the bundle's signature (every file there must be in the manifest). Keep it "
                f"beside the folder, e.g. {str(audit_path_for(folder))!r}."
            )
        try:
            license_bytes = (folder / LICENSE_JSON).read_bytes()
        except OSError:
            license_bytes = b""
        if cls is AuditLog:
            return open_log(target, genesis=license_bytes)
        return cls(target, genesis=license_bytes)

    @property
    def path(self) -> Path:
        """The log file."""
        return self._path

    @property
    def genesis(self) -> str | None:
        """The first entry's expected ``prev``, when known."""
        return self._genesis

    # -- writing ----------------------------------------------------------------------------------
    def append(
        self,
        *,
        action: str,
        outcome: str,
        user: str,
        role: str | None = None,
        purpose: str | None = None,
        reason: str | None = None,
        license_id: str | None = None,
        bundle: str | None = None,
        declared_action: str | None = None,
        test_clock: bool = False,
        identity: Any = None,
        deletion: dict[str, Any] | None = None,
        status_serial: int | None = None,
    ) -> dict[str, Any]:
        """Append one entry and return it (with its ``seq``, ``prev`` and ``hash``).

        ``declared_action`` (the action on the data an open declared), ``test_clock`` (the
        entry is made under the test clock: ``"clock": "test"``), ``identity`` (an
        :class:`~anonlab.bundle.identity.Identity`: the entry names its key and is signed by
        it; or ``"unauthenticated"``), ``deletion`` and ``status_serial`` add the
        :data:`OPTIONAL_FIELDS`; left out, the entry has exactly :data:`FIELDS`.

        Raises
        ------
        ParameterError
            An unknown action or outcome, or a text field too long or with control characters.
        BundleError
            The log cannot be written (nothing of the entry stays in the file), or its last
            entry is damaged (an edited last line: appending would extend a broken chain; keep
            the file for the licensor and start a new log). A torn last line left by an
            interrupted write is not an error: it is removed and a repair entry written first.
        """
        if action not in ACTIONS:
            raise ParameterError(f"Unknown audit action {action!r}; one of {', '.join(ACTIONS)}.")
        if outcome not in OUTCOMES:
            raise ParameterError(
                f"Unknown audit outcome {outcome!r}; one of {', '.join(OUTCOMES)}.")
        fields: dict[str, Any] = {
            "action": action, "outcome": outcome,
            "user": _check_text(user, "user", required=True),
            "role": _check_text(role, "role", required=False),
            "purpose": _check_text(purpose, "purpose", required=False),
            "reason": _check_text(reason, "reason", required=False),
            "license_id": _check_text(license_id, "license_id", required=False),
            "bundle": None if bundle is None else str(bundle)[:MAX_TEXT],
        }
        if declared_action is not None:
            fields["declared_action"] = _check_text(declared_action, "declared_action",
                                                    required=True)
        if test_clock:
            fields["clock"] = "test"
        signer = None
        if identity == "unauthenticated":
            fields["identity"] = "unauthenticated"
        elif identity is not None:
            signer = identity
            fields["identity"] = identity.fingerprint
            fields["identity_key"] = identity.public_key.base64
            if identity.certificate is not None:
                fields["identity_certificate"] = identity.certificate.to_dict()
        if status_serial is not None:
            if not isinstance(status_serial, int) or isinstance(status_serial, bool):
                raise ParameterError("status_serial must be an int.")
            fields["status_serial"] = status_serial
        if deletion is not None:
            canonical_bytes(deletion, what="a deletion certificate")
            fields["deletion"] = deletion
        return self._append_entry(fields, signer)

    def _append_entry(self, fields: dict[str, Any], signer: Any) -> dict[str, Any]:
        """Write the entry (``fields`` and the time, seq, prev, hash and signature) under the
        log's lock; the storage step a store other than a JSON lines file replaces."""
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self._path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            raise BundleError(
                f"Cannot write the audit log {str(self._path)!r}: {exc.strerror}. Access is "
                "only granted when it is logged; choose a writable path with audit_log=."
            ) from None
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            seq, prev, torn = self._tail(fd)
            if torn is not None:  # cut the torn last line off, and record that first
                prev = self._repair(fd, torn, user=fields["user"] or "unknown", seq=seq,
                                    prev=prev)
                seq += 1
            entry = self._record(fd, {"time": _utc_stamp(), **fields, "seq": seq,
                                      "prev": prev}, signer)
        except OSError as exc:
            raise BundleError(
                f"Cannot write the audit log {str(self._path)!r}: {exc.strerror}."
            ) from None
        finally:
            os.close(fd)  # closing releases the lock
        return entry

    def _record(self, fd: int, entry: dict[str, Any], signer: Any = None) -> dict[str, Any]:
        """Hash (and sign) ``entry``, write it as one whole line and fsync; on any failure cut
        the file back to where it was, so that it never ends with part of a record."""
        seal(entry, signer)
        line = canonical_bytes(entry, what="an audit entry") + b"\n"
        start = os.fstat(fd).st_size
        try:
            written = os.write(fd, line)
            if written != len(line):
                raise OSError(errno.ENOSPC, f"only {written} of {len(line)} bytes were written "
                              "(disk full?)")
            os.fsync(fd)
        except OSError:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, start)
                os.fsync(fd)
            raise
        return entry

    def _repair(self, fd: int, torn: bytes, *, user: str, seq: int, prev: str) -> str:
        """Cut the torn last line off and write the repair entry; returns its hash. Should the
        entry not be written, the torn bytes are put back (the file is left as it was found)."""
        end = os.fstat(fd).st_size - len(torn)
        os.ftruncate(fd, end)
        try:
            return str(self._record(fd, {
                "time": _utc_stamp(), "action": REPAIR[0], "outcome": REPAIR[1], "user": user,
                "role": None, "purpose": None, "license_id": None, "bundle": None,
                "reason": f"torn_tail: removed {len(torn)} bytes without a line end left by an "
                          f"interrupted write (sha256 {hashlib.sha256(torn).hexdigest()[:16]})",
                "seq": seq, "prev": prev})["hash"])
        except OSError:
            with contextlib.suppress(OSError):
                os.write(fd, torn)
                os.fsync(fd)
            raise

    def _tail(self, fd: int) -> tuple[int, str, bytes | None]:
        """The next seq and prev, from the last whole line of the open log, and the bytes of a
        torn last line (no line end, at most :data:`MAX_TORN_BYTES`) when there is one."""
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            end = self._last_line_start(fd, size)
            if size - end > MAX_TORN_BYTES:
                raise BundleError(
                    f"The audit log {str(self._path)!r} ends with {size - end:,} bytes without a "
                    "line end: not an interrupted write of an entry, but a damaged or edited "
                    "file. Keep the file for the licensor and start a new log.")
            seq, prev = self._tail_of(fd, end)
            return seq, prev, os.pread(fd, size - end, end)
        seq, prev = self._tail_of(fd, size)
        return seq, prev, None

    @staticmethod
    def _last_line_start(fd: int, size: int) -> int:
        """Where the line holding byte ``size - 1`` starts (after the previous line end)."""
        start = size
        while start > 0:
            step = min(4096, start)
            chunk = os.pread(fd, step, start - step)
            cut = chunk.rfind(b"\n")
            if cut >= 0:
                return start - step + cut + 1
            start -= step
        return 0

    def _tail_of(self, fd: int, size: int) -> tuple[int, str]:
        """The next seq and prev of the log's first ``size`` bytes (which end with a line end)."""
        if size == 0:
            if self._genesis is None:
                raise ParameterError(
                    f"The audit log {str(self._path)!r} is new and its chain needs a start: "
                    "create it with AuditLog.for_bundle(bundle) or pass genesis= (the SHA-256 of "
                    "license.json)."
                )
            return 1, self._genesis
        start = self._last_line_start(fd, size - 1)
        last = os.pread(fd, size - start, start).rstrip(b"\n")
        try:
            entry = load_json(last)
            ok = (_has_fields(entry)
                  and entry_hash(entry) == entry["hash"]
                  and isinstance(entry["seq"], int) and entry["seq"] >= 1)
        except (ValueError, BundleError):
            ok = False
        if not ok:
            raise BundleError(
                f"The last entry of the audit log {str(self._path)!r} does not match its hash "
                "(it was edited or damaged). Keep the file for the licensor and start a new log; "
                f"`anonlab audit {self._path}` shows where the chain breaks."
            )
        return entry["seq"] + 1, entry["hash"]

    # -- reading ----------------------------------------------------------------------------------
    def _read(self) -> bytes:
        try:
            return self._path.read_bytes()
        except FileNotFoundError:
            return b""
        except OSError as exc:
            raise BundleError(
                f"Cannot read the audit log {str(self._path)!r}: {exc.strerror}.") from None

    def _lines(self) -> list[bytes]:
        """The log's records, one canonical JSON line each (without line ends), in order; what a
        store other than a JSON lines file replaces, with :meth:`_append_entry` and
        :meth:`verify`."""
        return self._read().splitlines()

    def entries(self) -> list[dict[str, Any]]:
        """The entries as dicts, in file order (unverified: see :meth:`verify`).

        Raises
        ------
        BundleError
            A line is not a JSON object.
        """
        out = []
        for i, line in enumerate(self._lines(), 1):
            try:
                entry = load_json(line)
            except ValueError:
                entry = None
            if not isinstance(entry, dict):
                raise BundleError(f"Line {i} of the audit log {str(self._path)!r} is not an entry.")
            out.append(entry)
        return out

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.entries())

    def __len__(self) -> int:
        return len(self._lines())

    def latest_time(self) -> dt.datetime | None:
        """The latest ``time`` of the log's entries (None when empty or none is readable).

        Used to detect a clock set back (:func:`anonlab.bundle.clock.check_rollback`): the
        latest, not the last, so an entry written at a rolled-back time does not lower it.
        Unverified, like :meth:`entries`; an unreadable line is skipped.
        """
        latest: dt.datetime | None = None
        for line in self._lines():
            try:
                entry = load_json(line)
                when = dt.datetime.strptime(entry["time"], "%Y-%m-%dT%H:%M:%S.%fZ")
            except (ValueError, TypeError, KeyError, BundleError):
                continue
            when = when.replace(tzinfo=dt.UTC)
            if latest is None or when > latest:
                latest = when
        return latest

    def latest_status_serial(self) -> int | None:
        """The highest ``status_serial`` of the log's entries (None when none has one): a status
        list older than that one was put back (unverified, like :meth:`latest_time`)."""
        serials = []
        for line in self._lines():
            try:
                value = load_json(line).get("status_serial")
            except (ValueError, AttributeError, BundleError):
                continue
            if isinstance(value, int) and not isinstance(value, bool):
                serials.append(value)
        return max(serials, default=None)

    def head(self) -> tuple[int, str] | None:
        """``(seq, hash)`` of the last entry of an intact log (None when empty).

        Raises
        ------
        BundleError
            The chain is broken.
        """
        result = self.verify()
        if not result.ok:
            raise BundleError(result.summary())
        return (result.entries, result.head) if result.head is not None else None

    def verify(self) -> AuditVerification:
        """Recompute the chain; name the first line that was edited, removed, inserted or moved.

        Checks, line by line: the line is a canonical JSON entry with exactly the known fields;
        its ``hash`` matches its content (an edit); its ``seq`` is its line number (a removed,
        inserted or moved entry); its ``prev`` is the previous line's hash (the first line's,
        the license's hash when the log knows it).
        """
        raw = self._read()
        lines = raw.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        elif raw:
            return self._broken(len(lines), len(lines), "the last line is incomplete (no line end)")
        return self._verification(lines)

    def _verification(self, lines: list[bytes]) -> AuditVerification:
        line, reason, head = check_chain(lines, self._genesis)
        if line is not None:
            return self._broken(len(lines), line, reason)
        return AuditVerification(self._path, True, len(lines), head,
                                 genesis_checked=self._genesis is not None and bool(lines))

    def _broken(self, entries: int, line: int, reason: str) -> AuditVerification:
        return AuditVerification(self._path, False, entries, None, line=line, reason=reason,
                                 genesis_checked=self._genesis is not None)

    def __repr__(self) -> str:
        return f"AuditLog({str(self._path)!r})"


def open_log(path: str | os.PathLike[str], genesis: str | bytes | None = None) -> AuditLog:
    """The audit log at ``path``: a :class:`~anonlab.bundle.audit_sqlite.SqliteAuditLog` when its
    name ends with one of :data:`SQLITE_SUFFIXES`, else a JSON lines :class:`AuditLog`
    (``genesis`` as for either)."""
    if Path(path).suffix.lower() in SQLITE_SUFFIXES:
        from anonlab.bundle.audit_sqlite import SqliteAuditLog

        return SqliteAuditLog(path, genesis=genesis)
    return AuditLog(path, genesis=genesis)

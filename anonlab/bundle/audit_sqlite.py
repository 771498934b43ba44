"""The access log in an SQLite database: the records of :class:`~anonlab.bundle.audit.AuditLog`,
one row each.

A store named ``….sqlite``, ``….sqlite3`` or ``….db``
(:data:`~anonlab.bundle.audit.SQLITE_SUFFIXES`) is a :class:`SqliteAuditLog`
(:meth:`AuditLog.for_bundle <anonlab.bundle.audit.AuditLog.for_bundle>` and
:func:`~anonlab.bundle.audit.open_log` pick it by the name). Its tables::

    meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)     format, version, genesis
    entries(seq INTEGER PRIMARY KEY, line BLOB NOT NULL)

``line`` is the entry's canonical JSON, byte for byte the line a JSON lines log would hold (without
the line end), so the chain is the same and :func:`~anonlab.bundle.audit.check_chain` checks it
unchanged; :meth:`SqliteAuditLog.export_jsonl` writes the store as such a log. ``meta`` holds
``format`` (``"anonlab-audit"``), ``version`` (``"1"``) and ``genesis`` (the hash the first entry
chains from, the SHA-256 of the license's ``license.json``; informational: the file states it of
itself, so :meth:`~SqliteAuditLog.verify` checks the start only against a genesis it is given).

Append-only at the database level: triggers abort any ``UPDATE`` or ``DELETE`` of ``entries`` and
an ``INSERT`` that is not the next ``seq`` (which also refuses ``INSERT OR REPLACE``), and any
change to ``meta``. That stops mistakes and casual edits, not the owner: whoever can write the
file can drop the triggers, or rewrite the whole database with a new chain. :meth:`verify` finds
an edited, removed, inserted or moved row, but a rewritten chain or dropped last rows verify; the
anchor against that is what left the licensee's hands: the signed usage report and the head
(:meth:`~anonlab.bundle.audit.AuditLog.head`) sent to the licensor, which a later store must
extend.

An append is one transaction: ``BEGIN IMMEDIATE`` (the database's write lock), read the last row
and check it matches its hash (a damaged last entry refuses the append with
:class:`~anonlab.errors.BundleError`, as for the file log), insert the entry, ``COMMIT`` with
``synchronous=FULL``. Concurrent writers, in threads or processes, wait for the lock up to
:data:`BUSY_TIMEOUT` seconds (SQLite retries with short sleeps, so not strictly in arrival
order; a writer that gives up raises :class:`~anonlab.errors.BundleError` and writes nothing), and
every record is chained; a commit either happens whole or not at all, so there is never a torn
record (no repair entries; a process killed mid-commit leaves a hot ``-journal`` that the next
connection rolls back). SQLite's locks need a
local file system (not NFS or SMB).

The database keeps SQLite's default rollback journal, not WAL: every committed record is in the
one file, which can be copied or sent as it is (in WAL mode recent records live in a ``-wal``
file beside it until a checkpoint). While a write is under way a ``-journal`` file appears beside
it. The file is created with mode 0o644 less the umask, as the JSON lines log is: it holds no data
values, and the licensee shows it to the licensor.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from anonlab._files import umask, write_atomic
from anonlab._plaintext import load_json
from anonlab.bundle import audit as _audit
from anonlab.bundle.audit import (
    SQLITE_SUFFIXES,
    AuditLog,
    AuditVerification,
    _has_fields,
    entry_hash,
    seal,
)
from anonlab.bundle.canonical import canonical_bytes
from anonlab.errors import BundleError, ParameterError

__all__ = ["BUSY_TIMEOUT", "FORMAT", "VERSION", "SqliteAuditLog"]

FORMAT = "anonlab-audit"
"""The ``format`` in ``meta``."""
VERSION = "1"
"""The ``version`` in ``meta`` this module reads and writes."""
BUSY_TIMEOUT = 30.0
"""Seconds a writer (or reader) waits for another's lock before giving up."""

_SCHEMA = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE entries (seq INTEGER PRIMARY KEY, line BLOB NOT NULL)",
    "CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries BEGIN "
    "SELECT RAISE(ABORT, 'anonlab audit entries are append-only: UPDATE refused'); END",
    "CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries BEGIN "
    "SELECT RAISE(ABORT, 'anonlab audit entries are append-only: DELETE refused'); END",
    "CREATE TRIGGER entries_next_only BEFORE INSERT ON entries "
    "WHEN NEW.seq IS NOT (SELECT COALESCE(MAX(seq), 0) + 1 FROM entries) BEGIN "
    "SELECT RAISE(ABORT, 'anonlab audit entries are append-only: seq must be the next number'); "
    "END",
    "CREATE TRIGGER meta_no_update BEFORE UPDATE ON meta BEGIN "
    "SELECT RAISE(ABORT, 'anonlab audit meta is fixed: UPDATE refused'); END",
    "CREATE TRIGGER meta_no_delete BEFORE DELETE ON meta BEGIN "
    "SELECT RAISE(ABORT, 'anonlab audit meta is fixed: DELETE refused'); END",
    "CREATE TRIGGER meta_no_replace BEFORE INSERT ON meta "
    "WHEN EXISTS (SELECT 1 FROM meta WHERE key = NEW.key) BEGIN "
    "SELECT RAISE(ABORT, 'anonlab audit meta is fixed: a key is set once'); END",
)

# SQLite's primary result codes (the low byte of an extended code)
_BUSY, _LOCKED, _CORRUPT, _NOTADB = 5, 6, 11, 26


def _as_bytes(value: Any) -> bytes:
    """A row's ``line`` as bytes (a BLOB as it is; anything else stored there by hand as its
    text, which the chain check then judges)."""
    if isinstance(value, bytes):
        return value
    return str(value).encode("utf-8", "surrogateescape")


class SqliteAuditLog(AuditLog):
    """An append-only, hash-chained audit log in an SQLite database file.

    The same records, chain and checks as :class:`~anonlab.bundle.audit.AuditLog`, one row
    each (see :mod:`anonlab.bundle.audit_sqlite`); usually made by
    ``AuditLog.for_bundle(bundle, "….audit.sqlite")``.

    Parameters
    ----------
    path : str or path-like
        The database file, named ``….sqlite``, ``….sqlite3`` or ``….db`` (created on the first
        append; a missing one reads as empty).
    genesis : str or bytes, optional
        As for :class:`~anonlab.bundle.audit.AuditLog`: the SHA-256 hex of ``license.json``, or
        those bytes. Needed to start a new store; when given, :meth:`verify` checks the first
        entry against it.

    Raises
    ------
    ParameterError
        ``path`` is not named like an SQLite store, or ``genesis`` is malformed.
    BundleError
        (on use) The file is not an SQLite database, not an anonlab audit store, damaged, or
        stayed locked by another writer for :data:`BUSY_TIMEOUT` seconds.

    Examples
    --------
    >>> log = AuditLog.for_bundle("release-2026", "release-2026.audit.sqlite")
    >>> log.verify().ok
    True
    >>> log.export_jsonl("release-2026.audit.jsonl")     # the same lines, for the licensor
    AuditLog('release-2026.audit.jsonl')
    """

    def __init__(self, path: str | os.PathLike[str], *, genesis: str | bytes | None = None) -> None:
        super().__init__(path, genesis=genesis)
        if self._path.suffix.lower() not in SQLITE_SUFFIXES:
            raise ParameterError(
                f"An SQLite audit store's name ends with {', '.join(SQLITE_SUFFIXES)} (got "
                f"{str(self._path)!r}): open, verify and export pass a log on by its path and "
                "read any other name as a JSON lines log.")

    @property
    def stored_genesis(self) -> str | None:
        """The genesis the store records in ``meta`` (None for an empty or missing store);
        what the file says of itself, unchecked."""
        with self._reading() as con:
            meta = None if con is None else self._meta(con, create=False)
        return None if meta is None else meta.get("genesis")

    # -- connections ------------------------------------------------------------------------------
    def _failure(self, exc: sqlite3.Error, doing: str) -> BundleError:
        """A BundleError for an SQLite error (its message is SQLite's, never a record's)."""
        where = repr(str(self._path))
        code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
        if code == _NOTADB:
            return BundleError(
                f"{where} is not an SQLite database, so not an audit store (a name ending with "
                f"{', '.join(SQLITE_SUFFIXES)} is read as one). Give the path of the store, or "
                "name a JSON lines log ….audit.jsonl.")
        if code == _CORRUPT:
            return BundleError(
                f"The audit store {where} is damaged (SQLite: {exc}). Keep the file for the "
                "licensor and start a new store.")
        if code in (_BUSY, _LOCKED):
            return BundleError(
                f"The audit store {where} stayed locked by another process for "
                f"{BUSY_TIMEOUT:g} s; nothing was {'written' if doing == 'write' else 'read'}. "
                "Try again.")
        return BundleError(f"Cannot {doing} the audit store {where}: {exc} (SQLite).")

    def _connect(self) -> sqlite3.Connection:
        """A connection to the existing file, in autocommit mode (transactions are explicit),
        with the busy timeout; read-only when the file is write-protected."""
        uri = self._path.absolute().as_uri() + "?mode=rw"
        con = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT, isolation_level=None)
        try:
            con.execute("PRAGMA trusted_schema = OFF")  # a schema from a file runs no functions
            con.execute("PRAGMA synchronous = FULL")
        except BaseException:
            con.close()
            raise
        return con

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection | None]:
        """A connection inside a read transaction (one consistent snapshot); None when the file
        does not exist."""
        try:
            exists = self._path.exists()
        except OSError as exc:
            raise BundleError(
                f"Cannot read the audit store {str(self._path)!r}: {exc.strerror}.") from None
        if not exists:
            yield None
            return
        try:
            con = self._connect()
        except sqlite3.Error as exc:
            raise self._failure(exc, "read") from None
        try:
            con.execute("BEGIN")
            yield con
        except sqlite3.Error as exc:
            raise self._failure(exc, "read") from None
        finally:
            con.close()  # ends the read transaction

    def _meta(self, con: sqlite3.Connection, *, create: bool) -> dict[str, str] | None:
        """The store's ``meta``, checked: an anonlab audit store of this version. A database
        without tables (a new file) is None, or, with ``create``, gets the schema (inside the
        caller's transaction, with the first entry)."""
        tables = {row[0] for row in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables:
            if not create:
                return None
            if self._genesis is None:
                raise ParameterError(
                    f"The audit store {str(self._path)!r} is new and its chain needs a start: "
                    "create it with AuditLog.for_bundle(bundle, path) or pass genesis= (the "
                    "SHA-256 of license.json).")
            for statement in _SCHEMA:
                con.execute(statement)
            meta = {"format": FORMAT, "version": VERSION, "genesis": self._genesis}
            con.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", meta.items())
            return meta
        where = repr(str(self._path))
        if not {"meta", "entries"} <= tables:
            raise BundleError(
                f"{where} is an SQLite database but not an anonlab audit store (it has no "
                f"{'meta' if 'meta' not in tables else 'entries'} table). Give the path of the "
                "store, or a new file.")
        meta = {str(k): str(v) for k, v in con.execute("SELECT key, value FROM meta")}
        if meta.get("format") != FORMAT:
            raise BundleError(
                f"{where} is an SQLite database but not an anonlab audit store (its meta table "
                f"has no format {FORMAT!r}).")
        if meta.get("version") != VERSION:
            raise BundleError(
                f"The audit store {where} is version {meta.get('version')!r}; this anonlab reads "
                f"version {VERSION!r}. Read it with the anonlab that wrote it.")
        return meta

    # -- writing ----------------------------------------------------------------------------------
    def _append_entry(self, fields: dict[str, Any], signer: Any) -> dict[str, Any]:
        """Write the entry in one ``BEGIN IMMEDIATE`` … ``COMMIT`` transaction after checking the
        last row (see the module)."""
        where = repr(str(self._path))
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644))
        except OSError as exc:
            raise BundleError(
                f"Cannot write the audit store {where}: {exc.strerror}. Access is only granted "
                "when it is logged; choose a writable path with audit_log=.") from None
        try:
            con = self._connect()
        except sqlite3.Error as exc:
            raise self._failure(exc, "write") from None
        try:
            con.execute("BEGIN IMMEDIATE")
            try:
                meta = self._meta(con, create=True)
                seq, prev = self._last_row(con, None if meta is None else meta.get("genesis"))
                entry = seal({"time": _audit._utc_stamp(), **fields, "seq": seq, "prev": prev},
                             signer)
                con.execute("INSERT INTO entries (seq, line) VALUES (?, ?)",
                            (seq, canonical_bytes(entry, what="an audit entry")))
                con.execute("COMMIT")
            except BaseException:
                if con.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        con.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise self._failure(exc, "write") from None
        finally:
            con.close()
        return entry

    def _last_row(self, con: sqlite3.Connection, stored: str | None) -> tuple[int, str]:
        """The next seq and prev: from the last row, which must be an entry matching its hash
        and its row number; of an empty store, from the genesis."""
        row = con.execute("SELECT seq, line FROM entries ORDER BY seq DESC LIMIT 1").fetchone()
        if row is None:
            genesis = self._genesis if self._genesis is not None else stored
            if genesis is None:
                raise ParameterError(
                    f"The audit store {str(self._path)!r} is empty and its chain needs a start: "
                    "pass genesis= (the SHA-256 of license.json).")
            return 1, genesis
        seq, line = row
        try:
            entry = load_json(_as_bytes(line))
            ok = (_has_fields(entry) and entry_hash(entry) == entry["hash"]
                  and isinstance(seq, int) and seq >= 1 and entry["seq"] == seq
                  and not isinstance(entry["seq"], bool))
        except (ValueError, TypeError, BundleError):
            ok = False
        if not ok:
            raise BundleError(
                f"The last entry of the audit store {str(self._path)!r} (row {seq!r}) does not "
                "match its hash or its row (it was edited or damaged). Keep the file for the "
                f"licensor and start a new store; `anonlab audit {self._path}` shows where the "
                "chain breaks.")
        return seq + 1, str(entry["hash"])

    # -- reading ----------------------------------------------------------------------------------
    def _rows(self) -> list[tuple[Any, bytes]]:
        """``(seq, line)`` of every row, by ``seq``."""
        with self._reading() as con:
            if con is None or self._meta(con, create=False) is None:
                return []
            return [(seq, _as_bytes(line)) for seq, line in
                    con.execute("SELECT seq, line FROM entries ORDER BY seq")]

    def _lines(self) -> list[bytes]:
        """The records, one canonical JSON line each, by ``seq``."""
        return [line for _, line in self._rows()]

    def __len__(self) -> int:
        with self._reading() as con:
            if con is None or self._meta(con, create=False) is None:
                return 0
            return int(con.execute("SELECT COUNT(*) FROM entries").fetchone()[0])

    def verify(self) -> AuditVerification:
        """Recompute the chain, as :meth:`AuditLog.verify <anonlab.bundle.audit.AuditLog.verify>`
        does, and check each row's ``seq`` is its position (a row removed, inserted or
        renumbered with the triggers dropped); name the first broken line (row position, from 1).

        Raises
        ------
        BundleError
            The file is not an SQLite audit store, or cannot be read.
        """
        rows = self._rows()
        result = self._verification([line for _, line in rows])
        for i, (seq, _) in enumerate(rows, 1):
            if seq != i:
                if result.ok or (result.line is not None and result.line > i):
                    return self._broken(len(rows), i, (
                        f"it is stored as row {seq!r}, expected {i} (a row was removed, inserted "
                        "or renumbered)"))
                break
        return result

    # -- export -----------------------------------------------------------------------------------
    def export_jsonl(self, path: str | os.PathLike[str]) -> AuditLog:
        """Write the store's records as a JSON lines log at ``path`` (the same bytes, one line
        each), atomically, and return that log (with this store's genesis).

        The records are written as they are, checked or not: :meth:`verify` of the result says
        what :meth:`verify` of the store says (but for rows stored out of their place, which a
        file cannot show).

        Raises
        ------
        ParameterError
            ``path`` is named like an SQLite store, or is this store.
        BundleError
            The store cannot be read, or ``path`` written.
        """
        target = Path(path)
        if target.suffix.lower() in SQLITE_SUFFIXES:
            raise ParameterError(
                f"export_jsonl writes a JSON lines log; {str(target)!r} is named like an SQLite "
                "store. Name it ….audit.jsonl.")
        try:
            same = target.exists() and os.path.samefile(target, self._path)
        except OSError:
            same = False
        if same:
            raise ParameterError(
                f"export_jsonl would overwrite the store itself ({str(target)!r}).")
        data = b"".join(line + b"\n" for line in self._lines())
        try:
            write_atomic(target, data, mode=0o644 & ~umask())
        except OSError as exc:
            raise BundleError(
                f"Cannot write the audit log {str(target)!r}: {exc.strerror}.") from None
        return AuditLog(target, genesis=self._genesis)

    def __repr__(self) -> str:
        return f"SqliteAuditLog({str(self._path)!r})"

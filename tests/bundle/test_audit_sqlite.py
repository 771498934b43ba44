"""The audit log in SQLite: the JSON lines log's records byte for byte, append-only triggers,
concurrent writers, signed entries, and the same checks."""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import multiprocessing
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from anonlab._files import umask
from anonlab.bundle import AuditLog, open_bundle
from anonlab.bundle import verify as verify_bundle
from anonlab.bundle.audit import entry_hash, open_log
from anonlab.bundle.audit_sqlite import BUSY_TIMEOUT, SqliteAuditLog
from anonlab.bundle.canonical import canonical_bytes
from anonlab.bundle.identity import Identity
from anonlab.bundle.signing import SigningKey
from anonlab.errors import BundleError, ParameterError
from tests.bundle.conftest import INSIDE, Keys, Source, make_bundle

LICENSE = b'{"id":"urn:uuid:test"}'
GENESIS = hashlib.sha256(LICENSE).hexdigest()
STAMP = "2026-05-01T12:00:00.123456Z"


def _fill(log: AuditLog, n: int = 5, identity: Any = None) -> AuditLog:
    for i in range(n):
        log.append(action="open", outcome="allowed" if i % 2 == 0 else "refused",
                   user=f"user{i}", role="analyst", purpose="statistics",
                   reason=None if i % 2 == 0 else "purpose", license_id="urn:uuid:test",
                   bundle="b", identity=identity)
    return log


def _store(tmp_path: Path, n: int = 5, identity: Any = None) -> SqliteAuditLog:
    log = SqliteAuditLog(tmp_path / "x.audit.sqlite", genesis=LICENSE)
    _fill(log, n, identity)
    return log


@pytest.fixture
def db() -> Iterator[Any]:
    """Open a store's file directly, as its owner could (autocommit)."""
    cons: list[sqlite3.Connection] = []

    def connect(log: AuditLog, *, drop_triggers: bool = False) -> sqlite3.Connection:
        con = sqlite3.connect(log.path, isolation_level=None)
        cons.append(con)
        if drop_triggers:
            for (name,) in con.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
                con.execute(f"DROP TRIGGER {name}")
        return con

    yield connect
    for con in cons:
        con.close()


def _row(con: sqlite3.Connection, seq: int) -> dict[str, Any]:
    entry: dict[str, Any] = json.loads(
        con.execute("SELECT line FROM entries WHERE seq = ?", (seq,)).fetchone()[0])
    return entry


def _put(con: sqlite3.Connection, seq: int, entry: dict[str, Any]) -> None:
    con.execute("UPDATE entries SET line = ? WHERE seq = ?", (canonical_bytes(entry), seq))


# -- the records ----------------------------------------------------------------------------------
def test_round_trip(tmp_path: Path, db: Any) -> None:
    log = _store(tmp_path)
    entries = log.entries()
    assert [e["seq"] for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0]["prev"] == GENESIS
    for before, after in itertools.pairwise(entries):
        assert after["prev"] == before["hash"]
    assert all(e["hash"] == entry_hash(e) for e in entries)
    assert [e["user"] for e in log] == [f"user{i}" for i in range(5)]
    result = log.verify()
    assert result.ok and result.entries == 5 and result.head == entries[-1]["hash"]
    assert result.genesis_checked and "chain intact" in result.summary()
    assert log.head() == (5, entries[-1]["hash"])
    assert len(log) == 5
    assert log.stored_genesis == GENESIS == log.genesis
    assert log.latest_time() is not None
    assert repr(log) == f"SqliteAuditLog({str(log.path)!r})"
    # a fresh object on the same file reads the same records, and keeps appending the chain
    again = SqliteAuditLog(log.path)
    assert again.entries() == entries and not again.verify().genesis_checked
    again.append(action="verify", outcome="allowed", user="eve")
    assert log.verify().ok and len(log) == 6
    # the schema the brief names; the file is created as the JSON lines log is
    con = db(log)
    columns = [(r[1], r[2], r[3], r[5]) for r in con.execute("PRAGMA table_info(entries)")]
    assert columns == [("seq", "INTEGER", 0, 1), ("line", "BLOB", 1, 0)]
    assert dict(con.execute("SELECT key, value FROM meta")) == {
        "format": "anonlab-audit", "version": "1", "genesis": GENESIS}
    assert {r[0] for r in con.execute("SELECT typeof(line) FROM entries")} == {"blob"}
    assert (log.path.stat().st_mode & 0o777) == 0o644 & ~umask()
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_the_same_bytes_as_the_jsonl_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("anonlab.bundle.audit._utc_stamp", lambda: STAMP)
    who = Identity(SigningKey.generate())  # Ed25519 signatures are deterministic
    stores = [SqliteAuditLog(tmp_path / "x.audit.sqlite", genesis=LICENSE),
              AuditLog(tmp_path / "x.audit.jsonl", genesis=LICENSE)]
    for log in stores:
        _fill(log, 3)
        _fill(log, 2, who)
        log.append(action="open", outcome="allowed", user="ada", declared_action="read",
                   test_clock=True, identity="unauthenticated")
        log.append(action="purge", outcome="deleted", user="ada",
                   deletion={"license": "urn:uuid:test", "files": []})
    sql, jsonl = stores
    assert len(sql._lines()) == 7
    assert sql._lines() == jsonl._lines()
    assert b"".join(line + b"\n" for line in sql._lines()) == jsonl.path.read_bytes()
    assert sql.verify().head == jsonl.verify().head is not None
    exported = sql.export_jsonl(tmp_path / "exported.audit.jsonl")
    assert exported.path.read_bytes() == jsonl.path.read_bytes()


def test_a_missing_store_reads_empty_and_a_new_one_needs_a_genesis(tmp_path: Path) -> None:
    log = SqliteAuditLog(tmp_path / "none.sqlite3")
    assert (log.entries(), len(log), log.head(), log.stored_genesis) == ([], 0, None, None)
    assert log.verify().ok
    assert not log.path.exists()
    with pytest.raises(ParameterError, match="needs a start"):
        log.append(action="open", outcome="allowed", user="ada")
    assert log.entries() == [] and log.stored_genesis is None  # no schema was left behind
    SqliteAuditLog(log.path, genesis=LICENSE).append(action="open", outcome="allowed", user="a")
    assert log.stored_genesis == GENESIS and len(log) == 1


def test_appends_are_checked_like_the_file_logs(tmp_path: Path) -> None:
    log = _store(tmp_path, 1)
    with pytest.raises(ParameterError, match="Unknown audit action"):
        log.append(action="delete", outcome="allowed", user="ada")
    with pytest.raises(ParameterError, match="control character"):
        log.append(action="open", outcome="allowed", user="ada\u202e")
    assert len(log) == 1


# -- append-only ----------------------------------------------------------------------------------
@pytest.mark.parametrize("statement", [
    "UPDATE entries SET line = x'7b7d' WHERE seq = 2",
    "UPDATE entries SET seq = 9 WHERE seq = 5",
    "DELETE FROM entries WHERE seq = 5",
    "DELETE FROM entries",
    "INSERT OR REPLACE INTO entries (seq, line) VALUES (3, x'7b7d')",
    "INSERT INTO entries (seq, line) VALUES (7, x'7b7d')",
    "UPDATE meta SET value = 'x' WHERE key = 'genesis'",
    "DELETE FROM meta",
    "INSERT OR REPLACE INTO meta (key, value) VALUES ('genesis', 'x')",
])
def test_the_triggers_refuse_changes(tmp_path: Path, db: Any, statement: str) -> None:
    log = _store(tmp_path)
    before = log._lines()
    with pytest.raises(sqlite3.IntegrityError, match="anonlab audit"):
        db(log).execute(statement)
    assert log._lines() == before and log.verify().ok and log.stored_genesis == GENESIS


def test_a_raw_insert_of_the_next_row_passes_the_triggers_but_not_verify(tmp_path: Path,
                                                                          db: Any) -> None:
    log = _store(tmp_path)
    forged = dict(_row(db(log), 5), seq=6, user="mallory")
    db(log).execute("INSERT INTO entries (seq, line) VALUES (6, ?)", (canonical_bytes(forged),))
    result = log.verify()
    assert (result.ok, result.line) == (False, 6) and "hash" in result.reason


def test_an_edited_row_is_named(tmp_path: Path, db: Any) -> None:
    log = _store(tmp_path)
    con = db(log, drop_triggers=True)
    _put(con, 3, dict(_row(con, 3), user="mallory"))
    result = log.verify()
    assert (result.ok, result.line) == (False, 3)
    assert "edited" in result.reason and "line 3" in result.summary()


def test_an_edited_row_with_its_hash_recomputed_breaks_the_next(tmp_path: Path, db: Any) -> None:
    log = _store(tmp_path)
    con = db(log, drop_triggers=True)
    entry = dict(_row(con, 2), outcome="allowed")
    entry["hash"] = entry_hash(entry)
    _put(con, 2, entry)
    result = log.verify()
    assert (result.ok, result.line) == (False, 3) and "prev" in result.reason


def test_a_deleted_row_is_named(tmp_path: Path, db: Any) -> None:
    log = _store(tmp_path)
    db(log, drop_triggers=True).execute("DELETE FROM entries WHERE seq = 3")
    result = log.verify()
    assert (result.ok, result.line, result.entries) == (False, 3, 4)


def test_a_renumbered_row_is_named(tmp_path: Path, db: Any) -> None:
    # the entries keep their order and content: only the seq column gives it away
    log = _store(tmp_path)
    lines = log._lines()
    db(log, drop_triggers=True).execute("UPDATE entries SET seq = 9 WHERE seq = 5")
    assert log._lines() == lines
    result = log.verify()
    assert (result.ok, result.line) == (False, 5)
    assert "stored as row 9, expected 5" in result.reason
    with pytest.raises(BundleError, match=r"row 9"):
        log.append(action="open", outcome="allowed", user="ada")


def test_a_row_stored_as_text_is_judged_by_its_content(tmp_path: Path, db: Any) -> None:
    log = _store(tmp_path)
    con = db(log, drop_triggers=True)
    con.execute("UPDATE entries SET line = CAST(line AS TEXT) WHERE seq = 2")
    assert log.verify().ok
    con.execute("UPDATE entries SET line = 42 WHERE seq = 2")
    result = log.verify()
    assert (result.ok, result.line) == (False, 2)


def test_a_damaged_last_entry_refuses_appends(tmp_path: Path, db: Any) -> None:
    log = _store(tmp_path)
    con = db(log, drop_triggers=True)
    _put(con, 5, dict(_row(con, 5), user="mallory"))
    with pytest.raises(BundleError, match=r"last entry of the audit store .* \(row 5\)"):
        log.append(action="open", outcome="allowed", user="ada")
    assert len(log) == 5
    con.execute("UPDATE entries SET line = x'00ff' WHERE seq = 5")
    with pytest.raises(BundleError, match="does not match its hash"):
        log.append(action="open", outcome="allowed", user="ada")
    assert len(log) == 5


# -- other files at the path ----------------------------------------------------------------------
def test_a_file_that_is_not_sqlite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from anonlab.cli import main

    path = tmp_path / "log.db"
    garbage = b"not a database\n" * 300
    path.write_bytes(garbage)
    log = open_log(path, genesis=LICENSE)
    for call in (log.verify, log.entries, log.__len__, lambda: log.append(
            action="open", outcome="allowed", user="ada")):
        with pytest.raises(BundleError, match="is not an SQLite database"):
            call()
    assert path.read_bytes() == garbage
    assert main(["audit", str(path)]) == 1
    err = capsys.readouterr().err
    assert "is not an SQLite database" in err and "Traceback" not in err


def test_an_sqlite_database_of_another_kind(tmp_path: Path) -> None:
    other = tmp_path / "app.sqlite"
    with sqlite3.connect(other) as con:
        con.execute("CREATE TABLE users (name TEXT)")
    con.close()
    log = SqliteAuditLog(other, genesis=LICENSE)
    with pytest.raises(BundleError, match="not an anonlab audit store"):
        log.verify()
    with pytest.raises(BundleError, match="not an anonlab audit store"):
        log.append(action="open", outcome="allowed", user="ada")
    with sqlite3.connect(other) as con:
        assert [r[0] for r in con.execute("SELECT name FROM sqlite_master")] == ["users"]
    con.close()

    newer = _store(tmp_path, 1)
    with sqlite3.connect(newer.path) as con:
        con.execute("DROP TRIGGER meta_no_update")
        con.execute("UPDATE meta SET value = '2' WHERE key = 'version'")
    con.close()
    with pytest.raises(BundleError, match="is version '2'"):
        newer.entries()


def test_a_locked_store_waits_then_fails_clearly(tmp_path: Path, db: Any,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    log = _store(tmp_path, 1)
    monkeypatch.setattr("anonlab.bundle.audit_sqlite.BUSY_TIMEOUT", 0.2)
    holder = db(log)
    holder.execute("BEGIN IMMEDIATE")
    with pytest.raises(BundleError, match="stayed locked"):
        log.append(action="open", outcome="allowed", user="ada")
    holder.execute("ROLLBACK")
    log.append(action="open", outcome="allowed", user="ada")
    assert len(log) == 2 and BUSY_TIMEOUT == 30


# -- dispatch -------------------------------------------------------------------------------------
def test_the_store_is_picked_by_its_name(tmp_path: Path) -> None:
    folder = tmp_path / "release"
    folder.mkdir()
    (folder / "license.json").write_bytes(LICENSE)
    for name in ("release.audit.sqlite", "a.SQLite3", "b.db"):
        log = AuditLog.for_bundle(folder, tmp_path / name)
        assert type(log) is SqliteAuditLog and log.genesis == GENESIS
        assert type(open_log(tmp_path / name)) is SqliteAuditLog
    for name in ("release.audit.jsonl", "x.log"):
        assert type(AuditLog.for_bundle(folder, tmp_path / name)) is AuditLog
        assert type(open_log(tmp_path / name, genesis=LICENSE)) is AuditLog
    assert type(AuditLog.for_bundle(folder)) is AuditLog
    with pytest.raises(ParameterError, match="inside the bundle folder"):
        AuditLog.for_bundle(folder, folder / "audit.sqlite")
    with pytest.raises(ParameterError, match="name ends with"):
        SqliteAuditLog(tmp_path / "x.audit.jsonl")
    with pytest.raises(ParameterError, match="genesis"):
        open_log(tmp_path / "x.sqlite", genesis="abc")


def test_export_jsonl(tmp_path: Path) -> None:
    log = _store(tmp_path)
    out = log.export_jsonl(tmp_path / "out" / "x.audit.jsonl")
    assert type(out) is AuditLog and out.genesis == GENESIS
    assert out.path.read_bytes() == b"".join(line + b"\n" for line in log._lines())
    assert out.verify().ok and out.verify().genesis_checked and out.entries() == log.entries()
    assert (out.path.stat().st_mode & 0o777) == 0o644 & ~umask()
    assert sorted(p.name for p in out.path.parent.iterdir()) == ["x.audit.jsonl"]
    log.append(action="open", outcome="allowed", user="ada")
    assert len(log.export_jsonl(out.path)) == 6  # replaced whole
    with pytest.raises(ParameterError, match="named like an SQLite store"):
        log.export_jsonl(tmp_path / "copy.sqlite")
    link = tmp_path / "alias.jsonl"
    link.symlink_to(log.path)
    with pytest.raises(ParameterError, match="the store itself"):
        log.export_jsonl(link)
    assert log.verify().ok and len(log) == 6
    assert len(SqliteAuditLog(tmp_path / "empty.sqlite").export_jsonl(tmp_path / "e.jsonl")) == 0


def test_the_audit_command_reads_a_store(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    from anonlab.cli import main

    folder = tmp_path / "release"
    folder.mkdir()
    (folder / "license.json").write_bytes(LICENSE)
    beside = _fill(AuditLog.for_bundle(folder, tmp_path / "release.audit.sqlite"), 3)
    assert main(["audit", str(beside.path)]) == 0
    out = capsys.readouterr().out
    assert "3 entries, chain intact; it starts from the license's hash" in out
    assert "user2" in out
    assert main(["audit", str(beside.path), "--json"]) == 0
    assert [json.loads(line)["seq"] for line in capsys.readouterr().out.splitlines()] == [1, 2, 3]
    bare = _store(tmp_path / "elsewhere", 2)
    assert main(["audit", str(bare.path)]) == 0
    assert "its start was not checked" in capsys.readouterr().out
    with sqlite3.connect(bare.path) as con:
        con.execute("DROP TRIGGER entries_no_delete")
        con.execute("DELETE FROM entries WHERE seq = 1")
    con.close()
    assert main(["audit", str(bare.path)]) == 1
    assert "BROKEN at line 1" in capsys.readouterr().out


# -- concurrency ----------------------------------------------------------------------------------
def test_threads_append_without_losing_a_record(tmp_path: Path) -> None:
    log = SqliteAuditLog(tmp_path / "x.sqlite", genesis=LICENSE)
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            for i in range(25):
                log.append(action="open", outcome="allowed", user=f"t{k}", purpose=f"i-{i}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert log.verify().ok and len(log) == 100
    assert sorted((e["user"], e["purpose"]) for e in log) == sorted(
        (f"t{k}", f"i-{i}") for k in range(4) for i in range(25))


PROCESSES, APPENDS = 8, 50


def _append_many(bundle: str, path: str, k: int, start: Any) -> None:
    """One writer process: wait for the others, then append APPENDS entries."""
    log = AuditLog.for_bundle(bundle, path)
    start.wait(timeout=60)
    for i in range(APPENDS):
        log.append(action="open", outcome="allowed", user=f"process-{k}", purpose=f"i-{i}")


@pytest.mark.parametrize("name", ["release.audit.sqlite", "release.audit.jsonl"])
def test_processes_append_without_losing_a_record(tmp_path: Path, name: str) -> None:
    folder = tmp_path / "release"
    folder.mkdir()
    (folder / "license.json").write_bytes(LICENSE)
    path = tmp_path / name
    ctx = multiprocessing.get_context("forkserver")
    # the writers fork from a server that has anonlab imported (not a second each to import it)
    ctx.set_forkserver_preload(["anonlab.bundle.audit_sqlite", __name__])
    start = ctx.Barrier(PROCESSES + 1)
    workers = [ctx.Process(target=_append_many, args=(str(folder), str(path), k, start))
               for k in range(PROCESSES)]
    for w in workers:
        w.start()
    try:
        start.wait(timeout=60)
    finally:
        for w in workers:
            w.join(timeout=120)
    assert [w.exitcode for w in workers] == [0] * PROCESSES

    log = AuditLog.for_bundle(folder, path)
    assert type(log) is (SqliteAuditLog if name.endswith(".sqlite") else AuditLog)
    result = log.verify()
    assert result.ok and result.genesis_checked, result.summary()
    assert result.entries == len(log) == PROCESSES * APPENDS
    seen = [(e["user"], e["purpose"]) for e in log]
    assert sorted(seen) == sorted(
        (f"process-{k}", f"i-{i}") for k in range(PROCESSES) for i in range(APPENDS))
    for k in range(PROCESSES):  # each writer's records are in its order
        mine = [int(p[2:]) for u, p in seen if u == f"process-{k}"]
        assert mine == list(range(APPENDS))


# -- signed entries -------------------------------------------------------------------------------
def test_signed_entries_verify_and_a_flipped_signature_byte_is_named(tmp_path: Path,
                                                                     db: Any) -> None:
    who = Identity(SigningKey.generate())
    log = _store(tmp_path, 4, who)
    entries = log.entries()
    assert {e["identity"] for e in entries} == {who.fingerprint}
    assert all("signature" in e for e in entries)
    assert log.verify().ok

    con = db(log, drop_triggers=True)
    entry = _row(con, 2)
    signature = bytearray(base64.b64decode(entry["signature"]))
    signature[10] ^= 0x01
    entry["signature"] = base64.b64encode(bytes(signature)).decode("ascii")
    assert entry_hash(entry) == entry["hash"]  # the hash does not cover the signature
    _put(con, 2, entry)
    result = log.verify()
    assert (result.ok, result.line) == (False, 2)
    assert f"its signature is not {who.fingerprint}'s" in result.reason
    assert "line 2" in result.summary()


# -- with a real bundle ---------------------------------------------------------------------------
def test_open_and_verify_log_to_a_store(bundle_copy: Path, keys: Keys, tmp_path: Path) -> None:
    store = tmp_path / "logs" / "release.audit.sqlite"
    for _ in range(2):
        open_bundle(bundle_copy, purpose="statistics", role="analyst", user="ada",
                    public_key=keys.public, audit_log=store, now=INSIDE)
    log = AuditLog.for_bundle(bundle_copy, store)
    assert type(log) is SqliteAuditLog and len(log) == 2
    assert log.verify().ok and log.verify().genesis_checked
    open_bundle(bundle_copy, purpose="statistics", role="analyst", user="ada",
                public_key=keys.public, audit_log=log, now=INSIDE)
    assert len(log) == 3
    assert verify_bundle(bundle_copy, public_key=keys.public).ok  # the folder is untouched
    checked = verify_bundle(bundle_copy, public_key=keys.public, audit_log=log, user="ada")
    assert checked.ok and [e["action"] for e in log][-1] == "verify"


def test_export_logs_to_a_store(source: Source, keys: Keys, tmp_path: Path) -> None:
    store = tmp_path / "logs" / "second.audit.db"
    made = make_bundle(source, keys, tmp_path / "second", audit_log=store)
    log = AuditLog.for_bundle(made.path, store)
    assert type(log) is SqliteAuditLog
    assert [e["action"] for e in log] == ["export"]
    assert log.verify().ok and log.verify().genesis_checked

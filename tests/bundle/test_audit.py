"""The audit log: a hash chain that names the first edited, removed, inserted or moved line."""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
from pathlib import Path

import pytest

from anonlab.bundle import AuditLog
from anonlab.bundle.audit import entry_hash
from anonlab.errors import BundleError, ParameterError

LICENSE = b'{"id":"urn:uuid:test"}'


def _log(tmp_path: Path, n: int = 5) -> AuditLog:
    log = AuditLog(tmp_path / "x.audit.jsonl", genesis=LICENSE)
    for i in range(n):
        log.append(action="open", outcome="allowed" if i % 2 == 0 else "refused",
                   user=f"user{i}", role="analyst", purpose="statistics",
                   reason=None if i % 2 == 0 else "purpose", license_id="urn:uuid:test",
                   bundle="b")
    return log


def _lines(log: AuditLog) -> list[bytes]:
    return log.path.read_bytes().splitlines(keepends=True)


def _write(log: AuditLog, lines: list[bytes]) -> None:
    log.path.write_bytes(b"".join(lines))


def test_chain_structure(tmp_path: Path) -> None:
    log = _log(tmp_path)
    entries = log.entries()
    assert [e["seq"] for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0]["prev"] == hashlib.sha256(LICENSE).hexdigest()
    for before, after in itertools.pairwise(entries):
        assert after["prev"] == before["hash"]
    for e in entries:
        assert e["hash"] == entry_hash(e)
        assert e["time"].endswith("Z")
        assert set(e) == {"time", "user", "role", "purpose", "action", "outcome", "reason",
                          "license_id", "bundle", "seq", "prev", "hash"}
    result = log.verify()
    assert result.ok and result.entries == 5 and result.head == entries[-1]["hash"]
    assert result.genesis_checked
    assert log.head() == (5, entries[-1]["hash"])
    assert "chain intact" in result.summary()


def test_an_edited_entry_is_named(tmp_path: Path) -> None:
    log = _log(tmp_path)
    lines = _lines(log)
    lines[2] = lines[2].replace(b'"user":"user2"', b'"user":"mallory"')
    _write(log, lines)
    result = log.verify()
    assert not result.ok
    assert result.line == 3
    assert "edited" in result.reason
    assert "line 3" in result.summary()


def test_an_edited_entry_with_recomputed_hash_breaks_the_next(tmp_path: Path) -> None:
    log = _log(tmp_path)
    lines = _lines(log)
    entry = json.loads(lines[1])
    entry["outcome"] = "allowed"
    entry["hash"] = entry_hash(entry)
    from anonlab.bundle.canonical import canonical_bytes

    lines[1] = canonical_bytes(entry) + b"\n"
    _write(log, lines)
    result = log.verify()
    assert (result.ok, result.line) == (False, 3)
    assert "prev" in result.reason


def test_a_deleted_entry_is_named(tmp_path: Path) -> None:
    log = _log(tmp_path)
    lines = _lines(log)
    del lines[2]
    _write(log, lines)
    result = log.verify()
    assert (result.ok, result.line) == (False, 3)
    assert "removed, inserted or moved" in result.reason


def test_a_deleted_first_entry_is_named(tmp_path: Path) -> None:
    log = _log(tmp_path)
    _write(log, _lines(log)[1:])
    result = log.verify()
    assert (result.ok, result.line) == (False, 1)


def test_an_inserted_entry_is_named(tmp_path: Path) -> None:
    log = _log(tmp_path)
    lines = _lines(log)
    lines.insert(2, lines[1])
    _write(log, lines)
    result = log.verify()
    assert (result.ok, result.line) == (False, 3)


def test_reordered_entries_are_named(tmp_path: Path) -> None:
    log = _log(tmp_path)
    lines = _lines(log)
    lines[1], lines[3] = lines[3], lines[1]
    _write(log, lines)
    result = log.verify()
    assert (result.ok, result.line) == (False, 2)


def test_a_log_of_another_license(tmp_path: Path) -> None:
    _log(tmp_path)
    other = AuditLog(tmp_path / "x.audit.jsonl", genesis=b"another license")
    result = other.verify()
    assert (result.ok, result.line) == (False, 1)
    assert "license" in result.reason
    assert AuditLog(tmp_path / "x.audit.jsonl").verify().ok  # unanchored: chain only


def test_garbage_and_torn_lines(tmp_path: Path) -> None:
    log = _log(tmp_path, 3)
    lines = _lines(log)
    _write(log, [*lines[:2], b"not json\n"])
    assert log.verify().line == 3
    _write(log, [*lines, b'{"partial":'])
    result = log.verify()
    assert (result.ok, result.line) == (False, 4)
    log.append(action="open", outcome="allowed", user="x")  # the torn line is repaired
    repaired = log.entries()
    assert [e["action"] for e in repaired[-2:]] == ["repair", "open"]
    assert repaired[-2]["reason"].startswith("torn_tail: removed 11 bytes")
    assert log.verify().ok
    _write(log, [*lines[:2], lines[2].replace(b"user2", b"userX")])
    with pytest.raises(BundleError, match="does not match its hash"):
        log.append(action="open", outcome="allowed", user="x")
    with pytest.raises(BundleError, match=r"broken|BROKEN"):
        log.head()


def test_new_log_needs_a_genesis(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="needs a start"):
        AuditLog(tmp_path / "new.jsonl").append(action="open", outcome="allowed", user="x")
    assert not (tmp_path / "new.jsonl").exists() or (tmp_path / "new.jsonl").stat().st_size == 0
    with pytest.raises(ParameterError, match="genesis"):
        AuditLog(tmp_path / "new.jsonl", genesis="abc")


@pytest.mark.parametrize(
    ("field", "value"),
    [("user", "a\x00b"), ("user", "a\u2028b"), ("role", "r\x1b[31m"), ("purpose", "p" * 201),
     ("user", None)],
)
def test_text_fields_are_checked(tmp_path: Path, field: str, value: object) -> None:
    log = AuditLog(tmp_path / "l.jsonl", genesis=LICENSE)
    args = {"action": "open", "outcome": "allowed", "user": "u", field: value}
    with pytest.raises(ParameterError):
        log.append(**args)
    assert len(log) == 0


def test_unknown_action_or_outcome(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "l.jsonl", genesis=LICENSE)
    with pytest.raises(ParameterError, match="action"):
        log.append(action="read", outcome="allowed", user="u")
    with pytest.raises(ParameterError, match="outcome"):
        log.append(action="open", outcome="ok", user="u")


def test_concurrent_writers_keep_the_chain(tmp_path: Path) -> None:
    path = tmp_path / "shared.jsonl"

    def work(i: int) -> None:
        log = AuditLog(path, genesis=LICENSE)  # each writer its own object and file handle
        for j in range(15):
            log.append(action="open", outcome="allowed", user=f"t{i}-{j}")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result = AuditLog(path, genesis=LICENSE).verify()
    assert result.ok, result.summary()
    assert result.entries == 60


def test_unicode_text_is_kept(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "l.jsonl", genesis=LICENSE)
    log.append(action="open", outcome="allowed", user="Zoë Ñandú 李", role="analyst")
    assert log.entries()[0]["user"] == "Zoë Ñandú 李"
    assert log.verify().ok
    assert "AuditLog(" in repr(log)


def test_the_optional_fields_are_chained_and_checked(tmp_path: Path) -> None:
    log = _log(tmp_path, 2)  # entries without them, as older logs have
    entry = log.append(action="open", outcome="allowed", user="ada", declared_action="train-model",
                       test_clock=True)
    assert (entry["declared_action"], entry["clock"]) == ("train-model", "test")
    log.append(action="open", outcome="refused", user="ada", reason="action",
               declared_action="publish")
    assert log.verify().ok and len(log) == 4
    lines = _lines(log)
    _write(log, [*lines[:2], lines[2].replace(b'"clock":"test",', b""), lines[3]])
    assert log.verify().line == 3  # removing the test-clock mark breaks the hash
    _write(log, [*lines[:3], lines[3].replace(b'"declared_action":"publish"',
                                              b'"declared_action":"publish","x":1')])
    result = log.verify()
    assert (result.line, result.reason) == (4, "its fields are not those of an entry")


def test_latest_time_is_the_latest_not_the_last(tmp_path: Path) -> None:
    log = _log(tmp_path, 3)
    assert AuditLog(tmp_path / "none.jsonl").latest_time() is None
    times = [e["time"] for e in log.entries()]
    lines = _lines(log)
    swapped = json.loads(lines[1])
    swapped["time"] = "2099-01-01T00:00:00.000000Z"  # unverified: only the times are read
    _write(log, [lines[0], json.dumps(swapped).encode() + b"\n", lines[2], b"not json\n"])
    latest = log.latest_time()
    assert latest is not None and latest.year == 2099 and times[2] < "2099"

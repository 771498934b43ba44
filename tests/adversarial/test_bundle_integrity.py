"""Bundle integrity under attack (issue 13, items 7, 8 and 14).

- ``verify`` reads each file once and returns what it hashed: a ``license.json`` swapped in
  after hashing is never the one returned (or, for ``anonlab open``, printed).
- The audit log is appended in whole records: a failed write is cut back off, and a torn last
  line left by a crash is removed with a repair entry at the next append, instead of every later
  open being refused.
- Base64 is decoded strictly: a signature has exactly one accepted encoding.
"""

from __future__ import annotations

import base64
import errno
import importlib
import json
import os
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import anonlab
from anonlab.bundle import AuditLog, audit, layout
from anonlab.bundle.canonical import canonical_bytes
from anonlab.bundle.signing import b64decode_strict
from anonlab.errors import BundleError, VerificationError
from tests.adversarial._support import Made, cli, make_bundle

verify_module = importlib.import_module("anonlab.bundle.verify")  # the package shadows the name


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Made:
    return make_bundle(tmp_path_factory.mktemp("integrity"))


@pytest.fixture
def copy(made: Made, tmp_path: Path) -> Path:
    target = tmp_path / "release"
    shutil.copytree(made.path, target)
    return target


# -- item 14: strict base64 -----------------------------------------------------------------------

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def test_only_the_signature_s_own_encoding_verifies(copy: Path, made: Made) -> None:
    """The finding: 15 of the 63 other last characters decoded to the same signature (the
    padding bits were ignored) and verified. Now every one of them is refused."""
    doc = json.loads((copy / "signature").read_bytes())
    sig = doc["signature"]
    assert sig.endswith("==") and len(sig) == 88
    accepted, reasons = [], set()
    for ch in ALPHABET:
        doc["signature"] = sig[:85] + ch + sig[86:]
        (copy / "signature").write_bytes(canonical_bytes(doc))
        try:
            anonlab.verify(copy, public_key=made.public)
        except VerificationError as exc:
            reasons.add(exc.reason)
        else:
            accepted.append(ch)
    assert accepted == [sig[85]]
    assert reasons == {"malformed", "bad_signature"}  # padding bits set / other bytes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("QQ==", b"A"),
        ("QUI=", b"AB"),
        ("QUJD", b"ABC"),
        ("", b""),
        (b"QQ==", b"A"),
        ("QR==", None),  # padding bits set
        ("QX==", None),
        ("QUJ=", None),
        ("QQ", None),  # padding missing
        ("QQ=", None),
        ("QQ===", None),  # padding extra
        ("Q Q==", None),  # whitespace
        ("QQ==\n", None),
        ("-_8=", None),  # the URL-safe alphabet
        ("QQ==QQ==", None),  # padding in the middle
        ("é", None),
        (None, None),
        (3, None),
    ],
)
def test_b64decode_strict(text: Any, expected: bytes | None) -> None:
    if expected is None:
        with pytest.raises(ValueError, match=r"base64|ASCII"):
            b64decode_strict(text)
    else:
        assert b64decode_strict(text) == expected
        assert base64.b64encode(b64decode_strict(text)) == (
            text if isinstance(text, bytes) else text.encode()
        )


@pytest.mark.parametrize(
    "mutate",
    [
        lambda s: s.rstrip("="),
        lambda s: s + "=",
        lambda s: s[:40] + "\n" + s[40:],
        lambda s: s.replace("A", "-").replace("+", "-"),
        lambda s: s[:-3] + "==",
        lambda s: s * 2,
    ],
    ids=["unpadded", "extra padding", "a line break", "URL-safe", "short", "doubled"],
)
def test_a_mangled_signature_is_malformed(copy: Path, made: Made, mutate: Any) -> None:
    doc = json.loads((copy / "signature").read_bytes())
    mangled = mutate(doc["signature"])
    if mangled == doc["signature"]:
        pytest.skip("this signature has no character the mutation changes")
    doc["signature"] = mangled
    (copy / "signature").write_bytes(canonical_bytes(doc))
    with pytest.raises(VerificationError) as info:
        anonlab.verify(copy, public_key=made.public)
    assert (info.value.reason, info.value.file) in (
        ("malformed", "signature"),
        ("bad_signature", "manifest.json"),
    )


def test_a_public_key_in_the_manifest_is_decoded_strictly(copy: Path) -> None:
    doc = json.loads((copy / "manifest.json").read_bytes())
    key = doc["signing_key"]["public_key"]
    bits = ALPHABET.index(key[42]) & 0b11  # the 2 padding bits of the 43rd character
    variant = key[:42] + ALPHABET[ALPHABET.index(key[42]) ^ (1 if bits == 0 else bits)] + key[43:]
    doc["signing_key"]["public_key"] = variant
    with pytest.raises(VerificationError, match="not a base64 Ed25519 key"):
        layout.check_manifest(doc)


# -- item 7: one read per file --------------------------------------------------------------------


def _swapped_license(path: Path) -> bytes:
    data = json.loads(path.read_bytes())
    data["parties"]["licensees"][0]["name"] = "Swapped In Ltd"
    data["purposes"] = [*data["purposes"], "commercial-research"]
    return canonical_bytes(data)


def _swap_after_hashing(monkeypatch: pytest.MonkeyPatch, bundle: Path) -> None:
    """Replace license.json on disk right after verify has hashed it."""
    forged = _swapped_license(bundle / "license.json")
    real = layout.hash_file

    def hash_then_swap(path: Path, *, keep: bool = False) -> tuple[str, int, bytes | None]:
        out = real(path, keep=keep)
        if Path(path).name == "license.json":
            (bundle / "license.json").write_bytes(forged)
        return out

    monkeypatch.setattr(verify_module, "hash_file", hash_then_swap)


def test_verify_returns_the_license_it_hashed(
    copy: Path, made: Made, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The finding: a license.json swapped in after hashing was what verify() returned."""
    _swap_after_hashing(monkeypatch, copy)
    result = anonlab.verify(copy, public_key=made.public)
    assert [p.name for p in result.license.licensees] == ["University Lab"]
    assert "commercial-research" not in result.license.purposes


def test_open_returns_and_prints_the_license_it_checked(
    copy: Path, made: Made, monkeypatch: pytest.MonkeyPatch
) -> None:
    _swap_after_hashing(monkeypatch, copy)
    run = cli(
        "open",
        str(copy),
        "--purpose",
        "statistics",
        "--role",
        "analyst",
        "--user",
        "ada",
        "--public-key",
        str(made.public),
    )
    assert run.code == 0, run.err
    assert "commercial-research" not in run.out
    assert "statistics" in run.out


def test_verify_opens_each_file_once(
    copy: Path, made: Made, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: Counter[str] = Counter()
    real_open, real_read = os.open, Path.read_bytes

    def counting_open(path: Any, *args: Any, **kwargs: Any) -> int:
        if Path(path).parent == copy:
            opened[Path(path).name] += 1
        return real_open(path, *args, **kwargs)

    def counting_read(self: Path) -> bytes:
        if self.parent == copy:
            opened[self.name] += 1
        return real_read(self)

    monkeypatch.setattr(os, "open", counting_open)
    monkeypatch.setattr(Path, "read_bytes", counting_read)
    result = anonlab.verify(copy, public_key=made.public)
    assert set(opened) == {*result.files, "manifest.json", "signature"}
    assert set(opened.values()) == {1}, opened


# -- item 8: the audit log ------------------------------------------------------------------------


def _opened_log(bundle: Path, made: Made, times: int) -> AuditLog:
    for _ in range(times):
        anonlab.open(
            bundle, purpose="statistics", role="analyst", user="ada", public_key=made.public
        )
    return AuditLog.for_bundle(bundle)


TORN = [
    ("half a record", lambda last: last[: len(last) // 2]),
    ("a record without its line end", lambda last: last.rstrip(b"\n")),
    ("an opening brace", lambda last: b"{"),
    ("NUL bytes of a crash", lambda last: b"\x00" * 64),
    ("a blank", lambda last: b" "),
    ("invalid UTF-8", lambda last: b'{"user":"\xff'),
]


@pytest.mark.parametrize("torn", [c[1] for c in TORN], ids=[c[0] for c in TORN])
def test_a_torn_tail_is_repaired_on_the_next_open(copy: Path, made: Made, torn: Any) -> None:
    """The finding: after a write torn by a full disk every open was refused, even when space
    was freed. Now the next open removes the torn bytes and records that it did."""
    log = _opened_log(copy, made, 2)
    before = log.path.read_bytes()
    tail = torn(before.splitlines(keepends=True)[-1])
    log.path.write_bytes(before + tail)
    assert not log.verify().ok
    anonlab.open(copy, purpose="statistics", role="analyst", user="bob", public_key=made.public)
    entries = log.entries()
    assert [e["action"] for e in entries] == ["open", "open", "repair", "open"]
    repair = entries[2]
    assert (repair["outcome"], repair["user"], repair["seq"]) == ("repaired", "bob", 3)
    assert repair["reason"].startswith(f"torn_tail: removed {len(tail)} bytes")
    assert log.path.read_bytes().startswith(before)
    check = log.verify()
    assert check.ok and check.genesis_checked and check.entries == 4


def test_a_torn_first_line_is_repaired_from_the_genesis(copy: Path, made: Made) -> None:
    log = AuditLog.for_bundle(copy)
    log.path.write_bytes(b'{"action":"op')
    log.append(action="verify", outcome="allowed", user="ada")
    assert [e["seq"] for e in log.entries()] == [1, 2]
    assert log.verify().ok and log.verify().genesis_checked


def test_an_edited_line_before_a_torn_tail_is_still_refused(copy: Path, made: Made) -> None:
    log = _opened_log(copy, made, 2)
    lines = log.path.read_bytes().splitlines(keepends=True)
    edited = lines[-1].replace(b'"ada"', b'"eve"')
    damaged = b"".join([*lines[:-1], edited]) + b'{"partial'
    log.path.write_bytes(damaged)
    with pytest.raises(BundleError, match="does not match its hash"):
        log.append(action="open", outcome="allowed", user="x")
    assert log.path.read_bytes() == damaged  # nothing removed


def test_a_long_unterminated_tail_is_not_a_torn_record(copy: Path, made: Made) -> None:
    log = _opened_log(copy, made, 1)
    damaged = log.path.read_bytes() + b"x" * (audit.MAX_TORN_BYTES + 1)
    log.path.write_bytes(damaged)
    with pytest.raises(BundleError, match="not an interrupted write"):
        log.append(action="open", outcome="allowed", user="x")
    assert log.path.read_bytes() == damaged


def _full_disk(monkeypatch: pytest.MonkeyPatch, how: str, limit: int) -> None:
    """Make writes fail like a disk with room for ``limit`` bytes of this file: a write that
    would grow it beyond is short ("short") or refused ("enospc"); or every fsync fails
    ("fsync")."""
    real_write, real_fsync = os.write, os.fsync

    def write(fd: int, data: bytes) -> int:
        room = max(limit - os.fstat(fd).st_size, 0)
        if how == "fsync" or len(data) <= room:
            return real_write(fd, data)
        if how == "short":
            return real_write(fd, data[:room]) if room else 0
        raise OSError(errno.ENOSPC, "No space left on device")

    def fsync(fd: int) -> None:
        if how == "fsync":
            raise OSError(errno.EIO, "Input/output error")
        real_fsync(fd)

    monkeypatch.setattr(audit.os, "write", write)
    monkeypatch.setattr(audit.os, "fsync", fsync)


@pytest.mark.parametrize("how", ["short", "enospc", "fsync"])
def test_a_failed_append_leaves_no_partial_record(
    copy: Path, made: Made, how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = _opened_log(copy, made, 1)
    before = log.path.read_bytes()
    with monkeypatch.context() as mp:
        _full_disk(mp, how, limit=len(before) + 100)  # room for part of a record
        with pytest.raises(BundleError, match="Cannot write the audit log"):
            anonlab.open(
                copy, purpose="statistics", role="analyst", user="ada", public_key=made.public
            )
    assert log.path.read_bytes() == before
    anonlab.open(copy, purpose="statistics", role="analyst", user="ada", public_key=made.public)
    assert log.verify().ok and len(log) == 2


def test_a_failed_repair_puts_the_torn_bytes_back(
    copy: Path, made: Made, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = _opened_log(copy, made, 1)
    damaged = log.path.read_bytes() + b'{"half'
    log.path.write_bytes(damaged)
    with monkeypatch.context() as mp:
        _full_disk(mp, "short", limit=len(damaged))  # the torn bytes fit back, no record does
        with pytest.raises(BundleError):
            log.append(action="open", outcome="allowed", user="ada")
    assert log.path.read_bytes() == damaged
    log.append(action="open", outcome="allowed", user="ada")
    assert [e["action"] for e in log.entries()] == ["open", "repair", "open"]


def test_each_record_is_one_write_of_a_whole_line(
    copy: Path, made: Made, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = _opened_log(copy, made, 1)
    writes: list[bytes] = []
    synced: list[int] = []
    real_write, real_fsync = os.write, os.fsync

    def write(fd: int, data: bytes) -> int:
        writes.append(bytes(data))
        return real_write(fd, data)

    def fsync(fd: int) -> None:
        synced.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(audit.os, "write", write)
    monkeypatch.setattr(audit.os, "fsync", fsync)
    log.append(action="verify", outcome="allowed", user="ada")
    assert len(writes) == 1 and len(synced) == 1
    assert writes[0].endswith(b"\n") and writes[0].count(b"\n") == 1
    assert json.loads(writes[0])["seq"] == 2

"""Encrypted lookup tables (anonlab.lookup): round trip, wrong key, tampering, file mode, no
plaintext, refusal without a key, the command line, and no key in any message."""

from __future__ import annotations

import os
import stat
import struct
from pathlib import Path

import polars as pl
import pytest

from anonlab.errors import LookupTableError, ParameterError, SecretKeyError
from anonlab.keys import Key
from anonlab.lookup import FORMAT_VERSION, MAGIC, NONCE_BYTES, read_lookup, write_lookup
from anonlab.recipe import Recipe
from tests.adversarial._support import assert_no_leak, cli

SECRET = "lookup-tests secret key 0123456789abcdef"
OTHER = "a different lookup secret key, 0123456789"
HASH_SECRET = "lookup-tests hash key for pseudonyms 0123"
PLANTED = ["MRN-PLANTED-0000017", "MRN-PLANTED-0000042", "Zebulon Quartermaine-Smythe"]
"""Identifier values that must never appear in a lookup file's bytes."""


def _table() -> pl.DataFrame:
    return pl.DataFrame({"value": PLANTED, "token": ["ID-000001", "ID-000002", "ID-000003"]})


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOOKUP_KEY", SECRET)
    monkeypatch.setenv("OTHER_KEY", OTHER)
    monkeypatch.setenv("ANONLAB_KEY", HASH_SECRET)


def test_round_trip_every_key_reference(tmp_path: Path, keys: None) -> None:
    (tmp_path / "k").write_text(SECRET + "\n")
    table = _table()
    for ref in ("env:LOOKUP_KEY", f"file:{tmp_path / 'k'}", Key(SECRET)):
        target = write_lookup(table, tmp_path / "mrn.lookup", key=ref)
        assert target == tmp_path / "mrn.lookup"
        # one key, three references: each reads what another wrote
        assert read_lookup(target, key="env:LOOKUP_KEY").equals(table)
        assert read_lookup(target, key=Key(SECRET), name="mrn").equals(table)


def test_file_layout(tmp_path: Path, keys: None) -> None:
    target = write_lookup(_table(), tmp_path / "t.lookup", key="env:LOOKUP_KEY", name="mrn")
    data = target.read_bytes()
    assert data[:8] == MAGIC
    assert data[8] == FORMAT_VERSION
    (length,) = struct.unpack(">H", data[9:11])
    assert data[11 : 11 + length] == b"mrn"
    # nonce, then at least the 16-byte tag; fresh nonce every write
    again = write_lookup(_table(), tmp_path / "u.lookup", key="env:LOOKUP_KEY", name="mrn")
    body = 11 + length
    assert data[body : body + NONCE_BYTES] != again.read_bytes()[body : body + NONCE_BYTES]
    assert len(data) >= body + NONCE_BYTES + 16


def test_mode_0600_and_atomic(tmp_path: Path, keys: None) -> None:
    old = os.umask(0o000)  # even a permissive umask gives an owner-only file
    try:
        target = write_lookup(_table(), tmp_path / "mrn.lookup", key="env:LOOKUP_KEY")
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mrn.lookup"]  # no temporary left
    # replacing a file written by others (0644) gives 0600 too
    target.chmod(0o644)
    write_lookup(_table(), target, key="env:LOOKUP_KEY")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_no_plaintext_identifier_bytes(tmp_path: Path, keys: None) -> None:
    target = write_lookup(_table(), tmp_path / "mrn.lookup", key="env:LOOKUP_KEY")
    data = target.read_bytes()
    for value in [*PLANTED, "ID-000001", "value", "token"]:
        assert value.encode() not in data
        assert value.encode("utf-16-le") not in data
    assert b"PAR1" not in data  # no Parquet magic: the Parquet bytes are all inside the cipher


def test_wrong_key_names_the_file_never_the_key(tmp_path: Path, keys: None) -> None:
    target = write_lookup(_table(), tmp_path / "mrn.lookup", key="env:LOOKUP_KEY")
    for ref in ("env:OTHER_KEY", Key(OTHER)):
        with pytest.raises(LookupTableError, match="does not decrypt") as info:
            read_lookup(target, key=ref)
        assert str(target) in str(info.value)
        assert_no_leak([str(info.value), repr(info.value)], [SECRET.encode(), OTHER.encode()])


@pytest.mark.parametrize("where", ["magic", "version", "name", "nonce", "ciphertext", "tag"])
def test_a_changed_byte_is_refused(tmp_path: Path, keys: None, where: str) -> None:
    target = write_lookup(_table(), tmp_path / "mrn.lookup", key="env:LOOKUP_KEY")
    data = bytearray(target.read_bytes())
    at = {
        "magic": 0,
        "version": 8,
        "name": 11,
        "nonce": 14,
        "ciphertext": 40,
        "tag": len(data) - 1,
    }[where]
    data[at] ^= 0x01
    target.write_bytes(bytes(data))
    with pytest.raises(LookupTableError) as info:
        read_lookup(target, key="env:LOOKUP_KEY")
    assert str(target) in str(info.value)
    assert_no_leak([str(info.value)], [SECRET.encode()])


def test_truncated_renamed_and_foreign_files(tmp_path: Path, keys: None) -> None:
    target = write_lookup(_table(), tmp_path / "mrn.lookup", key="env:LOOKUP_KEY")
    data = target.read_bytes()
    cut = tmp_path / "cut.lookup"
    cut.write_bytes(data[:20])
    with pytest.raises(LookupTableError, match="truncated"):
        read_lookup(cut, key="env:LOOKUP_KEY")
    cut.write_bytes(data[:-1])
    with pytest.raises(LookupTableError, match="does not decrypt"):
        read_lookup(cut, key="env:LOOKUP_KEY")
    with pytest.raises(LookupTableError, match="holds the table 'mrn', not 'ssn'"):
        read_lookup(target, key="env:LOOKUP_KEY", name="ssn")
    plain = tmp_path / "plain.parquet"
    _table().write_parquet(plain)
    with pytest.raises(LookupTableError, match="not an anonlab lookup table"):
        read_lookup(plain, key="env:LOOKUP_KEY")
    # the name is authenticated: a header rewritten to another name of the same length fails
    swapped = tmp_path / "ssn.lookup"
    swapped.write_bytes(data.replace(b"\x03mrn", b"\x03ssn", 1))
    with pytest.raises(LookupTableError, match="does not decrypt"):
        read_lookup(swapped, key="env:LOOKUP_KEY", name="ssn")
    newer = tmp_path / "newer.lookup"
    newer.write_bytes(data[:8] + bytes([FORMAT_VERSION + 1]) + data[9:])
    with pytest.raises(LookupTableError, match="format version 2"):
        read_lookup(newer, key="env:LOOKUP_KEY")


def test_refused_without_a_key(tmp_path: Path, keys: None) -> None:
    with pytest.raises(SecretKeyError, match=r"needs key=.*--lookup-key env:NAME"):
        write_lookup(_table(), tmp_path / "mrn.lookup", key=None)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(SecretKeyError, match="'env:UNSET_LOOKUP_KEY'"):
        write_lookup(_table(), tmp_path / "mrn.lookup", key="env:UNSET_LOOKUP_KEY")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ParameterError, match="'table' parameter of write_lookup"):
        write_lookup({"value": []}, tmp_path / "mrn.lookup", key="env:LOOKUP_KEY")  # type: ignore[arg-type]


def test_a_key_pasted_as_reference_is_never_shown(tmp_path: Path, keys: None) -> None:
    pasted = "3f8a0c1d9e7b6a5f4e3d2c1b0a998877aa"
    with pytest.raises(ParameterError) as info:
        write_lookup(_table(), tmp_path / "mrn.lookup", key=f"env:{pasted}")
    assert_no_leak([str(info.value)], [pasted.encode()])
    target = write_lookup(_table(), tmp_path / "mrn.lookup", key="env:LOOKUP_KEY")
    with pytest.raises(ParameterError) as info:
        read_lookup(target, key=f"env:{pasted}")
    assert_no_leak([str(info.value)], [pasted.encode()])


def test_the_python_api_side_outputs_round_trip(tmp_path: Path, keys: None) -> None:
    frame = pl.DataFrame({"mrn": PLANTED + PLANTED[:1], "age": [30, 41, 52, 63]})
    recipe = Recipe.from_yaml(
        "format_version: 1\nsteps:\n- column: mrn\n  op: pseudonymize\n"
        "  key: env:ANONLAB_KEY\n  lookup: mrn\n"
    )
    side: dict[str, pl.DataFrame] = {}
    out = recipe.apply(frame, side_outputs=side)
    target = write_lookup(side["mrn"], tmp_path / "mrn.lookup", key="env:LOOKUP_KEY")
    back = read_lookup(target, key="env:LOOKUP_KEY", name="mrn")
    mapping = dict(back.iter_rows())
    assert [mapping[v] for v in frame["mrn"]] == out["mrn"].to_list()


# -- anonlab apply --lookup-dir --lookup-key -------------------------------------------------------


def _case(tmp_path: Path) -> tuple[Path, Path, Path]:
    pl.DataFrame({"mrn": PLANTED + PLANTED[:1], "age": [30, 41, 52, 63]}).write_csv(
        tmp_path / "in.csv"
    )
    (tmp_path / "recipe.yaml").write_text(
        "format_version: 1\nsteps:\n- column: mrn\n  op: pseudonymize\n  key: env:ANONLAB_KEY\n"
        "  lookup: mrn\n"
    )
    (tmp_path / "out").mkdir()
    return tmp_path / "recipe.yaml", tmp_path / "in.csv", tmp_path / "out"


def test_cli_writes_the_lookup_encrypted(tmp_path: Path, keys: None) -> None:
    recipe, data, out = _case(tmp_path)
    release = tmp_path / "release.parquet"
    run = cli(
        "apply",
        str(recipe),
        str(data),
        "-o",
        str(release),
        "--lookup-dir",
        str(out),
        "--lookup-key",
        "env:LOOKUP_KEY",
    )
    assert run.code == 0, run.err
    assert "encrypted" in run.out
    target = out / "mrn.lookup"
    assert sorted(p.name for p in out.iterdir()) == ["mrn.lookup"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    blob = target.read_bytes()
    assert not any(v.encode() in blob for v in PLANTED)
    mapping = dict(read_lookup(target, key="env:LOOKUP_KEY", name="mrn").iter_rows())
    raw = pl.read_csv(data)["mrn"].to_list()
    assert [mapping[v] for v in raw] == pl.read_parquet(release)["mrn"].to_list()
    assert_no_leak([run.text], [SECRET.encode(), HASH_SECRET.encode()])


def test_cli_refuses_a_lookup_dir_without_a_key(tmp_path: Path, keys: None) -> None:
    recipe, data, out = _case(tmp_path)
    release = tmp_path / "release.parquet"
    run = cli("apply", str(recipe), str(data), "-o", str(release), "--lookup-dir", str(out))
    assert run.code == 1
    assert "--lookup-dir needs --lookup-key" in run.err
    assert "--lookup-key env:NAME" in run.err
    assert not release.exists()  # refused before anything is written
    assert list(out.iterdir()) == []


def test_cli_key_problems_fail_before_writing(tmp_path: Path, keys: None) -> None:
    recipe, data, out = _case(tmp_path)
    release = tmp_path / "release.parquet"
    run = cli(
        "apply",
        str(recipe),
        str(data),
        "-o",
        str(release),
        "--lookup-dir",
        str(out),
        "--lookup-key",
        "env:UNSET_LOOKUP_KEY",
    )
    assert run.code == 1
    assert "UNSET_LOOKUP_KEY" in run.err
    assert not release.exists()
    pasted = "9c1e5b7a3d2f4e6a8b0c1d2e3f405162"
    run = cli(
        "apply",
        str(recipe),
        str(data),
        "-o",
        str(release),
        "--lookup-dir",
        str(out),
        "--lookup-key",
        f"env:{pasted}",
    )
    assert run.code == 1
    assert_no_leak([run.text], [pasted.encode()])
    assert not release.exists()
    run = cli("apply", str(recipe), str(data), "-o", str(release), "--lookup-key", "env:LOOKUP_KEY")
    assert run.code == 1
    assert "give --lookup-dir DIR too" in run.err
    assert list(out.iterdir()) == []


def test_cli_without_lookup_dir_writes_no_table(tmp_path: Path, keys: None) -> None:
    recipe, data, _ = _case(tmp_path)
    run = cli("apply", str(recipe), str(data), "-o", str(tmp_path / "release.parquet"))
    assert run.code == 0, run.err
    assert "Not written: the mrn table" in run.out
    assert "--lookup-key" in run.out
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "in.csv",
        "out",
        "recipe.yaml",
        "release.parquet",
    ]

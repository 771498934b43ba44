"""The bundle commands, through a parser built from add_parsers."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import polars as pl
import pytest

from anonlab.bundle import AuditLog, Bundle
from anonlab.bundle.cli import add_parsers
from anonlab.errors import VerificationError
from tests.bundle.conftest import HASH_KEY, Keys, Source
from tests.identities import LICENSEE_PUBLIC_KEY


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="anonlab")
    sub = parser.add_subparsers(dest="command", required=True)
    add_parsers(sub)
    args = parser.parse_args(list(argv))
    return int(args.func(args))


def test_keygen(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("keygen", str(tmp_path / "k")) == 0
    out = capsys.readouterr().out
    assert "k.key" in out and "ed25519:" in out
    assert (tmp_path / "k.key").exists() and (tmp_path / "k.pub").exists()


@pytest.fixture
def exported(source: Source, keys: Keys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
             capsys: pytest.CaptureFixture[str]) -> Path:
    monkeypatch.setenv("ANONLAB_KEY", HASH_KEY)
    source.raw.write_parquet(tmp_path / "patients.parquet")
    (tmp_path / "recipe.yaml").write_text(source.recipe.to_yaml())
    out = tmp_path / "release"
    (tmp_path / "licensee.pub").write_bytes(LICENSEE_PUBLIC_KEY.to_pem())
    code = _run("export", str(tmp_path / "patients.parquet"), "--recipe",
                str(tmp_path / "recipe.yaml"), "--template", "gdpr-pseudonymous-research",
                "--licensee", "University Lab",
                "--licensee-key", f"{tmp_path / 'licensee.pub'}=ada",
                "--purpose", "scientific-research",
                "statistics", "--expires", "2099-12-31", "--signing-key", str(keys.private),
                "-o", str(out), "--csv")
    assert code == 0
    printed = capsys.readouterr().out
    assert "Wrote bundle" in printed and "scientific-research, statistics" in printed
    assert f"opens only with these identity keys: {LICENSEE_PUBLIC_KEY.fingerprint}" in printed
    return out


def test_export_verify_open_audit(exported: Path, keys: Keys, other_keys: Keys, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert (exported / "data.csv").exists()

    assert _run("verify", str(exported), "--public-key", str(keys.public)) == 0
    assert capsys.readouterr().out.startswith("OK:")
    assert _run("verify", str(exported)) == 3
    assert "UNTRUSTED" in capsys.readouterr().out
    assert _run("verify", str(exported), "--public-key", str(other_keys.public)) == 1
    assert "FAILED: wrong_key (signature)" in capsys.readouterr().out

    target = tmp_path / "mine.parquet"
    assert _run("open", str(exported), "--purpose", "statistics", "--role", "analyst",
                "--user", "ada", "--public-key", str(keys.public), "-o", str(target)) == 0
    assert "Wrote 200 rows" in capsys.readouterr().out
    assert pl.read_parquet(target).height == 200
    with pytest.raises(VerificationError, match="not a key you trust"):
        _run("open", str(exported), "--purpose", "statistics", "--role", "analyst",
             "--user", "ada")
    assert _run("open", str(exported), "--purpose", "statistics", "--role", "analyst",
                "--user", "ada", "--accept-untrusted") == 0
    printed = capsys.readouterr()
    assert "200 rows x" in printed.out
    assert "WARNING: the signature is NOT trusted" in printed.err
    assert _run("open", str(exported), "--purpose", "marketing", "--role", "analyst",
                "--user", "ada", "--public-key", str(keys.public)) == 1
    assert "REFUSED (purpose)" in capsys.readouterr().err

    assert _run("audit", str(exported)) == 0
    printed = capsys.readouterr().out
    assert "chain intact" in printed and "refused (purpose)" in printed
    log = AuditLog.for_bundle(exported).path
    assert _run("audit", str(log), "--json") == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["outcome"] for line in lines] == ["allowed", "failed", "allowed",
                                                               "refused"]
    assert json.loads(lines[2])["reason"] == "signature_untrusted; accepted_untrusted; test_clock"

    entries = log.read_bytes().splitlines(keepends=True)
    log.write_bytes(b"".join([entries[0], entries[2], entries[3]]))
    assert _run("audit", str(log)) == 1
    assert "BROKEN at line 2" in capsys.readouterr().out

    (exported / "extra.txt").write_text("x")
    assert _run("verify", str(exported), "--public-key", str(keys.public)) == 1
    assert "unexpected_file (extra.txt)" in capsys.readouterr().out


def test_export_compliance_failure(source: Source, keys: Keys, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ANONLAB_KEY", HASH_KEY)
    source.raw.write_csv(tmp_path / "patients.csv")
    (tmp_path / "recipe.yaml").write_text(source.recipe.to_yaml())
    code = _run("export", str(tmp_path / "patients.csv"), "--recipe",
                str(tmp_path / "recipe.yaml"), "--template", "hipaa-safe-harbor",
                "--licensee", "Uni", "--signing-key", str(keys.private),
                "-o", str(tmp_path / "release"))
    assert code == 1
    assert "[FAIL] pseudonymisation" in capsys.readouterr().err
    assert not (tmp_path / "release").exists()


def test_license_show(pristine: Bundle, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("license", "show", str(pristine.path)) == 0
    assert pristine.license.id in capsys.readouterr().out
    assert _run("license", "show", str(pristine.path), "--json") == 0
    assert json.loads(capsys.readouterr().out)["id"] == pristine.license.id


def test_missing_files_raise_anonlab_errors(tmp_path: Path) -> None:
    from anonlab.errors import BundleError

    with pytest.raises(BundleError, match=r"no LICENSE\.md"):
        _run("license", "show", str(tmp_path))
    with pytest.raises(BundleError, match="No audit log"):
        _run("audit", str(tmp_path / "none.jsonl"))


def test_open_declares_an_action(exported: Path, keys: Keys,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    base = ("open", str(exported), "--purpose", "statistics", "--role", "analyst", "--user",
            "ada", "--public-key", str(keys.public))
    assert _run(*base, "--action", "aggregate") == 0
    assert "opened for: aggregate (role analyst)" in capsys.readouterr().out
    assert _run(*base, "--action", "publish") == 1  # an export action the role is not granted
    assert "REFUSED (action)" in capsys.readouterr().err
    assert _run(*base) == 0
    assert "opened for: read (role analyst)" in capsys.readouterr().out
    entries = AuditLog.for_bundle(exported).entries()
    assert [(e["outcome"], e["declared_action"]) for e in entries] == [
        ("allowed", "aggregate"), ("refused", "publish"), ("allowed", "read")]

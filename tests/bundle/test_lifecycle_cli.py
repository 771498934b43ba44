"""The lifecycle commands end to end, through ``anonlab.cli.main``: revoke, status, renew."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from anonlab.bundle import Bundle
from anonlab.bundle.amendment import effective_terms, load_amendment
from anonlab.bundle.clock import system_now
from anonlab.bundle.layout import LICENSE_JSON
from anonlab.bundle.lifecycle_cli import parse_date
from anonlab.bundle.signing import load_public_key
from anonlab.bundle.status import load_status_list
from anonlab.cli import main
from anonlab.errors import AccessDeniedError, ParameterError
from anonlab.licensing import License
from tests.bundle.conftest import Keys, Source, make_bundle

OTHER_ID = "urn:uuid:00000000-0000-4000-8000-00000000000a"


@pytest.fixture(scope="module")
def pristine(source: Source, keys: Keys, tmp_path_factory: pytest.TempPathFactory) -> Bundle:
    """A bundle of this module's own, made once without the report's figures (the session's
    pristine bundle draws them, which takes seconds) and read only."""
    from anonlab.bundle import report_page

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(report_page, "_figures", lambda report: "")
        return make_bundle(source, keys, tmp_path_factory.mktemp("lifecycle") / "release")


@pytest.fixture
def bundle_copy(pristine: Bundle, tmp_path: Path) -> Path:
    """A private copy of this module's bundle."""
    target = tmp_path / "release"
    shutil.copytree(pristine.path, target)
    return target


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_revoke_publish_show_check(pristine: Bundle, keys: Keys, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    license_id = pristine.license.id
    register = tmp_path / "register.json"
    status = tmp_path / "status.json"

    code, out, _ = _run(capsys, "revoke", license_id, "--register", str(register),
                        "--reason", "shared beyond the licensee")
    assert code == 0 and f"Revoked {license_id}" in out and "status publish" in out
    code, out, _ = _run(capsys, "revoke", license_id, "--register", str(register),
                        "--reason", "another reason")
    assert code == 0 and "already revoked" in out and "shared beyond the licensee" in out

    code, out, _ = _run(capsys, "status", "publish", "--register", str(register),
                        "--signing-key", str(keys.private), "-o", str(status),
                        "--valid-for", "P2W")
    assert code == 0 and "serial 1" in out and "1 revoked" in out
    private_text = keys.private.read_text()
    assert private_text.strip().splitlines()[1] not in out  # no key material printed

    code, out, _ = _run(capsys, "status", "show", str(status))
    assert code == 0
    assert "serial 1" in out and license_id in out and "shared beyond the licensee" in out
    signer = load_public_key(keys.public)
    assert signer.fingerprint in out

    listed = load_status_list(status)
    assert listed.next_update - listed.issued == dt.timedelta(weeks=2)
    with pytest.raises(AccessDeniedError) as info:
        listed.check(license_id, signer=signer, at=system_now())
    assert info.value.reason == "revoked"
    assert json.loads(register.read_text())["serial"] == 1

    # a second publication carries the next serial
    assert _run(capsys, "status", "publish", "--register", str(register), "--signing-key",
                str(keys.private), "-o", str(status))[0] == 0
    assert load_status_list(status).serial == 2


def test_status_show_refuses_a_tampered_list(pristine: Bundle, keys: Keys, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    register, status = tmp_path / "register.json", tmp_path / "status.json"
    _run(capsys, "revoke", pristine.license.id, "--register", str(register), "--reason", "x")
    _run(capsys, "status", "publish", "--register", str(register), "--signing-key",
         str(keys.private), "-o", str(status))
    doc = json.loads(status.read_bytes())
    doc["revoked"] = []
    status.write_text(json.dumps(doc))
    code, out, err = _run(capsys, "status", "show", str(status))
    assert code == 1 and out == ""
    assert "does not verify" in err and str(status) in err and "Traceback" not in err


def test_renew_end_to_end(pristine: Bundle, keys: Keys, tmp_path: Path,
                          capsys: pytest.CaptureFixture[str]) -> None:
    out_file = tmp_path / "amendment-1.json"
    code, out, err = _run(capsys, "renew", str(pristine.path), "--until", "2099-12-31",
                          "--signing-key", str(keys.private), "-o", str(out_file))
    assert code == 0, err
    assert "amendment 1" in out and "2099-12-31T23:59:59Z" in out and "--number 2" in out
    raw = (pristine.path / LICENSE_JSON).read_bytes()
    amendment = load_amendment(out_file)
    terms = effective_terms(License.from_json(raw), raw, [amendment],
                            signer=load_public_key(keys.public))
    assert terms.valid_until == dt.datetime(2099, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
    assert terms.delete_by == terms.valid_until and terms.amendment is not None

    second = tmp_path / "amendment-2.json"
    assert _run(capsys, "renew", str(pristine.path), "--until", "2098-06-30T12:00:00Z",
                "--delete-by", "2100-01-01", "--number", "2", "--signing-key",
                str(keys.private), "-o", str(second))[0] == 0
    terms = effective_terms(License.from_json(raw), raw,
                            [amendment, load_amendment(second)],
                            signer=load_public_key(keys.public))
    assert terms.valid_until == dt.datetime(2098, 6, 30, 12, tzinfo=dt.UTC)
    assert terms.delete_by == dt.datetime(2100, 1, 1, 23, 59, 59, tzinfo=dt.UTC)


def test_renew_with_another_key_is_refused(pristine: Bundle, other_keys: Keys, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    out_file = tmp_path / "a.json"
    code, _, err = _run(capsys, "renew", str(pristine.path), "--until", "2099-12-31",
                        "--signing-key", str(other_keys.private), "-o", str(out_file))
    assert code == 1 and "not signed with the signing key given" in err
    assert not out_file.exists()


def test_renew_refuses_a_changed_bundle(bundle_copy: Path, keys: Keys, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    (bundle_copy / LICENSE_JSON).write_bytes((bundle_copy / LICENSE_JSON).read_bytes() + b" ")
    code, _, err = _run(capsys, "renew", str(bundle_copy), "--until", "2099-12-31",
                        "--signing-key", str(keys.private), "-o", str(tmp_path / "a.json"))
    assert code == 1 and "license.json was changed" in err


@pytest.mark.parametrize(("args", "fault"), [
    (["--until", "2026-01-31"], "only extends"),
    (["--until", "2099-02-30"], "not a valid date"),
    (["--until", "next year"], "--until must be a date"),
    (["--until", "2099-12-31", "--delete-by", "2099-01-01"], "before valid_until"),
])
def test_renew_errors(pristine: Bundle, keys: Keys, tmp_path: Path,
                      capsys: pytest.CaptureFixture[str], args: list[str], fault: str) -> None:
    code, _, err = _run(capsys, "renew", str(pristine.path), *args, "--signing-key",
                        str(keys.private), "-o", str(tmp_path / "a.json"))
    assert code == 1 and fault in err and "Traceback" not in err


def test_renew_number_must_be_positive(pristine: Bundle, keys: Keys, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["renew", str(pristine.path), "--until", "2099-12-31", "--number", "0",
              "--signing-key", str(keys.private), "-o", str(tmp_path / "a.json")])
    assert info.value.code == 2
    assert "whole number" in capsys.readouterr().err


def test_revoke_and_publish_errors(keys: Keys, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    register = tmp_path / "register.json"
    code, _, err = _run(capsys, "revoke", "not-an-id", "--register", str(register),
                        "--reason", "x")
    assert code == 1 and "urn:uuid" in err and not register.exists()
    code, _, err = _run(capsys, "revoke", OTHER_ID, "--register", str(register),
                        "--reason", "line\nbreak")
    assert code == 1 and "revocation reason" in err
    code, _, err = _run(capsys, "status", "publish", "--register", str(register),
                        "--signing-key", str(keys.private), "-o", str(tmp_path / "s.json"),
                        "--valid-for", "seven days")
    assert code == 1 and "--valid-for" in err and not (tmp_path / "s.json").exists()
    code, _, err = _run(capsys, "status", "publish", "--register", str(register),
                        "--signing-key", str(keys.public), "-o", str(tmp_path / "s.json"))
    assert code == 1 and "public key" in err
    register.write_text("{}")
    code, _, err = _run(capsys, "status", "publish", "--register", str(register),
                        "--signing-key", str(keys.private), "-o", str(tmp_path / "s.json"))
    assert code == 1 and "status register" in err and str(register) in err
    code, _, err = _run(capsys, "status", "show", str(tmp_path / "absent.json"))
    assert code == 1 and "There is no status list" in err


def test_parse_date() -> None:
    assert parse_date("2027-03-01", option="--until") == dt.datetime(
        2027, 3, 1, 23, 59, 59, tzinfo=dt.UTC)
    assert parse_date("2027-03-01T10:00:00+02:00", option="--until") == dt.datetime(
        2027, 3, 1, 8, tzinfo=dt.UTC)
    for bad in ("2027-03-01\n", "2027-03-01T10:00:00", "20270301"):
        with pytest.raises(ParameterError, match="--until"):
            parse_date(bad, option="--until")

"""Retention: open refuses after delete_by; purge deletes the bundle and writes a signed deletion
certificate into its log, which the usage report carries to the licensor."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from anonlab.bundle import AuditLog, open_bundle
from anonlab.bundle.purge import purge
from anonlab.bundle.usage import usage_report, verify_usage_report
from anonlab.errors import AccessDeniedError, BundleError
from anonlab.licensing import License
from tests.bundle.conftest import EXPIRES, INSIDE, ISSUED, TEMPLATE, Keys, Source, make_bundle
from tests.identities import LICENSEE_KEYS, LICENSEE_SIGNING_KEY

AFTER_DELETE_BY = dt.datetime(2027, 3, 1, tzinfo=dt.UTC)


def test_open_after_delete_by_is_refused_with_a_reminder(bundle_copy: Path, keys: Keys) -> None:
    with pytest.raises(AccessDeniedError) as err:
        open_bundle(bundle_copy, purpose="statistics", role="analyst", user="ada",
                    public_key=keys.public, now=AFTER_DELETE_BY)
    assert err.value.reason == "expired" and "anonlab purge" in str(err.value)


def test_a_retention_period_after_the_end_is_enforced(source: Source, keys: Keys,
                                                      tmp_path: Path) -> None:
    lic = License.from_template(TEMPLATE, licensee="Lab", issued=ISSUED, expires=EXPIRES,
                                retention="P30D", licensee_keys=LICENSEE_KEYS)
    path = make_bundle(source, keys, tmp_path / "kept", license=lic).path

    def attempt(when: dt.datetime) -> str:
        with pytest.raises(AccessDeniedError) as err:
            open_bundle(path, purpose="statistics", role="analyst", user="ada",
                        public_key=keys.public, now=when)
        return err.value.reason

    assert attempt(dt.datetime(2027, 1, 15, tzinfo=dt.UTC)) == "expired"  # keep, do not use
    assert attempt(AFTER_DELETE_BY) == "retention"  # delete now
    assert AuditLog.for_bundle(path).entries()[-1]["reason"] == "retention"


def test_purge_deletes_and_certifies(bundle_copy: Path, keys: Keys) -> None:
    open_bundle(bundle_copy, purpose="statistics", role="analyst", user="ada",
                public_key=keys.public, now=INSIDE)
    license_bytes = (bundle_copy / "license.json").read_bytes()
    done = purge(bundle_copy)
    assert not bundle_copy.exists() and done.signed
    names = {f["path"] for f in done.files}
    assert {"data.parquet", "license.json", "manifest.json"} <= names
    log = AuditLog(AuditLog.for_bundle(bundle_copy).path)
    entry = log.entries()[-1]
    assert entry["action"] == "purge" and entry["outcome"] == "deleted"
    assert entry["identity"] == LICENSEE_SIGNING_KEY.fingerprint
    assert entry["deletion"]["license_sha256"] and len(entry["deletion"]["files"]) == len(names)
    report = usage_report(bundle_copy, identity=LICENSEE_SIGNING_KEY)
    assert report.counts["purges"] == 1
    lic = bundle_copy.parent / "license.json"
    lic.write_bytes(license_bytes)
    assert verify_usage_report(report, license=lic).ok
    with pytest.raises(BundleError, match="not a bundle folder"):
        purge(bundle_copy)


def test_purge_keeps_the_data_when_the_log_cannot_be_written(
    bundle_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(self: AuditLog, **kwargs: object) -> None:
        raise BundleError("Cannot write the audit log: No space left on device.")

    monkeypatch.setattr(AuditLog, "append", fail)
    with pytest.raises(BundleError, match="No space"):
        purge(bundle_copy)
    assert (bundle_copy / "data.parquet").is_file()  # renamed back, nothing deleted
    assert not list(bundle_copy.parent.glob(".release.purge-*"))


def test_the_governance_commands_end_to_end(bundle_copy: Path, keys: Keys, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "anonlab", *args], capture_output=True,
                              text=True, check=False)

    made = run("identity", "new", str(tmp_path / "ada"))
    assert made.returncode == 0, made.stderr
    assert "ed25519:" in made.stdout and "BEGIN" not in made.stdout
    shown = run("identity", "show", str(tmp_path / "ada.pub"))
    assert "fingerprint: ed25519:" in shown.stdout
    org = run("identity", "new", str(tmp_path / "acme"))
    assert org.returncode == 0
    cert = run("identity", "certify", str(tmp_path / "ada.pub"), "--org-key",
               str(tmp_path / "acme.key"), "--name", "ada", "-o", str(tmp_path / "ada.cert"))
    assert cert.returncode == 0, cert.stderr
    opened = run("open", str(bundle_copy), "--purpose", "statistics", "--role", "analyst",
                 "--user", "ada", "--public-key", str(keys.public))
    assert opened.returncode in (0, 1)  # the fixed license may be expired on the real clock
    refused = run("open", str(bundle_copy), "--purpose", "marketing", "--role", "analyst",
                  "--user", "ada", "--public-key", str(keys.public))
    assert refused.returncode == 1 and "REFUSED" in refused.stderr
    report = tmp_path / "r1.json"
    made_report = run("usage-report", str(bundle_copy), "-o", str(report))
    assert made_report.returncode == 0, made_report.stderr
    history = tmp_path / "history"
    ok = run("usage-verify", str(report), "--license", str(bundle_copy), "--history",
             str(history))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    log = AuditLog.for_bundle(bundle_copy)
    log.path.write_bytes(log.path.read_bytes().splitlines(keepends=True)[0])  # truncate
    run("usage-report", str(bundle_copy), "-o", str(tmp_path / "r2.json"))
    bad = run("usage-verify", str(tmp_path / "r2.json"), "--license", str(bundle_copy),
              "--history", str(history))
    assert bad.returncode == 1 and "REJECTED" in bad.stdout
    gone = run("purge", str(bundle_copy))
    assert gone.returncode == 0 and "deletion certificate" in gone.stdout
    assert not bundle_copy.exists()

"""Usage reports: the licensee signs the log's state, the licensor checks every later report
against the earlier ones; each way of rewriting a committed log is detected."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from anonlab.bundle import AuditLog, SigningKey, open_bundle
from anonlab.bundle.canonical import canonical_bytes
from anonlab.bundle.usage import (
    UsageHistory,
    load_usage_report,
    usage_report,
    verify_usage_report,
)
from anonlab.errors import AccessDeniedError, BundleError
from tests.bundle.conftest import INSIDE, Keys
from tests.identities import LICENSEE_SIGNING_KEY, rechain


def _open(bundle: Path, keys: Keys, purpose: str = "statistics", **kw: object) -> None:
    open_bundle(bundle, purpose=purpose, role="analyst", user="ada", public_key=keys.public,
                now=INSIDE, **kw)  # type: ignore[arg-type]


def _refuse(bundle: Path, keys: Keys) -> None:
    with pytest.raises(AccessDeniedError):
        _open(bundle, keys, purpose="marketing")


def _history(bundle: Path, keys: Keys) -> None:
    """8 accesses: 5 allowed, 3 refused."""
    for i in range(8):
        if i % 3 == 1:
            _refuse(bundle, keys)
        else:
            _open(bundle, keys)


def _report(bundle: Path):
    return usage_report(bundle, identity=LICENSEE_SIGNING_KEY)


def test_a_report_counts_the_log_and_verifies(bundle_copy: Path, keys: Keys) -> None:
    _history(bundle_copy, keys)
    report = _report(bundle_copy)
    c = report.counts
    assert c["opens"] == 8 and c["by_outcome"] == {"allowed": 5, "refused": 3}
    assert c["by_user"] == {"ada": 8} and c["by_purpose"] == {"marketing": 3, "statistics": 5}
    assert c["by_identity"] == {LICENSEE_SIGNING_KEY.fingerprint: 8}
    assert report.length == 8 and report.head["seq"] == 8
    result = verify_usage_report(report, license=bundle_copy)
    assert result.ok, result.problems
    assert result.reporter_accepted is True and result.license_checked
    assert "5" in report.summary()


def test_the_attack_of_the_issue_is_detected(bundle_copy: Path, keys: Keys) -> None:
    """8 entries rewritten to 3 (refusals removed, chain recomputed): against the earlier report
    the licensor holds, the new one is rejected."""
    _history(bundle_copy, keys)
    first = _report(bundle_copy)
    log = AuditLog.for_bundle(bundle_copy)
    rechain(log, [e for e in log.entries() if e["outcome"] == "allowed"][:3])
    assert log.verify().ok  # the chain alone cannot tell
    second = _report(bundle_copy)
    result = verify_usage_report(second, license=bundle_copy, previous=[first])
    assert not result.ok
    assert any("truncated" in p for p in result.problems)
    assert any("record 2 differs" in p for p in result.problems)


@pytest.mark.parametrize("edit", ["drop-last", "drop-refusals-keep-length", "reorder",
                                  "edit-purpose", "empty"])
def test_every_rewrite_of_a_reported_log_is_detected(bundle_copy: Path, keys: Keys,
                                                     edit: str) -> None:
    _history(bundle_copy, keys)
    first = _report(bundle_copy)
    log = AuditLog.for_bundle(bundle_copy)
    entries = log.entries()
    if edit == "drop-last":
        rechain(log, entries[:-2])
    elif edit == "drop-refusals-keep-length":
        allowed = [e for e in entries if e["outcome"] == "allowed"]
        rechain(log, allowed + allowed[: len(entries) - len(allowed)])
    elif edit == "reorder":
        rechain(log, [entries[1], entries[0], *entries[2:]])
    elif edit == "edit-purpose":
        entries[4]["purpose"] = "scientific-research"
        rechain(log, entries)
    else:
        log.path.write_bytes(b"")
        _open(bundle_copy, keys)  # a fresh chain
    _open(bundle_copy, keys)  # the holder goes on using it
    result = verify_usage_report(_report(bundle_copy), license=bundle_copy, previous=[first])
    assert not result.ok, edit


def test_an_honest_log_extends_every_earlier_report(bundle_copy: Path, keys: Keys,
                                                    tmp_path: Path) -> None:
    history = UsageHistory(tmp_path / "history")
    for _ in range(3):
        _history(bundle_copy, keys)
        result = history.verify(_report(bundle_copy).write(tmp_path / "r.json"),
                                license=bundle_copy)
        assert result.ok, result.problems
    assert len(history.reports(result.report.license_id)) == 3
    assert result.compared == 2


def test_an_altered_report_does_not_load(bundle_copy: Path, keys: Keys, tmp_path: Path) -> None:
    _history(bundle_copy, keys)
    path = _report(bundle_copy).write(tmp_path / "r.json")
    data = json.loads(path.read_bytes())
    data["counts"]["by_outcome"] = {"allowed": 8}
    path.write_text(json.dumps(data))
    with pytest.raises(BundleError, match="altered after signing"):
        load_usage_report(path)


def test_a_report_whose_counts_lie_is_rejected(bundle_copy: Path, keys: Keys) -> None:
    """A report re-signed by its holder with counts that are not its records' is rejected."""
    import base64

    from anonlab.bundle.usage import _DOMAIN, UsageReport

    _history(bundle_copy, keys)
    report = _report(bundle_copy)
    body = dict(report.body) | {"counts": dict(report.counts) | {"opens": 3}}
    forged = UsageReport(body, LICENSEE_SIGNING_KEY.sign(_DOMAIN + canonical_bytes(body)))
    result = verify_usage_report(forged, license=bundle_copy)
    assert not result.ok and any("counts" in p for p in result.problems)
    assert base64.b64encode(forged.signature)


def test_a_report_signed_by_a_key_the_license_does_not_name(bundle_copy: Path,
                                                             keys: Keys) -> None:
    _history(bundle_copy, keys)
    report = usage_report(bundle_copy, identity=SigningKey.generate())
    result = verify_usage_report(report, license=bundle_copy)
    assert not result.ok and result.reporter_accepted is False


def test_a_report_of_another_license_is_rejected(bundle_copy: Path, keys: Keys,
                                                 tmp_path: Path, pristine) -> None:
    _history(bundle_copy, keys)
    other = tmp_path / "other"
    shutil.copytree(pristine.path, other)
    lic = json.loads((other / "license.json").read_bytes())
    assert lic  # same license: the report's chain starts from its hash
    assert verify_usage_report(_report(bundle_copy), license=other / "license.json").ok
    (tmp_path / "x.json").write_bytes((other / "license.json").read_bytes()[:-1] + b" ")
    with pytest.raises(BundleError):
        verify_usage_report(_report(bundle_copy), license=tmp_path / "x.json")


def test_a_broken_log_is_not_reported(bundle_copy: Path, keys: Keys) -> None:
    _history(bundle_copy, keys)
    log = AuditLog.for_bundle(bundle_copy)
    lines = log.path.read_bytes().splitlines(keepends=True)
    log.path.write_bytes(b"".join(lines[:3] + lines[4:]))
    with pytest.raises(BundleError, match="broken at line 4"):
        _report(bundle_copy)


def test_a_report_naming_a_path_for_its_license_is_refused(bundle_copy: Path, keys: Keys,
                                                           tmp_path: Path) -> None:
    """The license id names the licensor's history file: a report whose id is a path is not
    loaded (it could otherwise be kept outside the history folder)."""
    from anonlab.bundle.usage import _DOMAIN, UsageReport

    _history(bundle_copy, keys)
    body = dict(_report(bundle_copy).body) | {"license_id": "urn:uuid:../../escaped"}
    forged = UsageReport(body, LICENSEE_SIGNING_KEY.sign(_DOMAIN + canonical_bytes(body)))
    with pytest.raises(BundleError, match="license id"):
        UsageHistory(tmp_path / "h").verify(forged.to_dict())
    assert not (tmp_path / "escaped").exists()

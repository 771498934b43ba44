"""issue_license, LICENSE.md, and that no secret reaches any output."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest

import anonlab
from anonlab.errors import ComplianceError, LicenseError
from anonlab.keys import Key
from anonlab.licensing import License, check_compliance, issue_license
from anonlab.licensing.templates import template
from anonlab.transforms import Hash
from tests.identities import with_test_key

from .conftest import AT, BUILTIN_IDS, KEY, KEY_TEXT

ISSUED = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)


def _issue(release, raw, raw_profile, **kw):
    licensee: object = "Registry team"
    if template(release.template).requires_identity:
        licensee = with_test_key(licensee)
    return issue_license(release.template, frame=release.frame, recipe=release.recipe,
                         report=release.report, original_profile=raw_profile, original=raw,
                         at=AT, licensee=licensee, licensor="General Hospital",
                         issued=ISSUED, **release.made, **kw)


@pytest.fixture(scope="module")
def licenses(releases, raw, raw_profile) -> dict[str, License]:
    return {tid: _issue(releases[tid], raw, raw_profile) for tid in BUILTIN_IDS}


@pytest.mark.parametrize("tid", BUILTIN_IDS)
def test_issued_license_carries_the_evidence(tid, licenses, releases):
    lic = licenses[tid]
    release = releases[tid]
    assert lic.bound
    a = lic.to_dict()["anonymization"]
    assert a["claimed_status"] in ("anonymous", "deidentified", "pseudonymous")
    assert a["recipe"] == release.recipe.to_dict()
    assert [c["name"] for c in a["checks"]] == list(anonlab.licensing.template(tid).required_checks)
    assert all(c["passed"] for c in a["checks"])
    assert a["tool"] == {"name": "anonlab", "version": anonlab.__version__}
    assert a["assessed_at"] == "2026-01-01T00:00:00Z"
    if release.report is not None and "risk-threshold" in a and a["risk"] is not None:
        assert a["risk"]["highest_risk"] <= (a["risk"]["threshold"] or 1)
    assert lic.dataset["records"] == release.frame.height
    assert [c["name"] for c in lic.dataset["columns"]] == release.frame.columns
    assert lic.compliance[0]["regulation"] == lic.regulation
    assert lic.compliance[0]["status"] == a["claimed_status"]
    assert License.from_json(lic.to_json()) == lic


def test_raw_data_is_refused_naming_each_failing_check(raw, raw_profile):
    with pytest.raises(ComplianceError) as info:
        issue_license("hipaa-safe-harbor", frame=raw, recipe=None, report=None,
                      original_profile=raw_profile, at=AT, licensee="Anyone")
    names = [c.name for c in info.value.failures]
    for name in ("safe-harbor-identifiers", "safe-harbor-dates", "safe-harbor-ages",
                 "safe-harbor-zip"):
        assert name in names
        assert name in str(info.value)
    assert isinstance(info.value, LicenseError)


def test_issue_license_needs_a_licensee(releases):
    r = releases["hipaa-safe-harbor"]
    with pytest.raises(LicenseError) as info:
        issue_license("hipaa-safe-harbor", frame=r.frame, recipe=r.recipe, report=None)
    assert info.value.path == "parties.licensees"


def test_a_recipe_with_an_in_memory_key_cannot_be_recorded(raw):
    recipe = anonlab.Recipe().then("mrn", Hash(key=Key(KEY_TEXT)))
    frame = recipe.apply(raw.select("mrn", "sex"))
    with pytest.raises(LicenseError) as info:
        issue_license("gdpr-pseudonymous-research", frame=frame, recipe=recipe, report=None,
                      at=AT, licensee=with_test_key("Team"),
                      original=raw.select("mrn", "sex"), scope="release:test")
    assert info.value.path == "anonymization.recipe"
    assert KEY_TEXT not in str(info.value)


def test_markdown_sections(licenses):
    md = licenses["hipaa-safe-harbor"].to_markdown()
    for heading in ("# License: HIPAA de-identified data (Safe Harbor)", "## Summary",
                    "### You may", "### You must", "### You must not", "## Parties",
                    "## The data", "## De-identification statement", "## Duties",
                    "## Term and termination", "## Regulation: HIPAA",
                    "## Verifying this license", "## Precedence", "## Notice"):
        assert heading in md, heading
    assert md.count("Not legal advice") == 2
    assert "anonlab verify PATH --public-key KEY" in md
    assert "164.514(b)(2)(ii)" in md  # the no-actual-knowledge statement
    assert "General Hospital" in md and "Registry team" in md
    assert "Claimed status: **de-identified**" in md
    assert "| safe-harbor-zip | pass |" in md
    pseudo = licenses["gdpr-pseudonymous-research"].to_markdown()
    assert "still **personal data**" in pseudo
    assert "Irreversibility evidence" in pseudo and "does not show" in pseudo
    risky = licenses["gdpr-anonymous"].to_markdown()
    assert "Measured re-identification risk: highest" in risky
    assert "threshold 0.09" in risky


def test_markdown_lists_file_hashes_once_bound(licenses):
    lic = licenses["gdpr-anonymous"]
    files = [{"path": "data/patients.parquet", "sha256": "ab" * 32, "bytes": 12345}]
    bound = lic.bind(dataset={**lic.dataset, "files": files}, anonymization=lic.anonymization)
    md = bound.to_markdown()
    assert "ab" * 32 in md and "12,345" in md
    unbound = License.from_template("gdpr-anonymous", licensee="Y").to_markdown()
    assert "not yet bound to data" in unbound and "Not legal advice" in unbound


def _outputs(licenses, releases, raw, raw_profile) -> list[str]:
    out = []
    for tid, lic in licenses.items():
        r = releases[tid]
        result = check_compliance(tid, frame=r.frame, recipe=r.recipe, report=r.report,
                                  original_profile=raw_profile, original=raw, at=AT, **r.made)
        out += [lic.to_json(), json.dumps(lic.to_dict()), json.dumps(lic.to_odrl()),
                lic.to_markdown(), repr(lic), json.dumps(result.to_dict()), result.summary(),
                r.recipe.to_json(), r.recipe.to_yaml(), r.recipe.to_python(), repr(r.recipe)]
        out += [c.detail for c in result.checks]
    return out


def test_no_secret_in_any_output(licenses, releases, raw, raw_profile):
    secret = KEY_TEXT.encode()
    needles = {KEY_TEXT, secret.hex(), secret.hex().upper(),
               base64.b64encode(secret).decode(), base64.b32encode(secret).decode().rstrip("=")}
    outputs = _outputs(licenses, releases, raw, raw_profile)
    assert len(outputs) > 50
    for text in outputs:
        for needle in needles:
            assert needle not in text
        assert secret not in text.encode()
    assert any(KEY in text for text in outputs)  # the reference is recorded, not the key

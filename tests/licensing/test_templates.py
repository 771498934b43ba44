"""Templates: the built-ins, the registry and user templates in YAML."""

from __future__ import annotations

import datetime as dt

import pytest

from anonlab.errors import LicenseError
from anonlab.licensing import Template, register_template, template, templates
from anonlab.licensing.purposes import DUTIES, PROHIBITIONS, PURPOSES, purpose_allows

from .conftest import BUILTIN_IDS

YAML = """
id: team-research
version: "0.1"
title: Team research release
regulation: GDPR
standard: GDPR Article 89
required_checks: [direct-identifiers, pseudonymisation]
risk_threshold: null
permitted_purposes: [scientific-research]
prohibited: [re-identification, linking]
duties: [log-access]
default_term: P6M
claimed_status: pseudonymous
pseudonymised_status: pseudonymous
clauses:
  regulation: Research only.
"""


def test_the_seven_builtins():
    assert tuple(templates())[:7] == BUILTIN_IDS
    for tid in BUILTIN_IDS:
        t = template(tid)
        assert t.builtin and t.id == tid
        assert t.required_checks and t.permitted_purposes and t.prohibited and t.duties
        assert "re-identification" in t.prohibited
        assert t.default_term > dt.timedelta(days=30)
        assert t.spdx == f"LicenseRef-anonlab-{tid}"
        assert set(t.clauses) == {"deidentification", "regulation", "termination"}
        assert ("risk-threshold" in t.required_checks) == (t.risk_threshold is not None)
        assert Template.from_dict(t.to_dict()) == t
    assert template("hipaa-safe-harbor").claimed_status == "deidentified"
    assert template("gdpr-anonymous").status(pseudonymised=True) is None
    assert template("internal-ml").risk_threshold == 0.2


@pytest.fixture
def _forget_user_templates():
    import importlib

    module = importlib.import_module("anonlab.licensing.templates")
    yield
    module._USER.pop("team-research", None)


@pytest.mark.usefixtures("_forget_user_templates")
def test_user_templates_from_yaml(tmp_path):
    t = Template.from_yaml(YAML)
    assert t.default_term == dt.timedelta(days=180)
    assert not t.builtin
    register_template(t)
    assert template("team-research") is t
    path = tmp_path / "t.yaml"
    path.write_text(YAML.replace("team-research", "team-research-2"))
    assert Template.from_yaml(path).id == "team-research-2"
    assert Template.from_yaml(str(path)).id == "team-research-2"
    from anonlab.licensing import License

    lic = License.from_template("team-research", licensee="Team")
    assert lic.spdx == "LicenseRef-anonlab-team-research"
    assert License.from_json(lic.to_json()) == lic


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (("id: team-research", "id: Team Research"), "id"),
        (("regulation: GDPR", "regulation: PIPEDA"), "regulation"),
        (("[direct-identifiers, pseudonymisation]", "[direct-identifiers, vibes]"),
         "required_checks[1]"),
        (("[scientific-research]", "[astrology]"), "permitted_purposes[0]"),
        (("[re-identification, linking]", "[juggling]"), "prohibited[0]"),
        (("[log-access]", "[sing]"), "duties[0]"),
        (("default_term: P6M", "default_term: six months"), "default_term"),
        (("risk_threshold: null", "risk_threshold: 2"), "risk_threshold"),
        (("claimed_status: pseudonymous", "claimed_status: great"), "claimed_status"),
        (("pseudonymised_status: pseudonymous", "pseudonymised_status: anonymous"),
         "pseudonymised_status"),
        (("  regulation: Research only.", "  footer: x"), "clauses.footer"),
        (("title: Team research release", "title: Team research release\ncolour: blue"),
         "colour"),
        (("standard: GDPR Article 89\n", ""), "standard"),
    ],
)
def test_bad_templates_name_the_path(change, path):
    with pytest.raises(LicenseError) as info:
        Template.from_yaml(YAML.replace(*change))
    assert info.value.path == path, str(info.value)


def test_strict_yaml():
    with pytest.raises(LicenseError, match="twice"):
        Template.from_yaml(YAML + "version: '0.2'\n")
    with pytest.raises(LicenseError, match="not valid YAML"):
        Template.from_yaml("id: [")
    with pytest.raises(LicenseError, match="cannot read"):
        Template.from_yaml("/no/such/template.yaml")


def test_builtins_cannot_be_shadowed():
    fake = Template.from_yaml(YAML.replace("team-research", "hipaa-safe-harbor"))
    with pytest.raises(LicenseError, match="built-in"):
        register_template(fake)
    assert template("hipaa-safe-harbor").builtin
    with pytest.raises(LicenseError):
        register_template({"id": "x"})  # type: ignore[arg-type]
    with pytest.raises(LicenseError) as info:
        template("nope")
    assert info.value.path == "template"


def test_vocabularies():
    assert PURPOSES["scientific-research"].curie == "dpv:ScientificResearch"
    assert PURPOSES["statistics"].curie == "alp:StatisticalAnalysis"
    assert all(p.broader is None or p.broader in PURPOSES for p in PURPOSES.values())
    assert purpose_allows("any", "statistics") and purpose_allows("research", "statistics")
    assert not purpose_allows("statistics", "research")
    assert not purpose_allows("research", "unknown")
    assert PROHIBITIONS["re-identification"].iri.endswith("profile#reidentify")
    assert DUTIES["delete-at-expiry"].iri == "http://www.w3.org/ns/odrl/2/delete"
    assert PURPOSES["statistics"].to_dict()["broader"] == "research"

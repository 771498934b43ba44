"""The license model: building, validation, round trips, canonical JSON and access checks."""

from __future__ import annotations

import copy
import datetime as dt
import json

import jsonschema
import pytest

from anonlab.errors import AccessDeniedError, LicenseError, ParameterError
from anonlab.licensing import LICENSE_SCHEMA, License, Party, Retention, Role
from anonlab.licensing.schema import validate
from anonlab.licensing.templates import template
from tests.identities import with_test_key

ISSUED = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)


def make(**kw) -> License:
    args = {"licensee": "Registry team", "licensor": "General Hospital", "issued": ISSUED,
            "expires": "2026-12-31"}
    args.update(kw)
    tid = args.pop("tid", "gdpr-pseudonymous-research")
    if template(tid).requires_identity and args["licensee"] not in ("", []):
        args["licensee"] = with_test_key(args["licensee"])
    return License.from_template(tid, **args)


def schema_validator():
    plain = json.loads(json.dumps(LICENSE_SCHEMA))
    jsonschema.Draft202012Validator.check_schema(plain)
    return jsonschema.Draft202012Validator(
        plain, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def test_from_template_fills_the_template_terms():
    lic = make()
    assert lic.id.startswith("urn:uuid:") and lic.revision == 1
    assert lic.template == "gdpr-pseudonymous-research" and lic.template_version == "1.0.0"
    assert lic.spdx == "LicenseRef-anonlab-gdpr-pseudonymous-research"
    assert lic.regulation == "GDPR" and lic.jurisdictions == ("EU",)
    assert lic.valid_from == ISSUED
    assert lic.valid_until == dt.datetime(2026, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
    assert lic.retention == Retention(lic.valid_until, "erase")
    assert [p.name for p in lic.licensees] == ["Registry team"]
    assert lic.requires_identity and lic.licensees[0].keys  # the template requires identity
    assert lic.roles == (Role("analyst", ("use",), lic.purposes),)
    assert "re-identification" in lic.prohibited and "log-access" in lic.duties
    assert lic.dataset is None and lic.anonymization is None and not lic.bound
    assert lic.issued.tzinfo is dt.UTC


@pytest.mark.parametrize(
    ("expires", "until"),
    [
        (None, ISSUED + dt.timedelta(days=365)),
        (dt.timedelta(days=30), ISSUED + dt.timedelta(days=30)),
        (dt.date(2026, 6, 30), dt.datetime(2026, 6, 30, 23, 59, 59, tzinfo=dt.UTC)),
        ("P6M", dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)),
        ("P1Y2W", dt.datetime(2027, 1, 15, 12, 0, tzinfo=dt.UTC)),
        ("2026-03-01T00:00:00+01:00", dt.datetime(2026, 2, 28, 23, 0, tzinfo=dt.UTC)),
        (dt.datetime(2026, 5, 1, 8, 30, 15, 999, tzinfo=dt.UTC),
         dt.datetime(2026, 5, 1, 8, 30, 15, tzinfo=dt.UTC)),
    ],
)
def test_expiry_forms(expires, until):
    assert make(expires=expires).valid_until == until


def test_terms():
    lic = make(licensee=[Party("A", "https://a.example/org", "privacy@a.example"),
                         {"name": "B"}],
               approvers=["DPO Jane"], prohibited=["sale"], duties=["allow-audit"],
               retention="P30D", valid_from="2026-02-01T00:00:00Z", revision=2,
               roles=[Role("analyst", ("use", "read"), ("scientific-research",)),
                      {"name": "auditor", "actions": ["read-audit-log"], "purposes": []}],
               purposes=["scientific-research", "statistics"])
    assert [p.name for p in lic.licensees] == ["A", "B"]
    assert lic.licensees[0].iri == "https://a.example/org"
    assert lic.licensees[1].iri == "urn:anonlab:party:b"
    assert lic.prohibited[-1] == "sale" and lic.duties[-1] == "allow-audit"
    assert lic.retention.delete_by == dt.datetime(2027, 1, 30, 23, 59, 59, tzinfo=dt.UTC)
    assert lic.revision == 2 and lic.approvers == (Party("DPO Jane"),)


@pytest.mark.parametrize(
    ("kw", "path"),
    [
        ({"tid": "no-such-template"}, "template"),
        ({"purposes": ["marketing"]}, "purposes[0]"),
        ({"purposes": ["research"]}, "purposes[0]"),  # broader than the template permits
        ({"expires": "2025-12-31"}, "valid_until"),
        ({"expires": "yesterday"}, "valid_until"),
        ({"expires": "P"}, "valid_until"),
        ({"expires": dt.datetime(2027, 1, 1)}, "valid_until"),  # naive
        ({"issued": dt.datetime(2026, 1, 1)}, "issued"),
        ({"licensee": ""}, "parties.licensees[0]"),
        ({"licensee": []}, "parties.licensees"),
        ({"colour": "blue"}, "colour"),
        ({"spdx": "CC-BY-4.0"}, "spdx"),
        ({"retention": "2026-06-01T00:00:00Z"}, "retention.delete_by"),
        ({"roles": [Role("a"), Role("a")]}, "roles[1].name"),
        ({"roles": [Role("a", ("use",), ("marketing",))]}, "roles[0].purposes[0]"),
        ({"roles": [Role("a", ("fly",))]}, "roles[0].actions[0]"),
        ({"jurisdictions": ["europe"]}, "jurisdictions[0]"),
        ({"id": "urn:uuid:not-a-uuid"}, "id"),
        ({"revision": 0}, "revision"),
    ],
)
def test_bad_terms_name_the_path(kw, path):
    with pytest.raises(LicenseError) as info:
        make(**kw)
    assert info.value.path == path, str(info.value)


def test_open_licence_where_the_template_allows():
    lic = make(tid="gdpr-anonymous", spdx="CC-BY-4.0", purposes=["any"])
    assert lic.spdx == "CC-BY-4.0"
    with pytest.raises(LicenseError) as info:
        make(tid="gdpr-anonymous", spdx="CC-BY-4.0")
    assert info.value.path == "purposes"


def test_round_trips_and_schema(releases, raw):
    validator = schema_validator()
    lic = make()
    for candidate in (lic, _bound(releases, raw)):
        data = candidate.to_dict()
        validator.validate(data)
        assert License.from_dict(data) == candidate
        assert License.from_json(candidate.to_json()) == candidate
        assert License.from_json(candidate.to_json().encode()) == candidate
        assert License.from_dict(json.loads(candidate.to_json())).to_json() == candidate.to_json()


def _bound(releases, raw) -> License:
    from anonlab.licensing import issue_license

    from .conftest import AT

    r = releases["gdpr-anonymous"]
    return issue_license("gdpr-anonymous", frame=r.frame, recipe=r.recipe, report=r.report,
                         licensee="Y", issued=ISSUED, at=AT, original=raw, **r.made)


def test_canonical_json_is_byte_stable():
    lic = make(id="urn:uuid:7f3c2a1e-0b5d-4c1a-9e2f-3b8d6a4c9e10")
    text = lic.to_json()
    assert text == make(id="urn:uuid:7f3c2a1e-0b5d-4c1a-9e2f-3b8d6a4c9e10").to_json()
    assert text == License.from_json(text).to_json()
    assert "\n" not in text and ": " not in text and ", " not in text.split('"')[0]
    data = json.loads(text)
    assert list(data) == sorted(data)
    assert text == json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert text.startswith('{"anonymization":null,"compliance":[],"dataset":null,')
    assert lic.digest().startswith("sha256:") and len(lic.digest()) == 71
    assert hash(lic) == hash(License.from_json(text))


def _broken(data, mutate):
    data = copy.deepcopy(data)
    mutate(data)
    return data


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda d: d.update(extra=1), "extra"),
        (lambda d: d["parties"]["licensor"].update(nickname="x"), "parties.licensor.nickname"),
        (lambda d: d["parties"]["licensees"][0].update(name=""), "parties.licensees[0].name"),
        (lambda d: d["parties"]["licensees"][0].pop("name"), "parties.licensees[0].name"),
        (lambda d: d.update(revision="1"), "revision"),
        (lambda d: d.update(purposes="research"), "purposes"),
        (lambda d: d.update(issued="2026-01-01"), "issued"),
        (lambda d: d.update(valid_until="2026-13-01T00:00:00Z"), "valid_until"),
        (lambda d: d.update(valid_until="2025-01-01T00:00:00Z"), "valid_until"),
        (lambda d: d.update(valid_from="2027-06-01T00:00:00Z"), "valid_until"),
        (lambda d: d["retention"].update(delete_by="2026-02-01T00:00:00Z"),
         "retention.delete_by"),
        (lambda d: d["retention"].update(method="burn"), "retention.method"),
        (lambda d: d.update(template="no-such-template"), "template"),
        (lambda d: d.update(template="Bad Id"), "template"),
        (lambda d: d.update(regulation="HIPAA"), "regulation"),
        (lambda d: d.update(prohibited=["linking"]), "prohibited"),
        (lambda d: d.update(prohibited=["re-identification", "juggling"]), "prohibited[1]"),
        (lambda d: d.update(duties=[]), "duties"),
        (lambda d: d.pop("roles"), "roles"),
        (lambda d: d.update(format_version=2), "format_version"),
        (lambda d: d.update(dataset={"records": 1}), "dataset.columns"),
        (lambda d: d.update(spdx="MIT"), "spdx"),
    ],
)
def test_malformed_licenses_raise_with_the_path(mutate, path):
    good = make().to_dict()
    bad = _broken(good, mutate)
    with pytest.raises(LicenseError) as info:
        License.from_dict(bad)
    assert info.value.path == path, str(info.value)


def test_schema_and_validator_agree_on_malformed_documents():
    validator = schema_validator()
    good = make().to_dict()
    for mutate in (lambda d: d.update(extra=1), lambda d: d.update(revision=0),
                   lambda d: d["parties"].pop("licensor"),
                   lambda d: d.update(jurisdictions=["EU", "EU"])):
        bad = _broken(good, mutate)
        assert list(validator.iter_errors(bad))
        with pytest.raises(LicenseError):
            validate(bad)


def test_from_json_refuses_bad_text():
    text = make().to_json()
    with pytest.raises(LicenseError, match="not valid JSON"):
        License.from_json(text[:-1])
    with pytest.raises(LicenseError, match="twice"):
        License.from_json('{"id": 1, "id": 2}')
    with pytest.raises(LicenseError) as info:
        License.from_json("[]")
    assert info.value.path == ""


def test_schema_vocabularies_match_the_python_ones():
    from anonlab.licensing.model import ROLE_ACTIONS
    from anonlab.licensing.purposes import DUTIES, PROHIBITIONS, PURPOSES

    defs = LICENSE_SCHEMA["$defs"]
    assert list(defs["purpose"]["enum"]) == list(PURPOSES)
    assert list(defs["action"]["enum"]) == list(ROLE_ACTIONS)
    props = LICENSE_SCHEMA["properties"]
    assert list(props["prohibited"]["items"]["enum"]) == list(PROHIBITIONS)
    assert list(props["duties"]["items"]["enum"]) == list(DUTIES)


# -- access --------------------------------------------------------------------------------


@pytest.fixture
def lic() -> License:
    return make(roles=[Role("analyst", ("use",), ("scientific-research", "statistics")),
                       Role("student", ("read",), ("academic-research",))],
                purposes=["scientific-research", "academic-research", "statistics"],
                valid_from="2026-02-01T00:00:00Z")


def test_permitted_access(lic):
    at = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    assert lic.check_access(purpose="scientific-research", role="analyst", at=at) is None
    assert lic.check_access(purpose="academic-research", role="student", at=at) is None
    # the last second of the term is still in force
    assert lic.check_access(purpose="statistics", role="analyst", at=lic.valid_until) is None


@pytest.mark.parametrize(
    ("purpose", "role", "at", "reason", "says"),
    [
        ("statistics", "analyst", dt.datetime(2026, 1, 15, tzinfo=dt.UTC), "not_yet_valid",
         "2026-02-01T00:00:00Z"),
        ("statistics", "analyst", dt.datetime(2027, 1, 1, tzinfo=dt.UTC), "expired",
         "expired at 2026-12-31T23:59:59Z"),
        ("marketing", "analyst", None, "purpose", "scientific-research, statistics"),
        ("research", "analyst", None, "purpose", "'research'"),  # broader than permitted
        ("academic-research", "analyst", None, "purpose", "role 'analyst'"),
        ("no-such-purpose", "analyst", None, "purpose", "not a known purpose"),
        ("statistics", "intern", None, "role", "analyst, student"),
        ("re-identification", "analyst", None, "prohibited", "prohibits 're-identification'"),
        ("linking", "student", None, "prohibited", "linking"),
    ],
)
def test_denied_access(lic, purpose, role, at, reason, says):
    at = at or dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    with pytest.raises(AccessDeniedError) as info:
        lic.check_access(purpose=purpose, role=role, at=at)
    assert info.value.reason == reason
    assert says in str(info.value)
    assert isinstance(info.value, PermissionError)


def test_narrower_purposes_are_allowed():
    lic = make(tid="gdpr-anonymous", expires=dt.timedelta(days=10))
    at = ISSUED + dt.timedelta(days=1)
    lic.check_access(purpose="scientific-research", role="analyst", at=at)  # under research
    with pytest.raises(AccessDeniedError):
        lic.check_access(purpose="any", role="analyst", at=at)


def test_expiry_state():
    lic = make(expires=dt.timedelta(days=1), issued=dt.datetime.now(dt.UTC))
    assert lic.in_force and not lic.is_expired()
    assert lic.is_expired(dt.datetime.now(dt.UTC) + dt.timedelta(days=2))
    assert not make(issued=ISSUED - dt.timedelta(days=3650), expires="P1Y").in_force
    with pytest.raises(LicenseError):
        lic.is_expired(dt.datetime(2026, 1, 1))  # naive


def test_bind_validates(releases):
    lic = make()
    with pytest.raises(LicenseError) as info:
        lic.bind(dataset={"records": 1, "columns": [], "schema_hash": "x"}, anonymization={})
    assert info.value.path == "dataset.schema_hash"
    good_dataset = {"records": 3, "columns": ["a"], "schema_hash": "0" * 64,
                    "files": [{"path": "data/a.parquet", "sha256": "a" * 64, "bytes": 10}]}
    with pytest.raises(LicenseError) as info:
        lic.bind(dataset=good_dataset, anonymization={"claimed_status": "anonymous",
                                                      "standard": "x", "checks": []})
    assert info.value.path == "anonymization.claimed_status"  # the template claims pseudonymous
    with pytest.raises(LicenseError) as info:
        lic.bind(dataset=good_dataset,
                 anonymization={"claimed_status": "pseudonymous", "standard": "x", "checks": [],
                                "recipe": {"steps": [{"column": "a", "op": "hash",
                                                      "key": "raw-secret"}]}})
    assert info.value.path.startswith("anonymization.recipe")
    bound = lic.bind(dataset=good_dataset,
                     anonymization={"claimed_status": "pseudonymous", "standard": "x",
                                    "checks": []})
    assert bound.bound and bound.dataset["files"][0]["bytes"] == 10
    assert License.from_json(bound.to_json()) == bound
    with pytest.raises(TypeError):
        bound.dataset["records"] = 4  # frozen


def test_repr():
    assert "gdpr-pseudonymous-research" in repr(make())


def test_a_role_without_read_or_use_cannot_open_the_data() -> None:
    import datetime as dt

    from anonlab.errors import AccessDeniedError
    from anonlab.licensing import License, Role

    lic = License.from_template(
        "internal-ml", licensee="Team", purposes=["ml-development"],
        roles=[Role("auditor", actions=("read-audit-log",), purposes=("ml-development",)),
               Role("analyst", actions=("read",), purposes=("ml-development",))],
    )
    at = lic.valid_from + dt.timedelta(days=1)
    with pytest.raises(AccessDeniedError, match="not granted 'read'") as exc:
        lic.check_access(purpose="ml-development", role="auditor", at=at)
    assert exc.value.reason == "action"
    lic.check_access(purpose="ml-development", role="analyst", at=at)


@pytest.mark.parametrize(
    ("actions", "action", "granted"),
    [
        (("use",), "read", True),
        (("use",), "train-model", True),
        (("use",), "distribute", False),      # export actions only by name
        (("use",), "publish", False),
        (("use",), "read-audit-log", False),
        (("read",), "aggregate", False),
        (("train-model",), "train-model", True),
        (("train-model",), "read", False),
        (("distribute",), "distribute", True),
        (("distribute",), "publish", False),
    ],
)
def test_role_grants(actions, action, granted):
    assert Role("r", actions).grants(action) is granted


def test_check_access_with_an_action():
    lic = License.from_template(
        "internal-ml", licensee="Team", purposes=["ml-development"],
        roles=[Role("modeller", ("train-model",)), Role("sharer", ("read", "distribute"))])
    at = lic.valid_from + dt.timedelta(days=1)
    lic.check_access(purpose="ml-development", role="modeller", at=at, action="train-model")
    lic.check_access(purpose="ml-development", role="sharer", at=at, action="share")
    with pytest.raises(AccessDeniedError, match="export action") as info:
        lic.check_access(purpose="ml-development", role="modeller", at=at, action="distribute")
    assert info.value.reason == "action"
    with pytest.raises(ParameterError, match="not an action on the data"):
        lic.check_access(purpose="ml-development", role="modeller", at=at, action="fly")


def test_export_actions_are_role_actions_in_the_schema_and_odrl():
    lic = License.from_template(
        "internal-ml", licensee="Team", purposes=["ml-development"],
        roles=[Role("publisher", ("use", "publish", "distribute"))])
    assert License.from_json(lic.to_json()) == lic
    assert {p["action"] if isinstance(p["action"], str) else p["action"]["@id"]
            for p in lic.to_odrl()["permission"]} == {"use", "alp:publish", "distribute"}
    with pytest.raises(LicenseError):
        License.from_template("internal-ml", licensee="Team", purposes=["ml-development"],
                              roles=[Role("x", ("share",))])  # an alias, not a role action

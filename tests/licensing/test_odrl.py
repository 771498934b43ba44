"""The ODRL policy: its shape, and its expansion as JSON-LD without the network."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from pyld import jsonld

from anonlab.licensing import PROFILE_IRI, License, Role, document_loader
from anonlab.licensing.odrl import ODRL_CONTEXT_URL, local_context
from tests.identities import with_test_key

ODRL = "http://www.w3.org/ns/odrl/2/"
ALP = PROFILE_IRI + "#"
DPV = "https://w3id.org/dpv#"
XSD_DT = "http://www.w3.org/2001/XMLSchema#dateTime"


@pytest.fixture(scope="module")
def lic() -> License:
    return License.from_template(
        "gdpr-pseudonymous-research", licensee=with_test_key(["Team A", "Team B"]),
        licensor="Hospital",
        issued=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), expires="2026-12-31",
        roles=[Role("analyst", ("use", "train-model"), ("scientific-research",))],
        purposes=["scientific-research", "statistics"],
    )


def expand(policy):
    return jsonld.expand(policy, {"documentLoader": document_loader()})


def values(node, prop):
    return node.get(prop, [])


def test_policy_shape(lic):
    policy = lic.to_odrl()
    assert policy["@context"][0] == ODRL_CONTEXT_URL
    assert policy["@type"] == "Agreement"
    assert policy["uid"] == lic.id
    assert policy["conflict"] == "prohibit"
    assert policy["profile"] == PROFILE_IRI
    assert len(policy["permission"]) == 2  # one per granted action
    assert {p["action"] if isinstance(p["action"], str) else p["action"]["@id"]
            for p in policy["permission"]} == {"use", "alp:trainModel"}
    assert len(policy["prohibition"]) == len(lic.prohibited)
    json.dumps(policy)  # plain data


def test_policy_expands_offline_to_odrl_and_profile_iris(lic):
    [node] = expand(lic.to_odrl())
    assert node["@id"] == lic.id
    assert node["@type"] == [ODRL + "Agreement"]
    assert values(node, ODRL + "conflict") == [{"@id": ODRL + "prohibit"}]
    assert values(node, ODRL + "profile") == [{"@id": PROFILE_IRI}]
    assert values(node, "http://purl.org/dc/terms/issued") == [
        {"@type": XSD_DT, "@value": "2026-01-01T00:00:00Z"}]
    permissions = values(node, ODRL + "permission")
    actions = {a["@id"] for p in permissions for a in values(p, ODRL + "action")}
    assert actions == {ODRL + "use", ALP + "trainModel"}
    use = next(p for p in permissions if values(p, ODRL + "action") == [{"@id": ODRL + "use"}])
    assert values(use, ODRL + "assigner") == [{"@id": "urn:anonlab:party:hospital"}]
    assert {a["@id"] for a in values(use, ODRL + "assignee")} == {
        "urn:anonlab:party:team-a", "urn:anonlab:party:team-b"}
    constraints = values(use, ODRL + "constraint")
    by_operand = {}
    for c in constraints:
        left = values(c, ODRL + "leftOperand")[0]["@id"]
        op = values(c, ODRL + "operator")[0]["@id"]
        by_operand.setdefault(left, []).append((op, values(c, ODRL + "rightOperand")))
    [(op, right)] = by_operand[ODRL + "purpose"]
    assert op == ODRL + "isAnyOf"
    assert right == [{"@id": DPV + "ScientificResearch"}]
    times = dict(by_operand[ODRL + "dateTime"])
    assert times[ODRL + "gteq"] == [{"@type": XSD_DT, "@value": "2026-01-01T00:00:00Z"}]
    assert times[ODRL + "lteq"] == [{"@type": XSD_DT, "@value": "2026-12-31T23:59:59Z"}]
    assert by_operand[ALP + "role"] == [(ODRL + "eq", [{"@value": "analyst"}])]
    duties = {a["@id"] for d in values(use, ODRL + "duty") for a in values(d, ODRL + "action")}
    assert {ALP + "recordAccess", ODRL + "delete", ALP + "reportIncident",
            ODRL + "nextPolicy"} <= duties
    prohibitions = values(node, ODRL + "prohibition")
    banned = {values(p, ODRL + "action")[0]["@id"] for p in prohibitions}
    assert {ALP + "reidentify", ALP + "linkWithOtherData", ODRL + "distribute",
            ALP + "transferAbroad"} <= banned
    for p in prohibitions:
        remedy = values(p, ODRL + "remedy")[0]
        assert values(remedy, ODRL + "action") == [{"@id": ODRL + "delete"}]


def test_loader_refuses_the_network():
    loader = document_loader()
    with pytest.raises(ValueError, match="offline"):
        loader("https://example.org/context.jsonld", {})
    policy = {"@context": "https://example.org/context.jsonld", "uid": "urn:x"}
    with pytest.raises(jsonld.JsonLdError):
        expand(policy)
    assert loader(ODRL_CONTEXT_URL, {})["document"] == local_context()


def test_local_context_covers_the_terms_used(lic):
    context = local_context()["@context"]
    for term in ("Agreement", "uid", "permission", "prohibition", "obligation", "duty",
                 "remedy", "action", "target", "assigner", "assignee", "constraint",
                 "leftOperand", "operator", "rightOperand", "conflict", "profile", "use",
                 "delete", "distribute", "sell", "nextPolicy", "purpose", "dateTime", "eq",
                 "gteq", "lteq", "isAnyOf", "prohibit"):
        assert term in context, term
    assert context["uid"] == "@id"
    assert context["action"] == {"@type": "@vocab", "@id": "odrl:action"}
    assert context["target"] == {"@type": "@id", "@id": "odrl:target"}


def test_open_licence_policy_permits_any_purpose():
    lic = License.from_template("gdpr-anonymous", licensee="World", spdx="CC0-1.0",
                                purposes=["any"], issued=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    [node] = expand(lic.to_odrl())
    use = values(node, ODRL + "permission")[0]
    purpose = next(c for c in values(use, ODRL + "constraint")
                   if values(c, ODRL + "leftOperand")[0]["@id"] == ODRL + "purpose")
    assert values(purpose, ODRL + "rightOperand") == [{"@id": DPV + "Purpose"}]
    assert values(node, ALP + "spdxLicense") == [{"@value": "CC0-1.0"}]

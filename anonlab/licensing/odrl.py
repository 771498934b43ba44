"""Licenses as ODRL 2.2 policies (JSON-LD).

:func:`to_odrl` writes a license as an ODRL ``Agreement`` from the licensor (``assigner``) to the
licensees (``assignee``):

- ``@context`` is ``["http://www.w3.org/ns/odrl.jsonld", {prefixes}]`` with ``dc``, ``dpv``,
  ``xsd`` and ``alp``, the anonlab profile (:data:`~anonlab.licensing.purposes.PROFILE_IRI`,
  ``https://anonlab.dev/odrl/profile``), listed under ``profile`` because the policy uses its
  terms: ODRL has no action for re-identifying, linking with other data or keeping an access log
  (``alp:reidentify``, ``alp:linkWithOtherData``, ``alp:recordAccess``), nor a left operand for a
  licensee's role (``alp:role``). The profile's Turtle is shipped as
  ``anonlab/licensing/contexts/anonlab-profile.ttl``.
- ``conflict`` is ``prohibit``: the prohibitions (``alp:linkWithOtherData`` is included in
  ``use``) override the ``use`` permission; under ODRL's default, ``invalid``, the conflict would
  void the whole policy.
- one permission per role and granted action, constrained by the purposes (``purpose isAnyOf``
  the DPV or profile concepts), the validity window (``dateTime gteq`` the start and ``lteq`` the
  end, as ``xsd:dateTime``) and the role (``alp:role eq``), carrying the duties: every duty of
  the license, the deletion duty as ``delete`` with ``dateTime lteq`` the deletion date.
- one prohibition per prohibited use, with the remedy ``delete`` (erase the data).

Metadata uses Dublin Core (``dc:issued``, ``dc:coverage`` for the jurisdictions,
``dc:description``) and the profile (``alp:spdxLicense``, ``alp:template``,
``alp:claimedStatus``).

The policy expands offline with any JSON-LD processor given :func:`document_loader`, which
serves the shipped copy of the ODRL context and refuses every other URL.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from anonlab.licensing._time import format_time
from anonlab.licensing.purposes import DUTIES, PROFILE_IRI, PROFILE_NS, PROHIBITIONS, PURPOSES

if TYPE_CHECKING:
    from collections.abc import Callable

    from anonlab.licensing.model import License

__all__ = ["CONTEXT", "ODRL_CONTEXT_URL", "document_loader", "local_context", "to_odrl"]

ODRL_CONTEXT_URL = "http://www.w3.org/ns/odrl.jsonld"
"""The URL of the ODRL 2.2 JSON-LD context."""

CONTEXT: list[Any] = [
    ODRL_CONTEXT_URL,
    {
        "dc": "http://purl.org/dc/terms/",
        "dpv": "https://w3id.org/dpv#",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
        "alp": PROFILE_NS,
    },
]
"""The ``@context`` of every policy anonlab writes."""

_ROLE_ACTIONS = {"train-model": "alp:trainModel", "read-audit-log": "alp:readAuditLog",
                 "publish": "alp:publish"}


@lru_cache(maxsize=1)
def local_context() -> dict[str, Any]:
    """The shipped copy of the ODRL JSON-LD context (a fresh parse, cached)."""
    text = files("anonlab.licensing").joinpath("contexts", "odrl.jsonld").read_text("utf-8")
    context: dict[str, Any] = json.loads(text)
    return context


def document_loader() -> Callable[..., dict[str, Any]]:
    """A JSON-LD document loader (for pyld's ``documentLoader`` option) that serves the shipped
    ODRL context for :data:`ODRL_CONTEXT_URL` (and its https form) and refuses any other URL, so
    expanding a policy never touches the network."""

    def load(url: str, options: Any = None) -> dict[str, Any]:
        if url.rstrip("/") in (ODRL_CONTEXT_URL, ODRL_CONTEXT_URL.replace("http:", "https:")):
            return {"contextUrl": None, "documentUrl": url,
                    "document": json.loads(json.dumps(local_context()))}
        raise ValueError(f"refusing to fetch {url!r}: anonlab resolves JSON-LD contexts offline")

    return load


def _action(compact: str) -> Any:
    """An action as ODRL JSON-LD: a bare term for ODRL's own, a node for the profile's."""
    prefix, _, local = compact.partition(":")
    return local if prefix == "odrl" else {"@id": compact}


def _time(value: Any) -> dict[str, str]:
    return {"@value": format_time(value), "@type": "xsd:dateTime"}


def to_odrl(license: License) -> dict[str, Any]:
    """The license as an ODRL 2.2 Agreement in JSON-LD (see the module documentation)."""
    uid = license.id
    target = "urn:anonlab:dataset:" + uid.removeprefix("urn:uuid:")
    assigner = license.licensor.iri
    assignees = [p.iri for p in license.licensees]
    assignee: Any = assignees[0] if len(assignees) == 1 else assignees
    duties = []
    for duty in license.duties:
        term = DUTIES[duty]
        entry: dict[str, Any] = {"uid": f"{uid}#duty-{duty}", "action": _action(term.action)}
        if duty == "delete-at-expiry":
            entry["target"] = target
            entry["constraint"] = [{"leftOperand": "dateTime", "operator": "lteq",
                                    "rightOperand": _time(license.retention.delete_by)}]
        duties.append(entry)
    permissions = []
    for role in license.roles:
        purposes = role.purposes or license.purposes
        for action in role.actions:
            permissions.append({
                "uid": f"{uid}#permission-{role.name}-{action}",
                "target": target,
                "assigner": assigner,
                "assignee": assignee,
                "action": ({"@id": _ROLE_ACTIONS[action]} if action in _ROLE_ACTIONS
                           else action),
                "constraint": [
                    {"leftOperand": "purpose", "operator": "isAnyOf",
                     "rightOperand": [{"@id": PURPOSES[p].curie} for p in purposes]},
                    {"leftOperand": "dateTime", "operator": "gteq",
                     "rightOperand": _time(license.valid_from)},
                    {"leftOperand": "dateTime", "operator": "lteq",
                     "rightOperand": _time(license.valid_until)},
                    {"leftOperand": "alp:role", "operator": "eq", "rightOperand": role.name},
                ],
                "duty": duties,
            })
    prohibitions = [
        {
            "uid": f"{uid}#prohibition-{use}",
            "target": target,
            "assigner": assigner,
            "assignee": assignee,
            "action": _action(PROHIBITIONS[use].action),
            "remedy": [{"action": "delete", "target": target}],
        }
        for use in license.prohibited
    ]
    policy: dict[str, Any] = {
        "@context": json.loads(json.dumps(CONTEXT)),
        "@type": "Agreement",
        "uid": uid,
        "profile": PROFILE_IRI,
        "conflict": "prohibit",
        "dc:issued": _time(license.issued),
        "dc:description": _description(license),
        "alp:spdxLicense": license.spdx,
        "alp:template": f"{license.template}@{license.template_version}",
        "permission": permissions,
    }
    if license.jurisdictions:
        policy["dc:coverage"] = list(license.jurisdictions)
    if license.anonymization is not None:
        policy["alp:claimedStatus"] = license.anonymization["claimed_status"]
    if prohibitions:
        policy["prohibition"] = prohibitions
    return policy


def _description(license: License) -> str:
    names = ", ".join(p.name for p in license.licensees)
    purposes = ", ".join(PURPOSES[p].label.lower() for p in license.purposes)
    banned = ", ".join(license.prohibited) or "nothing"
    return (f"{license.licensor.name} licenses the data to {names} for {purposes}, from "
            f"{format_time(license.valid_from)} until {format_time(license.valid_until)}; "
            f"prohibited: {banned}; the data is deleted by "
            f"{format_time(license.retention.delete_by)}.")

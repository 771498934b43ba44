"""The vocabularies a license is written in: purposes, prohibited uses and duties.

Purposes
--------
:data:`PURPOSES` maps a short id (``"scientific-research"``) to its label, its concept IRI and
the id of its broader purpose. Concepts come from the W3C Data Privacy Vocabulary (DPV,
``https://w3id.org/dpv#``) where DPV has one, otherwise from the anonlab ODRL profile
(``https://anonlab.dev/odrl/profile#``, see :mod:`anonlab.licensing.odrl`).

The ids form a tree under ``"any"``. A permission for a purpose covers its narrower purposes: a
license permitting ``"research"`` allows a request for ``"scientific-research"``. The reverse is
refused: a license permitting only ``"scientific-research"`` does not allow a request for
``"research"``, which also covers research the license does not permit (see
:func:`purpose_allows`). This is the matching the GA4GH Data Use Ontology describes (a request
matches datasets tagged with broader permissions) and ODRL's ``isA`` operator expresses.

Prohibited uses and duties
--------------------------
:data:`PROHIBITIONS` and :data:`DUTIES` map ids to a label and the ODRL action (a core ODRL term
such as ``odrl:distribute``, or an ``alp:`` term of the anonlab profile where ODRL has none, such
as ``alp:reidentify`` and ``alp:recordAccess``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = [
    "DUTIES",
    "PROFILE_IRI",
    "PROFILE_NS",
    "PROHIBITIONS",
    "PURPOSES",
    "Purpose",
    "Term",
    "broader_chain",
    "purpose_allows",
]

PROFILE_IRI = "https://anonlab.dev/odrl/profile"
"""The IRI of the anonlab ODRL profile (the ``profile`` of every policy anonlab writes)."""

PROFILE_NS = PROFILE_IRI + "#"
"""The namespace of the profile's terms (prefix ``alp``)."""

DPV_NS = "https://w3id.org/dpv#"
ODRL_NS = "http://www.w3.org/ns/odrl/2/"


@dataclass(frozen=True)
class Purpose:
    """A purpose of the vocabulary.

    Attributes
    ----------
    id : str
        The short id used in licenses (``"scientific-research"``).
    label : str
        In words.
    iri : str
        The concept's IRI (DPV, or the anonlab profile).
    broader : str or None
        The id of the broader purpose (None only for ``"any"``).
    """

    id: str
    label: str
    iri: str
    broader: str | None

    @property
    def curie(self) -> str:
        """The IRI as a compact IRI (``dpv:ScientificResearch``)."""
        return _curie(self.iri)

    def to_dict(self) -> dict[str, str | None]:
        """Plain data: id, label, iri, broader."""
        return {"id": self.id, "label": self.label, "iri": self.iri, "broader": self.broader}


@dataclass(frozen=True)
class Term:
    """A prohibited use or a duty: its label and the ODRL action that expresses it."""

    id: str
    label: str
    action: str  # a compact IRI: "odrl:distribute", "alp:reidentify"

    @property
    def iri(self) -> str:
        """The action's full IRI."""
        prefix, _, local = self.action.partition(":")
        return {"odrl": ODRL_NS, "alp": PROFILE_NS, "dpv": DPV_NS}[prefix] + local


def _curie(iri: str) -> str:
    for prefix, ns in (("dpv", DPV_NS), ("alp", PROFILE_NS), ("odrl", ODRL_NS)):
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def _p(id: str, label: str, concept: str, broader: str | None) -> tuple[str, Purpose]:
    prefix, _, local = concept.partition(":")
    iri = (DPV_NS if prefix == "dpv" else PROFILE_NS) + local
    return id, Purpose(id, label, iri, broader)


PURPOSES: Mapping[str, Purpose] = MappingProxyType(dict([
    _p("any", "Any purpose", "dpv:Purpose", None),
    _p("research", "Research and development", "dpv:ResearchAndDevelopment", "any"),
    _p("scientific-research", "Scientific research", "dpv:ScientificResearch", "research"),
    _p("academic-research", "Academic research", "dpv:AcademicResearch", "research"),
    _p("commercial-research", "Commercial research", "dpv:CommercialResearch", "research"),
    _p("non-commercial-research", "Non-commercial research", "dpv:NonCommercialResearch",
       "research"),
    _p("statistics", "Statistical analysis", "alp:StatisticalAnalysis", "research"),
    _p("ml-development", "Machine-learning model development", "alp:ModelDevelopment",
       "research"),
    _p("official-statistics", "Official statistics", "dpv:ProvideOfficialStatistics", "any"),
    _p("healthcare-improvement", "Improving healthcare and its quality", "dpv:ImproveHealthcare",
       "any"),
    _p("service-provision", "Providing a service", "dpv:ServiceProvision", "any"),
    _p("service-analytics", "Service usage analytics", "dpv:ServiceUsageAnalytics",
       "service-provision"),
    _p("service-optimisation", "Service optimisation", "dpv:ServiceOptimisation",
       "service-provision"),
    _p("product-improvement", "Improving existing products and services",
       "dpv:ImproveExistingProductsAndServices", "service-provision"),
    _p("marketing", "Marketing", "dpv:Marketing", "any"),
    _p("fraud-prevention", "Fraud prevention and detection", "dpv:FraudPreventionAndDetection",
       "any"),
    _p("security", "Enforcing security", "dpv:EnforceSecurity", "any"),
    _p("legal-compliance", "Legal compliance", "dpv:LegalCompliance", "any"),
    _p("audit", "Record management and audit", "dpv:RecordManagement", "legal-compliance"),
]))
"""The purpose vocabulary: id -> :class:`Purpose` (label, DPV or profile IRI, broader id)."""


def _t(id: str, label: str, action: str) -> tuple[str, Term]:
    return id, Term(id, label, action)


PROHIBITIONS: Mapping[str, Term] = MappingProxyType(dict([
    _t("re-identification", "Re-identify, or attempt to re-identify, any person",
       "alp:reidentify"),
    _t("linking", "Link or match the records with other data", "alp:linkWithOtherData"),
    _t("onward-transfer", "Pass the data on to anyone not named in this license",
       "odrl:distribute"),
    _t("contact-data-subjects", "Contact the people the data is about",
       "alp:contactDataSubject"),
    _t("decisions-about-individuals", "Use the data to make decisions about individuals",
       "alp:decideAboutIndividuals"),
    _t("sale", "Sell the data or access to it", "odrl:sell"),
    _t("public-release", "Publish the data", "alp:publish"),
    _t("model-commercialisation", "Give models trained on the data, or their outputs, to "
       "third parties or embedding them in products", "alp:commercialiseModel"),
    _t("membership-inference", "Run membership-inference or other re-identification experiments",
       "alp:inferMembership"),
    _t("transfer-outside-eea", "Transfer the data outside the EEA without safeguards",
       "alp:transferAbroad"),
    _t("own-purposes", "Use the data for the recipient's own purposes",
       "alp:useForOwnPurposes"),
]))
"""Prohibited uses: id -> :class:`Term` (label, ODRL action)."""

DUTIES: Mapping[str, Term] = MappingProxyType(dict([
    _t("log-access", "Record every access in the license's tamper-evident access log",
       "alp:recordAccess"),
    _t("delete-at-expiry", "Erase every copy of the data by the deletion date", "odrl:delete"),
    _t("report-incidents", "Report any security incident or breach to the licensor without "
       "undue delay (within 72 hours)", "alp:reportIncident"),
    _t("report-reidentification", "Tell the licensor at once on discovering that anyone could "
       "be re-identified", "alp:reportReidentificationRisk"),
    _t("keep-license-with-data", "Keep this license with every copy of the data",
       "alp:keepLicenseWithData"),
    _t("flow-down", "Bind any permitted recipient to the same or stricter terms",
       "odrl:nextPolicy"),
    _t("reassess-on-change", "Have the re-identification risk re-assessed before any change to "
       "the data, its recipients or its environment", "alp:reassessRisk"),
    _t("forward-subject-requests", "Forward data-subject requests to the licensor",
       "alp:forwardSubjectRequests"),
    _t("keep-models-internal", "Keep any model derived from the data inside the licensee's "
       "organisation", "alp:keepModelsInternal"),
    _t("destruction-certificate", "Certify the destruction of the data in writing",
       "alp:certifyDestruction"),
    _t("allow-audit", "Allow the licensor to audit compliance with this license",
       "alp:allowAudit"),
]))
"""Duties: id -> :class:`Term` (label, ODRL action)."""


def broader_chain(purpose: str) -> tuple[str, ...]:
    """The purpose and every broader one up to ``"any"``, narrowest first.

    Raises
    ------
    KeyError
        ``purpose`` is not in :data:`PURPOSES`.
    """
    chain = []
    current: str | None = purpose
    while current is not None:
        chain.append(current)
        current = PURPOSES[current].broader
    return tuple(chain)


def purpose_allows(permitted: str, asked: str) -> bool:
    """Whether a permission for ``permitted`` covers a request for ``asked``.

    True when ``asked`` is ``permitted`` or narrower than it (``permitted`` is in the broader
    chain of ``asked``); an unknown id is never allowed.

    Examples
    --------
    >>> purpose_allows("research", "scientific-research")
    True
    >>> purpose_allows("scientific-research", "research")
    False
    """
    if permitted not in PURPOSES or asked not in PURPOSES:
        return False
    return permitted in broader_chain(asked)

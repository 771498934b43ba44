"""License templates: what a kind of release requires, permits and forbids.

A :class:`Template` names the checks the data must pass (:mod:`anonlab.licensing.checks`), the
risk threshold it is held to, the purposes a license may permit, the uses it always prohibits,
the duties of the licensee, the default term and the status it lets a license claim, and the
clauses its ``LICENSE.md`` carries.

The seven built-in templates
----------------------------
=============================  ==========  ===============  ===========  ==========
id                             regulation  claimed status   threshold    term
=============================  ==========  ===============  ===========  ==========
``hipaa-safe-harbor``          HIPAA       deidentified     (none)       3 years
``hipaa-expert-determination`` HIPAA       deidentified     0.09         1 year
``gdpr-anonymous``             GDPR        anonymous        0.09         2 years
``gdpr-pseudonymous-research`` GDPR        pseudonymous     (none)       1 year
``ccpa-deidentified``          CCPA        deidentified     0.09         2 years
``internal-ml``                none        anonymous [1]_   0.2          1 year
``vendor-analytics``           GDPR        anonymous [1]_   0.09         6 months
=============================  ==========  ===============  ===========  ==========

.. [1] ``pseudonymous`` when keyed hashes or pseudonyms remain, which these templates allow.

Every template also requires the attack checks of :mod:`anonlab.licensing.attacks` (replay,
cross-release, row order, linkage, and the three criteria of WP29 Opinion 05/2014); the
templates for data claimed anonymous or de-identified by a risk measure hold the criteria to
:attr:`Template.attack_thresholds` (singling out 0.09, linkability 0.2, inference 0.5 for
releases outside the organisation; 0.2, 0.3 and 0.5 for ``internal-ml``); Safe Harbor and the
pseudonymous template record the figures without a threshold.

Thresholds are the maximum prosecutor re-identification risk (1 / smallest class size) and are
documented choices, not legal minimums: 0.09 is the EMA Policy 0070 / Health Canada benchmark for
releases outside the organisation (k >= 12 meets it), 0.2 the "cell size of five" rule used for
controlled internal use. HIPAA, the GDPR and the CCPA set no number.

Your own templates
------------------
Write one in YAML (the keys of :meth:`Template.to_dict`; ``default_term`` as an ISO 8601
duration, where a year counts 365 days and a month 30) and load it with
:meth:`Template.from_yaml`, then :func:`register_template`. A built-in id cannot be replaced.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from anonlab._files import TEXT_MAX_BYTES, read_bounded
from anonlab._plaintext import load_yaml
from anonlab.errors import LicenseError
from anonlab.licensing.purposes import DUTIES, PROHIBITIONS, PURPOSES

__all__ = [
    "OPEN_LICENCES",
    "REGULATIONS",
    "STATUSES",
    "Template",
    "register_template",
    "template",
    "templates",
]

REGULATIONS = ("HIPAA", "GDPR", "CCPA", "none")
"""The regulations a template can be prepared under."""

STATUSES = ("anonymous", "deidentified", "pseudonymous")
"""The statuses a license can claim for its data."""

OPEN_LICENCES = ("CDLA-Permissive-2.0", "CC-BY-4.0", "ODC-By-1.0", "PDDL-1.0", "CC0-1.0")
"""Open data licences (SPDX ids) a template with ``allows_open_licence`` may be issued under.

They forbid further restrictions, so a license under one permits any purpose (``"any"``)."""

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")
CLAUSE_SECTIONS = ("deidentification", "regulation", "termination")
CRITERIA = ("singling-out", "linkability", "inference")
"""The three criteria of WP29 Opinion 05/2014 a template may hold to a residual-risk threshold."""
"""The sections a template's clauses may fill in ``LICENSE.md``."""


@dataclass(frozen=True)
class Template:
    """What a kind of release requires, permits and forbids.

    Parameters
    ----------
    id : str
        Lower-case letters, digits and hyphens (``"hipaa-safe-harbor"``).
    version : str
        The template's version; a license records it.
    title : str
        In words.
    regulation : {"HIPAA", "GDPR", "CCPA", "none"}
        The regulation the release is prepared under.
    standard : str
        The legal standard or basis in words, with its citation.
    required_checks : tuple of str
        Names of registered compliance checks (:func:`anonlab.licensing.checks.registered_checks`)
        the data must pass.
    risk_threshold : float or None
        The highest acceptable prosecutor re-identification risk, in (0, 1]; None when the
        template sets none.
    permitted_purposes : tuple of str
        The purposes (ids of :data:`~anonlab.licensing.PURPOSES`) a license may permit; a
        license permits these or narrower ones.
    prohibited : tuple of str
        Uses every license of this template prohibits (ids of
        :data:`~anonlab.licensing.purposes.PROHIBITIONS`).
    duties : tuple of str
        Duties of every licensee (ids of :data:`~anonlab.licensing.purposes.DUTIES`).
    default_term : datetime.timedelta
        How long a license runs when no expiry is given.
    claimed_status : {"anonymous", "deidentified", "pseudonymous"}
        The status a license claims when no keyed hash or pseudonym column remains.
    pseudonymised_status : str or None
        The status claimed when keyed hashes or pseudonyms remain; None when the template does
        not allow them (the ``pseudonymisation`` check then fails).
    allows_open_licence : bool
        Whether a license may be issued under one of :data:`OPEN_LICENCES` instead of the
        template's own ``LicenseRef-anonlab-<id>``.
    allows_linkable_family : bool
        Whether :func:`anonlab.export` may key the release's tokens to a named family of
        linkable releases (``linkable_family=``); False when the template's text promises that
        the copy cannot be joined with any other release.
    requires_identity : bool
        Whether a license must name licensee identity keys, so that every access is made with
        a key the license accepts and signed by it (:mod:`anonlab.bundle.identity`); an open
        without one is refused.
    attack_thresholds : mapping of str to float
        The highest residual risk (the upper end of its 95% interval) each criterion of WP29
        Opinion 05/2014 may show for a license to be issued: ``"singling-out"``,
        ``"linkability"``, ``"inference"`` (:mod:`anonlab.licensing.attacks`). A criterion
        without a threshold is measured and recorded, not held to a figure.
    jurisdictions : tuple of str
        Default jurisdictions (ISO 3166 codes, ``"EU"``, ``"US-CA"``).
    deletion_method : {"erase", "return", "return-or-erase"}
        How the data is disposed of at the end.
    description : str
        One paragraph for people choosing a template.
    clauses : mapping of str to str
        Markdown for the sections of ``LICENSE.md`` (``"deidentification"``, ``"regulation"``,
        ``"termination"``).
    """

    id: str
    version: str
    title: str
    regulation: str
    standard: str
    required_checks: tuple[str, ...]
    risk_threshold: float | None
    permitted_purposes: tuple[str, ...]
    prohibited: tuple[str, ...]
    duties: tuple[str, ...]
    default_term: dt.timedelta
    claimed_status: str
    pseudonymised_status: str | None = None
    allows_open_licence: bool = False
    allows_linkable_family: bool = True
    requires_identity: bool = False
    attack_thresholds: Mapping[str, float] = field(default_factory=dict)
    jurisdictions: tuple[str, ...] = ()
    deletion_method: str = "erase"
    description: str = ""
    clauses: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("required_checks", "permitted_purposes", "prohibited", "duties",
                     "jurisdictions"):
            value = getattr(self, name)
            if isinstance(value, str) or not isinstance(value, list | tuple):
                raise LicenseError("must be a list of strings", path=name)
            if not all(isinstance(v, str) for v in value):
                raise LicenseError("must be a list of strings", path=name)
            object.__setattr__(self, name, tuple(value))
        if not isinstance(self.clauses, Mapping):
            raise LicenseError("must be a mapping of section to text", path="clauses")
        object.__setattr__(self, "clauses", MappingProxyType(dict(self.clauses)))
        if not isinstance(self.attack_thresholds, Mapping):
            raise LicenseError("must be a mapping of criterion to a risk in (0, 1]",
                               path="attack_thresholds")
        object.__setattr__(self, "attack_thresholds",
                           MappingProxyType(dict(self.attack_thresholds)))
        self._validate()

    def _validate(self) -> None:
        from anonlab.licensing.checks import registered_checks

        if not isinstance(self.id, str) or not _ID.match(self.id):
            raise LicenseError(
                "must be lower-case letters, digits and hyphens, e.g. 'my-research-release'",
                path="id",
            )
        for name in ("version", "title", "standard", "description"):
            if not isinstance(getattr(self, name), str):
                raise LicenseError("must be text", path=name)
        if not self.version:
            raise LicenseError("must not be empty", path="version")
        if self.regulation not in REGULATIONS:
            raise LicenseError(f"must be one of {', '.join(REGULATIONS)}", path="regulation")
        checks = registered_checks()
        for i, name in enumerate(self.required_checks):
            if name not in checks:
                raise LicenseError(
                    f"unknown check {name!r} (known: {', '.join(checks)})",
                    path=f"required_checks[{i}]",
                )
        threshold = self.risk_threshold
        if threshold is not None and (
            not isinstance(threshold, int | float) or isinstance(threshold, bool)
            or not 0 < threshold <= 1
        ):
            raise LicenseError("must be a number in (0, 1] or null", path="risk_threshold")
        for name, vocab in (("permitted_purposes", PURPOSES), ("prohibited", PROHIBITIONS),
                            ("duties", DUTIES)):
            for i, value in enumerate(getattr(self, name)):
                if value not in vocab:
                    raise LicenseError(
                        f"unknown id {value!r} (known: {', '.join(vocab)})", path=f"{name}[{i}]"
                    )
        if not self.permitted_purposes:
            raise LicenseError("must name at least one purpose", path="permitted_purposes")
        if not isinstance(self.default_term, dt.timedelta) or self.default_term <= dt.timedelta(0):
            raise LicenseError("must be a positive duration", path="default_term")
        if self.claimed_status not in STATUSES:
            raise LicenseError(f"must be one of {', '.join(STATUSES)}", path="claimed_status")
        if self.pseudonymised_status is not None and self.pseudonymised_status != "pseudonymous":
            raise LicenseError(
                "must be 'pseudonymous' or null: keyed hashes and pseudonyms never make data "
                "anonymous or de-identified", path="pseudonymised_status",
            )
        if self.claimed_status == "pseudonymous" and self.pseudonymised_status is None:
            raise LicenseError(
                "a template claiming 'pseudonymous' must allow pseudonyms "
                "(pseudonymised_status: pseudonymous)", path="pseudonymised_status",
            )
        if not isinstance(self.allows_open_licence, bool):
            raise LicenseError("must be true or false", path="allows_open_licence")
        if not isinstance(self.requires_identity, bool):
            raise LicenseError("must be true or false", path="requires_identity")
        if not isinstance(self.allows_linkable_family, bool):
            raise LicenseError("must be true or false", path="allows_linkable_family")
        if self.deletion_method not in ("erase", "return", "return-or-erase"):
            raise LicenseError("must be erase, return or return-or-erase",
                               path="deletion_method")
        for key, value in self.attack_thresholds.items():
            if key not in CRITERIA:
                raise LicenseError(f"unknown criterion (known: {', '.join(CRITERIA)})",
                                   path=f"attack_thresholds.{key}")
            if (not isinstance(value, int | float) or isinstance(value, bool)
                    or not 0 < value <= 1):
                raise LicenseError("must be a number in (0, 1]",
                                   path=f"attack_thresholds.{key}")
        for key, text in self.clauses.items():
            if key not in CLAUSE_SECTIONS:
                raise LicenseError(
                    f"unknown section (known: {', '.join(CLAUSE_SECTIONS)})",
                    path=f"clauses.{key}",
                )
            if not isinstance(text, str):
                raise LicenseError("must be text", path=f"clauses.{key}")

    # -- use ---------------------------------------------------------------------------------
    @property
    def spdx(self) -> str:
        """The template's own SPDX licence reference, ``LicenseRef-anonlab-<id>``."""
        return f"LicenseRef-anonlab-{self.id}"

    def status(self, pseudonymised: bool) -> str | None:
        """The status a license claims, given whether keyed hashes or pseudonyms remain (None
        when the template does not allow them)."""
        return self.pseudonymised_status if pseudonymised else self.claimed_status

    @property
    def builtin(self) -> bool:
        """Whether this is one of anonlab's own templates."""
        return _BUILTIN.get(self.id) is self

    # -- plain data --------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain data (``default_term`` as ``P<days>D``)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, Mapping):
                value = dict(value)
            elif isinstance(value, dt.timedelta):
                value = f"P{value.days}D"
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: Any) -> Template:
        """Build from plain data; unknown or missing keys fail with their path."""
        if not isinstance(data, Mapping):
            raise LicenseError(f"a template is a mapping, not a {type(data).__name__}",
                               path="template")
        fields = {f.name: f for f in dataclasses.fields(cls)}
        for key in data:
            if key not in fields:
                raise LicenseError(
                    f"unknown field (a template has: {', '.join(fields)})", path=str(key)
                )
        for name, f in fields.items():
            if (name not in data and f.default is dataclasses.MISSING
                    and f.default_factory is dataclasses.MISSING):
                raise LicenseError("is required", path=name)
        values = dict(data)
        term = values["default_term"]
        values["default_term"] = _term(term)
        return cls(**values)

    @classmethod
    def from_yaml(cls, source: str | bytes | Path) -> Template:
        """Read a template from YAML text or a file (a key given twice is an error)."""
        text: str | bytes
        if isinstance(source, Path) or (
            isinstance(source, str) and "\n" not in source and source.endswith((".yaml", ".yml"))
        ):
            try:
                text = read_bounded(Path(source), TEXT_MAX_BYTES, "template file", LicenseError)
            except OSError as exc:
                raise LicenseError(f"cannot read the template file: {exc.strerror}",
                                   path=str(source)) from None
        else:
            text = source
        try:
            data = load_yaml(text)
        except ValueError as exc:
            raise LicenseError(f"not valid YAML: {exc}", path="template") from None
        return cls.from_dict(data)


def _term(value: Any) -> dt.timedelta:
    if isinstance(value, dt.timedelta):
        return value
    m = _DURATION.match(value) if isinstance(value, str) else None
    if m is None or value == "P":
        raise LicenseError("must be an ISO 8601 duration such as P1Y, P6M or P90D",
                           path="default_term")
    years, months, weeks, days = (int(g) if g else 0 for g in m.groups())
    return dt.timedelta(days=365 * years + 30 * months + 7 * weeks + days)


# -- built-ins -------------------------------------------------------------------------------

_NO_ACTUAL_KNOWLEDGE = (
    "The licensor states that it has no actual knowledge that the information could be used, "
    "alone or in combination with other information, to identify any individual who is a "
    "subject of the information (45 CFR 164.514(b)(2)(ii))."
)
_AB713 = (
    "If a party to this license is in California, the data includes de-identified patient "
    "information; the licensee may not re-identify, or attempt to re-identify, it; and the "
    "licensee may not disclose it further to any third party unless that party is contractually "
    "bound by the same or stricter restrictions (Cal. Civ. Code 1798.148)."
)
_SURVIVAL = (
    "This license ends automatically on any breach of its terms, and at the end of its term. "
    "The duty not to re-identify, the duty to delete or return the data, and the duty to report "
    "incidents survive its end."
)

_EXTERNAL = {"singling-out": 0.09, "linkability": 0.2, "inference": 0.5}
"""WP29 criteria thresholds of releases outside the organisation: singling out held to the
prosecutor threshold (0.09); linkability to 0.2 and inference to 0.5, which a k = 12 release
(the threshold's own k) keeps under while a release of the original records reaches about 1
(measured on the patients data). Documented choices, not legal minimums."""
_INTERNAL = {"singling-out": 0.2, "linkability": 0.3, "inference": 0.5}
"""The same for controlled internal use (the cell-size-of-five threshold, 0.2)."""

_ATTACKS = ("replay", "cross-release", "row-order", "linkage", "singling-out", "linkability",
            "inference", "residual-identifiers")
"""Attack checks every built-in template requires (:mod:`anonlab.licensing.attacks`)."""

BUILTIN_TEMPLATES: tuple[Template, ...] = (
    Template(
        id="hipaa-safe-harbor",
        version="1.0.0",
        title="HIPAA de-identified data (Safe Harbor)",
        regulation="HIPAA",
        standard="45 CFR 164.514(b)(2), Safe Harbor method",
        required_checks=("safe-harbor-identifiers", "safe-harbor-dates", "safe-harbor-ages",
                         "safe-harbor-zip", "pseudonymisation", "irreversibility", *_ATTACKS),
        risk_threshold=None,
        permitted_purposes=("research", "official-statistics", "healthcare-improvement"),
        prohibited=("re-identification", "linking", "contact-data-subjects"),
        duties=("keep-license-with-data", "log-access", "report-reidentification",
                "flow-down"),
        default_term=dt.timedelta(days=3 * 365),
        claimed_status="deidentified",
        jurisdictions=("US",),
        description="Protected health information with the 18 Safe Harbor identifiers removed: "
                    "no identifier of the individual remains, dates are cut to the year, ages "
                    "over 89 pooled, ZIP codes cut to three digits with the restricted prefixes "
                    "set to 000, and only random, non-derived codes remain.",
        clauses={
            "deidentification": "The data was de-identified by the Safe Harbor method of "
            "45 CFR 164.514(b)(2): the 18 identifiers of paragraph (b)(2)(i) were removed or "
            "generalized as its checks record. No re-identification code derived from "
            "information about an individual is included (45 CFR 164.514(c)). "
            + _NO_ACTUAL_KNOWLEDGE,
            "regulation": "De-identified health information is not protected health "
            "information; the Privacy Rule does not restrict its use, but information that is "
            "re-identified becomes protected health information again. " + _AB713,
            "termination": _SURVIVAL,
        },
    ),
    Template(
        id="hipaa-expert-determination",
        version="1.0.0",
        title="HIPAA de-identified data (Expert Determination)",
        regulation="HIPAA",
        standard="45 CFR 164.514(b)(1), Expert Determination method",
        required_checks=("direct-identifiers", "risk-threshold", "pseudonymisation",
                         "irreversibility", *_ATTACKS),
        risk_threshold=0.09,
        permitted_purposes=("research", "official-statistics", "healthcare-improvement"),
        prohibited=("re-identification", "linking", "onward-transfer", "contact-data-subjects"),
        duties=("log-access", "delete-at-expiry", "reassess-on-change", "report-incidents",
                "report-reidentification"),
        default_term=dt.timedelta(days=365),
        claimed_status="deidentified",
        jurisdictions=("US",),
        description="Health information an expert determined to carry a very small risk of "
                    "re-identification by the named recipient, in the stated environment, for "
                    "the stated time.",
        attack_thresholds=_EXTERNAL,
        clauses={
            "deidentification": "The data was de-identified under the Expert Determination "
            "method of 45 CFR 164.514(b)(1). The measured re-identification risk below, against "
            "the stated threshold, is the quantitative evidence the determination documents; "
            "the determination holds only for the named licensees, the conditions of this "
            "license and its term, and must be renewed before the data, its recipients or its "
            "environment change.",
            "regulation": "The licensee accepts the conditions of the determination as "
            "conditions of this license. Use outside them voids the determination. " + _AB713,
            "termination": _SURVIVAL,
        },
    ),
    Template(
        id="gdpr-anonymous",
        version="1.0.0",
        title="Anonymous data (GDPR Recital 26)",
        regulation="GDPR",
        standard="GDPR Recital 26; Article 29 Working Party Opinion 05/2014 (WP216)",
        required_checks=("direct-identifiers", "risk-threshold", "pseudonymisation",
                         "irreversibility", *_ATTACKS),
        risk_threshold=0.09,
        permitted_purposes=("research", "official-statistics", "service-analytics",
                            "service-optimisation", "product-improvement"),
        prohibited=("re-identification", "linking"),
        duties=("report-reidentification", "log-access", "keep-license-with-data"),
        default_term=dt.timedelta(days=2 * 365),
        claimed_status="anonymous",
        allows_open_licence=True,
        jurisdictions=("EU",),
        description="Data assessed as anonymous: direct identifiers removed, no keyed hash or "
                    "pseudonym left, and the re-identification risk on the quasi-identifiers "
                    "under the threshold.",
        attack_thresholds=_EXTERNAL,
        clauses={
            "deidentification": "The data was assessed as anonymous information within the "
            "meaning of Recital 26 GDPR on the date of issue: no direct identifier and no "
            "pseudonym remains, and the measured re-identification risk is under the stated "
            "threshold. Anonymity is a judgement about the means reasonably likely to be used "
            "at the time; it must be reviewed as technology and available data change.",
            "regulation": "Re-identification of data subjects from anonymised data is "
            "prohibited (Data Governance Act, Recital 8). Should re-identification become "
            "possible, the data becomes personal data again and the licensee must stop using "
            "it and inform the licensor.",
            "termination": _SURVIVAL,
        },
    ),
    Template(
        id="gdpr-pseudonymous-research",
        version="1.0.0",
        title="Pseudonymised personal data for research (GDPR Article 89)",
        regulation="GDPR",
        standard="GDPR Articles 4(5), 5(1)(e), 32 and 89(1)",
        required_checks=("direct-identifiers", "pseudonymisation", "irreversibility", *_ATTACKS),
        risk_threshold=None,
        permitted_purposes=("scientific-research", "academic-research", "statistics"),
        prohibited=("re-identification", "linking", "onward-transfer",
                    "decisions-about-individuals", "transfer-outside-eea"),
        duties=("log-access", "delete-at-expiry", "report-incidents", "forward-subject-requests",
                "flow-down"),
        default_term=dt.timedelta(days=365),
        claimed_status="pseudonymous",
        pseudonymised_status="pseudonymous",
        requires_identity=True,
        jurisdictions=("EU",),
        description="Personal data pseudonymised with keyed hashes or pseudonyms, for research "
                    "by a named team under Article 89 safeguards; still personal data. Every "
                    "access is made with an identity key the license names and signed by it.",
        clauses={
            "deidentification": "The data is pseudonymised within the meaning of Article 4(5) "
            "GDPR: it can no longer be attributed to a data subject without additional "
            "information (the pseudonymisation key), which the licensor keeps separately. It "
            "remains personal data (Recital 26; EDPB Guidelines 01/2025).",
            "regulation": "The licensee processes the data only for the permitted research "
            "purposes, under the safeguards of Article 89(1) GDPR, keeps it no longer than the "
            "deletion date (Article 5(1)(e)), protects it by appropriate technical and "
            "organisational measures (Article 32), reports personal-data breaches to the "
            "licensor without undue delay, and forwards any data-subject request to the "
            "licensor. No transfer outside the EEA is permitted without safeguards under "
            "Chapter V.",
            "termination": _SURVIVAL,
        },
    ),
    Template(
        id="ccpa-deidentified",
        version="1.0.0",
        title="Deidentified consumer information (CCPA 1798.140(m))",
        regulation="CCPA",
        standard="Cal. Civ. Code 1798.140(m) (deidentified)",
        required_checks=("direct-identifiers", "risk-threshold", "pseudonymisation",
                         "irreversibility", *_ATTACKS),
        risk_threshold=0.09,
        permitted_purposes=("research", "service-analytics", "product-improvement"),
        prohibited=("re-identification", "linking", "onward-transfer", "sale"),
        duties=("flow-down", "report-reidentification", "log-access"),
        default_term=dt.timedelta(days=2 * 365),
        claimed_status="deidentified",
        jurisdictions=("US-CA",),
        description="Consumer information that cannot reasonably be linked to a consumer or "
                    "household, shared under the contractual commitments the CCPA requires.",
        attack_thresholds=_EXTERNAL,
        clauses={
            "deidentification": "The licensor took reasonable measures to ensure the "
            "information cannot be associated with a consumer or household (Cal. Civ. Code "
            "1798.140(m)(1)); the measured re-identification risk below records them. The "
            "licensor has publicly committed to keep and use the information only in "
            "deidentified form and not to attempt to re-identify it (1798.140(m)(2)).",
            "regulation": "The licensee shall comply with every provision of Cal. Civ. Code "
            "1798.140(m) (1798.140(m)(3)): it shall not re-identify or attempt to re-identify "
            "the information, shall keep and use it only in deidentified form, and shall bind "
            "any permitted recipient to the same terms. " + _AB713,
            "termination": _SURVIVAL,
        },
    ),
    Template(
        id="internal-ml",
        version="1.0.0",
        title="Internal machine-learning use only",
        regulation="none",
        standard="Montreal Data License rights: access, tagging, representation, benchmark, "
                 "research and internal use",
        required_checks=("direct-identifiers", "risk-threshold", "pseudonymisation",
                         "irreversibility", *_ATTACKS),
        risk_threshold=0.2,
        permitted_purposes=("ml-development", "product-improvement", "statistics"),
        prohibited=("re-identification", "linking", "onward-transfer",
                    "model-commercialisation", "membership-inference"),
        duties=("log-access", "delete-at-expiry", "keep-models-internal"),
        default_term=dt.timedelta(days=365),
        claimed_status="anonymous",
        pseudonymised_status="pseudonymous",
        jurisdictions=(),
        description="Training and evaluating models inside the organisation; models and "
                    "outputs stay internal.",
        attack_thresholds=_INTERNAL,
        clauses={
            "deidentification": "Direct identifiers were removed or replaced by keyed tokens "
            "whose key is held outside the team using the data, and the re-identification risk "
            "was measured against the internal threshold below.",
            "regulation": "The licensee may access, label and represent the data, benchmark "
            "and research models on it, and use the outputs internally. It may not distribute "
            "the data, publish it, or give models trained on it or their outputs to third "
            "parties.",
            "termination": _SURVIVAL,
        },
    ),
    Template(
        id="vendor-analytics",
        version="1.0.0",
        title="External vendor analytics on the licensor's behalf",
        regulation="GDPR",
        standard="GDPR Articles 28 and 33; GDPR Recital 26 for the vendor's copy",
        required_checks=("direct-identifiers", "risk-threshold", "pseudonymisation",
                         "irreversibility", *_ATTACKS),
        risk_threshold=0.09,
        permitted_purposes=("service-analytics",),
        prohibited=("re-identification", "linking", "onward-transfer", "own-purposes", "sale",
                    "model-commercialisation"),
        duties=("log-access", "report-incidents", "delete-at-expiry", "destruction-certificate",
                "allow-audit"),
        default_term=dt.timedelta(days=182),
        claimed_status="anonymous",
        pseudonymised_status="pseudonymous",
        jurisdictions=("EU",),
        deletion_method="return-or-erase",
        allows_linkable_family=False,
        description="A vendor analyses the data for the licensor only, returns the results, "
                    "and returns or erases the data at the end.",
        attack_thresholds=_EXTERNAL,
        clauses={
            "deidentification": "Direct identifiers were removed; any tokens were made with a "
            "key derived for this release alone from the licensor's key, which is held by the "
            "licensor and never given to the vendor, so the vendor's copy cannot be joined "
            "with other releases on its tokens: the cross-release attack below joined it with "
            "another licensee's release of the same records and linked no more records than "
            "chance. The re-identification risk was measured against the threshold below.",
            "regulation": "The vendor processes the data only on the licensor's documented "
            "instructions and for the permitted analytics, returns the results to the "
            "licensor, uses no sub-processor without the licensor's written approval, reports "
            "any breach within 72 hours, allows audits, and returns or erases the data at the "
            "end of the term with a written certificate of destruction.",
            "termination": _SURVIVAL,
        },
    ),
)

_BUILTIN: dict[str, Template] = {t.id: t for t in BUILTIN_TEMPLATES}
_USER: dict[str, Template] = {}


def templates() -> dict[str, Template]:
    """Every registered template by id, built-ins first."""
    return {**_BUILTIN, **dict(sorted(_USER.items()))}


def template(template_id: str | Template) -> Template:
    """The template registered under ``template_id`` (a Template is returned as it is).

    Raises
    ------
    LicenseError
        No template has that id (``path="template"``).
    """
    if isinstance(template_id, Template):
        return template_id
    known = templates()
    if isinstance(template_id, str) and template_id in known:
        return known[template_id]
    raise LicenseError(
        f"unknown template {template_id!r} (known: {', '.join(known)}); register your own with "
        "anonlab.licensing.register_template", path="template",
    )


def register_template(tpl: Template) -> Template:
    """Register a template of your own under its id; registering the same id again replaces it.

    Raises
    ------
    LicenseError
        ``tpl`` is not a Template, or its id is a built-in one.
    """
    if not isinstance(tpl, Template):
        raise LicenseError(
            f"register_template takes a Template, not a {type(tpl).__name__}", path="template"
        )
    if tpl.id in _BUILTIN:
        raise LicenseError(
            f"{tpl.id!r} is a built-in template and cannot be replaced; give yours another id",
            path="id",
        )
    _USER[tpl.id] = tpl
    return tpl

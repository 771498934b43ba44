"""Licenses for anonymized data: the model, the templates and the compliance checks.

A license says which data it covers and how that data was anonymized, which purposes and roles
may use it and which uses are forbidden (re-identification, linking with other data, onward
transfer...), which regulation it was prepared under, when it expires, and the licensee's duties
(log every access, delete at expiry, report incidents). The bundle module signs and enforces it.

Typical use::

    from anonlab.licensing import check_compliance, issue_license, suggest_for_template

    recipe = suggest_for_template(anonlab.profile(raw), "hipaa-safe-harbor")
    safe = recipe.apply(raw)
    result = check_compliance("hipaa-safe-harbor", frame=safe, recipe=recipe)
    license = issue_license("hipaa-safe-harbor", frame=safe, recipe=recipe, report=None,
                            licensee="Registry team", licensor="General Hospital")
    license.to_json(); license.to_odrl(); license.to_markdown()
    license.check_access(purpose="scientific-research", role="analyst")

Nothing here is legal advice; the generated texts say so.
"""

from anonlab.licensing.checks import (
    Check,
    CheckContext,
    ComplianceCheck,
    ComplianceResult,
    check_compliance,
    register_check,
    registered_checks,
)
from anonlab.licensing.issue import issue_license
from anonlab.licensing.model import License, Party, Retention, Role
from anonlab.licensing.odrl import document_loader
from anonlab.licensing.purposes import DUTIES, PROFILE_IRI, PROHIBITIONS, PURPOSES, Purpose
from anonlab.licensing.schema import LICENSE_SCHEMA
from anonlab.licensing.suggest import suggest_for_template
from anonlab.licensing.templates import Template, register_template, template, templates

__all__ = [
    "DUTIES",
    "LICENSE_SCHEMA",
    "PROFILE_IRI",
    "PROHIBITIONS",
    "PURPOSES",
    "Check",
    "CheckContext",
    "ComplianceCheck",
    "ComplianceResult",
    "License",
    "Party",
    "Purpose",
    "Retention",
    "Role",
    "Template",
    "check_compliance",
    "document_loader",
    "issue_license",
    "register_check",
    "register_template",
    "registered_checks",
    "suggest_for_template",
    "template",
    "templates",
]

"""``issue_license``: check an anonymized frame against a template and, if it passes, license it."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from typing import Any

import polars as pl

from anonlab._version import __version__
from anonlab.errors import ComplianceError, LicenseError, RecipeError
from anonlab.frames import ingest
from anonlab.licensing._time import format_time
from anonlab.licensing.canonical import canonical_json
from anonlab.licensing.checks import ComplianceResult, check_compliance
from anonlab.licensing.model import License
from anonlab.licensing.templates import Template
from anonlab.licensing.templates import template as lookup_template

__all__ = [
    "ATTACK_CHECKS",
    "anonymization_evidence",
    "certify",
    "compliance_entries",
    "dataset_description",
    "issue_license",
]

ATTACK_CHECKS = ("replay", "irreversibility", "cross-release", "row-order", "linkage",
                 "singling-out", "linkability", "inference", "residual-identifiers")
"""The checks that attack the release; the license lists their outcomes under
``anonymization.attacks`` (their figures are in ``anonymization.checks``)."""


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def dataset_description(frame: Any) -> dict[str, Any]:
    """The ``dataset`` section for a frame: ``records``, ``columns`` (name and polars dtype) and
    ``schema_hash`` (SHA-256 of the canonical JSON of the ``[name, dtype]`` pairs).

    A bundle adds ``files`` (``path``, ``sha256``, ``bytes``) once it has written them, with
    ``license.bind(dataset={**license.dataset, "files": [...]}, anonymization=...)``.
    """
    data, _ = ingest(frame, owner="dataset_description")
    schema = data.collect_schema()
    records = (data.select(pl.len()).collect().item() if isinstance(data, pl.LazyFrame)
               else data.height)
    columns = [{"name": name, "dtype": str(dtype)} for name, dtype in schema.items()]
    pairs = [[c["name"], c["dtype"]] for c in columns]
    return {
        "records": int(records),
        "columns": columns,
        "schema_hash": "sha256:" + hashlib.sha256(canonical_json(pairs)).hexdigest(),
    }


def _recorded(recipe: Any) -> dict[str, Any] | None:
    """The recipe as the license records it (key references only)."""
    if recipe is None:
        return None
    try:
        data: dict[str, Any] = recipe.to_dict()
    except RecipeError as exc:
        raise LicenseError(
            f"the recipe cannot be recorded ({exc}). Reference the key with "
            "key='env:NAME' or key='file:PATH'", path="anonymization.recipe",
        ) from None
    return data


def anonymization_evidence(
    result: ComplianceResult,
    template: Template,
    *,
    recipe: Any = None,
    report: Any = None,
    release: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The ``anonymization`` section of a license from a passing :class:`ComplianceResult`.

    The recipe is recorded as ``recipe.to_dict()``, which holds key references only; a recipe
    holding an in-memory :class:`~anonlab.Key` cannot be recorded and is refused. ``release``
    describes how :func:`anonlab.export` made the release (token scope, row order, randomness).
    """
    if result.status == "identifiable":
        raise LicenseError("the checks failed: no status can be claimed",
                           path="anonymization.claimed_status")
    recipe_data = _recorded(recipe)
    risk = None
    if report is not None:
        measures = getattr(report, "measures", None)
        k = getattr(measures, "k", None)
        risk = {
            "highest_risk": float(report.highest_risk),
            "average_risk": float(getattr(report, "average_risk", report.highest_risk)),
            "threshold": template.risk_threshold,
            "k": None if k is None else int(k),
            "passed": bool(getattr(report, "passed", True)),
            "quasi_identifiers": list(getattr(report, "quasi_identifiers", ())),
            "report": _json_safe(report.to_dict()),
        }
    checks = [_json_safe(c.to_dict()) for c in result.checks]
    irreversibility: list[Any] = next((c["evidence"].get("columns", []) for c in checks
                            if c["name"] == "irreversibility"), [])
    attacks = [{"attack": c["name"], "passed": c["passed"], "detail": c["detail"]}
               for c in checks if c["name"] in ATTACK_CHECKS]
    out = {
        "claimed_status": result.status,
        "standard": template.standard,
        "assessed_at": format_time(result.assessed_at),
        "recipe": recipe_data,
        "risk": risk,
        "checks": checks,
        "irreversibility": irreversibility,
        "attacks": attacks,
        "tool": {"name": "anonlab", "version": __version__},
    }
    if release is not None:
        out["release"] = _json_safe(dict(release))
    return out


def issue_license(
    template: str | Template,
    *,
    frame: Any,
    recipe: Any,
    report: Any,
    profile: Any = None,
    **terms: Any,
) -> License:
    """Check an anonymized frame against a template and issue a license for it.

    Runs :func:`~anonlab.licensing.check_compliance`; if every required check passes, builds
    the license with :meth:`License.from_template` and binds the frame's description and the
    evidence (the claimed status, the recipe with key references only, the risk figures against
    the threshold, every check with its result and evidence, the irreversibility evidence, the
    tool version).

    Parameters
    ----------
    template : str or Template
    frame : frame
        The anonymized frame.
    recipe : Recipe or None
        The recipe that produced it.
    report : RiskReport or None
        :func:`anonlab.assess_risk` of the anonymized frame (needed by templates with a risk
        threshold).
    profile : Profile, optional
        The profile of the anonymized frame (computed when not given).
    **terms
        ``original_profile``, ``original``, ``at``, ``rows``, ``scope`` and ``row_order`` go to
        :func:`~anonlab.licensing.check_compliance`; the rest to
        :meth:`License.from_template` (``licensee`` is required there).

    Raises
    ------
    ComplianceError
        A required check fails; ``failures`` holds the failing checks and the message names each.
    LicenseError
        A term is invalid.
    """
    tpl = lookup_template(template)
    check_terms = {k: terms.pop(k) for k in _CHECK_TERMS if k in terms}
    if "licensee" not in terms:
        raise LicenseError("issue_license needs licensee=... (who receives the data)",
                           path="parties.licensees")
    license_ = License.from_template(tpl, **terms)
    return certify(license_, frame=frame, recipe=recipe, report=report, profile=profile,
                   **check_terms)


_CHECK_TERMS = ("original_profile", "original", "at", "rows", "scope", "row_order")


def certify(
    license: License,
    *,
    frame: Any,
    recipe: Any,
    report: Any,
    profile: Any = None,
    release: Mapping[str, Any] | None = None,
    **check_terms: Any,
) -> License:
    """Run the template's checks and attacks on ``frame``; bind the license if all pass.

    The one place a license gets its claims: :func:`issue_license` and :func:`anonlab.export`
    both come here.

    Parameters
    ----------
    license : License
        An unbound license (its template names the checks).
    frame, recipe, report, profile
        As for :func:`~anonlab.licensing.check_compliance`.
    release : mapping, optional
        How the release was made, recorded as ``anonymization.release``.
    **check_terms
        ``original``, ``original_profile``, ``at``, ``rows``, ``scope``, ``row_order`` for
        :func:`~anonlab.licensing.check_compliance`.

    Raises
    ------
    ComplianceError
        A required check or attack fails; ``failures`` holds them and the message names each
        with its figure.
    """
    tpl = lookup_template(license.template)
    _recorded(recipe)  # an unrecordable recipe fails before any work
    result = check_compliance(tpl, frame=frame, recipe=recipe, profile=profile, report=report,
                              **check_terms)
    if not result.passed:
        failures = result.failures
        listed = "; ".join(f"{c.name}: {c.detail}" for c in failures)
        raise ComplianceError(
            f"The data fails {len(failures)} check(s) of template {tpl.id!r}, so no license was "
            f"issued. {listed}",
            failures=failures,
        )
    evidence = anonymization_evidence(result, tpl, recipe=recipe, report=report,
                                      release=release)
    return license.bind(dataset=dataset_description(frame), anonymization=evidence,
                        compliance=compliance_entries(result, tpl, evidence))


def compliance_entries(
    result: ComplianceResult, template: Template, evidence: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The ``compliance`` section: the template's regulation, its basis, the claimed status and
    which parts of the ``anonymization`` section (``evidence``) back it."""
    return [{
        "regulation": template.regulation,
        "basis": template.standard,
        "status": result.status,
        "evidence": ["anonymization.checks"]
        + (["anonymization.risk"] if evidence["risk"] is not None else [])
        + (["anonymization.irreversibility"] if evidence["irreversibility"] else [])
        + (["anonymization.attacks"] if evidence.get("attacks") else []),
    }]

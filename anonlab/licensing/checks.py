"""Compliance checks: does an anonymized frame meet what a license template requires?

Each check is a small registered class with a ``name`` and ``run(context) -> Check``. A template
lists the names it requires (:attr:`Template.required_checks`); :func:`check_compliance` runs
them and returns a :class:`ComplianceResult`, which raises nothing: the caller decides
(:func:`anonlab.licensing.issue_license` refuses to issue a license while any check fails).

What the checks look at
-----------------------
The checks judge the *anonymized* frame: its profile (:func:`anonlab.profile` is run when none is
given), the recipe that produced it (which step touched which column, and whether the step hides
the values, removes them, or replaces them with a code derived from them), the risk report of the
anonymized frame, and, when given, the profile of the original frame (which says what a column
was before the recipe changed it) and the original frame itself (for the dictionary attack of
:mod:`anonlab.licensing.irreversibility`). Without a recipe a check cannot tell a random code
from a keyed hash, and treats unique codes conservatively as pseudonyms.

Built-in checks
---------------
``safe-harbor-identifiers``, ``safe-harbor-dates``, ``safe-harbor-ages``, ``safe-harbor-zip``
    HIPAA Safe Harbor (:mod:`anonlab.licensing.safe_harbor`).
``direct-identifiers``
    No direct identifier (name, e-mail, phone, SSN, card or account number, address, IP, URL,
    precise coordinates, record number, free text holding any of them) remains in clear. A
    keyed hash or pseudonym passes here; whether the template accepts pseudonyms is the
    ``pseudonymisation`` check's business. A column whose values could not all be examined
    (binary content, nested parts too deep: :meth:`CheckContext.unexamined`) fails unless a
    step hides it: what the profiler cannot classify is never taken as de-identified.
``risk-threshold``
    The risk report of the anonymized frame shows a highest prosecutor risk at or under the
    template's threshold, and its targets pass; it must describe this frame (same record count)
    and cover the declared quasi-identifiers.
``pseudonymisation``
    Keyed hashes and pseudonyms make data pseudonymous, never anonymous (GDPR Article 4(5) and
    Recital 26, EDPB Guidelines 01/2025, the FTC's 2024 guidance): the status the license would
    claim, and whether the template accepts it.
``irreversibility``
    A dictionary attack on every hashed or pseudonymized column
    (:mod:`anonlab.licensing.irreversibility`).

Register your own with :func:`register_check`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar, cast

import numpy as np
import polars as pl

from anonlab.errors import ParameterError
from anonlab.frames import ingest
from anonlab.keys import Key, describe_key_ref
from anonlab.licensing._time import format_time, to_utc, utcnow
from anonlab.profiling.kinds import ColumnRole, HipaaCategory, Kind
from anonlab.profiling.names import name_hints
from anonlab.profiling.profile import ColumnProfile, Profile

if TYPE_CHECKING:
    from anonlab.licensing.templates import Template
    from anonlab.recipe import Recipe, Step

__all__ = [
    "Check",
    "CheckContext",
    "ComplianceCheck",
    "ComplianceResult",
    "check_compliance",
    "code_kind",
    "register_check",
    "registered_checks",
]

Status = Literal["anonymous", "deidentified", "pseudonymous", "identifiable"]

DIRECT_KINDS = frozenset({
    Kind.PERSON_NAME, Kind.EMAIL, Kind.PHONE, Kind.SSN, Kind.CREDIT_CARD, Kind.IBAN, Kind.IPV4,
    Kind.IPV6, Kind.URL, Kind.MAC_ADDRESS, Kind.STREET_ADDRESS, Kind.GEO_COORDINATES,
    Kind.FREE_TEXT_WITH_IDENTIFIERS, Kind.RECORD_ID,
})
"""Kinds that identify a person by themselves."""

DERIVED_OPS = frozenset({"hash", "pseudonymize"})
"""Transforms whose output is a code computed from the value (keyed or not)."""


@dataclass(frozen=True)
class Check:
    """The outcome of one compliance check.

    Attributes
    ----------
    name : str
        The check's registered name.
    passed : bool
    detail : str
        What was found, in words: names columns and counts, never cell values.
    evidence : mapping
        The figures behind the verdict (plain, JSON-ready data).
    """

    name: str
    passed: bool
    detail: str
    evidence: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain data: name, passed, detail, evidence."""
        return {"name": self.name, "passed": self.passed, "detail": self.detail,
                "evidence": plain_data(self.evidence)}


def plain_data(value: Any) -> Any:
    """Mappings and sequences, however nested (frozen or not), as dicts and lists."""
    if isinstance(value, Mapping):
        return {str(k): plain_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain_data(v) for v in value]
    return value


def code_kind(transform: Any) -> Literal["removed", "derived", "partial"] | None:
    """What a transform leaves of an identifier.

    ``"removed"``
        Nothing: drop, redact, a mask that keeps no character, or a transform of your own that
        hides values and declares ``derived_code = False`` (a random surrogate whose crosswalk
        is not kept).
    ``"derived"``
        A code computed from the value: hash and pseudonymize (keyed or not), or any transform
        declaring ``derived_code = True``. HIPAA 164.514(c) forbids such codes in Safe Harbor
        data; the GDPR calls the result pseudonymous.
    ``"partial"``
        Part of the value survives: a mask keeping characters, or the e-mail layout.
    None
        The transform does not hide values.
    """
    declared = getattr(transform, "derived_code", None)
    if isinstance(declared, bool):
        return "derived" if declared else ("removed" if transform.hides_values else None)
    op = getattr(transform, "op", "")
    if op in DERIVED_OPS:
        return "derived"
    if op == "mask":
        keeps = transform.keep_first or transform.keep_last or transform.format in ("auto",
                                                                                      "email")
        return "partial" if keeps else "removed"
    if getattr(transform, "hides_values", False):
        return "removed"
    return None


@dataclass
class CheckContext:
    """What a check may look at.

    Attributes
    ----------
    template : Template
    frame : polars.DataFrame
        The anonymized frame.
    profile : Profile
        Its profile.
    recipe : Recipe or None
    report : RiskReport or None
        The risk report of the anonymized frame.
    original_profile : Profile or None
        The profile of the frame before anonymization.
    original : polars.DataFrame or None
        The frame before anonymization: the attacks of :mod:`anonlab.licensing.attacks` and
        the dictionary attack use it.
    at : datetime
        The time the assessment is made (ages implied by birth years are computed at it).
    rows : numpy array or None
        For each row of ``frame``, the row of ``original`` it came from (:func:`anonlab.export`
        knows it); None means row ``i`` is row ``i`` (which needs equal heights).
    scope : str or None
        The token scope the frame was made with (``"release:..."``, ``"family:<name>"``), None
        for the master keys themselves (:meth:`anonlab.Recipe.apply` without ``release=``).
    row_order : str or None
        Why the rows were kept in their original order, when the licensor chose to; None when
        the frame's order is simply what ships.
    """

    template: Template
    frame: pl.DataFrame
    profile: Profile
    recipe: Recipe | None = None
    report: Any = None
    original_profile: Profile | None = None
    original: pl.DataFrame | None = None
    at: dt.datetime = field(default_factory=utcnow)
    rows: np.ndarray | None = None
    scope: str | None = None
    row_order: str | None = None
    cache: dict[Hashable, Any] = field(default_factory=dict, repr=False)

    def source_rows(self) -> np.ndarray | None:
        """The original row of each row of the frame, or None when it cannot be known."""
        if self.original is None:
            return None
        if self.rows is not None:
            return self.rows
        if self.original.height == self.frame.height:
            return np.arange(self.frame.height)
        return None

    def steps_for(self, column: str) -> list[Step]:
        """The recipe's steps on ``column``, in order."""
        if self.recipe is None:
            return []
        return [s for s in self.recipe.steps if s.column == column]

    def hiding_step(self, column: str) -> Step | None:
        """The last step on ``column`` that hides its values (None when no step does)."""
        steps = [s for s in self.steps_for(column) if code_kind(s.transform) is not None]
        return steps[-1] if steps else None

    def code(self, column: str) -> Literal["removed", "derived", "partial"] | None:
        """:func:`code_kind` of the last hiding step on ``column``."""
        step = self.hiding_step(column)
        return None if step is None else code_kind(step.transform)

    def before(self, column: str) -> ColumnProfile | None:
        """The column's profile before anonymization, when the original profile was given."""
        if self.original_profile is not None and column in self.original_profile:
            return self.original_profile[column]
        return None

    def kinds(self, column: str) -> set[Kind]:
        """The kinds detected in the column now and, when known, before anonymization."""
        out = {self.profile[column].kind} if column in self.profile else set()
        before = self.before(column)
        if before is not None:
            out.add(before.kind)
        out.discard(None)
        return out  # type: ignore[return-value]

    def hipaa(self, column: str) -> set[HipaaCategory]:
        """The HIPAA categories of the column now and, when known, before anonymization."""
        out = {self.profile[column].hipaa} if column in self.profile else set()
        before = self.before(column)
        if before is not None:
            out.add(before.hipaa)
        out.discard(None)
        return out  # type: ignore[return-value]

    def unexamined(self, column: str) -> str | None:
        """Why the column's values could not all be examined, or None when they could.

        A column the profiler cannot classify (binary content, or nested values with parts it
        cannot look into) is never taken as de-identified: the checks of templates that claim
        it fail such a column unless the recipe removes it (issue 13).
        """
        profiles = [self.profile[column]] if column in self.profile else []
        for prof in (*profiles, self.before(column)):
            if prof is not None and prof.detection.opaque:
                if prof.polars_dtype == "Binary":
                    return ("holds binary content, which cannot be examined for identifiers (it "
                            "may be a photograph or a biometric template); drop it")
                return ("holds nested values with parts that cannot be examined (binary, or "
                        "nested too deeply); drop it, or flatten it so each part is checked")
        return None

    def is_zip(self, column: str) -> bool:
        """Whether the column holds ZIP codes (detected, or named so)."""
        return Kind.ZIP_CODE in self.kinds(column) or "zip" in name_hints(column)

    def pseudonymised(self) -> dict[str, str]:
        """Columns that hold codes derived from identifiers: column -> how it is known.

        With a recipe: the columns whose last hiding step is a hash or pseudonym (or another
        derived code). Without one: every column whose values are unique codes (the profile's
        identifier role with no detected kind), since a random code cannot be told apart from a
        keyed hash by looking at it.
        """
        out: dict[str, str] = {}
        for c in self.frame.columns:
            step = self.hiding_step(c)
            if step is not None and code_kind(step.transform) == "derived":
                out[c] = step.transform.op
            elif self.recipe is None and c in self.profile:
                cp = self.profile[c]
                if cp.role is ColumnRole.IDENTIFIER and cp.kind in (None, Kind.RECORD_ID):
                    out[c] = "unique codes of unknown origin (no recipe given)"
        return out


class ComplianceCheck:
    """Base class of compliance checks. Subclasses set ``name`` and ``title`` and implement
    :meth:`run`; register them with :func:`register_check`.

    ``at_export = True`` marks a check of how :func:`anonlab.export` makes the release (its
    per-release token keys, its secret row order): a preview (``check_compliance(...,
    preview=True)``) of a frame made otherwise defers it to the export instead of failing it.
    ``needs_rows = True`` marks an attack that must know which original record each row is; a
    preview whose rows cannot be matched with the original (a recipe that removed records)
    defers it too.
    """

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    at_export: ClassVar[bool] = False
    needs_rows: ClassVar[bool] = False

    def run(self, context: CheckContext) -> Check:
        """Judge the context; never raise for a failing frame, return a failing Check."""
        raise NotImplementedError

    def result(self, passed: bool, detail: str, **evidence: Any) -> Check:
        """A Check of this check's name."""
        return Check(self.name, passed, detail, MappingProxyType(evidence))


C = TypeVar("C", bound=type[ComplianceCheck])
_CHECKS: dict[str, type[ComplianceCheck]] = {}
_BUILTIN_NAMES: set[str] = set()


def register_check(cls: C) -> C:
    """Register a compliance check class under its ``name`` (a class decorator).

    Registering a name again replaces your earlier class; a built-in name is refused.
    """
    if not (isinstance(cls, type) and issubclass(cls, ComplianceCheck)):
        raise ParameterError(
            f"register_check takes a subclass of ComplianceCheck. Got {cls!r} instead."
        )
    if not isinstance(cls.name, str) or not cls.name:
        raise ParameterError(f"{cls.__name__}.name must be a non-empty str.")
    if cls.name in _BUILTIN_NAMES and _CHECKS.get(cls.name) is not cls:
        raise ParameterError(f"{cls.name!r} is a built-in check and cannot be replaced.")
    _CHECKS[cls.name] = cls
    return cls


def _builtin(cls: C) -> C:
    register_check(cls)
    _BUILTIN_NAMES.add(cls.name)
    return cls


def registered_checks() -> dict[str, type[ComplianceCheck]]:
    """Every registered check by name."""
    from anonlab.licensing import attacks, irreversibility, safe_harbor  # noqa: F401  (register)

    return dict(_CHECKS)


# -- generic checks ----------------------------------------------------------------------------


@_builtin
class DirectIdentifiers(ComplianceCheck):
    """No direct identifier remains in clear (keyed codes pass; see ``pseudonymisation``)."""

    name = "direct-identifiers"
    title = "No direct identifier remains"

    def run(self, context: CheckContext) -> Check:
        failing: dict[str, str] = {}
        handled: dict[str, str] = {}
        for c in context.frame.columns:
            now = context.profile[c]
            before = context.before(c)
            code = context.code(c)
            direct_now = now.kind in DIRECT_KINDS
            direct_before = before is not None and before.kind in DIRECT_KINDS
            if code == "partial":
                if direct_now or direct_before:
                    failing[c] = "a mask keeps part of the identifier"
            elif code in ("removed", "derived"):
                if direct_now or direct_before:
                    handled[c] = code
            elif direct_now:
                assert now.kind is not None  # one of DIRECT_KINDS
                if now.kind is Kind.RECORD_ID and c in context.pseudonymised():
                    continue  # unique codes without a recipe: the pseudonymisation check's call
                failing[c] = f"still holds {now.kind.value.replace('_', ' ')} values"
            elif code is None and (why := context.unexamined(c)) is not None:
                failing[c] = why
        if failing:
            listed = "; ".join(f"{c}: {why}" for c, why in failing.items())
            return self.result(
                False,
                f"{len(failing)} column(s) still hold direct identifiers ({listed}). Drop them, "
                "or replace them with keyed hashes or pseudonyms where the template allows.",
                failing=sorted(failing), handled=handled,
            )
        return self.result(True, "No direct identifier remains in clear.", handled=handled)


@_builtin
class RiskThreshold(ComplianceCheck):
    """The risk report of the anonymized frame meets the template's threshold and targets."""

    name = "risk-threshold"
    title = "Re-identification risk under the threshold"

    def run(self, context: CheckContext) -> Check:
        report = context.report
        threshold = context.template.risk_threshold
        if report is None:
            return self.result(
                False,
                "No risk report was given. Measure the anonymized frame with "
                "anonlab.assess_risk(frame, quasi_identifiers) and pass report=.",
                threshold=threshold,
            )
        problems = []
        rows = context.frame.height
        records = getattr(report, "records", rows)
        if records != rows:
            problems.append(
                f"the report describes {records:,} records but the frame has {rows:,}: assess "
                "the anonymized frame itself"
            )
        covered = set(getattr(report, "quasi_identifiers", ()))
        missing = sorted(_declared_quasi(context) - covered)
        if missing:
            problems.append(
                f"the report leaves out the quasi-identifier(s) {', '.join(missing)}"
            )
        highest = float(report.highest_risk)
        if threshold is not None and highest > threshold + 1e-12:
            problems.append(
                f"the highest re-identification risk is {highest:.4g}, above the template's "
                f"threshold of {threshold:g}"
            )
        failed = [r for r in getattr(report, "targets", ()) if not r.passed]
        if failed:
            problems.append(
                f"{len(failed)} privacy target(s) of the report fail "
                f"({', '.join(r.model.describe() for r in failed)})"
            )
        measures = getattr(report, "measures", None)
        evidence = {
            "highest_risk": highest,
            "average_risk": float(getattr(report, "average_risk", highest)),
            "threshold": threshold,
            "k": getattr(measures, "k", None),
            "records": records,
            "quasi_identifiers": sorted(covered),
            "missing_quasi_identifiers": missing,
            "targets": [
                {"target": r.model.describe(), "passed": bool(r.passed)}
                for r in getattr(report, "targets", ())
            ],
        }
        if problems:
            return self.result(False, "; ".join(problems).capitalize() + ".", **evidence)
        limit = "" if threshold is None else f" (threshold {threshold:g})"
        return self.result(
            True,
            f"Highest re-identification risk {highest:.4g}{limit} on "
            f"{', '.join(sorted(covered)) or 'no quasi-identifiers'}; every target passes.",
            **evidence,
        )


def _declared_quasi(context: CheckContext) -> set[str]:
    """The quasi-identifiers the report must cover: the recipe's targets and the original
    profile's, or, with neither, the anonymized profile's; only columns still in the frame."""
    declared: set[str] = set()
    recipe = context.recipe
    if recipe is not None and recipe.targets is not None:
        declared |= set(recipe.targets.quasi_identifiers)
    if context.original_profile is not None:
        declared |= set(context.original_profile.quasi_identifiers)
    if recipe is None and context.original_profile is None:
        declared |= set(context.profile.quasi_identifiers)
    return declared & set(context.frame.columns)


@_builtin
class Pseudonymisation(ComplianceCheck):
    """Keyed hashes and pseudonyms make data pseudonymous; does the template accept that?"""

    name = "pseudonymisation"
    title = "Claimed status (pseudonyms)"

    def run(self, context: CheckContext) -> Check:
        columns = context.pseudonymised()
        status = context.template.status(bool(columns))
        keys = {}
        for c in columns:
            step = context.hiding_step(c)
            ref = getattr(step.transform, "key", None) if step is not None else None
            if isinstance(ref, Key | str):
                keys[c] = describe_key_ref(ref)
        evidence = {"pseudonymised_columns": columns, "key_references": keys,
                    "claimed_status": status}
        if status is None:
            listed = ", ".join(f"{c} ({how})" for c, how in columns.items())
            return self.result(
                False,
                f"{len(columns)} column(s) hold keyed hashes or pseudonyms ({listed}), which "
                "make the data pseudonymous, not anonymous or de-identified; the "
                f"{context.template.id!r} template does not accept them. Drop those columns, or "
                "use a template for pseudonymised data such as 'gdpr-pseudonymous-research'.",
                **evidence,
            )
        if columns:
            detail = (f"{len(columns)} column(s) hold keyed hashes or pseudonyms "
                      f"({', '.join(columns)}): the data is {status}.")
        else:
            detail = f"No keyed hash or pseudonym remains: the data can be claimed {status}."
        return self.result(True, detail, **evidence)


# -- running -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComplianceResult:
    """The outcome of a template's checks on an anonymized frame.

    Attributes
    ----------
    template : str
        The template's id.
    template_version : str
    checks : tuple of Check
        In the template's order.
    status : {"anonymous", "deidentified", "pseudonymous", "identifiable"}
        The status a license would claim; ``"identifiable"`` when a check fails (no license
        can be issued).
    assessed_at : datetime
        When the checks ran (UTC).
    deferred : tuple of str
        Checks of a preview left to :func:`anonlab.export`, which makes the release they
        judge (empty unless ``preview=True``).
    """

    template: str
    template_version: str
    checks: tuple[Check, ...]
    status: Status
    assessed_at: dt.datetime
    deferred: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        """Every check passed."""
        return all(c.passed for c in self.checks)

    @property
    def failures(self) -> tuple[Check, ...]:
        """The failing checks, in order."""
        return tuple(c for c in self.checks if not c.passed)

    def to_dict(self) -> dict[str, Any]:
        """Plain data."""
        return {
            "template": self.template,
            "template_version": self.template_version,
            "status": self.status,
            "passed": self.passed,
            "assessed_at": format_time(self.assessed_at),
            "checks": [c.to_dict() for c in self.checks],
            "deferred": list(self.deferred),
        }

    def summary(self) -> str:
        """One line per check."""
        verdict = "PASS" if self.passed else "FAIL"
        if self.deferred:
            verdict += " so far (a preview)"
        lines = [f"{self.template}: {verdict} (status {self.status})"]
        lines += [f"  [{'PASS' if c.passed else 'FAIL'}] {c.name}: {c.detail}" for c in self.checks]
        lines += [f"  [at export] {name}: run by anonlab.export on the release it makes"
                  for name in self.deferred]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()


def check_compliance(
    template: str | Template,
    *,
    frame: Any,
    recipe: Recipe | None = None,
    profile: Profile | None = None,
    report: Any = None,
    original_profile: Profile | None = None,
    original: Any = None,
    at: dt.datetime | None = None,
    rows: Any = None,
    scope: str | None = None,
    row_order: str | None = None,
    preview: bool = False,
) -> ComplianceResult:
    """Run a template's required checks on an anonymized frame.

    Parameters
    ----------
    template : str or Template
        A template id (``"hipaa-safe-harbor"``) or a :class:`Template`.
    frame : pandas, polars or Arrow frame
        The anonymized frame.
    recipe : Recipe, optional
        The recipe that produced it: tells removed identifiers from derived codes.
    profile : Profile, optional
        The profile of ``frame`` (computed when not given).
    report : RiskReport, optional
        :func:`anonlab.assess_risk` of ``frame``; needed by ``risk-threshold``.
    original_profile : Profile, optional
        The profile of the frame before anonymization (what each column was).
    original : frame, optional
        The frame before anonymization: the attacks (replay, linkage, cross-release, the
        dictionary attack) run against it. Never written anywhere. Without it the attack checks
        cannot run and fail, saying so.
    at : datetime, optional
        When the assessment is made (default now); tz-aware.
    rows : sequence of int, optional
        For each row of ``frame``, the row of ``original`` it came from; by default row ``i``
        is row ``i``.
    scope : str, optional
        The token scope ``frame`` was made with (``Recipe.apply(release=...)``); None for the
        master keys themselves.
    row_order : str, optional
        Why ``frame`` keeps the original row order on purpose (recorded, not an error).
    preview : bool, default False
        ``frame`` is a preview (``recipe.apply``), not the release: checks of how
        :func:`anonlab.export` makes the release (per-release token keys, a secret row order)
        are deferred to it and listed in ``deferred`` rather than run.

    Returns
    -------
    ComplianceResult
        Never raises for data that fails: look at ``.passed`` and ``.failures``.
    """
    from anonlab.licensing.templates import template as lookup
    from anonlab.profiling.profile import profile as make_profile

    tpl = lookup(template)
    data, _ = ingest(frame, owner="check_compliance")
    if isinstance(data, pl.LazyFrame):
        data = data.collect()
    if profile is None:
        profile = make_profile(data)
    elif not isinstance(profile, Profile):
        raise ParameterError("The 'profile' parameter of check_compliance must be a Profile.")
    before: pl.DataFrame | None = None
    if original is not None:
        given, _ = ingest(original, owner="check_compliance")
        before = given.collect() if isinstance(given, pl.LazyFrame) else given
    when = utcnow() if at is None else to_utc(at, path="at")
    mapping = None
    if rows is not None:
        mapping = np.asarray(rows, dtype=np.int64)
        if mapping.ndim != 1 or len(mapping) != data.height:
            raise ParameterError(
                f"The 'rows' parameter of check_compliance must give one original row for each "
                f"of the frame's {data.height:,} rows. Got {len(mapping):,} instead.")
        if before is not None and len(mapping) and (
                mapping.min() < 0 or mapping.max() >= before.height):
            raise ParameterError(
                "The 'rows' parameter of check_compliance names rows the original does not have.")
    context = CheckContext(tpl, data, profile, recipe, report, original_profile, before, when,
                           mapping, scope, row_order)
    if not isinstance(preview, bool):
        raise ParameterError("The 'preview' parameter of check_compliance must be True or False.")
    known = registered_checks()
    unmatched = context.source_rows() is None
    deferred = tuple(n for n in tpl.required_checks if preview and (
        known[n].at_export or (known[n].needs_rows and unmatched)))
    results = tuple(known[name]().run(context) for name in tpl.required_checks
                    if name not in deferred)
    claimed = tpl.status(bool(context.pseudonymised()))
    passed = all(c.passed for c in results)
    # a template's statuses are checked to be of STATUSES when it is made
    status = cast(Status, claimed) if passed and claimed is not None else "identifiable"
    return ComplianceResult(tpl.id, tpl.version, results, status, when, deferred)


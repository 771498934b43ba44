"""``suggest_for_template``: a first recipe meant to pass a license template's checks.

It starts from :func:`anonlab.suggest_recipe` and changes what the template's checks would
refuse:

Safe Harbor (``hipaa-safe-harbor``)
    Every identifier of the 18 categories is dropped, keyed hashes included: a hash of an
    identifier is a code derived from it, which 45 CFR 164.514(c) excludes (anonlab has no
    random-surrogate transform yet; a transform of your own that hides values and declares
    ``derived_code = False`` passes the check). Cities and other geography finer than a state
    are dropped; ZIP codes become their first three digits with the restricted prefixes set to
    ``000`` (``hipaa_zip3``); every date becomes its year; dates of birth become their year, and
    the years that imply an age over 89 one label (``"1935 or earlier"``); numeric ages are
    top-coded at 89 as ``"90+"``; free text holding identifiers is dropped (names and ages in
    text are not reliably found).
Templates with a risk threshold
    Dates become years, dates of birth ten-year bands (with the same pooling of the oldest),
    ZIP codes their first digit (a national area), cities are dropped, and a last step
    suppresses the records whose class on the quasi-identifiers is smaller than the ``k`` the
    threshold implies
    (``k = ceil(1 / threshold)``: 12 for 0.09, 5 for 0.2). Suppression can remove many records
    when the quasi-identifiers are many; refine the generalization before relying on it.
Templates that do not accept pseudonyms
    Keyed hashes are replaced by dropping the column, and free text with identifiers is dropped.

Every template
    A column whose values cannot all be inspected (binary content, nested parts too deep) is
    dropped; under Safe Harbor so is every nested column (struct, list), whose dates, ages and
    ZIP codes its checks cannot see.

The recipe is a starting point: check it with :func:`anonlab.licensing.check_compliance`.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from anonlab.hierarchies import Hierarchy
from anonlab.keys import KeyRef
from anonlab.licensing._time import to_utc, utcnow
from anonlab.licensing.templates import Template
from anonlab.licensing.templates import template as lookup_template
from anonlab.profiling.kinds import ColumnRole, HipaaCategory, Kind
from anonlab.profiling.names import name_hints
from anonlab.profiling.profile import ColumnProfile, Profile
from anonlab.recipe import Recipe, Step, Targets
from anonlab.suggest import is_nested, suggest_recipe
from anonlab.transforms import Drop, Generalize, Scrub, SuppressRecords, TopBottomCode, Transform
from anonlab.transforms.zip3 import HipaaZip3

__all__ = ["birth_year_hierarchy", "suggest_for_template"]

_FIRST_YEAR = 1850
_TEMPORAL = ("Date", "Datetime")


def birth_year_hierarchy(at: dt.datetime | None = None, *, column: str | None = None) -> Hierarchy:
    """Years of birth (as ``Generalize(unit="year")`` writes them, 1850 to next year) to:
    level 1, the year, or ``"<cutoff> or earlier"`` for years implying an age over 89 at ``at``
    (``cutoff = at.year - 90``); level 2, ten-year bands with the same pooling."""
    when = utcnow() if at is None else to_utc(at, path="at")
    cutoff = when.year - 90
    pooled = f"{cutoff} or earlier"
    rows = []
    for year in range(_FIRST_YEAR, when.year + 2):
        if year <= cutoff:
            rows.append([str(year), pooled, pooled])
        else:
            lo = max(year - year % 10, cutoff + 1)
            rows.append([str(year), str(year), f"{lo}-{year - year % 10 + 9}"])
    return Hierarchy(rows, column=column)


def _is_temporal(c: ColumnProfile) -> bool:
    return c.polars_dtype.startswith(_TEMPORAL)


def _is_numeric_age(c: ColumnProfile) -> bool:
    numeric = c.polars_dtype.startswith(("Int", "UInt", "Float"))
    return numeric and "age" in name_hints(c.name) and "birth" not in name_hints(c.name)


def suggest_for_template(
    profile: Profile,
    template: str | Template,
    *,
    key: KeyRef = "env:ANONLAB_KEY",
    name: str = "",
    at: dt.datetime | None = None,
    **kw: Any,
) -> Recipe:
    """Propose a recipe meant to pass ``template``'s checks (see the module documentation).

    Parameters
    ----------
    profile : Profile
        The profile of the original frame.
    template : str or Template
    key : str or Key, default "env:ANONLAB_KEY"
        The key reference of hash steps the template allows.
    name : str
        A name for the recipe.
    at : datetime, optional
        When the data will be assessed (default now): birth years implying an age over 89 then
        are pooled.
    **kw
        Passed to :func:`anonlab.suggest_recipe` (``k`` is set from the template's threshold
        when it has one).

    Returns
    -------
    Recipe
    """
    tpl = lookup_template(template)
    checks = set(tpl.required_checks)
    safe_harbor = any(c.startswith("safe-harbor-") for c in checks)
    threshold = tpl.risk_threshold if "risk-threshold" in checks else None
    k = math.ceil(1 / threshold - 1e-9) if threshold is not None else kw.pop("k", 5)
    kw.pop("k", None)
    base = suggest_recipe(profile, key=key, k=k, name=name or f"{tpl.id} release", **kw)
    pseudonyms_ok = tpl.pseudonymised_status is not None and not safe_harbor
    years = birth_year_hierarchy(at)
    steps: list[Step] = []
    dropped: set[str] = set()
    for step in base.steps:
        if step.column is None or step.column not in profile:
            steps.append(step)
            continue
        c = profile[step.column]
        new = _rewrite(c, step.transform, safe_harbor=safe_harbor, risky=threshold is not None,
                       pseudonyms_ok=pseudonyms_ok)
        if new is None:
            steps.append(step)
            continue
        for transform, note in new:
            if transform == "birth":
                steps.append(Step(c.name, Generalize(unit="year"), "date of birth: the year"))
                level = 2 if threshold is not None and not safe_harbor else 1
                what = "ten-year bands" if level == 2 else "the year"
                steps.append(Step(c.name, Generalize(hierarchy=years, level=level),
                                  f"date of birth: {what}, years implying an age over 89 "
                                  "pooled (HIPAA Safe Harbor)"))
                continue
            steps.append(Step(c.name, transform, note))
            if isinstance(transform, Drop):
                dropped.add(c.name)
    quasi = tuple(q for q in (base.targets.quasi_identifiers if base.targets else ())
                  if q not in dropped)
    sensitive = tuple(s for s in (base.targets.sensitive if base.targets else ())
                      if s not in dropped)
    targets = Targets(quasi_identifiers=quasi, sensitive=sensitive, k=k) if quasi else None
    if threshold is not None and quasi:
        steps.append(Step(None, SuppressRecords(quasi_identifiers=quasi, k=max(k, 2)),
                          f"suppress records in classes under k={k} (risk threshold "
                          f"{threshold:g})"))
    return Recipe(steps=tuple(steps), targets=targets, name=base.name,
                  description=f"Suggested for the {tpl.id!r} license template.")


_IDENTIFIER_CATEGORIES = frozenset(HipaaCategory) - {HipaaCategory.DATES}


def _rewrite(
    c: ColumnProfile, current: Transform, *, safe_harbor: bool, risky: bool, pseudonyms_ok: bool
) -> list[tuple[Any, str]] | None:
    """The steps replacing ``current`` for column ``c``, or None to keep it."""
    kind = c.kind
    is_zip = kind is Kind.ZIP_CODE or "zip" in name_hints(c.name)
    birth = kind is Kind.DATE_OF_BIRTH or "birth" in name_hints(c.name)
    if c.detection.opaque and current.op != "drop":
        return [(Drop(), "values that cannot be inspected: dropped")]
    if safe_harbor and is_nested(c) and current.op != "drop":
        return [(Drop(), "nested values: dropped (the Safe Harbor checks read flat columns; "
                         "flatten it to keep its fields)")]
    if safe_harbor:
        if is_zip and (c.polars_dtype in ("String", "Categorical")
                       or c.polars_dtype.startswith(("Int", "UInt"))):
            return [(HipaaZip3(), "ZIP code: first three digits, restricted areas 000 "
                                  "(HIPAA Safe Harbor)")]
        if birth and _is_temporal(c):
            return [("birth", "")]
        if _is_temporal(c):
            return [(Generalize(unit="year"), "a date: the year only (HIPAA Safe Harbor)")]
        if kind in (Kind.DATE, Kind.DATE_OF_BIRTH):
            return [(Drop(), "a date written as text: dropped (HIPAA Safe Harbor)")]
        if _is_numeric_age(c):
            return [(TopBottomCode(top=89, top_label="90+"), "age: over 89 as 90+")]
        if kind is Kind.FREE_TEXT_WITH_IDENTIFIERS:
            return [(Drop(), "free text: may hold names, dates and ages; dropped "
                             "(HIPAA Safe Harbor)")]
        if (c.hipaa in _IDENTIFIER_CATEGORIES or current.op in ("hash", "pseudonymize")
                or c.role is ColumnRole.IDENTIFIER):
            why = (f"{c.hipaa}" if c.hipaa is not None else "a unique code")
            return [(Drop(), f"{why}: removed (HIPAA Safe Harbor; a hash would be a derived "
                             "code)")]
        return None
    out: list[tuple[Any, str]] | None = None
    if current.op in ("hash", "pseudonymize") and not pseudonyms_ok:
        out = [(Drop(), "an identifier: dropped (the template does not accept keyed hashes, "
                        "which make data pseudonymous)")]
    elif kind is Kind.FREE_TEXT_WITH_IDENTIFIERS and not pseudonyms_ok:
        out = [(Drop(), "free text with identifiers: dropped")]
    elif kind is Kind.FREE_TEXT_WITH_IDENTIFIERS:
        out = [(current if current.op == "scrub" else Scrub(),
                "free text: identifiers replaced, with the record's own identifiers as context")]
    elif risky:
        if kind is Kind.CITY:
            out = [(Drop(), "city: dropped (geography kept as a three-digit ZIP)")]
        elif is_zip and (c.polars_dtype == "String" or c.polars_dtype.startswith(("Int",
                                                                                   "UInt"))):
            out = [(HipaaZip3(), "ZIP code: first three digits, small areas 000"),
                   (Generalize(keep=1), "ZIP code: its first digit (a national area), so "
                                        "classes can reach k")]
        elif birth and _is_temporal(c):
            out = [("birth", "")]
        elif _is_temporal(c):
            out = [(Generalize(unit="year"), "a date: the year only")]
        elif _is_numeric_age(c):
            out = [(TopBottomCode(top=89, top_label="90+"), "age: over 89 as 90+")]
    return out

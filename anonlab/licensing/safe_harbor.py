"""HIPAA Safe Harbor checks, 45 CFR 164.514(b)(2).

Four checks, each failing with the columns (never the values) that break it:

``safe-harbor-identifiers``
    No column holds any of the 18 identifier categories (A)-(R) of 164.514(b)(2)(i) — names,
    geographic subdivisions smaller than a state (cities, street addresses; ZIP codes are the
    ``safe-harbor-zip`` check's), telephone and fax numbers, e-mail addresses, SSNs, medical
    record, health plan, account, certificate, vehicle and device numbers, URLs, IP addresses,
    biometrics, photographs and other unique codes. A column passes when the recipe removed its
    values (drop, redact, a mask keeping nothing, a random non-derived surrogate) or when its
    profile detects nothing any more (free text scrubbed). A keyed hash or pseudonym of an
    identifier is a code *derived from* information about the individual, which 164.514(c)
    excludes, so it fails; so does a mask that keeps part of the value. Without a recipe a
    column of unique codes fails as category (R), since nothing shows that it is random. A
    column the checks cannot see into fails closed unless the recipe removes it: binary content
    (a photograph, a biometric template), and nested values (structs, lists), whose dates, ages
    and ZIP codes the other three checks, which read flat columns, would miss.
``safe-harbor-dates``
    No date more precise than a year (164.514(b)(2)(i)(C)): a Date or Datetime column fails
    unless every value is January 1st at midnight (dates generalized to their year), and a
    string column fails when most of its values are dates written to the day, month, quarter or
    week. Every date column is held to this, since the checks cannot tell which dates are
    "directly related to an individual".
``safe-harbor-ages``
    No age over 89 (also (C)): a numeric column named as an age with values above 89; an age
    column of text holding a number above 89 or an interval starting at 90 or more with a finite
    end (ages over 89 may only be pooled into one "90 or older" category); a birth-date column
    holding a year that implies an age over 89 at the assessment time (born in or before
    ``year - 90``); free text mentioning a person as over 89 years old (``"92-year-old"``). An
    age column holding invalid ages (negative numbers, NaN, negative labels such as ``-5`` or
    ``[-10, 0)``) fails too: such values are codes or errors that may stand for real ages,
    including ages over 89, and cannot pass unchanged.
``safe-harbor-zip``
    A ZIP code keeps at most its first three digits, and the three-digit prefixes of areas of
    20,000 people or fewer (:data:`RESTRICTED_ZIP3`) are ``000``.

The 18 categories also cover identifiers of relatives, employers and household members; the
checks find them the same way, by what the columns hold. What no check can establish is the
second condition of Safe Harbor, that the covered entity has no actual knowledge that the rest
could identify someone: the license states it as the licensor's statement.
"""

from __future__ import annotations

import polars as pl

from anonlab.licensing.checks import Check, CheckContext, ComplianceCheck, _builtin
from anonlab.profiling.kinds import HipaaCategory, Kind
from anonlab.profiling.names import name_hints
from anonlab.transforms.zip3 import RESTRICTED_ZIP3 as _RESTRICTED
from anonlab.transforms.zip3 import ZIP3_SOURCE

__all__ = ["RESTRICTED_ZIP3", "ZIP3_SOURCE"]

RESTRICTED_ZIP3: frozenset[str] = frozenset(_RESTRICTED)
"""Three-digit ZIP prefixes whose areas held 20,000 people or fewer, which Safe Harbor requires
to be written ``000`` (from :mod:`anonlab.transforms.zip3`; source :data:`ZIP3_SOURCE`)."""

_SAMPLE = 10_000
_PRECISE_DATE = {
    "day": r"^\d{4}-\d{1,2}-\d{1,2}(?:[T ].*)?$|^\d{1,2}/\d{1,2}/\d{2,4}$|^\d{4}/\d{1,2}/\d{1,2}$"
           r"|^\d{1,2}\.\d{1,2}\.\d{4}$|^(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])$",
    "month": r"^\d{4}-\d{1,2}$|^\d{4}/\d{1,2}$|^\d{1,2}/\d{4}$",
    "quarter": r"^\d{4}-?Q[1-4]$",
    "week": r"^\d{4}-?W\d{2}$",
}
_AGE_IN_TEXT = r"(?i)\b(\d{2,3})[- ]?(?:years?|yrs?|yo)[- ]?old\b"
_IDENTIFIER_CATEGORIES = frozenset(HipaaCategory) - {HipaaCategory.DATES}


def _sample(s: pl.Series) -> pl.Series:
    s = s.drop_nulls()
    return s.head(_SAMPLE) if len(s) > _SAMPLE else s


@_builtin
class SafeHarborIdentifiers(ComplianceCheck):
    """None of the 18 identifier categories remains; no derived code (164.514(c))."""

    name = "safe-harbor-identifiers"
    title = "HIPAA Safe Harbor: the 18 identifiers"

    def run(self, context: CheckContext) -> Check:
        failing: dict[str, str] = {}
        categories: dict[str, str] = {}
        for c in context.frame.columns:
            cats = context.hipaa(c) & _IDENTIFIER_CATEGORIES
            if context.is_zip(c):
                cats.discard(HipaaCategory.GEOGRAPHIC)  # the ZIP check's business
            now = context.profile[c]
            code = context.code(c)
            if not cats and code != "derived":
                continue
            shown = ", ".join(str(x) for x in sorted(cats, key=lambda x: x.number))
            if code == "removed":
                continue
            if code == "derived":
                if cats or context.before(c) is None:
                    failing[c] = ("a keyed hash or pseudonym is a code derived from the "
                                  "identifier, which 45 CFR 164.514(c) excludes")
                    categories[c] = shown or str(HipaaCategory.OTHER_UNIQUE)
                continue
            if code == "partial":
                failing[c] = "a mask keeps part of the identifier"
                categories[c] = shown
                continue
            still = now.hipaa in _IDENTIFIER_CATEGORIES and not (
                context.is_zip(c) and now.hipaa is HipaaCategory.GEOGRAPHIC)
            if still:
                if now.hipaa is HipaaCategory.OTHER_UNIQUE and now.kind is None:
                    why = ("holds unique codes; nothing shows they are random rather than "
                           "derived (give the recipe)" if context.recipe is None
                           else "holds unique codes no step replaced")
                elif now.kind is Kind.CITY or now.kind is Kind.STREET_ADDRESS:
                    why = f"still holds {now.hipaa!s} ({now.kind.value.replace('_', ' ')})"
                else:
                    why = f"still holds {now.hipaa}"
                failing[c] = why
                categories[c] = str(now.hipaa)
        for c in context.frame.columns:
            if c not in failing and context.code(c) != "removed":
                unseen = _unclassified(context, c)
                if unseen is not None:  # a column the checks cannot see into fails closed
                    failing[c] = unseen
                    categories[c] = str(context.profile[c].hipaa or "unclassified")
        evidence = {"failing": {c: categories[c] for c in failing},
                    "columns_checked": context.frame.width}
        if failing:
            listed = "; ".join(f"{c}: {why}" for c, why in failing.items())
            return self.result(
                False,
                f"{len(failing)} column(s) hold Safe Harbor identifiers ({listed}). Drop them, "
                "or use random codes that are not derived from the person.",
                **evidence,
            )
        return self.result(True, "No column holds any of the 18 Safe Harbor identifiers.",
                           **evidence)


def _unclassified(context: CheckContext, column: str) -> str | None:
    """Why Safe Harbor cannot be established for a column the checks cannot see into: binary
    content or unexamined parts (:meth:`CheckContext.unexamined`), or any nested values, whose
    dates, ages and ZIP codes the date, age and ZIP checks (which read flat columns) would miss.
    """
    why = context.unexamined(column)
    if why is not None:
        return why
    if context.frame.schema[column].is_nested():
        return ("holds nested values, whose dates, ages and ZIP codes the Safe Harbor checks "
                "cannot see; flatten it (one column per field) or drop it")
    return None


def date_precision(s: pl.Series) -> str | None:
    """The precision of a column's dates finer than a year (``"day"``, ``"month"``,
    ``"quarter"``, ``"week"``), or None (years only, or not dates).

    Date and Datetime columns are at the day unless every value is January 1st (at midnight).
    A string column fails as soon as one of its values, anywhere in the column, is a date finer
    than a year (a mix of years and exact dates still discloses the exact dates); the finest
    precision found is reported.
    """
    dtype = s.dtype
    values = s.drop_nulls()
    if not len(values):
        return None
    if dtype == pl.Date or isinstance(dtype, pl.Datetime):
        year_start = (values.dt.month() == 1) & (values.dt.day() == 1)
        if isinstance(dtype, pl.Datetime):
            year_start &= (values.dt.hour() == 0) & (values.dt.minute() == 0) & (
                values.dt.second() == 0)
        return None if bool(year_start.all()) else "day"
    if dtype != pl.String and not isinstance(dtype, pl.Categorical | pl.Enum):
        return None
    text = values.cast(pl.String).str.strip_chars()
    for precision, pattern in _PRECISE_DATE.items():  # finest first
        if text.str.contains(pattern).any():
            return precision
    return None


@_builtin
class SafeHarborDates(ComplianceCheck):
    """No date element finer than the year."""

    name = "safe-harbor-dates"
    title = "HIPAA Safe Harbor: dates to the year"

    def run(self, context: CheckContext) -> Check:
        failing = {}
        for c in context.frame.columns:
            precision = date_precision(context.frame.get_column(c))
            if precision is not None:
                failing[c] = precision
        if failing:
            listed = ", ".join(f"{c} (to the {p})" for c, p in failing.items())
            return self.result(
                False,
                f"{len(failing)} column(s) hold dates more precise than the year: {listed}. "
                "Generalize them to the year (Generalize(unit='year')).",
                failing=failing,
            )
        return self.result(True, "No date is more precise than the year.", failing={})


def _is_birth(context: CheckContext, column: str) -> bool:
    return Kind.DATE_OF_BIRTH in context.kinds(column) or "birth" in name_hints(column)


def _years(s: pl.Series) -> pl.Series | None:
    """The years a column's values stand for (None when they are not years or dates)."""
    dtype = s.dtype
    if dtype == pl.Date or isinstance(dtype, pl.Datetime):
        return s.dt.year().cast(pl.Int64)
    if dtype.is_integer():
        return s.cast(pl.Int64).filter((s >= 1000) & (s <= 3000))
    if dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum):
        text = s.cast(pl.String).str.strip_chars()
        return text.str.extract(r"^(\d{4})(?:$|[-/])").drop_nulls().cast(pl.Int64)
    return None


def _age_labels_over_89(s: pl.Series) -> int:
    """Text age values that state an age over 89: a number, or a bounded interval from 90."""
    text = s.cast(pl.String).str.strip_chars()
    number = text.str.extract(r"^(\d+(?:\.\d+)?)$").cast(pl.Float64, strict=False)
    low = text.str.extract(r"^[\[(]\s*(\d+(?:\.\d+)?)\s*,\s*\d").cast(pl.Float64, strict=False)
    high = text.str.extract(r"^[\[(]\s*\d+(?:\.\d+)?\s*,\s*(\d+(?:\.\d+)?)\s*[\])]$").cast(
        pl.Float64, strict=False)
    exact = (number > 89).fill_null(False)
    bounded = ((low >= 90) & high.is_not_null()).fill_null(False)
    return int((exact | bounded).sum())


def _negative_age_labels(s: pl.Series) -> int:
    """Text age values that are negative numbers or intervals starting below 0."""
    text = s.cast(pl.String).str.strip_chars()
    return int(text.str.contains(r"^-\s*\d|^[\[(]\s*-\s*\d").sum())


@_builtin
class SafeHarborAges(ComplianceCheck):
    """No age over 89, and no birth year implying one, unless pooled as 90 or older."""

    name = "safe-harbor-ages"
    title = "HIPAA Safe Harbor: ages over 89"

    def run(self, context: CheckContext) -> Check:
        failing: dict[str, str] = {}
        counts: dict[str, int] = {}
        cutoff = context.at.year - 90
        for c in context.frame.columns:
            s = context.frame.get_column(c)
            values = s.drop_nulls()
            if not len(values):
                continue
            is_text = s.dtype == pl.String or isinstance(s.dtype, pl.Categorical | pl.Enum)
            if "age" in name_hints(c) and not _is_birth(context, c):
                if s.dtype.is_numeric():
                    nan = values.is_nan() if s.dtype.is_float() else values != values
                    n = int(((values > 89) & ~nan).sum())  # NaN sorts above every number
                    invalid = int(((values < 0) | nan).sum())
                    why = []
                    if n:
                        why.append(f"{n:,} age(s) over 89 not top-coded")
                    if invalid:
                        why.append(f"{invalid:,} invalid age(s) (negative or NaN), which may be "
                                   "codes or errors hiding real ages")
                    if why:
                        failing[c] = " and ".join(why)
                        counts[c] = n + invalid
                elif is_text:
                    n = _age_labels_over_89(values)
                    invalid = _negative_age_labels(values)
                    why = []
                    if n:
                        why.append(f"{n:,} age label(s) over 89 other than one 90+ category")
                    if invalid:
                        why.append(f"{invalid:,} negative age label(s), which are not ages")
                    if why:
                        failing[c] = " and ".join(why)
                        counts[c] = n + invalid
                continue
            if _is_birth(context, c):
                years = _years(values)
                if years is not None:
                    n = int((years <= cutoff).sum())
                    if n:
                        failing[c] = (f"{n:,} birth date(s) in or before {cutoff}, implying an "
                                      f"age over 89 in {context.at.year}")
                        counts[c] = n
                continue
            if is_text:
                ages = _sample(values.cast(pl.String)).str.extract_all(_AGE_IN_TEXT)
                found = ages.list.eval(
                    pl.element().str.extract(r"(\d{2,3})").cast(pl.Int64) > 89).list.any()
                n = int(found.sum())
                if n:
                    failing[c] = f"{n:,} text value(s) mention an age over 89"
                    counts[c] = n
        if failing:
            listed = "; ".join(f"{c}: {why}" for c, why in failing.items())
            invalid = "invalid" in listed or "negative" in listed
            what = "reveal ages over 89 or hold invalid ages" if invalid else "reveal ages over 89"
            fix = " Set invalid ages to null (or drop them) after checking what they code." \
                if invalid else ""
            return self.result(
                False,
                f"{len(failing)} column(s) {what} ({listed}). Pool ages over 89 as one "
                "'90+' category (TopBottomCode(top=89, top_label='90+'); birth years in or "
                f"before {cutoff} as one label), or drop free text.{fix}",
                failing=counts, cutoff_birth_year=cutoff,
            )
        return self.result(True, "No age over 89 and no birth year implying one.", failing={},
                           cutoff_birth_year=cutoff)


def zip_problems(s: pl.Series, restricted: frozenset[str] = RESTRICTED_ZIP3) -> tuple[int, int]:
    """(values with more than three digits, values whose prefix is restricted and not 000)."""
    values = s.drop_nulls()
    if values.dtype.is_integer():
        long = int((values >= 1000).sum())
        prefix = values.filter(values < 1000).cast(pl.String).str.zfill(3)
        return long, int(prefix.is_in(list(restricted)).sum())
    text = values.cast(pl.String).str.strip_chars()
    digits = text.str.count_matches(r"\d")
    long = int((digits > 3).sum())
    prefix = text.str.extract(r"^(\d{3})")
    return long, int(prefix.is_in(list(restricted)).fill_null(False).sum())


@_builtin
class SafeHarborZip(ComplianceCheck):
    """ZIP codes cut to three digits, the restricted prefixes set to 000."""

    name = "safe-harbor-zip"
    title = "HIPAA Safe Harbor: ZIP codes"

    def run(self, context: CheckContext) -> Check:
        failing: dict[str, dict[str, int]] = {}
        checked = []
        for c in context.frame.columns:
            if not context.is_zip(c) or context.code(c) == "removed":
                continue
            checked.append(c)
            long, restricted = zip_problems(context.frame.get_column(c))
            if long or restricted:
                failing[c] = {"more_than_3_digits": long, "restricted_prefix": restricted}
        evidence = {"checked": checked, "failing": failing, "restricted_zip3": sorted(
            RESTRICTED_ZIP3), "restricted_zip3_source": ZIP3_SOURCE}
        if failing:
            parts = []
            for c, n in failing.items():
                what = []
                if n["more_than_3_digits"]:
                    what.append(f"{n['more_than_3_digits']:,} with more than three digits")
                if n["restricted_prefix"]:
                    what.append(f"{n['restricted_prefix']:,} in a restricted ZIP3 area not set "
                                "to 000")
                parts.append(f"{c}: {', '.join(what)}")
            return self.result(
                False,
                f"ZIP codes are too precise ({'; '.join(parts)}). Keep three digits and set the "
                "restricted prefixes to 000 (the 'hipaa_zip3' transform does both).",
                **evidence,
            )
        return self.result(True, "ZIP codes keep at most three digits; no restricted prefix "
                           "remains.", **evidence)

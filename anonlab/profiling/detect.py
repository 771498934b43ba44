"""Detect what kind of identifier a column holds, from its values and its name.

Detection runs every check in :mod:`anonlab.profiling.patterns` over a column's non-null values (or
a sample of them) in one vectorized polars pass, then applies rules in a fixed order:

1. **Distinctive formats** need no help from the name: e-mail, SSN (``123-45-6789`` with valid
   area, group and serial), Luhn-valid card numbers, mod-97-valid IBANs, IPv4/IPv6, MAC, URLs,
   ZIP+4, street addresses, ``lat, lon`` pairs and written phone numbers. The kind whose share of
   matching values is highest wins if that share reaches :data:`FORMAT_SHARE`.
2. **Ambiguous formats** need the column's name to agree: nine bare digits are an SSN only in a
   column called ``ssn``; five digits are a ZIP only under a ZIP-like name; ten bare digits are a
   phone only under a phone-like name; city names only under a city-like name.
3. **Dates** (temporal dtypes or date strings) are dates of birth when the name says birth and the
   values are plausible birth dates (not in the future, not before 1900); otherwise dates.
4. **Person names** by name and value shape, or, without a name hint, by shape and a share of
   common given names.
5. **Free text** (several words per value) that contains e-mails, phones, SSNs or URLs in at least
   :data:`TEXT_SHARE` of its values.
6. **Record identifiers**: codes that are (nearly) unique per row, by shape (letters and digits,
   UUIDs, fixed-width digit strings) or by an id-like name.

The result's ``share`` is the share of the checked non-null values that matched the kind; when the
values were sampled, ``sampled`` says so and ``checked`` says how many were looked at.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import polars as pl

from anonlab._validation import dtype_name
from anonlab.profiling import patterns as pt
from anonlab.profiling._lexicon import FIRST_NAMES
from anonlab.profiling.kinds import Kind
from anonlab.profiling.names import NameHints, name_hints

__all__ = ["FORMAT_SHARE", "TEXT_SHARE", "Detection", "detect_values"]

FORMAT_SHARE = 0.8
"""Share of values that must match a format for the column to be called that kind."""
TEXT_SHARE = 0.02
"""Share of free-text values that must contain an identifier for the column to be flagged."""
UNIQUE_SHARE = 0.95
"""Distinct / non-null ratio above which a code column is a record identifier."""
NESTED_DEPTH = 8
"""Levels of nesting (struct in list in struct...) detection looks through."""
MAX_FIELDS = 32
"""Leaves of a nested column, or fields of delimited text, examined one by one at most."""
DELIMITERS = (";", ",", "|", "\t")
"""Separators of delimited text values (``0;ann0@x.org;02139``), whose fields are examined."""

_NAME_SHAPE = (
    r"^[A-Z][a-zA-Z'’.-]*(\s+[A-Z]\.?)?(\s+(van|von|de|der|del|da|di|la|le|bin|al|st\.?)"
    r")*(\s+[A-Z][a-zA-Z'’-]+){0,3}$|^[A-Z][a-zA-Z'’-]+,\s*[A-Z][a-z'’-]+(\s+[A-Z]\.?)?$"
)
_CITY_SHAPE = r"^[A-Za-z][A-Za-z .'’-]*$"
# A record code that needs no name to be recognized: a letter prefix and a run of digits
# (MRN-0048213, XKD482913, CUST-303240, POL-2084-0814481). Bare digit strings, hex digests,
# times and dotted values are too ambiguous without an id-like column name.
_CODE_SHAPE = r"^[A-Za-z]{1,5}[-_ ]?\d{5,12}([-_]\d{2,12})?$|^[A-Za-z]{1,5}-\d{2,6}-\d{4,12}$"
_UUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
_DECIMAL = r"^[-+]?\d+[.,]\d+$"

_FORMAT_ORDER: tuple[Kind, ...] = (
    Kind.SSN,
    Kind.CREDIT_CARD,
    Kind.IBAN,
    Kind.EMAIL,
    Kind.IPV4,
    Kind.MAC_ADDRESS,  # before IPv6: EUI-64 with colons is also valid IPv6 syntax
    Kind.IPV6,
    Kind.URL,
    Kind.ZIP_CODE,
    Kind.STREET_ADDRESS,
    Kind.GEO_COORDINATES,
    Kind.PHONE,
)

_WHAT = {
    Kind.EMAIL: "e-mail addresses",
    Kind.PHONE: "telephone numbers",
    Kind.SSN: "valid US Social Security numbers",
    Kind.CREDIT_CARD: "Luhn-valid payment card numbers",
    Kind.IBAN: "IBANs with a valid checksum",
    Kind.IPV4: "IPv4 addresses",
    Kind.IPV6: "IPv6 addresses",
    Kind.URL: "web addresses",
    Kind.MAC_ADDRESS: "MAC addresses",
    Kind.ZIP_CODE: "US ZIP codes",
    Kind.DATE: "dates",
    Kind.DATE_OF_BIRTH: "plausible birth dates",
    Kind.PERSON_NAME: "shaped like people's names",
    Kind.STREET_ADDRESS: "street addresses",
    Kind.CITY: "place names",
    Kind.GEO_COORDINATES: "geographic coordinates",
    Kind.FREE_TEXT_WITH_IDENTIFIERS: "free text containing identifiers",
    Kind.RECORD_ID: "unique codes",
}


@dataclass(frozen=True)
class Detection:
    """What detection found in one column.

    Attributes
    ----------
    kind : Kind or None
        The detected kind, or None when the column holds none of the identifier kinds.
    share : float
        Share of the checked non-null values that matched ``kind`` (0 when ``kind`` is None).
    checked : int
        How many non-null values were examined.
    matched : int
        How many of them matched.
    sampled : bool
        True when ``checked`` is a sample of the column's non-null values rather than all of them.
    evidence : str
        The reason in words: what matched, and whether the column's name agreed.
    text_kinds : tuple of Kind
        For free text, the kinds of identifiers found inside it, most frequent first.
    seen : tuple of Kind
        Kinds of direct identifiers (e-mail, phone, SSN, card, IBAN, IP, MAC, URL) found in at
        least one checked value, whole or inside text, even when too few to name the column's
        kind. A profile masks any column where this is not empty.
    opaque : bool
        True when some of the values could not be examined at all: binary content, or parts
        of nested values (struct fields, list items) that are binary or nested deeper than
        :data:`NESTED_DEPTH`. The compliance checks treat such a column as not de-identified
        unless the recipe removes it.
    """

    kind: Kind | None
    share: float
    checked: int
    matched: int
    sampled: bool
    evidence: str
    text_kinds: tuple[Kind, ...] = field(default=())
    seen: tuple[Kind, ...] = field(default=())
    opaque: bool = False

    def to_dict(self) -> dict[str, object]:
        """Plain data: kinds as strings."""
        return {
            "kind": None if self.kind is None else self.kind.value,
            "share": self.share,
            "checked": self.checked,
            "matched": self.matched,
            "sampled": self.sampled,
            "evidence": self.evidence,
            "text_kinds": [k.value for k in self.text_kinds],
            "seen": [k.value for k in self.seen],
            "opaque": self.opaque,
        }


def _pct(share: float) -> str:
    if 0.995 <= share < 1.0:
        return ">99%"
    return f"{share:.0%}"


def _found(
    kind: Kind, matched: int, checked: int, sampled: bool, hints: NameHints, *, by_name: bool
) -> Detection:
    share = matched / checked if checked else 0.0
    of = f"{checked:,} sampled values" if sampled else f"{checked:,} values"
    what = _WHAT[kind]
    if kind is Kind.PERSON_NAME:
        text = f"{_pct(share)} of {of} are {what}"
    else:
        text = f"{_pct(share)} of {of} are {what}"
    if by_name:
        text += f", and the column name {hints.name!r} says so"
    return Detection(kind, share, checked, matched, sampled, text)


def _none(checked: int, sampled: bool, reason: str) -> Detection:
    return Detection(None, 0.0, checked, 0, sampled, reason)


def detect_values(
    values: pl.Series,
    name: str,
    *,
    non_null: int,
    distinct: int,
    sampled: bool,
    today: dt.date | None = None,
) -> Detection:
    """Detect the kind of a column from (a sample of) its non-null values.

    Parameters
    ----------
    values : polars.Series
        Non-null values of the column, all of them or a sample.
    name : str
        The column's name.
    non_null, distinct : int
        The whole column's non-null count and distinct count (for uniqueness).
    sampled : bool
        Whether ``values`` is a sample.
    today : datetime.date, optional
        The reference date for "not in the future" (defaults to today).

    Returns
    -------
    Detection
    """
    hints = name_hints(name)
    checked = values.len()
    if checked == 0:
        return _none(0, sampled, "no non-null values to examine")
    today = today or dt.date.today()
    uniqueness = distinct / non_null if non_null else 0.0
    dtype = values.dtype

    if dtype == pl.Null:
        return _none(0, sampled, "no non-null values to examine")
    if dtype.is_temporal():
        if dtype in (pl.Date,) or isinstance(dtype, pl.Datetime):
            return _detect_dates(values.cast(pl.Date), hints, checked, sampled, today)
        return _none(checked, sampled, f"{dtype_name(dtype)} values are durations or times of day")
    if dtype == pl.Boolean:
        return _none(checked, sampled, "true/false values")
    if dtype == pl.Binary:
        return replace(_none(checked, sampled, "binary values cannot be inspected for identifiers"),
                       opaque=True)
    if dtype.is_float() or dtype.is_decimal():
        return _detect_floats(values.cast(pl.Float64), hints, checked, sampled)
    if dtype.is_integer():
        return _detect_integers(values, hints, checked, sampled, uniqueness)
    if dtype.is_nested():
        return _detect_nested(values, name, checked, sampled, today)
    strings = values.cast(pl.String).str.strip_chars()
    found = _detect_strings(strings, hints, checked, sampled, uniqueness, today)
    if found.kind is None:
        delimited = _detect_delimited(strings, name, checked, sampled, today)
        if delimited is not None:
            return replace(delimited, seen=tuple(dict.fromkeys((*found.seen, *delimited.seen))))
    return found


# The kinds a nested column or delimited text is called by when several of its parts hold
# something: the most identifying first.
_SEVERITY: tuple[Kind, ...] = (
    Kind.SSN, Kind.CREDIT_CARD, Kind.IBAN, Kind.EMAIL, Kind.PHONE, Kind.IPV4, Kind.IPV6,
    Kind.MAC_ADDRESS, Kind.URL, Kind.PERSON_NAME, Kind.STREET_ADDRESS, Kind.GEO_COORDINATES,
    Kind.FREE_TEXT_WITH_IDENTIFIERS, Kind.RECORD_ID, Kind.DATE_OF_BIRTH, Kind.ZIP_CODE,
    Kind.CITY, Kind.DATE,
)


def _leaves(
    values: pl.Series, path: str, hint: str, depth: int = 0
) -> tuple[list[tuple[str, str, pl.Series]], bool]:
    """The leaves of nested values as (path, name for hints, non-null values), and whether some
    part could not be examined (binary, or nested deeper than :data:`NESTED_DEPTH`)."""
    dtype = values.dtype
    if not dtype.is_nested():
        if dtype == pl.Binary or dtype == pl.Object:
            return [], True
        return [(path, hint, values.drop_nulls())], False
    if depth >= NESTED_DEPTH:
        return [], True
    if isinstance(dtype, pl.Struct):
        out: list[tuple[str, str, pl.Series]] = []
        opaque = False
        for f in dtype.fields:
            inner, hidden = _leaves(values.struct.field(f.name), f"{path}.{f.name}", f.name,
                                    depth + 1)
            out += inner
            opaque = opaque or hidden
        return out, opaque
    items = values.explode() if isinstance(dtype, pl.List) else values.arr.explode()
    return _leaves(items.drop_nulls(), f"{path}[]", hint, depth + 1)


def _rank(kind: Kind | None) -> int:
    return _SEVERITY.index(kind) if kind in _SEVERITY else len(_SEVERITY)


def _combine(
    parts: list[tuple[str, Detection]], checked: int, sampled: bool, what: str, opaque: bool
) -> Detection:
    """One detection from the detections of a column's parts (leaves or fields): the most
    identifying kind found names the column; the evidence names the part and lists the rest."""
    seen = tuple(dict.fromkeys(k for _, d in parts for k in (*d.seen, d.kind)
                               if k is not None and k in _DIRECT))
    found = sorted(((p, d) for p, d in parts if d.kind is not None), key=lambda x: _rank(x[1].kind))
    if not found:
        reason = f"{what}: no identifier format matched in any of {len(parts)} part(s)"
        if opaque:
            reason += "; some parts (binary, or nested too deeply) could not be examined"
        return Detection(None, 0.0, checked, 0, sampled, reason, seen=seen, opaque=opaque)
    path, best = found[0]
    others = "; ".join(f"{d.kind.value.replace('_', ' ')} in {p!r}" for p, d in found[1:4]
                       if d.kind is not None)
    evidence = f"{what}, {path!r}: {best.evidence}" + (f"; also {others}" if others else "")
    if opaque:
        evidence += "; some parts could not be examined"
    return Detection(best.kind, best.share, best.checked, best.matched, sampled, evidence,
                     best.text_kinds, seen, opaque)


def _detect_nested(
    values: pl.Series, name: str, checked: int, sampled: bool, today: dt.date
) -> Detection:
    """Nested values (structs, lists, arrays), examined leaf by leaf: each struct field and
    list item path is detected on its own, with its field name as the name hint."""
    leaves, opaque = _leaves(values, name, name)
    if len(leaves) > MAX_FIELDS:
        leaves, opaque = leaves[:MAX_FIELDS], True
    parts = []
    for path, hint, leaf in leaves:
        if leaf.len() == 0:
            continue
        parts.append((path, detect_values(leaf, hint, non_null=leaf.len(),
                                          distinct=leaf.n_unique(), sampled=sampled,
                                          today=today)))
        opaque = opaque or parts[-1][1].opaque
    if not parts:
        reason = "nested values hold nothing to examine"
        return replace(_none(checked, sampled, reason), opaque=opaque)
    return _combine(parts, checked, sampled, "nested values", opaque)


def _detect_delimited(
    strings: pl.Series, name: str, checked: int, sampled: bool, today: dt.date
) -> Detection | None:
    """Text values that are delimited records (``0;ann0@x.org;02139``: no spaces, so neither a
    format nor free text): split on the delimiter most values hold the same number of times,
    each field is detected on its own. Only direct identifiers found in a field count (a field
    of digits alone is not called a ZIP code without a name)."""
    if checked < 2:
        return None
    for sep in DELIMITERS:
        counts = strings.str.count_matches(sep, literal=True)
        common = counts.filter(counts > 0).mode()
        if common.len() == 0:
            continue
        n = common.min()
        assert isinstance(n, int)  # counts of separators
        if (counts == n).sum() < FORMAT_SHARE * checked:
            continue
        fields = strings.str.split(sep, inclusive=False)
        parts = []
        for j in range(min(n + 1, MAX_FIELDS)):
            leaf = fields.list.get(j, null_on_oob=True).str.strip_chars().drop_nulls()
            leaf = leaf.filter(leaf != "")
            if leaf.len() == 0:
                continue
            d = detect_values(leaf, name, non_null=leaf.len(), distinct=leaf.n_unique(),
                              sampled=sampled, today=today)
            if d.kind not in _DIRECT:
                d = replace(d, kind=None)
            parts.append((f"field {j + 1} of {n + 1}", d))
        found = _combine(parts, checked, sampled,
                         f"delimited text (fields separated by {sep!r})", False)
        if found.kind is not None:
            return found
        return None
    return None


def _detect_dates(
    dates: pl.Series, hints: NameHints, checked: int, sampled: bool, today: dt.date
) -> Detection:
    dates = dates.drop_nulls()
    if dates.len() == 0:
        return _none(checked, sampled, "no valid dates")
    plausible = int(dates.is_between(dt.date(1900, 1, 1), today).sum())
    if "birth" in hints:
        share = plausible / checked
        if share >= FORMAT_SHARE:
            return _found(Kind.DATE_OF_BIRTH, plausible, checked, sampled, hints, by_name=True)
    found = _found(Kind.DATE, dates.len(), checked, sampled, hints, by_name=False)
    if "birth" in hints:
        return Detection(
            found.kind, found.share, found.checked, found.matched, sampled,
            found.evidence + f"; only {_pct(plausible / checked)} are plausible birth dates "
            "(1900 to today), so not called dates of birth",
        )
    return found


def _detect_floats(
    values: pl.Series, hints: NameHints, checked: int, sampled: bool
) -> Detection:
    if "lat" in hints or "lon" in hints:
        bound = 90.0 if "lat" in hints and "lon" not in hints else 180.0
        in_range = values.is_between(-bound, bound) & values.is_finite()
        fractional = (values != values.round(0)) & in_range
        matched = int(in_range.sum())
        if matched / checked >= FORMAT_SHARE and int(fractional.sum()) / checked >= 0.5:
            return _found(Kind.GEO_COORDINATES, matched, checked, sampled, hints, by_name=True)
        return _none(checked, sampled, f"the name {hints.name!r} suggests coordinates, but the "
                     "values are not decimal degrees in range")
    return _none(checked, sampled, "numeric measurements")


def _detect_integers(
    values: pl.Series, hints: NameHints, checked: int, sampled: bool, uniqueness: float
) -> Detection:
    nonneg = values.cast(pl.Int64, strict=False).drop_nulls()
    if "ssn" in hints:
        s = nonneg.cast(pl.String).str.zfill(9).to_frame("v").select(
            pt.is_ssn(pl.col("v"), bare=True).sum()
        ).item()
        if s / checked >= FORMAT_SHARE:
            return _found(Kind.SSN, s, checked, sampled, hints, by_name=True)
    if "zip" in hints:
        z = int(nonneg.is_between(501, 99999).sum())
        if z / checked >= FORMAT_SHARE:
            return _found(Kind.ZIP_CODE, z, checked, sampled, hints, by_name=True)
    if "phone" in hints:
        p = nonneg.cast(pl.String).to_frame("v").select(
            pl.col("v").str.contains(pt.PHONE_BARE).sum()
        ).item()
        if p / checked >= FORMAT_SHARE:
            return _found(Kind.PHONE, p, checked, sampled, hints, by_name=True)
    if hints.record_id and uniqueness >= UNIQUE_SHARE and checked >= 2:
        return Detection(
            Kind.RECORD_ID, 1.0, checked, checked, sampled,
            f"{_pct(uniqueness)} of values are distinct and the column name {hints.name!r} "
            "says it identifies a person or record",
        )
    return _none(checked, sampled, "integer counts or measurements")


_DIRECT = (
    Kind.EMAIL, Kind.PHONE, Kind.SSN, Kind.CREDIT_CARD, Kind.IBAN, Kind.IPV4, Kind.IPV6,
    Kind.MAC_ADDRESS, Kind.URL,
)


def _detect_strings(
    s: pl.Series,
    hints: NameHints,
    checked: int,
    sampled: bool,
    uniqueness: float,
    today: dt.date,
) -> Detection:
    counts, mean_words, frame = _string_counts(s, hints, today)
    seen = tuple(
        k for k in _DIRECT if counts[k.value] or counts.get(f"in_{k.value}", 0)
    )
    found = _decide_strings(counts, mean_words, frame, hints, checked, sampled, uniqueness)
    return replace(found, seen=seen)


def _string_counts(
    s: pl.Series, hints: NameHints, today: dt.date
) -> tuple[dict[str, int], float, pl.DataFrame]:
    """Count, in one pass, the values matching each check; checksums on shaped values only.

    Returns the counts by check name, the mean number of words per value (0 when there are
    none), and the one-column frame ``v`` the counts were taken on.
    """
    v = pl.col("v")
    words = v.str.count_matches(r"\S+")
    first = v.str.extract(r"^([A-Za-z]+)", 1).str.to_lowercase()
    exprs: dict[str, pl.Expr] = {
        Kind.EMAIL.value: pt.is_email(v),
        Kind.PHONE.value: pt.is_phone(v, bare="phone" in hints),
        Kind.SSN.value: pt.is_ssn(v, bare="ssn" in hints),
        # Checksums are costly: count the shapes here, validate the shaped values below.
        Kind.CREDIT_CARD.value: pt.card_shaped(v),
        Kind.IBAN.value: pt.iban_shaped(v),
        Kind.IPV4.value: pt.is_ipv4(v),
        Kind.IPV6.value: pt.is_ipv6(v),
        Kind.MAC_ADDRESS.value: pt.is_mac(v),
        Kind.URL.value: pt.is_url(v),
        Kind.ZIP_CODE.value: pt.is_zip4(v) | (pt.is_zip(v) if "zip" in hints else pl.lit(False)),
        Kind.STREET_ADDRESS.value: pt.is_street_address(v),
        Kind.GEO_COORDINATES.value: pt.is_geo_pair(v),
        "date": pt.parse_date_string(v).is_not_null(),
        "birth": pt.parse_date_string(v).is_between(dt.date(1900, 1, 1), today).fill_null(False),
        "name_shape": v.str.contains(_NAME_SHAPE),
        "given": first.is_in(list(FIRST_NAMES)).fill_null(False),
        # Place names, not all-capital codes such as airport codes (LAX).
        "city_shape": v.str.contains(_CITY_SHAPE) & (
            v.str.contains(r"[a-z]") | (v.str.len_chars() >= 4)
        ),
        "code": v.str.contains(_CODE_SHAPE),
        "uuid": v.str.contains(_UUID),
    }
    for kind_name, pattern in pt.CONTAINED.items():
        exprs[f"in_{kind_name}"] = v.str.contains(pattern)
    # values that are one whole direct identifier of any kind (cards and IBANs by shape here)
    exprs["any_direct"] = pl.any_horizontal(
        [exprs[k.value] for k in _DIRECT]
    )
    frame = s.to_frame("v")
    counts: dict[str, int] = frame.select(
        *[e.fill_null(False).sum().alias(k) for k, e in exprs.items()],
        words.mean().alias("words"),
    ).row(0, named=True)
    mean_words: float = counts.pop("words") or 0.0
    for kind, valid in ((Kind.CREDIT_CARD, pt.is_credit_card), (Kind.IBAN, pt.is_iban)):
        if counts[kind.value]:
            shaped = exprs[kind.value]
            valid_n = frame.filter(shaped).select(valid(v).sum()).item()
            counts["any_direct"] -= counts[kind.value] - valid_n
            counts[kind.value] = valid_n
    return counts, mean_words, frame


def _decide_strings(
    counts: dict[str, int],
    mean_words: float,
    frame: pl.DataFrame,
    hints: NameHints,
    checked: int,
    sampled: bool,
    uniqueness: float,
) -> Detection:
    """Apply the rules, in order, to the counts of :func:`_string_counts`."""
    v = pl.col("v")
    share = {k: n / checked for k, n in counts.items()}

    # 1. distinctive formats
    best: Kind | None = None
    for kind in _FORMAT_ORDER:
        beats = best is None or share[kind.value] > share[best.value]
        if share[kind.value] >= FORMAT_SHARE and beats:
            best = kind
    if best is not None:
        by_name = (best is Kind.ZIP_CODE and "zip" in hints) or (
            best is Kind.SSN and "ssn" in hints
        )
        return _found(best, counts[best.value], checked, sampled, hints, by_name=by_name)

    # 1b. a mix of direct identifiers, none common enough alone (a "contact" column holding
    # e-mails and phones): called by its most common kind, the mix given in the evidence
    if share["any_direct"] >= FORMAT_SHARE:
        ranked = sorted(
            (k for k in _DIRECT if counts[k.value]), key=lambda k: -counts[k.value]
        )
        mix = ", ".join(f"{_pct(share[k.value])} {_WHAT[k]}" for k in ranked)
        of = f"{checked:,}{' sampled' if sampled else ''} values"
        return Detection(
            ranked[0], share["any_direct"], checked, int(counts["any_direct"]), sampled,
            f"{_pct(share['any_direct'])} of {of} are direct identifiers of several kinds: {mix}",
        )

    # 2. formats that need the name to agree
    if "address" in hints and share[Kind.STREET_ADDRESS.value] >= 0.5:
        return _found(Kind.STREET_ADDRESS, counts[Kind.STREET_ADDRESS.value], checked, sampled,
                      hints, by_name=True)
    if "geo" in hints and share[Kind.GEO_COORDINATES.value] >= 0.5:
        return _found(Kind.GEO_COORDINATES, counts[Kind.GEO_COORDINATES.value], checked, sampled,
                      hints, by_name=True)
    if "city" in hints and share["city_shape"] >= FORMAT_SHARE and mean_words <= 4:
        return _found(Kind.CITY, counts["city_shape"], checked, sampled, hints, by_name=True)

    # 3. dates written as text
    if share["date"] >= FORMAT_SHARE:
        if "birth" in hints and share["birth"] >= FORMAT_SHARE:
            return _found(Kind.DATE_OF_BIRTH, counts["birth"], checked, sampled, hints,
                          by_name=True)
        return _found(Kind.DATE, counts["date"], checked, sampled, hints, by_name=False)

    # 4. people's names
    if hints.person_name and share["name_shape"] >= FORMAT_SHARE and mean_words <= 5:
        return _found(Kind.PERSON_NAME, counts["name_shape"], checked, sampled, hints,
                      by_name=True)
    if (
        share["name_shape"] >= 0.9
        and share["given"] >= 0.3
        and 1.5 <= mean_words <= 4
        and "not_person" not in hints
        and "city" not in hints
    ):
        return Detection(
            Kind.PERSON_NAME, share["name_shape"], checked, counts["name_shape"], sampled,
            f"{_pct(share['name_shape'])} of {checked:,}{' sampled' if sampled else ''} values "
            f"are shaped like people's names and {_pct(share['given'])} start with a common "
            "given name",
        )

    # 5. free text carrying identifiers
    contained = {k: counts[f"in_{k}"] for k in pt.CONTAINED}
    any_inside = sum(contained.values())
    if mean_words >= 4 and any_inside > 0:
        inside = frame.select(
            pl.any_horizontal([v.str.contains(p) for p in pt.CONTAINED.values()]).sum()
        ).item()
        if inside / checked >= TEXT_SHARE:
            kinds = tuple(
                Kind(k) for k, n in sorted(contained.items(), key=lambda kv: -kv[1]) if n > 0
            )
            listed = ", ".join(_WHAT[k] for k in kinds)
            return Detection(
                Kind.FREE_TEXT_WITH_IDENTIFIERS, inside / checked, checked, inside, sampled,
                f"free text; {_pct(inside / checked)} of {checked:,}"
                f"{' sampled' if sampled else ''} values contain {listed}",
                kinds,
            )

    # 6. record identifiers: (nearly) unique per row, and either named like an identifier or
    # shaped like a record code
    if uniqueness >= UNIQUE_SHARE and checked >= 10 and mean_words <= 3:
        coded = max(share["code"], share["uuid"])
        if hints.record_id:
            return Detection(
                Kind.RECORD_ID, 1.0, checked, checked, sampled,
                f"{_pct(uniqueness)} of non-null values are distinct and the column name "
                f"{hints.name!r} says it identifies a person or record",
            )
        if coded >= 0.9:
            matched = max(counts["code"], counts["uuid"])
            return Detection(
                Kind.RECORD_ID, coded, checked, matched, sampled,
                f"{_pct(uniqueness)} of non-null values are distinct and {_pct(coded)} are "
                "record codes (a letter prefix and digits, or UUIDs)",
            )

    if mean_words >= 4:
        return _none(checked, sampled, "free text with no identifiers found in it")
    return _none(checked, sampled, "no identifier format matched")

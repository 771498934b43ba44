"""Value patterns and checksum validators, as polars expressions over a string column.

Every function here takes an expression of dtype ``String`` and returns a boolean expression, so a
detector checks thousands of values in one vectorized pass. Regexes use the Rust ``regex`` syntax
(no look-around, no back-references).
"""

from __future__ import annotations

import polars as pl

__all__ = [
    "CONTAINED",
    "DATE_FORMATS",
    "card_shaped",
    "iban_shaped",
    "is_credit_card",
    "is_date_string",
    "is_email",
    "is_geo_pair",
    "is_iban",
    "is_ipv4",
    "is_ipv6",
    "is_mac",
    "is_phone",
    "is_ssn",
    "is_street_address",
    "is_url",
    "is_zip",
    "is_zip4",
    "luhn_valid",
    "parse_date_string",
]

EMAIL = r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}$"

# North American numbers need separators (or a leading +1) so that bare 10-digit codes are not
# taken for phones; area code and exchange start with 2-9 as NANP requires.
PHONE_US = (
    r"^(\+?1[\s.-]?)?(\([2-9]\d{2}\)\s?|[2-9]\d{2}[\s.-])[2-9]\d{2}[\s.-]\d{4}"
    r"(\s*(x|ext\.?)\s*\d{1,5})?$"
)
PHONE_E164 = r"^\+[1-9]\d{7,14}$"
# International: a + and a country code, then groups of digits separated by space, dot or dash.
PHONE_INTL = r"^\+[1-9]\d{0,2}([\s.-]?\(?\d{1,5}\)?){2,6}$"
PHONE_BARE = r"^1?[2-9]\d{2}[2-9]\d{6}$"

SSN = r"^(\d{3})[- ](\d{2})[- ](\d{4})$"
SSN_BARE = r"^(\d{3})(\d{2})(\d{4})$"

CARD_SHAPE = r"^\d{4}([ -]?\d{4}){2}[ -]?\d{1,7}$|^\d{4}[ -]?\d{6}[ -]?\d{5}$"

IBAN_SHAPE = r"^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$"

_OCTET = r"(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
IPV4 = rf"^{_OCTET}(\.{_OCTET}){{3}}$"
_H = r"[0-9A-Fa-f]{1,4}"
IPV6 = (
    rf"^(({_H}:){{7}}{_H}|({_H}:){{1,7}}:|({_H}:){{1,6}}:{_H}|({_H}:){{1,5}}(:{_H}){{1,2}}"
    rf"|({_H}:){{1,4}}(:{_H}){{1,3}}|({_H}:){{1,3}}(:{_H}){{1,4}}|({_H}:){{1,2}}(:{_H}){{1,5}}"
    rf"|{_H}:(:{_H}){{1,6}}|:((:{_H}){{1,7}}|:)|::([fF]{{4}}(:0{{1,4}})?:)?{_OCTET}(\.{_OCTET}){{3}})"
    r"(%[0-9A-Za-z]+)?$"
)
# MAC-48 (six octets, or Cisco's three dotted groups) and EUI-64 (eight octets): both identify a
# device's hardware (HIPAA Safe Harbor (M)). EUI-64 with colons is also valid IPv6 syntax, so the
# detector checks MAC before IPv6.
MAC = (
    r"^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$|^([0-9A-Fa-f]{4}\.){2}[0-9A-Fa-f]{4}$"
    r"|^([0-9A-Fa-f]{2}[:-]){7}[0-9A-Fa-f]{2}$"
)
URL = r"(?i)^((https?|ftp)://[^\s/?#@]+\.[^\s/?#@]+|www\.[^\s/?#@]+\.[^\s/?#@]+)([/?#][^\s]*)?$"
ZIP = r"^\d{5}$"
ZIP4 = r"^\d{5}-\d{4}$"

_SUFFIX = (
    r"(st|street|ave|av|avenue|rd|road|blvd|boulevard|dr|drive|ln|lane|way|ct|court|pl|place"
    r"|ter|terrace|pkwy|parkway|cir|circle|hwy|highway|sq|square|trl|trail|loop|row|crescent"
    r"|cres|close|walk|plaza|plz|pike|alley|aly)"
)
STREET_ADDRESS = (
    r"(?i)^\d{1,6}[a-z]?(-\d{1,4})?\s+([nsew]\.?\s+)?([a-z0-9.'-]+\s+){0,4}" + _SUFFIX + r"\.?"
    r"(\s+[nsew]{1,2}\.?)?"
    r"(,?\s+(apt|apartment|suite|ste|unit|fl|floor|rm|room|#)\.?\s*#?\s*[a-z0-9-]+)?"
    r"(,\s*[^,]+){0,3}$"
)
GEO_PAIR = r"^\(?\s*([-+]?\d{1,2}\.\d{2,})\s*[,;]\s*([-+]?\d{1,3}\.\d{2,})\s*\)?$"

DATE_FORMATS: tuple[tuple[str, str], ...] = (
    # (regex, strptime format of the date part)
    (r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$", "%Y-%m-%d"),
    (r"^\d{4}/\d{2}/\d{2}$", "%Y/%m/%d"),
    (r"^\d{1,2}/\d{1,2}/\d{4}$", "%m/%d/%Y"),
    (r"^\d{1,2}\.\d{1,2}\.\d{4}$", "%d.%m.%Y"),
)

# Unanchored patterns for identifiers inside free text, by the kind they reveal.
CONTAINED: dict[str, str] = {
    "email": r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}",
    "phone": r"(\+?1[\s.-]?)?(\([2-9]\d{2}\)\s?|\b[2-9]\d{2}[\s.-])[2-9]\d{2}[\s.-]\d{4}\b"
    r"|\+[1-9]\d{0,2}([\s.-]?\d{2,5}){2,5}\b",
    "ssn": r"\b\d{3}-\d{2}-\d{4}\b",
    "url": r"(?i)\b(https?://|www\.)[^\s]+",
}


def is_email(s: pl.Expr) -> pl.Expr:
    """An e-mail address (local part, ``@``, a dotted domain with a letter TLD)."""
    return s.str.contains(EMAIL)


def is_phone(s: pl.Expr, *, bare: bool = False) -> pl.Expr:
    """A telephone number in a North American or international written form.

    With ``bare=True``, 10 or 11 plain digits also count (used only when the column's name says
    it holds phone numbers).
    """
    digits = s.str.count_matches(r"\d")
    intl = s.str.contains(PHONE_INTL) & digits.is_between(8, 15)
    out = s.str.contains(PHONE_US) | s.str.contains(PHONE_E164) | intl
    if bare:
        out = out | s.str.contains(PHONE_BARE)
    return out


def _ssn_parts_valid(s: pl.Expr, pattern: str) -> pl.Expr:
    area = s.str.extract(pattern, 1).cast(pl.Int32, strict=False)
    group = s.str.extract(pattern, 2).cast(pl.Int32, strict=False)
    serial = s.str.extract(pattern, 3).cast(pl.Int32, strict=False)
    valid = (
        area.is_between(1, 899) & (area != 666) & (group >= 1) & (serial >= 1)
    )
    return valid.fill_null(False)


def is_ssn(s: pl.Expr, *, bare: bool = False) -> pl.Expr:
    """A valid US Social Security number: area 001-899 but not 666, group 01-99, serial 0001-9999.

    Written ``123-45-6789`` (or with spaces). With ``bare=True`` nine plain digits count too.
    """
    out = _ssn_parts_valid(s, SSN)
    if bare:
        out = out | _ssn_parts_valid(s, SSN_BARE)
    return out


def luhn_valid(digits: pl.Expr, max_len: int = 19) -> pl.Expr:
    """Luhn (mod 10) checksum of a string of digits, vectorized over positions from the right.

    The digits are left-padded with zeros to ``max_len`` (zeros add nothing to the sum), so the
    i-th digit from the right sits at a fixed position.
    """
    padded = digits.str.pad_start(max_len, "0")
    total = pl.lit(0, dtype=pl.Int32)
    for i in range(max_len):
        d = padded.str.slice(max_len - 1 - i, 1).cast(pl.Int32, strict=False).fill_null(0)
        if i % 2 == 1:
            d = d * 2
            d = pl.when(d > 9).then(d - 9).otherwise(d)
        total = total + d
    return (total % 10) == 0


def card_shaped(s: pl.Expr) -> pl.Expr:
    """Laid out like a payment card number: 13-19 digits, issuer prefix 2-6 (no checksum)."""
    digits = s.str.replace_all(r"[ -]", "")
    return s.str.contains(CARD_SHAPE) & digits.str.contains(r"^[2-6]\d{12,18}$")


def is_credit_card(s: pl.Expr) -> pl.Expr:
    """A payment card number: 13-19 digits in a card layout, issuer prefix 2-6, Luhn-valid.

    The checksum costs far more than the shape test; callers checking many values that are
    mostly not cards should filter on :func:`card_shaped` first.
    """
    digits = s.str.replace_all(r"[ -]", "")
    return (card_shaped(s) & luhn_valid(digits)).fill_null(False)


_LETTERS = [chr(c) for c in range(ord("A"), ord("Z") + 1)]
_LETTER_CODES = [str(10 + i) for i in range(26)]


def _mod97(digits: pl.Expr, max_len: int = 70, chunk: int = 7) -> pl.Expr:
    acc = pl.lit(0, dtype=pl.Int64)
    for start in range(0, max_len, chunk):
        part = digits.str.slice(start, chunk)
        width = part.str.len_chars()
        # An empty chunk (past the end) has width 0: scale 1 and value 0 leave acc unchanged.
        # Referencing acc once per step keeps the expression linear in size.
        value = part.cast(pl.Int64, strict=False).fill_null(0)
        scale = pl.lit(10, dtype=pl.Int64).pow(width.cast(pl.Int64))
        acc = (acc * scale + value) % 97
    return acc


def iban_shaped(s: pl.Expr) -> pl.Expr:
    """Laid out like an IBAN: country letters, check digits, 11-30 letters or digits."""
    return s.str.replace_all(r"\s", "").str.to_uppercase().str.contains(IBAN_SHAPE)


def is_iban(s: pl.Expr) -> pl.Expr:
    """An IBAN with a valid ISO 13616 mod-97 check (spaces allowed, any letter case).

    As with :func:`is_credit_card`, filter on :func:`iban_shaped` first when checking many values.
    """
    compact = s.str.replace_all(r"\s", "").str.to_uppercase()
    shaped = compact.str.contains(IBAN_SHAPE)
    rearranged = compact.str.slice(4) + compact.str.slice(0, 4)
    digits = rearranged.str.replace_many(_LETTERS, _LETTER_CODES)
    return (shaped & (_mod97(digits) == 1)).fill_null(False)


def is_ipv4(s: pl.Expr) -> pl.Expr:
    """A dotted-quad IPv4 address."""
    return s.str.contains(IPV4)


def is_ipv6(s: pl.Expr) -> pl.Expr:
    """An IPv6 address, full or compressed, optionally IPv4-mapped or with a zone."""
    return s.str.contains(IPV6)


def is_mac(s: pl.Expr) -> pl.Expr:
    """A MAC-48 (``00:1A:2B:3C:4D:5E``, ``00-1a-...``, Cisco ``001a.2b3c.4d5e``) or EUI-64."""
    return s.str.contains(MAC)


def is_url(s: pl.Expr) -> pl.Expr:
    """A web address with a scheme (http, https, ftp) or starting with ``www.``."""
    return s.str.contains(URL)


def is_zip(s: pl.Expr) -> pl.Expr:
    """Five digits (a US ZIP code when the column's name says so)."""
    return s.str.contains(ZIP)


def is_zip4(s: pl.Expr) -> pl.Expr:
    """A ZIP+4 code, ``02139-4307``: distinctive enough to need no column name."""
    return s.str.contains(ZIP4)


def is_street_address(s: pl.Expr) -> pl.Expr:
    """A street address: house number, street name and a street suffix, optional unit and city."""
    return s.str.contains(STREET_ADDRESS)


def is_geo_pair(s: pl.Expr) -> pl.Expr:
    """A ``latitude, longitude`` pair in decimal degrees, each within range."""
    lat = s.str.extract(GEO_PAIR, 1).cast(pl.Float64, strict=False)
    lon = s.str.extract(GEO_PAIR, 2).cast(pl.Float64, strict=False)
    return (lat.is_between(-90, 90) & lon.is_between(-180, 180)).fill_null(False)


def parse_date_string(s: pl.Expr) -> pl.Expr:
    """Parse the date part of a string in one of :data:`DATE_FORMATS`; null where none fits."""
    out: pl.Expr | None = None
    for pattern, fmt in DATE_FORMATS:
        part = s.str.slice(0, 10) if fmt == "%Y-%m-%d" else s
        parsed = (
            pl.when(s.str.contains(pattern))
            .then(part.str.to_date(fmt, strict=False))
            .otherwise(None)
        )
        out = parsed if out is None else pl.coalesce(out, parsed)
    assert out is not None
    return out


def is_date_string(s: pl.Expr) -> pl.Expr:
    """A calendar date written as text (ISO, ``YYYY/MM/DD``, US ``M/D/YYYY`` or ``D.M.YYYY``)."""
    return parse_date_string(s).is_not_null()

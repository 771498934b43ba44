"""The residual scan: does a record's released free text still hold that record's identifiers?

An independent second look at scrubbed text, sharing no code with the scrubber
(:mod:`anonlab.text`): it does not look for *kinds* of identifiers but for the original record's
own values. Each release row is paired with the original row it came from, and every value of the
original identifier columns is looked for in the released text, vectorized in polars:

- a word value (a name, a street, a city) and each of its parts of two letters or more, as a whole
  word, case-insensitively (a code such as ``MRN-0048213``, more digits than letters, only by its
  digits); a part that is also an ordinary English word (``Will``, ``Hope``) only
  when written capitalized, as a name is;
- a number of seven digits or more (phone, SSN, record number) with its separators removed,
  inside the text with every separator removed (``(415) 555-2671`` holds ``4155552671``); a
  shorter number (a ZIP code, a house number of three digits or more) as a whole token;
- a date (a Date or Datetime column, or text that parses as dates) in 13 written forms: ISO,
  US with and without leading zeros and with two-digit years, ``10.01.2023``, ``20230110``,
  ``10-Jan-2023`` and the month-name forms (``January 10``, ``10 Jan``);
- a phone number with a country code also by its last ten digits, a code also without its
  leading zeros, a ZIP+4 also by its five digits, a name also written without spaces
  (``faithrich``) and a surname in the plural (``the Okonkwos``).

Text and values are compared folded: NFKD without accents and marks (``Lefèvre`` is
``Lefevre``; fullwidth digits are digits), dotless i (U+0131) as ``i``, ``ß`` as ``ss``.

The scan reports, per text column and identifier column, how many records still hold one of their
own values: never the value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from anonlab.text.lexicons import COMMON_WORDS

__all__ = [
    "CATEGORIES", "KIND_SAMPLE", "SHARED", "ResidualResult", "kind_scan", "residual_scan",
    "text_values",
]

SHARED = 5
"""A text value this many release records share is nobody's own text: a match in it is not
counted."""
CATEGORIES = 50
"""A text column with this few distinct values, each held by :data:`SHARED` records on
average, is a column of categories: it is not scanned (and the result says so)."""

_MAX_PARTS = 10
_LONG = 7
_MIN_TOKEN_DIGITS = 3
_NATIONAL = 10
_MIN_STRIPPED = 5
_GLUED = 6
_PLURAL = 4
_DATE_FORMATS = (
    "%Y-%m-%d", "%-m/%-d/%Y", "%m/%d/%Y", "%-m/%-d/%y", "%m/%d/%y", "%d.%m.%Y", "%Y%m%d",
    "%B %-d", "%b %-d", "%-d %B", "%-d %b", "%-d-%b-%Y", "%Y/%m/%d",
)
_SKIP = sorted(str.split(
    "apt apartment suite ste unit fl floor rm room st street ave avenue rd road blvd dr drive ln "
    "lane way ct court pl place ter hwy po box jr sr ii iii iv mr mrs ms n s e w ne nw se sw "
    "north south east west the of and de la del van von le da di com org net www http https "
    "gmail yahoo hotmail outlook mail"
))
_COMMON = sorted(COMMON_WORDS)


@dataclass(frozen=True)
class ResidualResult:
    """What the residual scan found.

    Attributes
    ----------
    records : int
        Release records scanned.
    found : dict
        ``{text column: {identifier column: records still holding one of their own values}}``,
        only the pairs with residue.
    scanned : dict
        ``{text column: [identifier columns looked for]}``.
    skipped : dict
        ``{text column: why}`` for columns of categories (:data:`CATEGORIES`).
    """

    records: int
    found: dict[str, dict[str, int]] = field(default_factory=dict)
    scanned: dict[str, list[str]] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return not self.found

    def to_dict(self) -> dict[str, Any]:
        return {"records": self.records, "found": self.found, "scanned": self.scanned,
                "skipped": self.skipped, "passed": self.passed}


def _plain(expr: pl.Expr) -> pl.Expr:
    """Accents and case variants folded: NFKD without marks (é e, fullwidth digits ASCII),
    dotless i as i, ß as ss. Case is kept (see :func:`_lower`)."""
    return (expr.str.normalize("NFKD").str.replace_all(r"\p{M}", "")
            .str.replace_all("ı", "i", literal=True).str.replace_all("ß", "ss", literal=True))


def _lower(expr: pl.Expr) -> pl.Expr:
    return _plain(expr).str.to_lowercase()


def _words(expr: pl.Expr) -> pl.Expr:
    """Folded, lower-cased, every run of non-alphanumerics one space, padded with spaces."""
    return pl.concat_str([pl.lit(" "), _lower(expr).str.replace_all(r"[^\p{L}\p{N}]+", " "),
                          pl.lit(" ")])


def _cased(expr: pl.Expr) -> pl.Expr:
    return pl.concat_str([pl.lit(" "), _plain(expr).str.replace_all(r"[^\p{L}\p{N}]+", " "),
                          pl.lit(" ")])


def _compact(expr: pl.Expr) -> pl.Expr:
    return _lower(expr).str.replace_all(r"[^\p{L}\p{N}]+", "")


def text_values(s: pl.Series) -> pl.Series | None:
    """A release column as text to scan: strings, categoricals, lists of them (joined); None
    for a column that holds no text."""
    dtype = s.dtype
    if dtype == pl.String:
        return s
    if isinstance(dtype, pl.Categorical | pl.Enum):
        return s.cast(pl.String)
    if isinstance(dtype, pl.List | pl.Array) and (
        dtype.inner == pl.String or isinstance(dtype.inner, pl.Categorical | pl.Enum)
    ):
        return s.cast(pl.List(pl.String)).list.join(" ")
    return None


def _as_value(s: pl.Series) -> pl.Series:
    """An original identifier column as values to look for: dates as dates (text that parses as
    one too), integral floats and decimals as integers, the rest as text."""
    if s.dtype == pl.Date or isinstance(s.dtype, pl.Datetime):
        return s.cast(pl.Date)
    if s.dtype.is_temporal():  # a time of day or a duration identifies nobody by itself
        return pl.Series(s.name, [None] * len(s), dtype=pl.String)
    if s.dtype.is_float() or s.dtype.is_decimal():
        f = s.cast(pl.Float64)
        integral = f.is_finite() & (f == f.floor())
        return pl.select(pl.when(integral).then(f.cast(pl.Int64, strict=False))
                         .cast(pl.String)).to_series().alias(s.name)
    if s.dtype == pl.String:
        parsed = s.str.strip_chars().str.to_date(strict=False)
        if len(s) and parsed.null_count() <= s.null_count() and parsed.is_not_null().any():
            return parsed  # a date of birth written as text
    text = text_values(s)
    if text is not None:
        return text
    try:
        return s.cast(pl.String, strict=False)
    except pl.exceptions.PolarsError:  # nested values: looked for by their text
        return pl.Series(s.name, [None if v is None else str(v) for v in s.to_list()],
                         dtype=pl.String)


def _prepare(text: pl.Series) -> pl.DataFrame:
    """The text's folded forms, computed once for every identifier column looked for."""
    return pl.DataFrame({"t": text}).select(
        lower=_lower(pl.col("t")), words=_words(pl.col("t")), cased=_cased(pl.col("t")),
        compact=_compact(pl.col("t")),
    )


def _hits(value: pl.Series, prepared: pl.DataFrame) -> pl.Series:
    """Per record, whether its text (:func:`_prepare`) holds one of its own ``value``s."""
    value = _as_value(value)
    frame = prepared.with_columns(v=value)
    if value.dtype == pl.Date:
        day = pl.col("v")
        hit = pl.lit(False)
        for f in _DATE_FORMATS:
            hit = hit | pl.col("lower").str.contains(day.dt.strftime(f).str.to_lowercase(),
                                                     literal=True)
        return frame.select(hit.fill_null(False)).to_series()
    v = pl.col("v").cast(pl.String).str.strip_chars()
    digits = v.str.replace_all(r"\D", "")
    frame = frame.with_columns(
        digits=digits,
        # a phone with its country code: the national number is what notes write
        national=pl.when(digits.str.len_chars() > _NATIONAL).then(
            digits.str.slice(-_NATIONAL)),
        # a code's digits without its leading zeros ("MRN-0048213" written "MRN 48213")
        stripped=digits.str.strip_chars_start("0"),
        zip5=v.str.extract(r"^(\d{5})-\d{4}$"),
        # the words of a value made mostly of letters (not the "MRN" of "MRN-0048213"),
        # split where the text's words split ("O'Brien", "Smith-Jones")
        parts=pl.when(v.str.count_matches(r"\p{L}") >= v.str.count_matches(r"\d"))
        .then(_plain(v).str.extract_all(r"\p{L}+")),
        glued=pl.when(v.str.count_matches(r"\p{L}") >= v.str.count_matches(r"\d"))
        .then(_compact(v)),
        numbers=v.str.extract_all(r"\d+"),
    )
    long_digits = pl.col("digits").str.len_chars() >= _LONG
    hit = long_digits & pl.col("compact").str.contains(pl.col("digits"), literal=True)
    hit = hit | (pl.col("national").is_not_null()
                 & pl.col("compact").str.contains(pl.col("national"), literal=True))
    hit = hit | (long_digits & (pl.col("stripped").str.len_chars() >= _MIN_STRIPPED)
                 & pl.col("words").str.contains(
                     pl.concat_str([pl.lit(" "), pl.col("stripped"), pl.lit(" ")]), literal=True))
    hit = hit | (pl.col("zip5").is_not_null() & pl.col("words").str.contains(
        pl.concat_str([pl.lit(" "), pl.col("zip5"), pl.lit(" ")]), literal=True))
    whole = _words(v)
    hit = hit | ((whole.str.len_chars() > 4) & pl.col("words").str.contains(whole, literal=True))
    # a whole name written without its spaces or with letters apart ("faithrich", "F A I T H")
    hit = hit | ((pl.col("glued").str.len_chars() >= _GLUED) & pl.col("compact").str.contains(
        pl.col("glued"), literal=True))
    longest = frame.select(pl.max_horizontal(pl.col("parts").list.len().max(),
                                             pl.col("numbers").list.len().max())).item()
    for j in range(min(_MAX_PARTS, int(longest or 0))):
        part = pl.col("parts").list.get(j, null_on_oob=True)
        lower = part.str.to_lowercase()
        ok = part.is_not_null() & (part.str.len_chars() >= 2) & ~lower.is_in(_SKIP)
        common = lower.is_in(_COMMON)
        title = pl.concat_str([pl.lit(" "), part.str.slice(0, 1).str.to_uppercase(),
                               lower.str.slice(1), pl.lit(" ")])
        upper = pl.concat_str([pl.lit(" "), part.str.to_uppercase(), pl.lit(" ")])
        as_word = pl.concat_str([pl.lit(" "), lower, pl.lit(" ")])
        # "the Okonkwos", "Okonkwos' daughter"
        plural = pl.concat_str([pl.lit(" "), lower, pl.lit("s ")])
        found = pl.when(common).then(
            pl.col("cased").str.contains(title, literal=True)
            | pl.col("cased").str.contains(upper, literal=True)
        ).otherwise(
            pl.col("words").str.contains(as_word, literal=True)
            | ((part.str.len_chars() >= _PLURAL) & pl.col("words").str.contains(plural,
                                                                                literal=True))
        )
        hit = hit | (ok & found)
        number = pl.col("numbers").list.get(j, null_on_oob=True)
        # the numbers of a value without a long one (a house number)
        short = (number.is_not_null() & (number.str.len_chars() >= _MIN_TOKEN_DIGITS)
                 & (pl.col("digits").str.len_chars() < _LONG))
        hit = hit | (short & pl.col("words").str.contains(
            pl.concat_str([pl.lit(" "), number, pl.lit(" ")]), literal=True))
    return frame.select(hit.fill_null(False)).to_series()


def residual_scan(
    original: pl.DataFrame,
    release: pl.DataFrame,
    rows: np.ndarray,
    *,
    text_columns: Sequence[str],
    identifier_columns: Sequence[str],
) -> ResidualResult:
    """Look for each record's original identifier values in its released free text.

    Parameters
    ----------
    original : polars.DataFrame
        The frame before anonymization.
    release : polars.DataFrame
        The anonymized frame.
    rows : numpy array
        For each release row, the original row it came from.
    text_columns : sequence of str
        Release columns to scan: text, categorical, or lists of either (joined).
    identifier_columns : sequence of str
        Original columns whose values must not appear in their own record's text.
    """
    source = original.select(identifier_columns)[rows.tolist()] if identifier_columns else None
    result = ResidualResult(records=release.height)
    for text in text_columns:
        looked = [c for c in identifier_columns if c != text]
        result.scanned[text] = looked
        values = text_values(release.get_column(text))
        if source is None or release.height == 0 or values is None:
            continue
        counts = values.drop_nulls().value_counts()
        if len(counts) <= CATEGORIES and values.drop_nulls().len() >= SHARED * len(counts):
            # categories ("White", "Medicare"): whatever a value coincides with (a surname
            # White) it is one of a few labels, not a record's own text
            result.skipped[text] = f"{len(counts)} distinct values: a column of categories"
            continue
        # a value that several records share is not one record's identifier either
        shared = values.is_in(counts.filter(pl.col("count") >= SHARED).get_column(values.name)
                              .implode())
        prepared = _prepare(values)
        for column in looked:
            count = int((_hits(source.get_column(column), prepared) & ~shared).sum())
            if count:
                result.found.setdefault(text, {})[column] = count
    return result


KIND_SAMPLE = 2_000
"""Values of each free-text column the kind scan reads (every n-th value, in order)."""


def kind_scan(texts: pl.Series, *, sample: int = KIND_SAMPLE) -> tuple[int, dict[str, int]]:
    """Identifiers of any person, by kind, still written in a sample of a free-text column.

    The second look of the residual check: where the row scan (:func:`residual_scan`) looks for
    each record's own values, this one runs the scrubber's detector (:mod:`anonlab.text`,
    without row context) over up to ``sample`` values, so a relative's name, a date or a phone
    number that belongs to no column of the record is found too. On text that ``Scrub`` made
    with every kind it finds nothing by construction; it catches text scrubbed of fewer kinds,
    or not at all.

    Returns
    -------
    (values, kinds)
        How many sampled values hold an identifier, and how many of each kind were found.
    """
    from anonlab.text import find_identifiers

    values = texts.drop_nulls()
    if len(values) > sample:
        values = values.gather_every(max(1, len(values) // sample)).head(sample)
    holding = 0
    kinds: dict[str, int] = {}
    for text in values.to_list():
        found = find_identifiers(str(text))
        holding += bool(found)
        for span in found:
            kinds[span.kind] = kinds.get(span.kind, 0) + 1
    return holding, dict(sorted(kinds.items(), key=lambda kv: -kv[1]))

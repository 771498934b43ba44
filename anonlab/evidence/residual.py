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
- a date in its ISO, US (``1/10/2023``, ``01/10/2023``) and month-name (``January 10``)
  forms.

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

__all__ = ["ResidualResult", "residual_scan"]

_MAX_PARTS = 6
_LONG = 7
_MIN_TOKEN_DIGITS = 3
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
    """

    records: int
    found: dict[str, dict[str, int]] = field(default_factory=dict)
    scanned: dict[str, list[str]] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return not self.found

    def to_dict(self) -> dict[str, Any]:
        return {"records": self.records, "found": self.found, "scanned": self.scanned,
                "passed": self.passed}


def _words(expr: pl.Expr) -> pl.Expr:
    """Lower-cased, every run of non-alphanumerics one space, padded with spaces."""
    return pl.concat_str([pl.lit(" "), expr.str.to_lowercase()
                          .str.replace_all(r"[^\p{L}\p{N}]+", " "), pl.lit(" ")])


def _cased(expr: pl.Expr) -> pl.Expr:
    return pl.concat_str([pl.lit(" "), expr.str.replace_all(r"[^\p{L}\p{N}]+", " "), pl.lit(" ")])


def _compact(expr: pl.Expr) -> pl.Expr:
    return expr.str.to_lowercase().str.replace_all(r"[^\p{L}\p{N}]+", "")


def _hits(value: pl.Series, text: pl.Series) -> pl.Series:
    """Per record, whether its text holds one of its own ``value``s (the module's rules)."""
    frame = pl.DataFrame({"t": text.cast(pl.String), "v": value})
    if value.dtype.is_temporal():
        day = pl.col("v").cast(pl.Date)
        forms = [
            day.dt.strftime("%Y-%m-%d"), day.dt.strftime("%-m/%-d/%Y"),
            day.dt.strftime("%m/%d/%Y"), day.dt.strftime("%B %-d"), day.dt.strftime("%b %-d"),
            day.dt.strftime("%-d %B"),
        ]
        text_l = pl.col("t").str.to_lowercase()
        hit = pl.lit(False)
        for form in forms:
            hit = hit | text_l.str.contains(form.str.to_lowercase(), literal=True)
        return frame.select(hit.fill_null(False)).to_series()
    v = pl.col("v").cast(pl.String).str.strip_chars()
    frame = frame.with_columns(
        words=_words(pl.col("t")), cased=_cased(pl.col("t")), compact=_compact(pl.col("t")),
        digits=v.str.replace_all(r"\D", ""),
        # the words of a value made mostly of letters (not the "MRN" of "MRN-0048213")
        parts=pl.when(v.str.count_matches(r"\p{L}") >= v.str.count_matches(r"\d"))
        .then(v.str.extract_all(r"\p{L}[\p{L}'’-]*\p{L}|\p{L}")),
        numbers=v.str.extract_all(r"\d+"),
    )
    hit = (pl.col("digits").str.len_chars() >= _LONG) & pl.col("compact").str.contains(
        pl.col("digits"), literal=True)
    whole = _words(v)
    hit = hit | ((whole.str.len_chars() > 4) & pl.col("words").str.contains(whole, literal=True))
    for j in range(_MAX_PARTS):
        part = pl.col("parts").list.get(j, null_on_oob=True)
        lower = part.str.to_lowercase()
        ok = part.is_not_null() & (part.str.len_chars() >= 2) & ~lower.is_in(_SKIP)
        common = lower.is_in(_COMMON)
        title = pl.concat_str([pl.lit(" "), part.str.slice(0, 1).str.to_uppercase(),
                               lower.str.slice(1), pl.lit(" ")])
        upper = pl.concat_str([pl.lit(" "), part.str.to_uppercase(), pl.lit(" ")])
        as_word = pl.concat_str([pl.lit(" "), lower, pl.lit(" ")])
        found = pl.when(common).then(
            pl.col("cased").str.contains(title, literal=True)
            | pl.col("cased").str.contains(upper, literal=True)
        ).otherwise(pl.col("words").str.contains(as_word, literal=True))
        hit = hit | (ok & found)
        number = pl.col("numbers").list.get(j, null_on_oob=True)
        # the numbers of a value without a long one (a ZIP code, a house number)
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
        Release columns of free text to scan.
    identifier_columns : sequence of str
        Original columns whose values must not appear in their own record's text.
    """
    source = original.select(identifier_columns)[rows.tolist()] if identifier_columns else None
    result = ResidualResult(records=release.height)
    for text in text_columns:
        looked = [c for c in identifier_columns if c != text]
        result.scanned[text] = looked
        if source is None or release.height == 0:
            continue
        for column in looked:
            count = int(_hits(source.get_column(column), release.get_column(text)).sum())
            if count:
                result.found.setdefault(text, {})[column] = count
    return result

"""Masking: hide most characters of a value and keep its shape (``***-**-6789``, ``j***@e***.com``).

Masking keeps a value recognizable to a person (which card, which phone line) while hiding it.
It is computed entirely in polars (slices and regular expressions), never in Python per row.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from anonlab._validation import check_int, check_one_of
from anonlab.transforms.base import Context, Transform
from anonlab.transforms.registry import builtin

__all__ = ["Mask"]

FORMATS = ("auto", "email", "phone", "card", "ssn", "plain")
DIGIT_FORMATS = ("phone", "card", "ssn")

# An e-mail address: first character of the local part, anything up to the last "@", first
# character of the domain, anything up to the last dot, and a top-level domain that starts with
# a letter. "(?s)" lets "." cross newlines, so a multi-line value is still matched whole.
EMAIL = r"(?s)^(.).*@([^@])[^@]*\.(\p{L}[\p{L}\p{N}-]*)$"
# Characters a digit layout masks: letters, numbers and combining marks. Everything else
# (spaces, "-", ".", "(", ")", "+", "/", ...) is layout and kept.
ALNUM = r"[\p{L}\p{N}\p{M}]"
# The same, but sparing decimal digits (used where the kept digits are).
ALNUM_BUT_DIGITS = r"[\p{L}\p{N}\p{M}--\p{Nd}]"
DIGIT = r"\p{Nd}"


def _kept(total: pl.Expr, first: int, last: int) -> tuple[pl.Expr, pl.Expr]:
    """How many leading and trailing units to keep out of ``total`` (per row).

    ``first`` and ``last`` as asked while they leave at least one unit masked; otherwise (a
    short value) at most half the units are kept, the trailing ones first.
    """
    short = total <= first + last
    half = total // 2
    keep_last = pl.when(short).then(pl.min_horizontal(pl.lit(last), half)).otherwise(last)
    keep_first = (
        pl.when(short).then(pl.min_horizontal(pl.lit(first), half - keep_last)).otherwise(first)
    )
    return keep_first, keep_last


def _short_plan(first: int, last: int) -> tuple[list[int], list[int]]:
    """Every value :func:`_kept` can give for the leading and the trailing count."""
    firsts, lasts = {first}, {last}
    for total in range(first + last + 1):
        half = total // 2
        kl = min(last, half)
        lasts.add(kl)
        firsts.add(min(first, half - kl))
    return sorted(firsts), sorted(lasts)


@builtin
@dataclass(frozen=True, kw_only=True)
class Mask(Transform):
    """Replace most characters of each value with a mask character, keeping its layout.

    Parameters
    ----------
    keep_last : int, default 4
        Characters (plain) or digits (phone, card, SSN) kept at the end.
    keep_first : int, default 0
        Characters (plain) or digits (phone, card, SSN) kept at the start (6 keeps a card's
        issuer number).
    char : str, default "*"
        The mask character (one character).
    format : {"auto", "email", "phone", "card", "ssn", "plain"}, default "auto"
        How values are laid out:

        ``"plain"``
            keep the first ``keep_first`` and last ``keep_last`` characters, replace every other
            character with ``char`` (the length is kept).
        ``"email"``
            first character of the local part, ``***``, ``@``, first character of the domain,
            ``***``, then the top-level domain: ``jane.doe@example.com`` -> ``j***@e***.com``
            (the masked parts have a fixed width, hiding their length). ``keep_first`` and
            ``keep_last`` do not apply. A value that is not an address is masked as plain.
        ``"phone"``, ``"card"``, ``"ssn"``
            a digit layout: separators and punctuation are kept, every digit is masked except
            the first ``keep_first`` and last ``keep_last`` digits, and letters are masked:
            ``***-**-6789``, ``(***) ***-3310``, ``**** **** **** 1111``. The three names differ
            only in the intent they record. A value with neither letters nor digits (``"--"``)
            is masked as plain.
        ``"auto"``
            per value: the e-mail layout for a value that looks like an address (an ``@``
            followed by a domain with a dot), the digit layout for a value with at least one
            digit of which at most a quarter of the characters are letters, else plain.

    Notes
    -----
    A short value is never left unmasked: when ``keep_first + keep_last`` would keep every
    character (plain) or every digit (digit layouts), at most half of them (rounded down) are
    kept, the trailing ones first. So with ``keep_last=4``, ``"12345"`` becomes ``"*2345"`` but
    ``"1234"`` becomes ``"**34"`` and ``"7"`` becomes ``"*"``. Nulls stay null. Categorical
    columns are masked as their strings and come out as strings.

    With ``keep_first=0`` and ``keep_last=0`` no value of two or more characters survives,
    except one made only of the mask character itself, which looks the same masked.

    Examples
    --------
    >>> import polars as pl
    >>> from anonlab.transforms.base import Context
    >>> values = ["123-45-6789", "(617) 284-3310", "jane.doe@example.com",
    ...           "4111 1111 1111 1111", "Margaret", "ab", None]
    >>> lf = pl.LazyFrame({"v": values})
    >>> ctx = Context(schema=lf.collect_schema())
    >>> for value in Mask().apply(lf, "v", ctx).collect()["v"]:
    ...     print(value)
    ***-**-6789
    (***) ***-3310
    j***@e***.com
    **** **** **** 1111
    ****aret
    *b
    None
    >>> Mask(keep_first=6, format="card").apply(lf, "v", ctx).collect()["v"][3]
    '4111 11** **** 1111'
    """

    op = "mask"
    accepts = frozenset({"string"})
    hides_values = True
    keep_last: int = 4
    keep_first: int = 0
    char: str = "*"
    format: str = "auto"

    def validate(self) -> None:
        owner = type(self).__name__
        check_int(self.keep_last, "keep_last", owner, min_value=0)
        check_int(self.keep_first, "keep_first", owner, min_value=0)
        if not isinstance(self.char, str) or len(self.char) != 1:
            raise self._bad("char", "a single character", self.char)
        check_one_of(self.format, "format", owner, FORMATS)

    # -- layouts -------------------------------------------------------------------------------
    def _replacement(self, text: str) -> str:
        """``text`` as a regex replacement (``$`` escaped)."""
        return text.replace("$", "$$")

    def _plain(self, s: pl.Expr) -> pl.Expr:
        length = s.str.len_chars().cast(pl.Int64)
        first, last = _kept(length, self.keep_first, self.keep_last)
        hidden = (length - first - last).clip(lower_bound=0)
        # s.str.head(0) is "" for a value and null for a null, so nulls stay null
        middle = s.str.head(0).str.pad_start(hidden, self.char)
        return pl.concat_str(s.str.slice(0, first), middle, s.str.slice(length - last, last))

    def _email(self, s: pl.Expr) -> pl.Expr:
        hidden = self._replacement(self.char * 3)
        return s.str.replace(EMAIL, f"${{1}}{hidden}@${{2}}{hidden}.${{3}}")

    def _digits(self, s: pl.Expr) -> pl.Expr:
        length = s.str.len_chars().cast(pl.Int64)
        digits = s.str.count_matches(DIGIT).cast(pl.Int64)
        first, last = _kept(digits, self.keep_first, self.keep_last)
        # The kept counts vary per row only for short values, over a few known numbers: one
        # fixed pattern each gives the length of the head (up to the first-th digit) and of the
        # tail (from the last-th digit from the end), chosen with when/then.
        firsts, lasts = _short_plan(self.keep_first, self.keep_last)
        head_len: pl.Expr = pl.lit(0, dtype=pl.Int64)
        for n in firsts:
            if n:
                span = s.str.extract(rf"^((?:\P{{Nd}}*\p{{Nd}}){{{n}}})").str.len_chars()
                head_len = pl.when(first == n).then(span.cast(pl.Int64)).otherwise(head_len)
        tail_len: pl.Expr = pl.lit(0, dtype=pl.Int64)
        for n in lasts:
            if n:
                span = s.str.extract(rf"((?:\p{{Nd}}\P{{Nd}}*){{{n}}})$").str.len_chars()
                tail_len = pl.when(last == n).then(span.cast(pl.Int64)).otherwise(tail_len)
        char = self._replacement(self.char)
        middle_len = (length - head_len - tail_len).clip(lower_bound=0)
        layout = pl.concat_str(
            s.str.slice(0, head_len).str.replace_all(ALNUM_BUT_DIGITS, char),
            s.str.slice(head_len, middle_len).str.replace_all(ALNUM, char),
            s.str.slice(length - tail_len, tail_len).str.replace_all(ALNUM_BUT_DIGITS, char),
        )
        # a value of separators alone would come out as it went in: mask it as plain text
        return pl.when(s.str.contains(ALNUM)).then(layout).otherwise(self._plain(s))

    def expr(self, column: str, ctx: Context) -> pl.Expr:
        s = pl.col(column).cast(pl.String)
        if self.format == "plain":
            return self._plain(s)
        if self.format in DIGIT_FORMATS:
            return self._digits(s)
        is_email = s.str.contains(EMAIL)
        if self.format == "email":
            return pl.when(is_email).then(self._email(s)).otherwise(self._plain(s))
        letters = s.str.count_matches(ALNUM_BUT_DIGITS)
        is_number = (s.str.count_matches(DIGIT) > 0) & (4 * letters <= s.str.len_chars())
        return (
            pl.when(is_email)
            .then(self._email(s))
            .when(is_number)
            .then(self._digits(s))
            .otherwise(self._plain(s))
        )

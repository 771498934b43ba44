"""Row context: the record's own identifier values, looked for inside its free text.

A note about a patient mostly names that patient, writes that patient's phone number and cites
that patient's record number; the record's other columns hold exactly those values. Whatever the
lexicons and patterns miss (a rare surname, a phone written ``415 555 26 71``), the record itself
gives away. :func:`context_values` turns one record's identifier columns into the needles to look
for, and :func:`find_context` finds them:

- words (names, street names, cities): the whole value and each of its parts of two letters or
  more, as whole words, case-insensitively (a part that is also an ordinary word, ``Will`` or
  ``Young``, only when capitalized in the text, as a name is);
- numbers (phones, SSNs, record numbers, ZIP codes, house numbers): their digits, whatever
  separators the text writes between them (``4155552671`` is found in ``(415) 555-2671``);
- dates: the date written in the usual numeric and month-name forms;
- e-mail addresses: the address and its local part (a handle).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from anonlab.text.lexicons import COMMON_WORDS

__all__ = ["Needle", "context_values", "find_context"]

_DIGITS_MIN = 4
"""Fewest digits a numeric value needs to be looked for (shorter numbers are too common)."""
_LONG_DIGITS = 7
"""From this many digits, a value is found even inside a longer run of digits and separators."""
_NUMBER_RUN = re.compile(r"\+?\d(?:[\d\s().\-/]{0,3}\d)*")
_PART = re.compile(r"[A-Za-z][A-Za-z'\u2019-]*[A-Za-z]|[A-Za-z]")
_SKIP_PARTS = frozenset(str.split(
    "apt apartment suite ste unit fl floor rm room bldg st street ave avenue rd road blvd dr "
    "drive ln lane way ct court pl place ter hwy sq trl box po jr sr ii iii iv mr mrs ms dr "
    "n s e w ne nw se sw north south east west the of and de la del van von le da di mc"
))
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


@dataclass(frozen=True)
class Needle:
    """One thing to look for: ``text`` (a word or phrase) or ``digits``, of ``kind``."""

    kind: str
    text: str = ""
    digits: str = ""
    capitalized: bool = False


def _kind_of(value: str) -> str:
    if "@" in value:
        return "email"
    digits = sum(ch.isdigit() for ch in value)
    letters = sum(ch.isalpha() for ch in value)
    if digits and letters and value.lstrip()[:1].isdigit():
        return "address"
    if digits >= 10 and letters == 0:
        return "phone"
    if digits == 9 and letters == 0:
        return "ssn"
    if (digits == 5 and letters == 0) or re.fullmatch(r"\d{5}-\d{4}", value.strip()):
        return "zip"
    if digits:
        return "mrn"
    return "name"


def _date_forms(d: dt.date) -> Iterator[str]:
    month = _MONTHS[d.month - 1]
    yield from (
        d.isoformat(), f"{d.month}/{d.day}/{d.year}", f"{d.month:02d}/{d.day:02d}/{d.year}",
        f"{d.month}/{d.day}/{d.year % 100:02d}", f"{d.day:02d}.{d.month:02d}.{d.year}",
        f"{d.year}{d.month:02d}{d.day:02d}", f"{month} {d.day}", f"{month[:3]} {d.day}",
        f"{d.day} {month}", f"{d.day} {month[:3]}",
    )


def context_values(values: Iterable[object]) -> list[Needle]:
    """The needles of one record's identifier values (None and empty values are skipped)."""
    out: list[Needle] = []
    for value in values:
        if value is None:
            continue
        if isinstance(value, dt.date):
            day = value.date() if isinstance(value, dt.datetime) else value
            out.extend(_date_needles(day))
            continue
        out.extend(_needles(str(value).strip()))
    return out


@lru_cache(maxsize=4096)
def _date_needles(day: dt.date) -> tuple[Needle, ...]:
    return tuple(Needle("date", text=form) for form in _date_forms(day))


@lru_cache(maxsize=65536)
def _needles(text: str) -> tuple[Needle, ...]:
    """The needles of one value (cached: cities, ZIP codes and dates repeat across records)."""
    out: list[Needle] = []
    if text:
        kind = _kind_of(text)
        digits = "".join(ch for ch in text if ch.isdigit())
        if kind == "email":
            out.append(Needle("email", text=text))
            local = text.split("@", 1)[0]
            if len(local) >= 4:
                out.append(Needle("email", text=local))
            return tuple(out)
        if kind in ("phone", "ssn", "zip", "mrn") and len(digits) >= _DIGITS_MIN:
            out.append(Needle(kind, digits=digits))
        out.append(Needle(kind, text=text))
        if kind in ("name", "address"):
            for part in _PART.findall(text):
                if len(part) >= 2 and part.lower() not in _SKIP_PARTS:
                    common = part.lower() in COMMON_WORDS
                    out.append(Needle(kind, text=part, capitalized=common))
            for number in re.findall(r"\d+", text):
                if len(number) >= 3 and kind == "address":
                    out.append(Needle("address", digits=number))
    return tuple(out)


def _word_bounded(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or after.isalnum())


def find_context(text: str, needles: list[Needle]) -> list[tuple[int, int, str]]:
    """Spans of ``text`` where one of the record's ``needles`` is written."""
    if not needles or not text:
        return []
    spans: list[tuple[int, int, str]] = []
    lowered = text.lower()
    runs: list[tuple[int, str, list[int]]] | None = None
    for needle in needles:
        if needle.text:
            target = needle.text.lower()
            at = lowered.find(target)
            while at >= 0:
                end = at + len(target)
                if _word_bounded(text, at, end) and (
                    not needle.capitalized or text[at].isupper()
                ):
                    spans.append((at, end, needle.kind))
                at = lowered.find(target, at + 1)
        if needle.digits:
            if runs is None:
                runs = []
                for m in _NUMBER_RUN.finditer(text):
                    positions = [m.start() + k for k, ch in enumerate(m.group(0)) if ch.isdigit()]
                    runs.append((m.start(), "".join(text[p] for p in positions), positions))
            for _, digits, positions in runs:
                at = digits.find(needle.digits)
                while at >= 0:
                    last = at + len(needle.digits) - 1
                    whole = at == 0 and last == len(digits) - 1
                    if whole or len(needle.digits) >= _LONG_DIGITS or _word_bounded(
                        text, positions[at], positions[last] + 1
                    ):
                        spans.append((positions[at], positions[last] + 1, needle.kind))
                    at = digits.find(needle.digits, at + 1)
    return spans

"""Find the identifiers written in free text and replace them.

:func:`find_identifiers` combines the three sources of :mod:`anonlab.text`: the patterns of
:mod:`~anonlab.text.patterns` (dates, ages over 89, numbers, addresses, codes), the name finder
of :mod:`~anonlab.text.names`, and the record's own identifier values
(:mod:`~anonlab.text.context`). Overlapping finds merge into one span, whose kind is the kind of
the first source in :data:`KINDS` order, so ``"MRN-0048213"`` is one ``mrn`` span even when the
record's MRN column found it too. :func:`scrub_series` runs over a polars column with the
record's context columns beside it; it is what :class:`anonlab.transforms.Scrub` computes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import polars as pl

from anonlab.text.context import context_values, find_context
from anonlab.text.names import find_names
from anonlab.text.patterns import CITIES, MONTHISH, PATTERNS

__all__ = ["KINDS", "Span", "find_identifiers", "scrub_series", "scrub_text"]

KINDS: tuple[str, ...] = (
    "email", "url", "ip", "date", "age", "ssn", "phone", "address", "zip", "mrn", "name",
)
"""The identifier kinds the scrubber finds, in the order their spans win an overlap."""

_RANK = {kind: i for i, kind in enumerate(KINDS)}
# cities by their first word: one pass over the capitalized words instead of a 150-way regex
_CITY_START: dict[str, tuple[str, ...]] = {}
for _city in sorted(CITIES, key=len, reverse=True):
    _CITY_START.setdefault(_city.split()[0], ())
    _CITY_START[_city.split()[0]] += (_city,)
_DIGIT = re.compile(r"\d")
_CAPITALIZED = re.compile(r"\b[A-Z][a-z]*\.?")
# a pattern can only match where these are (a cheap test before each regex runs)
_NEEDS: dict[str, tuple[Callable[[str, bool], bool], ...]] = {
    # (text, whether it holds a digit) -> whether each of the kind's patterns can match
    "email": (lambda t, d: "@" in t,),
    "url": (lambda t, d: "." in t,),
    "ip": (lambda t, d: t.count(".") >= 3, lambda t, d: t.count(":") >= 2),
    "date": (lambda t, d: d, lambda t, d: d and MONTHISH.search(t) is not None),
    "age": (lambda t, d: True,),  # "ninety-three years old"
    "ssn": (lambda t, d: d,),
    "phone": (lambda t, d: d,),
    "address": (lambda t, d: d,),
    "zip": (lambda t, d: d,),
    "mrn": (lambda t, d: d,),
}


@dataclass(frozen=True, order=True)
class Span:
    """An identifier found in a text: ``text[start:end]`` is of ``kind``."""

    start: int
    end: int
    kind: str


def _pattern_spans(text: str, kinds: frozenset[str]) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    digits = _DIGIT.search(text) is not None
    for kind, patterns in PATTERNS.items():
        if kind not in kinds:
            continue
        for can_match, pattern in zip(_NEEDS[kind], patterns, strict=True):
            if can_match(text, digits):  # else the regex cannot match: skip it
                out.extend(_matches(text, pattern, kind))
    return out


def _matches(text: str, pattern: re.Pattern[str], kind: str) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    for m in pattern.finditer(text):
        start, end = m.span()
        for group, value in m.groupdict().items():
            if value is not None and group.startswith("id"):
                # "MRN: 0048213" keeps its label; "MRN-0048213" is one code
                label = text[start:m.start(group)]
                if m.end(group) < end or any(ch.isspace() for ch in label):
                    start, end = m.span(group)
                break
        if end > start:
            out.append((start, end, kind))
    return out


def _cities(text: str) -> list[tuple[int, int, str]]:
    out = []
    for m in _CAPITALIZED.finditer(text):
        word = m.group(0)
        for city in _CITY_START.get(word, ()) or _CITY_START.get(word.rstrip("."), ()):
            end = m.start() + len(city)
            if text.startswith(city, m.start()) and not text[end:end + 1].isalnum():
                out.append((m.start(), end, "address"))
                break
    return out


def find_identifiers(
    text: str, context: Sequence[object] = (), *, kinds: Sequence[str] = KINDS
) -> list[Span]:
    """The identifiers in ``text``, as merged, sorted spans.

    Parameters
    ----------
    text : str
    context : sequence
        The record's own identifier values (a name, a phone number, a date of birth...), each
        looked for in the text whatever its kind (see :mod:`anonlab.text.context`).
    kinds : sequence of str
        Which of :data:`KINDS` to look for by pattern and lexicon; row-context values are
        always looked for.
    """
    wanted = frozenset(kinds)
    found = _pattern_spans(text, wanted)
    if "name" in wanted:
        found.extend((s, e, "name") for s, e in find_names(text))
    if "address" in wanted:
        found.extend(_cities(text))
    found.extend(find_context(text, context_values(context)))
    return _merge(found)


def _merge(found: list[tuple[int, int, str]]) -> list[Span]:
    found.sort()
    merged: list[Span] = []
    for start, end, kind in found:
        if merged and start < merged[-1].end:
            last = merged[-1]
            better = kind if _RANK.get(kind, 99) < _RANK.get(last.kind, 99) else last.kind
            merged[-1] = Span(last.start, max(last.end, end), better)
        else:
            merged.append(Span(start, end, kind))
    return merged


def scrub_text(
    text: str,
    context: Sequence[object] = (),
    *,
    kinds: Sequence[str] = KINDS,
    placeholder: str = "<{kind}>",
) -> str:
    """``text`` with every identifier of :func:`find_identifiers` replaced by ``placeholder``
    (``{kind}`` in it becomes the kind in capitals)."""
    text = unicodedata.normalize("NFC", text)  # "e" + combining accent is one letter
    spans = find_identifiers(text, context, kinds=kinds)
    if not spans:
        return text
    parts: list[str] = []
    at = 0
    for span in spans:
        parts.append(text[at:span.start])
        parts.append(placeholder.replace("{kind}", span.kind.upper()))
        at = span.end
    parts.append(text[at:])
    return "".join(parts)


def scrub_series(
    texts: pl.Series,
    context: pl.DataFrame | None = None,
    *,
    kinds: Sequence[str] = KINDS,
    placeholder: str = "<{kind}>",
) -> pl.Series:
    """:func:`scrub_text` over a column, with each row's values of ``context`` as its record's
    own identifiers. Nulls stay null."""
    kinds = tuple(kinds)
    values = texts.cast(pl.String).to_list()
    rows: list[tuple[object, ...]] = (
        context.rows() if context is not None and context.width else [()] * len(values)
    )
    out = [
        None if text is None else scrub_text(text, row, kinds=kinds, placeholder=placeholder)
        for text, row in zip(values, rows, strict=True)
    ]
    return pl.Series(texts.name, out, dtype=pl.String)

"""People's names inside free text, found from the words around them and the Census lexicons.

A statistical model (spaCy, a transformer) would need a model file that anonlab cannot fetch at
run time and would make the scrubber slow; these rules are what rule-based de-identification
systems (Philter, the MIT deid package) rely on, and they are measured on a labelled corpus
(``benchmarks/bench_scrub.py``). A run of capitalized words is a name when

- a title or credential frames it (``Dr. Okafor``, ``Mrs. Young``, ``Ann Lee, RN``), or what
  follows it is said of people (``Hope's daughter``, ``Ivy is a 43 yo``, ``Rose can be
  reached``);
- a relation or a verb of contact introduces it (``her daughter Hope``, ``spoke with Grant``);
- it is a given name followed by a surname (``Will Grant``), or ``SURNAME, Given``;
- it is a single lexicon name that is not also an ordinary word
  (:data:`~anonlab.text.lexicons.COMMON_WORDS`) and not the first word of a sentence;
- it is the record's own name or a part of it (row context, :mod:`anonlab.text.context`).

A name that is an ordinary word (``Hope``, ``Will``, ``Young``) is found only by the first three
rules or by row context; on its own in prose it is left alone, as the ordinary word it usually
is.
"""

from __future__ import annotations

import re

from anonlab.text.lexicons import COMMON_WORDS, given_names, surname_rank, surnames

__all__ = ["find_names"]

_WORD = re.compile(r"[A-Z][a-zA-Z]*(?:['\u2019-][A-Za-z]+)*\.?|[A-Z]\.")
_TITLE = re.compile(
    r"\b(?:Dr|Drs|Mr|Mrs|Ms|Mx|Miss|Mister|Prof|Professor|Doctor|Nurse|Sister|Father|Rev"
    r"|Pastor|Dame|Sir|Madam|Mme|Mlle|Sr|Sra|Herr|Frau)\b\.?\s+$"
)
_RELATION = re.compile(
    r"\b(?:son|daughter|wife|husband|mother|father|mom|dad|brother|sister|spouse|partner|friend"
    r"|neighbou?r|caregiver|niece|nephew|aunt|uncle|cousin|grandson|granddaughter|grandmother"
    r"|grandfather|grandma|grandpa|fianc[eé]e?|girlfriend|boyfriend|guardian|roommate|sibling"
    r"|stepson|stepdaughter|stepmother|stepfather|child|children|kids?|relative|proxy|surrogate"
    r"|colleague|employer|coworker|co-worker|landlord|physician|doctor|dr|nurse|pcp|provider"
    r"|cardiologist|oncologist|surgeon|therapist|pharmacist|resident|attending|fellow|intern"
    r"|specialist|clinician|counselor|worker|chaplain|interpreter|named|called|per|by|with"
    r"|contact|contacted|spoke|speak|paged|page|notified|informed|seen|cc|signed"
    r"|dictated|attn|patient|pt|mr|mrs|ms|miss|dear|hi|hello)\b[,:]?\s+(?:is\s+|was\s+|named\s+)?$",
    re.IGNORECASE,
)
_STRONG_RELATION = re.compile(
    r"\b(?:son|daughter|wife|husband|mother|father|mom|dad|brother|sister|spouse|partner"
    r"|friend|neighbou?r|caregiver|niece|nephew|aunt|uncle|cousin|grandson|granddaughter"
    r"|grandmother|grandfather|fianc[eé]e?|girlfriend|boyfriend|guardian|roommate|stepson"
    r"|stepdaughter|proxy|surrogate|named|called)\b[,:]?\s+(?:is\s+|was\s+|named\s+)?$",
    re.IGNORECASE,
)
_CREDENTIAL = re.compile(
    r"^,?\s+(?:MD|M\.D\.|DO|D\.O\.|RN|R\.N\.|NP|PA|PA-C|PhD|LPN|CNA|PharmD|MSW|LCSW|DDS|DPM|OD"
    r"|APRN|CRNA|FNP|DNP|MPH|MBBS|FACC|FACP)\b"
)
_AFTER_NAME = re.compile(
    r"^(?:['\u2019]s\s+(?:son|daughter|wife|husband|mother|father|brother|sister|spouse|partner"
    r"|friend|neighbou?r|caregiver|niece|nephew|aunt|uncle|cousin|grandson|granddaughter"
    r"|grandmother|grandfather|guardian|child|children|family|home|phone|cell|number)\b"
    r"|\s+(?:is|was)\s+an?\s+\d|,\s+(?:aged?\s+)?\d{1,3}\b|\s+\((?:DOB|age|aged|\d{1,3}\s*(?:yo|y/o|years?|[FM])\b)"
    r"|\s+can\s+be\s+reached|\s+(?:reports|reported|states|stated|says|said|denies|endorses"
    r"|agrees|agreed|called|visited|presents|presented|was\s+evaluated|was\s+seen)\b)"
)
"""What follows a name and not an ordinary word: "Hope's daughter", "Ivy is a 43 yo", "Rich,
aged 64", "Rose can be reached"."""
_PERSON_CUE = re.compile(
    r"\b(?:seen|examined|evaluated|referred|discussed|spoke|called|paged|notified|signed|"
    r"dictated|cosigned)\s+(?:by|with|to)\s+$|\b(?:pcp|attending|resident|per|cc|attn)\b[:,]?\s+$",
    re.IGNORECASE,
)
"""Words after which a capitalized word is a person even when no lexicon knows it."""
_NOT_A_PERSON = re.compile(
    r"(?:ology|ologist|iatry|iatrics|ics|ery|ary|ure|ment|tion|sion|ness|ity|ing|ic|al|clinic"
    r"|center|centre|service|services|team|unit|department|dept|hospital|office|lab|labs"
    r"|pharmacy|ed|er|icu|protocol|guidelines?|policy|orders?|report|note|notes)$"
)
"""Word endings of departments, services and clinical terms (``Cardiology``, ``Radiology``,
``Pharmacy``), which follow "seen by" as often as a person does."""
_SENTENCE_START = re.compile(r"(?:^|[.!?:\n]\s*|[\"(]\s*|^\s*[-*\u2022]\s*)$")
_POSSESSIVE = re.compile(r"['\u2019]s$")
_SHORT = 2
_FREQUENT = 5_000
"""Surnames this frequent (by Census rank) are names even as a sentence's first word."""


def _key(word: str) -> str:
    # the Census lists write O'Connor as "oconnor"
    return word.lower().replace("'", "").replace("\u2019", "")


def _is_given(word: str) -> bool:
    return _key(word) in given_names()


def _is_surname(word: str) -> bool:
    key = _key(word)
    if key in surnames():
        return True
    parts = key.split("-")
    return len(parts) > 1 and all(p in surnames() for p in parts)  # Smith-Jones


def _is_name(word: str) -> bool:
    return _is_given(word) or _is_surname(word)


_NAME_SHAPE = re.compile(r"[A-Z][a-z]+(?:['\u2019-][A-Z]?[a-z]+)*|[A-Z]{2,}(?:['-][A-Z]+)*")


def _bare(word: str) -> str:
    return _POSSESSIVE.sub("", word).rstrip(".")


def find_names(text: str) -> list[tuple[int, int]]:
    """The character spans of the people's names written in ``text`` (see the module)."""
    words = [(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(text)]
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        # a run of capitalized words separated by single spaces (or "Initial." and a space)
        j = i + 1
        while j < len(words) and j - i < 4 and text[words[j - 1][1]:words[j][0]] in (" ", ""):
            if words[j - 1][2].endswith(".") and len(words[j - 1][2]) > 2:
                break  # an initial "J." continues a run; "Dr." or a sentence's end does not
            j += 1
        run = words[i:j]
        # "Contact Maria Lee": the name may start inside the run; single words last
        tries = [(run[k:], False) for k in range(len(run))] + [(run, True)]
        for part, single in tries:
            found = _name_in_run(text, part, single=single)
            if found is not None:
                if not spans or found[0] >= spans[-1][1]:
                    spans.append(found)
                break
        i = j
    return spans


def _name_in_run(
    text: str, run: list[tuple[int, int, str]], *, single: bool
) -> tuple[int, int] | None:
    start, end = run[0][0], run[-1][1]
    bare = [_bare(w) for _, _, w in run]
    before = text[max(0, start - 40):start]
    after = text[end:end + 12]
    # drop a leading title word of the run itself ("Dr. Okafor" as one run)
    while run and _TITLE.search(text[max(0, run[0][0] - 1):run[0][1]] + " "):
        if len(run) == 1:
            return None
        before = text[max(0, run[1][0] - 40):run[1][0]]
        run, bare = run[1:], bare[1:]
        start = run[0][0]
    last_word = run[-1][2]
    end = run[-1][1] - (2 if _POSSESSIVE.search(last_word) else 0)
    end -= 1 if text[end - 1] == "." and not re.fullmatch(r"[A-Z]\.", last_word) else 0
    if end <= start:
        return None
    lowered = [b.lower() for b in bare]
    if all(len(b) <= 1 for b in bare):
        return (start, end) if _TITLE.search(before) else None
    if _TITLE.search(before) or _CREDENTIAL.match(after):
        return start, end
    if (all(_NAME_SHAPE.fullmatch(b) for b in bare) and any(_is_name(b) for b in bare)
            and _AFTER_NAME.match(text[run[-1][1] - (2 if _POSSESSIVE.search(last_word) else 0):
                                       run[-1][1] + 24])):
        return start, end
    if _STRONG_RELATION.search(before):
        return start, end
    names = [_is_name(b) for b in bare]
    if len(run) >= 2 and (_is_given(bare[0]) or len(bare[0]) == 1) and _is_surname(bare[-1]):
        return start, end  # "Maria Garcia", "J. Smith", and "Will Grant" too
    if (len(run) >= 2 and _is_given(bare[0]) and lowered[0] not in COMMON_WORDS
            and lowered[-1] not in COMMON_WORDS and _NAME_SHAPE.fullmatch(bare[-1])):
        return start, end  # a given name and a surname the lexicon does not know
    if len(run) >= 2 and all(names) and not any(w in COMMON_WORDS for w in lowered):
        return start, end
    if _RELATION.search(before) and any(
        names[k] and lowered[k] not in COMMON_WORDS for k in range(len(run))
    ):
        return start, end
    if (_PERSON_CUE.search(before) and all(_NAME_SHAPE.fullmatch(b) for b in bare)
            and not any(w in COMMON_WORDS or _NOT_A_PERSON.search(w) for w in lowered)):
        return start, end  # "seen by Chidi", "PCP: Okonkwo": a name the lexicons lack
    # "GARCIA, Maria", "King, Betty"
    comma = re.match(r"^,\s*([A-Z][a-z]+)\b", text[end:end + 30])
    if comma and _is_surname(bare[-1]) and _is_given(comma.group(1)) and (
        bare[-1].isupper() or not (lowered[-1] in COMMON_WORDS
                                   and comma.group(1).lower() in COMMON_WORDS)
    ):
        return start, end + comma.end()
    if not single:
        return None
    # a single word of the lexicons that is not an ordinary word, inside a sentence
    singles = [
        k for k, b in enumerate(bare)
        if names[k] and lowered[k] not in COMMON_WORDS and len(b) > _SHORT
        and _NAME_SHAPE.fullmatch(b) and not b.isupper()
    ]
    if singles and singles[0] == 0 and _sentence_start(text, start) and not (
        _is_given(bare[0]) or _rank(bare[0]) <= _FREQUENT
    ):
        singles = singles[1:]  # a sentence's first word is capitalized anyway
    if singles:
        return run[singles[0]][0], _end_of(text, run[singles[-1]])
    return None


def _rank(word: str) -> int:
    return surname_rank().get(word.lower(), 10**6)


def _end_of(text: str, word: tuple[int, int, str]) -> int:
    end = word[1] - (2 if _POSSESSIVE.search(word[2]) else 0)
    return end - 1 if text[end - 1] == "." else end


def _sentence_start(text: str, start: int) -> bool:
    return bool(_SENTENCE_START.search(text[max(0, start - 4):start]))

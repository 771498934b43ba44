"""People's names in free text: context rules, lexicons, and ordinary words left alone."""

from __future__ import annotations

import pytest

from anonlab.text.names import find_names


def names(text: str) -> list[str]:
    return [text[s:e] for s, e in find_names(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Seen by Dr. Okafor today.", ["Okafor"]),
        ("Her daughter Hope called.", ["Hope"]),
        ("His son Will Grant visited.", ["Will Grant"]),
        ("Discussed with Mrs. Young at bedside.", ["Young"]),
        ("Maria Garcia was admitted.", ["Maria Garcia"]),
        ("GARCIA, Maria seen in clinic.", ["GARCIA, Maria"]),
        ("Note by Ann Lee, RN.", ["Ann Lee"]),
        ("Plan reviewed with Garcia's son.", ["Garcia"]),
        ("Labs drawn; Kowalczyk notified.", ["Kowalczyk"]),
        ("Smith is stable.", ["Smith"]),
        ("Contact Maria Venkataraghavan for results.", ["Maria Venkataraghavan"]),
        # names no lexicon knows, after words that introduce a person (review of issue 12)
        ("Pt seen by Chidi today.", ["Chidi"]),
        ("PCP: Okonkwo", ["Okonkwo"]),
    ],
)
def test_names_found(text: str, expected: list[str]) -> None:
    assert names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Will follow up in clinic. No change in plan.",
        "We hope the pain improves; grant of home care approved.",
        "Patient is stable. Mark the site. Young adult with chest pain.",
        "Discharged home in good condition; Mail the results.",
        "BP stable, HPI as above, CT negative.",
        "Seen by Cardiology today; discussed with Radiology; per Protocol.",
    ],
)
def test_ordinary_words_are_not_names(text: str) -> None:
    assert names(text) == []

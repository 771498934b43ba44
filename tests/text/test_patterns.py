"""The identifier patterns of free text, kind by kind, with the look-alikes they must leave."""

from __future__ import annotations

import pytest

from anonlab.text import find_identifiers
from anonlab.text.patterns import DATE_FORMS


def kinds_found(text: str) -> list[tuple[str, str]]:
    return [(text[s.start:s.end], s.kind) for s in find_identifiers(text, kinds=KINDS_NO_NAME)]


KINDS_NO_NAME = ("email", "url", "ip", "date", "age", "ssn", "phone", "address", "zip", "mrn")


@pytest.mark.parametrize("form", DATE_FORMS)
def test_every_date_form(form: str) -> None:
    text = f"Seen on {form} in clinic."
    spans = find_identifiers(text)
    assert [(text[s.start:s.end], s.kind) for s in spans] == [(form.removeprefix("the "), "date")]


@pytest.mark.parametrize(
    ("text", "identifier", "kind"),
    [
        ("A 92-year-old woman", "92", "age"),
        ("patient aged 94 with", "94", "age"),
        ("she is 93 yo and", "93", "age"),
        ("a 91F presenting", "91", "age"),
        ("ninety-three years old", "ninety-three", "age"),
        ("call 4155552671 now", "4155552671", "phone"),
        ("call (415) 555-2671 ext. 23 now", "(415) 555-2671 ext. 23", "phone"),
        ("call +1 415 555 2671 now", "+1 415 555 2671", "phone"),
        ("fax 415.555.2671.", "415.555.2671", "phone"),
        ("SSN 123 45 6789 on file", "123 45 6789", "ssn"),
        ("SSN 123456789 on file", "123456789", "ssn"),
        ("mail a.b-c@x-y.org now", "a.b-c@x-y.org", "email"),
        ("see portal.example-health.com/p/123.", "portal.example-health.com/p/123", "url"),
        ("from 10.0.0.12 at", "10.0.0.12", "ip"),
        ("from fe80::1ff:fe23:4567:890a at", "fe80::1ff:fe23:4567:890a", "ip"),
        ("lives at 56 Oak Avenue Apt 3B with", "56 Oak Avenue Apt 3B", "address"),
        ("PO Box 123, Boston", "PO Box 123", "address"),
        ("ZIP 02139-4307.", "02139-4307", "zip"),
        ("MRN: 0048213 today", "0048213", "mrn"),
        ("member ID XJH482910.", "XJH482910", "mrn"),
        ("acct #55-1234-9 closed", "55-1234-9", "mrn"),
    ],
)
def test_identifiers(text: str, identifier: str, kind: str) -> None:
    assert (identifier, kind) in kinds_found(text)


@pytest.mark.parametrize(
    "text",
    [
        "BP 120/80, HR 88, temp 98.6 F, SpO2 94%, WBC 12.3",
        "rates pain 10/10; takes 1/2 tablet; 3/4 strength",
        "120 mg twice daily, 5 mg/kg, 2 x 500 mg",
        "ICD-10 I10 and E11.9 noted; in 2019 and since 2015",
        "at 10:30 in room 204, grade 3, level 2, q6h x3",
        "a 45-year-old, aged 89, 20 years of smoking, 88 yo",
        "A1c 7.2, type 2 diabetes",
    ],
)
def test_clinical_values_are_kept(text: str) -> None:
    assert kinds_found(text) == []

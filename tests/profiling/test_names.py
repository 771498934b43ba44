"""Column-name hints."""

from __future__ import annotations

import pytest

from anonlab.profiling.names import name_hints, tokens


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("patientDOB", ("patient", "dob")),  # camelCase
        ("e-mail_2", ("e", "mail", "2")),  # punctuation
        ("SSN", ("ssn",)),  # an acronym alone
        ("HTTPStatusCode", ("http", "status", "code")),  # acronym then word
        ("", ()),
    ],
)
def test_tokens(name: str, expected: tuple[str, ...]) -> None:
    assert tokens(name) == expected


@pytest.mark.parametrize(
    ("name", "family", "present"),
    [
        ("date_of_birth", "birth", True),
        ("geburtsdatum", "birth", True),  # German compound
        ("DOB", "birth", True),
        ("admission_date", "birth", False),
        ("zip", "zip", True),
        ("PostalCode", "zip", True),
        ("telefono", "phone", True),  # Spanish
        ("mobileNumber", "phone", True),
        ("home_town", "city", True),
        ("lat", "lat", True),
        ("latency", "lat", False),  # a prefix is not a token
        ("ethnicity", "city", False),  # "city" inside another word
        ("template_id", "vehicle", False),  # "plate" inside another word
        ("last_update", "date", False),  # "date" inside another word
        ("birthcityname", "city", True),  # a compound that does say city
    ],
)
def test_families(name: str, family: str, present: bool) -> None:
    assert (family in name_hints(name)) is present


@pytest.mark.parametrize(
    ("name", "person"),
    [
        ("last_name", True),
        ("fullName", True),
        ("patient", True),
        ("product_name", False),  # a thing's name
        ("company_name", False),
        ("username", False),
        ("file_name", False),
    ],
)
def test_person_name_hint(name: str, person: bool) -> None:
    assert name_hints(name).person_name is person


@pytest.mark.parametrize(
    ("name", "record"),
    [
        ("patient_id", True),
        ("custid", True),  # "id" glued to a word
        ("mrn", True),
        ("member_no", True),
        ("order_id", True),  # a unique order number links the row to the seller's records
        ("product_id", False),
        ("status_code", False),
        ("idea", False),
    ],
)
def test_record_id_hint(name: str, record: bool) -> None:
    assert name_hints(name).record_id is record

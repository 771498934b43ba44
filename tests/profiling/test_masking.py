"""What a profile shows of identifier values."""

from __future__ import annotations

import datetime as dt

import pytest

from anonlab.profiling.kinds import Kind
from anonlab.profiling.masking import mask_value


@pytest.mark.parametrize(
    ("value", "kind", "shown"),
    [
        ("jane.doe@example.com", Kind.EMAIL, "****.***@*******.***"),
        ("(617) 284-3310", Kind.PHONE, "(***) ***-****"),
        ("123-45-6789", Kind.SSN, "***-**-****"),
        ("Zoë Müller", Kind.PERSON_NAME, "*** ******"),  # accented letters too
        (2139, Kind.ZIP_CODE, "****"),  # numbers
        (dt.date(1987, 5, 2), Kind.DATE, "1987-**-**"),  # event dates keep their year
        (dt.date(1987, 5, 2), Kind.DATE_OF_BIRTH, "198*-**-**"),  # birth dates their decade
        (dt.datetime(2024, 3, 1, 10, 30), Kind.DATE, "2024-**-**"),
        (None, Kind.EMAIL, "null"),
        ("x" * 100, None, "*" * 60 + "…"),  # long values are cut
    ],
)
def test_mask_value(value, kind, shown: str) -> None:
    assert mask_value(value, kind) == shown


def test_no_letter_or_digit_survives() -> None:
    masked = mask_value("Call Maria at 617-284-3310 or maria@example.com", None)
    assert not any(ch.isalnum() for ch in masked)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("Иван Петров", "**** ******"),
        ("山田太郎", "****"),
        ("٣٤٥-٦٧", "***-**"),  # Arabic-Indic digits
        ("Zoë_O'Brien", "***_*'*****"),
    ],
)
def test_letters_and_digits_of_every_script_are_hidden(value: str, shown: str) -> None:
    assert mask_value(value, None) == shown


@pytest.mark.parametrize("value", [["123-45-6789"], ("a", "b"), {"k": "jane@x.org"}, b"raw"])
def test_nested_values_are_hidden_whole(value: object) -> None:
    assert mask_value(value, None) == "***"

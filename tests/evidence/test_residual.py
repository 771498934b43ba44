"""The residual scan: each record's own identifiers looked for in its released text."""

from __future__ import annotations

import datetime as dt
import unicodedata

import numpy as np
import polars as pl
import pytest

from anonlab.evidence.residual import residual_scan

ORIGINAL = pl.DataFrame({
    "name": ["Will Brown", "Ann Okafor", "Bo Li"],
    "phone": ["(415) 555-2671", "617-284-3310", None],
    "zip": ["02139", "94110", "10001"],
    "dob": [dt.date(1931, 5, 2), dt.date(1980, 1, 10), dt.date(1990, 12, 1)],
    "note": ["", "", ""],
})


def scan(texts: list[str | None], rows: list[int] | None = None):
    release = pl.DataFrame({"note": texts}, schema={"note": pl.String})
    order = np.arange(len(texts)) if rows is None else np.array(rows)
    return residual_scan(ORIGINAL, release, order, text_columns=["note"],
                         identifier_columns=["name", "phone", "zip", "dob", "note"])


def test_clean_text_passes() -> None:
    result = scan(["we will call; brown sputum", "seen <NAME>", None])
    assert result.passed and result.records == 3
    assert result.scanned == {"note": ["name", "phone", "zip", "dob"]}


def test_each_kind_of_residue_is_counted_not_shown() -> None:
    result = scan(["Will said hi", "call 6172843310 from 94110", "born 12/1/1990"])
    assert result.found == {"note": {"name": 1, "phone": 1, "zip": 1, "dob": 1}}
    assert "6172843310" not in repr(result.to_dict()) and "Will" not in str(result.to_dict())


def test_rows_pair_each_release_row_with_its_own_record() -> None:
    # row 0 of the release is original record 1: "Brown" is not its name
    assert scan(["Brown stable", "", ""], rows=[1, 0, 2]).passed
    assert scan(["OKAFOR stable", "", ""], rows=[1, 0, 2]).found == {"note": {"name": 1}}


def test_phone_found_whatever_its_separators() -> None:
    assert scan(["(415)555 2671", "", ""]).found == {"note": {"phone": 1}}
    assert scan(["415-555", "", ""]).passed  # a part of a number is not the number


def one(value: object, text: str, dtype: pl.DataType | None = None) -> bool:
    original = pl.DataFrame({"v": [value]}, schema={"v": dtype} if dtype else None)
    release = pl.DataFrame({"t": [text]})
    return bool(residual_scan(original, release, np.arange(1), text_columns=["t"],
                              identifier_columns=["v"]).found)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("Ann Smith-Jones", "Smith-Jones stable"),
        ("Sean O'Brien", "O\u2019Brien stable"),
        ("İbrahim Yılmaz", "IBRAHIM YILMAZ seen"),
        ("Klaus Strauß", "STRAUSS stable"),
        ("José Núñez", "Nunez reports pain"),
        ("Zoë Lefèvre", unicodedata.normalize("NFD", "Lefèvre was seen")),
        ("+1 747-327-0758", "call back at 747 327 07 58"),
        ("747-327-0758", "call ７４７-３２７-０７５８"),
        ("90063-1234", "zip 90063"),
        ("MRN-0048213", "MRN 48213"),
        ("Faith Rich", "portal user faithrich"),
        ("Faith Rich", "F A I T H R I C H"),
        ("Chidi Okonkwo", "The Okonkwos visited"),
        ("Maria de la Cruz y Fernandez Garcia", "Garcia stable"),
        (dt.date(1946, 4, 26), "seen 26 Apr 1946"),
        (dt.date(1946, 4, 26), "DOB 4/26/46"),
        ("1946-04-26", "DOB 04/26/1946"),
    ],
)
def test_written_forms_of_the_records_own_values(value: object, text: str) -> None:
    assert one(value, text)


def test_numbers_stored_as_floats_and_times() -> None:
    assert one(7473270758.0, "call 747 327 07 58", pl.Float64)
    assert not one(dt.time(10, 30), "at 10:30")  # a time of day is nobody's identifier


@pytest.mark.parametrize(("value", "text"), [
    ("747-327-0758", "area code 747 only"), ("Will Brown", "we will call"),
    ("Faith Rich", "rich in faith"), (dt.date(1946, 4, 26), "born in 1946"),
])
def test_what_is_not_the_value(value: object, text: str) -> None:
    assert not one(value, text)

"""The residual scan: each record's own identifiers looked for in its released text."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

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

"""Role suggestions and HIPAA Safe Harbor categories."""

from __future__ import annotations

import polars as pl
import pytest

from anonlab.profiling.detect import Detection
from anonlab.profiling.kinds import ColumnRole, HipaaCategory, Kind
from anonlab.profiling.roles import suggest_role


def found(kind: Kind | None, text_kinds: tuple[Kind, ...] = ()) -> Detection:
    return Detection(kind, 1.0 if kind else 0.0, 10, 10 if kind else 0, False, "test", text_kinds)


@pytest.mark.parametrize(
    ("name", "kind", "role", "hipaa"),
    [
        ("email", Kind.EMAIL, ColumnRole.IDENTIFIER, HipaaCategory.EMAIL),
        ("phone", Kind.PHONE, ColumnRole.IDENTIFIER, HipaaCategory.TELEPHONE),
        ("fax", Kind.PHONE, ColumnRole.IDENTIFIER, HipaaCategory.FAX),  # a phone named fax
        ("ssn", Kind.SSN, ColumnRole.IDENTIFIER, HipaaCategory.SSN),
        ("card", Kind.CREDIT_CARD, ColumnRole.IDENTIFIER, HipaaCategory.ACCOUNT),
        ("ip", Kind.IPV6, ColumnRole.IDENTIFIER, HipaaCategory.IP_ADDRESS),
        ("mac", Kind.MAC_ADDRESS, ColumnRole.IDENTIFIER, HipaaCategory.DEVICE),
        ("name", Kind.PERSON_NAME, ColumnRole.IDENTIFIER, HipaaCategory.NAMES),
        ("mrn", Kind.RECORD_ID, ColumnRole.IDENTIFIER, HipaaCategory.MEDICAL_RECORD),
        ("member_id", Kind.RECORD_ID, ColumnRole.IDENTIFIER, HipaaCategory.HEALTH_PLAN),
        ("account_no", Kind.RECORD_ID, ColumnRole.IDENTIFIER, HipaaCategory.ACCOUNT),
        ("license_no", Kind.RECORD_ID, ColumnRole.IDENTIFIER, HipaaCategory.CERTIFICATE),
        ("vin", Kind.RECORD_ID, ColumnRole.IDENTIFIER, HipaaCategory.VEHICLE),
        ("ref", Kind.RECORD_ID, ColumnRole.IDENTIFIER, HipaaCategory.OTHER_UNIQUE),
        ("zip", Kind.ZIP_CODE, ColumnRole.QUASI_IDENTIFIER, HipaaCategory.GEOGRAPHIC),
        ("dob", Kind.DATE_OF_BIRTH, ColumnRole.QUASI_IDENTIFIER, HipaaCategory.DATES),
        ("admitted", Kind.DATE, ColumnRole.QUASI_IDENTIFIER, HipaaCategory.DATES),
        ("city", Kind.CITY, ColumnRole.QUASI_IDENTIFIER, HipaaCategory.GEOGRAPHIC),
    ],
)
def test_kinds(name: str, kind: Kind, role: ColumnRole, hipaa: HipaaCategory) -> None:
    s = suggest_role(name, pl.String, found(kind), uniqueness=1.0, non_null=10)
    assert (s.role, s.hipaa) == (role, hipaa)
    assert s.reason.startswith(role.value.replace("_", "-"))


def test_free_text_category_follows_what_it_contains() -> None:
    d = found(Kind.FREE_TEXT_WITH_IDENTIFIERS, (Kind.PHONE, Kind.EMAIL))
    s = suggest_role("note", pl.String, d, uniqueness=1.0, non_null=10)
    assert (s.role, s.hipaa) == (ColumnRole.IDENTIFIER, HipaaCategory.TELEPHONE)


@pytest.mark.parametrize(
    ("name", "dtype", "uniqueness", "max_value", "role", "hipaa"),
    [
        ("age", pl.Int64, 0.1, 85, ColumnRole.QUASI_IDENTIFIER, None),
        ("age", pl.Int64, 0.1, 97, ColumnRole.QUASI_IDENTIFIER, HipaaCategory.DATES),  # over 89
        ("sex", pl.String, 0.0, None, ColumnRole.QUASI_IDENTIFIER, None),
        ("ethnicity", pl.String, 0.0, None, ColumnRole.QUASI_IDENTIFIER, None),
        ("marital-status", pl.String, 0.0, None, ColumnRole.QUASI_IDENTIFIER, None),
        ("diagnosis", pl.String, 0.1, None, ColumnRole.SENSITIVE, None),
        ("salary-class", pl.String, 0.0, None, ColumnRole.SENSITIVE, None),
        ("total_charges", pl.Float64, 1.0, None, ColumnRole.SENSITIVE, None),
        ("photo", pl.Binary, 1.0, None, ColumnRole.IDENTIFIER, None),  # cannot be inspected
        ("ticket", pl.String, 1.0, None, ColumnRole.IDENTIFIER, HipaaCategory.OTHER_UNIQUE),
        ("reading", pl.Float64, 1.0, None, ColumnRole.INSENSITIVE, None),  # unique floats
        ("colour", pl.String, 0.01, None, ColumnRole.INSENSITIVE, None),
    ],
)
def test_without_a_kind(name, dtype, uniqueness, max_value, role, hipaa) -> None:
    s = suggest_role(name, dtype, found(None), uniqueness=uniqueness, non_null=100,
                     max_value=max_value)
    assert (s.role, s.hipaa) == (role, hipaa)
    assert s.reason


def test_hipaa_has_the_18_categories_in_order() -> None:
    cats = list(HipaaCategory)
    assert [c.number for c in cats] == list(range(1, 19))
    assert "".join(c.letter for c in cats) == "ABCDEFGHIJKLMNOPQR"
    assert str(HipaaCategory.SSN) == "(G) Social Security numbers"

"""Detection rules: what each rule needs from the values and from the name."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from anonlab.profiling.detect import detect_values
from anonlab.profiling.kinds import Kind

TODAY = dt.date(2026, 1, 1)


def detect(name: str, values: list, dtype: pl.DataType | None = None, **kw):
    s = pl.Series(name, values, dtype=dtype).drop_nulls()
    kw.setdefault("sampled", False)
    return detect_values(
        s, name, non_null=kw.pop("non_null", s.len()), distinct=kw.pop("distinct", s.n_unique()),
        today=TODAY, **kw,
    )


def test_share_counts_only_matching_values() -> None:
    values = ["a@example.com"] * 9 + ["not an address"]
    d = detect("contact", values)
    assert d.kind is Kind.EMAIL
    assert (d.matched, d.checked) == (9, 10)
    assert d.share == pytest.approx(0.9)
    assert "90% of 10 values" in d.evidence


def test_below_threshold_is_not_that_kind() -> None:
    d = detect("contact", ["a@example.com"] * 7 + ["x"] * 3)
    assert d.kind is None


def test_sampled_detection_says_so() -> None:
    d = detect("email", ["a@example.com", "b@example.org"] * 5, sampled=True)
    assert d.sampled
    assert "sampled" in d.evidence


@pytest.mark.parametrize(
    ("name", "values", "kind"),
    [
        # nine bare digits: an SSN only where the name says so
        ("ssn", ["123456789", "234567890"] * 10, Kind.SSN),
        ("order_no", ["123456789", "234567890"] * 10, None),
        # five digits: a ZIP only where the name says so
        ("zip", ["02139", "10001"] * 10, Kind.ZIP_CODE),
        ("qty_code", ["02139", "10001"] * 10, None),
        # ten bare digits: a phone only where the name says so
        ("phone", ["6172843310", "2125550143"] * 10, Kind.PHONE),
        ("ref", ["6172843310", "2125550143"] * 10, None),
        # city names: only under a city-like name
        ("city", ["Boston", "New York"] * 10, Kind.CITY),
        ("city_code", ["LAX", "JFK", "ORD"] * 10, None),  # airport codes, not place names
        ("location", ["Boston", "New York"] * 10, None),
    ],
)
def test_ambiguous_formats_need_the_name(name: str, values: list, kind: Kind | None) -> None:
    assert detect(name, values).kind is kind


@pytest.mark.parametrize(
    ("name", "values", "dtype", "kind"),
    [
        ("ssn", [123456789, 234567890, 78051120], pl.Int64, Kind.SSN),  # leading zero lost
        ("zip", [2139, 10001, 60614], pl.Int64, Kind.ZIP_CODE),
        ("customer_id", list(range(100, 150)), pl.Int64, Kind.RECORD_ID),
        ("order_id", list(range(100, 150)), pl.Int64, Kind.RECORD_ID),  # links to the orders
        ("product_id", list(range(100, 150)), pl.Int64, None),  # a catalogue code
        ("count", list(range(100, 150)), pl.Int64, None),
        ("latitude", [42.36, 40.71, -33.87], pl.Float64, Kind.GEO_COORDINATES),
        ("latitude", [142.36, 240.71, -133.87], pl.Float64, None),  # out of range
        ("lon", [1.0, 2.0, 3.0], pl.Float64, None),  # whole numbers are not coordinates
        ("price", [1.5, 2.25], pl.Float64, None),
        ("flag", [True, False], pl.Boolean, None),
    ],
)
def test_numbers(name: str, values: list, dtype: pl.DataType, kind: Kind | None) -> None:
    assert detect(name, values, dtype).kind is kind


@pytest.mark.parametrize(
    ("name", "values", "kind"),
    [
        ("dob", [dt.date(1980, 1, 1), dt.date(1990, 5, 5)], Kind.DATE_OF_BIRTH),
        ("birth_date", ["1980-01-01", "1990-05-05"], Kind.DATE_OF_BIRTH),  # as text
        ("geburtsdatum", ["01.01.1980", "05.05.1990"], Kind.DATE_OF_BIRTH),
        ("admission_date", [dt.date(1980, 1, 1), dt.date(2020, 5, 5)], Kind.DATE),
        ("created_at", [dt.datetime(2024, 1, 1, 10), dt.datetime(2024, 2, 1)], Kind.DATE),
        # future "birth" dates are not plausible birth dates: just dates
        ("dob", [dt.date(2030, 1, 1), dt.date(2031, 5, 5)], Kind.DATE),
    ],
)
def test_dates(name: str, values: list, kind: Kind) -> None:
    d = detect(name, values)
    assert d.kind is kind


def test_implausible_birth_dates_are_explained() -> None:
    d = detect("dob", [dt.date(2030, 1, 1), dt.date(2031, 5, 5)])
    assert "plausible birth dates" in d.evidence


@pytest.mark.parametrize(
    ("name", "values", "kind"),
    [
        ("full_name", ["Maria Garcia", "John Smith", "Li Wei"] * 5, Kind.PERSON_NAME),
        ("surname", ["Garcia", "Smith", "O'Brien", "McDonald"] * 5, Kind.PERSON_NAME),
        ("patient", ["Garcia, Maria", "Smith, John J."] * 5, Kind.PERSON_NAME),
        # no name hint: the shape and common given names decide
        ("col_3", ["Maria Garcia", "John Smith", "Sarah Brown", "David Lee"] * 5,
         Kind.PERSON_NAME),
        # a thing's name, shaped like a person's
        ("product_name", ["Maria Garcia", "John Smith"] * 5, None),
        # capitalized words that are not given names
        ("col_4", ["Blue Widget", "Red Gadget", "Green Gizmo"] * 5, None),
    ],
)
def test_person_names(name: str, values: list, kind: Kind | None) -> None:
    assert detect(name, values).kind is kind


def test_free_text_with_identifiers_lists_what_it_found() -> None:
    notes = [
        "Patient doing well, follow up in two weeks.",
        "Asked to be called at (617) 284-3310 about results.",
        "Sent the summary to jane.doe@example.com today.",
        "Stable; discussed diet and exercise at length.",
    ] * 10
    d = detect("note", notes)
    assert d.kind is Kind.FREE_TEXT_WITH_IDENTIFIERS
    assert set(d.text_kinds) == {Kind.PHONE, Kind.EMAIL}
    assert d.share == pytest.approx(0.5)


def test_free_text_without_identifiers() -> None:
    notes = ["Please call the clinic to reschedule the visit.", "Email us with any questions."]
    d = detect("comment", notes * 10)
    assert d.kind is None
    assert "free text" in d.evidence


@pytest.mark.parametrize(
    ("name", "values", "kind"),
    [
        ("mrn", [f"MRN-{i:07d}" for i in range(50)], Kind.RECORD_ID),
        ("col_9", [f"XKD{i:06d}" for i in range(50)], Kind.RECORD_ID),  # letters + digits
        ("request_uuid", [f"{i:08x}-1234-4abc-8def-{i:012x}" for i in range(50)], Kind.RECORD_ID),
        ("sku", ["SKU-1234", "SKU-2222"] * 25, None),  # repeated: not unique
        ("icd", ["E11.9", "I10", "J45.909"] * 10, None),
        ("amount", [f"{i}.{i % 100:02d}" for i in range(1000, 1050)], None),  # decimals
        ("col_5", [f"{i:013d}" for i in range(50)], None),  # bare digits need an id-like name
        ("col_6", [f"{i:064x}" for i in range(50)], None),  # hex digests
        ("col_7", [f"{i % 24:02d}:{i % 60:02d}:00" for i in range(50)], None),  # times of day
    ],
)
def test_record_ids(name: str, values: list, kind: Kind | None) -> None:
    assert detect(name, values).kind is kind


def test_nested_values_are_flattened() -> None:
    values = [["a@example.com", "b@example.org"], ["c@example.net"]] * 5
    d = detect("emails", values)
    assert d.kind is Kind.EMAIL
    assert d.evidence.startswith("nested values")


def test_struct_fields_are_flattened() -> None:
    values = [{"home": "(617) 284-3310", "work": "617-284-3311"}] * 10
    assert detect("contact", values).kind is Kind.PHONE


@pytest.mark.parametrize(
    ("values", "dtype", "reason"),
    [
        ([b"\x89PNG", b"\x00\x01"], pl.Binary, "binary"),
        ([dt.timedelta(days=1)], pl.Duration("us"), "durations"),
        ([], pl.String, "no non-null values"),
    ],
)
def test_uninspectable_values(values: list, dtype: pl.DataType, reason: str) -> None:
    d = detect("x", values, dtype)
    assert d.kind is None
    assert reason in d.evidence


def test_to_dict_is_plain_data() -> None:
    d = detect("email", ["a@example.com"] * 3)
    assert d.to_dict() == {
        "kind": "email",
        "share": 1.0,
        "checked": 3,
        "matched": 3,
        "sampled": False,
        "evidence": d.evidence,
        "text_kinds": [],
        "seen": ["email"],
        "opaque": False,
    }


def test_a_mix_of_direct_identifiers_is_called_by_its_most_common_kind() -> None:
    values = ["a@example.com", "b@example.org", "c@example.net"] * 4 + ["(617) 284-3310"] * 8
    d = detect("contact", values)
    assert d.kind is Kind.EMAIL
    assert d.share == 1.0
    assert "several kinds: 60% e-mail addresses, 40% telephone numbers" in d.evidence
    assert set(d.seen) == {Kind.EMAIL, Kind.PHONE}


def test_seen_records_identifiers_below_the_threshold() -> None:
    d = detect("remarks", ["n/a"] * 30 + ["123-45-6789"])
    assert d.kind is None
    assert d.seen == (Kind.SSN,)

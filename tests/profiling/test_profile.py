"""anonlab.profile end to end: statistics, detection, roles, masking, and every frame kind."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import anonlab
from anonlab import ColumnRole, HipaaCategory, Kind
from anonlab.profiling.detect import detect_values

KINDS = ["polars", "lazy", "pandas", "arrow"]


def as_kind(df: pl.DataFrame, kind: str):
    return {
        "polars": lambda: df,
        "lazy": df.lazy,
        "pandas": df.to_pandas,
        "arrow": df.to_arrow,
    }[kind]()


@pytest.fixture(scope="module")
def patients() -> pl.DataFrame:
    return anonlab.datasets.patients(n=1000, seed=0)


@pytest.fixture(scope="module")
def patients_profile(patients: pl.DataFrame) -> anonlab.Profile:
    return anonlab.profile(patients)


def test_statistics_match_polars(patients: pl.DataFrame, patients_profile) -> None:
    for col in patients.columns:
        c = patients_profile[col]
        s = patients.get_column(col)
        assert c.rows == patients.height
        assert c.nulls == s.null_count()
        assert c.distinct == s.drop_nulls().n_unique()
        assert c.uniqueness == pytest.approx(c.distinct / (c.rows - c.nulls))
    charges = patients_profile["total_charges"]
    s = patients.get_column("total_charges")
    assert (charges.min, charges.max) == (s.min(), s.max())
    assert charges.mean == pytest.approx(s.mean())
    insurer = patients_profile["insurer"]
    lengths = patients.get_column("insurer").str.len_chars()
    assert (insurer.min_length, insurer.max_length) == (lengths.min(), lengths.max())


def test_top_values_are_counted_and_ordered(patients: pl.DataFrame, patients_profile) -> None:
    top = patients_profile["insurer"].top_values
    counts = patients.get_column("insurer").value_counts()
    expected = dict(zip(counts["insurer"].to_list(), counts["count"].to_list(), strict=True))
    assert len(top) == 5
    assert [n for _, n in top] == sorted((n for _, n in top), reverse=True)
    for value, n in top:
        assert expected[value] == n


@pytest.mark.parametrize(
    ("column", "kind", "role", "hipaa"),
    [
        ("name", Kind.PERSON_NAME, ColumnRole.IDENTIFIER, HipaaCategory.NAMES),
        ("email", Kind.EMAIL, ColumnRole.IDENTIFIER, HipaaCategory.EMAIL),
        ("phone", Kind.PHONE, ColumnRole.IDENTIFIER, HipaaCategory.TELEPHONE),
        ("ssn", Kind.SSN, ColumnRole.IDENTIFIER, HipaaCategory.SSN),
        ("mrn", Kind.RECORD_ID, ColumnRole.IDENTIFIER, HipaaCategory.MEDICAL_RECORD),
        ("address", Kind.STREET_ADDRESS, ColumnRole.IDENTIFIER, HipaaCategory.GEOGRAPHIC),
        ("city", Kind.CITY, ColumnRole.QUASI_IDENTIFIER, HipaaCategory.GEOGRAPHIC),
        ("zip", Kind.ZIP_CODE, ColumnRole.QUASI_IDENTIFIER, HipaaCategory.GEOGRAPHIC),
        ("date_of_birth", Kind.DATE_OF_BIRTH, ColumnRole.QUASI_IDENTIFIER, HipaaCategory.DATES),
        ("sex", None, ColumnRole.QUASI_IDENTIFIER, None),
        ("ethnicity", None, ColumnRole.QUASI_IDENTIFIER, None),
        ("admission_date", Kind.DATE, ColumnRole.QUASI_IDENTIFIER, HipaaCategory.DATES),
        ("diagnosis", None, ColumnRole.SENSITIVE, None),
        ("note", Kind.FREE_TEXT_WITH_IDENTIFIERS, ColumnRole.IDENTIFIER,
         HipaaCategory.TELEPHONE),
        ("total_charges", None, ColumnRole.SENSITIVE, None),
    ],
)
def test_patients_kinds_and_roles(patients_profile, column, kind, role, hipaa) -> None:
    c = patients_profile[column]
    assert (c.kind, c.role, c.hipaa) == (kind, role, hipaa), c.detection.evidence
    assert c.role_reason


def test_role_listings(patients_profile) -> None:
    assert set(patients_profile.identifiers) == {
        "name", "email", "phone", "ssn", "mrn", "address", "note"
    }
    assert "zip" in patients_profile.quasi_identifiers
    assert "diagnosis" in patients_profile.sensitive
    assert patients_profile.by_role("identifier") == patients_profile.identifiers
    assert patients_profile.hipaa_identifiers["ssn"] is HipaaCategory.SSN


@pytest.mark.parametrize("kind", KINDS)
def test_every_frame_kind_gives_the_same_profile(patients: pl.DataFrame, patients_profile,
                                                 kind: str) -> None:
    prof = anonlab.profile(as_kind(patients, kind))
    assert prof.source == kind
    assert prof.names == patients_profile.names
    for a, b in zip(prof, patients_profile, strict=True):
        assert (a.kind, a.role, a.distinct, a.nulls) == (b.kind, b.role, b.distinct, b.nulls)
        assert a.top_values == b.top_values


def test_dtype_is_named_as_the_caller_knows_it() -> None:
    pdf = pd.DataFrame({"n": pd.array([1, None], dtype="Int64"), "s": ["a", "b"]})
    prof = anonlab.profile(pdf)
    assert prof["n"].dtype == "Int64"
    assert prof["n"].polars_dtype == "Int64"
    assert prof["s"].dtype == "str"


@pytest.mark.parametrize("kind", KINDS)
def test_to_frame_returns_the_profiled_kind(patients: pl.DataFrame, kind: str) -> None:
    table = anonlab.profile(as_kind(patients.head(50), kind)).to_frame()
    expected = {"polars": pl.DataFrame, "lazy": pl.DataFrame, "pandas": pd.DataFrame,
                "arrow": pa.Table}[kind]
    assert isinstance(table, expected)
    assert len(table) if kind != "arrow" else table.num_rows == patients.width


def test_to_frame_columns(patients_profile) -> None:
    table = patients_profile.to_frame(backend="polars")
    assert table.height == len(patients_profile)
    row = table.filter(pl.col("column") == "ssn").row(0, named=True)
    assert row["kind"] == "ssn"
    assert row["role"] == "identifier"
    assert row["hipaa"] == "(G) Social Security numbers"
    with pytest.raises(anonlab.ParameterError, match=r"'backend' parameter of Profile\.to_frame"):
        patients_profile.to_frame(backend="spark")


def test_identifier_values_never_appear(patients: pl.DataFrame, patients_profile) -> None:
    """No raw value of an identifier column survives into any rendering of the profile."""
    rendered = "\n".join([
        json.dumps(patients_profile.to_dict()),
        patients_profile._repr_html_(),
        repr(patients_profile),
        patients_profile.to_frame(backend="polars").write_csv(),
    ])
    for col in patients_profile:
        if not col.masked:
            continue
        raw = patients.get_column(col.name).drop_nulls()
        if raw.dtype == pl.String:
            values = raw.unique().to_list()
        elif raw.dtype == pl.Date:
            values = [d.isoformat() for d in raw.unique().to_list()]
        else:
            continue
        leaked = [v for v in values if len(v) >= 5 and _appears(v, rendered)]
        assert not leaked, f"{col.name}: {len(leaked)} raw values leaked"


def _appears(value: str, text: str) -> bool:
    """Whether ``value`` is in ``text``; a digits-only value (a ZIP) must stand alone, not be a
    window of some longer printed number such as a mean of 10287.55."""
    if value.isdigit():
        return re.search(rf"(?<![\d.]){value}(?![\d.])", text) is not None
    return value in text


def test_masked_statistics(patients_profile) -> None:
    dob = patients_profile["date_of_birth"]
    assert dob.masked
    assert isinstance(dob.min, str) and dob.min.endswith("*-**-**")
    assert dob.mean is None
    email = patients_profile["email"]
    assert all(set(str(v)) <= set("*@.-_+'") for v, _ in email.top_values)
    assert not patients_profile["insurer"].masked


def test_to_dict_is_json(patients_profile) -> None:
    data = json.loads(json.dumps(patients_profile.to_dict()))
    assert data["format_version"] == 1
    assert data["rows"] == 1000
    assert [c["name"] for c in data["columns"]] == list(patients_profile.names)
    ssn = next(c for c in data["columns"] if c["name"] == "ssn")
    assert ssn["hipaa"] == {"number": 7, "letter": "G", "label": "Social Security numbers"}
    assert ssn["detection"]["kind"] == "ssn"


def test_profile_is_immutable(patients_profile) -> None:
    with pytest.raises(AttributeError):
        patients_profile.rows = 5  # type: ignore[misc]
    with pytest.raises(AttributeError):
        patients_profile["ssn"].role = ColumnRole.INSENSITIVE  # type: ignore[misc]


def test_unknown_column(patients_profile) -> None:
    with pytest.raises(anonlab.ColumnNotFoundError, match="'emial' is not in the frame"):
        patients_profile["emial"]
    assert "email" in patients_profile
    assert "emial" not in patients_profile


def test_sample_profiles_fewer_rows(patients: pl.DataFrame) -> None:
    prof = anonlab.profile(patients, sample=300, seed=1)
    assert prof.rows == 1000
    assert prof.rows_profiled == 300
    assert prof.sampled
    assert all(c.rows == 300 for c in prof)
    assert "sample of 300" in prof._repr_html_()
    assert anonlab.profile(patients, sample=300, seed=1) == prof  # reproducible


def test_detection_samples_large_frames_and_says_so(patients: pl.DataFrame) -> None:
    prof = anonlab.profile(patients, detection_rows=200)
    ssn = prof["ssn"]
    assert ssn.detection.sampled
    assert ssn.detection.checked == 200
    assert ssn.kind is Kind.SSN
    assert ssn.distinct == 1000  # statistics still cover every row
    assert "sampled" in ssn.detection.evidence


def test_sparse_column_is_looked_at_beyond_the_sample() -> None:
    emails = [None] * 5000
    for i in range(0, 5000, 500):
        emails[i] = f"user{i}@example.com"
    prof = anonlab.profile(pl.DataFrame({"contact": emails}), detection_rows=100)
    assert prof["contact"].kind is Kind.EMAIL
    assert prof["contact"].detection.checked == 10


def test_deterministic(patients: pl.DataFrame) -> None:
    assert anonlab.profile(patients, detection_rows=300) == anonlab.profile(
        patients, detection_rows=300
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sample": 0}, "'sample' parameter of profile must be an int >= 1 or None"),
        ({"detection_rows": 0}, "'detection_rows' parameter of profile must be an int >= 1"),
        ({"seed": -1}, "'seed' parameter of profile must be an int >= 0"),
        ({"top": 1000}, "'top' parameter of profile must be an int >= 0 and <= 100"),
    ],
)
def test_bad_parameters(kwargs: dict, message: str) -> None:
    with pytest.raises(anonlab.ParameterError, match=message):
        anonlab.profile(pl.DataFrame({"a": [1]}), **kwargs)


def test_age_over_89_is_flagged() -> None:
    prof = anonlab.profile(pl.DataFrame({"age": [34, 57, 91, 45]}))
    assert prof["age"].role is ColumnRole.QUASI_IDENTIFIER
    assert prof["age"].hipaa is HipaaCategory.DATES
    assert "90+" in prof["age"].role_reason


def test_dates_get_min_max_mean() -> None:
    days = [dt.date(2024, 1, 1), dt.date(2024, 1, 3)]
    prof = anonlab.profile(pl.DataFrame({"shipped": days, "n": [1, 2]}))
    shipped = prof["shipped"]
    assert shipped.kind is Kind.DATE
    assert shipped.min == "2024-**-**"  # a date tied to a person is masked to its year


def test_shown_values_holding_identifiers_are_masked_even_in_plain_columns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # detection looks at a sample; a value about to be shown is checked on its own as well
    import importlib

    profile_module = importlib.import_module("anonlab.profiling.profile")
    frame = pl.DataFrame({"comment": ["ok"] * 50 + ["write to jane@example.org"] * 3})

    def blind(*args, **kwargs):  # a detection that saw nothing
        return dataclasses.replace(detect_values(*args, **kwargs), kind=None, seen=())

    monkeypatch.setattr(profile_module, "detect_values", blind)
    col = anonlab.profile(frame)["comment"]
    assert not col.masked
    shown = [v for v, _ in col.top_values]
    assert "write to jane@example.org" not in shown
    assert "ok" in shown


def test_enum_categories_do_not_leak_through_the_dtype() -> None:
    frame = pl.DataFrame(
        {"ssn": pl.Series(["123-45-6789"], dtype=pl.Enum(["123-45-6789", "987-65-4321"]))}
    )
    col = anonlab.profile(frame)["ssn"]
    assert col.polars_dtype == "Enum(2 categories)"
    assert "6789" not in col.dtype and "6789" not in repr(anonlab.profile(frame).to_dict())

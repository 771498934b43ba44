"""anonlab.datasets.patients: schema, determinism, validity and realism of the synthetic table."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from anonlab.datasets import patients
from anonlab.errors import ParameterError

SCHEMA = [
    ("name", pl.String),
    ("email", pl.String),
    ("phone", pl.String),
    ("ssn", pl.String),
    ("mrn", pl.String),
    ("address", pl.String),
    ("city", pl.String),
    ("zip", pl.String),
    ("date_of_birth", pl.Date),
    ("sex", pl.String),
    ("ethnicity", pl.String),
    ("admission_date", pl.Date),
    ("discharge_date", pl.Date),
    ("diagnosis_code", pl.String),
    ("diagnosis", pl.String),
    ("note", pl.String),
    ("total_charges", pl.Float64),
    ("insurer", pl.String),
]

# Real ZIP3 prefixes of each city (USPS), written out independently of the generator.
ZIP3 = {
    "New York": {"100", "101", "102", "103", "104", "112", "113", "114", "116"},
    "Los Angeles": {"900", "913", "914"}, "Chicago": {"606"}, "Houston": {"770"},
    "Phoenix": {"850"}, "Philadelphia": {"191"}, "San Antonio": {"782"}, "San Diego": {"921"},
    "Dallas": {"752"}, "San Jose": {"951"}, "Austin": {"787"}, "Jacksonville": {"322"},
    "Fort Worth": {"761"}, "Columbus": {"432"}, "Indianapolis": {"462"}, "Charlotte": {"282"},
    "San Francisco": {"941"}, "Seattle": {"981"}, "Denver": {"802"}, "Washington": {"200"},
    "Nashville": {"372"}, "Oklahoma City": {"731"}, "El Paso": {"799"},
    "Boston": {"021", "022"}, "Las Vegas": {"891"}, "Detroit": {"482"}, "Memphis": {"381"},
    "Louisville": {"402"}, "Baltimore": {"212"}, "Milwaukee": {"532"}, "Albuquerque": {"871"},
    "Tucson": {"857"}, "Fresno": {"937"}, "Sacramento": {"958"}, "Atlanta": {"303"},
    "Omaha": {"681"}, "Raleigh": {"276"}, "Miami": {"331"}, "Minneapolis": {"554"},
    "Tampa": {"336"}, "New Orleans": {"701"}, "Cleveland": {"441"}, "Honolulu": {"968"},
    "Cincinnati": {"452"}, "Newark": {"071"}, "St. Louis": {"631"}, "Pittsburgh": {"152"},
    "Salt Lake City": {"841"}, "Providence": {"029"}, "Hartford": {"061"},
}

KNOWN_CODES = {
    "E11.9": "Type 2 diabetes mellitus without complications",
    "I10": "Essential (primary) hypertension",
    "J45.909": "Unspecified asthma, uncomplicated",
    "F32.9": "Major depressive disorder, single episode, unspecified",
    "N39.0": "Urinary tract infection, site not specified",
    "J18.9": "Pneumonia, unspecified organism",
    "I50.9": "Heart failure, unspecified",
    "K21.9": "Gastro-esophageal reflux disease without esophagitis",
    "E78.5": "Hyperlipidemia, unspecified",
    "O80": "Encounter for full-term uncomplicated delivery",
    "C61": "Malignant neoplasm of prostate",
    "U07.1": "COVID-19",
}

INSURERS = {
    "Medicare", "Medicaid", "Blue Cross Blue Shield", "Aetna", "UnitedHealthcare", "Cigna",
    "Humana", "Kaiser Permanente", "Self-pay",
}

ETHNICITIES = {
    "White", "Black or African American", "Hispanic or Latino", "Asian",
    "American Indian or Alaska Native", "Native Hawaiian or Other Pacific Islander",
    "Two or more races",
}

PHONE_FORMATS = [
    r"^\((\d{3})\) (\d{3})-(\d{4})$",
    r"^(\d{3})-(\d{3})-(\d{4})$",
    r"^\+1 (\d{3}) (\d{3}) (\d{4})$",
    r"^(\d{3})\.(\d{3})\.(\d{4})$",
]
PHONE_IN_TEXT = (
    r"(\(\d{3}\) \d{3}-\d{4}|\+1 \d{3} \d{3} \d{4}|\b\d{3}-\d{3}-\d{4}\b|\b\d{3}\.\d{3}\.\d{4}\b)"
)
EMAIL_IN_TEXT = r"([a-z0-9._]+@[a-z0-9-]+(\.[a-z]+)+)"


@pytest.fixture(scope="module")
def df() -> pl.DataFrame:
    return patients(20_000, seed=7)


# --- shape and parameters --------------------------------------------------------------------


def test_schema(df: pl.DataFrame) -> None:
    assert list(df.schema.items()) == SCHEMA
    assert df.height == 20_000
    assert df.null_count().sum_horizontal().item() == 0


def test_defaults() -> None:
    default = patients()
    assert default.shape == (1000, 18)
    assert default.equals(patients(1000, 0, backend="polars"))


def test_deterministic() -> None:
    assert patients(500, seed=3).equals(patients(500, seed=3))


def test_seed_changes_the_data() -> None:
    a, b = patients(500, seed=3), patients(500, seed=4)
    assert not a.equals(b)
    for column in ("name", "ssn", "mrn", "phone", "email", "address", "note"):
        assert (a[column] != b[column]).mean() > 0.9, column


def test_empty_frame_has_the_schema() -> None:
    empty = patients(0)
    assert empty.height == 0
    assert list(empty.schema.items()) == SCHEMA
    assert patients(0, backend="pandas").columns.tolist() == [c for c, _ in SCHEMA]
    assert patients(0, backend="arrow").num_rows == 0


@pytest.mark.parametrize("n", [-1, 1.5, 10.0, True, "10", None, 10_000_001])
def test_bad_n(n: object) -> None:
    with pytest.raises(ParameterError, match=r"^The 'n' parameter of patients must be an int"):
        patients(n)  # type: ignore[arg-type]


def test_bad_n_message() -> None:
    with pytest.raises(ParameterError) as exc:
        patients(-1)
    assert str(exc.value) == (
        "The 'n' parameter of patients must be an int >= 0 and <= 10000000. Got -1 instead."
    )


@pytest.mark.parametrize("seed", [-1, 1.0, False, "0", None])
def test_bad_seed(seed: object) -> None:
    with pytest.raises(ParameterError, match=r"^The 'seed' parameter of patients"):
        patients(10, seed=seed)  # type: ignore[arg-type]


@pytest.mark.parametrize("backend", ["spark", "Polars", None, "lazy"])
def test_bad_backend(backend: object) -> None:
    with pytest.raises(ParameterError, match=r"^The 'backend' parameter of patients"):
        patients(10, backend=backend)  # type: ignore[arg-type]


def test_backends_hold_the_same_values() -> None:
    df = patients(300, seed=11)
    table = patients(300, seed=11, backend="arrow")
    assert isinstance(table, pa.Table)
    assert pl.from_arrow(table).equals(df)
    pdf = patients(300, seed=11, backend="pandas")
    assert isinstance(pdf, pd.DataFrame)
    assert pdf.columns.tolist() == df.columns
    for column, dtype in SCHEMA:
        got = pdf[column].tolist()
        if dtype == pl.Date:
            got = [ts.date() for ts in pd.to_datetime(pdf[column])]
        assert got == df[column].to_list(), column


def test_docstring() -> None:
    doc = patients.__doc__ or ""
    assert "synthetic" in doc.lower()
    assert "deterministic" in doc.lower()
    assert "no real person" in doc.lower()
    for column, _ in SCHEMA:
        assert f"``{column}``" in doc, column


def test_vectorized_at_scale() -> None:
    """A large table is generated in one go (no per-row Python); time is not asserted."""
    big = patients(200_000, seed=1)
    assert big.height == 200_000
    assert big["ssn"].n_unique() == 200_000
    assert big["mrn"].n_unique() == 200_000
    assert big["email"].n_unique() == 200_000


# --- identifiers -----------------------------------------------------------------------------


def test_names_are_first_and_last_and_match_sex(df: pl.DataFrame) -> None:
    assert df["name"].str.contains(r"^[A-Z][a-z]+ [A-Z][A-Za-z']+$").all()
    first = df.select(pl.col("name").str.split(" ").list.first().alias("first"), "sex")
    female = set(first.filter(pl.col("sex") == "F")["first"])
    male = set(first.filter(pl.col("sex") == "M")["first"])
    assert not female & male
    assert len(female) > 60 and len(male) > 60
    assert first["first"].n_unique() > 120
    assert df["name"].str.split(" ").list.last().n_unique() > 120


def test_emails(df: pl.DataFrame) -> None:
    email = df["email"]
    assert email.n_unique() == df.height
    assert email.str.contains(r"^[a-z0-9._]+@[a-z0-9-]+(\.[a-z]+)+$").all()
    assert email.str.split("@").list.last().n_unique() >= 6
    assert email.str.contains("@gmail.com", literal=True).mean() > 0.25
    # derived from the name: the local part holds the first name or the surname
    parts = df.select(
        local=pl.col("email").str.split("@").list.first(),
        first=pl.col("name").str.split(" ").list.first().str.to_lowercase(),
        last=pl.col("name").str.split(" ").list.last().str.to_lowercase()
        .str.replace_all("[^a-z]", ""),
    )
    derived = parts.select(
        pl.col("local").str.contains(pl.col("first"), literal=True)
        | pl.col("local").str.contains(pl.col("last"), literal=True)
    ).to_series()
    assert derived.all()


def test_phones(df: pl.DataFrame) -> None:
    phone = df["phone"]
    shapes = [phone.str.contains(p) for p in PHONE_FORMATS]
    matched = shapes[0] | shapes[1] | shapes[2] | shapes[3]
    assert matched.all()
    for s in shapes:  # every format is used
        assert s.mean() > 0.05
    digits = df.select(
        pl.col("city"),
        area=pl.col("phone").str.replace_all(r"\D", "").str.slice(-10, 3),
        exchange=pl.col("phone").str.replace_all(r"\D", "").str.slice(-7, 3),
    )
    assert digits["exchange"].str.contains(r"^[2-9]\d\d$").all()
    assert (digits["exchange"] != "555").all()
    assert digits["area"].str.contains(r"^[2-9]\d\d$").all()
    # each area code belongs to exactly one city, and a city has at most 7
    assert digits.group_by("area").agg(pl.col("city").n_unique())["city"].max() == 1
    assert digits.group_by("city").agg(pl.col("area").n_unique())["area"].max() <= 7
    areas = digits.group_by("city").agg(pl.col("area").unique())
    by_city = {row["city"]: set(row["area"]) for row in areas.iter_rows(named=True)}
    assert by_city["Boston"] <= {"617", "857"}
    assert by_city["Chicago"] <= {"312", "773", "872"}
    assert by_city["Seattle"] == {"206"}


def test_ssns_are_valid_and_unique(df: pl.DataFrame) -> None:
    ssn = df["ssn"]
    assert ssn.str.contains(r"^\d{3}-\d{2}-\d{4}$").all()
    assert ssn.n_unique() == df.height
    parts = ssn.str.split("-").list.to_struct(fields=["area", "group", "serial"]).struct.unnest()
    area = parts["area"].cast(pl.Int32)
    group = parts["group"].cast(pl.Int32)
    serial = parts["serial"].cast(pl.Int32)
    assert area.is_between(1, 899).all()
    assert (area != 666).all()
    assert group.is_between(1, 99).all()
    assert serial.is_between(1, 9999).all()
    assert area.n_unique() > 800  # spread over the whole valid space


def test_mrns_are_unique(df: pl.DataFrame) -> None:
    assert df["mrn"].str.contains(r"^MRN-\d{7}$").all()
    assert df["mrn"].n_unique() == df.height


def test_addresses(df: pl.DataFrame) -> None:
    address = df["address"]
    pattern = (
        r"^\d{1,5} ([NSEW] )?[A-Za-z0-9 ]+ "
        r"(St|Ave|Rd|Dr|Ln|Blvd|Way|Ct|Pl|Street|Avenue|Road|Drive|Lane|Terrace|Pkwy)"
        r"( (Apt \d{1,2}[A-F]?|Unit \d{1,2}|#\d{3}))?$"
    )
    assert address.str.contains(pattern).all()
    with_unit = address.str.contains(r" (Apt|Unit|#)").mean()
    assert 0.08 < with_unit < 0.25
    assert address.n_unique() > 0.95 * df.height


# --- geography -------------------------------------------------------------------------------


def test_cities_and_zip_codes(df: pl.DataFrame) -> None:
    assert set(df["city"]) <= set(ZIP3)
    assert df["city"].n_unique() >= 40
    assert df["city"].value_counts(sort=True)["city"][0] == "New York"
    assert df["zip"].str.contains(r"^\d{5}$").all()
    pairs = df.select("city", zip3=pl.col("zip").str.slice(0, 3)).unique()
    for city, zip3 in pairs.iter_rows():
        assert zip3 in ZIP3[city], (city, zip3)
    boston = df.filter(pl.col("city") == "Boston")["zip"]
    assert boston.str.starts_with("0").all()  # leading zeros kept


# --- people and stays ------------------------------------------------------------------------


def test_sex_and_ethnicity(df: pl.DataFrame) -> None:
    assert set(df["sex"]) == {"F", "M"}
    assert 0.48 < (df["sex"] == "F").mean() < 0.54
    assert set(df["ethnicity"]) == ETHNICITIES
    assert df["ethnicity"].value_counts(sort=True)["ethnicity"][0] == "White"


def test_dates(df: pl.DataFrame) -> None:
    assert (df["admission_date"] > df["date_of_birth"]).all()
    assert (df["discharge_date"] >= df["admission_date"]).all()
    assert df["admission_date"].min() >= dt.date(2023, 1, 1)
    assert df["admission_date"].max() <= dt.date(2025, 12, 31)
    stay = (df["discharge_date"] - df["admission_date"]).dt.total_days()
    assert stay.is_between(0, 30).all()
    assert stay.median() <= 3  # mostly short
    assert stay.max() >= 15  # with a tail
    reference = dt.date(2025, 1, 1)
    age = df.select(
        (pl.lit(reference) - pl.col("date_of_birth")).dt.total_days() / 365.2425
    ).to_series()
    assert df["date_of_birth"].max() < reference
    assert age.min() >= 0
    assert age.max() < 101
    assert 0.01 <= (age >= 90).mean() <= 0.025  # a tail over 89
    assert 0.70 < (age >= 18).mean() < 0.90  # mostly adults


def test_diagnosis_code_and_text_agree(df: pl.DataFrame) -> None:
    pairs = df.select("diagnosis_code", "diagnosis").unique()
    assert pairs["diagnosis_code"].n_unique() == pairs.height
    assert pairs["diagnosis"].n_unique() == pairs.height
    assert 28 <= pairs.height <= 45
    assert pairs["diagnosis_code"].str.contains(r"^[A-Z]\d{2}(\.[0-9A-Z]{1,4})?$").all()
    mapping = dict(pairs.iter_rows())
    for code, text in KNOWN_CODES.items():
        assert mapping[code] == text


def test_diagnoses_consistent_with_sex(df: pl.DataFrame) -> None:
    by_code = df.group_by("diagnosis_code").agg(pl.col("sex").unique())
    sexes = {row["diagnosis_code"]: set(row["sex"]) for row in by_code.iter_rows(named=True)}
    assert sexes["O80"] == {"F"}
    assert sexes["C50.911"] == {"F"}
    assert sexes["C61"] == {"M"}
    assert sexes["I10"] == {"F", "M"}


def test_charges(df: pl.DataFrame) -> None:
    charges = df["total_charges"]
    assert (charges > 0).all()
    assert ((charges * 100).round() - charges * 100).abs().max() < 1e-6  # cents
    stay = (df["discharge_date"] - df["admission_date"]).dt.total_days()
    short = charges.filter(stay == 0).median()
    long = charges.filter(stay >= 5).median()
    assert long > 3 * short
    assert charges.mean() > charges.median()  # right-skewed


def test_insurers(df: pl.DataFrame) -> None:
    assert set(df["insurer"]) == INSURERS
    age = (df["admission_date"] - df["date_of_birth"]).dt.total_days() / 365.2425
    medicare = df["insurer"] == "Medicare"
    assert medicare.filter(age >= 65).mean() > 0.7
    assert medicare.filter(age < 65).mean() < 0.1


# --- notes -----------------------------------------------------------------------------------


def test_notes_mention_the_diagnosis_and_vary(df: pl.DataFrame) -> None:
    mentions = df.select(pl.col("note").str.contains(pl.col("diagnosis"), literal=True))
    assert mentions.to_series().all()
    assert df["note"].n_unique() > 0.5 * df.height
    sentences = df["note"].str.count_matches(r"\.(\s|$)")
    assert sentences.is_between(1, 3).all()
    assert sentences.n_unique() == 3


def test_notes_leak_phone_and_email_as_specified(df: pl.DataFrame) -> None:
    found = df.select(
        "phone",
        "email",
        "ssn",
        "note",
        note_phone=pl.col("note").str.extract(PHONE_IN_TEXT, 1),
        note_email=pl.col("note").str.extract(EMAIL_IN_TEXT, 1),
    )
    with_phone = found.filter(pl.col("note_phone").is_not_null())
    with_email = found.filter(pl.col("note_email").is_not_null())
    assert 0.08 < with_phone.height / df.height < 0.12
    assert 0.035 < with_email.height / df.height < 0.065
    assert (with_phone["note_phone"] == with_phone["phone"]).all()
    assert (with_email["note_email"] == with_email["email"]).all()
    # never an SSN, neither the row's own nor anything shaped like one
    assert not df["note"].str.contains(r"\b\d{3}-\d{2}-\d{4}\b").any()
    own_ssn = found.select(pl.col("note").str.contains(pl.col("ssn"), literal=True))
    assert not own_ssn.to_series().any()

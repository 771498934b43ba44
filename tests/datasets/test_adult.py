"""anonlab.datasets.adult and adult_hierarchies: the embedded ARX ADULT extract."""

from __future__ import annotations

import gzip
import hashlib
import importlib
import shutil
from importlib.resources import files
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from anonlab.datasets import adult, adult_hierarchies
from anonlab.errors import DatasetError, ParameterError

adult_module = importlib.import_module("anonlab.datasets.adult")

COLUMNS = [
    "sex", "age", "race", "marital-status", "education", "native-country", "workclass",
    "occupation", "salary-class",
]
# From SOURCE.md: distinct values per column in the data ...
DISTINCT = {
    "sex": 2, "age": 72, "race": 5, "marital-status": 7, "education": 16, "native-country": 41,
    "workclass": 7, "occupation": 14, "salary-class": 2,
}
# ... and rows and levels (original value included) per hierarchy file.
HIERARCHY_ROWS = {
    "sex": 2, "age": 100, "race": 5, "marital-status": 7, "education": 16, "native-country": 41,
    "workclass": 8, "occupation": 14, "salary-class": 2,
}
HIERARCHY_LEVELS = {
    "sex": 2, "age": 5, "race": 2, "marital-status": 3, "education": 4, "native-country": 3,
    "workclass": 3, "occupation": 3, "salary-class": 2,
}
DATA_FILES = ["adult.csv.gz"] + [f"adult_hierarchy_{c}.csv" for c in COLUMNS]


@pytest.fixture(scope="module")
def df() -> pl.DataFrame:
    return adult()


@pytest.fixture(scope="module")
def hierarchies() -> dict[str, dict[str, tuple[str, ...]]]:
    return adult_hierarchies()


@pytest.fixture
def data_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the embedded files that the loader reads instead of the package's."""
    source = files("anonlab.datasets").joinpath("data")
    for name in DATA_FILES:
        (tmp_path / name).write_bytes(source.joinpath(name).read_bytes())
    monkeypatch.setattr(adult_module, "_data_dir", lambda: tmp_path)
    return tmp_path


# --- the table -------------------------------------------------------------------------------


def test_shape_and_schema(df: pl.DataFrame) -> None:
    assert df.shape == (30_162, 9)
    assert df.columns == COLUMNS
    assert df.schema["age"] == pl.Int64
    for column in COLUMNS:
        if column != "age":
            assert df.schema[column] == pl.String, column
    assert df.null_count().sum_horizontal().item() == 0


def test_distinct_values(df: pl.DataFrame) -> None:
    assert {c: df[c].n_unique() for c in COLUMNS} == DISTINCT
    assert (df["age"].min(), df["age"].max()) == (17, 90)
    assert set(df["sex"]) == {"Male", "Female"}
    assert set(df["salary-class"]) == {"<=50K", ">50K"}
    assert not df.select(pl.col(pl.String).str.contains(r"^\s|\s$|\?|\r").any()).row(0).count(
        True
    )


def test_first_row(df: pl.DataFrame) -> None:
    assert df.row(0) == (
        "Male", 39, "White", "Never-married", "Bachelors", "United-States", "State-gov",
        "Adm-clerical", "<=50K",
    )


def test_fresh_frame_each_call(df: pl.DataFrame) -> None:
    other = adult()
    other.drop_in_place("age")
    assert adult().equals(df)


def test_backends(df: pl.DataFrame) -> None:
    table = adult(backend="arrow")
    assert isinstance(table, pa.Table)
    assert pl.from_arrow(table).equals(df)
    pdf = adult(backend="pandas")
    assert isinstance(pdf, pd.DataFrame)
    assert pdf.shape == (30_162, 9)
    assert pdf.columns.tolist() == COLUMNS
    assert pdf["age"].tolist() == df["age"].to_list()
    assert pdf["occupation"].tolist() == df["occupation"].to_list()


@pytest.mark.parametrize("backend", ["spark", "Pandas", None])
def test_bad_backend(backend: object) -> None:
    with pytest.raises(ParameterError, match=r"^The 'backend' parameter of adult"):
        adult(backend=backend)  # type: ignore[arg-type]


def test_docstrings_cite_the_source() -> None:
    assert "10.24432/C5XW20" in (adult.__doc__ or "")
    assert "CC BY 4.0" in (adult.__doc__ or "")
    assert "Apache-2.0" in (adult_hierarchies.__doc__ or "")


def test_attribution_ships_with_the_data() -> None:
    text = files("anonlab.datasets").joinpath("data", "ATTRIBUTION.md").read_text("utf-8")
    for needle in ("10.24432/C5XW20", "CC BY 4.0", "Apache License 2.0",
                   "github.com/arx-deidentifier/arx", "Becker", "Kohavi"):
        assert needle in text, needle


def test_compressed_file_is_reproducible() -> None:
    """The shipped .gz is what ``gzip -9 -n`` makes of the content (no name or timestamp)."""
    packed = files("anonlab.datasets").joinpath("data", "adult.csv.gz").read_bytes()
    assert packed[4:8] == b"\x00\x00\x00\x00"  # no modification time
    assert not packed[3] & 0x08  # no original file name
    content = gzip.decompress(packed)
    assert content.startswith(b"sex;age;race;marital-status;")
    assert content.count(b"\r\n") == 30_163
    assert hashlib.sha256(content).hexdigest() == adult_module._SHA256["adult.csv"]


# --- the hierarchies -------------------------------------------------------------------------


def test_hierarchy_keys_and_sizes(hierarchies) -> None:
    assert list(hierarchies) == COLUMNS
    assert {c: len(h) for c, h in hierarchies.items()} == HIERARCHY_ROWS
    for column, hierarchy in hierarchies.items():
        assert isinstance(hierarchy, dict)
        lengths = {len(levels) for levels in hierarchy.values()}
        assert lengths == {HIERARCHY_LEVELS[column] - 1}, column
        for value, levels in hierarchy.items():
            assert isinstance(levels, tuple)
            assert all(isinstance(x, str) and x for x in (value, *levels))
            assert levels[-1] == "*", (column, value)


def test_hierarchy_examples(hierarchies) -> None:
    assert hierarchies["education"]["Bachelors"] == ("Undergraduate", "Higher education", "*")
    assert hierarchies["sex"]["Female"] == ("*",)
    assert hierarchies["salary-class"][">50K"] == ("*",)
    assert hierarchies["workclass"]["Never-worked"] == ("Unemployed", "*")
    assert hierarchies["native-country"]["Holand-Netherlands"] == ("Europe", "*")
    assert hierarchies["marital-status"]["Married-civ-spouse"] == ("spouse present", "*")
    # ARX's shifted age labels are kept as they are
    assert hierarchies["age"]["1"] == ("0-4", "0-9", "0-19", "*")
    assert hierarchies["age"]["20"] == ("15-19", "10-19", "0-19", "*")
    assert hierarchies["age"]["21"] == ("20-24", "20-29", "20-39", "*")
    assert hierarchies["age"]["90"] == ("85-89", "80-89", "80-99", "*")
    assert set(hierarchies["age"]) == {str(a) for a in range(1, 101)}


def test_every_data_value_is_in_its_hierarchy(df: pl.DataFrame, hierarchies) -> None:
    for column in COLUMNS:
        values = set(df[column].cast(pl.String).unique())
        missing = values - set(hierarchies[column])
        assert not missing, (column, missing)


def test_hierarchies_are_fresh_objects() -> None:
    first = adult_hierarchies()
    first["education"]["Bachelors"] = ("changed",)
    del first["age"]
    second = adult_hierarchies()
    assert second["education"]["Bachelors"] == ("Undergraduate", "Higher education", "*")
    assert "age" in second


# --- integrity checks ------------------------------------------------------------------------


def test_checksum_mismatch_is_detected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(adult_module._SHA256, "adult.csv", "0" * 64)
    with pytest.raises(DatasetError, match=r"'adult.csv.gz' .* is corrupt; reinstall anonlab\.$"):
        adult()
    monkeypatch.setitem(adult_module._SHA256, "adult_hierarchy_age.csv", "0" * 64)
    with pytest.raises(DatasetError, match=r"'adult_hierarchy_age.csv' .* corrupt"):
        adult_hierarchies()


def test_the_copy_is_read_when_patched(data_copy: Path) -> None:
    assert adult().shape == (30_162, 9)
    assert len(adult_hierarchies()["age"]) == 100


def test_changed_data_is_detected(data_copy: Path) -> None:
    path = data_copy / "adult.csv.gz"
    content = gzip.decompress(path.read_bytes()).replace(b"Male;39;", b"Male;93;", 1)
    path.write_bytes(gzip.compress(content))
    with pytest.raises(DatasetError, match="corrupt; reinstall anonlab"):
        adult()


def test_damaged_gzip_is_detected(data_copy: Path) -> None:
    path = data_copy / "adult.csv.gz"
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(DatasetError, match="corrupt"):
        adult()
    path.write_bytes(b"not gzip at all")
    with pytest.raises(DatasetError, match="corrupt"):
        adult()


def test_changed_hierarchy_is_detected(data_copy: Path) -> None:
    path = data_copy / "adult_hierarchy_education.csv"
    path.write_bytes(path.read_bytes().replace(b"Bachelors;Undergraduate", b"Bachelors;Graduate"))
    with pytest.raises(DatasetError, match=r"'adult_hierarchy_education.csv' .* corrupt"):
        adult_hierarchies()


@pytest.mark.parametrize("name", DATA_FILES)
def test_missing_file_is_detected(data_copy: Path, name: str) -> None:
    (data_copy / name).unlink()
    load = adult if name.endswith(".gz") else adult_hierarchies
    message = rf"'{name}' .* is missing or cannot be read; reinstall anonlab\.$"
    with pytest.raises(DatasetError, match=message):
        load()


def test_missing_folder_is_detected(data_copy: Path) -> None:
    shutil.rmtree(data_copy)
    with pytest.raises(DatasetError, match="missing"):
        adult()

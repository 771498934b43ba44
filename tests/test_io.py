"""Reading table files: formats, separator detection, clear failures."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from anonlab.io import FileFormatError, detect_separator, read, scan

FRAME = pl.DataFrame({"name": ["Ann; Lee", "Bo"], "zip": ["02139", "10001"], "n": [1, 2]})


@pytest.mark.parametrize(
    ("sep", "label"),
    [
        (",", "comma"),
        (";", "semicolon (the Adult file's separator)"),
        ("\t", "tab"),
        ("|", "pipe"),
    ],
)
def test_separator_is_detected(tmp_path: Path, sep: str, label: str) -> None:
    path = tmp_path / "t.csv"
    FRAME.write_csv(path, separator=sep)
    assert detect_separator(path) == sep, label
    got = read(path)
    assert got.columns == FRAME.columns
    assert got.get_column("n").to_list() == [1, 2]


def test_quoted_separators_do_not_count(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text('a,b\n"x;y;z",1\n"p;q;r",2\n')
    assert detect_separator(path) == ","


def test_explicit_separator_wins(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    FRAME.write_csv(path, separator=";")
    assert scan(path, separator=";").collect().width == 3
    # told tab, the quoted "Ann; Lee" field is no longer well formed: a clear error
    with pytest.raises(FileFormatError, match="separator tab"):
        read(path, separator="tab")


def test_leading_zeros_survive(tmp_path: Path) -> None:
    path = tmp_path / "zips.csv"
    path.write_text("zip,mrn,n\n02139,0048213,1\n10001,0000001,2\n")
    got = read(path)
    assert got.get_column("zip").to_list() == ["02139", "10001"]
    assert got.get_column("mrn").to_list() == ["0048213", "0000001"]
    assert got.schema["n"] == pl.Int64  # plain numbers are still numbers


def test_crlf_file(tmp_path: Path) -> None:
    path = tmp_path / "crlf.csv"
    path.write_bytes(b"sex;age\r\nMale;39\r\nFemale;50\r\n")
    got = read(path)
    assert got.columns == ["sex", "age"]
    assert got.get_column("age").to_list() == [39, 50]


@pytest.mark.parametrize("suffix", [".parquet", ".arrow", ".ndjson"])
def test_other_formats(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"t{suffix}"
    {".parquet": FRAME.write_parquet, ".arrow": FRAME.write_ipc, ".ndjson": FRAME.write_ndjson}[
        suffix
    ](path)
    assert read(path).equals(FRAME)


def test_backends(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    FRAME.write_parquet(path)
    assert type(read(path, backend="pandas")).__name__ == "DataFrame"
    assert type(read(path, backend="arrow")).__name__ == "Table"


@pytest.mark.parametrize(
    ("name", "content", "error", "message"),
    [
        ("t.xlsx", b"x", FileFormatError, "Cannot tell the format"),  # unknown extension
        ("empty.csv", b"", FileFormatError, "is empty"),
        ("missing.csv", None, FileNotFoundError, "No such file"),
    ],
)
def test_failures(tmp_path: Path, name: str, content, error, message: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(error, match=message):
        scan(path)


def test_bad_separator(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    FRAME.write_csv(path)
    with pytest.raises(ValueError, match="single character"):
        scan(path, separator=";;")


def test_a_padded_code_far_down_the_file_keeps_its_zeros(tmp_path: Path) -> None:
    path = tmp_path / "late.csv"
    pl.DataFrame({"zip": ["12345"] * 20_000 + ["02139"], "n": list(range(20_001))}).write_csv(path)
    got = read(path)
    assert got.schema["zip"] == pl.String
    assert got["zip"][-1] == "02139"
    assert got.schema["n"] == pl.Int64


def test_polars_errors_lose_the_values_they_quote(tmp_path: Path) -> None:
    from anonlab.io import polars_reason

    with pytest.raises(pl.exceptions.PolarsError) as info:
        pl.DataFrame({"a": ["jane@example.org"]}).select(pl.col("a").cast(pl.Int64))
    reason = polars_reason(info.value)
    assert "jane" not in reason
    assert "'a'" in reason  # the column name stays

"""Streaming writes: atomic, every format, with and without progress."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from anonlab.io import FileFormatError
from anonlab.sinks import sink

FRAME = pl.DataFrame({"a": list(range(1000)), "b": [f"v{i}" for i in range(1000)]})
READ = {
    ".parquet": pl.read_parquet,
    ".arrow": pl.read_ipc,
    ".csv": pl.read_csv,
    ".tsv": lambda p: pl.read_csv(p, separator="\t"),
    ".ndjson": pl.read_ndjson,
}


@pytest.mark.parametrize("suffix", list(READ))
@pytest.mark.parametrize("with_progress", [False, True])
def test_every_format_both_ways(tmp_path: Path, suffix: str, with_progress: bool) -> None:
    seen: list[int] = []
    target = tmp_path / f"out{suffix}"
    rows = sink(FRAME.lazy(), target,
                progress=(lambda n, s: seen.append(n)) if with_progress else None)
    assert rows == 1000
    assert READ[suffix](target).equals(FRAME)
    if with_progress:
        assert seen and seen[-1] == 1000
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no temporary file left


@pytest.mark.parametrize("with_progress", [False, True])
def test_empty_result_is_a_well_formed_file(tmp_path: Path, with_progress: bool) -> None:
    target = tmp_path / "empty.parquet"
    progress = (lambda n, s: None) if with_progress else None
    assert sink(FRAME.lazy().filter(pl.col("a") < 0), target, progress=progress) == 0
    assert pl.read_parquet(target).schema == FRAME.schema


def test_failure_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.parquet"
    FRAME.head(1).write_parquet(target)
    failing = FRAME.lazy().select(pl.col("b").cast(pl.Int64))  # fails while running
    with pytest.raises(pl.exceptions.InvalidOperationError):
        sink(failing, target)
    assert pl.read_parquet(target).height == 1
    assert [p.name for p in tmp_path.iterdir()] == ["out.parquet"]


def test_unknown_extension(tmp_path: Path) -> None:
    with pytest.raises(FileFormatError, match="output format"):
        sink(FRAME.lazy(), tmp_path / "out.xlsx")


@pytest.mark.parametrize("progress", [None, lambda rows, seconds: None])
@pytest.mark.parametrize("suffix", [".csv", ".ndjson"])
def test_row_count_is_right_when_values_hold_line_breaks(tmp_path: Path, progress, suffix) -> None:
    lf = pl.LazyFrame({"note": ["two\nlines", "three\nmore\nlines", "one"]})
    target = tmp_path / f"out{suffix}"
    assert sink(lf, target, progress=progress) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]  # no temporary left

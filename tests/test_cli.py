"""The `anonlab` command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

import anonlab
from anonlab.cli import main, write_atomic


@pytest.fixture(scope="module")
def patients_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "patients.csv"
    anonlab.datasets.patients(n=300, seed=3).write_csv(path, separator=";")
    return path


def test_profile_prints_a_table(patients_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profile", str(patients_csv)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Profile: 300 rows x 18 columns")
    assert "ssn" in out and "identifier" in out
    raw = pl.read_csv(patients_csv, separator=";", infer_schema=False)
    assert not any(v in out for v in raw.get_column("ssn").to_list())


def test_profile_json_keeps_zip_codes_as_text(
    patients_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["profile", str(patients_csv), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    by_name = {c["name"]: c for c in data["columns"]}
    assert by_name["zip"]["detection"]["kind"] == "zip_code"
    assert by_name["zip"]["polars_dtype"] == "String"  # leading zeros survived the CSV


def test_profile_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profile", str(tmp_path / "nope.csv")]) == 1
    assert "anonlab: error: No such file" in capsys.readouterr().err


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 2


def test_demo_writes_and_says_where(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "demo"
    assert main(["demo", "--rows", "200", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert str(out / "profile.json") in text
    data = json.loads((out / "profile.json").read_text())
    assert data["rows"] == 200
    assert "anonlab-profile" in (out / "profile.html").read_text()
    assert not list(out.glob(".*.tmp"))  # no temporary files left behind


def test_console_script_runs() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "anonlab", "--version"], capture_output=True, text=True, check=True
    )
    assert proc.stdout.strip() == f"anonlab {anonlab.__version__}"


def test_write_atomic_leaves_old_file_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")
    with pytest.raises(TypeError):
        write_atomic(target, 12345)  # type: ignore[arg-type]
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]
    write_atomic(target, b"new")
    assert target.read_text() == "new"

"""The `anonlab` command line."""

from __future__ import annotations

import json
import os
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


def test_demo_writes_and_says_where(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANONLAB_KEY", raising=False)
    out = tmp_path / "demo"
    assert main(["demo", "--rows", "200", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    for name in ("profile.json", "profile.html", "recipe.yaml", "patients-anonymized.parquet"):
        assert str(out / name) in text
    data = json.loads((out / "profile.json").read_text())
    assert data["rows"] == 200
    assert "anonlab-profile" in (out / "profile.html").read_text()
    recipe = anonlab.Recipe.from_yaml((out / "recipe.yaml").read_text())
    assert any(s.transform.op == "hash" for s in recipe.steps)
    anonymized = pl.read_parquet(out / "patients-anonymized.parquet")
    assert anonymized.height == 200
    assert "ssn" not in anonymized.columns
    assert "ANONLAB_KEY" not in os.environ  # the run's random key went with it
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


def test_suggest_then_apply(
    patients_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ANONLAB_KEY", "a test key that is long enough 123")
    recipe = tmp_path / "recipe.yaml"
    assert main(["suggest", str(patients_csv), "-o", str(recipe)]) == 0
    assert "Wrote the suggested recipe" in capsys.readouterr().out
    out = tmp_path / "out.parquet"
    assert main(["apply", str(recipe), str(patients_csv), "-o", str(out), "--no-progress"]) == 0
    text = capsys.readouterr().out
    assert "wrote 300 rows x" in text
    result = pl.read_parquet(out)
    assert "ssn" not in result.columns
    assert result.get_column("zip").str.ends_with("**").all()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.parquet", "recipe.yaml"]


def test_apply_with_progress_and_csv_output(
    patients_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recipe = tmp_path / "recipe.json"
    recipe.write_text(anonlab.Recipe().then("ssn", anonlab.transforms.Drop()).to_json())
    out = tmp_path / "out.csv"
    assert main(["apply", str(recipe), str(patients_csv), "-o", str(out), "--progress"]) == 0
    captured = capsys.readouterr()
    assert "300 rows" in captured.err  # the progress line
    assert "ssn" not in pl.read_csv(out).columns


@pytest.mark.parametrize(
    ("recipe_text", "message"),
    [
        ("steps:\n  - column: ssn\n    op: hsh\n", "steps[0].op: unknown transform 'hsh'"),
        ("steps:\n  - column: nope\n    op: drop\n", "Column 'nope' (named by step 1, drop)"),
    ],
)
def test_apply_errors_are_one_line(
    patients_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    recipe_text: str, message: str,
) -> None:
    recipe = tmp_path / "bad.yaml"
    recipe.write_text(recipe_text)
    out = tmp_path / "out.parquet"
    assert main(["apply", str(recipe), str(patients_csv), "-o", str(out)]) == 1
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_apply_refuses_to_overwrite_its_input(patients_csv: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    recipe = tmp_path / "r.yaml"
    recipe.write_text("steps: []\n")
    assert main(["apply", str(recipe), str(patients_csv), "-o", str(patients_csv)]) == 1
    assert "must differ from the input" in capsys.readouterr().err

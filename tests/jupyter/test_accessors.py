"""The ``.anonlab`` accessor on pandas DataFrames and polars DataFrames and LazyFrames."""

from __future__ import annotations

import importlib
import sys
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pytest

import anonlab
from anonlab.errors import ParameterError, RecipeError
from anonlab.jupyter import accessors
from anonlab.jupyter.anonymize import AnonymizeResult

RECIPE = """\
steps:
  - column: name
    op: drop
  - column: zip
    op: generalize
    keep: 3
targets:
  quasi_identifiers: [zip, sex]
  k: 5
"""

KINDS = ["pandas", "polars", "lazy"]


def make(kind: str, n: int = 40) -> Any:
    frame = pl.DataFrame({
        "name": [f"Person {i}" for i in range(n)],
        "zip": [f"0213{i % 10}" for i in range(n)],
        "sex": ["F" if i % 2 else "M" for i in range(n)],
        "diagnosis": [("flu", "cold", "asthma", "diabetes")[i % 4] for i in range(n)],
    })
    if kind == "pandas":
        out = frame.to_pandas()
        out.index = range(100, 100 + n)
        return out
    return frame.lazy() if kind == "lazy" else frame


def same_kind(kind: str, value: Any) -> bool:
    return isinstance(value, {"pandas": pd.DataFrame, "polars": pl.DataFrame,
                              "lazy": pl.LazyFrame}[kind])


def collect(value: Any) -> pl.DataFrame:
    if isinstance(value, pd.DataFrame):
        return pl.from_pandas(value)
    return value.collect() if isinstance(value, pl.LazyFrame) else value


@pytest.fixture(scope="module", autouse=True)
def registered() -> None:
    accessors.register()


def test_registering_again_warns_about_nothing() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        accessors.register()
        accessors.register()
    assert caught == []
    assert accessors.registered()


def test_a_reloaded_module_does_not_register_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        monkeypatch.setattr(accessors, "_registered", False)
        accessors.register()
    assert caught == []
    module = importlib.reload(accessors)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            module.register()
        assert caught == []
    finally:
        module._registered = True


@pytest.mark.parametrize("kind", KINDS)
def test_profile(kind: str) -> None:
    prof = make(kind).anonlab.profile(top=2)
    assert isinstance(prof, anonlab.Profile)
    assert prof.names == ("name", "zip", "sex", "diagnosis")
    assert prof.rows == 40


@pytest.mark.parametrize("kind", KINDS)
def test_risk(kind: str) -> None:
    report = make(kind).anonlab.risk(["zip", "sex"], "diagnosis", k=2)
    assert isinstance(report, anonlab.RiskReport)
    assert report.measures.k == 4
    assert report.sensitive == ("diagnosis",)
    assert report.passed


@pytest.mark.parametrize("kind", KINDS)
def test_suggest(kind: str) -> None:
    recipe = make(kind).anonlab.suggest(k=3, key="env:OTHER_KEY")
    assert isinstance(recipe, anonlab.Recipe)
    assert recipe.steps[0].column == "name"
    assert recipe.steps[0].transform.key == "env:OTHER_KEY"
    assert recipe.targets.quasi_identifiers == ("zip", "sex")
    assert recipe.targets.k == 3


def test_suggest_for_a_template() -> None:
    recipe = make("polars").anonlab.suggest(template="hipaa-safe-harbor")
    assert "hipaa-safe-harbor" in recipe.description


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("form", ["recipe", "yaml", "str-path", "path"])
def test_apply_takes_a_recipe_yaml_or_a_path(kind: str, form: str, tmp_path: Path) -> None:
    path = tmp_path / "recipe.yml"
    path.write_text(RECIPE)
    source: Any = {
        "recipe": anonlab.Recipe.from_yaml(RECIPE),
        "yaml": RECIPE,
        "str-path": str(path),
        "path": path,
    }[form]
    frame = make(kind)
    out = frame.anonlab.apply(source)
    assert same_kind(kind, out)
    data = collect(out)
    assert data.columns == ["zip", "sex", "diagnosis"]
    assert set(data["zip"]) == {"021**"}
    if kind == "pandas":
        assert list(out.index) == list(frame.index)


def test_apply_reads_json_files(tmp_path: Path) -> None:
    path = tmp_path / "recipe.json"
    path.write_text(anonlab.Recipe.from_yaml(RECIPE).to_json())
    assert "name" not in make("polars").anonlab.apply(path).columns


def test_apply_refuses_what_is_not_a_recipe(tmp_path: Path) -> None:
    frame = make("polars")
    with pytest.raises(ParameterError, match="does not exist"):
        frame.anonlab.apply(str(tmp_path / "missing.yaml"))
    with pytest.raises(ParameterError, match=r"must be an anonlab\.Recipe"):
        frame.anonlab.apply(42)
    with pytest.raises(RecipeError, match="not valid YAML"):
        frame.anonlab.apply("steps: [\n")


@pytest.mark.parametrize("kind", KINDS)
def test_anonymize(kind: str) -> None:
    result = make(kind).anonlab.anonymize(RECIPE, k=2)
    assert isinstance(result, AnonymizeResult)
    assert same_kind(kind, result.frame)
    assert result.k == 20
    assert result.passed
    assert "[PASS] 2-anonymity" in result.summary()


def test_panel_delegates_to_the_panel_module(ip: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import anonlab.jupyter.panel as panel_module

    calls = []
    monkeypatch.setattr(panel_module, "panel",
                        lambda frame, **kw: calls.append((frame, kw)) or "the panel")
    frame = make("polars")
    assert frame.anonlab.panel(sample=10) == "the panel"
    assert calls[0][0] is frame
    assert calls[0][1] == {"sample": 10}


def test_panel_missing_is_a_clear_error(ip: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "anonlab.jupyter.panel", None)
    with pytest.raises(ImportError, match="panel cannot be loaded"):
        make("pandas").anonlab.panel()


def test_repr_lists_the_methods() -> None:
    assert "profile, risk, suggest, apply" in repr(make("polars").anonlab)

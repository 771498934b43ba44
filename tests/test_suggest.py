"""suggest_recipe: a sensible first recipe from a profile."""

from __future__ import annotations

import polars as pl
import pytest

import anonlab
from anonlab import ParameterError, SecretKeyError


@pytest.fixture(scope="module")
def patients() -> pl.DataFrame:
    return anonlab.datasets.patients(n=500, seed=4)


@pytest.fixture(scope="module")
def recipe(patients: pl.DataFrame) -> anonlab.Recipe:
    return anonlab.suggest_recipe(anonlab.profile(patients))


@pytest.mark.parametrize(
    ("column", "op", "params"),
    [
        ("name", "drop", {}),
        ("phone", "drop", {}),
        ("ssn", "drop", {}),
        ("address", "drop", {}),
        ("email", "hash", {"key": "env:ANONLAB_KEY"}),  # linkable, not readable
        ("mrn", "hash", {"key": "env:ANONLAB_KEY"}),
        ("note", "scrub", {}),
        ("date_of_birth", "generalize", {"unit": "year"}),
        ("admission_date", "generalize", {"unit": "month"}),
        ("zip", "generalize", {"keep": 3}),
        ("sex", "keep", {}),
        ("diagnosis", "keep", {}),
    ],
)
def test_rules(recipe: anonlab.Recipe, column: str, op: str, params: dict) -> None:
    step = next(s for s in recipe.steps if s.column == column)
    assert step.transform.op == op
    for name, value in params.items():
        assert getattr(step.transform, name) == value
    assert step.note


def test_targets_come_from_the_profile(recipe: anonlab.Recipe) -> None:
    assert recipe.targets is not None
    assert "zip" in recipe.targets.quasi_identifiers
    assert "diagnosis" in recipe.targets.sensitive
    assert recipe.targets.k == 5


def test_ages_over_89_are_top_coded() -> None:
    frame = pl.DataFrame({"age": [34, 57, 91, 45, 95], "sex": ["F", "M", "F", "M", "F"]})
    recipe = anonlab.suggest_recipe(anonlab.profile(frame))
    step = recipe.steps[0]
    assert (step.transform.op, step.transform.top, step.transform.top_label) == ("top_bottom_code",
                                                                                 89, "90+")
    out = recipe.apply(frame)
    assert out.get_column("age").to_list() == ["34", "57", "90+", "45", "90+"]


def test_applying_removes_every_direct_identifier(
    patients: pl.DataFrame, recipe: anonlab.Recipe, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANONLAB_KEY", "a test key that is long enough 123")
    out = recipe.apply(patients)
    for column in ("name", "phone", "ssn", "address"):
        assert column not in out.columns
    text = out.write_csv()
    for column in ("email", "mrn", "ssn", "phone"):
        leaked = [v for v in patients.get_column(column).to_list() if v in text]
        assert not leaked, f"{len(leaked)} values of {column} survived"
    assert anonlab.profile(out).identifiers == ("email", "mrn")  # hashes: unique, hence flagged


def test_unset_key_fails_clearly_at_apply(
    patients: pl.DataFrame, recipe: anonlab.Recipe, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANONLAB_KEY", raising=False)
    with pytest.raises(SecretKeyError, match="'ANONLAB_KEY'"):
        recipe.apply(patients)


def test_another_key_reference(patients: pl.DataFrame) -> None:
    recipe = anonlab.suggest_recipe(anonlab.profile(patients.head(50)), key="file:/run/key")
    assert {s.transform.key for s in recipe.steps if s.transform.op == "hash"} == {"file:/run/key"}


def test_suggested_recipe_round_trips(recipe: anonlab.Recipe) -> None:
    assert anonlab.Recipe.from_yaml(recipe.to_yaml()) == recipe
    namespace: dict = {}
    exec(recipe.to_python(), namespace)
    assert namespace["recipe"] == recipe


@pytest.mark.parametrize(("value", "message"), [(None, "takes the Profile"),
                                                 ("profile", "takes the Profile")])
def test_needs_a_profile(value, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        anonlab.suggest_recipe(value)


def test_refuses_a_literal_key(patients: pl.DataFrame) -> None:
    with pytest.raises(ParameterError, match="'key' parameter of suggest_recipe"):
        anonlab.suggest_recipe(anonlab.profile(patients.head(20)), key="my-secret-key-12345678")

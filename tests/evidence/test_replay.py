"""The replay and row-order attacks, and the observations that led to them (issue 12, item 1).

The observed attacks, as a recipient holding a bundle made by the old code ran them:

* applying the shipped recipe to a zero column and subtracting recovered every original
  ``total_charges`` value exactly (3,000 patients, Laplace scale 500);
* re-running the shipped shuffle restored 100% of the true diagnoses;
* for ``pram(retain=0.5)`` the kept rows could be predicted exactly.

Each is run here against a bundle written by ``anonlab.export`` (with the rows kept in order, so
that the test can line the release up with the original) and must do no better than chance.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

import anonlab
from anonlab.errors import ComplianceError
from anonlab.evidence.release import make_release
from anonlab.evidence.replay import replay_attack, row_order_attack
from anonlab.keys import Key
from anonlab.transforms import Context, Drop, Microaggregate, Noise, Pram, Shuffle
from tests.identities import LICENSEE_KEYS

KEY = Key("replay tests: a key that is long enough 123")
N = 3_000


@pytest.fixture(scope="module")
def raw() -> pl.DataFrame:
    return anonlab.datasets.patients(N, seed=5).select(
        "mrn", "sex", "ethnicity", "diagnosis", "total_charges")


def _recipe(**randomness: object) -> anonlab.Recipe:
    return (anonlab.Recipe()
            .then("total_charges", Noise(distribution="laplace", scale=500.0, **randomness))
            .then("diagnosis", Shuffle(**randomness))
            .then("sex", Pram(retain=0.5, **randomness))
            .then("mrn", Drop()))


def _bundle(raw: pl.DataFrame, recipe: anonlab.Recipe, path: Path) -> Path:
    private, _ = anonlab.generate_keypair(path.parent / f"{path.name}-key")
    anonlab.export(raw, recipe=recipe, license="gdpr-pseudonymous-research",
                   license_terms={"licensee": "Replaying recipient",
                                  "licensee_keys": LICENSEE_KEYS}, path=path,
                   signing_key=private, keep_row_order="the test lines rows up")
    return path


def _shipped(path: Path) -> anonlab.Recipe:
    return anonlab.Recipe.from_yaml((path / "recipe.yaml").read_text())


def _step(recipe: anonlab.Recipe, op: str) -> anonlab.transforms.Transform:
    return next(s.transform for s in recipe.steps if s.transform.op == op)


@pytest.mark.parametrize("randomness", [{}, {"key": KEY}], ids=["fresh", "keyed"])
def test_the_shipped_recipe_undoes_nothing(raw: pl.DataFrame, tmp_path: Path,
                                           randomness: dict) -> None:
    recipe = _recipe(**randomness)
    if randomness:  # an in-memory key cannot be shipped: reference it through a file
        (tmp_path / "k").write_bytes(KEY.secret())
        recipe = _recipe(key=f"file:{tmp_path / 'k'}")
    bundle = _bundle(raw, recipe, tmp_path / "b")
    release = pl.read_parquet(bundle / "data.parquet")
    shipped = _shipped(bundle)
    assert "seed" not in (bundle / "recipe.yaml").read_text()
    # 1. noise: the shipped noise step applied to zeros, subtracted from the released values
    zeros = release.with_columns(pl.lit(0.0).alias("total_charges"))
    noise = _step(shipped, "noise")
    guess = release["total_charges"] - noise.apply(
        zeros.lazy(), "total_charges", Context(schema=zeros.schema, attacker=True)
    ).collect()["total_charges"]
    recovered = float(((guess - raw["total_charges"]).abs() < 0.01).mean())  # type: ignore[arg-type]
    assert recovered < 0.01
    # 2. shuffle: the shipped permutation, inverted on the released column
    order = release.with_columns(pl.int_range(pl.len()).cast(pl.Float64).alias("diagnosis"))
    moved = _step(shipped, "shuffle").apply(
        order.lazy(), "diagnosis", Context(schema=order.schema, attacker=True)).collect()
    restored = release["diagnosis"].gather(np.argsort(moved["diagnosis"].to_numpy()))
    chance = float((raw["diagnosis"].value_counts()["count"] / N).pow(2).sum())
    assert float((restored == raw["diagnosis"]).mean()) < chance + 0.05  # type: ignore[arg-type]
    # 3. pram: rows the replay keeps are no likelier to hold the true value than any other
    replayed = _step(shipped, "pram").apply(
        release.lazy(), "sex", Context(schema=release.schema, attacker=True)).collect()["sex"]
    predicted = (replayed == release["sex"]).to_numpy()
    truly = (release["sex"] == raw["sex"]).to_numpy()
    assert abs(truly[predicted].mean() - truly.mean()) < 0.05
    # and the bundle's own evidence says the replay found nothing
    checks = {c["name"]: c for c in json.loads(
        (bundle / "license.json").read_text())["anonymization"]["checks"]}
    assert checks["replay"]["passed"]
    assert [c["column"] for c in checks["replay"]["evidence"]["columns"]] == [
        "total_charges", "diagnosis", "sex"]


def test_a_seeded_recipe_is_refused_naming_the_attack(raw: pl.DataFrame, tmp_path: Path) -> None:
    # what the old code did for every random step: draws a recipient replays from the recipe
    with pytest.raises(ComplianceError, match=r"replay: .*total_charges .*100\.0% of released"):
        _bundle(raw, _recipe(seed=7), tmp_path / "b")
    assert not (tmp_path / "b").exists()
    # the recipe's own seed counts too
    with pytest.raises(ComplianceError, match="the recipe ships its seed"):
        _bundle(raw, dataclasses.replace(_recipe(), seed=0), tmp_path / "c")


def test_replay_attack_figures(raw: pl.DataFrame) -> None:
    rows = np.arange(raw.height)
    for recipe, passes in ((_recipe(seed=3), False), (_recipe(key=KEY), True),
                           (_recipe(), True)):
        release = recipe.apply(raw)
        result = replay_attack(raw, release, recipe, rows=rows)
        assert result.passed is passes, result.detail
        assert {c.column for c in result.columns} == {"total_charges", "diagnosis", "sex"}
        for c in result.columns:
            assert c.replayable is not passes
            if not passes:
                assert c.reproduced.share == 1.0 and c.risk.value > 0.9
            else:  # chance: no noise draw twice alike; the diagnoses and sexes by coincidence
                assert c.reproduced.share <= c.chance.share + 0.05
        data = result.to_dict()
        assert data["attack"] == "replay" and len(data["columns"]) == 3
    nothing = replay_attack(raw, raw, anonlab.Recipe().then("mrn", Drop()), rows=rows)
    assert nothing.passed and nothing.columns == () and "no random step" in nothing.detail


def test_tie_breaks_of_microaggregation_replay_only_by_chance(raw: pl.DataFrame) -> None:
    recipe = anonlab.Recipe().then("total_charges", Microaggregate(k=5))
    release = recipe.apply(raw)
    result = replay_attack(raw, release, recipe, rows=np.arange(raw.height))
    assert result.passed, result.detail


def test_replay_follows_the_rows_through_a_shuffled_release(raw: pl.DataFrame) -> None:
    recipe = _recipe(seed=1)
    release, rows = make_release(raw, recipe, "release:test")
    result = replay_attack(raw, release, recipe, rows=rows)
    assert not result.passed
    assert all(c.reproduced.share == 1.0 for c in result.columns)


def test_row_order() -> None:
    kept = row_order_attack(np.arange(5_000))
    assert not kept.passed and kept.increasing.share == 1.0
    assert "keep the original order" in kept.detail
    shuffled = row_order_attack(np.random.default_rng(0).permutation(5_000))
    assert shuffled.passed and 0.45 < shuffled.increasing.share < 0.55
    reasoned = row_order_attack(np.arange(1_000), kept_reason="agreed")
    assert "kept on purpose: agreed" in reasoned.detail

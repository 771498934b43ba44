"""The attacker's view: original records mapped as a recipient who knows the recipe can."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

import anonlab
from anonlab.errors import ColumnNotFoundError, ParameterError
from anonlab.evidence import linkage_attack
from anonlab.evidence.release import make_release, secret_rng
from anonlab.evidence.view import TRUTH, attacker_view
from anonlab.keys import Key
from anonlab.transforms import (
    DateShift,
    Generalize,
    Hash,
    LocalSuppress,
    Microaggregate,
    Noise,
    Pram,
    Shuffle,
    SuppressRare,
)

KEY = Key("attacker view tests: a key long enough 0123")


@pytest.fixture(scope="module")
def raw() -> pl.DataFrame:
    rng = np.random.default_rng(4)
    n = 600
    return pl.DataFrame({
        "id": [f"P{i}" for i in range(n)],
        "zip": [f"{z:05d}" for z in rng.integers(10_000, 10_400, n)],
        "age": rng.integers(18, 90, n),
        "income": rng.normal(50_000, 9_000, n).round(0),
        "sex": rng.choice(["F", "M"], n),
        "city": rng.choice(["Ames", "Bly", "Cody", "Dale"], n),
        "visit": [dt.date(2024, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 300, n)],
    })


def test_each_transform_is_matched_as_its_linkage_says(raw: pl.DataFrame) -> None:
    recipe = (anonlab.Recipe()
              .then("zip", Generalize(keep=3))                       # recompute
              .then("age", Noise(distribution="laplace", scale=2.0, key=KEY))  # tolerance
              .then("income", Microaggregate(k=5, key=KEY))           # nearest
              .then("sex", Pram(retain=0.8, key=KEY))                 # exact
              .then("city", Shuffle(key=KEY))                         # hidden
              .then("id", Hash(key=KEY))                              # hidden
              .then("visit", DateShift(by="id", max_days=10, key=KEY)))  # tolerance, in days
    release, rows = make_release(raw, recipe, "release:view")
    columns = ("zip", "age", "income", "sex", "city", "id", "visit")
    view = attacker_view(raw, release, recipe, columns=columns, rows=rows)
    assert dict(view.modes) == {"zip": "recompute", "age": "tolerance", "income": "nearest",
                                "sex": "exact", "city": "hidden", "id": "hidden",
                                "visit": "tolerance"}
    assert view.columns == ("zip", "age", "income", "sex", "visit")
    assert view.tolerance["age"] == pytest.approx(2.0 * np.log(1000))
    assert view.tolerance["visit"] == 10.0
    # every record becomes the release row the truth column names
    truth = view.targets[TRUTH].to_numpy()
    assert sorted(truth) == list(range(release.height))
    mine, theirs = view.targets, view.release[truth]
    assert mine["zip"].equals(theirs["zip"])  # the public step, recomputed
    # dates compared as days, shifted by at most max_days
    assert mine["visit"].dtype == pl.Float64
    assert float((mine["visit"] - theirs["visit"]).abs().max()) <= 10  # type: ignore[arg-type]
    # microaggregated values snap to a release value (the group mean nearest the target's)
    assert set(mine["income"].drop_nulls()) <= set(view.release["income"].drop_nulls())
    assert float((mine["income"] == theirs["income"]).mean()) > 0.8  # type: ignore[arg-type]
    # the linkage attack misses a record only where PRAM changed its sex or its income fell
    # into another group than the nearest one
    result = linkage_attack(view.release, view.targets, quasi_identifiers=view.columns,
                            rng=secret_rng(), tolerances=dict(view.tolerance), n_attacks=None,
                            truth=TRUTH)
    beyond = (mine["age"] - theirs["age"]).abs() > view.tolerance["age"]  # 0.1% of noise draws
    missed = int(((mine["sex"] != theirs["sex"]) | (mine["income"] != theirs["income"])
                  | beyond).sum())
    assert 0 < result.n_not_candidate <= missed


def test_a_public_step_after_a_perturbation_compares_labels(raw: pl.DataFrame) -> None:
    recipe = (anonlab.Recipe()
              .then("age", Noise(distribution="gaussian", scale=1.0, key=KEY))
              .then("age", Generalize(width=10)))
    release, rows = make_release(raw, recipe, "release:view")
    view = attacker_view(raw, release, recipe, columns=("age",), rows=rows)
    assert view.modes["age"] == "exact" and "age" not in view.tolerance
    truth = view.targets[TRUTH].to_numpy()
    # the attacker's label misses only where the noise crossed a boundary of ten years
    assert float((view.targets["age"] == view.release["age"][truth]).mean()) > 0.8  # type: ignore[arg-type]


def test_suppressed_cells_and_removed_records(raw: pl.DataFrame) -> None:
    recipe = (anonlab.Recipe()
              .then("city", SuppressRare(min_count=200, replacement="other"))
              .then(None, LocalSuppress(quasi_identifiers=("zip", "sex"), k=3)))
    release, rows = make_release(raw, recipe, "release:view")
    view = attacker_view(raw, release, recipe, columns=("zip", "sex", "city"), rows=rows)
    assert view.modes["city"] == view.modes["zip"] == "recompute"
    # the replacement text reads as a suppressed cell: null, which matches anything
    assert "other" not in view.release["city"].drop_nulls().to_list()
    assert view.release["city"].null_count() == int((release["city"] == "other").sum())
    assert view.release["zip"].null_count() == release["zip"].null_count() > 0


def test_bad_input(raw: pl.DataFrame) -> None:
    recipe = anonlab.Recipe().then("zip", Generalize(keep=3))
    release = recipe.apply(raw)
    with pytest.raises(ColumnNotFoundError, match="'nope'"):
        attacker_view(raw, release, recipe, columns=("nope",))
    with pytest.raises(ParameterError, match="rows= mapping"):
        attacker_view(raw, release.head(10), recipe, columns=("zip",))
    with pytest.raises(ParameterError, match="rows= has 3 entries"):
        attacker_view(raw, release, recipe, columns=("zip",), rows=np.arange(3))

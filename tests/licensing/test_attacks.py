"""The attack checks as compliance checks: what they need, what they defer, when they refuse."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import polars as pl
import pytest

import anonlab
from anonlab.evidence.release import make_release
from anonlab.licensing import check_compliance
from anonlab.licensing import template as lookup
from anonlab.transforms import Generalize

ATTACKS = ("replay", "cross-release", "row-order", "linkage", "singling-out", "linkability",
           "inference")


@pytest.fixture(scope="module")
def raw() -> pl.DataFrame:
    rng = np.random.default_rng(3)
    n = 1_200
    return pl.DataFrame({
        "zip": [f"{z:05d}" for z in rng.integers(10_000, 10_060, n)],
        "age": rng.integers(20, 80, n),
        "sex": rng.choice(["F", "M"], n),
        "diagnosis": rng.choice(["a", "b", "c", "d"], n),
    })


@pytest.fixture(scope="module")
def recipe() -> anonlab.Recipe:
    return (anonlab.Recipe().then("zip", Generalize(keep=3)).then("age", Generalize(width=20))
            .with_targets(quasi_identifiers=["zip", "age", "sex"], sensitive=["diagnosis"]))


def _result(tid: str, raw: pl.DataFrame, recipe: anonlab.Recipe, **kw: Any) -> dict[str, Any]:
    release, rows = make_release(raw, recipe, "release:attacks")
    if "report" not in kw:
        kw["report"] = anonlab.assess_risk(release, list(recipe.targets.quasi_identifiers))
    out = check_compliance(tid, frame=release, recipe=recipe, original=raw, rows=rows,
                           scope="release:attacks", **kw)
    return {c.name: c for c in out.checks}


def test_every_template_requires_every_attack() -> None:
    for tpl in anonlab.licensing.templates().values():
        if tpl.builtin:
            assert set(ATTACKS) <= set(tpl.required_checks), tpl.id


def test_without_the_original_nothing_is_proven(raw: pl.DataFrame,
                                                recipe: anonlab.Recipe) -> None:
    release, _ = make_release(raw, recipe, "release:attacks")
    out = check_compliance("gdpr-anonymous", frame=release, recipe=recipe)
    failed = {c.name: c for c in out.failures}
    for name in ("cross-release", "row-order", "linkage", "singling-out", "linkability",
                 "inference"):
        if name == "cross-release":  # no token column: nothing to join, needs nothing
            assert name not in failed
            continue
        assert "nothing was proven" in failed[name].detail, name
    # a preview defers what only export can show, and runs the rest
    preview = check_compliance("gdpr-anonymous", frame=recipe.apply(raw), recipe=recipe,
                               original=raw, preview=True)
    assert set(preview.deferred) == {"cross-release", "row-order"}
    assert {c.name for c in preview.checks} >= {"linkage", "singling-out", "replay"}


def test_a_k_the_attack_disproves_is_refused(raw: pl.DataFrame, recipe: anonlab.Recipe) -> None:
    checks = _result("hipaa-safe-harbor", raw, recipe)
    true_k = checks["linkage"].evidence["k"]
    assert checks["linkage"].passed, checks["linkage"].detail

    @dataclass
    class Measures:
        k: int

    @dataclass
    class Wrong:  # a report that claims more than the data holds
        quasi_identifiers: tuple[str, ...]
        measures: Measures

    wrong = Wrong(("zip", "age", "sex"), Measures(true_k + 5))
    refused = _result("hipaa-safe-harbor", raw, recipe, report=wrong)["linkage"]
    assert not refused.passed
    assert f"fewer than k = {true_k + 5}" in refused.detail


def test_criteria_are_held_to_the_template_thresholds(raw: pl.DataFrame,
                                                      recipe: anonlab.Recipe) -> None:
    recorded = _result("hipaa-safe-harbor", raw, recipe)
    for name in ("singling-out", "linkability", "inference"):
        assert recorded[name].passed and "recorded, not held" in recorded[name].detail
        assert 0 <= recorded[name].evidence["risk"]["value"] <= 1
    strict = replace(lookup("hipaa-safe-harbor"), id="test-strict-criteria",
                     attack_thresholds={"inference": 1e-9})
    held = _result(strict, raw, recipe)["inference"]
    assert "threshold of 1e-09" in held.detail
    assert held.passed is (held.evidence["risk"]["high"] <= 1e-9)
    # no quasi-identifier declared: nothing modelled, which a threshold does not accept
    bare = anonlab.Recipe(steps=recipe.steps)
    none = _result(strict, raw, bare, report=None)["inference"]
    assert not none.passed and "declare them" in none.detail


def test_too_few_records_for_a_control_sample(raw: pl.DataFrame,
                                              recipe: anonlab.Recipe) -> None:
    small = raw.head(150)
    strict = replace(lookup("hipaa-safe-harbor"), id="test-strict-small",
                     attack_thresholds={"singling-out": 0.5})
    checks = _result(strict, small, recipe)
    assert not checks["singling-out"].passed and "too few" in checks["singling-out"].detail
    assert checks["linkability"].passed and "too few" in checks["linkability"].detail

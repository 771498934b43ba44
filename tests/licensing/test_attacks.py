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
from anonlab.transforms import Drop, Generalize, Scrub

ATTACKS = ("replay", "cross-release", "row-order", "linkage", "singling-out", "linkability",
           "inference", "residual-identifiers")


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


@pytest.fixture(scope="module")
def noted() -> pl.DataFrame:
    """Patients whose notes name them, as issue 12 found them (2,000 of 2,000 kept the name)."""
    df = anonlab.datasets.patients(600, seed=21).select("name", "phone", "mrn", "sex", "note")
    return df.with_columns(note=pl.concat_str([
        pl.col("name"), pl.lit(" was admitted; contact "),
        pl.col("phone").str.replace_all(r"\D", ""), pl.lit(". "), pl.col("note")]))


def _residual(raw: pl.DataFrame, scrub: Scrub, tid: str = "hipaa-safe-harbor") -> Any:
    recipe = (anonlab.Recipe().then("name", Drop()).then("phone", Drop()).then("mrn", Drop())
              .then("note", scrub))
    release, rows = make_release(raw, recipe, "release:notes")
    out = check_compliance(tid, frame=release, recipe=recipe, original=raw, rows=rows,
                           scope="release:notes")
    return {c.name: c for c in out.checks}["residual-identifiers"]


def test_residue_in_free_text_is_refused_naming_column_and_count(noted: pl.DataFrame) -> None:
    check = _residual(noted, Scrub(kinds=("email", "url")))  # the old scrubber's reach
    assert not check.passed
    assert check.evidence["found"] == {"note": {"name": 600, "phone": 600}}
    assert "note: 600 record(s) hold their own name" in check.detail
    names = noted.get_column("name").to_list()
    assert not any(n in check.detail or n.split()[1] in str(check.evidence) for n in names)


@pytest.mark.parametrize("tid", ["hipaa-safe-harbor", "gdpr-anonymous"])
def test_scrubbed_text_passes_the_residual_scan(noted: pl.DataFrame, tid: str) -> None:
    check = _residual(noted, Scrub(context=("name", "phone", "mrn")), tid)
    assert check.passed, check.detail
    assert check.evidence["scanned"]["note"] == ["name", "phone", "mrn"]


def test_residual_scan_needs_the_original(noted: pl.DataFrame) -> None:
    recipe = anonlab.Recipe().then("name", Drop()).then("note", Scrub())
    out = check_compliance("hipaa-safe-harbor", frame=recipe.apply(noted), recipe=recipe)
    check = {c.name: c for c in out.checks}["residual-identifiers"]
    assert not check.passed and "nothing was proven" in check.detail


@pytest.mark.parametrize("remarks", [
    pl.lit("called ") + pl.col("name"),                                   # a short column
    pl.when(pl.int_range(pl.len()) % 3 == 0).then(pl.col("name") + pl.lit(" seen for follow "
        "up, doing well")).otherwise(pl.lit("none")),                     # mostly short values
    (pl.lit("called ") + pl.col("name")).cast(pl.Categorical),           # not a String column
    pl.concat_list([pl.col("name")]),                                     # a list of text
])
def test_every_text_column_is_scanned(noted: pl.DataFrame, remarks: pl.Expr) -> None:
    """Review of the residual check: columns other than long prose were never scanned."""
    raw = noted.with_columns(remarks=remarks)
    recipe = (anonlab.Recipe().then("name", Drop()).then("phone", Drop()).then("mrn", Drop())
              .then("note", Scrub(context=("name", "phone", "mrn"))))
    release, rows = make_release(raw, recipe, "release:notes")
    out = check_compliance("hipaa-safe-harbor", frame=release, recipe=recipe, original=raw,
                           rows=rows, scope="release:notes")
    assert not out.passed
    residual = {c.name: c for c in out.checks}["residual-identifiers"]
    # scanned as text, or (a list the profile takes for an identifier) failed by the rules
    named = [c for c in out.failures if "remarks" in c.detail or "remarks" in str(c.evidence)]
    assert residual.evidence.get("found", {}).get("remarks", {}).get("name", 0) > 0 or named


def test_a_name_in_no_column_is_found_by_the_kind_scan(noted: pl.DataFrame) -> None:
    """A relative's name belongs to no column: only the scrubber's detector can find it."""
    raw = noted.with_columns(note=pl.lit("Her daughter Hope Okafor called on 2024-03-02."))
    for scrub, passed in ((Scrub(kinds=("email", "url")), False), (Scrub(), True)):
        check = _residual(raw, scrub)
        assert check.passed is passed, check.detail
        if not passed:
            left = check.evidence["leftovers"]["note"]
            assert left["values"] == left["sampled"] == 600
            assert left["kinds"] == {"name": 600, "date": 600}
            assert "Okafor" not in check.detail and "Okafor" not in str(check.evidence)
        else:
            assert check.evidence["free_text"] == ["note"]

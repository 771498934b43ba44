"""Results: plain data, notebook display, and no cell value anywhere in them."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest

import anonlab.evidence
from anonlab.evidence import (
    AttackResult,
    LinkageResult,
    inference_attack,
    linkability_attack,
    linkage_attack,
    singling_out_attack,
)

MARK = "Q7-PERSONAL"


@pytest.fixture(scope="module")
def results() -> list[AttackResult | LinkageResult]:
    rng = np.random.default_rng(0)
    n = 400
    frame = pl.DataFrame(
        {
            "name": [f"{MARK}-{i}" for i in range(n)],
            "zip": rng.choice([f"{MARK}-zip-{i}" for i in range(20)], n),
            "age": rng.integers(20, 90, n).astype(float),
            "secret": rng.choice([f"{MARK}-diag-{i}" for i in range(5)], n),
        }
    )
    members, control = frame[:300], frame[300:]
    targets = members.with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("truth"))
    return [
        singling_out_attack(members, targets, control, rng=rng, n_attacks=100),
        singling_out_attack(members, targets, control, rng=rng, mode="univariate"),
        linkability_attack(
            members,
            targets,
            control,
            aux_columns=(["name"], ["zip", "age"]),
            rng=rng,
            truth="truth",
        ),
        inference_attack(
            members, targets, control, aux_columns=["zip", "age"], secret="secret", rng=rng
        ),
        linkage_attack(
            members,
            targets,
            quasi_identifiers=["zip", "age"],
            rng=rng,
            k=2,
            tolerances={"age": 1.0},
        ),
    ]


def test_plain_data_round_trips_through_json(results: list) -> None:
    for result in results:
        data = result.to_dict()
        assert json.loads(json.dumps(data)) == data
        assert data["name"] == result.name


def test_no_cell_value_in_any_output(results: list) -> None:
    for result in results:
        for text in (
            json.dumps(result.to_dict()),
            result._repr_html_(),
            repr(result),
            result.detail,
        ):
            assert MARK not in text


def test_html_display(results: list) -> None:
    attack, linkage = results[0], results[-1]
    html = attack._repr_html_()
    assert "Singling out" in html and "baseline" in html and "<script" not in html
    assert "&#10007;" in linkage._repr_html_()  # 1/k broken: names are unique
    frozen = attack
    with pytest.raises(AttributeError):
        frozen.name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        frozen.parameters["mode"] = "x"  # type: ignore[index]


def test_weak_attack_is_flagged() -> None:
    """When the attack does no better than random predicates, the display says so."""
    frame = pl.DataFrame({"a": ["x", "y"] * 50})
    result = singling_out_attack(frame, frame, rng=np.random.default_rng(0), n_cols=1)
    assert not result.attack_beats_baseline
    assert "no better than the naive baseline" in result._repr_html_()


def test_exported_names_are_pinned() -> None:
    assert anonlab.evidence.__all__ == sorted(anonlab.evidence.__all__)
    assert anonlab.evidence.__all__ == [
        "AttackResult",
        "LinkageResult",
        "RiskEstimate",
        "SuccessRate",
        "inference_attack",
        "linkability_attack",
        "linkage_attack",
        "residual_risk",
        "singling_out_attack",
        "success_rate",
    ]

"""The linkability attack: known cases, random links, bad input."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from anonlab.errors import ColumnNotFoundError, EmptyFrameError, ParameterError
from anonlab.evidence import linkability_attack
from anonlab.evidence.linkability import random_distinct
from tests.evidence.conftest import unique_frame

HALVES = (["code", "sex"], ["day", "group", "score"])


def _split(n: int, seed: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    frame = unique_frame(2 * n, seed)
    return frame[:n], frame[n:]


def test_release_equal_to_original_links_everyone() -> None:
    members, control = _split(2000, 0)
    targets = members.with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("truth"))
    result = linkability_attack(
        members,
        targets,
        control,
        aux_columns=HALVES,
        rng=np.random.default_rng(0),
        n_attacks=500,
        truth="truth",
    )
    assert result.attack.low > 0.99
    assert result.figures["true_links"] == 500
    assert result.control.high < 0.05  # control records link through no common record
    assert result.risk.low > 0.95 and result.attack_beats_baseline


def test_pure_noise_release_stays_at_baseline() -> None:
    """A release drawn independently of the targets: attack and control rates agree within
    their intervals and the residual risk's interval reaches 0."""
    rng = np.random.default_rng(1)

    def draw(n: int) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "a": rng.choice(list("abcd"), n),
                "b": rng.integers(0, 50, n),
                "c": rng.choice(list("xyz"), n),
                "d": rng.normal(0, 1, n),
            }
        )

    release, targets, control = draw(3000), draw(3000), draw(3000)
    result = linkability_attack(
        release, targets, control, aux_columns=(["a", "b"], ["c", "d"]), rng=rng, n_attacks=1000
    )
    assert result.risk.low == 0.0
    assert abs(result.attack.value - result.control.value) <= (
        result.attack.error + result.control.error
    )


def test_more_neighbours_link_more() -> None:
    members, control = _split(1500, 2)
    noisy = members.with_columns(pl.col("score") + np.random.default_rng(3).normal(0, 5, 1500))
    coarse = noisy.with_columns(pl.lit("x").alias("code"))
    one = linkability_attack(
        coarse,
        members,
        control,
        aux_columns=HALVES,
        n_neighbors=1,
        rng=np.random.default_rng(4),
        n_attacks=600,
    )
    five = linkability_attack(
        coarse,
        members,
        control,
        aux_columns=HALVES,
        n_neighbors=5,
        rng=np.random.default_rng(4),
        n_attacks=600,
    )
    assert five.attack.successes > one.attack.successes
    assert five.parameters["n_neighbors"] == 5


def test_random_links_are_distinct_and_uniform() -> None:
    draws = random_distinct(10, 20_000, 3, np.random.default_rng(5))
    assert draws.shape == (20_000, 3)
    assert (np.sort(draws, axis=1)[:, 1:] != np.sort(draws, axis=1)[:, :-1]).all()
    counts = np.bincount(draws.ravel(), minlength=10)
    assert np.all(np.abs(counts - 6000) < 5 * np.sqrt(6000 * 0.9))
    assert random_distinct(3, 5, 3, np.random.default_rng(0)).shape == (5, 3)


def test_seeded_and_capped() -> None:
    members, control = _split(300, 6)
    runs = [
        linkability_attack(
            members, members, control[:100], aux_columns=HALVES, rng=np.random.default_rng(7)
        ).to_dict()
        for _ in range(2)
    ]
    assert runs[0] == runs[1]
    assert runs[0]["attack"]["trials"] == 300 and runs[0]["control"]["trials"] == 100


SECRET_VALUE = "Z9-PRIVATE-VALUE"


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        ({"aux_columns": (["a"], ["zz"])}, ColumnNotFoundError, "Column 'zz'"),
        ({"aux_columns": ["a", "n"]}, ParameterError, "pair of column lists"),
        ({"aux_columns": (["a"],)}, ParameterError, "pair of column lists"),
        ({"aux_columns": (["a"], [])}, ParameterError, r"'aux_columns\[1\]'"),
        ({"n_neighbors": 0}, ParameterError, "'n_neighbors'"),
        ({"truth": "gone"}, ColumnNotFoundError, "Column 'gone'"),
        ({"rng": None}, ParameterError, "numpy.random.Generator"),
    ],
)
def test_bad_input(kwargs: dict, error: type[Exception], fragment: str) -> None:
    frame = pl.DataFrame({"a": [SECRET_VALUE, "y", "z"], "n": [1, 2, 3]})
    args = {"aux_columns": (["a"], ["n"]), "rng": np.random.default_rng(0), **kwargs}
    with pytest.raises(error, match=fragment) as info:
        linkability_attack(frame, frame, **args)
    assert SECRET_VALUE not in str(info.value)


def test_bad_frames() -> None:
    frame = pl.DataFrame({"a": ["x", "y"], "n": [1, 2]})
    args = {"aux_columns": (["a"], ["n"]), "rng": np.random.default_rng(0)}
    with pytest.raises(EmptyFrameError):
        linkability_attack(frame.clear(), frame, **args)
    with pytest.raises(ParameterError, match="in the release but"):
        linkability_attack(frame, frame, frame.with_columns(pl.col("n").cast(pl.String)), **args)

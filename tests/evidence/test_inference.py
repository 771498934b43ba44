"""The inference attack: known cases, numeric secrets, wildcards, bad input."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from anonlab.errors import ColumnNotFoundError, EmptyFrameError, ParameterError
from anonlab.evidence import inference_attack
from tests.evidence.conftest import unique_frame


def test_release_equal_to_original_gives_secrets_away() -> None:
    frame = unique_frame(4000, 0).with_columns(
        pl.Series("secret", np.random.default_rng(0).choice(["p", "q", "r"], 4000))
    )
    members, control = frame[:2000], frame[2000:]
    result = inference_attack(
        members,
        members,
        control,
        aux_columns=["code", "day", "score"],
        secret="secret",
        rng=np.random.default_rng(1),
        n_attacks=500,
    )
    assert result.attack.low > 0.99
    assert result.control.high < 0.45  # random secret: a third right by chance
    assert abs(result.baseline.value - 1 / 3) < 0.1
    assert result.risk.low > 0.4


def test_pure_noise_release_stays_at_baseline() -> None:
    rng = np.random.default_rng(2)

    def draw(n: int) -> pl.DataFrame:
        a = rng.choice(list("abcd"), n)
        # the secret depends on a: an attacker learns this from any sample, not the members
        secret = np.where(a == "a", "yes", rng.choice(["yes", "no"], n))
        return pl.DataFrame({"a": a, "b": rng.integers(0, 30, n), "s": secret})

    release, targets, control = draw(3000), draw(3000), draw(3000)
    result = inference_attack(
        release, targets, control, aux_columns=["a", "b"], secret="s", rng=rng, n_attacks=1500
    )
    assert result.risk.low == 0.0
    assert abs(result.attack.value - result.control.value) <= (
        result.attack.error + result.control.error
    )
    assert result.attack_beats_baseline  # the population-level dependence is real


def test_numeric_secret_within_tolerance() -> None:
    rng = np.random.default_rng(3)
    n = 1000
    frame = pl.DataFrame(
        {
            "a": rng.choice(list("abcdefgh"), n),
            "b": rng.integers(0, 100_000, n),
            "pay": rng.uniform(1000, 2000, n),
        }
    )
    release = frame.with_columns(pl.col("pay") * 1.02)  # 2 % off: within 5 %
    result = inference_attack(
        release, frame, aux_columns=["a", "b"], secret="pay", rng=rng, n_attacks=300
    )
    assert result.parameters["regression"] is True and result.attack.low > 0.95
    strict = inference_attack(
        release, frame, aux_columns=["a", "b"], secret="pay", rng=rng, n_attacks=300, tolerance=0.01
    )
    assert strict.attack.high < 0.05
    exact = inference_attack(
        release,
        frame,
        aux_columns=["a", "b"],
        secret="pay",
        rng=rng,
        n_attacks=300,
        regression=False,
    )
    assert exact.attack.successes == 0


def test_suppressed_secrets() -> None:
    """A suppressed secret in the release is never a right guess; a target whose secret is
    unknown is left out."""
    release = pl.DataFrame({"a": ["x", "y", "z"], "s": ["*", "b", None]})
    targets = pl.DataFrame({"a": ["x", "y", "z", "w"], "s": ["a", "b", "c", None]})
    result = inference_attack(
        release, targets, aux_columns=["a"], secret="s", rng=np.random.default_rng(0)
    )
    assert result.n_attacks == 3 and result.attack.successes == 1
    assert result.figures["excluded_targets"] == 1
    with pytest.raises(EmptyFrameError, match="Every target's secret"):
        inference_attack(
            release,
            targets.with_columns(pl.lit("*").alias("s")),
            aux_columns=["a"],
            secret="s",
            rng=np.random.default_rng(0),
        )


SECRET_VALUE = "Z9-PRIVATE-VALUE"


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        ({"secret": "zz"}, ColumnNotFoundError, "Column 'zz'.*'secret' parameter"),
        ({"secret": 3}, ParameterError, "'secret' parameter"),
        ({"aux_columns": ["a", "s"]}, ParameterError, "among the 'aux_columns'"),
        ({"aux_columns": ["q"]}, ColumnNotFoundError, "Column 'q'"),
        ({"regression": True}, ParameterError, "is not numeric"),
        ({"regression": "yes"}, ParameterError, "'regression' parameter"),
        ({"tolerance": -0.1}, ParameterError, "'tolerance' parameter"),
        ({"n_attacks": 1.5}, ParameterError, "'n_attacks'"),
    ],
)
def test_bad_input(kwargs: dict, error: type[Exception], fragment: str) -> None:
    frame = pl.DataFrame({"a": [SECRET_VALUE, "y", "z"], "n": [1, 2, 3], "s": ["p", "q", "r"]})
    args = {"aux_columns": ["a", "n"], "secret": "s", "rng": np.random.default_rng(0), **kwargs}
    with pytest.raises(error, match=fragment) as info:
        inference_attack(frame, frame, **args)
    assert SECRET_VALUE not in str(info.value)


def test_secret_missing_from_the_release() -> None:
    frame = pl.DataFrame({"a": ["x", "y"], "s": ["p", "q"]})
    with pytest.raises(ColumnNotFoundError, match="in release"):
        inference_attack(
            frame.drop("s"), frame, aux_columns=["a"], secret="s", rng=np.random.default_rng(0)
        )
    with pytest.raises(ColumnNotFoundError, match="in control"):
        inference_attack(
            frame,
            frame,
            frame.drop("s"),
            aux_columns=["a"],
            secret="s",
            rng=np.random.default_rng(0),
        )

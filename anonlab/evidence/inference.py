"""The inference attack: deducing a secret attribute of a target from the release.

Inference is the third criterion of the Article 29 Working Party's Opinion 05/2014: can an
attacker deduce, with significant probability, the value of an attribute from the values of
others? The attack is anonymeter's (``anonymeter.evaluators.inference_evaluator`` with its
default nearest-neighbour predictor): the attacker knows a target's auxiliary columns, finds the
nearest release record under the mixed-type distance of :mod:`anonlab.evidence.distance` (ties
broken uniformly at random) and guesses that record's secret.

A guess is correct when it equals the target's secret (categorical secrets) or, for a numeric
secret with ``regression``, when ``|guess - secret| <= tolerance * |guess|`` (anonymeter's
``|guess - secret| / (guess + 1e-12) <= tolerance``, with the absolute value so that a negative
guess is not always right). A wildcard guess (the secret was suppressed in that release record)
is never correct. Targets whose own secret is a wildcard cannot be scored and are left out
(``figures["excluded_targets"]``).

The control rate is the same attack on control records; the baseline guesses the secret of a
random release record.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

from anonlab._validation import describe
from anonlab.errors import ColumnNotFoundError, EmptyFrameError, ParameterError
from anonlab.evidence._inputs import (
    check_columns,
    check_frames,
    check_n_attacks,
    check_rng,
    column_kinds,
    wildcard_expr,
)
from anonlab.evidence.confidence import _check_confidence, residual_risk, success_rate
from anonlab.evidence.distance import encode, nearest_neighbors
from anonlab.evidence.result import AttackResult

__all__ = ["inference_attack"]

_OWNER = "inference_attack"


def _correct(
    guess: np.ndarray,
    secret: np.ndarray,
    regression: bool,
    tolerance: float,
    wild_guess: np.ndarray,
) -> np.ndarray:
    if regression:
        with np.errstate(invalid="ignore"):
            right = np.abs(guess - secret) <= tolerance * (np.abs(guess) + 1e-12)
    else:
        right = guess == secret
    correct: np.ndarray = right & ~wild_guess
    return correct


def inference_attack(
    release: Any,
    targets: Any,
    control: Any = None,
    *,
    aux_columns: Sequence[str],
    secret: str,
    rng: np.random.Generator,
    n_attacks: int = 2000,
    regression: bool | None = None,
    tolerance: float = 0.05,
    confidence_level: float = 0.95,
) -> AttackResult:
    """Measure how often the nearest release record gives away a target's secret.

    Parameters
    ----------
    release : frame
        The anonymized data the recipient holds; holds ``aux_columns`` and ``secret``.
    targets : frame
        Records that are in the release, mapped into its value space, with their true secret.
    control : frame, optional
        Records of the same population not in the release, mapped the same way.
    aux_columns : sequence of str
        What the attacker knows about each target.
    secret : str
        The column the attacker tries to deduce (not among ``aux_columns``).
    rng : numpy.random.Generator
        The source of every random choice (targets, control records, ties, random guesses).
    n_attacks : int, default 2000
        Targets attacked (and control records); capped at the records with a known secret.
    regression : bool, optional
        Score numeric guesses within ``tolerance`` rather than exactly; by default, when the
        release's secret column is numeric.
    tolerance : float, default 0.05
        The relative tolerance of a numeric guess.
    confidence_level : float, default 0.95

    Returns
    -------
    AttackResult
        ``name="inference"``.

    Raises
    ------
    ColumnNotFoundError, EmptyFrameError, ParameterError
    """
    rng = check_rng(rng, _OWNER)
    n_attacks = int(check_n_attacks(n_attacks, _OWNER) or 0)
    cl = _check_confidence(confidence_level, _OWNER)
    if (
        isinstance(tolerance, bool)
        or not isinstance(tolerance, int | float)
        or not np.isfinite(tolerance)
        or tolerance < 0
    ):
        raise ParameterError(
            f"The 'tolerance' parameter of {_OWNER} must be a number >= 0. "
            f"Got {describe(tolerance)} instead."
        )
    if regression is not None and not isinstance(regression, bool):
        raise ParameterError(
            f"The 'regression' parameter of {_OWNER} must be True, False or None. "
            f"Got {describe(regression)} instead."
        )
    frames = check_frames(release, targets, control, _OWNER)
    if not isinstance(secret, str):
        raise ParameterError(
            f"The 'secret' parameter of {_OWNER} must be a column name (str). "
            f"Got {describe(secret)} instead."
        )
    for label, frame in (
        ("release", frames.release),
        ("targets", frames.targets),
        ("control", frames.control),
    ):
        if frame is not None and secret not in frame.columns:
            raise ColumnNotFoundError(
                secret, frame.columns, where=f"the 'secret' parameter of {_OWNER}, in {label}"
            )
    aux = check_columns(aux_columns, frames, _OWNER, "aux_columns")
    if secret in aux:
        raise ParameterError(
            f"The secret column {secret!r} is among the 'aux_columns' of {_OWNER}: the "
            "attacker would already know it. Leave it out of 'aux_columns'."
        )
    secret_kind = column_kinds([secret], frames, _OWNER)[secret]
    if regression is None:
        regression = secret_kind == "numeric"
    elif regression and secret_kind != "numeric":
        raise ParameterError(
            f"The 'regression' parameter of {_OWNER} is True but the secret column "
            f"{secret!r} is not numeric in the release. Pass regression=False (exact match)."
        )
    kinds = column_kinds(aux, frames, _OWNER)

    def known(frame: pl.DataFrame) -> np.ndarray:
        return np.flatnonzero(
            ~frame.select(wildcard_expr(secret, frame.schema[secret])).to_series().to_numpy()
        )

    t_known = known(frames.targets)
    if t_known.size == 0:
        raise EmptyFrameError(
            f"Every target's secret {secret!r} is a wildcard (null or '*'), so {_OWNER} has "
            "nothing to score. Pass targets with their true secret."
        )
    n_t = min(n_attacks, t_known.size)
    tgt = frames.targets[rng.choice(t_known, size=n_t, replace=False)]
    ctl = None
    c_known = np.empty(0, dtype=np.int64)
    if frames.control is not None:
        c_known = known(frames.control)
        if c_known.size == 0:
            raise EmptyFrameError(
                f"Every control record's secret {secret!r} is a wildcard, so {_OWNER} cannot "
                "measure the control rate. Pass control records with their true secret."
            )
        n_c = min(n_attacks, c_known.size)
        ctl = frames.control[rng.choice(c_known, size=n_c, replace=False)]

    present = [frames.release, tgt] + ([] if ctl is None else [ctl])
    enc = encode(present, kinds)
    # the secret in one value space: codes for categorical secrets, raw numbers otherwise
    sec = encode(present, {secret: secret_kind}, scale=False)

    def values(i: int) -> tuple[np.ndarray, np.ndarray]:
        if secret_kind == "numeric":
            v = sec[i].numbers[0]
            return v, np.isnan(v)
        c = sec[i].codes[0].astype(np.float64)
        return c, sec[i].codes[0] < 0

    rel_secret, rel_wild = values(0)

    def attack_on(i: int) -> tuple[int, int]:
        idx = nearest_neighbors(enc[0], enc[i], 1, rng)[0][:, 0]
        truth_values, _ = values(i)
        right = _correct(rel_secret[idx], truth_values, regression, tolerance, rel_wild[idx])
        return int(right.sum()), int(idx.shape[0])

    n_success, _ = attack_on(1)
    n_release = frames.release.height
    n_b = min(n_t, n_release)
    guesses = rng.choice(n_release, size=n_b, replace=False)
    tgt_secret, _ = values(1)
    n_baseline = int(
        _correct(
            rel_secret[guesses], tgt_secret[:n_b], regression, tolerance, rel_wild[guesses]
        ).sum()
    )
    attack = success_rate(n_success, n_t, cl)
    baseline = success_rate(n_baseline, n_b, cl)
    control_rate = None
    if ctl is not None:
        n_control, trials = attack_on(2)
        control_rate = success_rate(n_control, trials, cl)
    risk = residual_risk(attack, control_rate)
    excluded = frames.targets.height - t_known.size
    detail = (
        f"Guessed the secret {secret!r} of {n_success:,} of {n_t:,} targets from the nearest "
        "release record"
        + (
            ""
            if control_rate is None
            else f"; control {int(control_rate.successes):,} of {control_rate.trials:,}"
        )
        + f"; random guesses {n_baseline:,} of {n_b:,}."
    )
    figures: dict[str, Any] = {"excluded_targets": excluded}
    if frames.control is not None:
        figures["excluded_control"] = frames.control.height - c_known.size
    return AttackResult(
        name="inference",
        attack=attack,
        baseline=baseline,
        control=control_rate,
        risk=risk,
        parameters={
            "aux_columns": list(aux),
            "secret": secret,
            "n_attacks": n_t,
            "regression": regression,
            "tolerance": float(tolerance) if regression else None,
            "confidence_level": cl,
        },
        figures=figures,
        detail=detail,
    )

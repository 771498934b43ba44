"""The linkability attack: joining two pieces of knowledge about a person through the release.

Linkability is the second criterion of the Article 29 Working Party's Opinion 05/2014: can an
attacker link two records about the same individual? The attack is anonymeter's
(``anonymeter.evaluators.linkability_evaluator``): the attacker holds two datasets about the
same people, one with the first set of auxiliary columns and one with the second. For each target
the two halves are looked up separately in the release (the ``n_neighbors`` nearest release
records under the mixed-type distance of :mod:`anonlab.evidence.distance`); the attack succeeds
when some release record is among the nearest of both halves, which links them.

The control rate is the same attack on control records, the baseline links at random: for each
half, ``n_neighbors`` release records drawn without replacement.

Ties between equally near release records are broken uniformly at random (anonymeter takes the
order of ``numpy.argsort``, which on generalized data with many ties favours the same records for
both halves and so inflates links).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from anonlab._validation import check_int, describe
from anonlab.errors import ParameterError
from anonlab.evidence._inputs import (
    check_columns,
    check_frames,
    check_n_attacks,
    check_rng,
    check_truth,
    column_kinds,
)
from anonlab.evidence.confidence import _check_confidence, residual_risk, success_rate
from anonlab.evidence.distance import encode, nearest_neighbors
from anonlab.evidence.result import AttackResult

__all__ = ["linkability_attack", "random_distinct"]

_OWNER = "linkability_attack"


def random_distinct(n: int, size: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """``(size, k)`` draws from ``range(n)``, each row without replacement (k <= n)."""
    out = rng.integers(0, n, (size, k))
    if k == 1:
        return out
    while True:
        ordered = np.sort(out, axis=1)
        bad = (ordered[:, 1:] == ordered[:, :-1]).any(axis=1)
        if not bad.any():
            return out
        out[bad] = rng.integers(0, n, (int(bad.sum()), k))


def _aux(value: Any) -> tuple[Sequence[str], Sequence[str]]:
    if (
        isinstance(value, str)
        or not isinstance(value, Sequence)
        or len(value) != 2
        or any(isinstance(v, str) or not isinstance(v, Sequence) for v in value)
    ):
        raise ParameterError(
            f"The 'aux_columns' parameter of {_OWNER} must be a pair of column lists, one per "
            "dataset the attacker holds, e.g. (['age', 'zip'], ['sex', 'diagnosis']). "
            f"Got {describe(value)} instead."
        )
    return value[0], value[1]


def _links(idx_a: np.ndarray, idx_b: np.ndarray) -> np.ndarray:
    """Whether the two neighbour lists of each row share a record."""
    shared: np.ndarray = (idx_a[:, :, None] == idx_b[:, None, :]).any(axis=(1, 2))
    return shared


def linkability_attack(
    release: Any,
    targets: Any,
    control: Any = None,
    *,
    aux_columns: tuple[Sequence[str], Sequence[str]],
    rng: np.random.Generator,
    n_attacks: int = 2000,
    n_neighbors: int = 1,
    truth: str | None = None,
    confidence_level: float = 0.95,
) -> AttackResult:
    """Measure how often the release links two halves of a target's attributes.

    Parameters
    ----------
    release : frame
        The anonymized data the recipient holds.
    targets : frame
        Records that are in the release, mapped into its value space, holding both sets of
        ``aux_columns``.
    control : frame, optional
        Records of the same population not in the release, mapped the same way.
    aux_columns : pair of sequences of str
        The columns of the attacker's first and second dataset.
    rng : numpy.random.Generator
        The source of every random choice (targets, control records, ties, random links).
    n_attacks : int, default 2000
        Targets attacked (and control records); capped at the frame's size.
    n_neighbors : int, default 1
        Release records considered per half; capped at the release's size.
    truth : str, optional
        A targets column with the release row (0-based position) each target became. When
        given, ``figures["true_links"]`` counts links made through the target's own record.
    confidence_level : float, default 0.95

    Returns
    -------
    AttackResult
        ``name="linkability"``.

    Raises
    ------
    ColumnNotFoundError, EmptyFrameError, ParameterError
    """
    rng = check_rng(rng, _OWNER)
    n_attacks = int(check_n_attacks(n_attacks, _OWNER) or 0)
    n_neighbors = int(check_int(n_neighbors, "n_neighbors", _OWNER, min_value=1) or 1)
    cl = _check_confidence(confidence_level, _OWNER)
    frames = check_frames(release, targets, control, _OWNER)
    first, second = _aux(aux_columns)
    halves = (
        check_columns(first, frames, _OWNER, "aux_columns[0]", truth=truth),
        check_columns(second, frames, _OWNER, "aux_columns[1]", truth=truth),
    )
    truth_rows = None if truth is None else check_truth(frames, truth, _OWNER)
    n_release = frames.release.height
    k = min(n_neighbors, n_release)

    n_t = min(n_attacks, frames.targets.height)
    t_rows = rng.choice(frames.targets.height, size=n_t, replace=False)
    tgt = frames.targets[t_rows]
    ctl = None
    if frames.control is not None:
        n_c = min(n_attacks, frames.control.height)
        ctl = frames.control[rng.choice(frames.control.height, size=n_c, replace=False)]

    on_targets: list[np.ndarray] = []
    on_control: list[np.ndarray] = []
    for half in halves:
        kinds = column_kinds(half, frames, _OWNER)
        present = [frames.release, tgt] + ([] if ctl is None else [ctl])
        enc = encode(present, kinds)
        on_targets.append(nearest_neighbors(enc[0], enc[1], k, rng)[0])
        if ctl is not None:
            on_control.append(nearest_neighbors(enc[0], enc[2], k, rng)[0])

    linked = _links(on_targets[0], on_targets[1])
    figures: dict[str, Any] = {}
    if truth_rows is not None:
        true_rows = truth_rows[t_rows][:, None]  # -1 (not in the release) matches nothing
        both = (on_targets[0] == true_rows).any(axis=1) & (on_targets[1] == true_rows).any(axis=1)
        figures["true_links"] = int(both.sum())
    random_links = _links(
        random_distinct(n_release, n_t, k, rng), random_distinct(n_release, n_t, k, rng)
    )
    attack = success_rate(int(linked.sum()), n_t, cl)
    baseline = success_rate(int(random_links.sum()), n_t, cl)
    control_rate = None
    if ctl is not None:
        control_rate = success_rate(int(_links(*on_control).sum()), ctl.height, cl)
    risk = residual_risk(attack, control_rate)
    detail = (
        f"Linked the two halves of {int(linked.sum()):,} of {n_t:,} targets through a release "
        f"record among the {k} nearest of each"
        + (
            ""
            if control_rate is None
            else f"; control {int(control_rate.successes):,} of {control_rate.trials:,}"
        )
        + f"; random links {int(random_links.sum()):,}."
    )
    return AttackResult(
        name="linkability",
        attack=attack,
        baseline=baseline,
        control=control_rate,
        risk=risk,
        parameters={
            "aux_columns": [list(halves[0]), list(halves[1])],
            "n_attacks": n_t,
            "n_neighbors": k,
            "confidence_level": cl,
        },
        figures=figures,
        detail=detail,
    )

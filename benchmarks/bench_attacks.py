"""Attack evaluators (anonlab.evidence) at 100,000 release rows, side by side with anonymeter.

The release: the synthetic patients data, 100,000 members plus 2,000 control records held out,
generalized to 10 columns (3-digit ZIP prefix, birth decade, sex, ethnicity, admission month,
diagnosis code, insurer, city, length of stay, and total charges with Laplace noise of scale
500). Targets are the members with the same generalization and their original charges.

Each evaluator runs with 2,000 attacks (singling out: up to 20,000 candidate predicates, for
anonymeter too, whose default of 10,000,000 would not finish); linkage attacks every target.
anonymeter gets the same frames (pandas) and, where it samples, the same sizes; it runs once.

Target: each evaluator a few seconds on 2 cores, the whole suite well under the 20 s export
budget. Figures are printed, not asserted.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import polars as pl

from anonlab.datasets import patients
from anonlab.evidence import (
    inference_attack,
    linkability_attack,
    linkage_attack,
    singling_out_attack,
)
from benchmarks.timing import best_of

HALVES = (
    ["zip3", "birth_decade", "sex", "ethnicity", "total_charges"],
    ["admission_month", "diagnosis_code", "insurer", "city", "stay_days"],
)
AUX = [
    "zip3",
    "birth_decade",
    "sex",
    "ethnicity",
    "admission_month",
    "insurer",
    "city",
    "total_charges",
    "stay_days",
]
SECRET = "diagnosis_code"
QIS = ["zip3", "birth_decade", "sex", "ethnicity", "total_charges"]
N_ATTACKS, MAX_ATTEMPTS, N_CONTROL = 2000, 20_000, 2000


def frames(rows: int, seed: int = 0) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(release, targets with truth, control) for ``rows`` members."""
    p = patients(rows + N_CONTROL, seed=seed)
    original = p.select(
        pl.col("zip").str.slice(0, 3).alias("zip3") + "**",
        ((pl.col("date_of_birth").dt.year() // 10) * 10).cast(pl.String).alias("birth_decade"),
        "sex",
        "ethnicity",
        pl.col("admission_date").dt.strftime("%Y-%m").alias("admission_month"),
        "diagnosis_code",
        "insurer",
        "city",
        (pl.col("discharge_date") - pl.col("admission_date")).dt.total_days().alias("stay_days"),
        "total_charges",
    )
    rng = np.random.default_rng(seed)
    order = rng.permutation(original.height)
    members, control = original[order[N_CONTROL:]], original[order[:N_CONTROL]]
    release = members.with_columns(pl.col("total_charges") + rng.laplace(0, 500, rows))
    targets = members.with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("truth"))
    return release, targets, control


def _ours(
    release: pl.DataFrame, targets: pl.DataFrame, control: pl.DataFrame
) -> dict[str, Callable[[], Any]]:
    def rng() -> np.random.Generator:
        return np.random.default_rng(1)

    return {
        "singling out": lambda: singling_out_attack(
            release, targets, control, rng=rng(), n_attacks=N_ATTACKS, max_attempts=MAX_ATTEMPTS
        ),
        "linkability": lambda: linkability_attack(
            release, targets, control, aux_columns=HALVES, rng=rng(), n_attacks=N_ATTACKS
        ),
        "inference": lambda: inference_attack(
            release,
            targets,
            control,
            aux_columns=AUX,
            secret=SECRET,
            rng=rng(),
            n_attacks=N_ATTACKS,
        ),
        "linkage": lambda: linkage_attack(
            release,
            targets,
            quasi_identifiers=QIS,
            rng=rng(),
            k=5,
            tolerances={"total_charges": 1000.0},
            n_attacks=None,
        ),
    }


def _anonymeter(
    release: pl.DataFrame, targets: pl.DataFrame, control: pl.DataFrame
) -> dict[str, Callable[[], Any]] | None:
    try:
        from anonymeter.evaluators import (
            InferenceEvaluator,
            LinkabilityEvaluator,
            SinglingOutEvaluator,
        )
    except ImportError:
        return None
    syn, ori, ctl = release.to_pandas(), targets.drop("truth").to_pandas(), control.to_pandas()

    def quiet(fn: Callable[[], Any]) -> Callable[[], Any]:
        def call() -> Any:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                np.random.seed(1)
                return fn()

        return call

    return {
        "singling out": quiet(
            lambda: (
                SinglingOutEvaluator(
                    ori, syn, n_attacks=N_ATTACKS, control=ctl, max_attempts=MAX_ATTEMPTS, seed=1
                )
                .evaluate()
                .results()
            )
        ),
        "linkability": quiet(
            lambda: (
                LinkabilityEvaluator(ori, syn, aux_cols=HALVES, n_attacks=N_ATTACKS, control=ctl)
                .evaluate(n_jobs=2)
                .results()
            )
        ),
        "inference": quiet(
            lambda: (
                InferenceEvaluator(
                    ori, syn, aux_cols=AUX, secret=SECRET, n_attacks=N_ATTACKS, control=ctl
                )
                .evaluate(n_jobs=2)
                .results()
            )
        ),
    }


def _figures(result: Any) -> str:
    if hasattr(result, "risk") and hasattr(result.risk, "low"):
        control = "n/a" if result.control is None else f"{result.control.value:.3f}"
        return (
            f"attack {result.attack.value:.3f}  control {control}  "
            f"risk {result.risk.value:.3f} [{result.risk.low:.3f}, {result.risk.high:.3f}]"
        )
    if hasattr(result, "max_risk"):
        return (
            f"unique {result.unique.share:.3f}  mean {result.mean_risk:.4f}  "
            f"max {result.max_risk:.3f}  1/k passed {result.passed} "
            f"({result.n_breaking:,} above) of {result.n_attacks:,}"
        )
    control = "n/a" if result.control_rate is None else f"{result.control_rate.value:.3f}"
    risk = result.risk()
    return (
        f"attack {result.attack_rate.value:.3f}  control {control}  "
        f"risk {risk.value:.3f} [{risk.ci[0]:.3f}, {risk.ci[1]:.3f}]"
    )


def run(rows: int, repeat: int) -> None:
    rows = min(rows, 100_000)
    start = time.perf_counter()
    release, targets, control = frames(rows)
    print(
        f"{rows:,} release rows x {release.width} columns, {control.height:,} control "
        f"records, {N_ATTACKS:,} attacks (data built in {time.perf_counter() - start:.1f} s)"
    )
    ours = _ours(release, targets, control)
    theirs = _anonymeter(release, targets, control)
    total = 0.0
    print(f"{'evaluator':<13} {'anonlab':>9} {'anonymeter':>11} {'ratio':>8}")
    lines = []
    for name, fn in ours.items():
        seconds, result = best_of(fn, repeat)
        total += seconds
        their_text, ratio_text, their_result = "", "", None
        if theirs is not None and name in theirs:
            t_start = time.perf_counter()
            their_result = theirs[name]()
            t_theirs = time.perf_counter() - t_start
            their_text = f"{t_theirs:9.2f} s"
            ratio_text = f"{t_theirs / seconds:7.1f}x"
        elif theirs is None:
            their_text = "not installed"
        print(f"{name:<13} {seconds:7.2f} s {their_text:>11} {ratio_text:>8}")
        lines.append(f"  {name:<13} anonlab     {_figures(result)}")
        if their_result is not None:
            lines.append(f"  {'':<13} anonymeter  {_figures(their_result)}")
    print(
        f"all four anonlab evaluators: {total:.2f} s (export budget for the whole attack "
        "suite: 20 s)"
    )
    print("figures:")
    print("\n".join(lines))

"""Shared data for the attack tests: releases of the Adult extract, and small frames.

``adult_split`` is a release as anonlab's export would attack it: Adult, deduplicated (so that
a record and its population agree on what "one record" is; anonymeter deduplicates too), split
in two halves at random: the *members* (the release is built from them) and the *control*
records. The release generalizes education and native-country one level up their ARX
hierarchies and adds Laplace noise (scale 2 years) to age. The targets are the members with the
same generalization (a public, deterministic step) and their original ages, plus the truth
column; the control records are mapped the same way.

``synthetic_split`` is a synthetic-like release of the same members: every cell is the member's
own value with probability 1/2 and otherwise a value drawn from the column's marginal, and age
is noised as above.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

import anonlab

AUX_A = ["age", "sex", "race", "education"]
AUX_B = ["marital-status", "occupation", "native-country", "workclass"]
AUX = AUX_A + AUX_B
SECRET = "salary-class"


def _level(column: str, level: int) -> pl.Expr:
    mapping = {
        v: labels[level - 1] for v, labels in anonlab.datasets.adult_hierarchies()[column].items()
    }
    return pl.col(column).replace_strict(mapping)


def _members_and_control(seed: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    data = anonlab.datasets.adult().unique(maintain_order=True)
    data = data[np.random.default_rng(seed).permutation(data.height)]
    half = data.height // 2
    return data[:half], data[half : 2 * half]


def _with_truth(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("truth"))


@pytest.fixture(scope="session")
def adult_split() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    members, control = _members_and_control(0)
    rng = np.random.default_rng(1)

    def mapped(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.with_columns(_level("education", 1), _level("native-country", 1))

    release = mapped(members).with_columns(
        (pl.col("age") + rng.laplace(0.0, 2.0, members.height)).alias("age")
    )
    return release, _with_truth(mapped(members)), mapped(control)


@pytest.fixture(scope="session")
def synthetic_split() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    members, control = _members_and_control(2)
    rng = np.random.default_rng(3)
    n = members.height
    columns = {}
    for name in members.columns:
        own = members.get_column(name)
        drawn = own.gather(rng.integers(0, n, n))
        keep = pl.Series(rng.random(n) < 0.5)
        columns[name] = pl.select(pl.when(keep).then(own).otherwise(drawn)).to_series()
    release = pl.DataFrame(columns).with_columns(
        (pl.col("age") + rng.laplace(0.0, 2.0, n)).alias("age")
    )
    return release, _with_truth(members), control


def unique_frame(n: int, seed: int) -> pl.DataFrame:
    """``n`` records that are all unique on every column (a distinct id-like code and date)."""
    rng = np.random.default_rng(seed)
    code = rng.permutation(10 * n)[:n]
    return pl.DataFrame(
        {
            "code": [f"C{c:07d}" for c in code],
            "day": rng.permutation(5 * n)[:n].astype(np.int64),
            "sex": rng.choice(["F", "M"], n),
            "group": rng.choice(["a", "b", "c", "d"], n),
            "score": rng.normal(50, 10, n).round(3),
        }
    )

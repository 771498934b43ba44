"""Risk measures: anonlab against pycanon and against a bare polars group_by, side by side.

The frame (issue 4): 4 quasi-identifiers (age, 5-digit ZIP, sex, race) and one sensitive column
(a skewed 50-value diagnosis). For each measure (k, distinct l, entropy l, t with the equal
distance) three timings: anonlab (grouping plus the model's figure), the bare polars query that
computes the same number and nothing else, and pycanon. pycanon loops over classes in Python,
so it is timed at a size where it finishes in seconds and anonlab is timed again at that size
for the ratio; both sizes are printed. Finally a full ``assess_risk`` (all four measures plus the
attacker risks, one shared grouping) at the full size.

Targets: at least 100x faster than pycanon on every measure, within 1.5x of the bare polars
figure, and a full assess_risk under 1 s at 1,000,000 rows on 2 cores.
"""

from __future__ import annotations

import warnings

import numpy as np
import polars as pl

import anonlab
from anonlab.risk import KAnonymity, LDiversity, TCloseness, equivalence_classes
from benchmarks.timing import best_of

QI = ["age", "zip", "sex", "race"]
SENSITIVE = "diagnosis"
# pycanon at the size where each measure finishes in seconds here (k at the full size)
PYCANON_ROWS = {"k": None, "distinct l": 20_000, "entropy l": 10_000, "t": 10_000}


def frame(n: int, seed: int = 0) -> pl.DataFrame:
    """``n`` records: ages 18-95, ~30,000 ZIP codes (skewed), sex, 5 races, 50 diagnoses with a
    Zipf-like skew."""
    rng = np.random.default_rng(seed)
    zips = np.minimum(rng.zipf(1.3, n), 30_000) + 1000
    diag_p = 1 / np.arange(1, 51)
    diag_p /= diag_p.sum()
    return pl.DataFrame(
        {
            "age": rng.integers(18, 96, n),
            "zip": pl.Series(zips).cast(pl.String).str.zfill(5),
            "sex": rng.choice(["F", "M"], n),
            "race": rng.choice(["White", "Black", "Asian", "Amer-Indian", "Other"], n,
                               p=[0.7, 0.13, 0.1, 0.02, 0.05]),
            SENSITIVE: rng.choice([f"D{i:02d}" for i in range(50)], n, p=diag_p),
        }
    )


def _bare(df: pl.DataFrame) -> dict[str, object]:
    """The bare polars query of each measure."""
    def k() -> float:
        return df.group_by(QI).len().get_column("len").min()

    def distinct_l() -> float:
        return df.group_by(QI).agg(pl.col(SENSITIVE).n_unique()).get_column(SENSITIVE).min()

    def entropy_l() -> float:
        counts = df.group_by(*QI, SENSITIVE).len()
        share = pl.col("len") / pl.col("len").sum()
        return counts.group_by(QI).agg((-(share * share.log()).sum()).exp().alias("e")) \
            .get_column("e").min()

    def t() -> float:
        n = df.height
        overall = df.group_by(SENSITIVE).len().select(SENSITIVE, (pl.col("len") / n).alias("p"))
        counts = df.group_by(*QI, SENSITIVE).len()
        per = counts.with_columns((pl.col("len") / pl.col("len").sum().over(QI)).alias("q")) \
            .join(overall, on=SENSITIVE)
        emd = per.group_by(QI).agg(
            (0.5 * ((pl.col("q") - pl.col("p")).abs().sum() + 1 - pl.col("p").sum())).alias("d")
        )
        return emd.get_column("d").max()

    return {"k": k, "distinct l": distinct_l, "entropy l": entropy_l, "t": t}


def _ours(df: pl.DataFrame) -> dict[str, object]:
    return {
        "k": lambda: KAnonymity(2).achieved(equivalence_classes(df, QI)),
        "distinct l": lambda: LDiversity(SENSITIVE, 2).achieved(
            equivalence_classes(df, QI, [SENSITIVE])),
        "entropy l": lambda: LDiversity(SENSITIVE, 2, "entropy").achieved(
            equivalence_classes(df, QI, [SENSITIVE])),
        "t": lambda: TCloseness(SENSITIVE, 0.2, distance="equal").achieved(
            equivalence_classes(df, QI, [SENSITIVE])),
    }


def _pycanon(df: pl.DataFrame) -> dict[str, object] | None:
    try:
        from pycanon import anonymity as a
    except ImportError:
        return None
    pdf = df.to_pandas()

    def quiet(fn):
        def call():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return fn()
        return call

    return {
        "k": quiet(lambda: a.k_anonymity(pdf, QI)),
        "distinct l": quiet(lambda: a.l_diversity(pdf, QI, [SENSITIVE])),
        "entropy l": quiet(lambda: a.entropy_l_diversity(pdf, QI, [SENSITIVE])),
        "t": quiet(lambda: a.t_closeness(pdf, QI, [SENSITIVE])),
    }


def run(rows: int, repeat: int) -> None:
    df = frame(rows)
    classes = df.group_by(QI).len().height
    print(f"{rows:,} rows, quasi-identifiers {', '.join(QI)} ({classes:,} classes), "
          f"sensitive {SENSITIVE} (50 values, skewed)")
    ours, bare = _ours(df), _bare(df)
    print(f"{'measure':<11} {'anonlab':>9} {'polars':>9} {'ratio':>7}   "
          f"{'pycanon (rows)':>22} {'anonlab same rows':>18} {'speed-up':>9}")
    worst_bare, worst_py = 0.0, float("inf")
    for name in ours:
        t_ours, v_ours = best_of(ours[name], repeat)
        t_bare, v_bare = best_of(bare[name], repeat)
        assert abs(float(v_ours) - float(v_bare)) < 1e-9, (name, v_ours, v_bare)
        ratio = t_ours / t_bare
        worst_bare = max(worst_bare, ratio)
        small = df if PYCANON_ROWS[name] is None else df.head(PYCANON_ROWS[name])
        py = _pycanon(small)
        py_text, same_text, speed_text = "not installed", "", ""
        if py is not None:
            t_py, v_py = best_of(py[name], 1)
            t_same, v_same = best_of(_ours(small)[name], repeat)
            if name == "entropy l":
                assert int(v_same + 1e-9) == v_py, (v_same, v_py)
            else:
                assert abs(float(v_same) - float(v_py)) < 1e-9, (name, v_same, v_py)
            speed = t_py / t_same
            worst_py = min(worst_py, speed)
            py_text = f"{t_py:8.2f} s ({len(small):,})"
            same_text = f"{t_same:8.4f} s"
            speed_text = f"{speed:8.0f}x"
        print(f"{name:<11} {t_ours:8.3f}s {t_bare:8.3f}s {ratio:6.2f}x   "
              f"{py_text:>22} {same_text:>18} {speed_text:>9}")
    t_full, report = best_of(
        lambda: anonlab.assess_risk(df, QI, SENSITIVE, k=5, l=2, t=0.2), repeat)
    print(f"\nfull assess_risk (k, distinct l, entropy l, t, attacker risks): {t_full:.3f} s "
          f"(target < 1 s at 1,000,000 rows)")
    print(f"worst ratio to bare polars: {worst_bare:.2f}x (target <= 1.5x); "
          f"smallest speed-up over pycanon: {worst_py:.0f}x (target >= 100x)")
    print(f"report: k={report.measures.k}, highest risk {report.highest_risk:.3g}, "
          f"sample uniques {report.sample_uniques:,}")

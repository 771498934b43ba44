"""Profiling speed: ``anonlab.profile`` against a bare polars ``describe()`` + ``n_unique()``.

The baseline computes less (no top values, no string lengths, no detection), so the ratio says
what the whole profile, identifier detection included, costs on top of polars' own summary.
Target (issue 2): within 5x of the baseline on 1,000,000 patients rows.
"""

from __future__ import annotations

import polars as pl

import anonlab
from benchmarks.timing import best_of


def run(rows: int, repeat: int) -> None:
    gen_s, df = best_of(lambda: anonlab.datasets.patients(n=rows, seed=0), 1)
    print(f"patients(n={rows:,}): {df.height:,} rows x {df.width} columns, generated in "
          f"{gen_s:.2f} s ({df.estimated_size('mb'):.0f} MB)")

    def baseline() -> None:
        df.describe()
        df.select(pl.all().n_unique())

    base_s, _ = best_of(baseline, repeat)
    prof_s, prof = best_of(lambda: anonlab.profile(df), repeat)
    sampled = [c.name for c in prof if c.detection.sampled]
    checked = max(c.detection.checked for c in prof)
    print(f"baseline  describe() + n_unique(): {base_s:7.2f} s")
    print(f"anonlab   profile() with detection: {prof_s:7.2f} s")
    print(f"ratio     profile / baseline: {prof_s / base_s:.2f}x (target <= 5x)")
    print(f"detection examined up to {checked:,} sampled values per column "
          f"({len(sampled)} of {df.width} columns sampled); statistics cover all rows")

    stats_only_s, _ = best_of(lambda: anonlab.profile(df, detection_rows=1), repeat)
    print(f"          of which statistics alone (detection on 1 row): {stats_only_s:.2f} s")

    pdf = df.to_pandas()
    pandas_s, _ = best_of(lambda: anonlab.profile(pdf), 1)
    print(f"pandas in profile() of the same data as a pandas frame: {pandas_s:.2f} s "
          "(includes the Arrow conversion)")

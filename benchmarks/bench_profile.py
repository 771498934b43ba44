"""Profiling speed: ``anonlab.profile`` against a bare polars ``describe()`` + ``n_unique()``.

The baseline computes less (no top values, no string lengths, no detection), so the ratio says
what the whole profile, identifier detection included, costs on top of polars' own summary.
Target (issue 2): within 5x of the baseline on 1,000,000 patients rows.

A wide CSV (1,000 columns x 5,000 rows) profiled through the lazy path the command line takes
(``anonlab.io.scan`` then ``profile``) against reading it eagerly first (``anonlab.io.read`` then
``profile``). Target (issue 13): the lazy path no slower than the eager one (it took 14.7 s when
every column was a query of its own).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import polars as pl

import anonlab
from anonlab.io import read, scan
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

    wide(repeat)


def wide(repeat: int, columns: int = 1_000, rows: int = 5_000) -> None:
    """Profile a wide CSV lazily (the CLI's path) and eagerly; print both times."""
    rng = np.random.default_rng(0)
    frame = pl.DataFrame({f"c{i}": rng.integers(0, 100, rows) for i in range(columns)})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "wide.csv"
        frame.write_csv(path)
        eager_s, _ = best_of(lambda: anonlab.profile(read(path)), repeat)
        lazy_s, _ = best_of(lambda: anonlab.profile(scan(path)), repeat)
    print(f"wide CSV {columns:,} columns x {rows:,} rows: eager read + profile {eager_s:.2f} s, "
          f"lazy scan + profile (the CLI) {lazy_s:.2f} s, ratio {lazy_s / eager_s:.2f}x "
          "(target <= 1x, within noise)")

"""Applying recipes: in memory against a polars floor, and streaming a large file from the CLI.

1. The suggested recipe for ``patients`` (1,000,000 rows), its free-text scrub replaced by a
   drop (``--only scrub`` measures the scrubber), against polars doing only the cheap steps of
   the same recipe (drop, truncate dates, cut ZIPs, cast) as a floor.
2. ``anonlab apply`` streaming a 10,000,000-row Parquet file to Parquet, in a child process so its
   peak memory (max RSS) can be read, beside polars' own ``scan_parquet(...).sink_parquet(...)``
   of the same file (also in a child process). Target (issue 3): peak memory under 1.5 GB.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

import anonlab
from anonlab.transforms import Drop
from benchmarks.timing import best_of

_CHILD_POLARS = """
import sys, polars as pl
pl.scan_parquet(sys.argv[1]).sink_parquet(sys.argv[2])
"""


# RUSAGE_CHILDREN reports the largest of all finished children, so each job runs under its own
# wrapper process, whose only child is the job.
_WRAPPER = """
import resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, capture_output=True)
print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def _child(args: list[str]) -> tuple[float, float]:
    """Run a job in a child process; return its (seconds, peak RSS in MB)."""
    out = subprocess.run([sys.executable, "-c", _WRAPPER, *args], check=True,
                         capture_output=True, text=True).stdout.split()
    return float(out[0]), int(out[1]) / 1024


def run(rows: int, repeat: int) -> None:
    os.environ.setdefault("ANONLAB_KEY", "benchmark key, not a secret: 0123456789abcdef")
    df = anonlab.datasets.patients(n=rows, seed=0)
    suggested = anonlab.suggest_recipe(anonlab.profile(df))
    # free text is scrubbed in Python at a few thousand notes a second (``--only scrub``
    # measures it); here the notes are dropped so the figures are the recipe engine's
    recipe = anonlab.Recipe(
        steps=tuple(anonlab.Step(s.column, Drop()) if s.transform.op == "scrub" else s
                    for s in suggested.steps),
        targets=suggested.targets)
    ops = [s.transform.op for s in recipe.steps if s.transform.op != "keep"]
    print(f"suggested recipe: {len(recipe)} steps, {len(ops)} that change data: {', '.join(ops)}")

    def floor() -> pl.DataFrame:
        dropped = [s.column for s in recipe.steps if s.transform.op == "drop"]
        return (
            df.lazy()
            .drop(dropped)
            .with_columns(
                pl.col("date_of_birth").dt.year().cast(pl.String),
                pl.col("admission_date").dt.strftime("%Y-%m"),
                pl.col("discharge_date").dt.strftime("%Y-%m"),
                pl.col("zip").str.slice(0, 3) + "**",
                pl.col("total_charges").cast(pl.Float32),
            )
            .collect()
        )

    floor_s, _ = best_of(floor, repeat)
    apply_s, out = best_of(lambda: recipe.apply(df), repeat)
    print(f"floor     polars, cheap steps only:  {floor_s:6.2f} s")
    print(f"anonlab   recipe.apply, all steps:   {apply_s:6.2f} s  ({rows:,} rows -> "
          f"{out.width} columns)")
    print(f"ratio     apply / floor: {apply_s / floor_s:.1f}x (hashing is the step the floor "
          "leaves out)")

    big = 10 * rows
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "patients.parquet"
        recipe_path = Path(tmp) / "recipe.yaml"
        recipe_path.write_text(recipe.to_yaml())
        start = time.perf_counter()
        pl.concat([df.lazy()] * 10).sink_parquet(src)
        size_mb = src.stat().st_size / 1e6
        print(f"\nstreaming: wrote a {big:,}-row Parquet file ({size_mb:,.0f} MB) in "
              f"{time.perf_counter() - start:.1f} s")
        pol_s, pol_mb = _child([sys.executable, "-c", _CHILD_POLARS, str(src),
                                str(Path(tmp) / "copy.parquet")])
        cli = [sys.executable, "-m", "anonlab", "apply", str(recipe_path), str(src),
               "-o", str(Path(tmp) / "out.parquet"), "--no-progress"]
        app_s, app_mb = _child(cli)
        print(f"polars    scan_parquet -> sink_parquet: {pol_s:6.1f} s, "
              f"{big / pol_s:,.0f} rows/s, peak {pol_mb:,.0f} MB")
        print(f"anonlab   apply (streaming):            {app_s:6.1f} s, "
              f"{big / app_s:,.0f} rows/s, peak {app_mb:,.0f} MB (target < 1,500 MB)")

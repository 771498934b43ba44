"""Run the benchmarks: ``python -m benchmarks [--rows N] [--only NAME ...]``."""

from __future__ import annotations

import argparse
import os
import platform
import sys

import polars as pl

from benchmarks import (
    bench_apply,
    bench_attacks,
    bench_detection,
    bench_export,
    bench_hashing,
    bench_optimize,
    bench_panel,
    bench_profile,
    bench_recipe_steps,
    bench_risk,
    bench_scrub,
)

BENCHES = {
    "profile": bench_profile.run,
    "detection": bench_detection.run,
    "hashing": bench_hashing.run,
    "apply": bench_apply.run,
    "recipe_steps": bench_recipe_steps.run,
    "risk": bench_risk.run,
    "optimize": bench_optimize.run,
    "panel": bench_panel.run,
    "attacks": bench_attacks.run,
    "export": bench_export.run,
    "scrub": bench_scrub.run,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows for size benchmarks")
    parser.add_argument("--repeat", type=int, default=3, help="timed repetitions (best is kept)")
    parser.add_argument("--only", nargs="*", choices=sorted(BENCHES), help="run only these")
    args = parser.parse_args(argv)
    print(
        f"anonlab benchmarks: Python {platform.python_version()}, polars {pl.__version__}, "
        f"{os.cpu_count()} cores, polars threads {pl.thread_pool_size()}"
    )
    for name in args.only or list(BENCHES):
        print(f"\n== {name} ==")
        BENCHES[name](rows=args.rows, repeat=args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Long recipes: ``Recipe.apply`` with 2,000 steps against the same plan written in bare polars.

Each step is a cheap row transform (round a float to two digits, round an integer to a multiple
of 5, redact a text column, keep a column), cycling over twelve columns of 10,000 rows; the bare
polars plan chains one ``with_columns`` per step with the same expressions written by hand (and
nothing for a kept column). Both build the plan and collect it.

Before issue 13, ``Recipe.plan`` collected the schema of the growing plan after every step, so a
recipe of n steps cost O(n^2): 800 steps took 26.5 s against 0.057 s in polars. Now each step's
output schema is derived from the step alone. Target (issue 13): within 3x of bare polars.
"""

from __future__ import annotations

import numpy as np
import polars as pl

import anonlab
from anonlab.transforms import Keep, Redact, Round, Transform
from benchmarks.timing import best_of

STEPS = 2_000
ROWS = 10_000
_FLOATS = [f"f{i}" for i in range(4)]
_INTS = [f"i{i}" for i in range(4)]
_TEXTS = [f"s{i}" for i in range(4)]


def _frame(rows: int) -> pl.DataFrame:
    rng = np.random.default_rng(0)
    data: dict[str, object] = {}
    for name in _FLOATS:
        data[name] = rng.normal(50, 20, rows)
    for name in _INTS:
        data[name] = rng.integers(-1_000, 1_000, rows)
    for name in _TEXTS:
        data[name] = [f"v{x}" for x in rng.integers(0, 100, rows)]
    return pl.DataFrame(data)


def _steps(n: int) -> list[tuple[str, Transform]]:
    out: list[tuple[str, Transform]] = []
    for i in range(n):
        j = (i // 4) % 4
        kind = i % 4
        if kind == 0:
            out.append((_FLOATS[j], Round(digits=2)))
        elif kind == 1:
            out.append((_INTS[j], Round(to=5)))
        elif kind == 2:
            out.append((_TEXTS[j], Redact(value="x")))
        else:
            out.append((_TEXTS[j], Keep()))
    return out


def _bare(df: pl.DataFrame, steps: list[tuple[str, Transform]]) -> pl.DataFrame:
    lf = df.lazy()
    for column, t in steps:
        x = pl.col(column)
        if isinstance(t, Round) and t.digits is not None:
            lf = lf.with_columns(x.round(2, mode="half_away_from_zero"))
        elif isinstance(t, Round):
            magnitude = ((x.abs() + 2) // 5) * 5
            lf = lf.with_columns(pl.when(x < 0).then(-magnitude).otherwise(magnitude).alias(column))
        elif isinstance(t, Redact):
            lf = lf.with_columns(
                pl.when(x.is_null()).then(None).otherwise(pl.lit("x")).alias(column)
            )
    return lf.collect()


def run(rows: int, repeat: int) -> None:
    del rows  # the figure is about the number of steps, not rows
    df = _frame(ROWS)
    steps = _steps(STEPS)

    def anonlab_apply() -> pl.DataFrame:
        recipe = anonlab.Recipe(steps=tuple(anonlab.Step(c, t) for c, t in steps))
        return recipe.apply(df)

    polars_s, expected = best_of(lambda: _bare(df, steps), repeat)
    anonlab_s, result = best_of(anonlab_apply, repeat)
    same = result.equals(expected)
    print(
        f"{STEPS:,} steps over {df.width} columns x {ROWS:,} rows "
        f"(results {'identical' if same else 'DIFFER'})"
    )
    print(f"bare polars plan:     {polars_s:7.3f} s")
    print(f"anonlab Recipe.apply: {anonlab_s:7.3f} s")
    print(f"ratio                 {anonlab_s / polars_s:.2f}x (target <= 3x)")

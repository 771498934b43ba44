"""Perturbation: noise, date shifting, shuffling and PRAM, keyed and computed in polars.

The draws themselves (keyed, per record, not replayable) are pinned in tests/test_randomness.py;
here a test seed (``Context(seed=0)``) makes the transforms reproducible.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections import Counter

import polars as pl
import pytest

from anonlab.errors import (
    ColumnNotFoundError,
    ParameterError,
    RecipeError,
    SecretKeyError,
    TransformError,
)
from anonlab.keys import Key
from anonlab.transforms import Context, Transform, transform_from_dict
from anonlab.transforms.perturbation import DateShift, Noise, Pram, Shuffle

NAN = float("nan")
INF = float("inf")
KEY = Key("a test key that is long enough 0123456789")
N = 100_000


def run(
    t: Transform,
    frame: dict | pl.DataFrame,
    column: str = "v",
    *,
    engine: str = "in-memory",
    seed: int = 0,
    step: int = 0,
) -> pl.DataFrame:
    lf = pl.DataFrame(frame).lazy() if isinstance(frame, dict) else frame.lazy()
    ctx = Context(schema=lf.collect_schema(), seed=seed, step=step)
    return t.apply(lf, column, ctx).collect(engine=engine)  # type: ignore[call-overload]


def chunked(frame: pl.DataFrame, pieces: int = 7) -> pl.DataFrame:
    """The same rows in several chunks, so engines split the work differently."""
    size = -(-frame.height // pieces)
    parts = [frame.slice(i * size, size) for i in range(pieces)]
    return pl.concat(parts, rechunk=False)


def engines_agree(t: Transform, frame: pl.DataFrame, column: str = "v") -> pl.DataFrame:
    """Eager (DataFrame), lazy in-memory and streaming results are equal; returns one."""
    ctx = Context(schema=frame.schema, seed=0)
    lazy = t.apply(frame.lazy(), column, ctx)
    eager = lazy.collect(engine="in-memory")
    assert lazy.collect(engine="streaming").equals(eager)
    if t.scope == "row":
        assert frame.with_columns(t.expr(column, ctx).alias(column)).equals(eager)
    assert t.apply(chunked(frame).lazy(), column, ctx).collect(engine="streaming").equals(eager)
    return eager


# -- noise -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("distribution", "scale", "std", "mean_abs"),
    [
        # Laplace(b): sd b*sqrt(2), E|e| = b
        ("laplace", 2.0, 2.0 * math.sqrt(2), 2.0),
        # Gaussian(sigma): sd sigma, E|e| = sigma*sqrt(2/pi)
        ("gaussian", 3.0, 3.0, 3.0 * math.sqrt(2 / math.pi)),
    ],
)
def test_noise_follows_its_distribution(
    distribution: str, scale: float, std: float, mean_abs: float
) -> None:
    out = run(Noise(distribution=distribution, scale=scale, seed=1), {"v": [100.0] * N})["v"]
    e = out - 100.0
    assert abs(e.mean()) < 0.05 * scale  # type: ignore[operator]
    assert abs(e.std() / std - 1) < 0.03  # type: ignore[operator]
    assert abs(e.abs().mean() / mean_abs - 1) < 0.03  # type: ignore[operator]
    # the median of |e|: b*ln 2 for Laplace, sigma*0.6745 for Gaussian
    median = scale * (math.log(2) if distribution == "laplace" else 0.6744897501960817)
    assert abs(e.abs().median() / median - 1) < 0.03  # type: ignore[operator]


@pytest.mark.parametrize("distribution", ["laplace", "gaussian"])
def test_noise_is_deterministic_and_equal_across_engines(distribution: str) -> None:
    frame = pl.DataFrame({"v": [float(i % 97) for i in range(300_000)], "k": range(300_000)})
    t = Noise(distribution=distribution, scale=1.5, seed=42)
    first = engines_agree(t, frame)
    assert run(t, frame).equals(first)
    assert first["k"].equals(frame["k"])
    # another seed draws other noise
    other = run(Noise(distribution=distribution, scale=1.5, seed=43), frame)
    assert (other["v"] != first["v"]).mean() > 0.99  # type: ignore[operator]


def test_noise_draws_from_its_key_or_afresh() -> None:
    frame = pl.DataFrame({"v": [0.0] * 100, "id": range(100)})
    fresh = Noise(distribution="laplace", scale=1.0)
    # no key, no seed: every run draws new noise, which nothing written can reproduce
    lf = frame.lazy()
    first = fresh.apply(lf, "v", Context(schema=lf.collect_schema())).collect()
    second = fresh.apply(lf, "v", Context(schema=lf.collect_schema())).collect()
    assert (first["v"] != second["v"]).all()
    # a key reproduces the noise in every run; another key draws other noise
    keyed = Noise(distribution="laplace", scale=1.0, key=KEY)
    a = keyed.apply(lf, "v", Context(schema=lf.collect_schema())).collect()
    assert keyed.apply(lf, "v", Context(schema=lf.collect_schema())).collect().equals(a)
    other = Noise(distribution="laplace", scale=1.0, key=Key("another key that is long enough"))
    assert (other.apply(lf, "v", Context(schema=lf.collect_schema())).collect()["v"]
            != a["v"]).all()
    # the recipe's test seed stands in when the step has neither
    assert run(fresh, frame, seed=1).equals(run(fresh, frame, seed=1))
    assert not run(fresh, frame, seed=1).equals(run(fresh, frame, seed=2))


@pytest.mark.parametrize(
    ("params", "dtype", "out_dtype"),
    [
        # a float column keeps its dtype
        ({}, pl.Float64, pl.Float64),
        ({"round_to": 1}, pl.Float32, pl.Float32),
        # integers give floats, or Int64 when rounded to an integer within integer bounds
        ({}, pl.Int32, pl.Float64),
        ({"round_to": 1}, pl.UInt8, pl.Int64),
        ({"round_to": 5, "clip": (0, 100)}, pl.Int64, pl.Int64),
        ({"round_to": 0.5}, pl.Int64, pl.Float64),
        ({"round_to": 1, "clip": (0.5, 100)}, pl.Int64, pl.Float64),
    ],
)
def test_noise_dtypes(params: dict, dtype: pl.DataType, out_dtype: pl.DataType) -> None:
    t = Noise(distribution="gaussian", scale=1.0, seed=0, **params)
    assert run(t, pl.DataFrame({"v": [1, 2, None]}, schema={"v": dtype}))["v"].dtype == out_dtype
    assert run(t, pl.DataFrame({"v": []}, schema={"v": dtype}))["v"].dtype == out_dtype


def test_noise_rounds_then_clips() -> None:
    t = Noise(distribution="laplace", scale=20.0, seed=3, round_to=5, clip=(0, 42))
    out = run(t, {"v": [21] * 10_000})["v"]
    assert out.min() == 0 and out.max() == 42
    inside = out.filter((out > 0) & (out < 42))
    assert (inside % 5 == 0).all()
    # decimals are cleaned after rounding to a fraction
    out = run(Noise(distribution="laplace", scale=1.0, seed=3, round_to=0.1), {"v": [0.0] * 100})
    assert all(round(v, 1) == v for v in out["v"].to_list())


@pytest.mark.parametrize(
    ("dtype", "value"),
    [(pl.String, "1"), (pl.Boolean, True), (pl.Date, dt.date(2024, 1, 1))],
)
def test_noise_wrong_dtype(dtype: pl.DataType, value: object) -> None:
    frame = pl.DataFrame({"v": [value]}, schema={"v": dtype})
    with pytest.raises(TransformError, match="'noise' transform cannot apply to column 'v'"):
        run(Noise(distribution="laplace", scale=1.0), frame)
    with pytest.raises(ColumnNotFoundError, match="'w'"):
        run(Noise(distribution="laplace", scale=1.0), frame, "w")


def test_noise_keeps_nulls_nan_and_infinities() -> None:
    out = run(Noise(distribution="laplace", scale=1.0, seed=0), {"v": [None, NAN, INF, -INF, 1.0]})
    got = out["v"].to_list()
    assert got[0] is None and math.isnan(got[1]) and got[2] == INF and got[3] == -INF
    assert got[4] != 1.0


# -- date shift ------------------------------------------------------------------------------------
def patients(n: int = 2_000) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "id": [f"P{i % (n // 4):04d}" for i in range(n)],
            "admit": [dt.date(2020, 1, 1) + dt.timedelta(days=i % 365) for i in range(n)],
        }
    ).with_columns(
        discharge=pl.col("admit") + pl.duration(days=pl.int_range(pl.len()) % 9),
        seen=pl.col("admit").cast(pl.Datetime("us")) + pl.duration(hours=7),
    )


def shift(frame: pl.DataFrame, column: str, **params: object) -> pl.DataFrame:
    params = {"by": "id", "max_days": 30, "key": KEY, **params}
    return run(DateShift(**params), frame, column)  # type: ignore[arg-type]


def offsets(before: pl.DataFrame, after: pl.DataFrame, column: str) -> pl.Series:
    days = after[column] - before[column]
    return days.dt.total_days()


def test_one_offset_per_individual_in_every_column() -> None:
    frame = patients()
    out = shift(shift(shift(frame, "admit"), "discharge"), "seen")
    per_row = pl.DataFrame(
        {
            "id": frame["id"],
            "admit": offsets(frame, out, "admit"),
            "discharge": offsets(frame, out, "discharge"),
            "seen": offsets(frame, out, "seen"),
        }
    )
    # the same offset in all three columns, and one per individual
    assert per_row["admit"].equals(per_row["discharge"], check_names=False)
    assert per_row["admit"].equals(per_row["seen"], check_names=False)
    assert per_row.group_by("id").agg(pl.col("admit").n_unique())["admit"].max() == 1
    # intervals between one person's dates survive; times of day too
    assert (out["discharge"] - out["admit"]).equals(frame["discharge"] - frame["admit"])
    assert out["seen"].dt.hour().equals(frame["seen"].dt.hour())
    # offsets within [-30, 30], never 0, spread over the range
    days = per_row.unique("id")["admit"]
    assert days.min() >= -30 and days.max() <= 30 and (days != 0).all()  # type: ignore[operator]
    assert days.n_unique() > 40


def test_offsets_are_uniform_and_may_include_zero() -> None:
    ids = pl.Series("id", [str(i) for i in range(30_000)])
    t = DateShift(by="id", max_days=2, exclude_zero=False, key=KEY)
    counts = Counter(t.offsets(ids, KEY.secret()).to_list())
    assert sorted(counts) == [-2, -1, 0, 1, 2]
    assert all(abs(c / 6_000 - 1) < 0.06 for c in counts.values())
    excluded = Counter(DateShift(by="id", max_days=2, key=KEY).offsets(ids, KEY.secret()))
    assert sorted(excluded) == [-2, -1, 1, 2]


def test_offsets_are_a_keyed_blake2b() -> None:
    t = DateShift(by="id", max_days=30, key=KEY)
    digest = hashlib.blake2b(
        b"\x01P7", key=KEY.secret(), person=b"anonlab.dateshft", digest_size=8
    ).digest()
    k = int.from_bytes(digest, "big") % 60 - 30
    assert t.offsets(pl.Series(["P7"]), KEY.secret()).item() == (k + 1 if k >= 0 else k)
    # another key moves the same individuals differently
    ids = pl.Series([f"P{i}" for i in range(100)])
    other = Key("another key that is long enough 012345")
    assert not t.offsets(ids, KEY.secret()).equals(t.offsets(ids, other.secret()))
    # a key longer than BLAKE2b takes works too
    long_key = b"k" * 100
    assert t.offsets(ids, long_key).equals(t.offsets(ids, long_key))


def test_ids_match_by_string_form_and_nulls_are_one_individual() -> None:
    day = dt.date(2024, 1, 1)
    as_int = pl.DataFrame({"id": [7, 8, None, None], "v": [day] * 4})
    as_text = as_int.with_columns(pl.col("id").cast(pl.String))
    a = shift(as_int, "v")
    assert a["v"].equals(shift(as_text, "v")["v"])
    assert a["v"][2] == a["v"][3]


def test_date_shift_engines_nulls_and_empty() -> None:
    frame = patients(40_000).with_columns(
        pl.when(pl.int_range(pl.len()) % 10 == 0).then(None).otherwise(pl.col("admit"))
        .alias("admit")
    )
    t = DateShift(by="id", max_days=10, key=KEY)
    out = engines_agree(t, frame, "admit")
    assert out["admit"].is_null().equals(frame["admit"].is_null())
    assert out["admit"].dtype == pl.Date
    empty = frame.clear()
    assert run(t, empty, "admit").schema == empty.schema


def test_date_shift_in_a_time_zone_moves_calendar_days() -> None:
    # 2024-03-30 12:00 in Paris plus one calendar day is 2024-03-31 12:00 despite the DST change
    frame = pl.DataFrame({"id": ["a"] * 2, "v": [dt.datetime(2024, 3, 30, 12)] * 2}).with_columns(
        pl.col("v").dt.replace_time_zone("Europe/Paris")
    )
    out = shift(frame, "v", max_days=200)
    assert out["v"].dtype == frame["v"].dtype
    assert out["v"].dt.hour().to_list() == [12, 12]


def test_date_shift_faults(monkeypatch: pytest.MonkeyPatch) -> None:
    frame = pl.DataFrame({"id": ["a"], "v": [dt.date(2024, 1, 1)], "n": [1]})
    with pytest.raises(ColumnNotFoundError, match="'person'"):
        shift(frame, "v", by="person")
    with pytest.raises(TransformError, match="names that column in 'by'"):
        shift(frame, "v", by="v")
    with pytest.raises(TransformError, match="'date_shift' transform cannot apply to column 'n'"):
        shift(frame, "n")
    bad_by = frame.with_columns(id=pl.lit([1]))
    with pytest.raises(TransformError, match="'by' column 'id'"):
        shift(bad_by, "v")
    # the key is read when the step is planned, not written anywhere
    monkeypatch.delenv("ANONLAB_TEST_MISSING", raising=False)
    with pytest.raises(SecretKeyError, match="ANONLAB_TEST_MISSING"):
        shift(frame, "v", key="env:ANONLAB_TEST_MISSING")


# -- shuffle ---------------------------------------------------------------------------------------
def test_shuffle_permutes_one_column() -> None:
    frame = pl.DataFrame(
        {"v": [None if i % 13 == 0 else i for i in range(50_000)], "k": range(50_000)}
    )
    out = engines_agree(Shuffle(seed=1), frame)
    # the same values, moved; everything else in place; nulls stay where they are
    assert sorted(out["v"].drop_nulls()) == sorted(frame["v"].drop_nulls())
    assert out["k"].equals(frame["k"])
    assert out["v"].is_null().equals(frame["v"].is_null())
    assert (out["v"] == frame["v"]).mean() < 0.01  # type: ignore[operator]
    # deterministic for a seed, different for another
    assert run(Shuffle(seed=1), frame).equals(out)
    assert not run(Shuffle(seed=2), frame).equals(out)


def test_together_moves_columns_with_the_column() -> None:
    frame = pl.DataFrame({"a": range(100), "b": [i * 10 for i in range(100)], "c": range(100)})
    out = run(Shuffle(seed=5, together=("b",)), frame, "a")
    assert (out["b"] == out["a"] * 10).all()
    assert out["c"].equals(frame["c"]) and (out["a"] != frame["a"]).mean() > 0.9
    with pytest.raises(ColumnNotFoundError, match="'z'"):
        run(Shuffle(together=("z",)), frame, "a")
    with pytest.raises(ParameterError, match="'together' parameter of Shuffle"):
        Shuffle(within=("c",), together=("c",))


def test_shuffle_does_not_depend_on_the_row_order() -> None:
    frame = pl.DataFrame({"v": range(1000), "k": [i % 7 for i in range(1000)]})
    out = run(Shuffle(seed=2, within=("k",)), frame)
    reordered = frame.sample(fraction=1.0, shuffle=True, seed=9)
    again = run(Shuffle(seed=2, within=("k",)), reordered)
    # each record (its other columns) receives the same value whatever the order
    pairs = out.with_columns(orig=frame["v"]).sort("orig")
    pairs_again = again.with_columns(orig=reordered["v"]).sort("orig")
    assert pairs["v"].equals(pairs_again["v"])


def test_shuffle_within_groups() -> None:
    frame = pl.DataFrame(
        {
            "g": ["x", "y", None] * 2000,
            "h": [1, 1, 2, 2, 3, 3] * 1000,
            "v": range(6000),
        }
    )
    out = engines_agree(Shuffle(seed=3, within=("g", "h")), frame)
    key = ["g", "h"]
    before = frame.group_by(key).agg(pl.col("v").sort()).sort(key, nulls_last=True)
    after = out.group_by(key).agg(pl.col("v").sort()).sort(key, nulls_last=True)
    assert before.equals(after)
    assert out.select(key).equals(frame.select(key))
    assert (out["v"] != frame["v"]).mean() > 0.9  # type: ignore[operator]
    assert Shuffle(within="g").within == ("g",)


def test_shuffle_any_dtype_and_empty() -> None:
    frame = pl.DataFrame(
        {"v": [[1], [2], None, [3]], "d": [dt.date(2024, 1, i) for i in (1, 2, 3, 4)]}
    )
    out = run(Shuffle(seed=0), frame)
    assert sorted(out["v"].drop_nulls().to_list()) == [[1], [2], [3]]
    assert out["v"][2] is None
    empty = frame.clear()
    assert run(Shuffle(seed=0), empty).schema == empty.schema


def test_shuffle_faults() -> None:
    with pytest.raises(ColumnNotFoundError, match="'region'"):
        run(Shuffle(within=("region",)), {"v": [1]})
    with pytest.raises(ColumnNotFoundError, match="'w'"):
        run(Shuffle(), {"v": [1]}, "w")
    with pytest.raises(TransformError, match="'within'"):
        run(Shuffle(within=("v",)), {"v": [1]})


# -- pram ------------------------------------------------------------------------------------------
MATRIX = {
    "a": {"a": 0.7, "b": 0.2, "c": 0.1},
    "b": {"b": 1.0},
    "c": {"a": 0.25, "c": 0.5, "d": 0.25},
}


def transitions(before: pl.Series, after: pl.Series) -> dict[str, dict[str, float]]:
    pairs = pl.DataFrame({"f": before, "t": after}).drop_nulls()
    counts = pairs.group_by("f", "t").len()
    totals = pairs.group_by("f").len().rename({"len": "total"})
    rates = counts.join(totals, on="f").with_columns(p=pl.col("len") / pl.col("total"))
    out: dict[str, dict[str, float]] = {}
    for f, t, p in rates.select("f", "t", "p").iter_rows():
        out.setdefault(f, {})[t] = p
    return out


def test_pram_matrix_transition_frequencies() -> None:
    frame = pl.DataFrame({"v": (["a", "b", "c", None] * N)[:N]})
    out = engines_agree(Pram(matrix=MATRIX, seed=7), frame)
    got = transitions(frame["v"], out["v"])
    for source, row in MATRIX.items():
        # no transition the matrix forbids; every allowed one within a loose tolerance
        assert set(got[source]) == {t for t, p in row.items() if p > 0}
        for target, p in row.items():
            assert abs(got[source][target] - p) < 0.015, (source, target)
    assert out["v"].is_null().equals(frame["v"].is_null())


def test_pram_retain_frequencies() -> None:
    frame = pl.DataFrame({"v": (["a", "b", "c", "d", None] * N)[:N]})
    out = engines_agree(Pram(retain=0.6, seed=1), frame)
    got = transitions(frame["v"], out["v"])
    for source in "abcd":
        assert abs(got[source][source] - 0.6) < 0.015
        # the rest spread evenly over the three other categories seen
        for target in set("abcd") - {source}:
            assert abs(got[source][target] - 0.4 / 3) < 0.015
    assert out["v"].is_null().equals(frame["v"].is_null())


@pytest.mark.parametrize(
    ("params", "values", "expected"),
    [
        # a single category has no other to move to
        ({"retain": 0.0}, ["a", "a", None], ["a", "a", None]),
        # retain=1 keeps everything
        ({"retain": 1.0}, ["a", "b", None], ["a", "b", None]),
        # retain=0 with two categories swaps them
        ({"retain": 0.0}, ["a", "b", "b"], ["b", "a", "a"]),
        # a deterministic matrix
        ({"matrix": {"a": {"x": 1}, "b": {"b": 1}}}, ["a", None, "b"], ["x", None, "b"]),
        # empty frames stay empty
        ({"retain": 0.5}, [], []),
        ({"matrix": {"a": {"a": 1}}}, [], []),
    ],
)
def test_pram_cases(params: dict, values: list, expected: list) -> None:
    out = run(Pram(seed=0, **params), pl.DataFrame({"v": values}, schema={"v": pl.String}))
    assert out["v"].to_list() == expected


@pytest.mark.parametrize(
    "dtype",
    [pl.Categorical, pl.Enum(["a", "b", "c", "d"])],
)
def test_pram_keeps_categorical_dtypes(dtype: pl.DataType) -> None:
    frame = pl.DataFrame({"v": ["a", "b", "c", None] * 50}, schema={"v": dtype})
    for t in (Pram(matrix=MATRIX, seed=1), Pram(retain=0.5, seed=1)):
        out = run(t, frame)
        assert out["v"].dtype == frame["v"].dtype
        assert out["v"].is_null().equals(frame["v"].is_null())


def test_pram_faults() -> None:
    frame = {"v": ["a", "b", "e", "f", "f", None]}
    # values the matrix lacks: counted, not shown, before any work
    with pytest.raises(
        TransformError, match=r"2 distinct values of column 'v' \(3 rows\) are not a row"
    ):
        run(Pram(matrix=MATRIX, seed=0), frame)
    # the expression alone checks as it runs
    lf = pl.LazyFrame(frame)
    expr = Pram(matrix=MATRIX, seed=0).expr("v", Context(schema=lf.collect_schema()))
    with pytest.raises(TransformError, match="column 'v'"):
        lf.select(expr).collect()
    # an Enum cannot receive categories it lacks
    enum = pl.DataFrame({"v": ["a"]}, schema={"v": pl.Enum(["a", "b", "c"])})
    with pytest.raises(TransformError, match="Enum column 'v'"):
        run(Pram(matrix=MATRIX, seed=0), enum)
    with pytest.raises(TransformError, match="'pram' transform cannot apply to column 'v'"):
        run(Pram(retain=0.5), {"v": [1, 2]})


# -- parameters and plain data ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cls", "params", "message"),
    [
        (Noise, {"distribution": "uniform", "scale": 1}, "'distribution' parameter of Noise"),
        (Noise, {"distribution": "laplace", "scale": 0}, "'scale' parameter of Noise"),
        (Noise, {"distribution": "laplace", "scale": -1}, "'scale' parameter"),
        (Noise, {"distribution": "laplace", "scale": INF}, "'scale' parameter"),
        (Noise, {"distribution": "laplace", "scale": True}, "'scale' parameter"),
        (Noise, {"distribution": "laplace", "scale": 1, "seed": -1}, "'seed' parameter of Noise"),
        (Noise, {"distribution": "laplace", "scale": 1, "seed": 1.5}, "'seed' parameter"),
        (Noise, {"distribution": "laplace", "scale": 1, "clip": (1, 0)}, "'clip' parameter"),
        (Noise, {"distribution": "laplace", "scale": 1, "clip": (0, 1, 2)}, "'clip' parameter"),
        (Noise, {"distribution": "laplace", "scale": 1, "clip": "01"}, "'clip' parameter"),
        (Noise, {"distribution": "laplace", "scale": 1, "clip": (0, NAN)}, "'clip' parameter"),
        (Noise, {"distribution": "laplace", "scale": 1, "round_to": 0}, "'round_to' parameter"),
        (DateShift, {"by": "", "max_days": 3}, "'by' parameter of DateShift"),
        (DateShift, {"by": 3, "max_days": 3}, "'by' parameter"),
        (DateShift, {"by": "id", "max_days": 0}, "'max_days' parameter of DateShift"),
        (DateShift, {"by": "id", "max_days": 36_501}, "'max_days' parameter"),
        (DateShift, {"by": "id", "max_days": 3, "exclude_zero": 1}, "'exclude_zero' parameter"),
        (DateShift, {"by": "id", "max_days": 3, "key": "secret"}, "'key' parameter of DateShift"),
        (Shuffle, {"seed": -1}, "'seed' parameter of Shuffle"),
        (Shuffle, {"seed": 1, "key": "env:K"}, "'key' .* or a 'seed' .* not both"),
        (Noise, {"distribution": "laplace", "scale": 1, "key": "k"}, "'key' parameter of Noise"),
        (Pram, {"retain": 0.5, "seed": 1, "key": "env:K"}, "not both"),
        (Shuffle, {"within": 3}, "'within' parameter of Shuffle"),
        (Shuffle, {"within": ("a", "a")}, "'within' parameter"),
        (Pram, {}, "exactly one of 'matrix'.*Got neither"),
        (Pram, {"retain": 0.5, "matrix": MATRIX}, "exactly one of 'matrix'.*Got both"),
        (Pram, {"retain": 1.5}, "'retain' parameter of Pram"),
        (Pram, {"retain": -0.1}, "'retain' parameter"),
        (Pram, {"retain": "0.5"}, "'retain' parameter"),
        (Pram, {"matrix": {}}, "'matrix' parameter of Pram"),
        (Pram, {"matrix": {"a": {"a": 0.5}}}, "row 'a' sums to 0.5"),
        (Pram, {"matrix": {"a": {"a": 0.5, "b": 0.5 + 1e-8}}}, "row 'a' sums to"),
        (Pram, {"matrix": {"a": {"a": 1.5, "b": -0.5}}}, "row 'a' is not"),
        (Pram, {"matrix": {"a": {}}}, "'matrix' parameter"),
        (Pram, {"matrix": {"a": 1.0}}, "'matrix' parameter"),
        (Pram, {"matrix": {1: {"a": 1.0}}}, "'matrix' parameter"),
        (Pram, {"matrix": [("a", {"a": 1})]}, "'matrix' parameter"),
    ],
)
def test_bad_parameters(cls: type[Transform], params: dict, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        cls(**params)


def test_matrix_rows_may_sum_within_tolerance() -> None:
    t = Pram(matrix={"a": {"a": 0.1, "b": 0.2, "c": 0.7 - 1e-12}})
    assert t.matrix == {"a": {"a": 0.1, "b": 0.2, "c": 0.7 - 1e-12}}


@pytest.mark.parametrize(
    "t",
    [
        Noise(distribution="laplace", scale=100.0),
        Noise(distribution="gaussian", scale=2, seed=3, clip=(0, 120), round_to=1),
        DateShift(by="id", max_days=30),
        DateShift(by="id", max_days=7, exclude_zero=False, key="file:/tmp/key"),
        Shuffle(),
        Shuffle(seed=3, within=("sex", "region")),
        Shuffle(key="env:ANONLAB_KEY", together=("tax",)),
        Noise(distribution="laplace", scale=5.0, key="file:/tmp/key"),
        Pram(retain=0.8, seed=3),
        Pram(matrix=MATRIX),
    ],
)
def test_round_trip(t: Transform) -> None:
    data = t.to_dict()
    assert data["op"] == t.op
    again = transform_from_dict(data)
    assert again == t
    assert hash(again) == hash(t)


def test_an_in_memory_key_cannot_be_written() -> None:
    with pytest.raises(RecipeError, match="in-memory Key"):
        DateShift(by="id", max_days=3, key=KEY).to_dict()


def test_pram_retain_is_deterministic_run_after_run() -> None:
    # the categories must be taken in sorted order every time (a polars optimization once
    # dropped the sort, making the result depend on hash order)
    frame = pl.DataFrame({"v": ["a", "b", "b", "c", None, "d"] * 50})
    t = Pram(retain=0.0, seed=4)
    first = run(t, frame)
    assert (first["v"] != frame["v"]).all()
    for engine in ["in-memory", "streaming"] * 10:
        assert run(t, frame, engine=engine).equals(first)

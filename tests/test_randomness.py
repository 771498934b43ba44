"""Keyed randomness: per-record draws that a recipient holding the recipe cannot replay."""

from __future__ import annotations

import math
import pickle

import numpy as np
import polars as pl
import pytest

import anonlab
from anonlab.keys import Key
from anonlab.randomness import Draws, derive_key, record_fingerprint, seed_secret
from anonlab.transforms import Context, Noise, Pram, Shuffle

KEY = Key("a test key that is long enough 0123456789")
N = 100_000


def draws(master: bytes = b"m" * 32, column: str = "v", occurrence: int = 0) -> Draws:
    t = Noise(distribution="laplace", scale=1.0)
    return Draws.for_step(master, t, column, occurrence, pl.col("fp"), replayable=False)


def test_uniform_numbers() -> None:
    u = pl.Series(draws().uniform_array(np.arange(N, dtype=np.uint64)))
    assert u.min() > 0 and u.max() < 1  # type: ignore[operator]
    assert abs(u.mean() - 0.5) < 0.01  # type: ignore[operator]
    assert abs(u.var() - 1 / 12) < 0.002  # type: ignore[operator]
    bins = (u * 10).floor().value_counts().get_column("count")
    assert bins.len() == 10 and (bins - N / 10).abs().max() < 0.05 * N / 10  # type: ignore[operator]
    # another counter and another key: unrelated numbers
    other = pl.Series(draws().uniform_array(np.arange(N, dtype=np.uint64), counter=1))
    assert abs(np.corrcoef(u.to_numpy(), other.to_numpy())[0, 1]) < 0.02
    third = pl.Series(draws(b"n" * 32).uniform_array(np.arange(N, dtype=np.uint64)))
    assert abs(np.corrcoef(u.to_numpy(), third.to_numpy())[0, 1]) < 0.02


def test_no_extreme_draw_for_small_seeds() -> None:
    # regression: the old splitmix64 generator gave row 0 of seed 1 the uniform 2**-54, a
    # Laplace draw of -36.7 scales; a sound generator exceeds 25 scales once in e**25 draws
    frame = pl.DataFrame({"v": [0.0] * 1_000})
    for seed in range(60):
        out = Noise(distribution="laplace", scale=1.0, seed=seed).apply(
            frame.lazy(), "v", Context(schema=frame.schema)
        )
        assert out.collect()["v"].abs().max() < 25, seed  # type: ignore[operator]


def test_labels_never_collide() -> None:
    # regression: the old stream offsets gave _base(2, 0) == _base(1, 1); labels are now
    # length-prefixed HKDF info, and seeds are distinct secrets
    assert derive_key(b"m" * 32, b"s", "ab", "c") != derive_key(b"m" * 32, b"s", "a", "bc")
    assert seed_secret(2) != seed_secret(1)
    fps = np.arange(1_000, dtype=np.uint64)
    two = Draws.for_step(seed_secret(2), Noise(distribution="laplace", scale=1.0), "v", 0,
                         pl.col("fp"), replayable=True)
    one = Draws.for_step(seed_secret(1), Noise(distribution="laplace", scale=1.0), "v", 1,
                         pl.col("fp"), replayable=True)
    assert not np.array_equal(two.bits_array(fps, 0), one.bits_array(fps, 1))


def test_each_purpose_draws_its_own_numbers() -> None:
    fps = np.arange(1_000, dtype=np.uint64)
    base = draws().bits_array(fps)
    assert not np.array_equal(base, draws(column="w").bits_array(fps))
    assert not np.array_equal(base, draws(occurrence=1).bits_array(fps))
    scaled = Draws.for_step(b"m" * 32, Noise(distribution="laplace", scale=5.0), "v", 0,
                            pl.col("fp"), replayable=False)
    assert not np.array_equal(base, scaled.bits_array(fps))


def test_two_scales_do_not_combine_into_the_value() -> None:
    # equal draws at two scales would give (5 y_100 - y_500) / 4 = x exactly
    frame = pl.DataFrame({"x": np.linspace(0, 1e4, 3_000)})
    y100 = Noise(distribution="laplace", scale=100.0, key=KEY).apply(
        frame.lazy(), "x", Context(schema=frame.schema)).collect()["x"]
    y500 = Noise(distribution="laplace", scale=500.0, key=KEY).apply(
        frame.lazy(), "x", Context(schema=frame.schema)).collect()["x"]
    guess = (5 * y100 - y500) / 4
    assert ((guess - frame["x"]).abs() < 1.0).mean() < 0.01  # type: ignore[operator]


def test_a_record_draws_the_same_numbers_wherever_it_is() -> None:
    frame = pl.DataFrame({"id": range(5_000), "v": np.zeros(5_000)})
    t = Noise(distribution="gaussian", scale=1.0, key=KEY)
    recipe = anonlab.Recipe().then("v", t)
    out = recipe.apply(frame)
    shuffled = frame.sample(fraction=1.0, shuffle=True, seed=3)
    again = recipe.apply(shuffled).sort("id")
    assert again["v"].equals(out["v"])
    # split into batches, lazily and streaming
    parts = pl.concat([frame.slice(i, 700) for i in range(0, 5_000, 700)], rechunk=False)
    streamed = recipe.apply_lazy(parts.lazy()).collect(engine="streaming")
    assert streamed["v"].equals(out["v"])


def test_identical_records_draw_independent_numbers() -> None:
    frame = pl.DataFrame({"v": [100.0] * 10_000})
    out = anonlab.Recipe().then("v", Noise(distribution="laplace", scale=1.0, key=KEY)).apply(
        frame)["v"]
    assert out.n_unique() == 10_000
    assert abs((out - 100).std() / math.sqrt(2) - 1) < 0.05  # type: ignore[operator]


def test_the_fingerprint_is_a_function_of_the_record() -> None:
    frame = pl.DataFrame({"a": [1, 2, 1, None], "b": ["x", "y", "x", "z"]})
    fp = frame.select(record_fingerprint(["a", "b"], frame.schema)).to_series()
    assert fp.n_unique() == 4  # the two equal records are told apart by their occurrence
    categorical = frame.with_columns(pl.col("b").cast(pl.Categorical))
    again = categorical.select(record_fingerprint(["a", "b"], categorical.schema)).to_series()
    assert sorted(again.to_list()) == sorted(fp.to_list())


def test_draws_keep_their_key_to_themselves() -> None:
    d = draws(b"s" * 32)
    assert "s" * 8 not in repr(d) and "key withheld" in repr(d)
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(d)


def test_which_secret_a_step_draws_from() -> None:
    ctx = Context(schema=pl.Schema({"v": pl.Float64}))
    t = Noise(distribution="laplace", scale=1.0)
    assert ctx.draws(t, "v", None, 3).replayable  # a step seed is public
    assert not ctx.draws(t, "v", KEY, None).replayable
    assert not ctx.draws(t, "v", None, None).replayable  # fresh, per run
    assert Context(schema=ctx.schema, seed=0).draws(t, "v", None, None).replayable
    # an attacker context resolves every key to a random key of its own
    attacker = Context(schema=ctx.schema, attacker=True)
    assert attacker.key(KEY) != KEY.secret()


def test_recipe_steps_draw_independently() -> None:
    frame = pl.DataFrame({"v": np.zeros(2_000), "w": np.zeros(2_000)})
    noise = Noise(distribution="laplace", scale=1.0, key=KEY)
    twice = anonlab.Recipe().then("v", noise).then("v", noise).apply(frame)
    once = anonlab.Recipe().then("v", noise).apply(frame)
    # the second step adds new noise, not the same draw again (which would double it)
    assert not np.allclose(twice["v"].to_numpy(), 2 * once["v"].to_numpy())
    both = anonlab.Recipe().then("v", noise).then("w", noise).apply(frame)
    assert not both["v"].equals(both["w"], check_names=False)


def test_pram_and_shuffle_without_a_key_differ_run_to_run() -> None:
    frame = pl.DataFrame({"c": ["a", "b", "c", "d"] * 500, "n": range(2_000)})
    pram = anonlab.Recipe().then("c", Pram(retain=0.5))
    assert not pram.apply(frame).equals(pram.apply(frame))
    shuffle = anonlab.Recipe().then("n", Shuffle())
    assert not shuffle.apply(frame).equals(shuffle.apply(frame))
    keyed = anonlab.Recipe().then("n", Shuffle(key=KEY))
    assert keyed.apply(frame).equals(keyed.apply(frame))


def test_a_lazy_plan_does_not_serialize_its_key() -> None:
    lf = pl.LazyFrame({"v": [1.0, 2.0]})
    out = anonlab.Recipe().then("v", Noise(distribution="laplace", scale=1.0, key=KEY)).apply(lf)
    with pytest.raises(Exception, match="cannot be pickled"):
        out.serialize()
    # nor does a plan drawing fresh randomness give its secret away
    fresh = anonlab.Recipe().then("v", Noise(distribution="laplace", scale=1.0)).apply(lf)
    with pytest.raises(Exception, match="cannot be pickled"):
        fresh.serialize()

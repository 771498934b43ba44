"""The singling-out attack: predicate counts against brute force, known cases, the control
size correction against an independent population, bad input."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anonlab.errors import ColumnNotFoundError, EmptyFrameError, ParameterError
from anonlab.evidence import singling_out_attack
from anonlab.evidence._predicates import EQ, GE, GT, LE, LT, NE, Matcher, Predicates
from anonlab.evidence.singling_out import expected_control_successes, lgamma_difference
from tests.evidence.conftest import unique_frame

OPS = {
    EQ: lambda a, b: a == b,
    NE: lambda a, b: a != b,
    GT: lambda a, b: a > b,
    LT: lambda a, b: a < b,
    GE: lambda a, b: a >= b,
    LE: lambda a, b: a <= b,
}


@settings(max_examples=150, deadline=None)
@given(
    cats=st.lists(st.sampled_from([0, 1, 2, -1]), min_size=1, max_size=80),
    seed=st.integers(0, 10_000),
    prefilter=st.booleans(),
)
def test_matcher_counts_match_brute_force(cats: list[int], seed: int, prefilter: bool) -> None:
    """Counts and "exactly one" of random predicates, wildcards (-1, NaN) matching anything."""
    rng = np.random.default_rng(seed)
    n = len(cats)
    codes = np.array([cats, rng.integers(-1, 3, n)], dtype=np.int32)
    numbers = np.where(rng.random((1, n)) < 0.2, np.nan, rng.integers(0, 4, (1, n)) * 1.0)
    from anonlab.evidence.distance import Encoded

    frame = Encoded(codes, numbers)
    layout = [("categorical", 0), ("categorical", 1), ("numeric", 0)]
    b = 40
    cols = rng.integers(-1, 3, (b, 2))
    ops = np.where(cols == 2, rng.integers(0, 6, (b, 2)), rng.integers(0, 2, (b, 2)))
    vals = rng.integers(0, 4, (b, 2)).astype(float)
    preds = Predicates(cols.astype(np.int64), ops.astype(np.int8), vals)
    columns = [codes[0].astype(float), codes[1].astype(float), numbers[0]]
    wild = [codes[0] < 0, codes[1] < 0, np.isnan(numbers[0])]
    want = []
    for i in range(b):
        count = 0
        for r in range(n):
            ok = all(
                c < 0 or wild[c][r] or OPS[o](columns[c][r], v)
                for c, o, v in zip(cols[i], ops[i], vals[i], strict=True)
            )
            count += ok
        want.append(count)
    matcher = Matcher(frame, layout)
    assert matcher.counts(preds).tolist() == want
    with pytest.MonkeyPatch.context() as patch:
        if prefilter:
            patch.setattr("anonlab.evidence._predicates._PREFILTER", 2)
            patch.setattr("anonlab.evidence._predicates._BLOCK", 64)
        assert matcher.singles_out(preds).tolist() == [c == 1 for c in want]


def test_canonical_keys_ignore_condition_order() -> None:
    a = Predicates(
        np.array([[2, 0, -1]]), np.array([[GE, EQ, EQ]], np.int8), np.array([[3.0, 1.0, 0.0]])
    )
    b = Predicates(
        np.array([[0, -1, 2]]), np.array([[EQ, EQ, GE]], np.int8), np.array([[1.0, 0.0, 3.0]])
    )
    assert a.keys() == b.keys()


def _member_split(frame: pl.DataFrame, n_control: int, seed: int):
    rng = np.random.default_rng(seed)
    order = rng.permutation(frame.height)
    return frame[order[n_control:]], frame[order[:n_control]]


def test_release_equal_to_original_is_singled_out() -> None:
    """Every record unique: predicates built from the release single out its targets."""
    members, control = _member_split(unique_frame(6000, 0), 3000, 0)
    for mode in ("univariate", "multivariate"):
        result = singling_out_attack(
            members, members, control, rng=np.random.default_rng(1), mode=mode, n_attacks=500
        )
        assert result.attack.low > 0.95, mode
        assert result.attack_beats_baseline


def test_pure_noise_release_stays_at_baseline() -> None:
    """A release independent of the targets (drawn from the same distribution): the attack on
    targets does no better than on control records, and the residual risk's interval
    reaches 0."""
    rng = np.random.default_rng(2)

    def draw(n: int) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "a": rng.choice(list("abcdefgh"), n),
                "b": rng.choice(list("xyz"), n, p=[0.7, 0.2, 0.1]),
                "n": rng.integers(0, 300, n),
                "m": rng.normal(0, 1, n).round(2),
            }
        )

    release, targets, control = draw(4000), draw(4000), draw(4000)
    result = singling_out_attack(
        release, targets, control, rng=rng, n_attacks=400, max_attempts=20_000
    )
    assert result.figures["predicates_found"] > 100
    assert result.risk.low == 0.0
    assert abs(result.attack.value - result.control.value) <= (
        result.attack.error + result.control.error
    )


def test_wildcards_never_single_out() -> None:
    """A column with a suppressed cell cannot single anyone out on its own, and predicates are
    never built on the suppressed cell."""
    release = pl.DataFrame({"a": ["x", "y", "z", "*"], "b": ["1", "2", "3", "4"]})
    result = singling_out_attack(
        release, release, rng=np.random.default_rng(0), mode="univariate", columns=["a"]
    )
    assert result.figures["predicates_found"] == 0
    only_b = singling_out_attack(
        release, release, rng=np.random.default_rng(0), mode="univariate", columns=["b"]
    )
    assert only_b.figures["predicates_found"] == 4 and only_b.n_success == 4
    # the target whose a is unknown matches "a == 'x'": it is not singled out
    targets = pl.DataFrame({"a": ["x", "y", "z", None], "b": ["1", "2", "3", "4"]})
    multi = singling_out_attack(
        release.with_columns(pl.lit("k").alias("b")),
        targets,
        rng=np.random.default_rng(0),
        n_cols=2,
        n_attacks=4,
    )
    assert multi.n_success == 0


def _population(n: int, rng: np.random.Generator) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "a": rng.choice(list("abcdefghij"), n, p=np.arange(10, 0, -1) / 55),
            "b": rng.choice(list("xyzw"), n, p=[0.4, 0.3, 0.2, 0.1]),
            "c": rng.integers(0, 90, n),
            "d": rng.choice(["u", "v"], n),
            "e": rng.gamma(2.0, 10.0, n).round(1),
        }
    )


@pytest.mark.parametrize("n_control", [1500, 4000])
def test_control_size_correction_against_an_independent_population(n_control: int) -> None:
    """The control count rescaled from a small control set to the targets' size comes within
    35 % of the count on an independent population of the targets' size drawn from the same
    distribution (measured: 98 against 81 and 98 against 74 predicates of 331; it is a model,
    see expected_control_successes), and far closer than the unscaled count."""
    rng = np.random.default_rng(0)
    members = _population(20_000, rng)
    control = _population(n_control, rng)
    independent = _population(20_000, rng)
    kwargs = {"n_attacks": 600, "max_attempts": 30_000, "n_cols": 4}
    result = singling_out_attack(
        members, members, control, rng=np.random.default_rng(100), **kwargs
    )
    same_size = singling_out_attack(
        members, members, independent, rng=np.random.default_rng(100), **kwargs
    )
    assert result.figures["predicates_found"] == same_size.figures["predicates_found"] > 300
    assert result.figures["control_scaled"] is True
    assert same_size.figures["control_scaled"] is False
    truth = same_size.control.successes
    estimate = result.control.successes
    assert abs(estimate - truth) <= 0.35 * truth
    assert abs(estimate - truth) < abs(result.figures["control_singled_out"] - truth)


def test_expected_control_successes_edges() -> None:
    assert expected_control_successes(np.zeros(50, dtype=int), 1000, 50_000) == 0.0
    assert expected_control_successes(np.array([], dtype=int), 1000, 50_000) == 0.0
    # predicates matching many control records almost never single out a larger population
    assert expected_control_successes(np.full(50, 200), 1000, 50_000) < 1e-6
    # more control matches per predicate -> fewer singled out at the larger size
    few = expected_control_successes(np.array([0] * 90 + [1] * 10), 2000, 40_000)
    many = expected_control_successes(np.array([0] * 50 + [3] * 50), 2000, 40_000)
    assert 0 < many < few < 100


def test_lgamma_difference_is_accurate() -> None:
    """Against the exact sum of logs (m is a whole number): lgamma(x + m) - lgamma(x) is
    log(x) + log(x + 1) + ... + log(x + m - 1), also where plain lgamma differences have lost
    their digits (x = 1e9, 1e14)."""
    x = np.array([0.5, 3.0, 999.0, 1000.0, 1e5, 9.99e6, 1.0001e7, 1e9, 1e14])
    m = np.array([2, 100, 500, 500, 10_000, 3, 10_000, 2, 2])
    want = [math.fsum(math.log(a + j) for j in range(b)) for a, b in zip(x, m, strict=True)]
    assert lgamma_difference(x, m.astype(float)) == pytest.approx(want, rel=1e-11)


def test_seeded_and_frame_kind_independent() -> None:
    members, control = _member_split(unique_frame(2000, 3), 500, 3)
    one = singling_out_attack(
        members, members, control, rng=np.random.default_rng(4), n_attacks=200
    )
    two = singling_out_attack(
        members.to_pandas(),
        members.to_arrow(),
        control.lazy(),
        rng=np.random.default_rng(4),
        n_attacks=200,
    )
    assert one.to_dict() == two.to_dict()


SECRET_VALUE = "Z9-PRIVATE-VALUE"


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        ({"columns": ["nope"]}, ColumnNotFoundError, "Column 'nope'"),
        ({"mode": "bivariate"}, ParameterError, "'mode' parameter"),
        ({"n_cols": 3}, ParameterError, "'n_cols' parameter of singling_out_attack"),
        ({"n_cols": 0}, ParameterError, "'n_cols'"),
        ({"n_attacks": -5}, ParameterError, "'n_attacks'"),
        ({"max_attempts": 0}, ParameterError, "'max_attempts'"),
        ({"rng": np.random.RandomState(0)}, ParameterError, "numpy.random.Generator"),
        ({"confidence_level": 95}, ParameterError, "'confidence_level'"),
    ],
)
def test_bad_input(kwargs: dict, error: type[Exception], fragment: str) -> None:
    frame = pl.DataFrame({"a": [SECRET_VALUE, "y", "z"], "n": [1, 2, 3]})
    args = {"rng": np.random.default_rng(0), "n_cols": 2, **kwargs}
    with pytest.raises(error, match=fragment) as info:
        singling_out_attack(frame, frame, **args)
    assert SECRET_VALUE not in str(info.value)


def test_bad_frames() -> None:
    frame = pl.DataFrame({"a": ["x", "y"], "n": [1, 2]})
    rng = np.random.default_rng(0)
    with pytest.raises(EmptyFrameError, match="'control' frame"):
        singling_out_attack(frame, frame, frame.clear(), rng=rng, n_cols=2)
    with pytest.raises(ColumnNotFoundError, match="in targets"):
        singling_out_attack(frame, frame.drop("n"), rng=rng, n_cols=2)
    with pytest.raises(ParameterError, match="'n' is Int64 in the release but String"):
        singling_out_attack(
            frame, frame.with_columns(pl.col("n").cast(pl.String)), rng=rng, n_cols=2
        )
    listed = frame.with_columns(pl.lit([1]).alias("l"))
    with pytest.raises(ParameterError, match="cannot compare"):
        singling_out_attack(listed, listed, rng=rng, columns=["a", "l"], n_cols=2)

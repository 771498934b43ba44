"""The prosecutor linkage attack: candidate sets against brute force, known cases, bad input."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import anonlab
from anonlab.errors import ColumnNotFoundError, EmptyFrameError, ParameterError
from anonlab.evidence import linkage_attack
from anonlab.evidence.distance import encode
from anonlab.evidence.linkage import candidate_counts
from tests.evidence.conftest import unique_frame


def _wild(v: object) -> bool:
    return v is None or v == "*" or (isinstance(v, float) and math.isnan(v))


def brute_counts(
    release: pl.DataFrame,
    targets: pl.DataFrame,
    kinds: dict[str, str],
    tolerances: dict[str, float],
) -> list[int]:
    """Compatible release records of every target, one pair at a time in plain Python."""
    out = []
    for t in targets.to_dicts():
        count = 0
        for r in release.to_dicts():
            ok = True
            for name, kind in kinds.items():
                a, b = r[name], t[name]
                if _wild(a) or _wild(b):
                    continue
                if kind == "numeric" and tolerances.get(name, 0) > 0:
                    ok = abs(a - b) <= tolerances[name]
                else:
                    ok = a == b
                if not ok:
                    break
            count += ok
        out.append(count)
    return out


@st.composite
def linkage_cases(draw: st.DrawFn) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, float]]:
    def frame(n: int) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "zip": draw(
                    st.lists(st.sampled_from(["021**", "100**", "*", None]), min_size=n, max_size=n)
                ),
                "band": draw(st.lists(st.sampled_from([0, 1, None]), min_size=n, max_size=n)),
                "age": draw(
                    st.lists(
                        st.one_of(
                            st.none(),
                            st.floats(0, 10, allow_nan=False),
                            st.sampled_from([1.0, 2.0, float("nan")]),
                        ),
                        min_size=n,
                        max_size=n,
                    )
                ),
                "pay": draw(
                    st.lists(st.sampled_from([0.0, 0.5, 1.0, 1.5, None]), min_size=n, max_size=n)
                ),
            },
            schema={"zip": pl.String, "band": pl.Int64, "age": pl.Float64, "pay": pl.Float64},
        )

    release = frame(draw(st.integers(1, 30)))
    targets = frame(draw(st.integers(1, 12)))
    tol = {}
    if draw(st.booleans()):
        tol["age"] = draw(st.sampled_from([0.0, 0.5, 1.0, 2.5]))
    if draw(st.booleans()):
        tol["pay"] = draw(st.sampled_from([0.25, 0.5]))
    return release, targets, tol


KINDS = {"zip": "categorical", "band": "numeric", "age": "numeric", "pay": "numeric"}


@settings(max_examples=70, deadline=None)
@given(case=linkage_cases())
def test_candidate_counts_match_brute_force(
    case: tuple[pl.DataFrame, pl.DataFrame, dict[str, float]],
) -> None:
    release, targets, tol = case
    rel, tgt = encode([release, targets], KINDS, scale=False)
    numeric = [c for c, k in KINDS.items() if k == "numeric"]
    got = candidate_counts(rel, tgt, [tol.get(c, 0.0) for c in numeric])
    assert got.tolist() == brute_counts(release, targets, KINDS, tol)


@settings(max_examples=40, deadline=None)
@given(case=linkage_cases(), seed=st.integers(0, 1000))
def test_risks_follow_from_the_candidates(
    case: tuple[pl.DataFrame, pl.DataFrame, dict[str, float]], seed: int
) -> None:
    """Each target's risk is 1/|candidates| when its true record is a candidate, else 0."""
    release, targets, tol = case
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, release.height, targets.height)
    with_truth = targets.with_columns(pl.Series("truth", truth))
    result = linkage_attack(
        release,
        with_truth,
        quasi_identifiers=list(KINDS),
        rng=rng,
        tolerances=tol,
        n_attacks=None,
        k=2,
    )
    counts = brute_counts(release, targets, KINDS, tol)
    true_ok = [
        brute_counts(release[int(t) : int(t) + 1], targets[i : i + 1], KINDS, tol)[0]
        for i, t in enumerate(truth)
    ]
    risks = [1 / c if ok else 0.0 for c, ok in zip(counts, true_ok, strict=True)]
    assert result.n_attacks == targets.height
    assert result.mean_risk == pytest.approx(np.mean(risks))
    assert result.max_risk == pytest.approx(max(risks))
    assert result.n_unique == sum(1 for c, ok in zip(counts, true_ok, strict=True) if ok and c == 1)
    assert result.n_breaking == sum(r > 0.5 + 1e-12 for r in risks)
    assert result.passed == (max(risks) <= 0.5 + 1e-12)
    assert result.n_not_candidate == sum(not ok for ok in true_ok)


def test_release_equal_to_original_breaks_the_bound() -> None:
    original = unique_frame(3000, 0)
    targets = original.with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("truth"))
    result = linkage_attack(
        original,
        targets,
        quasi_identifiers=["code", "day", "sex"],
        rng=np.random.default_rng(0),
        k=2,
    )
    assert result.unique.share == 1.0 and result.unique.low > 0.99
    assert result.max_risk == 1.0 and result.passed is False
    assert result.n_breaking == result.n_attacks == 2000


def test_k_anonymous_release_keeps_the_bound() -> None:
    """A 5-anonymous generalization of Adult (age, marital status and education one level up
    their hierarchies, records of classes under 5 removed): every target's risk is at most 1/5
    and the largest is 1/(smallest class); a k one above the smallest class is broken."""
    adult = anonlab.datasets.adult()
    qis = ["age", "sex", "race", "marital-status", "education"]
    hierarchies = anonlab.datasets.adult_hierarchies()
    generalized = adult.with_columns(
        pl.col(c).cast(pl.String).replace_strict({v: h[0] for v, h in hierarchies[c].items()})
        for c in ("age", "marital-status", "education")
    ).with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("_row"))
    kept = pl.len().over(qis) >= 5
    release = generalized.filter(kept).drop("_row")
    classes = anonlab.risk.equivalence_classes(release, qis)
    smallest = int(classes.size.min())
    assert smallest >= 5  # the risk module agrees it is 5-anonymous
    position = pl.when(kept).then(kept.cast(pl.Int64).cum_sum() - 1)
    targets = generalized.with_columns(position.alias("truth")).drop("_row")
    result = linkage_attack(
        release, targets, quasi_identifiers=qis, rng=np.random.default_rng(0), k=5, n_attacks=None
    )
    assert result.passed is True and result.n_breaking == 0
    assert result.max_risk == pytest.approx(1 / smallest)
    assert result.n_not_candidate == 0
    assert result.n_excluded == adult.height - release.height > 0
    stricter = linkage_attack(
        release,
        targets,
        quasi_identifiers=qis,
        rng=np.random.default_rng(0),
        k=smallest + 1,
        n_attacks=None,
    )
    assert stricter.passed is False
    assert stricter.n_breaking == int(classes.size.filter(classes.size == smallest).sum())


def test_suppressed_records_join_every_candidate_set() -> None:
    release = pl.DataFrame({"a": ["x", "x", "y", "*"], "b": ["1", "2", "1", None]})
    targets = pl.DataFrame({"a": ["x", "y"], "b": ["1", "1"], "truth": [0, 2]})
    result = linkage_attack(
        release,
        targets,
        quasi_identifiers=["a", "b"],
        rng=np.random.default_rng(0),
        k=2,
        n_attacks=None,
    )
    # each target: its own record and the fully suppressed one
    assert result.mean_candidates == 2.0 and result.max_risk == 0.5 and result.passed


def test_noise_within_tolerance() -> None:
    rng = np.random.default_rng(3)
    ages = rng.integers(20, 80, 400).astype(float)
    release = pl.DataFrame(
        {"age": ages + rng.uniform(-2, 2, 400), "sex": rng.choice(["F", "M"], 400)}
    )
    targets = pl.DataFrame({"age": ages, "sex": release["sex"], "truth": np.arange(400)})
    exact = linkage_attack(
        release, targets, quasi_identifiers=["age", "sex"], rng=rng, n_attacks=None
    )
    assert exact.n_not_candidate == 400  # noisy ages never equal the true ones
    near = linkage_attack(
        release,
        targets,
        quasi_identifiers=["age", "sex"],
        rng=rng,
        tolerances={"age": 2.0},
        n_attacks=None,
    )
    assert near.n_not_candidate == 0 and near.mean_candidates > 1


def test_removed_targets_are_left_out() -> None:
    release = pl.DataFrame({"a": ["x", "y"]})
    targets = pl.DataFrame({"a": ["x", "y", "z"], "truth": [0, 1, None]})
    result = linkage_attack(release, targets, quasi_identifiers=["a"], rng=np.random.default_rng(0))
    assert result.n_excluded == 1 and result.n_attacks == 2
    with pytest.raises(EmptyFrameError, match="No target"):
        linkage_attack(
            release,
            targets.with_columns(pl.lit(None, pl.Int64).alias("truth")),
            quasi_identifiers=["a"],
            rng=np.random.default_rng(0),
        )


def test_sampling_is_seeded() -> None:
    frame = unique_frame(500, 1)
    targets = frame.with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("truth"))
    runs = [
        linkage_attack(
            frame,
            targets,
            quasi_identifiers=["group", "sex"],
            n_attacks=50,
            rng=np.random.default_rng(9),
        ).to_dict()
        for _ in range(2)
    ]
    assert runs[0] == runs[1]


SECRET_VALUE = "Z9-PRIVATE-VALUE"


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        ({"quasi_identifiers": ["nope"]}, ColumnNotFoundError, "Column 'nope'"),
        ({"quasi_identifiers": []}, ParameterError, "non-empty list"),
        ({"quasi_identifiers": "a"}, ParameterError, "non-empty list"),
        ({"quasi_identifiers": ["a", "a"]}, ParameterError, "twice"),
        ({"quasi_identifiers": ["truth"]}, ParameterError, "truth column"),
        ({"k": 0}, ParameterError, "'k' parameter of linkage_attack must be an int >= 1"),
        ({"n_attacks": 0}, ParameterError, "'n_attacks'"),
        ({"rng": 3}, ParameterError, "numpy.random.Generator"),
        ({"tolerances": {"a": 1.0}}, ParameterError, "not numeric"),
        ({"tolerances": {"n": -1.0}}, ParameterError, "number >= 0"),
        ({"tolerances": {"q": 1.0}}, ParameterError, "not among the quasi-identifiers"),
        ({"truth": "missing"}, ColumnNotFoundError, "Column 'missing'"),
    ],
)
def test_bad_input(kwargs: dict, error: type[Exception], fragment: str) -> None:
    release = pl.DataFrame({"a": [SECRET_VALUE, "y"], "n": [1.0, 2.0]})
    targets = pl.DataFrame({"a": [SECRET_VALUE, "y"], "n": [1.0, 2.0], "truth": [0, 1]})
    args = {"quasi_identifiers": ["a", "n"], "rng": np.random.default_rng(0), **kwargs}
    with pytest.raises(error, match=fragment) as info:
        linkage_attack(release, targets, **args)
    assert SECRET_VALUE not in str(info.value)


def test_bad_frames() -> None:
    rng = np.random.default_rng(0)
    release = pl.DataFrame({"a": ["x"], "n": [1]})
    with pytest.raises(EmptyFrameError, match="'targets' frame"):
        linkage_attack(release, release.clear(), quasi_identifiers=["a"], rng=rng)
    with pytest.raises(EmptyFrameError, match="'release' frame"):
        linkage_attack(pl.DataFrame(), release, quasi_identifiers=["a"], rng=rng)
    labels = pl.DataFrame({"a": ["x"], "n": ["[0, 10)"]})
    with pytest.raises(ParameterError, match="Map targets into the release's value space"):
        linkage_attack(labels, release.with_columns(truth=0), quasi_identifiers=["a", "n"], rng=rng)
    with pytest.raises(ParameterError, match="integer release row positions"):
        linkage_attack(
            release, release.with_columns(truth=pl.lit("0")), quasi_identifiers=["a"], rng=rng
        )
    with pytest.raises(ParameterError, match="outside the release"):
        linkage_attack(release, release.with_columns(truth=5), quasi_identifiers=["a"], rng=rng)
    with pytest.raises(TypeError):  # not a frame
        linkage_attack([1, 2], release, quasi_identifiers=["a"], rng=rng)


def test_pandas_frames_give_the_same_figures() -> None:
    frame = unique_frame(300, 4)
    targets = frame.with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("truth"))
    qis = ["group", "sex", "score"]
    one = linkage_attack(
        frame,
        targets,
        quasi_identifiers=qis,
        rng=np.random.default_rng(1),
        tolerances={"score": 1.0},
        n_attacks=100,
    )
    two = linkage_attack(
        frame.to_pandas(),
        targets.to_pandas(),
        quasi_identifiers=qis,
        rng=np.random.default_rng(1),
        tolerances={"score": 1.0},
        n_attacks=100,
    )
    assert one.to_dict() == two.to_dict()

"""Attacker models and population uniqueness: the Adult figures, pycanon's measures, hand-computed
examples, simulations with a known answer, and bad input."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import anonlab
from anonlab.errors import ParameterError
from anonlab.risk import equivalence_classes
from anonlab.risk.attacker import (
    THRESHOLDS,
    AttackerRisk,
    _snb_expected,
    _snb_fit,
    journalist_risk,
    marketer_risk,
    population_uniqueness,
    prosecutor_risk,
    sample_unique_share,
    sample_uniques,
)
from anonlab.risk.classes import ClassTable

ADULT_QI = ["sex", "age", "race", "marital-status", "education", "native-country", "workclass",
            "occupation"]
SMALL_QI = ["sex", "race", "marital-status", "workclass"]
MODELS = ("pitman", "zayatz", "snb")


@pytest.fixture(scope="module")
def adult() -> pl.DataFrame:
    return anonlab.datasets.adult()


@pytest.fixture(scope="module")
def adult_table(adult: pl.DataFrame) -> ClassTable:
    return equivalence_classes(adult, ADULT_QI)


def sized(sizes: list[int], population: list[int] | None = None) -> ClassTable:
    """A table with classes of the given sizes."""
    size = pl.Series("count", sizes, dtype=pl.Int64)
    pop = None if population is None else pl.Series("population", population, dtype=pl.Int64)
    return ClassTable(("x",), pl.DataFrame({"x": list(range(len(sizes)))}), size, population=pop)


# -- Adult -----------------------------------------------------------------------------------------
def test_adult_figures(adult_table: ClassTable) -> None:
    p = prosecutor_risk(adult_table)
    assert adult_table.classes == 18_109
    assert sample_uniques(adult_table) == 14_021
    assert sample_unique_share(adult_table) == pytest.approx(14_021 / 30_162)
    assert p.average == pytest.approx(18_109 / 30_162)
    assert round(p.average, 3) == 0.600
    assert p.highest == 1.0
    assert p.model == "prosecutor" and p.threshold == 0.2
    # risk above 0.2 means a class of fewer than 5 records
    small = adult_table.size.filter(adult_table.size < 5).sum()
    assert p.records_at_risk == small
    assert p.share_at_risk == pytest.approx(small / 30_162)
    m = marketer_risk(adult_table)
    assert m.average == pytest.approx(p.average) and m.threshold == 0.05
    assert not m.passed and not p.passed


def test_prosecutor_matches_pycanon(adult: pl.DataFrame) -> None:
    metrics = pytest.importorskip("pycanon.metrics")
    adult = adult.head(6000)  # pycanon loops over classes in Python
    pdf = adult.select(SMALL_QI).to_pandas()
    table = equivalence_classes(adult, SMALL_QI)
    p = prosecutor_risk(table)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert p.highest == pytest.approx(metrics.max_rir(pdf, SMALL_QI))
        assert table.classes == metrics.sizes_ec(pdf, SMALL_QI)["n_ec"]
        # pycanon averages 1/size over classes; the record average is classes / records
        assert float((1 / table.size).mean()) == pytest.approx(metrics.average_rir(pdf, SMALL_QI))
    sizes = pdf.groupby(SMALL_QI).size()
    assert p.average == pytest.approx(len(sizes) / len(pdf))
    assert p.records_at_risk == int(sizes[sizes < 5].sum())


# -- attacker models on hand-made tables ----------------------------------------------------------
def test_thresholds_are_the_regulator_values_and_read_only() -> None:
    assert dict(THRESHOLDS) == {"prosecutor": 0.2, "journalist": 0.09, "marketer": 0.05}
    with pytest.raises(TypeError):
        THRESHOLDS["prosecutor"] = 0.5  # type: ignore[index]


def test_journalist_and_marketer_with_population() -> None:
    sample = pl.DataFrame({"zip": ["a", "b", "b"], "name": ["x", "y", "z"]})
    population = pl.DataFrame({"zip": ["a"] * 4 + ["b"] * 10 + ["c"] * 3})
    table = equivalence_classes(sample, ["zip"], population=population)
    j = journalist_risk(table)
    assert j.highest == pytest.approx(1 / 4)
    assert j.average == pytest.approx((1 / 4 + 2 / 10) / 3)
    assert j.records_at_risk == 3 and j.share_at_risk == 1.0
    assert journalist_risk(table, threshold=0.2).records_at_risk == 1
    m = marketer_risk(table)
    assert m.average == pytest.approx(j.average)
    assert m.passed is False and marketer_risk(table, threshold=0.2).passed is True
    assert json.loads(json.dumps(j.to_dict())) == j.to_dict()
    assert set(j.to_dict()) == {"model", "highest", "average", "threshold", "records_at_risk",
                                "share_at_risk"}


def test_population_smaller_than_sample_counts_the_sample() -> None:
    table = sized([3, 2], population=[0, 10])
    j = journalist_risk(table)
    assert j.highest == pytest.approx(1 / 3)
    assert j.average == pytest.approx((3 / 3 + 2 / 10) / 5)


def test_journalist_needs_a_population() -> None:
    with pytest.raises(ParameterError, match="population"):
        journalist_risk(sized([1, 2]))


def test_no_classes_gives_zero_risk() -> None:
    table = equivalence_classes(pl.DataFrame({"a": ["*", None], "b": [None, "*"]}), ["a", "b"])
    assert table.classes == 0 and table.suppressed == 2
    for fn in (prosecutor_risk, marketer_risk):
        r = fn(table)
        assert (r.highest, r.average, r.records_at_risk, r.share_at_risk) == (0.0, 0.0, 0, 0.0)
    assert sample_uniques(table) == 0 and sample_unique_share(table) == 0.0
    assert population_uniqueness(table, 0.5) == 0.0


@pytest.mark.parametrize("bad", [0, -0.1, 1.5, math.nan, True, "0.2", None])
def test_bad_threshold(bad: object) -> None:
    for fn in (prosecutor_risk, marketer_risk):
        with pytest.raises(ParameterError, match="threshold"):
            fn(sized([1, 2]), threshold=bad)  # type: ignore[arg-type]


def test_not_a_table() -> None:
    with pytest.raises(ParameterError, match="ClassTable"):
        prosecutor_risk(pl.DataFrame({"a": [1]}))  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="ClassTable"):
        population_uniqueness({"a": 1}, 0.5)  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "*", None]), st.integers(0, 3)),
                min_size=1, max_size=40))
def test_average_prosecutor_risk_is_the_mean_record_risk(rows: list[tuple]) -> None:
    frame = pl.DataFrame(rows, schema={"s": pl.String, "n": pl.Int64}, orient="row")
    table = equivalence_classes(frame, ["s", "n"])
    p = prosecutor_risk(table)
    if table.records:
        # each record once, with the risk of its own class (its key's)
        risks = np.repeat(1 / table.size.to_numpy(), table.members.to_numpy())
        assert risks.size == table.records
        if not table.overlapping:  # the classes partition: classes / records
            assert p.average == pytest.approx(table.classes / table.records)
        assert p.average == pytest.approx(risks.mean())
        assert p.highest == pytest.approx(risks.max())
        assert p.records_at_risk == int((risks > 0.2).sum())
    assert 0 <= p.share_at_risk <= 1


# -- population uniqueness -----------------------------------------------------------------------
def test_sampling_fraction_one_is_the_sample_unique_share(adult_table: ClassTable) -> None:
    for model in MODELS:
        assert population_uniqueness(adult_table, 1.0, model) == pytest.approx(14_021 / 30_162)
        assert population_uniqueness(sized([1, 1, 2, 5]), 1, model) == pytest.approx(2 / 9)


def test_no_sample_uniques_and_all_unique() -> None:
    for model in MODELS:
        assert population_uniqueness(sized([2, 3, 5]), 0.1, model) == 0.0
        assert population_uniqueness(sized([1, 1, 1]), 0.1, model) == 1.0


def test_zayatz_by_hand() -> None:
    # c1 = 2, c2 = 1, n = 4, f = 0.5 so N = 8. Hypergeometric P(one drawn of i):
    # P1 = 4/8, P2 = 2 C(6, 3) / C(8, 4) = 4/7; r = 2 P1 / (2 P1 + P2) = 7/11;
    # share = c1 r / n = 7/22.
    assert population_uniqueness(sized([1, 1, 2]), 0.5, "zayatz") == pytest.approx(7 / 22)


def _crp(n: int, theta: float, alpha: float, seed: int) -> np.ndarray:
    """The class of each of n records drawn by the Pitman-Yor Chinese restaurant process."""
    rng = np.random.default_rng(seed)
    assign = np.empty(n, dtype=np.int64)
    sizes: list[int] = []
    for i in range(n):
        k = len(sizes)
        if i == 0 or rng.random() < (theta + k * alpha) / (theta + i):
            sizes.append(1)
            assign[i] = k
            continue
        while True:  # a table with chance proportional to size - alpha
            j = int(assign[rng.integers(i)])
            if rng.random() < (sizes[j] - alpha) / sizes[j]:
                break
        sizes[j] += 1
        assign[i] = j
    return assign


def _table_of(assign: np.ndarray) -> ClassTable:
    counts = np.bincount(assign)
    return sized(counts[counts > 0].tolist())


@pytest.mark.parametrize(("theta", "alpha", "population", "fraction"),
                         [(50, 0.5, 60_000, 0.1), (200, 0.7, 40_000, 0.2)])
def test_pitman_recovers_a_pitman_yor_population(theta: float, alpha: float, population: int,
                                                 fraction: float) -> None:
    # the first n records of an exchangeable partition are a sample of it
    assign = _crp(population, theta, alpha, seed=3)
    full = np.bincount(assign)
    truth = (full == 1).sum() / population
    sample = _table_of(assign[: int(population * fraction)])
    assert population_uniqueness(sample, fraction, "pitman") == pytest.approx(truth, rel=0.1)
    # and the others are in the same range
    for model in ("zayatz", "snb"):
        assert population_uniqueness(sample, fraction, model) == pytest.approx(truth, rel=0.5)


def test_snb_moments_match_a_simulation() -> None:
    rng = np.random.default_rng(5)
    for k, alpha, beta, f in [(1_000_000, 0.7, 0.3, 0.1), (500_000, 2.0, 0.5, 0.3)]:
        population = 1 + rng.negative_binomial(alpha, beta, k)
        sample = rng.binomial(population, f)
        e1, e2 = _snb_expected(alpha, beta, k, f)
        assert (sample == 1).sum() == pytest.approx(math.exp(e1), rel=0.01)
        assert (sample == 2).sum() == pytest.approx(math.exp(e2), rel=0.02)
        fitted = _snb_fit(float((sample == 1).sum()), float((sample == 2).sum()), k, f)
        assert fitted is not None
        assert fitted[0] == pytest.approx(alpha, rel=0.15)
        assert fitted[1] == pytest.approx(beta, rel=0.15)


def test_snb_without_pairs_is_unavailable() -> None:
    assert math.isnan(population_uniqueness(sized([1, 1, 3, 3]), 0.1, "snb"))


def test_population_uniqueness_grows_with_the_sampling_fraction(adult_table: ClassTable) -> None:
    fractions = [0.01, 0.05, 0.1, 0.3, 0.5, 0.8, 0.95]
    for model in ("pitman", "zayatz"):
        values = [population_uniqueness(adult_table, f, model) for f in fractions]
        assert values == sorted(values), model
        assert all(0 < v < 1 for v in values)
    small = equivalence_classes(anonlab.datasets.adult(), SMALL_QI)
    values = [population_uniqueness(small, f, "pitman") for f in fractions]
    assert values == sorted(values)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 30), min_size=1, max_size=60),
       st.floats(0.001, 1.0, allow_nan=False), st.sampled_from(MODELS))
def test_population_uniqueness_is_a_share(sizes: list[int], fraction: float, model: str) -> None:
    value = population_uniqueness(sized(sizes), fraction, model)
    assert math.isnan(value) or 0.0 <= value <= 1.0
    if model != "snb":
        assert not math.isnan(value)


@pytest.mark.parametrize("bad", [0, 0.0, -0.5, 1.0001, 2, math.nan, math.inf, True, "0.5", None])
def test_bad_sampling_fraction(bad: object) -> None:
    with pytest.raises(ParameterError, match="sampling_fraction"):
        population_uniqueness(sized([1, 2]), bad)  # type: ignore[arg-type]


def test_unknown_model() -> None:
    with pytest.raises(ParameterError, match="model"):
        population_uniqueness(sized([1, 2]), 0.5, "dankar")


def test_attacker_risk_is_frozen() -> None:
    r = AttackerRisk("prosecutor", 1.0, 0.5, 0.2, 3, 0.5)
    with pytest.raises(AttributeError):
        r.highest = 0.0  # type: ignore[misc]

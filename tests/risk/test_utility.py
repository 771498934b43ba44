"""Utility of an anonymized frame: per-column figures by hand, the overall figures against pycanon,
and bad input."""

from __future__ import annotations

import json
import warnings

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import anonlab
from anonlab.errors import ColumnNotFoundError, EmptyFrameError, ParameterError
from anonlab.hierarchies import Hierarchy
from anonlab.risk.utility import UtilityReport, utility

ADULT_QI = ["sex", "age", "race", "marital-status", "education", "native-country", "workclass",
            "occupation"]


@pytest.fixture(scope="module")
def adult() -> pl.DataFrame:
    return anonlab.datasets.adult()


@pytest.fixture(scope="module")
def generalized(adult: pl.DataFrame) -> pl.DataFrame:
    h = anonlab.datasets.adult_hierarchies()
    age = Hierarchy.from_mapping(h["age"], column="age")
    education = Hierarchy.from_mapping(h["education"], column="education")
    return adult.with_columns(
        age.expr("age", 2).alias("age"),
        education.expr("education", 1).alias("education"),
        pl.lit("*").alias("native-country"),
    )


def test_columns_by_hand() -> None:
    original = pl.DataFrame({
        "age": [20, 30, 40, 50, 60],
        "sex": ["F", "F", "M", "M", "M"],
        "zip": ["111", "112", "121", "122", None],
    })
    anonymized = pl.DataFrame({
        "age": [30, 40, 50, 60, 70],
        "sex": ["F", "*", "M", "M", None],
        "zip": ["11*", "11*", "12*", "122", None],
    })
    zip_h = Hierarchy([["111", "11*", "*"], ["112", "11*", "*"], ["121", "12*", "*"],
                       ["122", "12*", "*"]], column="zip")
    report = utility(original, anonymized, ["sex", "zip"], hierarchies={"zip": zip_h}, k=2)
    age, sex, zip_ = (report.columns[c] for c in ("age", "sex", "zip"))
    assert list(report.columns) == ["sex", "zip", "age"]  # quasi-identifiers first
    assert age.changed == 1.0 and age.distance_kind == "wasserstein"
    # every value moved by 10 over a range of 40
    assert age.distance == pytest.approx(10 / 40)
    assert age.intensity == 1.0 and not age.hierarchy and not age.quasi_identifier
    assert sex.changed == pytest.approx(2 / 5) and sex.suppressed == pytest.approx(2 / 5)
    assert (sex.distinct_before, sex.distinct_after) == (2, 3)
    # F 2/5 -> 1/5, M 3/5 -> 2/5, * 0 -> 1/5, null 0 -> 1/5: TVD = (1 + 1 + 1 + 1) / 5 / 2
    assert sex.distance == pytest.approx(0.4) and sex.distance_kind == "tvd"
    # zip levels 1, 1, 1, 0 (null original left out) over height 2
    assert zip_.intensity == pytest.approx(3 / 4 / 2) and zip_.hierarchy
    assert zip_.changed == pytest.approx(3 / 5) and zip_.suppressed == 0.0
    # classes on (sex, zip): (F, 11*), (*, 11*), (M, 12*), (M, 122); (null, null) is suppressed
    # on both (anonlab.suppressed: null and "*" are one mark). (*, 11*) matches (F, 11*), so
    # both have size 2: discernibility 2 + 2 + 1 + 1 over records, plus n for the suppressed
    assert report.classes == 4 and report.records_suppressed == 1
    assert report.discernibility == 6 + 5
    assert report.average_class_size == pytest.approx(4 / 4)
    assert report.normalized_average_class_size == pytest.approx(1 / 2)
    assert report.suppressed_share == pytest.approx(1 / 5)


def test_unchanged_frame() -> None:
    frame = pl.DataFrame({"a": [1, 2, 2], "b": ["x", "y", None]})
    report = utility(frame, frame, ["a", "b"])
    for c in report.columns.values():
        assert (c.changed, c.intensity, c.suppressed, c.distance) == (0.0, 0.0, 0.0, 0.0)
    # (2, null) matches (2, y): classes of 1, 2 and 2
    assert report.discernibility == 5 and report.normalized_average_class_size is None


def test_numbers_turned_to_text_are_compared_as_text() -> None:
    original = pl.DataFrame({"age": [39, 41, 41]})
    anonymized = pl.DataFrame({"age": ["39", "40-44", "40-44"]})
    col = utility(original, anonymized, "age").columns["age"]
    assert col.changed == pytest.approx(2 / 3)
    assert col.distance_kind == "tvd" and col.distance == pytest.approx(2 / 3)


def test_adult_against_pycanon(adult: pl.DataFrame, generalized: pl.DataFrame) -> None:
    metrics = pytest.importorskip("pycanon.metrics")
    anonymity = pytest.importorskip("pycanon.anonymity")
    qi = ["sex", "age", "race", "education"]
    adult, generalized = adult.head(8000), generalized.head(8000)  # pycanon is slow
    report = utility(adult, generalized, qi, hierarchies=anonlab.datasets.adult_hierarchies())
    pdf = generalized.select(qi).to_pandas()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        k = anonymity.k_anonymity(pdf, qi)
        assert report.discernibility == metrics.discernability_metric(pdf, pdf, qi)
        expected_aecs = metrics.average_ecsize(pdf, pdf, qi)
    again = utility(adult, generalized, qi, k=k)
    assert again.normalized_average_class_size == pytest.approx(expected_aecs)
    assert report.columns["age"].intensity == pytest.approx(2 / 4)
    assert report.columns["education"].intensity == pytest.approx(1 / 3)
    assert report.columns["race"].intensity == 0.0
    assert report.columns["native-country"].suppressed == 1.0
    assert report.columns["native-country"].intensity == 1.0  # share changed, no hierarchy used
    assert report.records == adult.height and report.removed == ()


def test_plain_data_and_repr(adult: pl.DataFrame, generalized: pl.DataFrame) -> None:
    report = utility(adult, generalized.drop("salary-class"), ADULT_QI, k=5)
    data = report.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["removed"] == ["salary-class"]
    frame = report.to_frame()
    assert frame.height == len(ADULT_QI) and frame.get_column("column").to_list() == ADULT_QI
    text = repr(report)
    assert "discernibility" in text and "education" in text and "removed: salary-class" in text
    assert isinstance(report, UtilityReport)
    with pytest.raises(AttributeError):
        report.records = 0  # type: ignore[misc]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.floats(-1e3, 1e3, allow_nan=False), st.floats(-1e3, 1e3,
                                                                          allow_nan=False)),
                min_size=1, max_size=30))
def test_wasserstein_matches_sorted_differences(pairs: list[tuple[float, float]]) -> None:
    x = np.array([p[0] for p in pairs])
    y = np.array([p[1] for p in pairs])
    col = utility(pl.DataFrame({"v": x}), pl.DataFrame({"v": y}), "v").columns["v"]
    span = x.max() - x.min() or (max(x.max(), y.max()) - min(x.min(), y.min()))
    # equal sizes: W1 is the mean distance between sorted values
    expected = min(np.abs(np.sort(x) - np.sort(y)).mean() / span, 1.0) if span > 0 else 0.0
    assert col.distance == pytest.approx(expected, abs=1e-9)
    assert 0.0 <= col.distance <= 1.0


def test_bad_input() -> None:
    frame = pl.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    with pytest.raises(ParameterError, match="rows"):
        utility(frame, frame.head(1), ["a"])
    with pytest.raises(ColumnNotFoundError):
        utility(frame, frame.drop("a"), ["a"])
    with pytest.raises(ColumnNotFoundError):
        utility(frame, frame, ["zz"])
    with pytest.raises(EmptyFrameError):
        utility(frame.clear(), frame.clear(), ["a"])
    with pytest.raises(ParameterError):
        utility(frame, frame, [])
    with pytest.raises(ParameterError, match="hierarch"):
        utility(frame, frame, ["a"], hierarchies=["a"])  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="hierarchy"):
        utility(frame, frame, ["a"], hierarchies={"a": 3})  # type: ignore[dict-item]
    with pytest.raises(ColumnNotFoundError):
        utility(frame, frame, ["a"], hierarchies={"zz": {"1": ("*",)}})
    with pytest.raises(ParameterError, match="'k'"):
        utility(frame, frame, ["a"], k=0)

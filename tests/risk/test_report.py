"""assess_risk and RiskReport: the reference figures, every number in the JSON, the display."""

from __future__ import annotations

import json
import math

import polars as pl
import pytest

import anonlab
from anonlab.errors import ColumnNotFoundError, ParameterError
from anonlab.risk import KAnonymity, LDiversity, TCloseness
from anonlab.risk.report import assess_risk

ADULT_QI = ["sex", "age", "race", "marital-status", "education", "native-country", "workclass",
            "occupation"]


@pytest.fixture(scope="module")
def adult() -> pl.DataFrame:
    return anonlab.datasets.adult()


@pytest.fixture(scope="module")
def adult_report(adult: pl.DataFrame):
    return assess_risk(adult, ADULT_QI, "salary-class", k=5, l=2, t=0.2)


def test_reference_figures_on_adult(adult_report) -> None:
    r = adult_report
    assert r.classes == 18_109
    assert r.sample_uniques == 14_021
    assert round(r.sample_unique_share, 3) == 0.465
    assert r.highest_risk == 1.0
    assert round(r.average_risk, 3) == 0.600
    assert r.records == 30_162 and r.suppressed == 0
    assert r.measures.k == 1
    assert not r.passed


def test_targets_are_evaluated(adult_report) -> None:
    labels = [t.model.describe() for t in adult_report.targets]
    assert labels == ["5-anonymity", "distinct 2-diversity on salary-class",
                      "0.2-closeness on salary-class"]
    k5 = adult_report.targets[0]
    sizes = adult_report.table.size
    assert k5.failing_classes == int((sizes < 5).sum())
    assert k5.failing_records == int(sizes.filter(sizes < 5).sum())


def test_json_carries_every_number(adult_report) -> None:
    data = json.loads(adult_report.to_json())
    assert data["classes"] == 18_109
    assert data["sample_uniques"] == 14_021
    assert data["attackers"]["prosecutor"]["highest"] == 1.0
    assert data["attackers"]["prosecutor"]["average"] == pytest.approx(18_109 / 30_162)
    assert data["measures"]["k"] == 1
    assert set(data["measures"]["t"]) == {"salary-class"}
    assert [t["passed"] for t in data["targets"]] == [t.passed for t in adult_report.targets]
    hist = {row["size"]: row for row in data["size_histogram"]}
    assert hist["1"]["classes"] == 14_021
    assert sum(row["records"] for row in data["size_histogram"]) == 30_162


def test_summary_and_html(adult_report) -> None:
    text = adult_report.summary()
    assert "18,109 classes" in text and "[FAIL] 5-anonymity" in text
    html = adult_report._repr_html_()
    assert "18,109" in html and "5-anonymity" in html and "fail" in html
    assert "<script" not in html


def test_generalized_data_passes(adult: pl.DataFrame) -> None:
    coarse = adult.with_columns((pl.col("age").cast(pl.Int64) >= 50).alias("over_50"))
    report = assess_risk(coarse, ["sex", "over_50", "race"], k=5)
    assert report.passed
    assert report.highest_risk <= 0.2
    assert report.drill_down().height == 0


def test_drill_down_and_record_risk_never_show_other_columns() -> None:
    frame = pl.DataFrame({"name": ["Ann", "Bo", "Cy", "Di"], "zip": ["1", "1", "2", "3"],
                          "age": [30, 30, 40, 50]})
    report = assess_risk(frame, ["zip", "age"], k=2)
    drill = report.drill_down()
    assert "name" not in drill.columns
    assert sorted(drill.get_column("row").to_list()) == [2, 3]
    risk = report.record_risk()
    assert risk.to_list() == [0.5, 0.5, 1.0, 1.0]


def test_explicit_targets_and_population(adult: pl.DataFrame) -> None:
    sample = adult.head(3000)
    report = assess_risk(sample, ["sex", "race"], "salary-class",
                         targets=[KAnonymity(10), LDiversity("salary-class", 2),
                                  TCloseness("salary-class", 0.3)],
                         population=adult, sampling_fraction=0.1)
    assert {"prosecutor", "journalist", "marketer"} <= set(report.attackers)
    assert set(report.population_uniqueness) == {"pitman", "zayatz", "snb"}
    for value in report.population_uniqueness.values():
        assert 0 <= value <= 1
    json.loads(report.to_json())


def test_pandas_and_polars_agree(adult: pl.DataFrame) -> None:
    a = assess_risk(adult, ["sex", "race", "workclass"], "education")
    b = assess_risk(adult.to_pandas(), ["sex", "race", "workclass"], "education")
    da, db = a.to_dict(), b.to_dict()
    for d in (da, db):
        d.pop("seconds")
    assert da == db


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"quasi_identifiers": ["nope"]}, ColumnNotFoundError, "nope"),
        ({"quasi_identifiers": []}, ParameterError, "at least one quasi-identifier"),
        ({"quasi_identifiers": ["sex"], "k": 0}, ParameterError, "'k' parameter"),
        ({"quasi_identifiers": ["sex"], "targets": [LDiversity("education", 2)]}, ParameterError,
         "not among the sensitive columns"),
        ({"quasi_identifiers": ["sex"], "targets": ["k=5"]}, ParameterError, "privacy models"),
        ({"quasi_identifiers": ["sex"], "thresholds": {"hacker": 0.1}}, ParameterError,
         "Unknown attacker model"),
        ({"quasi_identifiers": ["sex"], "thresholds": {"prosecutor": 2}}, ParameterError,
         "must be a number in"),
    ],
)
def test_bad_input(adult: pl.DataFrame, kwargs: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        assess_risk(adult, **kwargs)


def test_no_targets_means_no_verdict(adult: pl.DataFrame) -> None:
    report = assess_risk(adult, ["sex"], k=None)
    assert report.targets == () and report.passed
    assert "no targets set" in report._repr_html_()
    assert math.isclose(report.average_risk, 2 / adult.height)


def test_cli_risk_json(tmp_path, capsys, adult: pl.DataFrame) -> None:
    from anonlab.cli import main

    path = tmp_path / "adult.parquet"
    adult.write_parquet(path)
    assert main(["risk", str(path), "--qi", ",".join(ADULT_QI), "--sensitive", "salary-class",
                 "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["classes"], data["sample_uniques"]) == (18_109, 14_021)
    assert main(["risk", str(path), "--qi", "sex,nope"]) == 1
    assert "nope" in capsys.readouterr().err
    assert main(["risk", str(path), "--qi", "sex,race", "--k", "5000", "--fail-on-targets"]) == 3


def test_an_estimator_without_a_solution_is_null_in_json() -> None:
    # SNB needs classes of size 2; with none it has no solution and gives NaN
    report = assess_risk(pl.DataFrame({"a": [1, 2, 3, 3, 3, 4, 4, 4]}), ["a"], k=None,
                         sampling_fraction=0.1)
    assert math.isnan(report.population_uniqueness["snb"])
    assert json.loads(report.to_json())["population_uniqueness"]["snb"] is None
    assert "no estimate" in report.summary()

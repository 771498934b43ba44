"""Per-record risk and the drill-down: 1 / class size for every record, the failing classes'
records only, never a column that is not a quasi-identifier."""

from __future__ import annotations

import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import anonlab
from anonlab.errors import ColumnNotFoundError, EmptyFrameError, ParameterError
from anonlab.risk import KAnonymity, KMap, LDiversity, equivalence_classes
from anonlab.risk.attacker import prosecutor_risk
from anonlab.risk.records import DRILL_DOWN_COLUMNS, drill_down, record_risk
from tests import brute_force as brute

ADULT_QI = ["sex", "age", "race", "marital-status", "education", "native-country", "workclass",
            "occupation"]


@pytest.fixture(scope="module")
def adult() -> pl.DataFrame:
    return anonlab.datasets.adult()


@pytest.fixture
def people() -> pl.DataFrame:
    return pl.DataFrame({
        "name": ["Ann", "Bob", "Cid", "Dee", "Eve", "Fay", "Gus"],
        "zip": ["111", "111", "111", "222", "222", "333", "*"],
        "sex": ["F", "F", "F", "M", "M", "F", "*"],
        "disease": ["flu", "flu", "cold", "flu", "flu", "cold", "flu"],
    })


rows = st.lists(
    st.tuples(st.sampled_from(["a", "b", "*", None]), st.sampled_from([1, 2, None]),
              st.sampled_from(["x", "y", "z"]), st.text(min_size=1, max_size=3)),
    min_size=1, max_size=40,
)
SCHEMA = {"q1": pl.String, "q2": pl.Int64, "s": pl.String, "id": pl.String}


def _expected_risk(frame: pl.DataFrame, qis: list[str]) -> list[float]:
    # the rule by brute force: a suppressed cell (null or "*") matches any value, a record
    # suppressed on every quasi-identifier is in no class
    return [0.0 if f == 0 else 1 / f for f in brute.frequencies(brute.rows(frame, qis))]


# -- record_risk -----------------------------------------------------------------------------------
def test_record_risk_by_hand(people: pl.DataFrame) -> None:
    risk = record_risk(people, ["zip", "sex"])
    assert risk.name == "risk" and risk.dtype == pl.Float64
    assert risk.to_list() == pytest.approx([1 / 3] * 3 + [1 / 2] * 2 + [1.0, 0.0])
    assert record_risk(people, "zip", name="r").name == "r"


def test_record_risk_keeps_the_order_of_pandas_and_lazy_frames(people: pl.DataFrame) -> None:
    expected = record_risk(people, ["zip", "sex"]).to_list()
    shuffled_index = people.to_pandas().set_axis([10, 3, 7, 1, 0, 5, 2])
    assert record_risk(shuffled_index, ["zip", "sex"]).to_list() == expected
    assert record_risk(people.lazy(), ["zip", "sex"]).to_list() == expected


def test_record_risk_on_adult(adult: pl.DataFrame) -> None:
    risk = record_risk(adult, ADULT_QI)
    assert risk.len() == adult.height
    assert risk.max() == 1.0
    assert risk.sum() == pytest.approx(18_109)
    assert risk.mean() == pytest.approx(prosecutor_risk(equivalence_classes(adult, ADULT_QI))
                                        .average)


@settings(max_examples=80, deadline=None)
@given(rows)
def test_record_risk_is_one_over_class_size(data: list[tuple]) -> None:
    frame = pl.DataFrame(data, schema=SCHEMA, orient="row")
    risk = record_risk(frame, ["q1", "q2"])
    assert risk.to_list() == pytest.approx(_expected_risk(frame, ["q1", "q2"]))
    table = equivalence_classes(frame, ["q1", "q2"])
    if table.records:
        kept = risk.filter(risk > 0)
        assert kept.len() == table.records
        assert kept.mean() == pytest.approx(prosecutor_risk(table).average)


def test_record_risk_bad_input(people: pl.DataFrame) -> None:
    with pytest.raises(ColumnNotFoundError, match="zop"):
        record_risk(people, ["zop"])
    with pytest.raises(EmptyFrameError):
        record_risk(people.clear(), ["zip"])
    with pytest.raises(ParameterError):
        record_risk(people, [])
    with pytest.raises(ParameterError):
        record_risk(people, ["zip", "zip"])
    with pytest.raises(ParameterError):
        record_risk(people, ["zip"], name=3)  # type: ignore[arg-type]


# -- drill_down ------------------------------------------------------------------------------------
def test_drill_down_by_hand(people: pl.DataFrame) -> None:
    table = equivalence_classes(people, ["zip", "sex"], ["disease"])
    out = drill_down(people, table, [KAnonymity(3), LDiversity("disease", 2)])
    assert out.columns == ["row", "class", "zip", "sex", "size", "risk", "breaks"]
    assert out.get_column("row").to_list() == [5, 3, 4]
    assert out.get_column("breaks").to_list() == [
        "3-anonymity; distinct 2-diversity on disease",
        "3-anonymity; distinct 2-diversity on disease",
        "3-anonymity; distinct 2-diversity on disease",
    ]
    assert out.get_column("risk").to_list() == pytest.approx([1.0, 0.5, 0.5])
    assert out.get_column("size").to_list() == [1, 2, 2]
    keys = table.keys.with_row_index("class")
    for row in out.iter_rows(named=True):
        key = keys.row(row["class"], named=True)
        assert (key["zip"], key["sex"]) == (row["zip"], row["sex"])
    only_k = drill_down(people, table, [KAnonymity(2)])
    assert only_k.get_column("row").to_list() == [5]
    assert only_k.get_column("breaks").to_list() == ["2-anonymity"]
    assert drill_down(people, table, [KAnonymity(3)], limit=2).height == 2


def test_drill_down_nothing_fails(people: pl.DataFrame) -> None:
    table = equivalence_classes(people, ["sex"])
    for models in ([KAnonymity(1)], []):
        out = drill_down(people, table, models)
        assert out.height == 0
        assert out.columns == ["row", "class", "sex", "size", "risk", "breaks"]


def test_drill_down_on_adult(adult: pl.DataFrame) -> None:
    table = equivalence_classes(adult, ADULT_QI, ["salary-class"])
    models = [KAnonymity(5), LDiversity("salary-class", 2)]
    out = drill_down(adult, table, models)
    failing = set()
    for m in models:
        failing |= set(range(table.classes)) - set(
            m.class_passes(table).arg_true().to_list())
    assert out.height == int(table.size.gather(sorted(failing)).sum())
    assert out.get_column("class").n_unique() == len(failing)
    assert out.get_column("risk").is_sorted(descending=True)
    assert out.columns == ["row", "class", *ADULT_QI, "size", "risk", "breaks"]
    k5 = models[0].evaluate(table)
    assert out.filter(pl.col("breaks").str.contains("5-anonymity")).height == k5.failing_records
    # the positions point at the same records
    check = adult.with_row_index("row").join(out.select("row", *ADULT_QI), on="row")
    for q in ADULT_QI:
        assert (check.get_column(q) == check.get_column(f"{q}_right")).all()


@settings(max_examples=60, deadline=None)
@given(rows, st.integers(1, 4))
def test_drill_down_never_shows_other_columns(data: list[tuple], k: int) -> None:
    frame = pl.DataFrame(data, schema=SCHEMA, orient="row")
    table = equivalence_classes(frame, ["q1", "q2"], ["s"])
    out = drill_down(frame, table, [KAnonymity(k), LDiversity("s", 2)])
    assert set(out.columns) <= {"q1", "q2", *DRILL_DOWN_COLUMNS}
    assert "s" not in out.columns and "id" not in out.columns
    expected = [r for r in _expected_risk(frame, ["q1", "q2"]) if r > 0]
    assert out.height <= len(expected)
    assert (out.get_column("risk") == 1 / out.get_column("size")).all()
    if out.height:
        assert out.select(pl.col("risk").is_sorted(descending=True)).item()


def test_drill_down_bad_input(people: pl.DataFrame) -> None:
    table = equivalence_classes(people, ["zip", "sex"], ["disease"])
    with pytest.raises(ColumnNotFoundError):
        drill_down(people.drop("zip"), table, [KAnonymity(2)])
    with pytest.raises(EmptyFrameError):
        drill_down(people.clear(), table, [KAnonymity(2)])
    with pytest.raises(ParameterError, match="does not match"):
        drill_down(people.head(4), table, [KAnonymity(3)])
    with pytest.raises(ParameterError, match="population"):
        drill_down(people, table, [KMap(2)])
    with pytest.raises(ParameterError, match="name"):
        drill_down(people, table, [LDiversity("name", 2)])
    with pytest.raises(ParameterError, match="privacy models"):
        drill_down(people, table, ["k"])  # type: ignore[list-item]
    with pytest.raises(ParameterError, match="ClassTable"):
        drill_down(people, people, [KAnonymity(2)])  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="limit"):
        drill_down(people, table, [KAnonymity(2)], limit=-1)
    clash = people.rename({"zip": "size"})
    with pytest.raises(ParameterError, match="size"):
        drill_down(clash, equivalence_classes(clash, ["size"]), [KAnonymity(2)])


def test_drill_down_accepts_pandas(people: pl.DataFrame) -> None:
    table = equivalence_classes(people, ["zip", "sex"])
    out = drill_down(people.to_pandas(), table, KAnonymity(3))  # type: ignore[arg-type]
    assert isinstance(out, pl.DataFrame) and out.height == 3
    assert isinstance(people.to_pandas(), pd.DataFrame)

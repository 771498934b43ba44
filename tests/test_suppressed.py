"""The one suppression rule (anonlab.suppressed): wildcard class sizes against a brute-force
pairwise count, the same figures whatever dtype a table was read as, and the regressions of
anonlab issue 12 (a transform and the risk report disagreeing on what a null is)."""

from __future__ import annotations

import io

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import anonlab
from anonlab.risk import KAnonymity, LDiversity, equivalence_classes
from anonlab.suppressed import compatible_sums, record_frequencies, wildcard
from anonlab.transforms import LocalSuppress, SuppressOutliers, SuppressRecords
from tests import brute_force as brute

TEXT = st.one_of(st.none(), st.sampled_from(["a", "b", "*"]))
NUMBER = st.one_of(st.none(), st.integers(0, 2))


@st.composite
def frames(draw, max_rows: int = 25) -> pl.DataFrame:
    n = draw(st.integers(1, max_rows))
    return pl.DataFrame(
        {
            "t": draw(st.lists(TEXT, min_size=n, max_size=n)),
            "n": draw(st.lists(NUMBER, min_size=n, max_size=n)),
            "u": draw(st.lists(TEXT, min_size=n, max_size=n)),
            "s": draw(st.lists(st.sampled_from(["x", "y", "z", None]), min_size=n, max_size=n)),
        },
        schema={"t": pl.String, "n": pl.Int64, "u": pl.String, "s": pl.String},
    )


QIS = ["t", "n", "u"]


@settings(max_examples=80, deadline=None)
@given(frame=frames())
def test_class_sizes_match_the_pairwise_definition(frame: pl.DataFrame) -> None:
    rows = brute.rows(frame, QIS)
    freq = brute.frequencies(rows)
    assert record_frequencies(frame, QIS).to_list() == freq
    table = equivalence_classes(frame, QIS, ["s"])
    assert table.suppressed == sum(brute.suppressed(r) for r in rows)
    assert table.records == frame.height - table.suppressed
    # per class (a distinct key): its size, members and sensitive counts by brute force
    keys = [tuple(r) for r in table.keys.rows()]
    norm = [tuple(None if brute.off(v) else v for v in r) for r in rows]
    sens = frame["s"].to_list()
    dist = {(c, v): n for c, v, n in table.distributions["s"].rows()}
    for i, key in enumerate(keys):
        mates = [
            j for j, r in enumerate(rows) if not brute.suppressed(r) and brute.compatible(key, r)
        ]
        assert table.size[i] == len(mates)
        assert table.members[i] == sum(r == key for r in norm)
        want: dict = {}
        for j in mates:
            if sens[j] is not None:
                want[sens[j]] = want.get(sens[j], 0) + 1
        got = {v: n for (c, v), n in dist.items() if c == i}
        assert got == want
    if table.records:
        assert KAnonymity(2).achieved(table) == min(f for f in freq if f)


@settings(max_examples=50, deadline=None)
@given(frame=frames(), other=frames())
def test_compatible_sums_for_other_queries(frame: pl.DataFrame, other: pl.DataFrame) -> None:
    def norm(f: pl.DataFrame) -> pl.DataFrame:
        return f.select(wildcard(q, f.schema[q]) for q in QIS)

    data = norm(frame).filter(~pl.all_horizontal(pl.col(q).is_null() for q in QIS))
    queries = norm(other)
    got = compatible_sums(data, queries, QIS)
    want = [sum(brute.compatible(q, s) for s in data.rows()) for q in got.select(QIS).rows()]
    assert got["weight"].to_list() == want
    assert got.height == queries.unique().height


def test_the_same_table_read_as_numbers_or_text_gives_the_same_figures() -> None:
    # regression: read as Int64 the all-null records were "suppressed", read as text they were
    # a class of their own (k=10 PASS against k=3 FAIL)
    csv = "age,zip\n" + "30,100\n" * 10 + "40,200\n" * 10 + ",\n" * 3 + "*,*\n" * 2
    as_text = pl.read_csv(io.StringIO(csv), schema={"age": pl.String, "zip": pl.String})
    as_numbers = pl.read_csv(
        io.StringIO(csv), schema={"age": pl.Int64, "zip": pl.Int64}, null_values=["*"]
    )
    reports = [anonlab.assess_risk(f, ["age", "zip"], k=10) for f in (as_text, as_numbers)]
    for r in reports:
        assert (r.measures.k, r.passed, r.suppressed, r.classes) == (10, True, 5, 2)
    assert reports[0].to_dict()["size_histogram"] == reports[1].to_dict()["size_histogram"]
    # a partly suppressed record matches any value there, in both readings
    partly = csv + "30,\n"
    text = pl.read_csv(io.StringIO(partly), schema={"age": pl.String, "zip": pl.String})
    nums = pl.read_csv(
        io.StringIO(partly), schema={"age": pl.Int64, "zip": pl.Int64}, null_values=["*"]
    )
    for f in (text, nums):
        r = anonlab.assess_risk(f, ["age", "zip"], k=10)
        assert (r.measures.k, r.suppressed, r.table.records) == (10, 5, 21)
        assert sorted(r.table.size.to_list()) == [10, 11, 11]


# -- regression: LocalSuppress and the risk report agree (anonlab issue 12) ---------------------
ADULT_QI = ("age", "sex", "race", "marital-status", "native-country")


def test_local_suppress_on_adult_reaches_k_in_the_report() -> None:
    adult = anonlab.datasets.adult()
    recipe = anonlab.Recipe().then(None, LocalSuppress(quasi_identifiers=ADULT_QI, k=5))
    out = recipe.apply(adult)
    report = anonlab.assess_risk(out, list(ADULT_QI), k=5, original=adult)
    assert report.passed and report.measures.k is not None and report.measures.k >= 5
    assert report.table.overlapping
    assert report.input_cells is not None
    blanked = {q: report.input_cells[q]["by_recipe"] for q in ADULT_QI}
    assert blanked == report.suppressed_cells  # Adult has no missing value
    assert sum(blanked.values()) > 0
    assert report.record_risk().max() <= 1 / 5


@settings(max_examples=40, deadline=None)
@given(frame=frames(), k=st.integers(2, 4))
def test_transforms_that_promise_k_deliver_it_in_the_report(frame: pl.DataFrame, k: int) -> None:
    steps = [
        SuppressOutliers(quasi_identifiers=tuple(QIS), k=k),
        SuppressRecords(quasi_identifiers=tuple(QIS), k=k),
    ]
    if frame.height >= k:
        steps.append(LocalSuppress(quasi_identifiers=tuple(QIS), k=k))
    for step in steps:
        out = anonlab.Recipe().then(None, step).apply(frame)
        if out.height == 0:
            continue
        report = anonlab.assess_risk(out, QIS, k=k)
        assert report.passed, type(step).__name__
        assert all(f == 0 or f >= k for f in brute.frequencies(brute.rows(out, QIS)))


@settings(max_examples=30, deadline=None)
@given(frame=frames())
def test_suppress_outliers_meets_l_diversity_in_the_report(frame: pl.DataFrame) -> None:
    target = LDiversity("s", 2)
    out = (
        anonlab.Recipe()
        .then(None, SuppressOutliers(quasi_identifiers=tuple(QIS), k=2, models=(target,)))
        .apply(frame)
    )
    report = anonlab.assess_risk(out, QIS, "s", targets=[KAnonymity(2), target])
    assert report.passed


def test_pycanon_agrees_where_nothing_is_suppressed() -> None:
    pycanon = pytest.importorskip("pycanon.anonymity")
    adult = anonlab.datasets.adult().head(4000)
    qis = ["sex", "race", "marital-status", "workclass"]
    table = equivalence_classes(adult, qis, ["education"])
    assert not table.overlapping and table.suppressed == 0
    pdf = adult.select(*qis, "education").to_pandas()
    assert KAnonymity(2).achieved(table) == pycanon.k_anonymity(pdf, qis)
    assert LDiversity("education", 2).achieved(table) == pycanon.l_diversity(
        pdf, qis, ["education"]
    )

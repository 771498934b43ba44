"""The optimal search: ARX parity on Adult, exhaustive optimality, outputs and errors."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pycanon import anonymity

import anonlab.transforms.outliers  # registers suppress_outliers (and binds anonlab)
from anonlab.errors import (
    ColumnNotFoundError,
    EmptyFrameError,
    HierarchyError,
    ParameterError,
)
from anonlab.hierarchies import Hierarchy
from anonlab.optimize import METRICS, OptimizationResult, optimize
from anonlab.recipe import Recipe
from anonlab.risk import KAnonymity, LDiversity, TCloseness, equivalence_classes
from tests.optimize.conftest import QIS

ARX = [
    (2, 0.0, (0, 4, 0, 1, 3, 2, 2, 1), 0.5266, 0),
    (5, 0.0, (0, 4, 0, 2, 3, 2, 2, 1), 0.5916, 0),
    (10, 0.0, (0, 4, 0, 2, 3, 2, 2, 1), 0.5916, 0),
    (100, 0.0, (0, 4, 1, 1, 3, 2, 2, 1), 0.6648, 0),
    (2, 0.05, (0, 3, 0, 0, 2, 1, 0, 1), 0.1671, 1240),
    (5, 0.05, (0, 3, 0, 0, 1, 1, 1, 2), 0.2519, 1458),
    (10, 0.05, (0, 3, 0, 1, 1, 1, 1, 2), 0.3055, 1484),
    (100, 0.05, (0, 4, 0, 2, 3, 1, 0, 2), 0.4888, 1455),
]


def recheck(result: OptimizationResult, frame: pl.DataFrame, targets: list) -> None:
    """The output meets every target by the risk models (and k by pycanon)."""
    out = result.frame if isinstance(result.frame, pl.DataFrame) else pl.from_pandas(result.frame)
    qis = list(result.levels)
    sensitive = list(dict.fromkeys(t.sensitive_column for t in targets if t.sensitive_column))
    table = equivalence_classes(out, qis, sensitive)
    assert table.suppressed == result.suppressed
    assert table.classes == result.classes.classes
    assert sorted(table.size.to_list()) == sorted(result.classes.size.to_list())
    for t in targets:
        assert t.evaluate(table).passed, t.describe()
    kept = out.filter(~pl.all_horizontal(pl.col(q) == "*" for q in qis))
    ks = [t.k for t in targets if isinstance(t, KAnonymity)]
    if ks and kept.height:
        assert anonymity.k_anonymity(kept.to_pandas(), qis) >= max(ks)
    assert result.suppressed <= math.floor(result.max_suppression * frame.height + 1e-9)


@pytest.mark.parametrize(("k", "suppression", "levels", "loss", "suppressed"), ARX)
def test_reproduces_arx_on_adult(adult, hierarchies, k, suppression, levels, loss, suppressed):
    h = {q: hierarchies[q] for q in QIS}
    result = optimize(adult, h, [KAnonymity(k)], suppression, progress=False)
    assert tuple(result.levels.values()) == levels
    assert round(result.metric_value, 4) == loss
    assert result.suppressed == suppressed
    assert result.lattice_size == 6480
    assert result.nodes_evaluated < result.lattice_size / 4
    recheck(result, adult, [KAnonymity(k)])
    assert result.recipe.apply(adult).equals(result.frame)
    values = [result.metric_value] + [a.metric_value for a in result.alternatives]
    assert values == sorted(values) and len(result.alternatives) == 5


# -- exhaustive reference ------------------------------------------------------------------------
def brute_force(frame, hierarchies, targets, suppression, metric):
    """Every node of the lattice evaluated from scratch with polars and the risk models."""
    qis = list(hierarchies)
    n = frame.height
    limit = math.floor(suppression * n + 1e-9)
    sensitive = list(dict.fromkeys(t.sensitive_column for t in targets if t.sensitive_column))
    best = []
    for levels in itertools.product(*(range(h.height + 1) for h in hierarchies.values())):
        gen = frame.with_columns(
            hierarchies[q].expr(q, lvl, strict=False).alias(q)
            for q, lvl in zip(qis, levels, strict=True)
        )
        counts = gen.group_by(*qis, *sensitive).agg(pl.len().alias("n"))
        sizes = counts.group_by(qis).agg(pl.col("n").sum().alias("count")).with_row_index("class")
        dists, overall = {}, {}
        for s in sensitive:
            dists[s] = (counts.join(sizes.select("class", *qis), on=qis)
                        .group_by("class", s).agg(pl.col("n").sum().alias("count"))
                        .rename({s: "value"}))
            overall[s] = frame.group_by(s).agg(pl.len().alias("count")).rename({s: "value"})
        from anonlab.risk.classes import ClassTable

        table = ClassTable(tuple(qis), sizes.select(qis), sizes["count"], dists, overall)
        failing = np.zeros(table.classes, dtype=bool)
        for t in targets:
            failing |= ~t.class_passes(table).to_numpy()
        fail_keys = (
            sizes.filter(pl.Series(failing)).select(qis).with_columns(pl.lit(True).alias("_f"))
        )
        marked = gen.join(fail_keys, on=qis, how="left").with_columns(pl.col("_f").fill_null(False))
        if all(gen[q].unique().to_list() == ["*"] for q in qis):
            # every quasi-identifier "*": every record is suppressed (anonlab.suppressed)
            failing[:] = True
            marked = marked.with_columns(pl.lit(True).alias("_f"))
        suppressed = int(marked["_f"].sum())
        if suppressed > limit:
            continue
        if metric == "loss":
            prod = 1.0
            for q, lvl in zip(qis, levels, strict=True):
                rows = hierarchies[q].to_rows()
                cover = {}
                for r in rows:
                    cover[r[lvl]] = cover.get(r[lvl], 0) + 1
                share = marked.select(
                    pl.when(pl.col("_f")).then(1.0).otherwise(
                        pl.col(q).replace_strict(cover, return_dtype=pl.Float64) / len(rows))
                )
                total = float(share.to_series().sum())
                dom = len(rows)
                lj = round(max(0.0, (total - n / dom) / (n - n / dom)), 10)
                prod *= lj + 1
            value = prod ** (1 / len(qis)) - 1
        elif metric == "discernibility":
            kept = sizes.filter(pl.Series(~failing))["count"].cast(pl.Float64)
            value = float((kept * kept).sum()) + suppressed * n
        elif metric == "aecs":
            value = n / (int((~failing).sum()) + (1 if suppressed else 0))
        else:
            pytest.skip("no brute-force reference for this metric")
        best.append((round(value, 10), levels, suppressed))
    best.sort(key=lambda b: (b[0], sum(b[1]), b[1]))
    return best


CONFIGS = [
    (["sex", "age", "race"], [KAnonymity(5)], 0.0),
    (["sex", "age", "race"], [KAnonymity(20)], 0.02),
    (["age", "marital-status", "education"], [KAnonymity(10)], 0.05),
    (["age", "marital-status", "workclass"], [KAnonymity(3), LDiversity("salary-class", 2)], 0.1),
    (["age", "education", "race"], [LDiversity("salary-class", 1.3, variant="entropy")], 0.04),
    (["age", "sex", "occupation"], [KAnonymity(2), TCloseness("salary-class", 0.15)], 0.03),
]


@pytest.mark.parametrize(("qis", "targets", "suppression"), CONFIGS)
@pytest.mark.parametrize("metric", ["loss", "discernibility", "aecs"])
def test_matches_exhaustive_enumeration(adult, hierarchies, qis, targets, suppression, metric):
    sample = adult.head(2500)
    h = {q: hierarchies[q] for q in qis}
    expected = brute_force(sample, h, targets, suppression, metric)
    result = optimize(sample, h, targets, suppression, metric, alternatives=2, progress=False)
    top = expected[0]
    assert result.metric_value == pytest.approx(top[0], rel=1e-9, abs=1e-9)
    assert tuple(result.levels.values()) == top[1]
    assert result.suppressed == top[2]
    got = [result.metric_value] + [a.metric_value for a in result.alternatives]
    assert got == pytest.approx([e[0] for e in expected[:3]], rel=1e-9, abs=1e-9)
    recheck(result, sample, targets)
    assert result.recipe.apply(sample).equals(result.frame)


@st.composite
def small_frames(draw):
    n = draw(st.integers(5, 60))
    a = draw(st.lists(st.sampled_from("abcd"), min_size=n, max_size=n))
    b = draw(st.lists(st.integers(0, 7), min_size=n, max_size=n))
    s = draw(st.lists(st.sampled_from(["x", "y", "z"]), min_size=n, max_size=n))
    return pl.DataFrame({"a": a, "b": b, "s": s})


A = Hierarchy([["a", "ab", "*"], ["b", "ab", "*"], ["c", "cd", "*"], ["d", "cd", "*"]], column="a")
B = Hierarchy.intervals(list(range(8)), [2, 4], column="b")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=small_frames(), k=st.integers(1, 6), suppression=st.sampled_from([0.0, 0.1, 0.3]),
       with_l=st.booleans())
def test_property_search_equals_exhaustive_minimum(frame, k, suppression, with_l):
    targets = [KAnonymity(k)] + ([LDiversity("s", 2)] if with_l else [])
    h = {"a": A, "b": B}
    expected = brute_force(frame, h, targets, suppression, "loss")
    if not expected:
        with pytest.raises(ParameterError, match="No generalization meets"):
            optimize(frame, h, targets, suppression, progress=False)
        return
    result = optimize(frame, h, targets, suppression, progress=False, alternatives=0)
    assert result.metric_value == pytest.approx(expected[0][0], abs=1e-9)
    assert result.suppressed == expected[0][2]
    assert result.recipe.apply(frame).equals(result.frame)


# -- the other metrics ----------------------------------------------------------------------------
@pytest.mark.parametrize("metric", sorted(METRICS))
def test_every_metric_on_adult(adult, hierarchies, metric):
    h = {q: hierarchies[q] for q in ["sex", "age", "race", "marital-status", "education"]}
    result = optimize(adult, h, [KAnonymity(5)], 0.02, metric, progress=False)
    assert result.metric == metric
    recheck(result, adult, [KAnonymity(5)])
    assert all(a.metric_value >= result.metric_value for a in result.alternatives)


def test_precision_and_entropy_match_their_formulas(adult, hierarchies):
    h = {q: hierarchies[q] for q in ["sex", "age", "race"]}
    result = optimize(adult, h, [KAnonymity(5)], 0.01, "precision", progress=False)
    heights = [h[q].height for q in h]
    n, s = adult.height, result.suppressed
    levels = result.levels.values()
    expected = sum(((n - s) * lvl / ht + s) for lvl, ht in zip(levels, heights, strict=True))
    assert result.metric_value == pytest.approx(expected / (n * len(h)))
    result = optimize(adult, h, [KAnonymity(5)], 0.01, "entropy", progress=False)
    total = 0.0
    out = result.frame
    for q in h:
        original = adult.get_column(q).cast(pl.String)
        full = adult.select(h[q].expr(q, result.levels[q])).to_series()  # input generalized
        f0 = original.value_counts().rename({q: "v"})
        fg = full.value_counts().rename({q: "g"})
        both = (
            pl.DataFrame({"v": original, "g": full, "out": out.get_column(q)})
            .join(f0, on="v").join(fg, on="g", suffix="_g")
            .with_columns(pl.when(pl.col("out") == "*").then(n).otherwise(pl.col("count_g"))
                          .alias("count_g"))
        )
        total += float((-(both["count"] / both["count_g"]).log(2)).sum())
    assert result.metric_value == pytest.approx(total, rel=1e-9)


# -- outputs --------------------------------------------------------------------------------------
def test_result_shape_and_frame_kinds(adult, hierarchies):
    h = {q: hierarchies[q] for q in ["sex", "age", "race", "education"]}
    frame = adult.head(3000)
    result = optimize(frame, h, [KAnonymity(5)], 0.05, progress=False)
    text = repr(result)
    assert text.startswith("OptimizationResult(levels={sex=") and "loss=" in text
    assert "suppressed:" in result.summary() and "next best" in result.summary()
    data = result.to_dict()
    assert data["levels"] == result.levels and data["lattice_size"] == 2 * 5 * 2 * 4
    assert Recipe.from_dict(data["recipe"]) == result.recipe
    assert Recipe.from_yaml(result.recipe.to_yaml()) == result.recipe
    for kind in (frame.to_pandas(), frame.lazy(), frame.to_arrow()):
        other = optimize(kind, h, [KAnonymity(5)], 0.05, progress=False)
        assert other.levels == result.levels
        out = other.frame
        if isinstance(out, pd.DataFrame):
            out = pl.from_pandas(out)
        elif isinstance(out, pl.LazyFrame):
            out = out.collect()
        elif not isinstance(out, pl.DataFrame):
            out = pl.from_arrow(out)
        assert out.equals(result.frame)
    assert result.recipe.targets.k == 5 and result.recipe.targets.max_suppression == 0.05


def test_progress_bar_runs(adult, hierarchies, capsys):
    h = {q: hierarchies[q] for q in ["sex", "race"]}
    result = optimize(adult.head(500), h, [KAnonymity(2)], 0.0, progress=True)
    assert result.nodes_evaluated >= 1
    assert "optimize" in capsys.readouterr().err


def test_hierarchy_given_as_mapping_or_path(adult, tmp_path):
    from anonlab.datasets import adult_hierarchies

    plain = adult_hierarchies()
    path = tmp_path / "race.csv"
    path.write_text("\n".join(f"{v};{';'.join(ls)}" for v, ls in plain["race"].items()))
    result = optimize(adult, {"sex": plain["sex"], "race": str(path)}, [KAnonymity(2)], 0.0,
                      progress=False)
    assert result.levels == {"sex": 0, "race": 0}


# -- errors ---------------------------------------------------------------------------------------
def test_errors(adult, hierarchies):
    h = {"sex": hierarchies["sex"], "age": hierarchies["age"]}
    small = adult.head(100)
    with pytest.raises(ColumnNotFoundError):
        optimize(small, {"nope": hierarchies["sex"]}, [KAnonymity(2)], progress=False)
    with pytest.raises(ColumnNotFoundError):
        optimize(small, h, [LDiversity("nope", 2)], progress=False)
    with pytest.raises(ParameterError, match="both a quasi-identifier"):
        optimize(small, h, [LDiversity("age", 2)], progress=False)
    for bad in (-0.1, 1.5, "5%", True, float("nan")):
        with pytest.raises(ParameterError, match="max_suppression"):
            optimize(small, h, [KAnonymity(2)], bad, progress=False)
    for bad in ([], ["k=5"], 5, None):
        with pytest.raises(ParameterError):
            optimize(small, h, bad, progress=False)
    from anonlab.risk import KMap

    with pytest.raises(ParameterError, match="population"):
        optimize(small, h, [KMap(2)], progress=False)
    with pytest.raises(ParameterError, match="metric"):
        optimize(small, h, [KAnonymity(2)], metric="gain", progress=False)
    with pytest.raises(ParameterError):
        optimize(small, {}, [KAnonymity(2)], progress=False)
    with pytest.raises(EmptyFrameError):
        optimize(small.head(0), h, [KAnonymity(2)], progress=False)
    short = Hierarchy([["Male", "*"]], column="sex")
    with pytest.raises(HierarchyError, match=r"1 distinct value of column 'sex' \(\d+ records\)"):
        optimize(small, {"sex": short}, [KAnonymity(2)], progress=False)
    with pytest.raises(HierarchyError, match="null"):
        optimize(small.with_columns(pl.lit(None, pl.String).alias("sex")),
                 {"sex": hierarchies["sex"]}, [KAnonymity(2)], progress=False)
    with pytest.raises(ParameterError, match="No generalization meets"):
        optimize(small, h, [KAnonymity(101)], 0.0, progress=False)


# -- regression: the recipe keeps every target (anonlab issue 12) ----------------------------------
@pytest.mark.parametrize(
    "targets",
    [
        [KAnonymity(3), LDiversity("salary-class", 1.2, "entropy")],
        [KAnonymity(2), KAnonymity(4), LDiversity("salary-class", 2, "recursive", c=6.0)],
        [KAnonymity(2), TCloseness("salary-class", 0.3, distance="equal")],
    ],
)
def test_the_recipe_keeps_every_target(adult, hierarchies, targets) -> None:
    from anonlab import assess_risk

    h = {q: hierarchies[q] for q in ["sex", "age", "race"]}
    frame = adult.head(3000)
    result = optimize(frame, h, targets, 0.2, progress=False)
    kept = result.recipe.targets
    assert kept is not None
    assert set(kept.models()) == set(targets)
    again = Recipe.from_yaml(result.recipe.to_yaml()).targets
    assert again is not None and set(again.models()) == set(targets)
    # what export and the CLI assess: every target, met by the optimizer's output
    report = assess_risk(result.frame, kept.quasi_identifiers, kept.sensitive_columns,
                         targets=kept.models())
    assert {r.model for r in report.targets} == set(targets)
    assert report.passed


def test_a_hierarchy_with_star_among_other_labels_is_refused(adult) -> None:
    # "*" is the suppression mark: a level where some values are "*" and others not would make
    # the search group "*" as a value while the risk report reads it as matching any value
    h = Hierarchy.from_mapping({"Male": ("*",), "Female": ("F",)}, column="sex")
    with pytest.raises(HierarchyError, match="'\\*' marks a suppressed value"):
        optimize(adult.head(200), {"sex": h}, [KAnonymity(2)], 0.0, progress=False)


def test_the_all_star_node_suppresses_every_record(adult, hierarchies) -> None:
    # generalizing every quasi-identifier to "*" suppresses every record (the report counts
    # them all as suppressed), so it is acceptable only when everything may be suppressed
    h = {q: hierarchies[q] for q in ["sex", "race"]}
    frame = adult.head(300)
    with pytest.raises(ParameterError, match="No generalization meets"):
        optimize(frame, h, [KAnonymity(300)], 0.5, progress=False)
    result = optimize(frame, h, [KAnonymity(300)], 1.0, progress=False)
    assert result.suppressed == 300
    report = anonlab.assess_risk(result.frame, ["sex", "race"], k=300)
    assert report.suppressed == 300 and report.classes == 0

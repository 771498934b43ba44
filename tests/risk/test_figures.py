"""Risk figures: bar heights against counts made independently, threshold lines where they
belong, no overlapping or clipped labels, both themes, atomic PNG files, and clear errors."""

from __future__ import annotations

import math
import os
import stat
import subprocess
import sys
from collections import Counter
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from matplotlib.axes import Axes  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Rectangle, StepPatch  # noqa: E402

import anonlab  # noqa: E402
from anonlab.errors import AnonlabError, EmptyFrameError, ParameterError  # noqa: E402
from anonlab.risk.classes import equivalence_classes  # noqa: E402
from anonlab.risk.contribution import qi_contribution  # noqa: E402
from anonlab.risk.figures import (  # noqa: E402
    OKABE_ITO,
    MissingDependencyError,
    before_after,
    class_size_histogram,
    contribution_bars,
    records_at_risk_curve,
    risk_dashboard,
    risk_distribution,
    save,
)
from anonlab.risk.records import record_risk  # noqa: E402

QI = ["sex", "age", "race", "marital-status", "education"]
SIZES = [1, 1, 2, 3, 4, 5, 7, 12, 25, 60, 150]  # one class per entry


# -- data --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def adult() -> pl.DataFrame:
    return anonlab.datasets.adult()


@pytest.fixture(scope="module")
def adult_table(adult: pl.DataFrame):
    return equivalence_classes(adult, QI)


@pytest.fixture(scope="module")
def adult_risk(adult: pl.DataFrame) -> pl.Series:
    return record_risk(adult, QI)


@pytest.fixture(scope="module")
def adult_contribution(adult: pl.DataFrame) -> dict[str, float]:
    return qi_contribution(adult, QI)


def _synthetic() -> pl.DataFrame:
    """One class per entry of SIZES, plus two fully suppressed records."""
    groups = [f"g{i:02d}" for i, n in enumerate(SIZES) for _ in range(n)]
    return pl.DataFrame({"group": [*groups, "*", "*"], "x": list(range(len(groups) + 2))})


@pytest.fixture(scope="module")
def synthetic():
    frame = _synthetic()
    return equivalence_classes(frame, ["group"]), record_risk(frame, ["group"])


# -- helpers -----------------------------------------------------------------------------------
def _bars(ax: Axes) -> list[Rectangle]:
    return [r for c in ax.containers for r in c.patches]


def _drawn_ticklabels(axis) -> list:
    lo, hi = sorted(axis.get_view_interval())
    return [t.label1 for t in axis.get_major_ticks()
            if lo - 1e-9 <= t.get_loc() <= hi + 1e-9 and t.label1.get_visible()
            and t.label1.get_text()]


def _overlapping(boxes) -> list[tuple[int, int]]:
    return [(i, j) for i, a in enumerate(boxes) for j, b in enumerate(boxes) if i < j
            and min(a.x1, b.x1) - max(a.x0, b.x0) > 1 and min(a.y1, b.y1) - max(a.y0, b.y0) > 1]


def _texts(fig: Figure) -> list:
    """Every text the figure draws: titles, axis and tick labels, legends, annotations."""
    out = [t for t in fig.texts if t.get_text()]
    if fig._suptitle is not None:
        out.append(fig._suptitle)
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        out += [ax.title, ax._left_title, ax.xaxis.label, ax.yaxis.label, *ax.texts]
        if ax.axison:
            out += _drawn_ticklabels(ax.xaxis) + _drawn_ticklabels(ax.yaxis)
        legend = ax.get_legend()
        if legend is not None:
            out += [*legend.get_texts(), legend.get_title()]
    return [t for t in out if t.get_visible() and t.get_text()]


def assert_readable(fig: Figure) -> None:
    """No two tick labels (or bar labels) overlap, and every text is inside the figure."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            labels = _drawn_ticklabels(axis)
            boxes = [t.get_window_extent(renderer) for t in labels]
            assert not _overlapping(boxes), [t.get_text() for t in labels]
        bar_labels = [t for t in ax.texts if t.get_gid() == "anonlab:bar-label"]
        assert not _overlapping([t.get_window_extent(renderer) for t in bar_labels])
        legend = ax.get_legend()
        if legend is not None:  # the legend covers no bar label
            box = legend.get_window_extent(renderer)
            for t in bar_labels:
                assert not _overlapping([box, t.get_window_extent(renderer)]), t.get_text()
    page = fig.bbox
    for t in _texts(fig):
        box = t.get_window_extent(renderer)
        assert box.x0 >= page.x0 - 1 and box.x1 <= page.x1 + 1, t.get_text()
        assert box.y0 >= page.y0 - 1 and box.y1 <= page.y1 + 1, t.get_text()


def _threshold_x(ax: Axes) -> dict[str, float]:
    """Label -> x of every vertical line."""
    out = {}
    for line in ax.get_lines():
        x = np.asarray(line.get_xdata(), dtype=float)
        if len(x) == 2 and x[0] == x[1]:
            out[line.get_label()] = float(x[0])
    return out


def _step_value(line, x: float) -> float:
    """The value of a ``steps-post`` line at ``x``."""
    xs, ys = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
    return float(ys[np.searchsorted(xs, x, side="right") - 1])


# -- 1. class sizes ----------------------------------------------------------------------------
def test_class_sizes_bars_count_records(synthetic) -> None:
    table, _ = synthetic
    fig = class_size_histogram(table)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["1", "2", "3–4", "5–9", "10–19", "20–49", "50–99", "100–199"]
    # by hand from SIZES: records, not classes
    expected = [2, 2, 7, 12, 12, 25, 60, 150]
    assert [int(r.get_height()) for r in _bars(ax)] == expected
    shares = [t.get_text() for t in ax.texts if t.get_gid() == "anonlab:bar-label"]
    assert shares == ["0.7%", "0.7%", "2.6%", "4.4%", "4.4%", "9.3%", "22%", "56%"]
    assert ax.get_title(loc="left") == "Records by class size"
    assert ax.get_ylabel() == "records"
    assert "class size" in ax.get_xlabel()
    assert "2 fully suppressed records" in ax.get_xlabel()
    assert_readable(fig)


def test_class_sizes_split_at_k(synthetic) -> None:
    table, _ = synthetic
    fig = class_size_histogram(table, k=4)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels[:5] == ["1", "2", "3", "4", "5–9"]
    bars = _bars(ax)
    assert [int(r.get_height()) for r in bars[:5]] == [2, 2, 3, 4, 12]
    below = [to_hex(r.get_facecolor()).upper() == "#D55E00" for r in bars]
    assert below == [True, True, True] + [False] * (len(bars) - 3)
    assert _threshold_x(ax)["k = 4"] == pytest.approx(2.5)  # between "3" and "4"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0] == "classes smaller than k = 4: 2.6% of records"  # 7 of 270
    assert_readable(fig)


def test_class_sizes_on_adult(adult_table) -> None:
    fig = class_size_histogram(adult_table, k=5)
    ax = fig.axes[0]
    heights = [int(r.get_height()) for r in _bars(ax)]
    assert sum(heights) == adult_table.records
    # independently: records per bucket, from the classes' sizes
    size = adult_table.size
    buckets = [(1, 2), (2, 3), (3, 5), (5, 10), (10, 20), (20, 50), (50, 100), (100, 200),
               (200, 500), (500, 1000), (1000, 2000)]
    expected = [int(size.filter((size >= lo) & (size < hi)).sum()) for lo, hi in buckets]
    assert heights == expected[: len(heights)]
    assert sum(expected[len(heights):]) == 0
    assert_readable(fig)


# -- 2. risk distribution ----------------------------------------------------------------------
def test_risk_distribution_counts_and_thresholds(synthetic) -> None:
    _, risk = synthetic
    fig = risk_distribution(risk)
    ax = fig.axes[0]
    # exact bins with fractions: risk 1/n lands in bin floor(20/n) (a risk of 1 in the last)
    expected = Counter(min(math.floor(Fraction(1, n) * 20), 19) for n in SIZES for _ in range(n))
    expected[0] += 2  # the suppressed records, risk 0
    assert [int(r.get_height()) for r in _bars(ax)] == [expected[i] for i in range(20)]
    assert [r.get_x() for r in _bars(ax)] == pytest.approx([i / 20 for i in range(20)])
    assert _threshold_x(ax) == {"prosecutor threshold 0.2": 0.2,
                                "journalist threshold 0.09": 0.09,
                                "marketer threshold 0.05": 0.05}
    assert ax.get_xlabel() == "re-identification risk (1/class size)"
    assert ax.get_ylabel() == "records"
    assert ax.get_title(loc="left") == "Distribution of record risk"
    assert ax.get_xlim() == (0, 1)
    assert_readable(fig)


def test_risk_distribution_custom_thresholds_and_bins(adult_risk) -> None:
    fig = risk_distribution(adult_risk, thresholds={"policy": 0.1}, bins=10)
    ax = fig.axes[0]
    assert _threshold_x(ax) == {"policy threshold 0.1": 0.1}
    heights = [int(r.get_height()) for r in _bars(ax)]
    values = adult_risk.to_numpy()
    assert heights == [int(((values >= i / 10 - 1e-12) & (values < (i + 1) / 10 - 1e-12)).sum())
                       if i < 9 else int((values >= 0.9 - 1e-12).sum()) for i in range(10)]
    assert not _threshold_x(risk_distribution(adult_risk, thresholds={}).axes[0])


# -- 3. records at risk ------------------------------------------------------------------------
def test_records_at_risk_curve(adult_risk) -> None:
    fig = records_at_risk_curve(adult_risk)
    ax = fig.axes[0]
    values = adult_risk.to_numpy()
    curve = next(line for line in ax.get_lines() if line.get_label().startswith("records"))
    assert curve.get_drawstyle() == "steps-post"
    for x in (1e-6, 0.01, 0.05, 0.09, 0.1, 0.2, 1 / 3, 0.5, 0.75, 0.999, 1.0):
        assert _step_value(curve, x) == pytest.approx((values > x).mean())
    lines = _threshold_x(ax)
    for name, t in {"prosecutor": 0.2, "journalist": 0.09, "marketer": 0.05}.items():
        (label,) = [k for k in lines if k.startswith(f"{name} {t:g}:")]
        assert lines[label] == t
        share = (values > t).mean()
        assert f"{share * 100:.0f}% above" in label
    assert ax.get_ylabel() == "share of records with risk above x"
    assert "re-identification risk (1/class size)" in ax.get_xlabel()
    assert ax.get_ylim()[0] == 0 and ax.get_xlim() == (0, 1)
    assert_readable(fig)


def test_curve_is_exact_on_ties() -> None:
    # risk 0.2 is not "above" the 0.2 threshold (a class of 5 meets it)
    risk = pl.Series("risk", [0.2] * 5 + [1.0] + [0.5] * 2 + [0.0] * 2)
    ax = records_at_risk_curve(risk, thresholds={"p": 0.2}).axes[0]
    curve = ax.get_lines()[0]
    assert _step_value(curve, 0.0) == pytest.approx(0.8)
    assert _step_value(curve, 0.2) == pytest.approx(0.3)
    assert _step_value(curve, 0.5) == pytest.approx(0.1)
    assert _step_value(curve, 1.0) == 0
    assert "p 0.2: 30% above" in _threshold_x(ax)


# -- 4. contributions --------------------------------------------------------------------------
def test_contribution_bars_sorted_with_values(adult_contribution) -> None:
    fig = contribution_bars(adult_contribution)
    ax = fig.axes[0]
    bars = sorted(_bars(ax), key=lambda r: -r.get_y())  # top first
    ranked = sorted(adult_contribution.items(), key=lambda kv: -kv[1])
    assert [r.get_width() for r in bars] == pytest.approx([v for _, v in ranked])
    names = [t.get_text() for t in sorted(ax.get_yticklabels(), key=lambda t: -t.get_position()[1])]
    assert names == [k for k, _ in ranked]
    values = [t.get_text() for t in ax.texts if t.get_gid() == "anonlab:bar-label"]
    assert values == [f"{v * 100:.0f}%" for _, v in ranked]
    assert ax.get_title(loc="left")
    assert "sample uniques" in ax.get_xlabel()
    assert_readable(fig)


def test_contribution_long_names_are_shortened_and_distinct() -> None:
    long = "native-country-of-birth-of-the-respondent"
    contribution = {f"{long}_mother": 0.3, f"{long}_father": 0.6, "zip": 0.9, "b": 0.0}
    fig = contribution_bars(contribution)
    names = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(set(names)) == 4
    assert all(len(n) <= 24 for n in names)
    assert sum("…" in n for n in names) == 2
    assert any(n.endswith("mother") for n in names) and any(n.endswith("father") for n in names)
    assert_readable(fig)


def test_contribution_many_columns_stay_readable() -> None:
    contribution = {f"quasi_identifier_column_{i:02d}": i / 40 for i in range(40)}
    assert_readable(contribution_bars(contribution))


def test_contribution_all_zero_says_so() -> None:
    fig = contribution_bars({"a": 0.0, "b": 0.0})
    assert "no record is sample unique" in [t.get_text() for t in fig.axes[0].texts]


# -- 5. before and after -----------------------------------------------------------------------
def test_before_after_numeric_common_bins(adult: pl.DataFrame) -> None:
    age = adult["age"]
    noisy = (age + pl.Series(np.random.default_rng(1).integers(-3, 4, age.len()))).cast(pl.Float64)
    fig = before_after(age, noisy)
    ax = fig.axes[0]
    before, after = [p for p in ax.patches if isinstance(p, StepPatch)]
    b_values, b_edges = before.get_data()[:2]
    a_values, a_edges = after.get_data()[:2]
    assert np.array_equal(b_edges, a_edges)  # common bins
    assert np.array_equal(b_values, np.histogram(age.to_numpy(), b_edges)[0])
    assert np.array_equal(a_values, np.histogram(noisy.to_numpy(), a_edges)[0])
    assert b_values.sum() == a_values.sum() == age.len()
    assert ax.get_ylabel() == "records"
    assert "age" in ax.get_title(loc="left")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["before", "after"]
    assert_readable(fig)


def test_before_after_masked_categories_grouped(adult: pl.DataFrame) -> None:
    edu = adult["education"]
    masked = edu.replace({"Bachelors": "*", "Masters": "*"})
    fig = before_after(edu.to_pandas(), masked)
    (ax,) = fig.axes
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels[-1] == "*"
    before_counts, after_counts = Counter(edu.to_list()), Counter(masked.to_list())
    bars = _bars(ax)
    n = len(labels)
    assert [int(r.get_height()) for r in bars[:n]] == [before_counts[c] for c in labels]
    assert [int(r.get_height()) for r in bars[n:]] == [after_counts[c] for c in labels]
    assert labels[0] == before_counts.most_common(1)[0][0]  # most frequent first
    assert_readable(fig)


def test_before_after_pools_other_and_missing() -> None:
    rng = np.random.default_rng(0)
    values = [f"category with a rather long name number {i}" for i in rng.integers(0, 40, 500)]
    original = pl.Series("kind", values)
    anonymized = original.scatter([0, 1, 2], None)
    fig = before_after(original, anonymized, max_categories=8)
    (ax,) = fig.axes
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert len(labels) == 9  # 7 kept, (missing), other
    assert labels[-2:] == ["(missing)", "other (33 more)"]
    assert all(len(t) <= 24 for t in labels)
    heights = [int(r.get_height()) for r in _bars(ax)]
    assert sum(heights[: len(labels)]) == sum(heights[len(labels):]) == 500
    assert_readable(fig)


def test_before_after_generalized_to_ranges_two_panels(adult: pl.DataFrame) -> None:
    age = adult["age"]
    ranges = pl.Series("age", [f"[{a // 10 * 10}, {a // 10 * 10 + 10})" if a < 80 else "*"
                               for a in age.to_list()])
    fig = before_after(age, ranges)
    top, bottom = fig.axes
    assert "before" in top.get_title(loc="left") and "after" in bottom.get_title(loc="left")
    # the original keeps its shape (a histogram), the ranges are bars in their natural order
    (hist,) = [p for p in top.patches if isinstance(p, StepPatch)]
    assert hist.get_data()[0].sum() == age.len()
    labels = [t.get_text() for t in bottom.get_xticklabels()]
    assert labels == ["[10, 20)", "[20, 30)", "[30, 40)", "[40, 50)", "[50, 60)", "[60, 70)",
                      "[70, 80)", "*"]
    counts = Counter(ranges.to_list())
    assert [int(r.get_height()) for r in _bars(bottom)] == [counts[c] for c in labels]
    assert_readable(fig)


def test_before_after_into_given_axes_splits_it(adult: pl.DataFrame) -> None:
    fig = Figure(layout="constrained")
    left, right = fig.subplots(1, 2)
    age = adult["age"].head(300)
    out = before_after(age, age.cast(pl.String).str.slice(0, 1) + "*", ax=left)
    assert out is fig
    assert len(fig.axes) == 3 and right in fig.axes and left not in fig.axes


# -- 6. dashboard, axes, themes ----------------------------------------------------------------
def test_dashboard_on_adult(adult_table, adult_risk, adult_contribution) -> None:
    fig = risk_dashboard(adult_table, adult_risk, adult_contribution, k=5)
    assert len(fig.axes) == 4
    titles = [ax.get_title(loc="left") for ax in fig.axes]
    assert titles == ["Records by class size", "Distribution of record risk", "Records at risk",
                      "What makes records unique"]
    assert "30,162 records" in fig._suptitle.get_text()
    assert sum(r.get_height() for r in _bars(fig.axes[0])) == adult_table.records
    assert "k = 5" in _threshold_x(fig.axes[0])
    assert_readable(fig)


def test_dashboard_without_contribution_shows_numbers(synthetic) -> None:
    table, risk = synthetic
    fig = risk_dashboard(table, risk, thresholds={"prosecutor": 0.2})
    panel = fig.axes[3]
    text = "\n".join(t.get_text() for t in panel.texts)
    assert "equivalence classes: 11" in text
    assert "fully suppressed records: 2" in text
    assert "sample uniques: 2" in text
    assert_readable(fig)


def test_draws_into_given_axes(synthetic) -> None:
    table, risk = synthetic
    fig = Figure(figsize=(12, 3), layout="constrained")
    axes = fig.subplots(1, 3)
    assert class_size_histogram(table, ax=axes[0]) is fig
    assert risk_distribution(risk, ax=axes[1]) is fig
    assert contribution_bars({"a": 0.5}, ax=axes[2]) is fig
    assert len(fig.axes) == 3 and all(_bars(ax) for ax in axes)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_themes(synthetic, theme: str) -> None:
    table, risk = synthetic
    fig = risk_dashboard(table, risk, {"group": 1.0}, k=3, theme=theme)
    background = to_hex(fig.get_facecolor()).upper()
    title = fig.axes[0].title
    tick = fig.axes[0].get_yticklabels()[0]
    if theme == "light":
        assert background == "#FFFFFF"
        assert _lightness(title.get_color()) < 0.3 and _lightness(tick.get_color()) < 0.3
        assert to_hex(_bars(fig.axes[3])[0].get_facecolor()).upper() == OKABE_ITO[0]
    else:
        assert _lightness(background) < 0.2
        assert _lightness(title.get_color()) > 0.8 and _lightness(tick.get_color()) > 0.8
        assert _lightness(fig.axes[0].get_legend().get_texts()[0].get_color()) > 0.8
    colours = {to_hex(r.get_facecolor()).upper() for ax in fig.axes for r in _bars(ax)}
    palette = {c.upper() for c in (*OKABE_ITO, "#56B4E9")}
    assert colours <= palette
    assert_readable(fig)


def _lightness(color) -> float:
    r, g, b, _ = matplotlib.colors.to_rgba(color)
    return 0.299 * r + 0.587 * g + 0.114 * b


def test_auto_theme_follows_the_background(synthetic) -> None:
    _, risk = synthetic
    with matplotlib.rc_context({"figure.facecolor": "#101010"}):
        dark = risk_distribution(risk, theme="auto")
    assert _lightness(dark.get_facecolor()) < 0.2
    assert to_hex(risk_distribution(risk, theme="auto").get_facecolor()).upper() == "#FFFFFF"
    fig = Figure(facecolor="black")
    ax = fig.subplots()
    risk_distribution(risk, ax=ax, theme="auto")
    assert _lightness(ax.title.get_color()) > 0.8


def test_pandas_and_polars_inputs_agree(adult_risk) -> None:
    a = risk_distribution(adult_risk).axes[0]
    b = risk_distribution(adult_risk.to_pandas()).axes[0]
    assert [r.get_height() for r in _bars(a)] == [r.get_height() for r in _bars(b)]


# -- save --------------------------------------------------------------------------------------
def test_save_writes_png_atomically(synthetic, tmp_path: Path) -> None:
    _, risk = synthetic
    fig = risk_distribution(risk)
    target = tmp_path / "risk.png"
    assert save(fig, target) == target
    data = target.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert [p.name for p in tmp_path.iterdir()] == ["risk.png"]  # no temporary file left
    assert save(fig, str(target), dpi=72) == target
    assert len(target.read_bytes()) < len(data)
    assert [p.name for p in tmp_path.iterdir()] == ["risk.png"]
    # same figure, same bytes (no timestamp inside)
    save(fig, target)
    assert target.read_bytes() == data


def test_save_failure_keeps_the_old_file(synthetic, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    _, risk = synthetic
    fig = risk_distribution(risk)
    target = tmp_path / "risk.png"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(fig, "savefig", broken)
    with pytest.raises(OSError, match="disk full"):
        save(fig, target)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["risk.png"]
    monkeypatch.undo()
    save(fig, target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # a replaced file keeps its mode


def test_save_rejects_bad_input(synthetic, tmp_path: Path) -> None:
    _, risk = synthetic
    fig = risk_distribution(risk)
    with pytest.raises(ParameterError, match="'fig'"):
        save("figure", tmp_path / "a.png")
    with pytest.raises(ParameterError, match="'path'"):
        save(fig, 42)
    with pytest.raises(ParameterError, match="'dpi'"):
        save(fig, tmp_path / "a.png", dpi=0)
    with pytest.raises(ParameterError, match="does not exist"):
        save(fig, tmp_path / "missing" / "a.png")


# -- errors ------------------------------------------------------------------------------------
def test_risk_errors(synthetic) -> None:
    with pytest.raises(EmptyFrameError, match="empty 'risk'"):
        risk_distribution(pl.Series("risk", [], dtype=pl.Float64))
    with pytest.raises(ParameterError, match=r"\[0, 1\].*2 of 3 values are outside"):
        records_at_risk_curve(pl.Series([0.5, 1.5, -0.1]))
    with pytest.raises(ParameterError, match="1 missing"):
        risk_distribution(pl.Series([0.5, None]))
    with pytest.raises(ParameterError, match="1 missing"):
        risk_distribution(pd.Series([0.5, float("nan")]))
    with pytest.raises(ParameterError, match="must hold numbers"):
        risk_distribution(pl.Series(["0.5"]))
    with pytest.raises(ParameterError, match=r"polars or pandas Series\. Got list"):
        risk_distribution([0.5, 0.2])
    with pytest.raises(ParameterError, match=r"'thresholds'.*'p'.*\(0, 1\]"):
        risk_distribution(pl.Series([0.5]), thresholds={"p": 2})
    with pytest.raises(ParameterError, match=r"'thresholds'.*mapping"):
        records_at_risk_curve(pl.Series([0.5]), thresholds=[0.2])
    with pytest.raises(ParameterError, match="'bins'"):
        risk_distribution(pl.Series([0.5]), bins=1)
    with pytest.raises(ParameterError, match="'theme'"):
        risk_distribution(pl.Series([0.5]), theme="blue")
    with pytest.raises(ParameterError, match="'ax'"):
        risk_distribution(pl.Series([0.5]), ax="left")


def test_table_and_contribution_errors(synthetic) -> None:
    table, risk = synthetic
    with pytest.raises(ParameterError, match="ClassTable"):
        class_size_histogram(pl.DataFrame({"a": [1]}))
    with pytest.raises(ParameterError, match="'k'"):
        class_size_histogram(table, k=1)
    empty = equivalence_classes(pl.DataFrame({"a": ["*", "*"]}), ["a"])
    with pytest.raises(EmptyFrameError, match="no records in classes"):
        class_size_histogram(empty)
    with pytest.raises(EmptyFrameError, match="empty 'contribution'"):
        contribution_bars({})
    with pytest.raises(ParameterError, match=r"'age'.*\[0, 1\]"):
        contribution_bars({"age": 1.2})
    with pytest.raises(ParameterError, match="str names"):
        contribution_bars({1: 0.5})
    with pytest.raises(ParameterError, match="mapping"):
        contribution_bars([("age", 0.5)])
    with pytest.raises(ParameterError, match="'risk' has 10 values but the table covers 272"):
        risk_dashboard(table, risk.head(10))


def test_before_after_errors() -> None:
    with pytest.raises(ParameterError, match="'original' has 3 values and 'anonymized' 2"):
        before_after(pl.Series([1, 2, 3]), pl.Series([1, 2]))
    with pytest.raises(EmptyFrameError, match="empty"):
        before_after(pl.Series([], dtype=pl.Int64), pl.Series([], dtype=pl.Int64))
    with pytest.raises(ParameterError, match=r"'anonymized'.*polars or pandas"):
        before_after(pl.Series([1]), np.array([1]))
    with pytest.raises(ParameterError, match="'max_categories'"):
        before_after(pl.Series(["a"]), pl.Series(["a"]), max_categories=1)
    with pytest.raises(ParameterError, match=r"'original' parameter.*List"):
        before_after(pl.Series([[1], [2]]), pl.Series(["a", "b"]))


def test_missing_matplotlib_is_a_clear_error(synthetic, monkeypatch: pytest.MonkeyPatch) -> None:
    _, risk = synthetic
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(MissingDependencyError, match=r"pip install anonlab\[jupyter\]") as info:
        risk_distribution(risk)
    assert isinstance(info.value, ImportError) and isinstance(info.value, AnonlabError)


def test_importing_figures_does_not_load_matplotlib() -> None:
    code = "import sys, anonlab.risk.figures; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_report_plot_uses_the_dashboard(adult: pl.DataFrame) -> None:
    report = anonlab.risk.report.assess_risk(adult.head(2000), QI[:3], k=5)
    fig = report.plot(theme="dark")
    assert isinstance(fig, Figure) and len(fig.axes) == 4
    assert _lightness(fig.get_facecolor()) < 0.2

"""Risk figures: class sizes, record risk, records at risk, what makes records unique, and a
column before and after anonymization.

Each function takes plain inputs (a :class:`~anonlab.risk.classes.ClassTable`, a per-record
risk Series, a mapping of contributions, two columns), draws into ``ax`` when one is given and
otherwise into a new figure, and returns the :class:`matplotlib.figure.Figure`.
:func:`risk_dashboard` puts the first four side by side for a report, and :func:`save` writes a
figure to a PNG file atomically.

matplotlib is an optional extra (``pip install anonlab[jupyter]``): it is imported when a figure
is drawn, never when anonlab is imported. New figures are plain
:class:`~matplotlib.figure.Figure` objects with an Agg canvas, not pyplot figures, so drawing
one never opens a window or leaves state behind in pyplot; in a notebook a returned figure
displays inline like any other.

Readability
-----------
Colours are the Okabe-Ito palette, safe for the common colour-vision deficiencies, and lines
that must be told apart also differ in dash pattern. ``theme="light"`` (the default) draws dark
text on white, ``theme="dark"`` light text on dark grey, so a figure reads on both light and dark
notebook themes; ``theme="auto"`` follows the background of the figure drawn into (or of
matplotlib's current style). Figures use the constrained layout; after drawing, overlapping
tick labels are rotated (then shrunk) and long names are shortened with an ellipsis.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import math
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from numbers import Real
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import polars as pl

from anonlab._files import umask, write_atomic
from anonlab._validation import check_int, check_one_of
from anonlab.errors import AnonlabError, EmptyFrameError, ParameterError
from anonlab.risk.attacker import THRESHOLDS
from anonlab.risk.classes import ClassTable

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase
    from matplotlib.figure import Figure
    from matplotlib.text import Text

__all__ = [
    "OKABE_ITO",
    "THEMES",
    "MissingDependencyError",
    "before_after",
    "class_size_histogram",
    "contribution_bars",
    "records_at_risk_curve",
    "risk_dashboard",
    "risk_distribution",
    "save",
]

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
             "#000000")
"""The Okabe-Ito colour-blind-safe palette (blue, orange, green, pink, sky blue, vermillion,
yellow, black)."""

THEMES = ("light", "dark", "auto")
"""The values of every figure's ``theme`` parameter."""

RISK_LABEL = "re-identification risk (1/class size)"
MAX_LABEL = 24
"""Names longer than this many characters are shortened with an ellipsis."""

_BAR_LABEL = "anonlab:bar-label"  # gid of the value labels drawn on bars
_OTHER = "other"
_MISSING = "(missing)"
_SPECIAL = ("*",)


class MissingDependencyError(AnonlabError, ImportError):
    """matplotlib, which the figures need, is not installed.

    It is an :class:`ImportError` too, so ``except ImportError`` keeps working.
    """


# -- themes ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Theme:
    name: str
    background: str
    text: str
    muted: str  # spines, ticks, secondary text
    grid: str
    palette: tuple[str, ...]
    lines: tuple[str, ...]  # threshold lines, in order

    @property
    def primary(self) -> str:
        return self.palette[0]

    @property
    def secondary(self) -> str:
        return self.palette[1]

    @property
    def alert(self) -> str:
        return "#D55E00"


_LIGHT = _Theme("light", "#FFFFFF", "#1A1A1A", "#555555", "#E3E3E3", OKABE_ITO,
                ("#D55E00", "#E69F00", "#CC79A7", "#009E73", "#000000"))
# on dark grey, sky blue reads better than the deep blue, and black becomes white
_DARK = _Theme("dark", "#1E1E1E", "#E8E8E8", "#ABABAB", "#3A3A3A",
               ("#56B4E9", "#E69F00", "#009E73", "#CC79A7", "#0072B2", "#D55E00", "#F0E442",
                "#FFFFFF"),
               ("#D55E00", "#E69F00", "#CC79A7", "#009E73", "#FFFFFF"))
_DASHES = ("--", "-.", ":", (0, (5, 1, 1, 1, 1, 1)), (0, (8, 2)))


def _matplotlib(owner: str) -> Any:
    """The matplotlib package, imported now; a clear error when it is not installed."""
    try:
        import matplotlib
        from matplotlib.backends import backend_agg  # noqa: F401  (the canvas of new figures)
    except ImportError as exc:
        raise MissingDependencyError(
            f"{owner} draws with matplotlib, which is not installed. Install the notebook extra "
            "with: pip install anonlab[jupyter]"
        ) from exc
    return matplotlib


def _luminance(color: Any) -> float | None:
    """The perceived lightness of a colour in [0, 1]; None when it is mostly transparent."""
    from matplotlib.colors import to_rgba

    r, g, b, a = to_rgba(color)
    if a < 0.5:
        return None
    return 0.299 * r + 0.587 * g + 0.114 * b


def _theme(theme: Any, owner: str, ax: Axes | None = None) -> _Theme:
    check_one_of(theme, "theme", owner, THEMES)
    if theme == "light":
        return _LIGHT
    if theme == "dark":
        return _DARK
    import matplotlib

    candidates = []
    if ax is not None:
        candidates += [_root(ax).get_facecolor(), ax.get_facecolor()]
    candidates += [matplotlib.rcParams["figure.facecolor"], matplotlib.rcParams["axes.facecolor"]]
    for color in candidates:
        lum = _luminance(color)
        if lum is not None:
            return _DARK if lum < 0.5 else _LIGHT
    return _LIGHT


def _root(ax: Axes) -> Figure:
    """The top-level figure an Axes is in (also when it is in a subfigure)."""
    fig: Any = ax.figure
    while getattr(fig, "figure", fig) is not fig and fig.figure is not None:
        fig = fig.figure
    top: Figure = fig
    return top


# -- figures and axes --------------------------------------------------------------------------
def _notebook_display() -> None:
    """In an IPython shell, make sure a returned :class:`Figure` displays as a PNG.

    Its inline backend registers that formatter only once pyplot is imported with that backend
    selected, which a notebook that never imported pyplot (or a kernel started by nbclient) may
    not have done; registering the PNG formatter directly covers every case.
    """
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return
    with contextlib.suppress(Exception):  # a display problem must not stop a figure being built
        shell = ipython.get_ipython()
        if shell is None or not hasattr(shell, "display_formatter"):
            return
        from matplotlib.figure import Figure

        formatter = shell.display_formatter.formatters["image/png"]
        if formatter.lookup_by_type(Figure) is None:
            raise KeyError
        return
    with contextlib.suppress(Exception):
        from IPython.core.pylabtools import select_figure_formats

        select_figure_formats(ipython.get_ipython(), {"png"})


def _new_figure(size: tuple[float, float], theme: _Theme, rows: int = 1,
                cols: int = 1) -> tuple[Figure, list[Axes]]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    _notebook_display()
    fig = Figure(figsize=size, layout="constrained", facecolor=theme.background,
                 edgecolor=theme.background)
    FigureCanvasAgg(fig)
    axes = fig.subplots(rows, cols, squeeze=False)
    return fig, [a for row in axes for a in row]


def _given_axes(ax: Any, owner: str) -> Axes:
    from matplotlib.axes import Axes

    if not isinstance(ax, Axes):
        raise ParameterError(
            f"The 'ax' parameter of {owner} must be a matplotlib Axes or None. Got "
            f"{type(ax).__name__} instead."
        )
    return ax


def _style(ax: Axes, theme: _Theme, *, grid: Literal["both", "x", "y"] | None = "y") -> None:
    """Theme colours, light spines and a light grid behind the data."""
    ax.set_facecolor(theme.background)
    for side, spine in ax.spines.items():
        spine.set_color(theme.muted)
        spine.set_visible(side in ("left", "bottom"))
    ax.tick_params(colors=theme.muted, labelcolor=theme.text, labelsize=9)
    for text in (ax.title, ax.xaxis.label, ax.yaxis.label):
        text.set_color(theme.text)
    ax.set_axisbelow(True)
    if grid:
        ax.grid(True, axis=grid, color=theme.grid, linewidth=0.8)


def _titles(ax: Axes, theme: _Theme, title: str, xlabel: str, ylabel: str) -> None:
    ax.set_title(title, loc="left", fontsize=11.5, fontweight="bold", color=theme.text, pad=8)
    ax.set_xlabel(xlabel, fontsize=9.5, color=theme.text)
    ax.set_ylabel(ylabel, fontsize=9.5, color=theme.text)


def _legend(ax: Axes, theme: _Theme, **kwargs: Any) -> None:
    legend = ax.legend(fontsize=8.5, title_fontsize=8.5, frameon=True, framealpha=0.92,
                       facecolor=theme.background, edgecolor=theme.grid, labelcolor=theme.text,
                       **kwargs)
    legend.get_title().set_color(theme.text)


def _count_axis(axis: Any) -> None:
    """Whole-number ticks with thousands separators."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    axis.set_major_locator(MaxNLocator(nbins="auto", integer=True, min_n_ticks=3))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))


def _share_axis(axis: Any) -> None:
    from matplotlib.ticker import PercentFormatter

    axis.set_major_formatter(PercentFormatter(1.0, decimals=0))


# -- text --------------------------------------------------------------------------------------
def _plain(text: str) -> str:
    """Text shown as is (a ``$`` would otherwise start matplotlib's math mode)."""
    return text.replace("$", r"\$")


def _abbreviate(text: str, limit: int = MAX_LABEL) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _abbreviate_all(texts: Sequence[str], limit: int = MAX_LABEL) -> list[str]:
    """Shortened names that stay distinct: an ellipsis at the end, or in the middle when two
    names share a long beginning."""
    short = [_abbreviate(t, limit) for t in texts]
    if len(set(short)) == len(set(texts)):
        return short
    head = (limit - 1) // 2
    tail = limit - 1 - head
    middle = [t if len(t) <= limit else t[:head] + "…" + t[-tail:] for t in texts]
    if len(set(middle)) == len(set(texts)):
        return middle
    return list(texts)


def _pct(share: float) -> str:
    """A share for a label: ``42%``, ``3.5%``, ``<0.1%``."""
    if share <= 0:
        return "0%"
    if share < 0.001:
        return "<0.1%"
    if share < 0.095:
        return f"{share * 100:.1f}%"
    return f"{share * 100:.0f}%"


def _risk_text(value: float) -> str:
    """A risk for a label: ``0.201``, ``<0.001``."""
    return "<0.001" if 0 < value < 0.001 else f"{value:.3f}"


def _join_names(names: Sequence[str], width: int = 70) -> str:
    """``a, b, c`` or, when that is longer than ``width``, ``a, b and 5 more``."""
    short = [_abbreviate(n) for n in names]
    if len(", ".join(short)) <= width:
        return ", ".join(short)
    shown: list[str] = []
    for name in short:
        if len(", ".join([*shown, name])) > width - 12:
            break
        shown.append(name)
    shown = shown or short[:1]
    return f"{', '.join(shown)} and {len(short) - len(shown)} more"


# -- inputs ------------------------------------------------------------------------------------
def _series(value: Any, what: str, owner: str) -> pl.Series:
    """A polars Series from a polars or pandas one."""
    if isinstance(value, pl.Series):
        return value
    pd = sys.modules.get("pandas")
    if pd is not None and isinstance(value, pd.Series):
        try:
            # pandas has no type information here, so the DataFrame overload would be chosen
            converted: pl.DataFrame | pl.Series = pl.from_pandas(value)
        except Exception as exc:
            raise ParameterError(
                f"The {what!r} parameter of {owner}: the pandas Series cannot be converted to "
                f"polars ({type(exc).__name__}); give it a single type of value."
            ) from None
        assert isinstance(converted, pl.Series)  # from a pandas Series
        return converted
    raise ParameterError(
        f"The {what!r} parameter of {owner} must be a polars or pandas Series. Got "
        f"{type(value).__name__} instead."
    )


def _risk(value: Any, owner: str, what: str = "risk") -> np.ndarray:
    """Per-record risk values as a float array, checked to lie in [0, 1]."""
    s = _series(value, what, owner)
    if s.len() == 0:
        raise EmptyFrameError(f"{owner} got an empty {what!r} Series; there are no records to "
                              "plot.")
    if not s.dtype.is_numeric():
        raise ParameterError(
            f"The {what!r} parameter of {owner} must hold numbers (risk per record, 1/class "
            f"size). Got a Series of {s.dtype} instead."
        )
    values = s.cast(pl.Float64).to_numpy()
    missing = int(np.isnan(values).sum())  # nulls became NaN
    if missing:
        raise ParameterError(
            f"The {what!r} parameter of {owner} has {missing:,} missing or NaN values; every "
            "record needs a risk (0 for a suppressed record)."
        )
    outside = (values < 0) | (values > 1)
    if outside.any():
        raise ParameterError(
            f"The {what!r} parameter of {owner} must hold values in [0, 1] (a risk is 1/class "
            f"size). {int(outside.sum()):,} of {len(values):,} values are outside, from "
            f"{values.min():g} to {values.max():g}."
        )
    return values


def _thresholds(value: Any, owner: str) -> list[tuple[str, float]]:
    if value is None:
        return list(THRESHOLDS.items())
    if not isinstance(value, Mapping):
        raise ParameterError(
            f"The 'thresholds' parameter of {owner} must be a mapping of attacker model to "
            f"risk threshold, e.g. {dict(THRESHOLDS)}. Got {type(value).__name__} instead."
        )
    out = []
    for name, t in value.items():
        if not isinstance(name, str):
            raise ParameterError(f"The 'thresholds' parameter of {owner} must have str names. "
                                 f"Got a {type(name).__name__} key instead.")
        if isinstance(t, bool) or not isinstance(t, Real) or not 0 < float(t) <= 1:
            raise ParameterError(
                f"The 'thresholds' parameter of {owner}: the threshold of {name!r} must be a "
                f"number in (0, 1]. Got {t!r} instead."
            )
        out.append((name, float(t)))
    return out


def _table(value: Any, owner: str) -> ClassTable:
    if not isinstance(value, ClassTable):
        raise ParameterError(
            f"The 'table' parameter of {owner} must be a ClassTable (from "
            f"anonlab.risk.equivalence_classes). Got {type(value).__name__} instead."
        )
    if value.records == 0:
        raise EmptyFrameError(
            f"{owner} got a ClassTable with no records in classes ({value.suppressed:,} "
            "suppressed); there are no class sizes to plot."
        )
    return value


def _contribution(value: Any, owner: str) -> list[tuple[str, float]]:
    if not isinstance(value, Mapping):
        raise ParameterError(
            f"The 'contribution' parameter of {owner} must be a mapping of quasi-identifier to "
            "share (from anonlab.risk.contribution.qi_contribution). Got "
            f"{type(value).__name__} instead."
        )
    if not value:
        raise EmptyFrameError(f"{owner} got an empty 'contribution' mapping; there are no "
                              "quasi-identifiers to plot.")
    out = []
    for name, share in value.items():
        if not isinstance(name, str):
            raise ParameterError(f"The 'contribution' parameter of {owner} must have str names. "
                                 f"Got a {type(name).__name__} key instead.")
        # written with < and <= only: numbers.Real declares no reflected comparisons
        if isinstance(share, bool) or not isinstance(share, Real) or share < 0 or not share <= 1:
            raise ParameterError(
                f"The 'contribution' parameter of {owner}: the share of {name!r} must be a "
                f"number in [0, 1]. Got {share!r} instead."
            )
        out.append((name, float(share)))
    return out


# -- fitting labels after drawing --------------------------------------------------------------
def _drawn_ticklabels(axis: Any) -> list[Text]:
    """The tick labels of an axis that are drawn: visible, with text, inside the view."""
    lo, hi = sorted(axis.get_view_interval())
    span = (hi - lo) or 1.0
    out = []
    for tick in axis.get_major_ticks():
        loc = tick.get_loc()
        if loc is None or not lo - 1e-9 * span <= loc <= hi + 1e-9 * span:
            continue
        label = tick.label1
        if label.get_visible() and label.get_text():
            out.append(label)
    return out


def _overlap(texts: Sequence[Text], renderer: RendererBase, pad: float = 1.0) -> bool:
    """Whether any two of the texts' boxes overlap by more than ``pad`` pixels each way."""
    boxes = [t.get_window_extent(renderer) for t in texts]
    for a, b in itertools.combinations(boxes, 2):
        w = min(a.x1, b.x1) - max(a.x0, b.x0)
        h = min(a.y1, b.y1) - max(a.y0, b.y0)
        if w > pad and h > pad:
            return True
    return False


def _renderer(fig: Figure) -> RendererBase:
    """The renderer text sizes are measured with (a figure made without pyplot may have a
    plain canvas, which has none of its own)."""
    get = getattr(fig.canvas, "get_renderer", None)
    if get is not None:
        renderer: RendererBase = get()
        return renderer
    # matplotlib's private fallback, absent from its type hints
    return fig._get_renderer()  # type: ignore[attr-defined, no-any-return]


def _fit_labels(fig: Figure, axes: Sequence[Axes]) -> None:
    """Draw, then rotate or shrink the labels that overlap until none do."""
    for _ in range(6):
        fig.draw_without_rendering()
        renderer = _renderer(fig)
        changed = False
        for ax in axes:
            changed |= _fit_x(ax, renderer)
            changed |= _fit_y(ax, renderer)
            changed |= _fit_bar_labels(ax, renderer)
            changed |= _fit_legend(ax, renderer)
        if not changed:
            return
    fig.draw_without_rendering()


def _fit_x(ax: Axes, renderer: RendererBase) -> bool:
    labels = _drawn_ticklabels(ax.xaxis)
    if len(labels) < 2 or not _overlap(labels, renderer):
        return False
    rotation = labels[0].get_rotation()
    size = float(labels[0].get_fontsize())  # points (typed float | str, a size name when set)
    if rotation == 0:
        kwargs: dict[str, Any] = {"rotation": 35, "ha": "right", "rotation_mode": "anchor"}
    elif rotation < 90:
        kwargs = {"rotation": 90, "ha": "right", "va": "center", "rotation_mode": "anchor"}
    elif size > 6:
        kwargs = {"fontsize": size - 1}
    else:
        return False
    for label in ax.get_xticklabels():
        label.update(kwargs)
    return True


def _fit_y(ax: Axes, renderer: RendererBase) -> bool:
    labels = _drawn_ticklabels(ax.yaxis)
    if len(labels) < 2 or not _overlap(labels, renderer):
        return False
    size = float(labels[0].get_fontsize())
    if size <= 6:
        return False
    for label in ax.get_yticklabels():
        label.set_fontsize(size - 1)
    return True


def _fit_bar_labels(ax: Axes, renderer: RendererBase) -> bool:
    texts = [t for t in ax.texts if t.get_gid() == _BAR_LABEL and t.get_text()]
    if len(texts) < 2 or not _overlap(texts, renderer, pad=0.0):
        return False
    size = float(texts[0].get_fontsize())
    if texts[0].get_rotation() == 0:
        for t in texts:
            t.update({"rotation": 90, "va": "bottom", "ha": "center"})
        lo, hi = ax.get_ylim()
        ax.set_ylim(lo, lo + (hi - lo) * 1.15)  # room for the upright labels
    elif size > 6:
        for t in texts:
            t.set_fontsize(size - 1)
    else:
        return False
    return True


def _fit_legend(ax: Axes, renderer: RendererBase) -> bool:
    """Raise the top of a bar chart until its legend clears the bars and their labels."""
    from matplotlib.container import BarContainer

    legend = ax.get_legend()
    bars = [r for c in ax.containers if isinstance(c, BarContainer) for r in c.patches]
    if legend is None or not bars:
        return False
    lo, hi = ax.get_ylim()
    if hi - lo > 3 * (max(r.get_y() + r.get_height() for r in bars) - lo):
        return False  # as far as it sensibly goes
    box = legend.get_window_extent(renderer)
    texts = [t for t in ax.texts if t.get_gid() == _BAR_LABEL and t.get_text()]
    boxes = [r.get_window_extent(renderer) for r in bars if r.get_height() > 0]
    boxes += [t.get_window_extent(renderer) for t in texts]
    if not any(min(box.x1, b.x1) > max(box.x0, b.x0) and min(box.y1, b.y1) > max(box.y0, b.y0)
               for b in boxes):
        return False
    ax.set_ylim(lo, lo + (hi - lo) * 1.15)
    return True


# -- 1. class sizes ----------------------------------------------------------------------------
def _one_two_five(limit: int) -> list[int]:
    """1, 2, 3, 5, 10, 20, 50, 100, 200, 500, ... : the first value above ``limit`` is last."""
    edges = [1, 2, 3]
    decade = 1
    while edges[-1] <= limit:
        for m in (5, 10, 20):
            value = m * decade
            if value > edges[-1]:
                edges.append(value)
                if value > limit:
                    break
        decade *= 10
    cut = next(i for i, e in enumerate(edges) if e > limit)
    return edges[: cut + 1]


def _size_bins(
    size: np.ndarray, k: int | None, members: np.ndarray | None = None
) -> list[tuple[str, int, int, int, int]]:
    """``(label, low, high, classes, records)`` per bin of class sizes ``low <= s < high``
    (``members``: the records of each class, its size when the classes partition)."""
    largest = int(size.max())
    edges = _one_two_five(max(largest, (k or 1) - 1))
    if k is not None and k not in edges:
        edges = sorted({*edges, k})
    idx = np.searchsorted(edges, size, side="right") - 1
    n = len(edges) - 1
    classes = np.bincount(idx, minlength=n)[:n]
    records = np.bincount(idx, weights=size if members is None else members, minlength=n)[:n]
    out = []
    for i, (lo, hi) in enumerate(itertools.pairwise(edges)):
        label = str(lo) if hi - lo == 1 else f"{lo}–{hi - 1}"
        out.append((label, lo, hi, int(classes[i]), int(records[i])))
    return out


def _draw_class_sizes(ax: Axes, table: ClassTable, k: int | None, theme: _Theme) -> None:
    size = table.size.cast(pl.Int64).to_numpy()
    bins = _size_bins(size, k, table.members.to_numpy())
    total = table.records
    x = np.arange(len(bins))
    heights = [b[4] for b in bins]
    below = [k is not None and b[2] <= k for b in bins]
    colors = [theme.alert if b else theme.primary for b in below]
    bars = ax.bar(x, heights, width=0.8, color=colors, edgecolor=theme.background,
                  linewidth=0.6)
    for rect, b in zip(bars, bins, strict=True):
        if b[4]:
            ax.text(rect.get_x() + rect.get_width() / 2, rect.get_height(), _pct(b[4] / total),
                    ha="center", va="bottom", fontsize=8, color=theme.text, gid=_BAR_LABEL)
    ax.set_xticks(x, [b[0] for b in bins])
    ax.set_xlim(-0.6, len(bins) - 0.4)
    ax.set_ylim(0, max(heights) * 1.14)
    _count_axis(ax.yaxis)
    _style(ax, theme)
    ax.tick_params(axis="x", length=0)
    xlabel = "equivalence-class size (records sharing their quasi-identifier values)"
    if table.suppressed:
        xlabel += f"\n{table.suppressed:,} fully suppressed records are in no class, not shown"
    _titles(ax, theme, "Records by class size", xlabel, "records")
    if k is not None:
        from matplotlib.patches import Patch

        boundary = sum(below)
        share = sum(h for h, b in zip(heights, below, strict=True) if b) / total
        ax.axvspan(-0.6, boundary - 0.5, color=theme.alert, alpha=0.10, linewidth=0, zorder=0)
        line = ax.axvline(boundary - 0.5, color=theme.alert, linestyle="--", linewidth=1.5)
        handles = [
            Patch(color=theme.alert, label=f"classes smaller than k = {k}: {_pct(share)} of "
                  "records"),
            Patch(color=theme.primary, label=f"classes of {k} or more"),
            line,
        ]
        line.set_label(f"k = {k}")
        _legend(ax, theme, handles=handles, loc="best")


def class_size_histogram(
    table: ClassTable, *, k: int | None = None, ax: Axes | None = None, theme: str = "light"
) -> Figure:
    """How many records sit in classes of size 1, 2, 3-4, 5-9, 10-19, 20-49, ...

    Bars count records (not classes) with their share of the records in classes on top.
    Classes whose quasi-identifiers are all suppressed are not shown (the x label says how
    many records that leaves out).

    Parameters
    ----------
    table : ClassTable
        From :func:`~anonlab.risk.classes.equivalence_classes`.
    k : int >= 2, optional
        A k-anonymity target: the bins are split at ``k``, the classes smaller than ``k`` are
        drawn in vermillion on a shaded band, and a dashed line marks ``k``.
    ax : matplotlib Axes, optional
        Draw into it; by default a new figure is made.
    theme : {"light", "dark", "auto"}, default "light"

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ParameterError
        ``table`` is not a ClassTable, or ``k``, ``ax`` or ``theme`` is invalid.
    EmptyFrameError
        No record is in a class.
    MissingDependencyError
        matplotlib is not installed.
    """
    owner = "class_size_histogram"
    _table(table, owner)
    check_int(k, "k", owner, min_value=2, allow_none=True)
    return _one_panel(owner, ax, theme, (7.0, 4.2),
                      lambda target, th: _draw_class_sizes(target, table, k, th))


def _one_panel(owner: str, ax: Axes | None, theme: str, size: tuple[float, float],
               draw: Callable[[Axes, _Theme], None]) -> Figure:
    """A one-panel figure: into the caller's ``ax`` (in its figure) or a new ``size`` figure,
    themed, drawn by ``draw(target, theme)`` and with its labels fitted."""
    _matplotlib(owner)
    given = None if ax is None else _given_axes(ax, owner)
    th = _theme(theme, owner, given)
    fig, target = (_root(given), given) if given is not None else _single(th, size)
    draw(target, th)
    _fit_labels(fig, [target])
    return fig


def _single(theme: _Theme, size: tuple[float, float]) -> tuple[Figure, Axes]:
    fig, axes = _new_figure(size, theme)
    return fig, axes[0]


# -- 2. and 3. record risk ---------------------------------------------------------------------
def _risk_bins(values: np.ndarray, bins: int) -> np.ndarray:
    """Records per bin ``[i/bins, (i+1)/bins)`` (the last one closed), exact for 1/n ties."""
    idx = np.floor(values * bins + 1e-9).astype(np.int64)
    return np.bincount(np.clip(idx, 0, bins - 1), minlength=bins)


def _share_above(sorted_values: np.ndarray, x: np.ndarray | float) -> np.ndarray:
    n = len(sorted_values)
    return (n - np.searchsorted(sorted_values, x, side="right")) / n


def _threshold_lines(ax: Axes, thresholds: list[tuple[str, float]], theme: _Theme,
                     labels: Sequence[str]) -> None:
    for i, ((_, t), label) in enumerate(zip(thresholds, labels, strict=True)):
        ax.axvline(t, color=theme.lines[i % len(theme.lines)],
                   linestyle=_DASHES[i % len(_DASHES)], linewidth=1.6, label=label, zorder=3)


def _draw_risk_distribution(ax: Axes, values: np.ndarray, thresholds: list[tuple[str, float]],
                            bins: int, theme: _Theme) -> None:
    from matplotlib.ticker import MultipleLocator

    counts = _risk_bins(values, bins)
    ax.bar(np.arange(bins) / bins, counts, width=1 / bins, align="edge", color=theme.primary,
           edgecolor=theme.background, linewidth=0.6, label="records")
    _threshold_lines(ax, thresholds, theme,
                     [f"{_plain(_abbreviate(n))} threshold {t:g}" for n, t in thresholds])
    ax.set_xlim(0, 1)
    ax.set_ylim(0, max(int(counts.max()), 1) * 1.08)
    ax.xaxis.set_major_locator(MultipleLocator(0.2))
    ax.xaxis.set_minor_locator(MultipleLocator(1 / bins))
    _count_axis(ax.yaxis)
    _style(ax, theme)
    _titles(ax, theme, "Distribution of record risk", RISK_LABEL, "records")
    _legend(ax, theme, loc="best",
            title=f"{len(values):,} records, mean risk {_risk_text(values.mean())}")


def risk_distribution(
    risk: Any,
    *,
    thresholds: Mapping[str, float] | None = None,
    bins: int = 20,
    ax: Axes | None = None,
    theme: str = "light",
) -> Figure:
    """How many records have each level of re-identification risk.

    A histogram over [0, 1] in ``bins`` equal bins ``[i/bins, (i+1)/bins)`` (the last one
    closed); risks of the form 1/n that fall on an edge are counted in the bin that starts
    there. A vertical line marks each threshold.

    Parameters
    ----------
    risk : polars or pandas Series of float
        One risk per record in [0, 1], e.g. from :func:`~anonlab.risk.records.record_risk`.
    thresholds : mapping of str to float, optional
        Named thresholds to mark; default :data:`~anonlab.risk.attacker.THRESHOLDS`
        (prosecutor 0.2, journalist 0.09, marketer 0.05). ``{}`` marks none.
    bins : int >= 2, default 20
    ax : matplotlib Axes, optional
    theme : {"light", "dark", "auto"}, default "light"

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ParameterError
        ``risk`` is not a Series of numbers in [0, 1] without missing values, or another
        parameter is invalid.
    EmptyFrameError
        ``risk`` is empty.
    MissingDependencyError
        matplotlib is not installed.
    """
    owner = "risk_distribution"
    values = _risk(risk, owner)
    lines = _thresholds(thresholds, owner)
    check_int(bins, "bins", owner, min_value=2, max_value=200)
    return _one_panel(owner, ax, theme, (7.0, 4.2),
                      lambda target, th: _draw_risk_distribution(target, values, lines, bins, th))


def _draw_records_at_risk(ax: Axes, values: np.ndarray, thresholds: list[tuple[str, float]],
                          theme: _Theme) -> None:
    from matplotlib.ticker import MultipleLocator

    ordered = np.sort(values)
    xs = np.unique(np.concatenate([[0.0], ordered, [1.0]]))
    ys = _share_above(ordered, xs)
    ax.fill_between(xs, ys, step="post", color=theme.primary, alpha=0.15, linewidth=0)
    ax.step(xs, ys, where="post", color=theme.primary, linewidth=2.0,
            label="records with risk above x")
    shares = [float(_share_above(ordered, t)) for _, t in thresholds]
    _threshold_lines(ax, thresholds, theme, [
        f"{_plain(_abbreviate(n))} {t:g}: {_pct(s)} above" for (n, t), s in
        zip(thresholds, shares, strict=True)
    ])
    for i, ((_, t), s) in enumerate(zip(thresholds, shares, strict=True)):
        ax.plot([t], [s], marker="o", markersize=5, color=theme.lines[i % len(theme.lines)],
                zorder=4)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.xaxis.set_major_locator(MultipleLocator(0.2))
    _share_axis(ax.yaxis)
    _style(ax, theme, grid="both")
    _titles(ax, theme, "Records at risk", f"threshold x on the {RISK_LABEL}",
            "share of records with risk above x")
    _legend(ax, theme, loc="best")


def records_at_risk_curve(
    risk: Any,
    *,
    thresholds: Mapping[str, float] | None = None,
    ax: Axes | None = None,
    theme: str = "light",
) -> Figure:
    """The share of records whose risk exceeds x, for every x in (0, 1].

    A step curve, falling at each distinct risk; with a vertical line and a dot at each
    threshold, whose legend entry gives the share of records above it (a record is at risk when
    its risk is strictly above the threshold: a class of 5 meets a threshold of 0.2).

    Parameters
    ----------
    risk : polars or pandas Series of float
        One risk per record in [0, 1].
    thresholds : mapping of str to float, optional
        Default :data:`~anonlab.risk.attacker.THRESHOLDS`; ``{}`` marks none.
    ax : matplotlib Axes, optional
    theme : {"light", "dark", "auto"}, default "light"

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ParameterError, EmptyFrameError, MissingDependencyError
        As :func:`risk_distribution`.
    """
    owner = "records_at_risk_curve"
    values = _risk(risk, owner)
    lines = _thresholds(thresholds, owner)
    return _one_panel(owner, ax, theme, (7.0, 4.2),
                      lambda target, th: _draw_records_at_risk(target, values, lines, th))


# -- 4. contributions --------------------------------------------------------------------------
def _draw_contribution(ax: Axes, items: list[tuple[str, float]], theme: _Theme) -> None:
    ranked = sorted(items, key=lambda item: (-item[1], item[0]))
    names = [_plain(n) for n in _abbreviate_all([n for n, _ in ranked])]
    values = [v for _, v in ranked]
    y = np.arange(len(ranked))[::-1]  # the largest on top
    bars = ax.barh(y, values, height=0.68, color=theme.primary)
    top = max(max(values), 0.05)
    for rect, v in zip(bars, values, strict=True):
        ax.text(rect.get_width() + top * 0.015, rect.get_y() + rect.get_height() / 2, _pct(v),
                ha="left", va="center", fontsize=8.5, color=theme.text, gid=_BAR_LABEL)
    ax.set_yticks(y, names)
    ax.set_ylim(-0.6, len(ranked) - 0.4)
    ax.set_xlim(0, min(top * 1.22, 1.22))
    _share_axis(ax.xaxis)
    _style(ax, theme, grid="x")
    ax.tick_params(axis="y", length=0)
    _titles(ax, theme, "What makes records unique",
            "share of sample uniques removed when the column is dropped", "quasi-identifier")
    if max(values) == 0:
        ax.text(0.5, 0.5, "no record is sample unique", transform=ax.transAxes, ha="center",
                va="center", fontsize=10, color=theme.muted)


def contribution_bars(
    contribution: Mapping[str, float], *, ax: Axes | None = None, theme: str = "light"
) -> Figure:
    """One horizontal bar per quasi-identifier: the share of sample uniques removed when it is
    dropped, largest on top, with the value at the end of each bar.

    Names longer than 24 characters are shortened with an ellipsis (in the middle when two
    names would otherwise look the same), and the layout makes room for them.

    Parameters
    ----------
    contribution : mapping of str to float
        Shares in [0, 1], e.g. from :func:`~anonlab.risk.contribution.qi_contribution`.
    ax : matplotlib Axes, optional
    theme : {"light", "dark", "auto"}, default "light"

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ParameterError
        Not a mapping of str to a number in [0, 1], or another parameter is invalid.
    EmptyFrameError
        The mapping is empty.
    MissingDependencyError
        matplotlib is not installed.
    """
    owner = "contribution_bars"
    items = _contribution(contribution, owner)
    size = (7.0, min(max(3.0, 0.36 * len(items) + 1.6), 14.0))
    return _one_panel(owner, ax, theme, size,
                      lambda target, th: _draw_contribution(target, items, th))


# -- 5. before and after -----------------------------------------------------------------------
_NUMBER = re.compile(r"^\s*[\[\(]?\s*(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)")


def _numeric(s: pl.Series) -> bool:
    return s.dtype.is_numeric()


def _labels(s: pl.Series, owner: str, what: str) -> pl.Series:
    """The values as text, missing ones as ``(missing)``."""
    try:
        text = s.cast(pl.String)
    except pl.exceptions.PolarsError:
        raise ParameterError(
            f"The {what!r} parameter of {owner} holds {s.dtype.base_type()} values, which have "
            "no single-value distribution to plot; pass a column of numbers or categories."
        ) from None
    return text.fill_null(_MISSING)


def _counts(labels: pl.Series) -> dict[str, int]:
    vc = labels.value_counts(sort=True, name="n")
    return dict(zip(vc.get_column(labels.name).to_list(), vc.get_column("n").to_list(),
                    strict=True))


def _is_special(label: str) -> bool:
    return label in _SPECIAL or label == _MISSING or label.startswith(_OTHER)


def _ordered(labels: Sequence[str], weight: Mapping[str, int]) -> list[str]:
    """Categories in their natural order when they are numbers or ranges (``[20, 30)``),
    otherwise most frequent first; ``*``, missing and other last."""
    plain = [c for c in labels if not _is_special(c)]
    special = sorted((c for c in labels if _is_special(c)),
                     key=lambda c: (c.startswith(_OTHER), c == _MISSING, c))  # *, missing, other
    numbers = [_NUMBER.match(c) for c in plain]
    if plain and all(numbers):
        keyed = sorted(zip(plain, numbers, strict=True),
                       key=lambda p: (float(p[1].group(1)), p[0]))  # type: ignore[union-attr]
        return [c for c, _ in keyed] + special
    return sorted(plain, key=lambda c: (-weight.get(c, 0), c)) + special


def _top(counts: Mapping[str, int], keep: Sequence[str], other_label: str) -> dict[str, int]:
    """Counts of the kept categories, the rest pooled under ``other_label``."""
    out = {c: counts.get(c, 0) for c in keep}
    rest = sum(n for c, n in counts.items() if c not in out)
    if rest:
        out[other_label] = rest
    return out


def _choose(weight: Mapping[str, int], max_categories: int) -> tuple[list[str], str | None]:
    """The categories to show and the label of the pooled rest (None when nothing is pooled).

    ``*`` and missing values are always shown on their own: they are what anonymization did.
    """
    kept = [c for c in weight if c in _SPECIAL or c == _MISSING]
    ranked = sorted((c for c in weight if c not in kept), key=lambda c: (-weight[c], c))
    if len(ranked) <= max_categories:
        return ranked + kept, None
    keep = ranked[: max_categories - 1]
    return keep + kept, f"{_OTHER} ({len(ranked) - len(keep):,} more)"


def _edges(a: np.ndarray, b: np.ndarray, integer: bool) -> np.ndarray:
    """Common histogram bins for both sides."""
    both = np.concatenate([a, b])
    lo, hi = float(both.min()), float(both.max())
    if integer and hi - lo <= 60:
        return np.arange(lo - 0.5, hi + 1.5)
    if lo == hi:
        return np.array([lo - 0.5, hi + 0.5])
    edges = np.histogram_bin_edges(both, bins="auto")
    if len(edges) > 41:
        edges = np.linspace(lo, hi, 41)
    if len(edges) < 11:
        edges = np.linspace(lo, hi, 11)
    return edges


def _numbers(s: pl.Series) -> np.ndarray:
    values = s.cast(pl.Float64).to_numpy()
    finite: np.ndarray = values[np.isfinite(values)]
    return finite


def _side_label(role: str, s: pl.Series) -> str:
    missing = s.null_count()
    return f"{role}" + (f" ({missing:,} missing)" if missing else "")


def _draw_numeric(ax: Axes, original: pl.Series, anonymized: pl.Series, name: str,
                  theme: _Theme) -> None:
    a, b = _numbers(original), _numbers(anonymized)
    integer = original.dtype.is_integer() and anonymized.dtype.is_integer()
    edges = _edges(a, b, integer)
    ca, _ = np.histogram(a, edges)
    cb, _ = np.histogram(b, edges)
    ax.stairs(ca, edges, fill=True, color=theme.primary, alpha=0.45,
              label=_side_label("before", original))
    ax.stairs(cb, edges, color=theme.secondary, linewidth=2.2,
              label=_side_label("after", anonymized))
    ax.set_ylim(0, max(int(ca.max()), int(cb.max()), 1) * 1.1)
    _count_axis(ax.yaxis)
    _style(ax, theme)
    _titles(ax, theme, f"{_plain(_abbreviate(name))}: before and after",
            f"{_plain(_abbreviate(name))} (common bins)", "records")
    _legend(ax, theme, loc="best")


def _draw_grouped(ax: Axes, before: dict[str, int], after: dict[str, int], name: str,
                  max_categories: int, theme: _Theme, original: pl.Series,
                  anonymized: pl.Series) -> None:
    weight = {c: before.get(c, 0) + after.get(c, 0) for c in {*before, *after}}
    keep, other = _choose(weight, max_categories)
    shown_a = _top(before, keep, other or _OTHER)
    shown_b = _top(after, keep, other or _OTHER)
    cats = _ordered(list(dict.fromkeys([*shown_a, *shown_b])), before or weight)
    x = np.arange(len(cats))
    ax.bar(x - 0.2, [shown_a.get(c, 0) for c in cats], width=0.4, color=theme.primary,
           label=_side_label("before", original))
    ax.bar(x + 0.2, [shown_b.get(c, 0) for c in cats], width=0.4, color=theme.secondary,
           label=_side_label("after", anonymized))
    ax.set_xticks(x, [_plain(c) for c in _abbreviate_all(cats)])
    ax.set_xlim(-0.6, len(cats) - 0.4)
    _count_axis(ax.yaxis)
    _style(ax, theme)
    ax.tick_params(axis="x", length=0)
    _titles(ax, theme, f"{_plain(_abbreviate(name))}: before and after",
            _plain(_abbreviate(name)), "records")
    _legend(ax, theme, loc="best")


def _draw_panel(ax: Axes, s: pl.Series, role: str, name: str, max_categories: int,
                color: str, theme: _Theme, owner: str, what: str) -> None:
    """One side on its own: a histogram for many distinct numbers, else category bars."""
    title = f"{_plain(_abbreviate(name))} {role} anonymization"
    missing = s.null_count()
    xlabel = _plain(_abbreviate(name)) + (f" ({missing:,} missing, not shown)"
                                           if missing and _numeric(s) else "")
    if _numeric(s) and s.drop_nulls().n_unique() > max_categories:
        values = _numbers(s)
        edges = _edges(values, values, s.dtype.is_integer())
        counts, _ = np.histogram(values, edges)
        ax.stairs(counts, edges, fill=True, color=color, alpha=0.85)
        ax.set_ylim(0, max(int(counts.max()), 1) * 1.1)
    else:
        counts_by = _counts(_labels(s, owner, what))
        keep, other = _choose(counts_by, max_categories)
        shown = _top(counts_by, keep, other or _OTHER)
        cats = _ordered(list(shown), shown)
        x = np.arange(len(cats))
        ax.bar(x, [shown[c] for c in cats], width=0.7, color=color)
        ax.set_xticks(x, [_plain(c) for c in _abbreviate_all(cats)])
        ax.set_xlim(-0.6, len(cats) - 0.4)
        ax.tick_params(axis="x", length=0)
    _count_axis(ax.yaxis)
    _style(ax, theme)
    _titles(ax, theme, title, xlabel, "records")


def _two_axes(ax: Axes) -> tuple[Axes, Axes]:
    """Split a given Axes into two stacked ones in its place."""
    spec = ax.get_subplotspec()
    if spec is None:
        raise ParameterError(
            "before_after needs two panels here (the columns' values differ) but the given "
            "Axes is not on a grid; pass an Axes made with subplots() or add_subplot()."
        )
    parent = ax.figure
    inner = spec.subgridspec(2, 1)
    ax.remove()
    return parent.add_subplot(inner[0]), parent.add_subplot(inner[1])


def before_after(
    original: Any,
    anonymized: Any,
    *,
    ax: Axes | None = None,
    max_categories: int = 20,
    theme: str = "light",
) -> Figure:
    """One column's distribution before and after anonymization.

    * Both numeric: overlaid histograms on common bins (before filled blue, after outlined
      orange).
    * Otherwise both sides are shown as categories. When most anonymized values are values of
      the original (masking, a few ``*``), grouped bars compare them category by category; when
      the domains differ (ages generalized to ``[20, 30)``, ZIP codes to ``123**``) each side
      gets its own panel, the original above. A numeric side with more distinct values than
      ``max_categories`` is drawn as a histogram in its panel.

    Categories beyond ``max_categories`` are pooled as ``other (N more)``; missing values are a
    ``(missing)`` category, and it and ``*`` are always shown on their own. Ranges and numbers
    are shown in their natural order, other categories most frequent first. The figure shows the
    column's values: do not share it for a column whose values are themselves identifying.

    Parameters
    ----------
    original, anonymized : polars or pandas Series
        The same column before and after, with one value per record (same length).
    ax : matplotlib Axes, optional
        Draw into it; when two panels are needed, it is split into two stacked Axes in place.
    max_categories : int >= 2, default 20
        Bars shown per panel at most, ``other`` included (``*`` and ``(missing)`` come on top).
    theme : {"light", "dark", "auto"}, default "light"

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ParameterError
        Not Series, lengths differ, nested values, or another parameter is invalid.
    EmptyFrameError
        The columns are empty.
    MissingDependencyError
        matplotlib is not installed.
    """
    owner = "before_after"
    a = _series(original, "original", owner)
    b = _series(anonymized, "anonymized", owner)
    if a.len() != b.len():
        raise ParameterError(
            f"before_after compares one column record by record, but 'original' has "
            f"{a.len():,} values and 'anonymized' {b.len():,}; pass the same rows (filter the "
            "original to the released records first)."
        )
    if a.len() == 0:
        raise EmptyFrameError("before_after got empty columns; there are no values to plot.")
    check_int(max_categories, "max_categories", owner, min_value=2, max_value=60)
    _matplotlib(owner)
    given = None if ax is None else _given_axes(ax, owner)
    th = _theme(theme, owner, given)
    name = a.name or b.name or "value"
    numeric = (_numeric(a) and _numeric(b) and (a.null_count() < a.len())
               and (b.null_count() < b.len()))
    if numeric:
        fig, target = (_root(given), given) if given is not None else _single(th, (7.0, 4.2))
        _draw_numeric(target, a, b, name, th)
        _fit_labels(fig, [target])
        return fig
    before = _counts(_labels(a, owner, "original"))
    after = _counts(_labels(b, owner, "anonymized"))
    shared = sum(n for c, n in after.items() if c in before) / b.len()
    if shared >= 0.5:
        fig, target = (_root(given), given) if given is not None else _single(th, (8.0, 4.6))
        _draw_grouped(target, before, after, name, max_categories, th, a, b)
        _fit_labels(fig, [target])
        return fig
    if given is not None:
        fig = _root(given)
        top, bottom = _two_axes(given)
    else:
        fig, (top, bottom) = _new_figure((8.0, 7.2), th, rows=2)
    _draw_panel(top, a, "before", name, max_categories, th.primary, th, owner, "original")
    _draw_panel(bottom, b, "after", name, max_categories, th.secondary, th, owner,
                "anonymized")
    _fit_labels(fig, [top, bottom])
    return fig


# -- 6. the dashboard --------------------------------------------------------------------------
def _draw_summary(ax: Axes, table: ClassTable, values: np.ndarray,
                  thresholds: list[tuple[str, float]], theme: _Theme) -> None:
    """The headline numbers, in the panel where the contributions would go."""
    ordered = np.sort(values)
    unique = int(table.members.filter(table.size == 1).sum())
    lines = [
        f"records in classes: {table.records:,}",
        f"fully suppressed records: {table.suppressed:,}",
        f"equivalence classes: {table.classes:,}",
        f"smallest class: {int(table.size.min()):,}",  # type: ignore[arg-type]
        f"sample uniques: {unique:,} ({_pct(unique / table.records)} of records)",
        f"highest risk: {_risk_text(ordered[-1])}, mean risk: {_risk_text(ordered.mean())}",
    ]
    lines += [f"above the {_abbreviate(n)} threshold {t:g}: "
              f"{_pct(float(_share_above(ordered, t)))}" for n, t in thresholds]
    ax.axis("off")
    ax.set_title("In numbers", loc="left", fontsize=11.5, fontweight="bold", color=theme.text,
                 pad=8)
    ax.text(0.02, 0.96, _plain("\n".join(lines)), transform=ax.transAxes, ha="left", va="top",
            fontsize=10, color=theme.text, linespacing=1.7)
    ax.text(0.02, 0.02, "pass contribution= to see which quasi-identifiers make records unique",
            transform=ax.transAxes, ha="left", va="bottom", fontsize=8.5, color=theme.muted)


def risk_dashboard(
    table: ClassTable,
    risk: Any,
    contribution: Mapping[str, float] | None = None,
    *,
    k: int | None = None,
    thresholds: Mapping[str, float] | None = None,
    theme: str = "light",
) -> Figure:
    """A 2x2 figure for a report: class sizes, risk distribution, records at risk, and the
    quasi-identifiers' contributions (or, without them, the headline numbers).

    Parameters
    ----------
    table : ClassTable
        The frame's equivalence classes.
    risk : polars or pandas Series of float
        One risk per record of the same frame (suppressed records included, with risk 0), as
        :func:`~anonlab.risk.records.record_risk` gives.
    contribution : mapping of str to float, optional
        From :func:`~anonlab.risk.contribution.qi_contribution`.
    k : int >= 2, optional
        A k-anonymity target to mark on the class sizes.
    thresholds : mapping of str to float, optional
        Default :data:`~anonlab.risk.attacker.THRESHOLDS`.
    theme : {"light", "dark", "auto"}, default "light"

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ParameterError
        An input is invalid, or ``risk`` does not have one value per record of ``table``.
    EmptyFrameError
        No record is in a class, or ``risk`` or ``contribution`` is empty.
    MissingDependencyError
        matplotlib is not installed.
    """
    owner = "risk_dashboard"
    _table(table, owner)
    values = _risk(risk, owner)
    expected = table.records + table.suppressed
    if len(values) != expected:
        raise ParameterError(
            f"risk_dashboard: 'risk' has {len(values):,} values but the table covers "
            f"{expected:,} records ({table.records:,} in classes, {table.suppressed:,} "
            "suppressed); compute both from the same frame."
        )
    items = None if contribution is None else _contribution(contribution, owner)
    check_int(k, "k", owner, min_value=2, allow_none=True)
    lines = _thresholds(thresholds, owner)
    _matplotlib(owner)
    th = _theme(theme, owner)
    fig, axes = _new_figure((13.0, 9.0), th, rows=2, cols=2)
    _draw_class_sizes(axes[0], table, k, th)
    _draw_risk_distribution(axes[1], values, lines, 20, th)
    _draw_records_at_risk(axes[2], values, lines, th)
    if items is not None:
        _draw_contribution(axes[3], items, th)
    else:
        _draw_summary(axes[3], table, values, lines, th)
    qis = _join_names(table.quasi_identifiers)
    fig.suptitle(_plain(f"Re-identification risk of {expected:,} records on {qis}"),
                 x=0.01, ha="left", fontsize=13.5, fontweight="bold", color=th.text)
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    engine = fig.get_layout_engine()
    assert isinstance(engine, ConstrainedLayoutEngine)  # the figure is made constrained
    engine.set(h_pad=0.08, w_pad=0.1, hspace=0.06, wspace=0.06)
    _fit_labels(fig, axes)
    return fig


# -- saving ------------------------------------------------------------------------------------
def save(fig: Figure, path: str | os.PathLike[str], *, dpi: float = 150) -> Path:
    """Write a figure to a PNG file atomically.

    The image is written to a temporary file in the target's folder, flushed to disk and
    renamed over ``path``: a reader never sees a half-written image, and a failure leaves any
    previous file in place (and no temporary file behind). The file gets the permissions a new
    file would (a replaced file keeps its own), and no timestamp or software version is
    embedded, so the same figure gives the same bytes.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    path : str or path-like
        The PNG file to write; its folder must exist. The format is PNG whatever the suffix.
    dpi : float > 0, default 150

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ParameterError
        ``fig`` is not a Figure, ``path`` not a path, its folder missing, or ``dpi`` not a
        positive number.
    """
    owner = "save"
    _matplotlib(owner)
    from matplotlib.figure import Figure

    if not isinstance(fig, Figure):
        raise ParameterError(f"The 'fig' parameter of save must be a matplotlib Figure. Got "
                             f"{type(fig).__name__} instead.")
    if not isinstance(path, (str, os.PathLike)):
        raise ParameterError(f"The 'path' parameter of save must be a str or path. Got "
                             f"{type(path).__name__} instead.")
    if isinstance(dpi, bool) or not isinstance(dpi, Real) or not 0 < dpi < 2000 \
            or not math.isfinite(dpi):
        raise ParameterError(f"The 'dpi' parameter of save must be a number in (0, 2000). Got "
                             f"{dpi!r} instead.")
    target = Path(path)
    if not target.parent.is_dir():
        raise ParameterError(f"save: the folder {str(target.parent)!r} does not exist; create it "
                             "first.")
    mode = (target.stat().st_mode & 0o777) if target.is_file() else 0o666 & ~umask()
    image = io.BytesIO()
    fig.savefig(image, format="png", dpi=float(dpi), facecolor=fig.get_facecolor(),
                metadata={"Software": None})
    write_atomic(target, image.getvalue(), mode=mode)
    return target

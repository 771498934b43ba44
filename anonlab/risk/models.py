"""Privacy models: each a small frozen class that says, per equivalence class, whether it passes.

A model is evaluated on a :class:`~anonlab.risk.classes.ClassTable`. Every model offers

* :meth:`PrivacyModel.class_values`: the measured figure of each class (its size, its number of
  distinct sensitive values, its distance to the overall distribution...);
* :meth:`PrivacyModel.class_passes`: whether each class meets the target;
* :meth:`PrivacyModel.achieved`: the figure of the whole table (the worst class);
* :meth:`PrivacyModel.evaluate`: all of that as a :class:`ModelResult`.

The same classes are the targets of the optimal search (:func:`anonlab.optimize`), which
suppresses the records of failing classes up to a limit, as ARX does.

=======================  ==========================================================  ========
model                    a class passes when                                          figure
=======================  ==========================================================  ========
``KAnonymity(k)``        it holds at least k records                                  min size
``LDiversity(s, l)``     distinct: >= l distinct values of s; entropy: exp(H) >= l;   min l
                         recursive (c,l): r1 < c (r_l + ... + r_m)
``TCloseness(s, t)``     the EMD between its distribution of s and the frame's <= t   max EMD
``AlphaKAnonymity``      size >= k and no value of s has a share above alpha          max share
``BetaLikeness``         (q - p) / p <= beta for every value with q > p (enhanced:    max
                         <= min(beta, -ln p); the figure is infinite when no beta
                         suffices)
``DeltaDisclosure``      abs(ln(q / p)) < delta for every value present               max
``KMap(k)``              at least k population records share its values               min
``DeltaPresence``        delta_min <= size / population records <= delta_max         range
=======================  ==========================================================  ========

Here p is a value's share in the whole frame and q its share in the class. The EMD (earth
mover's distance) of t-closeness is the equal-distance one for categories, the ordered-distance
one for continuous columns (floats, dates) and columns declared ordinal (Li, Li and
Venkatasubramanian, ICDE 2007), and the hierarchical one when a :class:`~anonlab.Hierarchy` is
given. Integer columns are categories unless declared ordinal: integer codes (1 = married,
2 = single) have no order, and the ordered distance would understate their disclosure.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import polars as pl

from anonlab._validation import check_int, check_one_of, describe
from anonlab.errors import ParameterError, RecipeError
from anonlab.hierarchies import Hierarchy
from anonlab.risk.classes import CLASS, COUNT, VALUE, ClassTable

__all__ = [
    "AlphaKAnonymity",
    "BetaLikeness",
    "DeltaDisclosure",
    "DeltaPresence",
    "KAnonymity",
    "KMap",
    "LDiversity",
    "ModelResult",
    "PrivacyModel",
    "TCloseness",
    "model_from_dict",
    "registered_models",
]

_EPS = 1e-12
_REGISTRY: dict[str, type[PrivacyModel]] = {}


def _register(cls: type[PrivacyModel]) -> type[PrivacyModel]:
    _REGISTRY[cls.name] = cls
    return cls


def registered_models() -> dict[str, type[PrivacyModel]]:
    """The privacy models by name."""
    return dict(_REGISTRY)


@dataclass(frozen=True)
class ModelResult:
    """How a table fares against one privacy model.

    Attributes
    ----------
    model : PrivacyModel
        The model and its target.
    achieved : float or None
        The table's figure (the worst class); None when there are no classes.
    passed : bool
        Every class passes.
    failing_classes : int
        Classes that break the target.
    failing_records : int
        Records in those classes (their members: a record with a suppressed cell counts once,
        in its own class).
    """

    model: PrivacyModel
    achieved: float | None
    passed: bool
    failing_classes: int
    failing_records: int

    def to_dict(self) -> dict[str, Any]:
        """Plain data (the model's own parameters under ``model``)."""
        achieved: float | str | None = self.achieved
        if self.achieved is not None and not math.isfinite(self.achieved):
            achieved = str(achieved)  # JSON has no infinity
        return {
            "model": self.model.to_dict(),
            "label": self.model.describe(),
            "achieved": achieved,
            "passed": self.passed,
            "failing_classes": self.failing_classes,
            "failing_records": self.failing_records,
        }


@dataclass(frozen=True)
class PrivacyModel:
    """Base class of privacy models.

    Class attributes
    ----------------
    name : str
        The registered name (``"k_anonymity"``).
    higher_is_better : bool
        Whether a larger class figure is safer (k, l) or a smaller one (t, beta).
    monotonic : bool
        Whether generalizing can only help: a table that passes keeps passing when classes
        merge. The optimal search prunes with monotonic models only.
    """

    name: ClassVar[str] = ""
    higher_is_better: ClassVar[bool] = True
    monotonic: ClassVar[bool] = True

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Check the parameters (subclasses)."""

    @property
    def sensitive_column(self) -> str | None:
        """The sensitive column the model protects, if any."""
        return getattr(self, "column", None)

    @property
    def needs_population(self) -> bool:
        """Whether the model needs a population table."""
        return False

    # -- evaluation ----------------------------------------------------------------------------
    def class_values(self, table: ClassTable) -> pl.Series:
        """The figure of each class (Float64, aligned with ``table.keys``)."""
        raise NotImplementedError

    def class_passes(self, table: ClassTable) -> pl.Series:
        """Whether each class meets the target (Boolean, aligned with ``table.keys``)."""
        raise NotImplementedError

    def achieved(self, table: ClassTable) -> float | None:
        """The table's figure: the worst class's."""
        if table.classes == 0:
            return None
        values = self.class_values(table)
        worst = values.min() if self.higher_is_better else values.max()
        return float(worst)  # type: ignore[arg-type]

    def evaluate(self, table: ClassTable) -> ModelResult:
        """The figure, pass/fail, and what fails."""
        self._check_table(table)
        if table.classes == 0:
            return ModelResult(self, None, True, 0, 0)
        passes = self.class_passes(table)
        failing = ~passes
        return ModelResult(
            self,
            self.achieved(table),
            bool(passes.all()),
            int(failing.sum()),
            int(table.members.filter(failing).sum()),
        )

    def _check_table(self, table: ClassTable) -> None:
        column = self.sensitive_column
        if column is not None and column not in table.distributions:
            raise ParameterError(
                f"{self.describe()} needs the distribution of {column!r}: pass it among the "
                "sensitive columns."
            )
        if self.needs_population and table.population is None:
            raise ParameterError(
                f"{self.describe()} needs a population table: pass population=... with the "
                "same quasi-identifier columns."
            )

    # -- plain data ----------------------------------------------------------------------------
    def describe(self) -> str:
        """A short label: ``5-anonymity``."""
        return self.name

    def to_dict(self) -> dict[str, Any]:
        """Plain data: ``{"model": name, parameters...}``."""
        out: dict[str, Any] = {"model": self.name}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Hierarchy):
                value = value.to_dict()
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out

    def _bad(self, name: str, wanted: str, got: Any) -> ParameterError:
        return ParameterError(
            f"The {name!r} parameter of {type(self).__name__} must be {wanted}. "
            f"Got {describe(got)} instead."
        )

    def _number(self, name: str, *, low: float, high: float | None, low_open: bool) -> float:
        value = getattr(self, name)
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        if ok:
            ok = value > low if low_open else value >= low
            ok = ok and (high is None or value <= high)
        if not ok:
            bound = ("> " if low_open else ">= ") + f"{low:g}"
            bound += f" and <= {high:g}" if high is not None else ""
            raise self._bad(name, f"a number {bound}", value)
        return float(value)

    def _column(self) -> None:
        column = getattr(self, "column", None)
        if not isinstance(column, str) or not column:
            raise self._bad("column", "the name of a sensitive column", column)


def model_from_dict(data: Any, *, path: str = "model") -> PrivacyModel:
    """Build a model from :meth:`PrivacyModel.to_dict`'s plain data."""
    if not isinstance(data, Mapping) or "model" not in data:
        raise RecipeError("a privacy model is a mapping with a 'model' name", path=path)
    name = data["model"]
    cls = _REGISTRY.get(name) if isinstance(name, str) else None
    if cls is None:
        raise RecipeError(
            f"unknown privacy model {name!r} (known: {', '.join(sorted(_REGISTRY))})",
            path=f"{path}.model",
        )
    params = {k: v for k, v in data.items() if k != "model"}
    known = {f.name: f for f in dataclasses.fields(cls)}
    for key in params:
        if key not in known:
            raise RecipeError(
                f"unknown parameter of {name!r} (its parameters: {', '.join(known)})",
                path=f"{path}.{key}",
            )
    if isinstance(params.get("hierarchy"), Mapping):
        params["hierarchy"] = Hierarchy.from_dict(params["hierarchy"])
    try:
        return cls(**params)
    except (ParameterError, TypeError) as exc:
        raise RecipeError(str(exc), path=path) from None


# -- helpers ---------------------------------------------------------------------------------------
def _per_class(table: ClassTable, frame: pl.DataFrame, column: str, fill: float) -> pl.Series:
    """Spread a (class, value) frame over every class, ``fill`` where a class has no row."""
    out = np.full(table.classes, fill, dtype=float)
    if frame.height:
        index = frame.get_column(CLASS).to_numpy().astype(np.int64)
        out[index] = frame.get_column(column).cast(pl.Float64).fill_null(fill).to_numpy()
    return pl.Series("v", out)


def _counts(table: ClassTable, column: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distribution of ``column`` as arrays: class of each row, its count, and each class's
    total of counted (non-null) values."""
    dist = table.distributions[column]
    cls = dist.get_column(CLASS).to_numpy().astype(np.int64)
    counts = dist.get_column(COUNT).to_numpy().astype(float)
    totals = np.bincount(cls, weights=counts, minlength=table.classes)
    return cls, counts, totals


def _overall_shares(table: ClassTable, column: str) -> np.ndarray:
    """The frame-wide share p of the value of each row of the distribution."""
    overall = table.overall[column]
    total = overall.get_column(COUNT).sum()
    p = (
        table.distributions[column]
        .select(VALUE)
        .join(overall.select(VALUE, (pl.col(COUNT) / total).alias("p")), on=VALUE, how="left",
              maintain_order="left")
        .get_column("p")
    )
    return p.to_numpy().astype(float)


# -- k-anonymity -----------------------------------------------------------------------------------
@_register
@dataclass(frozen=True)
class KAnonymity(PrivacyModel):
    """k-anonymity (Samarati and Sweeney): every class holds at least ``k`` records.

    Parameters
    ----------
    k : int, >= 1
    """

    name: ClassVar[str] = "k_anonymity"
    k: int

    def validate(self) -> None:
        check_int(self.k, "k", "KAnonymity", min_value=1)

    def describe(self) -> str:
        return f"{self.k}-anonymity"

    def class_values(self, table: ClassTable) -> pl.Series:
        return table.size.cast(pl.Float64)

    def class_passes(self, table: ClassTable) -> pl.Series:
        return table.size >= self.k


# -- l-diversity -----------------------------------------------------------------------------------
@_register
@dataclass(frozen=True)
class LDiversity(PrivacyModel):
    """l-diversity (Machanavajjhala et al.) of a sensitive column, in one of three forms.

    Parameters
    ----------
    column : str
        The sensitive column.
    l : float, >= 1
        The target (an int for the distinct and recursive forms).
    variant : {"distinct", "entropy", "recursive"}
        distinct: at least l distinct values per class. entropy: the entropy H of the class's
        distribution (natural log) satisfies exp(H) >= l. recursive (c,l): with the counts
        sorted r1 >= r2 >= ... >= rm, r1 < c (r_l + ... + r_m).
    c : float, optional
        The c of recursive (c,l)-diversity (required for it, unused otherwise).
    """

    name: ClassVar[str] = "l_diversity"
    column: str
    l: float  # noqa: E741 - the model's own letter
    variant: str = "distinct"
    c: float | None = None

    def validate(self) -> None:
        self._column()
        check_one_of(self.variant, "variant", "LDiversity", ("distinct", "entropy", "recursive"))
        if self.variant == "entropy":
            self._number("l", low=1, high=None, low_open=False)
        else:
            check_int(self.l, "l", "LDiversity", min_value=1)
        if self.variant == "recursive":
            if self.c is None:
                raise self._bad("c", "a number > 0 for recursive (c,l)-diversity", self.c)
            self._number("c", low=0, high=None, low_open=True)
        elif self.c is not None:
            raise self._bad("c", "None unless variant='recursive'", self.c)

    @property
    def higher_is_better(self) -> bool:  # type: ignore[override]
        return self.variant != "recursive"

    def describe(self) -> str:
        if self.variant == "recursive":
            return f"recursive ({self.c:g},{self.l:g})-diversity on {self.column}"
        return f"{self.variant} {self.l:g}-diversity on {self.column}"

    def class_values(self, table: ClassTable) -> pl.Series:
        """distinct: distinct values; entropy: exp(H); recursive: the c each class needs
        (r1 / (r_l + ... + r_m), infinite with fewer than l values)."""
        dist = table.distributions[self.column]
        if self.variant == "distinct":
            cls = dist.get_column(CLASS).to_numpy().astype(np.int64)
            return pl.Series("v", np.bincount(cls, minlength=table.classes).astype(float))
        if self.variant == "entropy":
            cls, counts, totals = _counts(table, self.column)
            q = counts / totals[cls]
            entropy = -np.bincount(cls, weights=q * np.log(q), minlength=table.classes)
            return pl.Series("v", np.where(totals > 0, np.exp(entropy), 0.0))
        ell = int(self.l)
        ranked = dist.with_columns(
            pl.col(COUNT).rank("ordinal", descending=True).over(CLASS).alias("_r")
        )
        per = ranked.group_by(CLASS).agg(
            pl.col(COUNT).filter(pl.col("_r") == 1).first().alias("_top"),
            pl.col(COUNT).filter(pl.col("_r") >= ell).sum().alias("_tail"),
        ).with_columns(
            pl.when(pl.col("_tail") > 0)
            .then(pl.col("_top") / pl.col("_tail"))
            .otherwise(float("inf"))
            .alias("v")
        )
        return _per_class(table, per, "v", float("inf"))

    def class_passes(self, table: ClassTable) -> pl.Series:
        values = self.class_values(table)
        if self.variant == "distinct":
            return values >= self.l
        if self.variant == "entropy":
            return values >= self.l * (1 - _EPS)
        assert self.c is not None
        return values < self.c


# -- t-closeness -----------------------------------------------------------------------------------
@_register
@dataclass(frozen=True)
class TCloseness(PrivacyModel):
    """t-closeness (Li, Li and Venkatasubramanian): each class's distribution of a sensitive
    column is within earth mover's distance ``t`` of the whole frame's.

    Parameters
    ----------
    column : str
        The sensitive column.
    t : float in [0, 1]
    distance : {"auto", "equal", "ordered", "hierarchical"}
        equal: half the L1 distance (every pair of values one apart), for categories.
        ordered: values in their order, neighbours 1/(m-1) apart, for numbers and dates.
        hierarchical: the distance of two values is the height of their lowest common
        ancestor in ``hierarchy`` over its height. "auto" is hierarchical with a hierarchy,
        ordered with an ``order`` and for continuous columns (floats, decimals, dates and
        times), equal otherwise: integer columns are taken as codes of categories unless
        declared ordinal (``distance="ordered"`` or an ``order``).
    hierarchy : Hierarchy, optional
        For the hierarchical distance.
    order : list, optional
        The order of the values for the ordered distance, when not their natural order.
    """

    name: ClassVar[str] = "t_closeness"
    higher_is_better: ClassVar[bool] = False
    column: str
    t: float
    distance: str = "auto"
    hierarchy: Hierarchy | None = None
    order: tuple[Any, ...] | None = None

    def validate(self) -> None:
        self._column()
        self._number("t", low=0, high=1, low_open=False)
        check_one_of(self.distance, "distance", "TCloseness",
                     ("auto", "equal", "ordered", "hierarchical"))
        if self.hierarchy is not None and not isinstance(self.hierarchy, Hierarchy):
            raise self._bad("hierarchy", "an anonlab.Hierarchy", self.hierarchy)
        if self.distance == "hierarchical" and self.hierarchy is None:
            raise self._bad("hierarchy", "a Hierarchy for the hierarchical distance", None)
        if self.order is not None:
            if isinstance(self.order, str | bytes) or not hasattr(self.order, "__iter__"):
                raise self._bad("order", "a list of the column's values", self.order)
            object.__setattr__(self, "order", tuple(self.order))

    def describe(self) -> str:
        return f"{self.t:g}-closeness on {self.column}"

    def _kind(self, table: ClassTable) -> str:
        if self.distance != "auto":
            return self.distance
        if self.hierarchy is not None:
            return "hierarchical"
        dtype = table.overall[self.column].schema[VALUE]
        # integers are often codes of categories (1 = married, 2 = single...), whose order
        # means nothing: only floats, decimals and dates are taken as ordered unless declared
        continuous = dtype.is_float() or dtype.is_decimal() or dtype.is_temporal()
        if self.order is not None or continuous:
            return "ordered"
        return "equal"

    def class_values(self, table: ClassTable) -> pl.Series:
        """Each class's EMD to the frame's distribution."""
        kind = self._kind(table)
        if kind == "equal":
            return _emd_equal(table, self.column)
        if kind == "ordered":
            return _emd_ordered(table, self.column, self.order)
        assert self.hierarchy is not None
        return _emd_hierarchical(table, self.column, self.hierarchy)

    def class_passes(self, table: ClassTable) -> pl.Series:
        return self.class_values(table) <= self.t + _EPS


def _emd_equal(table: ClassTable, column: str) -> pl.Series:
    # 0.5 * sum |q - p| over all values = 0.5 * (sum over present |q - p| + 1 - sum over present p)
    cls, counts, totals = _counts(table, column)
    p = _overall_shares(table, column)
    q = counts / totals[cls]
    m = table.classes
    emd = 0.5 * (np.bincount(cls, weights=np.abs(q - p), minlength=m) + 1
                 - np.bincount(cls, weights=p, minlength=m))
    return pl.Series("v", np.where(totals > 0, emd, 1.0)).clip(0.0, 1.0)


def _value_order(overall: pl.DataFrame, order: tuple[Any, ...] | None) -> pl.DataFrame:
    """The frame's values with their rank (0..m-1) in the ordered distance."""
    if order is None:
        return overall.sort(VALUE).with_row_index("_rank")
    ranks = pl.DataFrame({VALUE: list(order)}).with_row_index("_rank")
    try:
        ranks = ranks.with_columns(pl.col(VALUE).cast(overall.schema[VALUE]))
    except pl.exceptions.PolarsError:
        raise ParameterError("The 'order' of TCloseness holds values of another type than "
                             "the column's.") from None
    joined = overall.join(ranks, on=VALUE, how="left")
    missing = joined.get_column("_rank").null_count()
    if missing:
        raise ParameterError(
            f"The 'order' of TCloseness leaves out {missing} value(s) of the column; list "
            "every value."
        )
    return joined.sort("_rank").drop("_rank").with_row_index("_rank")


def _emd_ordered(table: ClassTable, column: str, order: tuple[Any, ...] | None) -> pl.Series:
    # EMD = 1/(m-1) * sum_i |Q_i - P_i|, Q and P the cumulative shares up to the i-th value.
    # A class's Q only changes at the values it holds; between two of them it is a constant c,
    # and as P never decreases, sum |c - P_i| over that stretch is two prefix sums of P split
    # where P passes c. So the cost is O(rows log m), not classes x m.
    overall = _value_order(table.overall[column], order)
    m = overall.height
    if m <= 1:
        return pl.Series("v", [0.0] * table.classes)
    p = overall.get_column(COUNT).to_numpy().astype(float)
    p /= p.sum()
    cum_p = np.cumsum(p)
    prefix = np.concatenate([[0.0], np.cumsum(cum_p)])  # prefix[i] = sum of cum_p[:i]
    dist = table.distributions[column].join(overall.select(VALUE, "_rank"), on=VALUE)
    classes = dist.get_column(CLASS).to_numpy().astype(np.int64)
    ranks = dist.get_column("_rank").to_numpy().astype(np.int64)
    counts = dist.get_column(COUNT).to_numpy().astype(float)
    order_idx = np.lexsort((ranks, classes))
    classes, ranks, counts = classes[order_idx], ranks[order_idx], counts[order_idx]
    totals = np.bincount(classes, weights=counts, minlength=table.classes)
    q = counts / totals[classes]
    first = np.ones(classes.size, dtype=bool)
    first[1:] = classes[1:] != classes[:-1]
    # the cumulative share of each class up to and including each of its values
    start_of = np.maximum.accumulate(np.where(first, np.arange(classes.size), 0))
    running = np.cumsum(q)
    level = running - (running[start_of] - q[start_of])
    last = np.ones(classes.size, dtype=bool)
    last[:-1] = classes[1:] != classes[:-1]
    seg_end = np.where(last, m, np.roll(ranks, -1))

    def stretch(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
        """sum over i in [a, b) of |c - cum_p[i]|."""
        split = np.clip(np.searchsorted(cum_p, c, side="right"), a, b)
        below = c * (split - a) - (prefix[split] - prefix[a])
        above = (prefix[b] - prefix[split]) - c * (b - split)
        total: np.ndarray = below + above
        return total

    per_row = stretch(ranks, seg_end, level)
    # before a class's first value its Q is 0: sum of cum_p over [0, first rank)
    heads = np.where(first, prefix[ranks], 0.0)
    emd = np.bincount(classes, weights=per_row + heads, minlength=table.classes) / (m - 1)
    return pl.Series("v", np.where(totals > 0, emd, 1.0))


def _emd_hierarchical(table: ClassTable, column: str, hierarchy: Hierarchy) -> pl.Series:
    # For each inner node N (at level h >= 1): extra(C) = q_C - p_C of each child C,
    # cost(N) = h / H * min(positive extra, negative extra); EMD = sum of costs. Children absent
    # from a class have extra -p_C, so only present children need rows: with s = sum of p over
    # present children, neg = p_N - s + sum over present of max(p_C - q_C, 0) and
    # pos = neg + q_N - p_N.
    height = hierarchy.height
    shares = table.class_shares(column).with_columns(pl.col(VALUE).cast(pl.String))
    overall = table.overall[column].with_columns(pl.col(VALUE).cast(pl.String))
    total = overall.get_column(COUNT).sum()
    rows = hierarchy.to_rows()
    levels = pl.DataFrame(
        {f"_l{i}": [r[i] for r in rows] for i in range(height + 1)}
    ).unique("_l0")
    missing = overall.join(levels, left_on=VALUE, right_on="_l0", how="anti").height
    if missing:
        raise ParameterError(
            f"The hierarchy of TCloseness on {column!r} does not cover {missing} value(s) of "
            "the column; extend it (Hierarchy.check names how many are missing)."
        )
    leaf = shares.join(levels, left_on=VALUE, right_on="_l0")
    pbase = overall.join(levels, left_on=VALUE, right_on="_l0").with_columns(
        (pl.col(COUNT) / total).alias("p")
    )
    cost = pl.DataFrame({CLASS: [], "cost": []}, schema={CLASS: pl.UInt32, "cost": pl.Float64})
    parts = []
    for h in range(1, height + 1):
        child = "_l0" if h == 1 else f"_l{h - 1}"
        parent = f"_l{h}"
        # q per (class, present child) and the child's full p (over all its leaves, present
        # in the class or not), with the child's parent
        if h == 1:
            kids = leaf.select(CLASS, pl.col(VALUE).alias("_c"), pl.col(parent).alias("_n"),
                               "q", "p")
        else:
            p_child = pbase.group_by(child).agg(pl.col("p").sum())
            kids = (
                leaf.group_by(CLASS, child, parent)
                .agg(pl.col("q").sum())
                .join(p_child, on=child)
                .rename({child: "_c", parent: "_n"})
            )
        p_node = pbase.group_by(parent).agg(pl.col("p").sum().alias("_pn")).rename({parent: "_n"})
        per_node = (
            kids.group_by(CLASS, "_n")
            .agg(
                pl.col("q").sum().alias("_qn"),
                pl.col("p").sum().alias("_s"),
                (pl.col("p") - pl.col("q")).clip(lower_bound=0).sum().alias("_negp"),
            )
            .join(p_node, on="_n")
            .with_columns((pl.col("_pn") - pl.col("_s") + pl.col("_negp")).alias("_neg"))
            .with_columns((pl.col("_neg") + pl.col("_qn") - pl.col("_pn")).alias("_pos"))
            .select(CLASS, (h / height * pl.min_horizontal("_neg", "_pos")).alias("cost"))
        )
        parts.append(per_node)
    if parts:
        cost = pl.concat(parts).group_by(CLASS).agg(pl.col("cost").sum())
    per = cost.rename({"cost": "v"})
    return _per_class(table, per, "v", 0.0).clip(0.0, 1.0)


# -- (alpha, k)-anonymity --------------------------------------------------------------------------
@_register
@dataclass(frozen=True)
class AlphaKAnonymity(PrivacyModel):
    """(alpha, k)-anonymity (Wong et al.): k-anonymity, and no sensitive value makes up more
    than ``alpha`` of any class. The figure is the largest share of one value in a class.

    Parameters
    ----------
    column : str
    alpha : float in (0, 1]
    k : int, >= 1
    """

    name: ClassVar[str] = "alpha_k_anonymity"
    higher_is_better: ClassVar[bool] = False
    column: str
    alpha: float
    k: int = 1

    def validate(self) -> None:
        self._column()
        self._number("alpha", low=0, high=1, low_open=True)
        check_int(self.k, "k", "AlphaKAnonymity", min_value=1)

    def describe(self) -> str:
        return f"({self.alpha:g},{self.k})-anonymity on {self.column}"

    def class_values(self, table: ClassTable) -> pl.Series:
        """The largest share of one sensitive value in each class."""
        dist = table.distributions[self.column]
        per = dist.group_by(CLASS).agg((pl.col(COUNT).max() / pl.col(COUNT).sum()).alias("v"))
        return _per_class(table, per, "v", 0.0)

    def class_passes(self, table: ClassTable) -> pl.Series:
        return (self.class_values(table) <= self.alpha + _EPS) & (table.size >= self.k)


# -- beta-likeness ---------------------------------------------------------------------------------
@_register
@dataclass(frozen=True)
class BetaLikeness(PrivacyModel):
    """beta-likeness (Cao and Karras): a value may be at most ``beta`` times more frequent,
    relatively, in a class than in the frame: (q - p) / p <= beta whenever q > p. The enhanced
    form also bounds it by -ln p, so rare values cannot gain much absolute frequency.

    Parameters
    ----------
    column : str
    beta : float, > 0
    enhanced : bool, default False
    """

    name: ClassVar[str] = "beta_likeness"
    higher_is_better: ClassVar[bool] = False
    column: str
    beta: float
    enhanced: bool = False

    def validate(self) -> None:
        self._column()
        self._number("beta", low=0, high=None, low_open=True)
        if not isinstance(self.enhanced, bool):
            raise self._bad("enhanced", "True or False", self.enhanced)

    def describe(self) -> str:
        kind = "enhanced " if self.enhanced else ""
        return f"{kind}{self.beta:g}-likeness on {self.column}"

    def class_values(self, table: ClassTable) -> pl.Series:
        """Each class's figure: the smallest beta it meets.

        basic: its largest relative gain (q - p) / p (0 when no value gains). enhanced: the
        same, or infinity when a value gains more than -ln p (the enhanced bound
        min(beta, -ln p) is then broken whatever beta is). So a class passes exactly when its
        figure is at most beta, and the table's figure is a beta it meets (pycanon's enhanced
        figure, min(basic figure, max of -ln p), is not: see the tests)."""
        shares = table.class_shares(self.column)
        gain = (pl.col("q") - pl.col("p")) / pl.col("p")
        value = gain
        if self.enhanced:
            value = pl.when(gain > -pl.col("p").log() + _EPS).then(float("inf")).otherwise(gain)
        per = shares.group_by(CLASS).agg(value.max().clip(lower_bound=0).alias("v"))
        return _per_class(table, per, "v", 0.0)

    def class_passes(self, table: ClassTable) -> pl.Series:
        return self.class_values(table) <= self.beta + _EPS


# -- delta-disclosure ------------------------------------------------------------------------------
@_register
@dataclass(frozen=True)
class DeltaDisclosure(PrivacyModel):
    """delta-disclosure privacy (Brickell and Shmatikov): abs(ln(q / p)) < delta for every
    sensitive value present in a class. Not monotonic: merging classes can bring in a value
    that is rare in the merged class.

    Parameters
    ----------
    column : str
    delta : float, > 0
    """

    name: ClassVar[str] = "delta_disclosure"
    higher_is_better: ClassVar[bool] = False
    monotonic: ClassVar[bool] = False
    column: str
    delta: float

    def validate(self) -> None:
        self._column()
        self._number("delta", low=0, high=None, low_open=True)

    def describe(self) -> str:
        return f"{self.delta:g}-disclosure privacy on {self.column}"

    def class_values(self, table: ClassTable) -> pl.Series:
        shares = table.class_shares(self.column)
        per = shares.group_by(CLASS).agg((pl.col("q") / pl.col("p")).log().abs().max().alias("v"))
        return _per_class(table, per, "v", 0.0)

    def class_passes(self, table: ClassTable) -> pl.Series:
        return self.class_values(table) < self.delta


# -- population models -----------------------------------------------------------------------------
@_register
@dataclass(frozen=True)
class KMap(PrivacyModel):
    """k-map (Sweeney): each class matches at least ``k`` records of the population table, so
    a person known to be in the population hides among k. Needs ``population=``.

    Parameters
    ----------
    k : int, >= 1
    """

    name: ClassVar[str] = "k_map"
    k: int

    def validate(self) -> None:
        check_int(self.k, "k", "KMap", min_value=1)

    @property
    def needs_population(self) -> bool:
        return True

    def describe(self) -> str:
        return f"{self.k}-map"

    def class_values(self, table: ClassTable) -> pl.Series:
        assert table.population is not None
        return table.population.cast(pl.Float64)

    def class_passes(self, table: ClassTable) -> pl.Series:
        assert table.population is not None
        return table.population >= self.k


@_register
@dataclass(frozen=True)
class DeltaPresence(PrivacyModel):
    """delta-presence (Nergiz et al.): the chance that a population record with a class's
    values is in the released data, size / population records, lies in [delta_min, delta_max].
    Needs ``population=``. The figure is the largest such chance.

    Parameters
    ----------
    delta_min, delta_max : float in [0, 1], delta_min <= delta_max
    """

    name: ClassVar[str] = "delta_presence"
    higher_is_better: ClassVar[bool] = False
    monotonic: ClassVar[bool] = False
    delta_min: float
    delta_max: float

    def validate(self) -> None:
        low = self._number("delta_min", low=0, high=1, low_open=False)
        high = self._number("delta_max", low=0, high=1, low_open=False)
        if low > high:
            raise self._bad("delta_min", f"<= delta_max ({high:g})", low)

    @property
    def needs_population(self) -> bool:
        return True

    def describe(self) -> str:
        return f"({self.delta_min:g},{self.delta_max:g})-presence"

    def class_values(self, table: ClassTable) -> pl.Series:
        assert table.population is not None
        pop = table.population.cast(pl.Float64)
        return (table.size.cast(pl.Float64) / pop).fill_nan(1.0).clip(upper_bound=1.0)

    def class_passes(self, table: ClassTable) -> pl.Series:
        values = self.class_values(table)
        return (values >= self.delta_min - _EPS) & (values <= self.delta_max + _EPS)

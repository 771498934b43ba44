"""Generalization: replace values by coarser ones (intervals, periods, prefixes, hierarchy labels).

One transform, :class:`Generalize` (``op: generalize``), with six modes; the parameters given pick
exactly one:

============  ==========================  ====================================================
mode          parameters                  ``34`` / ``2024-03-05`` / ``"02139"`` becomes
============  ==========================  ====================================================
width         ``width``, ``origin``,      ``"[30, 40)"`` (or ``30`` with ``label="start"``)
              ``label``
breaks        ``breaks``                  ``"[18, 65)"``; open ends ``"<18"`` and ``">=65"``
quantiles     ``quantiles``               equal-frequency bins from the data: ``"[29, 41)"``
unit          ``unit``, ``as_date``       ``"2024-03"`` (or the Date ``2024-03-01``)
keep          ``keep``, ``char``          ``"021**"``
hierarchy     ``hierarchy``, ``level``    the value's label at ``level``
============  ==========================  ====================================================

Interval labels
---------------
Every numeric label is a half-open interval written ``"[lo, hi)"``: ``lo <= value < hi``, the
format :meth:`Hierarchy.intervals <anonlab.hierarchies.Hierarchy.intervals>` uses, so labels from
either agree. Bounds are written in their shortest form (``20``, not ``20.0``; ``2.5``). The open
ends of ``breaks`` and ``quantiles`` are ``"<lo"`` and ``">=hi"``. Nulls stay null; a float NaN
becomes the label ``"NaN"``, and infinities ``"inf"`` / ``"-inf"`` in the ``width`` mode.

Idempotence
-----------
Where the output has the input's kind, generalizing the output again gives it back unchanged:
``width`` with ``label="start"`` (numbers stay numbers), ``unit`` with ``as_date=True`` (dates stay
dates), and ``keep`` (``"021**"`` stays ``"021**"``). Interval and period labels are strings, so
the numeric and date modes cannot be applied to their own labels; hierarchy labels are not level-0
values of the hierarchy, so the hierarchy mode is not re-appliable either (level 0 maps each
value to its own string form).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

import polars as pl

from anonlab._validation import INT64_MAX, check_int, check_one_of, describe, dtype_name
from anonlab.errors import ColumnNotFoundError, HierarchyError, ParameterError, TransformError
from anonlab.hierarchies import Hierarchy
from anonlab.transforms._params import MAX_DECIMALS, decimals, guarded, is_integral, is_number
from anonlab.transforms.base import Context, Transform, dtype_family
from anonlab.transforms.registry import builtin

__all__ = ["Generalize"]

#: The parameters that choose a mode, in the order they are reported.
MODES: tuple[str, ...] = ("width", "breaks", "quantiles", "unit", "keep", "hierarchy")

#: Parameters that only make sense with one mode, with their defaults.
_COMPANIONS: dict[str, tuple[str, Any]] = {
    "origin": ("width", 0),
    "label": ("width", "interval"),
    "as_date": ("unit", False),
    "char": ("keep", "*"),
    "level": ("hierarchy", None),
}

#: Dtype families each mode takes.
_FAMILIES: dict[str, frozenset[str]] = {
    "width": frozenset({"integer", "float"}),
    "breaks": frozenset({"integer", "float"}),
    "quantiles": frozenset({"integer", "float"}),
    "unit": frozenset({"temporal"}),
    "keep": frozenset({"string"}),
    "hierarchy": frozenset({"string", "integer", "float", "decimal", "temporal", "boolean"}),
}

UNITS: tuple[str, ...] = ("year", "quarter", "month", "week")
_TRUNCATE = {"year": "1y", "quarter": "1q", "month": "1mo", "week": "1w"}

_MAX_QUANTILES = 100


def _fmt(value: float) -> str:
    """A bound as a label: ``20`` for 20.0, ``2.5``."""
    if is_integral(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def _fmt_expr(value: pl.Expr) -> pl.Expr:
    """A Float64 expression as label text: integral values without ``.0``."""
    whole = (value == value.round(0)) & (value.abs() < 1e15)
    return (
        pl.when(whole)
        .then(value.cast(pl.Int64, strict=False).cast(pl.String))
        .otherwise(value.cast(pl.String))
    )


def _interval(lo: pl.Expr, hi: pl.Expr) -> pl.Expr:
    return pl.format("[{}, {})", lo, hi)


@builtin
@dataclass(frozen=True, kw_only=True)
class Generalize(Transform):
    """Replace values by coarser ones: intervals, calendar periods, prefixes or hierarchy labels.

    Give the parameters of exactly one mode; mixing two raises
    :class:`~anonlab.ParameterError` naming both. See the module documentation for the label
    formats and which modes are idempotent.

    Parameters
    ----------
    width : number, optional
        *Fixed-width intervals* of a number column: ``[origin + k*width, origin + (k+1)*width)``.
        Integer columns with an integer width and origin are binned with exact integer
        arithmetic; otherwise bounds are computed in Float64 and rounded to the decimals of
        ``width`` and ``origin``, so ``0.3`` with ``width=0.1`` falls in ``[0.3, 0.4)``.
    origin : number, default 0
        Where the ``width`` intervals are aligned: one interval starts at ``origin``.
    label : {"interval", "start"}, default "interval"
        With ``width``: ``"interval"`` writes ``"[30, 40)"`` (String); ``"start"`` writes the
        interval's start as a number (Int64 for integer columns with an integer ``width`` and
        ``origin``, else Float64), which keeps the column numeric and is idempotent.
    breaks : sequence of numbers, optional
        *Custom intervals* of a number column between these sorted, distinct cut points:
        ``breaks=[18, 65]`` gives ``"<18"``, ``"[18, 65)"`` and ``">=65"``.
    quantiles : int, optional
        *Equal-frequency intervals* of a number column: ``q`` bins (2 to 100) cut at the
        column's ``1/q, 2/q, ...`` quantiles, labelled like ``breaks``. Each cut point is a data
        value (polars' ``"higher"`` quantile method, NaN ignored), so labels show values of the
        data (``"[34, 57)"``) rather than interpolated ones, and ``n`` distinct values with
        ``n`` a multiple of ``q`` fall ``n / q`` in each bin. The cut points
        are computed from the data in the query: the labels depend on the data the step sees
        (deterministically), and tied values can leave fewer than ``q`` distinct bins.
    unit : {"year", "quarter", "month", "week"}, optional
        *Calendar periods* of a Date or Datetime column (a Datetime in its own time zone).
        Labels ``"2024"``, ``"2024-Q1"``, ``"2024-03"``, ``"2024-W09"`` (ISO week and ISO
        week-year, as :meth:`Hierarchy.dates <anonlab.hierarchies.Hierarchy.dates>` writes).
    as_date : bool, default False
        With ``unit``: write the Date the period starts on (the Monday for a week) instead of a
        label; idempotent.
    keep : int, optional
        *Prefixes* of a string column: keep the first ``keep`` characters and replace every
        other character with ``char``, keeping the length (``"02139"`` with ``keep=3`` becomes
        ``"021**"``; a value of at most ``keep`` characters is unchanged). Categorical and Enum
        columns become String.
    char : str, default "*"
        With ``keep``: the replacement character.
    hierarchy : Hierarchy, mapping or str, optional
        *A generalization hierarchy*: each value (matched by its string form) becomes its label
        at ``level``. Plain data from :meth:`Hierarchy.to_dict` or the path of an ARX CSV file
        (read with :meth:`Hierarchy.from_arx_csv`) is accepted and loaded at construction.
    level : int, optional
        With ``hierarchy``: 0 (the value's string form) to ``hierarchy.height``.

    Raises
    ------
    HierarchyError
        When applied, in the hierarchy mode: the column has non-null values the hierarchy does
        not cover. :meth:`apply` counts them with a pass over the column before any other work
        (the message names the column, the number of distinct values and rows, and a few
        examples); :meth:`expr` alone checks each batch as it is evaluated.

    Examples
    --------
    >>> import datetime as dt
    >>> import polars as pl
    >>> from anonlab.transforms import Context
    >>> lf = pl.LazyFrame({"age": [34, 17, None, 70], "zip": ["02139", "021", None, "10001"],
    ...                    "day": [dt.date(2024, 3, 5)] * 4})
    >>> ctx = Context(schema=lf.collect_schema())
    >>> def run(t, column):
    ...     return t.apply(lf, column, ctx).collect()[column].to_list()
    >>> run(Generalize(width=10), "age")
    ['[30, 40)', '[10, 20)', None, '[70, 80)']
    >>> run(Generalize(width=10, label="start"), "age")
    [30, 10, None, 70]
    >>> run(Generalize(breaks=[18, 65]), "age")
    ['[18, 65)', '<18', None, '>=65']
    >>> run(Generalize(unit="quarter"), "day")[0]
    '2024-Q1'
    >>> run(Generalize(keep=3), "zip")
    ['021**', '021', None, '100**']
    """

    op = "generalize"
    accepts = frozenset().union(*_FAMILIES.values())
    width: float | None = None
    origin: float = 0
    label: str = "interval"
    breaks: tuple[float, ...] | None = None
    quantiles: int | None = None
    unit: str | None = None
    as_date: bool = False
    keep: int | None = None
    char: str = "*"
    hierarchy: Hierarchy | None = None
    level: int | None = None

    # -- configuration -------------------------------------------------------------------------
    @property
    def mode(self) -> str:
        """The mode the parameters chose: one of :data:`MODES`."""
        return next(m for m in MODES if getattr(self, m) is not None)

    def validate(self) -> None:
        owner = type(self).__name__
        given = [m for m in MODES if getattr(self, m) is not None]
        if len(given) > 1:
            raise ParameterError(
                f"{owner} takes the parameters of one mode, but got both {given[0]!r} and "
                f"{given[1]!r}. Use one of {', '.join(repr(m) for m in MODES)} per step, and "
                "two steps to generalize twice."
            )
        if not given:
            raise ParameterError(
                f"{owner} needs one of {', '.join(repr(m) for m in MODES)} to choose how to "
                "generalize. Got none; e.g. Generalize(width=10) or Generalize(unit='month')."
            )
        mode = given[0]
        for name, (needs, default) in _COMPANIONS.items():
            value = getattr(self, name)
            if needs != mode and value != default:
                raise ParameterError(
                    f"The {name!r} parameter of {owner} goes with {needs!r}, but this step "
                    f"generalizes with {mode!r}. Remove {name!r} or use {needs!r}."
                )
        getattr(self, f"_validate_{mode}")()

    def _validate_width(self) -> None:
        if not is_number(self.width) or self.width <= 0:
            raise self._bad("width", "a positive number", self.width)
        if not is_number(self.origin):
            raise self._bad("origin", "a finite number", self.origin)
        for name in ("width", "origin"):
            value = getattr(self, name)
            exponent = Decimal(repr(value)).normalize().as_tuple().exponent
            if isinstance(exponent, int) and -exponent > MAX_DECIMALS:
                # bounds are rounded to the decimals of width and origin: finer than a label's
                # precision, every interval would print as "[1, 1)"
                raise ParameterError(
                    f"The {name!r} parameter of {type(self).__name__} is {value!r}, finer than "
                    f"interval labels can write (at most {MAX_DECIMALS} decimal places, so no "
                    f"smaller than 1e-{MAX_DECIMALS}). Scale the column first, or use a coarser "
                    "width."
                )
        check_one_of(self.label, "label", type(self).__name__, ("interval", "start"))

    def _validate_breaks(self) -> None:
        wanted = "a non-empty list of finite numbers in increasing order, each once"
        breaks = self.breaks
        if isinstance(breaks, str | bytes | Mapping) or not isinstance(breaks, Iterable):
            raise self._bad("breaks", wanted, breaks)
        values = tuple(breaks)
        if not values or not all(is_number(v) for v in values):
            raise self._bad("breaks", wanted, breaks)
        if any(b <= a for a, b in itertools.pairwise(values)):
            raise self._bad("breaks", wanted, breaks)
        self._set("breaks", values)

    def _validate_quantiles(self) -> None:
        check_int(
            self.quantiles, "quantiles", type(self).__name__, min_value=2,
            max_value=_MAX_QUANTILES,
        )

    def _validate_unit(self) -> None:
        check_one_of(self.unit, "unit", type(self).__name__, UNITS)
        if not isinstance(self.as_date, bool):
            raise self._bad("as_date", "a bool", self.as_date)

    def _validate_keep(self) -> None:
        check_int(self.keep, "keep", type(self).__name__, min_value=0)
        if not (isinstance(self.char, str) and len(self.char) == 1):
            raise self._bad("char", "a single character", self.char)

    def _validate_hierarchy(self) -> None:
        owner = type(self).__name__
        hierarchy = self.hierarchy
        wanted = "a Hierarchy, its plain data (Hierarchy.to_dict()) or the path of an ARX CSV file"
        if not isinstance(hierarchy, Hierarchy):
            try:
                if isinstance(hierarchy, Mapping):
                    hierarchy = Hierarchy.from_dict(hierarchy)
                elif isinstance(hierarchy, str | os.PathLike):
                    hierarchy = Hierarchy.from_arx_csv(hierarchy)
                else:
                    raise self._bad("hierarchy", wanted, hierarchy)
            except (HierarchyError, OSError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
                raise ParameterError(
                    f"The 'hierarchy' parameter of {owner} must be {wanted}. Got "
                    f"{describe(self.hierarchy)}, which cannot be loaded: {reason}"
                ) from None
            self._set("hierarchy", hierarchy)
        if self.level is None:
            raise ParameterError(
                f"The 'level' parameter of {owner} must be given with 'hierarchy': an int from "
                f"0 to {hierarchy.height} (the hierarchy's height)."
            )
        check_int(self.level, "level", owner, min_value=0, max_value=hierarchy.height)

    def to_dict(self) -> dict[str, Any]:
        """Plain data with only the parameters that differ from their defaults."""
        out = super().to_dict()
        for f in fields(self):
            if getattr(self, f.name) == f.default:
                del out[f.name]
        return out

    # -- applying ------------------------------------------------------------------------------
    def check_input(self, column: str, dtype: pl.DataType) -> None:
        """Refuse a column whose dtype the chosen mode cannot handle."""
        mode = self.mode
        families = _FAMILIES[mode]
        if dtype_family(dtype) not in families:
            wanted = ", ".join(sorted(families))
            raise TransformError(
                f"The 'generalize' transform with {mode!r} cannot apply to column {column!r} of "
                f"dtype {dtype_name(dtype)}: that mode takes {wanted} columns. Cast the column "
                "first or choose another mode."
            )

    def _dtype(self, column: str, ctx: Context) -> pl.DataType:
        if column not in ctx.schema:
            raise ColumnNotFoundError(column, ctx.schema.names(), where="generalize")
        dtype = ctx.schema[column]
        self.check_input(column, dtype)
        return dtype

    def expr(self, column: str, ctx: Context) -> pl.Expr:
        """The generalized column (in the hierarchy mode, checked batch by batch)."""
        dtype = self._dtype(column, ctx)
        return self._expr(column, dtype, strict=True)

    def apply(self, lf: pl.LazyFrame, column: str, ctx: Context) -> pl.LazyFrame:
        """Replace ``column``; in the hierarchy mode, first check its values in one pass."""
        dtype = self._dtype(column, ctx)
        if self.mode != "hierarchy":
            return lf.with_columns(self._expr(column, dtype, strict=True).alias(column))
        assert self.hierarchy is not None
        text = pl.col(column).cast(pl.String)
        unknown = (
            lf.select(text.alias(column))
            .filter(text.is_not_null() & text.is_in(list(self.hierarchy.values)).not_())
            .collect()
            .get_column(column)
        )
        if unknown.len():
            # raises, counting rows and distinct values; a recipe does not know which columns
            # are identifiers, so it never shows the values (Hierarchy.check does, on request)
            self.hierarchy.check(unknown, identifier=True)
        return lf.with_columns(self._expr(column, dtype, strict=False).alias(column))

    def _expr(self, column: str, dtype: pl.DataType, *, strict: bool) -> pl.Expr:
        mode = self.mode
        if mode == "hierarchy":
            assert self.hierarchy is not None and self.level is not None
            return self.hierarchy.expr(column, self.level, strict=strict,
                                       identifier=True).alias(column)
        if mode == "unit":
            return self._by_unit(pl.col(column))
        if mode == "keep":
            return self._by_prefix(pl.col(column).cast(pl.String))
        x = pl.col(column)
        is_float = dtype.is_float()
        if mode == "width":
            out = self._by_width(x, integer=dtype.is_integer(), column=column)
        elif mode == "breaks":
            out = self._by_breaks(x.cast(pl.Float64))
        else:
            out = self._by_quantiles(x.cast(pl.Float64), is_float=is_float)
        if is_float and not (mode == "width" and self.label == "start"):
            out = pl.when(x.is_nan()).then(pl.lit("NaN")).otherwise(out)
        return pl.when(x.is_not_null()).then(out)

    def _by_width(self, x: pl.Expr, *, integer: bool, column: str = "") -> pl.Expr:
        assert self.width is not None
        origin, width = self.origin, self.width
        exact = all(is_integral(v) and abs(v) <= INT64_MAX for v in (width, origin))
        if integer and exact:
            # Int128 arithmetic: UInt64 values above Int64's range, and sums near its ends,
            # would otherwise fail the cast or wrap around
            o, w = int(origin), int(width)
            start = ((x.cast(pl.Int128) - o) // w) * w + o
            if self.label == "start":
                limit = INT64_MAX

                def outside(s: pl.Series) -> pl.Series:
                    return (s > limit) | (s < -limit - 1)

                return guarded(start, outside, lambda n: TransformError(
                    f"Generalize(width={width!r}, label='start') on column {column!r}: {n:,} "
                    "interval start(s) lie beyond the Int64 range that label='start' writes. "
                    "Use label='interval' (text labels hold any integer)."
                ), pl.Int128()).cast(pl.Int64)
            return _interval(start, start + w)
        places = decimals(width, origin)
        xf = x.cast(pl.Float64)
        k = ((xf - origin) / width).floor()

        def bound(k: pl.Expr) -> pl.Expr:
            return (k * width + origin).round(places)

        # float division can land a value a hair off its interval: move it to the right one
        k = pl.when(xf >= bound(k + 1)).then(k + 1).when(xf < bound(k)).then(k - 1).otherwise(k)
        finite = xf.is_finite()
        # a value so large that a width is below its float precision has no interval of that
        # width: its bounds would print equal ("[1e+20, 1e+20)"); refused, naming the column
        pair = pl.struct(bound(k).alias("lo"), bound(k + 1).alias("hi"), finite.alias("ok"))

        def collapsed(s: pl.Series) -> pl.Series:
            lo, hi, ok = (s.struct.field(f) for f in ("lo", "hi", "ok"))
            return ok & ~(hi > lo)

        pair = guarded(pair, collapsed, lambda n: TransformError(
            f"Generalize(width={width!r}) on column {column!r}: {n:,} value(s) are so large that "
            f"an interval of width {width!r} is below their float precision, and its bounds "
            "would print equal. Use a larger width, or subtract an origin first."
        ), pl.Struct({"lo": pl.Float64, "hi": pl.Float64, "ok": pl.Boolean}))
        start = pair.struct.field("lo")
        if self.label == "start":
            return pl.when(finite).then(start).otherwise(xf)
        label = _interval(_fmt_expr(start), _fmt_expr(pair.struct.field("hi")))
        return pl.when(finite).then(label).otherwise(xf.cast(pl.String))

    def _by_breaks(self, x: pl.Expr) -> pl.Expr:
        assert self.breaks is not None
        breaks = [float(b) for b in self.breaks]
        shown = [_fmt(b) for b in self.breaks]
        labels = [f"<{shown[0]}"]
        labels += [f"[{a}, {b})" for a, b in itertools.pairwise(shown)]
        labels.append(f">={shown[-1]}")
        k = pl.lit(pl.Series(breaks, dtype=pl.Float64)).search_sorted(x, side="right")
        return k.replace_strict(list(range(len(labels))), labels, return_dtype=pl.String)

    def _by_quantiles(self, x: pl.Expr, *, is_float: bool) -> pl.Expr:
        assert self.quantiles is not None
        q = self.quantiles
        data = x.filter(x.is_not_nan()) if is_float else x
        # the q - 1 cut points, computed once as one list (they are sorted)
        cuts = data.quantile([i / q for i in range(1, q)], interpolation="higher")
        # the number of cut points at or below the value: its bin (ties skip empty bins)
        k = cuts.explode().search_sorted(x, side="right")
        # the q labels, built over the short list of cut points rather than per row
        e = pl.element().cast(pl.String).str.replace(r"\.0$", "")
        position = pl.int_range(pl.len())
        labels = pl.concat_list(cuts, cuts.list.last()).list.eval(
            pl.when(position == 0)
            .then(pl.format("<{}", e))
            .when(position == pl.len() - 1)
            .then(pl.format(">={}", e.shift(1)))
            .otherwise(_interval(e.shift(1), e))
        )
        return labels.explode().gather(k)

    def _by_unit(self, x: pl.Expr) -> pl.Expr:
        assert self.unit is not None
        if self.as_date:
            return x.dt.truncate(_TRUNCATE[self.unit]).dt.date()
        year = x.dt.strftime("%Y")
        return {
            "year": year,
            "quarter": pl.format("{}-Q{}", year, x.dt.quarter()),
            "month": x.dt.strftime("%Y-%m"),
            "week": x.dt.strftime("%G-W%V"),
        }[self.unit]

    def _by_prefix(self, text: pl.Expr) -> pl.Expr:
        assert self.keep is not None
        return text.str.slice(0, self.keep).str.pad_end(text.str.len_chars(), self.char)

"""Recoding numbers: top and bottom coding, and rounding.

``top_bottom_code`` (:class:`TopBottomCode`)
    Values above a threshold become the threshold (or a label such as ``"90+"``), values below
    another become that one: the rare extremes that single people out are pooled (sdcMicro's
    ``topBotCoding``).
``round`` (:class:`Round`)
    Round to a multiple (``to=5``) or to decimal digits (``digits=1``).

Both take integer and float columns; nulls stay null and a float NaN stays NaN. Cast a Decimal
column to Float64 first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from anonlab._validation import check_int
from anonlab.errors import ParameterError
from anonlab.transforms._params import MAX_DECIMALS, decimals, input_dtype, is_integral, is_number
from anonlab.transforms.base import Context, Transform
from anonlab.transforms.registry import builtin

if TYPE_CHECKING:
    from polars.expr.whenthen import ChainedThen, Then

__all__ = ["Round", "TopBottomCode"]

_INT_BITS: dict[pl.DataType, tuple[bool, int]] = {
    pl.Int8(): (True, 8),
    pl.Int16(): (True, 16),
    pl.Int32(): (True, 32),
    pl.Int64(): (True, 64),
    pl.Int128(): (True, 128),
    pl.UInt8(): (False, 8),
    pl.UInt16(): (False, 16),
    pl.UInt32(): (False, 32),
    pl.UInt64(): (False, 64),
}



def _int_range(dtype: pl.DataType) -> tuple[int, int]:
    """The smallest and largest value of an integer dtype."""
    signed, bits = _INT_BITS.get(dtype, (True, 64))
    if signed:
        return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    return 0, 2**bits - 1


def round_to_multiple(x: pl.Expr, to: float) -> pl.Expr:
    """Float ``x`` rounded to the nearest multiple of ``to``, halves away from zero.

    The result is rounded again to the decimals of ``to`` so that binary floating point does not
    leave ``0.30000000000000004`` behind.

    Examples
    --------
    >>> import polars as pl
    >>> pl.select(round_to_multiple(pl.lit(0.26), 0.05)).item()
    0.25
    """
    out = (x / to).round(0, mode="half_away_from_zero") * to
    return out.round(decimals(to))


@builtin
@dataclass(frozen=True, kw_only=True)
class TopBottomCode(Transform):
    """Pool the extremes of a number column: values above ``top`` or below ``bottom``.

    Without labels the column stays numeric: a value above ``top`` becomes ``top`` and one below
    ``bottom`` becomes ``bottom`` (sdcMicro's ``topBotCoding``). An integer column keeps its
    dtype when the thresholds are integers (a threshold beyond the dtype's range widens it to
    Int64); a non-integer threshold makes it Float64; a float column keeps its dtype.

    With a label the column becomes String: coded values read as the label, the others as the
    number's string form (as polars writes it: ``"34"``, ``"52000.5"``). A threshold without a
    label still codes to the number, written as text.

    Nulls stay null and NaN stays NaN (``"NaN"`` in a String output); infinities are coded.

    Parameters
    ----------
    top : number, optional
        Values strictly above it are coded.
    bottom : number, optional
        Values strictly below it are coded; must be below ``top``. At least one of the two.
    top_label : str, optional
        Write this for values above ``top`` (e.g. ``top=89, top_label="90+"``).
    bottom_label : str, optional
        Write this for values below ``bottom``.

    Examples
    --------
    >>> import polars as pl
    >>> from anonlab.transforms import Context
    >>> lf = pl.LazyFrame({"age": [34, 95, None, 12]})
    >>> ctx = Context(schema=lf.collect_schema())
    >>> TopBottomCode(top=89, bottom=18).apply(lf, "age", ctx).collect()["age"].to_list()
    [34, 89, None, 18]
    >>> t = TopBottomCode(top=89, top_label="90+")
    >>> t.apply(lf, "age", ctx).collect()["age"].to_list()
    ['34', '90+', None, '12']
    """

    op = "top_bottom_code"
    accepts = frozenset({"integer", "float"})
    top: float | None = None
    bottom: float | None = None
    top_label: str | None = None
    bottom_label: str | None = None

    def validate(self) -> None:
        for name in ("top", "bottom"):
            value = getattr(self, name)
            if value is not None and not is_number(value):
                raise self._bad(name, "a finite number or None", value)
        if self.top is None and self.bottom is None:
            raise ParameterError(
                "TopBottomCode needs 'top', 'bottom' or both: the thresholds beyond which values "
                "are coded. Got neither."
            )
        if self.top is not None and self.bottom is not None and not self.bottom < self.top:
            raise self._bad("bottom", f"below top={self.top!r}", self.bottom)
        for name, needs in (("top_label", "top"), ("bottom_label", "bottom")):
            value = getattr(self, name)
            if value is None:
                continue
            if not isinstance(value, str) or not value:
                raise self._bad(name, "a non-empty str or None", value)
            if getattr(self, needs) is None:
                raise self._bad(name, f"None when {needs!r} is not given", value)

    def expr(self, column: str, ctx: Context) -> pl.Expr:
        dtype = input_dtype(self, column, ctx)
        x = pl.col(column)
        top, bottom = self.top, self.bottom
        if dtype.is_integer():
            if all(v is None or is_integral(v) for v in (top, bottom)):
                lo, hi = _int_range(dtype)
                # a threshold beyond the dtype's range on the side no value reaches does nothing
                if top is not None and top >= hi:
                    top = None
                if bottom is not None and bottom <= lo:
                    bottom = None
                if (top is not None and top < lo) or (bottom is not None and bottom > hi):
                    x = x.cast(pl.Int64)
                top = None if top is None else int(top)
                bottom = None if bottom is None else int(bottom)
            else:
                x = x.cast(pl.Float64)
        # thresholds without a label clip the number; NaN stays NaN
        numeric = x.clip(
            lower_bound=None if self.bottom_label is not None else bottom,
            upper_bound=None if self.top_label is not None else top,
        )
        if self.top_label is None and self.bottom_label is None:
            return numeric
        out: Then | ChainedThen = pl.when(x.is_null()).then(None)
        if dtype.is_float():
            out = out.when(x.is_nan()).then(pl.lit("NaN"))
        if self.top_label is not None and top is not None:
            out = out.when(x > top).then(pl.lit(self.top_label))
        if self.bottom_label is not None and bottom is not None:
            out = out.when(x < bottom).then(pl.lit(self.bottom_label))
        return out.otherwise(numeric.cast(pl.String))


@builtin
@dataclass(frozen=True, kw_only=True)
class Round(Transform):
    """Round numbers to a multiple (``to``) or to decimal digits (``digits``).

    Halves go away from zero (``2.5`` to ``3``, ``-15`` to a multiple of 10 gives ``-20``).
    ``to`` on an integer column with an integer ``to`` is exact integer arithmetic and gives
    Int64; a non-integer ``to`` gives Float64 for an integer column. A float column keeps its
    dtype; binary floating point can round a float halfway case such as ``0.35`` to ``0.1``
    either way. ``digits`` leaves an integer column unchanged. Nulls stay null, NaN stays NaN.

    Parameters
    ----------
    to : number, optional
        Round to the nearest multiple of this positive number (``5``, ``1000``, ``0.5``).
    digits : int, optional
        Round to this many decimal digits (0 to 15). Exactly one of ``to`` and ``digits``.

    Examples
    --------
    >>> import polars as pl
    >>> from anonlab.transforms import Context
    >>> lf = pl.LazyFrame({"income": [52_123, 61_500, None], "bmi": [22.46, 31.05, 19.5]})
    >>> ctx = Context(schema=lf.collect_schema())
    >>> Round(to=1000).apply(lf, "income", ctx).collect()["income"].to_list()
    [52000, 62000, None]
    >>> Round(digits=1).apply(lf, "bmi", ctx).collect()["bmi"].to_list()
    [22.5, 31.1, 19.5]
    """

    op = "round"
    accepts = frozenset({"integer", "float"})
    to: float | None = None
    digits: int | None = None

    def validate(self) -> None:
        if (self.to is None) == (self.digits is None):
            got = "both" if self.to is not None else "neither"
            raise ParameterError(
                "Round takes exactly one of 'to' (round to a multiple, e.g. to=5) and 'digits' "
                f"(decimal digits, e.g. digits=1). Got {got}."
            )
        if self.to is not None and (not is_number(self.to) or self.to <= 0):
            raise self._bad("to", "a positive number", self.to)
        if self.digits is not None:
            check_int(self.digits, "digits", type(self).__name__, min_value=0,
                      max_value=MAX_DECIMALS)

    def expr(self, column: str, ctx: Context) -> pl.Expr:
        dtype = input_dtype(self, column, ctx)
        x = pl.col(column)
        if self.digits is not None:
            if dtype.is_integer():
                return x
            return x.round(self.digits, mode="half_away_from_zero")
        assert self.to is not None
        if dtype.is_integer() and is_integral(self.to):
            to = int(self.to)
            a = x.cast(pl.Int64)
            magnitude = ((a.abs() + to // 2) // to) * to
            return pl.when(a < 0).then(-magnitude).otherwise(magnitude)
        out = round_to_multiple(x.cast(pl.Float64), self.to)
        return out.cast(dtype) if dtype.is_float() else out

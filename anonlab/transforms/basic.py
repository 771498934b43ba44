"""The simplest transforms: keep a column, drop it, or replace every value with a constant."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from anonlab.transforms.base import Context, Transform
from anonlab.transforms.registry import builtin

__all__ = ["Drop", "Keep", "Redact"]


@builtin
@dataclass(frozen=True, kw_only=True)
class Keep(Transform):
    """Keep the column as it is (records the decision in the recipe)."""

    op = "keep"

    def expr(self, column: str, ctx: Context) -> pl.Expr:
        return pl.col(column)

    def apply(self, lf: pl.LazyFrame, column: str, ctx: Context) -> pl.LazyFrame:
        return lf  # nothing to do: no node is added to the plan

    def schema_after(self, schema: pl.Schema, column: str, ctx: Context) -> pl.Schema | None:
        return schema


@builtin
@dataclass(frozen=True, kw_only=True)
class Drop(Transform):
    """Remove the column from the output."""

    op = "drop"
    scope = "frame"
    hides_values = True
    linkage = "hidden"

    def apply(self, lf: pl.LazyFrame, column: str, ctx: Context) -> pl.LazyFrame:
        return lf.drop(column)

    def schema_after(self, schema: pl.Schema, column: str, ctx: Context) -> pl.Schema | None:
        return pl.Schema({n: t for n, t in schema.items() if n != column})

    def output_column(self, column: str) -> str | None:
        return None


@builtin
@dataclass(frozen=True, kw_only=True)
class Redact(Transform):
    """Replace every value with one constant string (nulls stay null unless ``nulls=True``).

    Parameters
    ----------
    value : str, default "[REDACTED]"
        The replacement.
    nulls : bool, default False
        Also replace nulls, so that not even missingness survives.
    """

    op = "redact"
    hides_values = True
    linkage = "hidden"
    value: str = "[REDACTED]"
    nulls: bool = False

    def validate(self) -> None:
        if not isinstance(self.value, str):
            raise self._bad("value", "a str", self.value)
        if not isinstance(self.nulls, bool):
            raise self._bad("nulls", "a bool", self.nulls)

    def expr(self, column: str, ctx: Context) -> pl.Expr:
        constant = pl.lit(self.value, dtype=pl.String)
        if self.nulls:
            return constant
        return pl.when(pl.col(column).is_null()).then(None).otherwise(constant)

"""The suppression rule of :mod:`anonlab.suppressed`, by brute force over pairs of records: the
independent implementation the tests compare anonlab's figures with (small frames only)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl


def off(value: Any) -> bool:
    """A suppressed cell: null or '*' (NaN is a value)."""
    return value is None or value == "*"


def compatible(r: Sequence[Any], s: Sequence[Any]) -> bool:
    """Equal, or suppressed on one side, on every position."""
    return all(off(a) or off(b) or a == b for a, b in zip(r, s, strict=True))


def rows(frame: pl.DataFrame, columns: Sequence[str]) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in frame.select(list(columns)).iter_rows()]


def suppressed(row: Sequence[Any]) -> bool:
    return all(off(v) for v in row)


def frequencies(keys: list[tuple[Any, ...]]) -> list[int]:
    """Per record, the records that are not suppressed and are compatible with it; 0 for a
    suppressed record."""
    kept = [k for k in keys if not suppressed(k)]
    return [0 if suppressed(k) else sum(compatible(k, s) for s in kept) for k in keys]

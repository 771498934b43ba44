"""A profile as a table (one row per column) and as plain text."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl

from anonlab._validation import check_one_of

if TYPE_CHECKING:
    from anonlab.profiling.profile import ColumnProfile, Profile

__all__ = ["profile_table", "profile_text"]


def _fmt(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _top_text(c: ColumnProfile) -> str:
    return ", ".join(f"{_fmt(v)} ({n:,})" for v, n in c.top_values)


def profile_table(profile: Profile, backend: str | None = None) -> Any:
    """One row per column of ``profile``, as a polars, pandas or Arrow table."""
    default = {"pandas": "pandas", "arrow": "arrow"}.get(profile.source, "polars")
    backend = default if backend is None else backend
    check_one_of(backend, "backend", "Profile.to_frame", ("polars", "pandas", "arrow"))
    table = pl.DataFrame(
        {
            "column": [c.name for c in profile],
            "dtype": [c.dtype for c in profile],
            "rows": [c.rows for c in profile],
            "nulls": [c.nulls for c in profile],
            "null_share": [c.null_share for c in profile],
            "distinct": [c.distinct for c in profile],
            "uniqueness": [c.uniqueness for c in profile],
            "kind": [None if c.kind is None else c.kind.value for c in profile],
            "kind_share": [c.detection.share if c.kind is not None else None for c in profile],
            "checked": [c.detection.checked for c in profile],
            "sampled": [c.detection.sampled for c in profile],
            "role": [c.role.value for c in profile],
            "hipaa": [None if c.hipaa is None else str(c.hipaa) for c in profile],
            "min": [_fmt(c.min) for c in profile],
            "max": [_fmt(c.max) for c in profile],
            "mean": [_fmt(c.mean) for c in profile],
            "min_length": [c.min_length for c in profile],
            "max_length": [c.max_length for c in profile],
            "top_values": [_top_text(c) for c in profile],
            "reason": [c.role_reason for c in profile],
            "evidence": [c.detection.evidence for c in profile],
        },
        schema_overrides={
            "kind": pl.String, "hipaa": pl.String, "min": pl.String, "max": pl.String,
            "mean": pl.String, "min_length": pl.Int64, "max_length": pl.Int64,
            "kind_share": pl.Float64,
        },
    )
    if backend == "pandas":
        return table.to_pandas()
    if backend == "arrow":
        return table.to_arrow()
    return table


def profile_text(profile: Profile) -> str:
    """A fixed-width text summary, for terminals and ``repr``."""
    sampled = (
        f" (statistics from a sample of {profile.rows_profiled:,})" if profile.sampled else ""
    )
    head = f"Profile: {profile.rows:,} rows x {len(profile)} columns{sampled}"
    rows = [("column", "dtype", "nulls", "distinct", "unique", "kind", "role", "HIPAA")]
    for c in profile:
        kind = "-" if c.kind is None else f"{c.kind.value} {c.detection.share:.0%}"
        if c.kind is not None and c.detection.sampled:
            kind += f" of {c.detection.checked:,}"
        rows.append(
            (
                c.name,
                c.dtype,
                f"{c.nulls:,}",
                f"{c.distinct:,}",
                f"{c.uniqueness:.2f}",
                kind,
                c.role.value,
                "-" if c.hipaa is None else f"({c.hipaa.letter}) {c.hipaa.label}",
            )
        )
    widths = [min(max(len(r[i]) for r in rows), 42) for i in range(len(rows[0]))]
    lines = [head]
    for r in rows:
        cells = [
            (cell if len(cell) <= w else cell[: w - 1] + "…").ljust(w)
            for cell, w in zip(r, widths, strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)

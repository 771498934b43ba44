"""Checks shared by the attack evaluators: frames, column lists, column kinds, the generator.

Every evaluator takes a ``release`` (what the recipient holds), ``targets`` (what an attacker
knows about records that are in the release, mapped into the release's value space) and,
optionally, ``control`` (records of the same population that are not in the release, mapped the
same way). Faults are reported with anonlab errors that name the frame, the column and the
parameter, never a cell value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import polars as pl

from anonlab._validation import describe, dtype_name
from anonlab.errors import ColumnNotFoundError, EmptyFrameError, ParameterError
from anonlab.frames import ingest_eager

__all__ = [
    "WILDCARD",
    "Frames",
    "Kind",
    "check_columns",
    "check_frames",
    "check_n_attacks",
    "check_rng",
    "check_truth",
    "column_kinds",
    "wildcard_expr",
]

WILDCARD = "*"
"""The label of a suppressed cell in a text column (the top of an ARX hierarchy). A null cell,
or NaN in a float column, is a wildcard too."""

Kind = Literal["numeric", "categorical"]


@dataclass(frozen=True, eq=False)
class Frames:
    """The checked frames of one evaluation."""

    release: pl.DataFrame
    targets: pl.DataFrame
    control: pl.DataFrame | None


def check_rng(rng: Any, owner: str) -> np.random.Generator:
    """The generator, or a ParameterError: every random draw comes from the caller's generator."""
    if not isinstance(rng, np.random.Generator):
        raise ParameterError(
            f"The 'rng' parameter of {owner} must be a numpy.random.Generator, e.g. "
            f"numpy.random.default_rng(seed). Got {describe(rng)} instead."
        )
    return rng


def _frame(value: Any, name: str, owner: str) -> pl.DataFrame:
    data, _ = ingest_eager(value, owner=owner)
    if data.width == 0 or data.height == 0:
        what = "no columns" if data.width == 0 else "no rows"
        raise EmptyFrameError(
            f"The {name!r} frame given to {owner} has {what}; an attack needs records to "
            "attack. Pass a frame with at least one row and one column."
        )
    return data


def check_frames(release: Any, targets: Any, control: Any, owner: str) -> Frames:
    """Ingest the three frames (pandas, polars, lazy or Arrow) and refuse empty ones."""
    return Frames(
        release=_frame(release, "release", owner),
        targets=_frame(targets, "targets", owner),
        control=None if control is None else _frame(control, "control", owner),
    )


def check_n_attacks(value: Any, owner: str, *, allow_none: bool = False) -> int | None:
    """``n_attacks``: an int >= 1 (or None for every target where allowed)."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        extra = " or None (every target)" if allow_none else ""
        raise ParameterError(
            f"The 'n_attacks' parameter of {owner} must be an int >= 1{extra}. "
            f"Got {describe(value)} instead."
        )
    return value


def check_columns(
    value: Any,
    frames: Frames,
    owner: str,
    parameter: str,
    *,
    truth: str | None = None,
    default: Sequence[str] | None = None,
) -> tuple[str, ...]:
    """A non-empty list of distinct column names present in every frame (not the truth column)."""
    if value is None and default is not None:
        value = list(default)
    if isinstance(value, str) or not isinstance(value, Sequence) or len(value) == 0:
        raise ParameterError(
            f"The {parameter!r} parameter of {owner} must be a non-empty list of column names. "
            f"Got {describe(value)} instead."
        )
    names = tuple(value)
    for name in names:
        if not isinstance(name, str):
            raise ParameterError(
                f"The {parameter!r} parameter of {owner} must hold column names (str). "
                f"Got {describe(name)} in it."
            )
    if len(set(names)) != len(names):
        raise ParameterError(
            f"The {parameter!r} parameter of {owner} names a column twice. Name each once."
        )
    where = f"the {parameter!r} parameter of {owner}"
    for name in names:
        if truth is not None and name == truth:
            raise ParameterError(
                f"The {parameter!r} parameter of {owner} names the truth column {truth!r}, "
                "which says which release row a target became and is not attacker knowledge. "
                "Leave it out, or name the truth column differently with 'truth'."
            )
        for label, frame in (
            ("release", frames.release),
            ("targets", frames.targets),
            ("control", frames.control),
        ):
            if frame is not None and name not in frame.columns:
                raise ColumnNotFoundError(name, frame.columns, where=f"{where}, in {label}")
    return names


def _family(dtype: pl.DataType) -> str:
    if dtype == pl.Boolean:
        return "boolean"
    if dtype.is_numeric():
        return "numeric"
    if dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum | pl.Categorical):
        return "text"
    if dtype.is_nested() or dtype in (pl.Object, pl.Binary):
        return "unsupported"
    return f"other:{dtype_name(dtype)}"


def column_kinds(columns: Sequence[str], frames: Frames, owner: str) -> dict[str, Kind]:
    """Each column's kind, from the release's dtype; the other frames must hold the same kind.

    Numeric (integer, float, decimal) columns are compared by value (distances scaled by the
    range); every other column (text, boolean, dates) by equality of its values.
    """
    kinds: dict[str, Kind] = {}
    for name in columns:
        dtype = frames.release.schema[name]
        family = _family(dtype)
        if family == "unsupported":
            raise ParameterError(
                f"Column {name!r} of the release given to {owner} holds {dtype_name(dtype)}, "
                "which an attack cannot compare. Leave it out of the attack's columns."
            )
        for label, frame in (("targets", frames.targets), ("control", frames.control)):
            if frame is None:
                continue
            other = frame.schema[name]
            if _family(other) != family:
                raise ParameterError(
                    f"Column {name!r} is {dtype_name(dtype)} in the release but "
                    f"{dtype_name(other)} in {label} (given to {owner}). Map {label} into the "
                    "release's value space first: the same labels where the release holds "
                    "generalized labels, numbers where it holds (noisy) numbers."
                )
        kinds[name] = "numeric" if family == "numeric" else "categorical"
    return kinds


def wildcard_expr(name: str, dtype: pl.DataType) -> pl.Expr:
    """True where a cell is a wildcard: null, NaN (floats) or ``"*"`` (text)."""
    col = pl.col(name)
    wild = col.is_null()
    if dtype.is_float():
        wild = wild | col.is_nan().fill_null(False)
    elif _family(dtype) == "text":
        wild = wild | (col.cast(pl.String) == WILDCARD).fill_null(False)
    return wild


def check_truth(frames: Frames, truth: str, owner: str) -> np.ndarray:
    """The truth column of the targets as int64 release positions, -1 where it is null.

    Raises ColumnNotFoundError when it is missing and ParameterError when it is not integer or
    points outside the release.
    """
    if not isinstance(truth, str):
        raise ParameterError(
            f"The 'truth' parameter of {owner} must be the name of a targets column. "
            f"Got {describe(truth)} instead."
        )
    if truth not in frames.targets.columns:
        raise ColumnNotFoundError(
            truth, frames.targets.columns, where=f"the 'truth' parameter of {owner}"
        )
    column = frames.targets.get_column(truth)
    if not column.dtype.is_integer() and column.dtype != pl.Null:
        raise ParameterError(
            f"The truth column {truth!r} given to {owner} must hold integer release row "
            f"positions (0-based), or null for a record not in the release. It holds "
            f"{dtype_name(column.dtype)}."
        )
    values = column.cast(pl.Int64).fill_null(-1).to_numpy()
    bad = int(((values < -1) | (values >= frames.release.height)).sum())
    if bad:
        raise ParameterError(
            f"The truth column {truth!r} given to {owner} has {bad:,} position(s) outside the "
            f"release's {frames.release.height:,} rows. It must give each target's 0-based row "
            "in the release, or null."
        )
    return values

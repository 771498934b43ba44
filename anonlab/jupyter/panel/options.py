"""What the Transform tab offers per column, without widgets: the ops valid for a column's dtype,
a sensible default transform for each, and a description of each option to edit.

Options are read from the transform's dataclass fields (``dataclasses.fields``), so a transform
registered by the user shows up with editable options too. Fields the panel cannot edit (a
mapping, a :class:`~anonlab.Hierarchy` object) keep their default; the hierarchy mode of
``generalize`` uses the panel's own hierarchy for the column.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from anonlab.errors import ParameterError
from anonlab.hierarchies import Hierarchy
from anonlab.transforms import (
    DateShift,
    Generalize,
    Microaggregate,
    Noise,
    Round,
    SuppressRare,
    TopBottomCode,
    Transform,
    dtype_family,
    registered_transforms,
)
from anonlab.transforms.generalization import MODES, UNITS
from anonlab.transforms.hashing import ALGORITHMS, ENCODINGS, STYLES
from anonlab.transforms.masking import FORMATS

__all__ = [
    "TABLE_OPS",
    "ColumnInfo",
    "OptionSpec",
    "default_transform",
    "generalize_fields",
    "generalize_modes",
    "ops_for",
    "option_specs",
]

#: Ops that work on several columns at once: the panel offers them as table steps, not per column.
TABLE_OPS = frozenset({"local_suppress", "suppress_records", "suppress_outliers"})

#: Fixed choices of str options, by (op, field).
CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("mask", "format"): FORMATS,
    ("hash", "algorithm"): ALGORITHMS,
    ("hash", "encoding"): ENCODINGS,
    ("pseudonymize", "style"): STYLES,
    ("noise", "distribution"): ("laplace", "gaussian"),
    ("microaggregate", "statistic"): ("mean", "median"),
    ("generalize", "label"): ("interval", "start"),
    ("generalize", "unit"): UNITS,
}

#: Integer options shown as sliders, with their range.
SLIDERS: dict[tuple[str, str], tuple[int, int]] = {
    ("mask", "keep_last"): (0, 12),
    ("mask", "keep_first"): (0, 12),
    ("generalize", "keep"): (0, 10),
    ("hash", "length"): (8, 64),
    ("pseudonymize", "digits"): (1, 12),
    ("microaggregate", "k"): (2, 50),
    ("suppress_rare", "min_count"): (1, 100),
}

#: The fields of each generalize mode (the mode's own parameter first).
GENERALIZE_FIELDS: dict[str, tuple[str, ...]] = {
    "width": ("width", "origin", "label"),
    "breaks": ("breaks",),
    "quantiles": ("quantiles",),
    "unit": ("unit", "as_date"),
    "keep": ("keep", "char"),
    "hierarchy": ("level",),
}

_GENERALIZE_FAMILIES: dict[str, frozenset[str]] = {
    "width": frozenset({"integer", "float"}),
    "breaks": frozenset({"integer", "float"}),
    "quantiles": frozenset({"integer", "float"}),
    "unit": frozenset({"temporal"}),
    "keep": frozenset({"string"}),
    "hierarchy": frozenset({"string", "integer", "float", "decimal", "temporal", "boolean"}),
}


@dataclass(frozen=True)
class ColumnInfo:
    """What the panel knows of a column when it proposes transforms.

    Attributes
    ----------
    name : str
    dtype : polars.DataType
        The column's polars dtype.
    columns : tuple of str
        Every column of the frame (for options that name columns).
    identifiers : tuple of str
        Columns with the identifier role (``date_shift`` offsets per individual).
    k : int
        The k target (defaults for ``microaggregate`` and ``suppress_rare``).
    stats : dict
        ``min``, ``max``, ``p95`` and ``p05`` of a number column, when known.
    hierarchy_source : callable or None
        Builds (or fetches) the panel's hierarchy for the column; None when the column has none.
        Called only when the hierarchy is needed.
    """

    name: str
    dtype: pl.DataType
    columns: tuple[str, ...] = ()
    identifiers: tuple[str, ...] = ()
    k: int = 5
    stats: dict[str, float] = dataclasses.field(default_factory=dict)
    hierarchy_source: Callable[[], Hierarchy | None] | None = None

    @property
    def hierarchy(self) -> Hierarchy | None:
        """The column's hierarchy (built on first use), or None."""
        return None if self.hierarchy_source is None else self.hierarchy_source()

    @property
    def family(self) -> str:
        """The dtype family (see :func:`anonlab.transforms.dtype_family`)."""
        return dtype_family(self.dtype)


@dataclass(frozen=True)
class OptionSpec:
    """One editable option of a transform.

    Attributes
    ----------
    name : str
        The dataclass field.
    kind : str
        ``"bool"``, ``"int"``, ``"float"``, ``"text"``, ``"choice"``, ``"slider"``,
        ``"columns"`` (several column names), ``"kinds"`` (several fixed words), ``"numbers"``
        (a list of numbers as text), ``"pair"`` (two numbers as text) or ``"key"`` (a key
        reference).
    optional : bool
        None is allowed (an empty text means None).
    choices : tuple
        The choices of ``"choice"`` and ``"kinds"``, or the ``(min, max)`` of ``"slider"``.
    """

    name: str
    kind: str
    optional: bool = False
    choices: tuple[Any, ...] = ()


def _union_args(tp: Any) -> tuple[Any, ...]:
    origin = typing.get_origin(tp)
    if origin is typing.Union or origin is types.UnionType:
        return typing.get_args(tp)
    return (tp,)


def _resolve(cls: type, field: dataclasses.Field[Any]) -> Any:
    try:
        hints = typing.get_type_hints(cls)
    except Exception:  # a user transform with unresolvable annotations
        return field.type
    return hints.get(field.name, field.type)


def option_specs(cls: type[Transform]) -> list[OptionSpec]:
    """The editable options of a transform class, from its dataclass fields."""
    out = []
    for f in dataclasses.fields(cls):
        spec = _spec(cls, f)
        if spec is not None:
            out.append(spec)
    return out


def _spec(cls: type[Transform], f: dataclasses.Field[Any]) -> OptionSpec | None:
    op, name = cls.op, f.name
    if (op, name) in CHOICES:
        return OptionSpec(name, "choice", choices=CHOICES[(op, name)])
    if (op, name) in SLIDERS:
        return OptionSpec(name, "slider", choices=SLIDERS[(op, name)])
    if name == "key":
        return OptionSpec(name, "key", optional=op == "hash")
    if op == "scrub" and name == "kinds":
        from anonlab.text import KINDS

        return OptionSpec(name, "kinds", choices=KINDS)
    if name in ("quasi_identifiers", "within") or (op == "scrub" and name == "context"):
        return OptionSpec(name, "columns")
    if name == "by":
        return OptionSpec(name, "choice", choices=())  # filled with the frame's columns
    tp = _resolve(cls, f)
    args = _union_args(tp)
    optional = type(None) in args
    args = tuple(a for a in args if a is not type(None))
    if len(args) != 1:
        return None
    base = args[0]
    origin = typing.get_origin(base) or base
    if base is bool:
        return OptionSpec(name, "bool", optional)
    if base is int:
        return OptionSpec(name, "int", optional)
    if base is float:
        return OptionSpec(name, "float", optional)
    if base is str:
        return OptionSpec(name, "text", optional)
    if origin is tuple:
        inner = typing.get_args(base)
        if inner and all(a in (float, int) for a in inner if a is not Ellipsis):
            return OptionSpec(name, "pair" if Ellipsis not in inner else "numbers", optional)
        if inner and inner[0] is str:
            return OptionSpec(name, "columns", optional)
    return None  # a mapping, a Hierarchy, or a type the panel does not edit


def generalize_modes(info: ColumnInfo) -> list[str]:
    """The generalize modes that apply to the column (hierarchy only when it has one)."""
    return [
        m for m in MODES
        if info.family in _GENERALIZE_FAMILIES[m]
        and (m != "hierarchy" or info.hierarchy_source is not None)
    ]


def generalize_fields(mode: str) -> list[OptionSpec]:
    """The options of one generalize mode."""
    specs = {s.name: s for s in option_specs(Generalize)}
    specs["level"] = OptionSpec("level", "slider", choices=(0, 1))  # range set per hierarchy
    return [specs[n] for n in GENERALIZE_FIELDS[mode] if n in specs]


def ops_for(info: ColumnInfo) -> list[str]:
    """The registered ops that accept the column's dtype (table-wide ops left out)."""
    out = []
    for op, cls in registered_transforms().items():
        if op in TABLE_OPS:
            continue
        if "any" not in cls.accepts and info.family not in cls.accepts:
            continue
        if op == "generalize" and not generalize_modes(info):
            continue
        if op == "date_shift" and not [c for c in info.columns if c != info.name]:
            continue
        try:
            default_transform(op, info)
        except Exception:  # a user transform the panel cannot build without options
            continue
        out.append(op)
    return out


def _nice(value: float) -> float:
    """A round number near ``value`` (1, 2 or 5 times a power of ten)."""
    if not math.isfinite(value) or value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)


def _number(value: float, integral: bool) -> float | int:
    return int(value) if integral and float(value).is_integer() else value


def default_generalize(info: ColumnInfo, mode: str | None = None) -> Generalize:
    """A first generalization of the column in ``mode`` (by default the first that applies)."""
    modes = generalize_modes(info)
    mode = mode if mode in modes else (modes[0] if modes else "hierarchy")
    integral = info.family == "integer"
    if mode == "width":
        spread = info.stats.get("max", 100.0) - info.stats.get("min", 0.0)
        return Generalize(width=_number(_nice(spread / 10 if spread > 0 else 10.0), integral))
    if mode == "breaks":
        lo, hi = info.stats.get("p05", 0.0), info.stats.get("p95", 100.0)
        if not lo < hi:
            lo, hi = 0.0, 100.0
        step = _nice((hi - lo) / 2)
        first = math.floor(lo / step) * step
        return Generalize(breaks=tuple(_number(first + i * step, integral) for i in range(1, 3)))
    if mode == "quantiles":
        return Generalize(quantiles=4)
    if mode == "unit":
        return Generalize(unit="year")
    if mode == "keep":
        return Generalize(keep=3)
    hierarchy = info.hierarchy
    if hierarchy is None:
        raise ParameterError(f"Column {info.name!r} has no hierarchy to generalize with.")
    return Generalize(hierarchy=hierarchy, level=min(1, hierarchy.height))


_DEFAULTS: dict[str, Callable[[ColumnInfo], Transform]] = {
    "generalize": default_generalize,
    "top_bottom_code": lambda i: TopBottomCode(
        top=_number(i.stats.get("p95", 100.0), i.family == "integer")
    ),
    "round": lambda i: Round(to=_number(_nice(max(abs(i.stats.get("max", 10.0)), 1.0) / 100),
                                        i.family == "integer")),
    "noise": lambda i: Noise(
        distribution="laplace",
        scale=_nice(max(i.stats.get("max", 1.0) - i.stats.get("min", 0.0), 1.0) / 100),
    ),
    "microaggregate": lambda i: Microaggregate(k=max(i.k, 2)),
    "suppress_rare": lambda i: SuppressRare(min_count=i.k),
    "date_shift": lambda i: DateShift(
        by=next(iter([c for c in i.identifiers if c != i.name]
                     or [c for c in i.columns if c != i.name])),
        max_days=30,
    ),
}


def default_transform(op: str, info: ColumnInfo) -> Transform:
    """A transform of ``op`` with sensible defaults for the column."""
    if op in _DEFAULTS:
        return _DEFAULTS[op](info)
    return registered_transforms()[op]()


def parse_numbers(text: str) -> tuple[float | int, ...]:
    """``"18, 65.5"`` -> ``(18, 65.5)`` (a ValueError for anything else)."""
    out: list[float | int] = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        value = float(part)
        out.append(int(value) if value.is_integer() and "." not in part else value)
    return tuple(out)


def format_numbers(values: Sequence[float] | None) -> str:
    """The inverse of :func:`parse_numbers`."""
    if values is None:
        return ""
    return ", ".join(str(v) for v in values)

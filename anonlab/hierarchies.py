"""Generalization hierarchies: how a column's values become coarser, level by level.

A :class:`Hierarchy` maps every original value of one column (level 0) to a chain of ever more
general labels at levels 1 to ``height``, the way the ARX Data Anonymization Tool does::

    Bachelors  ->  Undergraduate  ->  Higher education  ->  *

Hierarchies are plain tables of strings. Numbers and dates are matched by their string form as
polars writes it (an ``Int64`` age ``39`` matches the row ``"39"``, a ``Date`` matches
``"2024-03-01"``), so a hierarchy read from a CSV file applies to typed columns directly.

Where hierarchies come from
---------------------------
- a file in ARX's format: :meth:`Hierarchy.from_arx_csv` (and :meth:`Hierarchy.to_arx_csv`);
- plain data: the constructor (rows), :meth:`Hierarchy.from_mapping`,
  :meth:`Hierarchy.from_dict`;
- builders for the usual shapes: :meth:`Hierarchy.intervals` (numbers into nested intervals),
  :meth:`Hierarchy.dates` (month, quarter, year, decade), :meth:`Hierarchy.masking` (hide
  characters from the right, as for ZIP codes) and :meth:`Hierarchy.ordered_groups` (ordered
  categories into consecutive groups).

Every hierarchy is checked when it is built: all rows have the same number of levels, original
values are unique and non-empty, and the levels are *consistent* (two values that share a label at
one level share every label above it), otherwise :class:`~anonlab.errors.HierarchyError`.

Applying a hierarchy
--------------------
:meth:`Hierarchy.expr` gives a vectorized polars expression and :meth:`Hierarchy.apply` maps a
Series or frame. A value the hierarchy does not cover is an error by default
(:class:`~anonlab.errors.HierarchyError`, which counts the unknown values and, unless the column is
an identifier, shows a few); with ``strict=False`` it becomes null. Nulls stay null.

Examples
--------
>>> import polars as pl
>>> from anonlab.hierarchies import Hierarchy
>>> h = Hierarchy.intervals([23, 39, 41], [10, 20], column="age")
>>> h
Hierarchy(column='age', values=3, height=3)
>>> pl.DataFrame({"age": [39, 41]}).select(h.expr("age", 2))["age"].to_list()
['[20, 40)', '[40, 60)']
"""

from __future__ import annotations

import csv
import datetime as _dt
import html
import io
import math
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import MAX_PREC, Decimal, localcontext
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, NoReturn

import polars as pl

from anonlab._files import HIERARCHY_MAX_BYTES, read_bounded
from anonlab._validation import check_int, describe
from anonlab.errors import ColumnNotFoundError, HierarchyError, ParameterError

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

__all__ = ["Hierarchy"]

#: Date levels accepted by :meth:`Hierarchy.dates`, finest first.
DATE_LEVELS: tuple[str, ...] = ("week", "month", "quarter", "year", "decade")

_HTML_ROWS = 10
_EXAMPLES = 3


def _string_values(values: Any, owner: str) -> list[str]:
    """The non-null values of a Series (as text) or of an iterable that must hold only str."""
    if isinstance(values, pl.Series):
        return values.drop_nulls().cast(pl.String).to_list()
    if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Iterable):
        raise ParameterError(
            f"The 'values' parameter of {owner} must be an iterable of str or a polars "
            f"Series. Got {describe(values)} instead."
        )
    items = [v for v in values if v is not None]
    for i, v in enumerate(items):
        if not isinstance(v, str):
            raise ParameterError(
                f"The 'values' parameter of {owner} must hold strings. Got a "
                f"{type(v).__name__} at position {i} instead."
            )
    return items


def _rebuild(rows: tuple[tuple[str, ...], ...], column: str | None) -> Hierarchy:
    """Unpickle a :class:`Hierarchy` (its attributes cannot be set after construction)."""
    return Hierarchy(rows, column=column)


def _short(value: str) -> str:
    """The repr of a label or value for a message, cut if it is long."""
    return repr(value) if len(value) <= 40 else repr(value[:37] + "...")


def _check_column(column: Any, owner: str) -> str | None:
    if column is None or (isinstance(column, str) and column):
        return column
    raise ParameterError(
        f"The 'column' parameter of {owner} must be a non-empty str or None. "
        f"Got {describe(column)} instead."
    )


def _check_label(value: Any, name: str, owner: str, *, allow_none: bool = False) -> str | None:
    if value is None and allow_none:
        return None
    if isinstance(value, str) and value:
        return value
    wanted = "a non-empty str" + (" or None" if allow_none else "")
    raise ParameterError(
        f"The {name!r} parameter of {owner} must be {wanted}. Got {describe(value)} instead."
    )


def _check_separator(separator: Any, owner: str) -> str:
    if not (isinstance(separator, str) and len(separator) == 1 and separator not in '"\r\n'):
        raise ParameterError(
            f"The 'separator' parameter of {owner} must be a single character other than a "
            f"quote or a line break. Got {describe(separator)} instead."
        )
    return separator


def _validated_rows(
    rows: Any, position: Callable[[int], str]
) -> tuple[tuple[str, ...], ...]:
    """Check hierarchy rows and return them as a tuple of tuples of str.

    ``position(i)`` names the ``i``-th row (0-based) in messages, e.g. ``"row 3"`` or
    ``"line 3 of ages.csv"``.
    """
    if isinstance(rows, (str, bytes, Mapping)) or not isinstance(rows, Iterable):
        raise HierarchyError(
            f"A hierarchy's rows must be a sequence of rows [value, level 1, ..., level h]; got "
            f"a {type(rows).__name__}. Use Hierarchy.from_mapping for a dict."
        )
    out: list[tuple[str, ...]] = []
    for i, row in enumerate(rows):
        if isinstance(row, (str, bytes, Mapping)) or not isinstance(row, Iterable):
            raise HierarchyError(
                f"{position(i).capitalize()} is a {type(row).__name__}, not a sequence "
                "[value, level 1, ..., level h]. Give each row as a list or tuple of str."
            )
        cells = tuple(row)
        for level, cell in enumerate(cells):
            if cell is None or not isinstance(cell, str):
                what = "None" if cell is None else f"a {type(cell).__name__}, not a str"
                raise HierarchyError(
                    f"{position(i).capitalize()}, level {level} is {what}. Hierarchy labels are "
                    "strings (numbers and dates are matched by their string form, e.g. '39')."
                )
            if not cell:
                raise HierarchyError(
                    f"{position(i).capitalize()}, level {level} is an empty string. Every value "
                    "and label must be non-empty; fill in the missing label."
                )
        if len(cells) < 2:
            raise HierarchyError(
                f"{position(i).capitalize()} has {len(cells)} field(s); a hierarchy row needs "
                "the value and at least one generalization level."
            )
        if out and len(cells) != len(out[0]):
            raise HierarchyError(
                f"{position(i).capitalize()} has {len(cells)} fields, but {position(0)} has "
                f"{len(out[0])}. Every row must list the value and the same number of levels."
            )
        out.append(cells)
    if not out:
        raise HierarchyError(
            "A hierarchy needs at least one row [value, level 1, ..., level h]; got none."
        )
    first_row: dict[str, int] = {}
    for i, cells in enumerate(out):
        seen = first_row.setdefault(cells[0], i)
        if seen != i:
            raise HierarchyError(
                f"The value {_short(cells[0])} appears twice at level 0 ({position(seen)} and "
                f"{position(i)}). Each original value must have exactly one row; remove one."
            )
    height = len(out[0]) - 1
    for level in range(1, height):
        parent: dict[str, tuple[str, int]] = {}
        for i, cells in enumerate(out):
            label, above = cells[level], cells[level + 1]
            known = parent.setdefault(label, (above, i))
            if known[0] != above:
                raise HierarchyError(
                    f"Inconsistent hierarchy: the label {_short(label)} at level {level} "
                    f"generalizes to {_short(known[0])} at level {level + 1} in "
                    f"{position(known[1])} but to {_short(above)} in {position(i)}. Values that "
                    "share a label must share every label above it; rename one of the labels."
                )
    return tuple(out)


def _as_string(value: Any) -> str:
    """The string form polars gives a value when a column is cast to String."""
    if isinstance(value, str):
        return value
    try:
        text: str | None = pl.Series([value]).cast(pl.String).item()
    except (TypeError, ValueError, pl.exceptions.PolarsError) as exc:
        raise ParameterError(
            f"The value {describe(value)} has no string form to look up in a hierarchy."
        ) from exc
    if text is None:
        raise ParameterError("None is not a value of any hierarchy (nulls stay null).")
    return text


def _series(values: Any, name: str, owner: str) -> pl.Series:
    """``values`` as a polars Series (a Series is used as it is), nulls dropped."""
    if isinstance(values, pl.Series):
        return values.drop_nulls()
    if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Iterable):
        raise ParameterError(
            f"The {name!r} parameter of {owner} must be an iterable or a polars Series of "
            f"values. Got {describe(values)} instead."
        )
    items = values if hasattr(values, "__array__") else list(values)
    try:
        return pl.Series(name, items, strict=False).drop_nulls()
    except (TypeError, ValueError, OverflowError, pl.exceptions.PolarsError) as exc:
        raise ParameterError(
            f"The {name!r} parameter of {owner} must hold values of one kind that polars can "
            f"store in a Series: {type(exc).__name__}."
        ) from exc


def _number(value: Any) -> Decimal:
    """An exact decimal for an int, float or Decimal (floats by their shortest repr)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    return Decimal(repr(float(value)))


def _fmt(value: Decimal) -> str:
    """A decimal as a short label: ``20``, ``2.5``."""
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def _exactly(compute: Callable[[], Decimal]) -> Decimal:
    """Run a Decimal computation without rounding (callers use only +, -, *, // and %)."""
    with localcontext() as ctx:
        ctx.prec = MAX_PREC
        return compute()


def _exact_mod(a: Decimal, b: Decimal) -> Decimal:
    """``a % b`` without rounding."""
    return _exactly(lambda: a % b)


def _floor_div(a: Decimal, b: Decimal) -> Decimal:
    """``floor(a / b)`` for ``b > 0``, exact."""
    q = a // b  # truncates toward zero
    if a % b != 0 and a < 0:
        q -= 1
    return q


def _read_text(path: str | os.PathLike[str] | Traversable) -> tuple[str, str]:
    """The text of a hierarchy file and its name; a missing file is a FileNotFoundError."""
    if isinstance(path, (str, os.PathLike)):
        file: Any = Path(os.fspath(path))
    elif hasattr(path, "read_bytes") and hasattr(path, "name"):
        file = path
    else:
        raise ParameterError(
            "The 'path' parameter of Hierarchy.from_arx_csv must be a str, a path or an "
            f"importlib.resources file. Got {describe(path)} instead."
        )
    if isinstance(file, Path):
        raw = read_bounded(file, HIERARCHY_MAX_BYTES, "hierarchy file", HierarchyError)
    else:  # a packaged resource (importlib.resources), read as it is
        raw = file.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise HierarchyError(
            f"The hierarchy file {file.name!r} is not UTF-8 text (undecodable byte at offset "
            f"{exc.start}). Save it as UTF-8."
        ) from exc
    return text, str(file.name)


def _column_from_file_name(name: str) -> str:
    """ARX's convention: ``<data>_hierarchy_<column>.csv`` names ``<column>``, else the stem."""
    stem = PurePath(name).stem
    marker = "_hierarchy_"
    if marker in stem:
        tail = stem.split(marker, 1)[1]
        if tail:
            return tail
    return stem


def _csv_field(text: str, separator: str, *, first: bool) -> str:
    """A field for an ARX CSV file, quoted only when it must be."""
    if (
        separator in text
        or '"' in text
        or "\r" in text
        or "\n" in text
        or (first and text.startswith("\ufeff"))  # a leading BOM would be taken as the file's
    ):
        return '"' + text.replace('"', '""') + '"'
    return text


class Hierarchy:
    """A generalization hierarchy for one column: each value's labels at levels 0 to ``height``.

    Level 0 is the original value; level ``height`` is the most general (for ARX files and the
    builders, usually ``"*"``). The object is immutable and compares equal to another hierarchy
    with the same column and the same rows in the same order.

    Parameters
    ----------
    rows : sequence of sequence of str
        One row per original value: ``[value, level 1, ..., level h]``. All rows must have the
        same length (at least 2), values must be unique, and no cell may be None or empty.
    column : str, optional
        The column the hierarchy is for; used in messages and as the default column of
        :meth:`apply`.

    Raises
    ------
    HierarchyError
        The rows are empty, ragged, hold a duplicate value or a None/empty/non-string cell, or
        are inconsistent: two values that share a label at level ``i`` have different labels at
        level ``i + 1``. The message names the offending label, level and row.
    ParameterError
        ``column`` is not a non-empty str or None.

    Examples
    --------
    >>> h = Hierarchy(
    ...     [["Bachelors", "Undergraduate", "Higher education", "*"],
    ...      ["Masters", "Graduate", "Higher education", "*"],
    ...      ["11th", "High School", "Secondary education", "*"]],
    ...     column="education",
    ... )
    >>> h.height
    3
    >>> h.levels("Masters")
    ('Masters', 'Graduate', 'Higher education', '*')
    >>> h.labels(2)
    ('Higher education', 'Secondary education')
    """

    __slots__ = ("_column", "_index", "_new", "_old", "_rows")

    _rows: tuple[tuple[str, ...], ...]
    _column: str | None
    _index: dict[str, int]
    _old: pl.Series
    _new: tuple[pl.Series, ...]

    def __init__(self, rows: Sequence[Sequence[str]], *, column: str | None = None) -> None:
        column = _check_column(column, "Hierarchy")
        self._setup(_validated_rows(rows, lambda i: f"row {i + 1}"), column)

    def _setup(self, rows: tuple[tuple[str, ...], ...], column: str | None) -> None:
        """Fill the (otherwise read-only) attributes from validated rows."""
        setattr_ = object.__setattr__
        setattr_(self, "_rows", rows)
        setattr_(self, "_column", column)
        setattr_(self, "_index", {r[0]: i for i, r in enumerate(rows)})
        columns = list(zip(*rows, strict=True))
        setattr_(self, "_old", pl.Series("value", columns[0], dtype=pl.String))
        setattr_(
            self,
            "_new",
            tuple(pl.Series(f"level{i}", c, dtype=pl.String) for i, c in enumerate(columns)),
        )

    @classmethod
    def _from_valid(cls, rows: tuple[tuple[str, ...], ...], column: str | None) -> Hierarchy:
        obj = cls.__new__(cls)
        obj._setup(rows, column)
        return obj

    # ---- immutability, equality, pickling

    def __setattr__(self, name: str, value: Any) -> NoReturn:
        raise AttributeError(f"Hierarchy is immutable; cannot set {name!r}.")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError(f"Hierarchy is immutable; cannot delete {name!r}.")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Hierarchy):
            return NotImplemented
        return self._column == other._column and self._rows == other._rows

    def __hash__(self) -> int:
        return hash((self._column, self._rows))

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self._rows, self._column))

    # ---- properties

    @property
    def height(self) -> int:
        """The number of generalization levels above the original values (level 0)."""
        return len(self._rows[0]) - 1

    @property
    def values(self) -> tuple[str, ...]:
        """The original values (level 0), in row order."""
        return tuple(r[0] for r in self._rows)

    @property
    def column(self) -> str | None:
        """The column this hierarchy is for, if known."""
        return self._column

    def __len__(self) -> int:
        return len(self._rows)

    def __repr__(self) -> str:
        return f"Hierarchy(column={self._column!r}, values={len(self)}, height={self.height})"

    def _repr_html_(self) -> str:
        head = "".join(f"<th>level {i}</th>" for i in range(self.height + 1))
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
            for row in self._rows[:_HTML_ROWS]
        )
        more = len(self) - _HTML_ROWS
        foot = (
            f"<tr><td colspan='{self.height + 1}'>… and {more} more rows</td></tr>"
            if more > 0
            else ""
        )
        return (
            f"<table><caption>{html.escape(repr(self))}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{body}{foot}</tbody></table>"
        )

    # ---- lookups

    def _check_level(self, level: Any, owner: str) -> int:
        checked = check_int(level, "level", owner, min_value=0, max_value=self.height)
        assert checked is not None
        return checked

    def levels(self, value: Any) -> tuple[str, ...]:
        """The labels of one value at levels 0 to ``height``.

        Parameters
        ----------
        value : str or any value polars can cast to String
            The original value; ``39`` is looked up as ``"39"``.

        Returns
        -------
        tuple of str
            ``(value, level 1, ..., level h)``.

        Raises
        ------
        HierarchyError
            The value is not in the hierarchy (the message does not repeat it).

        Examples
        --------
        >>> Hierarchy([["39", "35-39", "*"]], column="age").levels(39)
        ('39', '35-39', '*')
        """
        key = _as_string(value)
        i = self._index.get(key)
        if i is None:
            raise HierarchyError(
                f"The value given to Hierarchy.levels is not in the hierarchy of column "
                f"{self._column!r} ({len(self)} values). Check its spelling and type."
            )
        return self._rows[i]

    def labels(self, level: int) -> tuple[str, ...]:
        """The distinct labels at one level, in order of first appearance.

        Parameters
        ----------
        level : int
            ``0`` (the original values) to ``height``.

        Returns
        -------
        tuple of str
        """
        level = self._check_level(level, "Hierarchy.labels")
        return tuple(dict.fromkeys(r[level] for r in self._rows))

    # ---- applying

    def _unknown_error(
        self, s: pl.Series, unknown: pl.Series, identifier: bool, *, batch: bool = False
    ) -> HierarchyError:
        """The error for values of ``s`` (String) the hierarchy lacks (``unknown`` non-null).

        ``batch``: ``s`` may be one batch of the column (inside an expression), so the counts
        say so.
        """
        name = s.name or self._column or ""
        rows = unknown.len()
        distinct = unknown.unique()
        n = distinct.len()
        where = f" in a batch of {s.len()}" if batch else ""
        subject = (
            f"{n} distinct value{'s' if n != 1 else ''} of column {name!r} "
            f"({rows} row{'s' if rows != 1 else ''}{where}) {'are' if n != 1 else 'is'} not in "
            "its hierarchy"
        )
        if identifier:
            detail = " (values not shown: the column is an identifier)"
        else:
            shown = distinct.sort().head(_EXAMPLES).to_list()
            detail = ", e.g. " + ", ".join(_short(v) for v in shown)
        return HierarchyError(
            f"{subject}{detail}. Add them to the hierarchy, or suppress or remove those rows "
            "before generalizing."
        )

    def check(self, values: pl.Series | Iterable[Any], *, identifier: bool = False) -> None:
        """Raise if ``values`` holds a non-null value the hierarchy does not cover.

        Values are compared by their string form (the Series is cast to String). Nulls are
        ignored.

        Parameters
        ----------
        values : polars.Series or iterable
            The column's values. The column is named after the Series, else after
            :attr:`column`.
        identifier : bool, default False
            The column identifies people: the message then counts the unknown values but does
            not show any of them.

        Raises
        ------
        HierarchyError
            ``"2 distinct values of column 'age' (5 rows) are not in its hierarchy, e.g. '17',
            '95'. ..."``; with ``identifier=True`` the examples are replaced by ``"(values not
            shown: the column is an identifier)"``.
        ParameterError
            The values cannot be cast to String (e.g. a List column).

        Examples
        --------
        >>> import polars as pl
        >>> h = Hierarchy([["a", "*"], ["b", "*"]], column="letter")
        >>> h.check(pl.Series("letter", ["a", None, "b"]))  # passes
        """
        s = self._as_string_series(values, "Hierarchy.check")
        unknown = s.filter(s.is_not_null() & ~s.is_in(self._old.implode()))
        if unknown.len():
            raise self._unknown_error(s, unknown, identifier)

    def _as_string_series(self, values: Any, owner: str) -> pl.Series:
        s = values if isinstance(values, pl.Series) else _series(values, "values", owner)
        try:
            return s.cast(pl.String)
        except pl.exceptions.PolarsError as exc:
            raise ParameterError(
                f"The 'values' parameter of {owner} must be castable to String to be looked up "
                f"in a hierarchy; its dtype is {s.dtype}."
            ) from exc

    def _map(self, s: pl.Series, level: int) -> pl.Series:
        """``s`` (String) mapped to ``level``; unknown values become null."""
        return s.replace_strict(self._old, self._new[level], default=None, return_dtype=pl.String)

    def _map_strict(self, s: pl.Series, level: int, identifier: bool) -> pl.Series:
        mapped = self._map(s, level)
        if mapped.null_count() != s.null_count():
            unknown = s.filter(mapped.is_null() & s.is_not_null())
            raise self._unknown_error(s, unknown, identifier, batch=True)
        return mapped

    def expr(
        self,
        column: str | pl.Expr,
        level: int,
        *,
        strict: bool = True,
        identifier: bool = False,
    ) -> pl.Expr:
        """A polars expression mapping ``column`` to its labels at ``level``.

        The column is cast to String and each value replaced by its level-``level`` label
        (level 0 gives the value's string form). Nulls stay null. The mapping is vectorized
        (``replace_strict``): a million rows take a few tens of milliseconds.

        Parameters
        ----------
        column : str or polars.Expr
            A column name or an expression; the result keeps its output name.
        level : int
            ``0`` to ``height``.
        strict : bool, default True
            How values the hierarchy does not cover are handled. ``True``: evaluating the
            expression raises :class:`~anonlab.errors.HierarchyError` (counts, and examples
            unless ``identifier``); the check runs inside the expression as a Python function
            over each batch polars evaluates (so the counts are those of the failing batch,
            and the plan cannot be serialized). ``False``: they become null,
            and the expression is pure polars. To fail before any work, call :meth:`check`
            first or use :meth:`apply`.
        identifier : bool, default False
            With ``strict=True``: do not show unknown values in the error.

        Returns
        -------
        polars.Expr
            A String expression.

        Raises
        ------
        ParameterError
            ``level`` is not an int from 0 to ``height``, or ``column`` is neither a str nor an
            expression.

        Examples
        --------
        >>> import polars as pl
        >>> h = Hierarchy([["39", "35-39", "*"], ["41", "40-44", "*"]], column="age")
        >>> pl.DataFrame({"age": [39, None, 41]}).select(h.expr("age", 1))["age"].to_list()
        ['35-39', None, '40-44']
        >>> pl.DataFrame({"age": [39, 17]}).select(h.expr("age", 1, strict=False))["age"].to_list()
        ['35-39', None]
        """
        level = self._check_level(level, "Hierarchy.expr")
        if isinstance(column, str):
            base = pl.col(column)
        elif isinstance(column, pl.Expr):
            base = column
        else:
            raise ParameterError(
                "The 'column' parameter of Hierarchy.expr must be a str or a polars Expr. "
                f"Got {describe(column)} instead."
            )
        as_text = base.cast(pl.String)
        if not strict:
            return as_text.replace_strict(
                self._old, self._new[level], default=None, return_dtype=pl.String
            )
        return as_text.map_batches(
            lambda s: self._map_strict(s, level, identifier),
            return_dtype=pl.String,
            is_elementwise=True,
        )

    def apply(
        self,
        data: pl.Series | pl.DataFrame | pl.LazyFrame,
        level: int,
        *,
        column: str | None = None,
        strict: bool = True,
        identifier: bool = False,
    ) -> pl.Series | pl.DataFrame | pl.LazyFrame:
        """Generalize a Series, or one column of a frame, to ``level``.

        For a Series or DataFrame the values are checked first (:meth:`check`), so an
        uncovered value raises before any work; a LazyFrame is checked as it is collected
        (see :meth:`expr`).

        Parameters
        ----------
        data : polars.Series, polars.DataFrame or polars.LazyFrame
            What to generalize.
        level : int
            ``0`` to ``height``.
        column : str, optional
            For a frame, the column to replace; defaults to :attr:`column`.
        strict : bool, default True
            Raise on values the hierarchy does not cover; ``False`` turns them into nulls.
        identifier : bool, default False
            Do not show uncovered values in the error.

        Returns
        -------
        polars.Series, polars.DataFrame or polars.LazyFrame
            The same kind of object, the column replaced by its String labels.

        Raises
        ------
        HierarchyError
            ``strict`` and some values are not in the hierarchy.
        ColumnNotFoundError
            The column is not in the frame.
        ParameterError
            Bad ``level``, no column to use, or ``data`` is not a polars object.

        Examples
        --------
        >>> import polars as pl
        >>> h = Hierarchy([["39", "35-39", "*"], ["41", "40-44", "*"]], column="age")
        >>> h.apply(pl.Series("age", [39, 41]), 1).to_list()
        ['35-39', '40-44']
        """
        level = self._check_level(level, "Hierarchy.apply")
        if isinstance(data, pl.Series):
            s = self._as_string_series(data, "Hierarchy.apply")
            if strict:
                self.check(s, identifier=identifier)
            return self._map(s, level)
        if not isinstance(data, (pl.DataFrame, pl.LazyFrame)):
            raise ParameterError(
                "The 'data' parameter of Hierarchy.apply must be a polars Series, DataFrame or "
                f"LazyFrame. Got {describe(data)} instead; convert it with polars.from_pandas "
                "or polars.from_arrow."
            )
        name = _check_column(column, "Hierarchy.apply") or self._column
        if name is None:
            raise ParameterError(
                "The 'column' parameter of Hierarchy.apply must name the column to generalize: "
                "this hierarchy has no column of its own. Got None instead."
            )
        names = data.collect_schema().names() if isinstance(data, pl.LazyFrame) else data.columns
        if name not in names:
            raise ColumnNotFoundError(name, names, where="Hierarchy.apply")
        if isinstance(data, pl.LazyFrame):
            return data.with_columns(
                self.expr(name, level, strict=strict, identifier=identifier).alias(name)
            )
        if strict:
            self.check(data.get_column(name), identifier=identifier)
        return data.with_columns(self.expr(name, level, strict=False).alias(name))

    # ---- plain data

    def to_rows(self) -> list[list[str]]:
        """The rows ``[value, level 1, ..., level h]`` as fresh lists."""
        return [list(r) for r in self._rows]

    def to_mapping(self) -> dict[str, tuple[str, ...]]:
        """Each value to its labels ``(level 1, ..., level h)``.

        The same shape as :func:`anonlab.datasets.adult_hierarchies` gives per column.
        """
        return {r[0]: r[1:] for r in self._rows}

    def to_dict(self) -> dict[str, Any]:
        """Plain data: ``{"column": ..., "rows": [[value, level 1, ...], ...]}``.

        :meth:`from_dict` reads it back; it serializes to JSON or YAML as it is.
        """
        return {"column": self._column, "rows": self.to_rows()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Hierarchy:
        """A hierarchy from :meth:`to_dict`'s plain data.

        Parameters
        ----------
        data : mapping
            ``{"rows": [[...], ...]}`` and optionally ``"column"``.

        Raises
        ------
        HierarchyError
            ``data`` is not a mapping, has an unknown key or no ``"rows"``, or the rows are
            invalid.

        Examples
        --------
        >>> h = Hierarchy([["a", "*"]], column="x")
        >>> Hierarchy.from_dict(h.to_dict()) == h
        True
        """
        if not isinstance(data, Mapping):
            raise HierarchyError(
                f"A hierarchy's plain data must be a mapping with 'rows' (and optionally "
                f"'column'); got a {type(data).__name__}."
            )
        for key in data:
            if key not in ("column", "rows"):
                raise HierarchyError(
                    f"Unknown key {key!r} in a hierarchy's plain data; the keys are 'column' "
                    "and 'rows'."
                )
        if "rows" not in data:
            raise HierarchyError("A hierarchy's plain data has no 'rows'; add them.")
        column = data.get("column")
        if column is not None and not (isinstance(column, str) and column):
            raise HierarchyError(
                f"The 'column' of a hierarchy's plain data must be a non-empty str or null; got "
                f"{describe(column)}."
            )
        return cls(data["rows"], column=column)

    @classmethod
    def from_mapping(
        cls, mapping: Mapping[str, Sequence[str] | str], *, column: str | None = None
    ) -> Hierarchy:
        """A hierarchy from ``{value: (level 1, ..., level h)}``.

        The shape of :meth:`to_mapping` and of :func:`anonlab.datasets.adult_hierarchies`'
        per-column dictionaries. A str in place of the tuple is one level.

        Examples
        --------
        >>> h = Hierarchy.from_mapping({"Male": ("*",), "Female": "*"}, column="sex")
        >>> h.to_rows()
        [['Male', '*'], ['Female', '*']]
        """
        if not isinstance(mapping, Mapping):
            raise HierarchyError(
                f"Hierarchy.from_mapping takes a mapping value -> (level 1, ..., level h); got "
                f"a {type(mapping).__name__}."
            )
        rows: list[tuple[str, ...]] = []
        for value, above in mapping.items():
            if isinstance(above, str):
                rows.append((value, above))
            elif isinstance(above, (bytes, Mapping)) or not isinstance(above, Iterable):
                raise HierarchyError(
                    f"The levels of {_short(str(value))} must be a sequence of labels; got a "
                    f"{type(above).__name__}."
                )
            else:
                rows.append((value, *above))
        return cls(rows, column=column)

    # ---- ARX files

    @classmethod
    def from_arx_csv(
        cls,
        path: str | os.PathLike[str] | Traversable,
        *,
        column: str | None = None,
        separator: str = ";",
    ) -> Hierarchy:
        """Read a hierarchy in ARX's CSV format.

        No header; one row per value, ``value;level 1;...;level h``. LF or CRLF line endings, a
        missing final newline and a UTF-8 byte-order mark are accepted; blank lines are
        skipped. Fields may be quoted with ``"`` (as ARX writes a label holding the separator).

        Parameters
        ----------
        path : str, path-like or importlib.resources file
            The file.
        column : str, optional
            The column the hierarchy is for. Default: ARX's naming convention, ``<column>`` for
            ``<data>_hierarchy_<column>.csv`` (e.g. ``adult_hierarchy_age.csv`` is for
            ``age``), otherwise the file name without its extension.
        separator : str, default ";"
            The field separator (one character).

        Returns
        -------
        Hierarchy

        Raises
        ------
        FileNotFoundError
            The file does not exist.
        HierarchyError
            The file is not UTF-8, has no rows, has rows of different lengths (the message
            gives the line number), or its rows are invalid (see :class:`Hierarchy`).

        Examples
        --------
        >>> from importlib.resources import files
        >>> h = Hierarchy.from_arx_csv(
        ...     files("anonlab.datasets") / "data" / "adult_hierarchy_education.csv")
        >>> h
        Hierarchy(column='education', values=16, height=3)
        >>> h.levels("Bachelors")
        ('Bachelors', 'Undergraduate', 'Higher education', '*')
        """
        separator = _check_separator(separator, "Hierarchy.from_arx_csv")
        column = _check_column(column, "Hierarchy.from_arx_csv")
        text, name = _read_text(path)
        if column is None:
            column = _column_from_file_name(name)
        reader = csv.reader(
            io.StringIO(text, newline=""),
            delimiter=separator,
            quotechar='"',
            doublequote=True,
            strict=True,
        )
        rows: list[list[str]] = []
        lines: list[int] = []
        try:
            for row in reader:
                if not row:
                    continue
                if rows and len(row) != len(rows[0]):
                    raise HierarchyError(
                        f"Line {reader.line_num} of the hierarchy file {name!r} has {len(row)} "
                        f"fields, but line {lines[0]} has {len(rows[0])}. Every row must be "
                        f"value{separator}level 1{separator}...{separator}level h with the same "
                        "number of levels."
                    )
                rows.append(row)
                lines.append(reader.line_num)
        except csv.Error as exc:
            raise HierarchyError(
                f"Line {reader.line_num} of the hierarchy file {name!r} is not valid CSV: {exc}."
            ) from exc
        if not rows:
            raise HierarchyError(
                f"The hierarchy file {name!r} has no rows. Each line must be "
                f"value{separator}level 1{separator}...{separator}level h."
            )
        valid = _validated_rows(rows, lambda i: f"line {lines[i]} of {name!r}")
        return cls._from_valid(valid, column)

    def to_arx_csv(self, path: str | os.PathLike[str], *, separator: str = ";") -> None:
        """Write the hierarchy in ARX's CSV format, atomically.

        UTF-8, no header, ``value;level 1;...;level h`` per row, LF line endings and a final
        newline. A label holding the separator, a quote or a line break is quoted (``"``), as
        ARX reads it. The file appears complete or not at all (written to a temporary file,
        then renamed).

        Parameters
        ----------
        path : str or path-like
            The file to write; its folder is created if needed.
        separator : str, default ";"
            The field separator (one character).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> h = Hierarchy([["a", "*"], ["b", "*"]], column="x")
        >>> with tempfile.TemporaryDirectory() as d:
        ...     h.to_arx_csv(pathlib.Path(d) / "x.csv")
        ...     (pathlib.Path(d) / "x.csv").read_text()
        'a;*\\nb;*\\n'
        """
        from anonlab._files import write_atomic

        separator = _check_separator(separator, "Hierarchy.to_arx_csv")
        if not isinstance(path, (str, os.PathLike)):
            raise ParameterError(
                "The 'path' parameter of Hierarchy.to_arx_csv must be a str or a path. "
                f"Got {describe(path)} instead."
            )
        lines = [
            separator.join(
                _csv_field(cell, separator, first=(i == 0 and j == 0))
                for j, cell in enumerate(row)
            )
            for i, row in enumerate(self._rows)
        ]
        write_atomic(Path(os.fspath(path)), ("\n".join(lines) + "\n").encode("utf-8"))

    # ---- builders

    @classmethod
    def intervals(
        cls,
        values: Iterable[float] | pl.Series,
        widths: Sequence[float],
        *,
        start: float | None = None,
        top: str = "*",
        column: str | None = None,
    ) -> Hierarchy:
        """Numbers into nested half-open intervals, one width per level.

        Level ``i`` groups values into intervals of width ``widths[i - 1]``, all aligned at
        ``start``: ``[start + k*w, start + (k+1)*w)``, labelled ``"[20, 30)"``. Each width must
        be a multiple of the one before, so the intervals nest. The last level is ``top``.

        Level 0 is each number's string form as polars writes it (``39`` for an Int64,
        ``39.0`` for a Float64), so build from values of the same dtype as the column.

        Parameters
        ----------
        values : iterable of numbers or polars.Series
            The numbers present (ints or floats); duplicates and nulls are ignored.
        widths : sequence of numbers
            Positive interval widths, finest first, each a multiple of the previous.
        start : number, optional
            Where the intervals of every level are aligned. Default: the smallest value rounded
            down to a multiple of ``widths[0]`` (ages from 17 with widths ``[5, 10]`` give
            ``[15, 25)`` at level 2); pass ``start=0`` for intervals on round numbers.
        top : str, default "*"
            The label of the most general level.
        column : str, optional
            The column the hierarchy is for.

        Raises
        ------
        HierarchyError
            A width is not a multiple of the previous one; no values; NaN or infinite values.
        ParameterError
            Values are not numbers, or a width is not a positive number.

        Examples
        --------
        >>> h = Hierarchy.intervals([23, 39, 41], [10, 20])
        >>> h.levels(39)
        ('39', '[30, 40)', '[20, 40)', '*')
        >>> Hierarchy.intervals([0.25, 1.5], [0.5, 1]).levels("1.5")
        ('1.5', '[1.5, 2)', '[1, 2)', '*')
        """
        owner = "Hierarchy.intervals"
        top = _check_label(top, "top", owner)  # type: ignore[assignment]
        s = _series(values, "values", owner)
        if not s.len():
            raise HierarchyError(f"{owner} needs at least one (non-null) value; got none.")
        if s.dtype == pl.Boolean or not s.dtype.is_numeric():
            raise ParameterError(
                f"The 'values' parameter of {owner} must hold numbers (ints or floats). Got "
                f"values of dtype {s.dtype} instead."
            )
        if s.dtype.is_float() and not s.is_finite().all():
            raise HierarchyError(
                f"{owner}: the values include NaN or infinity, which no interval holds; drop "
                "them (or make them null) first."
            )
        s = s.unique().sort()
        if isinstance(widths, (str, bytes)) or not isinstance(widths, Iterable):
            raise ParameterError(
                f"The 'widths' parameter of {owner} must be a sequence of positive numbers. "
                f"Got {describe(widths)} instead."
            )
        widths = list(widths)
        steps: list[Decimal] = []
        for i, w in enumerate(widths):
            ok = isinstance(w, (int, float, Decimal)) and not isinstance(w, bool)
            if not ok or not math.isfinite(w) or w <= 0:
                raise ParameterError(
                    f"The 'widths' parameter of {owner} must hold positive finite numbers. Got "
                    f"{describe(w)} at position {i} instead."
                )
            step = _number(w)
            if steps and _exact_mod(step, steps[-1]) != 0:
                raise HierarchyError(
                    f"{owner}: width {_fmt(step)} (level {i + 1}) is not a multiple of width "
                    f"{_fmt(steps[-1])} (level {i}), so its intervals would not nest. Use "
                    "widths that are each a multiple of the previous one."
                )
            steps.append(step)
        numbers = [_number(v) for v in s.to_list()]
        with localcontext() as ctx:
            ctx.prec = MAX_PREC  # exact: only +, -, *, // and % are used, never /
            if start is None:
                origin = _floor_div(numbers[0], steps[0]) * steps[0] if steps else numbers[0]
            else:
                ok = isinstance(start, (int, float, Decimal)) and not isinstance(start, bool)
                if not ok or not math.isfinite(start):
                    raise ParameterError(
                        f"The 'start' parameter of {owner} must be a finite number or None. "
                        f"Got {describe(start)} instead."
                    )
                origin = _number(start)
            rows = []
            for text, v in zip(s.cast(pl.String).to_list(), numbers, strict=True):
                row = [text]
                for step in steps:
                    lo = origin + _floor_div(v - origin, step) * step
                    row.append(f"[{_fmt(lo)}, {_fmt(lo + step)})")
                row.append(top)
                rows.append(row)
        return cls(rows, column=_check_column(column, owner))

    @classmethod
    def dates(
        cls,
        values: Iterable[_dt.date | str] | pl.Series,
        levels: Sequence[str] = ("month", "year", "decade"),
        *,
        top: str = "*",
        column: str | None = None,
    ) -> Hierarchy:
        """Dates into calendar periods: ``2024-03-01 -> 2024-03 -> 2024 -> 2020s -> *``.

        Level names, finest to coarsest: ``"week"`` (ISO week, ``"2024-W09"``), ``"month"``
        (``"2024-03"``), ``"quarter"`` (``"2024-Q1"``), ``"year"`` (``"2024"``) and
        ``"decade"`` (``"2020s"``). Level 0 is the ISO date (``"2024-03-01"``), which is how a
        polars Date column is matched. The last level is ``top``.

        Parameters
        ----------
        values : iterable of datetime.date or ISO str, or polars.Series
            The dates present (a Date or ISO-string Series); duplicates and nulls are ignored.
        levels : sequence of str, default ("month", "year", "decade")
            The levels, each coarser than the one before. ``"week"`` can only be the last
            before ``top``: ISO weeks straddle months, quarters and years.
        top : str, default "*"
            The label of the most general level.
        column : str, optional
            The column the hierarchy is for.

        Raises
        ------
        ParameterError
            An unknown level, levels not going coarser, ``"week"`` followed by another level,
            or values that are not dates (a Datetime column: use ``.dt.date()`` first).
        HierarchyError
            No values, or strings that are not ISO dates (counted, not shown).

        Examples
        --------
        >>> import datetime
        >>> h = Hierarchy.dates([datetime.date(2024, 3, 1), "2019-12-31"])
        >>> h.levels("2024-03-01")
        ('2024-03-01', '2024-03', '2024', '2020s', '*')
        >>> Hierarchy.dates(["2024-03-01"], ("quarter", "year")).levels("2024-03-01")
        ('2024-03-01', '2024-Q1', '2024', '*')
        """
        owner = "Hierarchy.dates"
        top = _check_label(top, "top", owner)  # type: ignore[assignment]
        if isinstance(levels, str) or not isinstance(levels, Iterable):
            raise ParameterError(
                f"The 'levels' parameter of {owner} must be a sequence of level names. Got "
                f"{describe(levels)} instead."
            )
        levels = list(levels)
        rank = -1
        for i, name in enumerate(levels):
            if name not in DATE_LEVELS:
                listed = ", ".join(repr(o) for o in DATE_LEVELS)
                raise ParameterError(
                    f"The 'levels' parameter of {owner} must hold names among {listed}. Got "
                    f"{describe(name)} at position {i} instead."
                )
            if DATE_LEVELS.index(name) <= rank:
                raise ParameterError(
                    f"The 'levels' parameter of {owner} must go from finer to coarser "
                    f"({' < '.join(DATE_LEVELS)}). Got {describe(tuple(levels))} instead."
                )
            if rank == 0:
                raise ParameterError(
                    f"The 'levels' parameter of {owner} can have 'week' only as its last level: "
                    "an ISO week can straddle two months, quarters or years. Got "
                    f"{describe(tuple(levels))} instead."
                )
            rank = DATE_LEVELS.index(name)
        s = cls._date_series(values, owner)
        if not s.len():
            raise HierarchyError(f"{owner} needs at least one (non-null) date; got none.")
        d = pl.col("d")
        exprs = {
            "week": d.dt.strftime("%G-W%V"),
            "month": d.dt.strftime("%Y-%m"),
            "quarter": pl.format("{}-Q{}", d.dt.strftime("%Y"), d.dt.quarter()),
            "year": d.dt.strftime("%Y"),
            "decade": pl.format("{}s", (d.dt.year() // 10) * 10),
        }
        frame = s.alias("d").to_frame().select(
            d.cast(pl.String).alias("value"),
            *(exprs[name].alias(f"l{i}") for i, name in enumerate(levels)),
            pl.lit(top, dtype=pl.String).alias("top"),
        )
        return cls(frame.rows(), column=_check_column(column, owner))

    @staticmethod
    def _date_series(values: Any, owner: str) -> pl.Series:
        if isinstance(values, pl.Series):
            s = values.drop_nulls()
        else:
            if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Iterable):
                raise ParameterError(
                    f"The 'values' parameter of {owner} must be an iterable or a polars Series "
                    f"of dates. Got {describe(values)} instead."
                )
            items = [v for v in values if v is not None]
            bad = [
                i
                for i, v in enumerate(items)
                if isinstance(v, _dt.datetime) or not isinstance(v, (_dt.date, str))
            ]
            if bad:
                raise ParameterError(
                    f"The 'values' parameter of {owner} must hold datetime.date objects or ISO "
                    f"date strings. Got a {type(items[bad[0]]).__name__} at position "
                    f"{bad[0]} instead."
                )
            s = pl.Series(
                "d", [v.isoformat() if isinstance(v, _dt.date) else v for v in items],
                dtype=pl.String,
            )
        if s.dtype == pl.String:
            parsed = s.str.to_date("%Y-%m-%d", strict=False)
            n_bad = parsed.null_count()
            if n_bad:
                raise HierarchyError(
                    f"{owner}: {n_bad} value{'s are' if n_bad != 1 else ' is'} not an ISO date "
                    "(YYYY-MM-DD); values not shown. Parse or clean them first."
                )
            s = parsed
        if s.dtype != pl.Date:
            raise ParameterError(
                f"The 'values' parameter of {owner} must hold dates (Date or ISO strings). Got "
                f"values of dtype {s.dtype} instead; for a Datetime column use .dt.date()."
            )
        return s.unique().sort()

    @classmethod
    def masking(
        cls,
        values: Iterable[str] | pl.Series,
        *,
        char: str = "*",
        keep_min: int = 0,
        top: str | None = None,
        column: str | None = None,
    ) -> Hierarchy:
        """Strings with one more character hidden from the right at each level.

        ``"02139" -> "0213*" -> "021**" -> "02***" -> "0****" -> "*****"``. Values shorter than
        the longest are right-padded with ``char`` first, so every label has the same length
        and the levels stay consistent (``"123"`` next to ``"12345"`` becomes ``"123**"``,
        ``"123**"``, ``"12***"``, ...). There are ``L - keep_min`` levels, ``L`` being the
        longest value's length, plus ``top`` if given.

        Parameters
        ----------
        values : iterable of str or polars.Series
            The strings present (a Series is cast to String); duplicates and nulls are ignored.
        char : str, default "*"
            The mask character.
        keep_min : int, default 0
            Stop when this many leading characters remain visible.
        top : str, optional
            An extra, most general level (e.g. ``"*"``); by default the last level is the
            fully masked string.
        column : str, optional
            The column the hierarchy is for.

        Raises
        ------
        ParameterError
            A non-string value, a bad ``char`` or ``keep_min``.
        HierarchyError
            No values, an empty string, or nothing to mask (``keep_min`` >= ``L`` and no
            ``top``).

        Examples
        --------
        >>> Hierarchy.masking(["02139", "02141"]).levels("02139")
        ('02139', '0213*', '021**', '02***', '0****', '*****')
        >>> Hierarchy.masking(["02139"], keep_min=3, top="*").levels("02139")
        ('02139', '0213*', '021**', '*')
        """
        owner = "Hierarchy.masking"
        if not (isinstance(char, str) and len(char) == 1):
            raise ParameterError(
                f"The 'char' parameter of {owner} must be a single character. Got "
                f"{describe(char)} instead."
            )
        keep = check_int(keep_min, "keep_min", owner, min_value=0)
        assert keep is not None
        top = _check_label(top, "top", owner, allow_none=True)
        s = pl.Series("v", _string_values(values, owner), dtype=pl.String)
        texts = sorted(set(s.to_list()))
        if not texts:
            raise HierarchyError(f"{owner} needs at least one (non-null) value; got none.")
        width = max(len(t) for t in texts)
        n_levels = max(width - keep, 0)
        if n_levels == 0 and top is None:
            raise HierarchyError(
                f"{owner}: nothing to mask: the longest value has {width} character(s) and "
                f"keep_min is {keep}. Lower keep_min or give a top label."
            )
        rows = []
        for t in texts:
            padded = t.ljust(width, char)
            row = [t] + [padded[: width - i] + char * i for i in range(1, n_levels + 1)]
            if top is not None:
                row.append(top)
            rows.append(row)
        return cls(rows, column=_check_column(column, owner))

    @classmethod
    def ordered_groups(
        cls,
        values: Iterable[str] | pl.Series,
        sizes: Sequence[int],
        *,
        top: str = "*",
        column: str | None = None,
    ) -> Hierarchy:
        """Ordered categories into consecutive groups, then groups of groups.

        Level 1 groups the values, in the order given, into runs of ``sizes[0]``; level 2 groups
        those groups into runs of ``sizes[1]``; and so on (the last run of a level may be
        shorter). A group is labelled ``"first-last"`` by its first and last original value, or
        by the value alone if it holds one. The last level is ``top``.

        Parameters
        ----------
        values : iterable of str or polars.Series
            The categories in order, each once (for an Enum Series, pass
            ``s.dtype.categories``); nulls are ignored. A Series is cast to String.
        sizes : sequence of int
            Group sizes per level (each >= 1).
        top : str, default "*"
            The label of the most general level.
        column : str, optional
            The column the hierarchy is for.

        Raises
        ------
        HierarchyError
            No values, a repeated value, or two groups of one level getting the same label
            (values that contain ``"-"`` can collide).
        ParameterError
            A non-string value or a size that is not an int >= 1.

        Examples
        --------
        >>> h = Hierarchy.ordered_groups(["A", "B", "C", "D", "E"], [2, 2])
        >>> h.to_rows()[:3]
        [['A', 'A-B', 'A-D', '*'], ['B', 'A-B', 'A-D', '*'], ['C', 'C-D', 'A-D', '*']]
        >>> h.levels("E")
        ('E', 'E', 'E', '*')
        """
        owner = "Hierarchy.ordered_groups"
        top = _check_label(top, "top", owner)  # type: ignore[assignment]
        if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Iterable):
            raise ParameterError(
                f"The 'sizes' parameter of {owner} must be a sequence of ints >= 1. Got "
                f"{describe(sizes)} instead."
            )
        sizes = [check_int(n, "sizes", owner, min_value=1) for n in sizes]  # type: ignore[misc]
        items = _string_values(values, owner)
        if not items:
            raise HierarchyError(f"{owner} needs at least one (non-null) value; got none.")
        seen: dict[str, int] = {}
        for i, v in enumerate(items):
            if seen.setdefault(v, i) != i:
                raise HierarchyError(
                    f"{owner}: the value {_short(v)} appears twice (positions {seen[v]} and "
                    f"{i}); list each category once, in order."
                )
        # a group is (first value, last value, indices of its values)
        groups: list[tuple[str, str, list[int]]] = [(v, v, [i]) for i, v in enumerate(items)]
        rows = [[v] for v in items]
        for level, size in enumerate(sizes, start=1):
            merged = []
            for k in range(0, len(groups), size):
                run = groups[k : k + size]
                merged.append((run[0][0], run[-1][1], [i for g in run for i in g[2]]))
            groups = merged
            owner_of: dict[str, int] = {}
            for g, (first, last, members) in enumerate(groups):
                label = first if len(members) == 1 else f"{first}-{last}"
                if owner_of.setdefault(label, g) != g:
                    raise HierarchyError(
                        f"{owner}: two groups at level {level} get the same label "
                        f"{_short(label)}; values containing '-' make 'first-last' labels "
                        "ambiguous. Rename the values or build the rows yourself."
                    )
                for i in members:
                    rows[i].append(label)
        for row in rows:
            row.append(top)
        return cls(rows, column=_check_column(column, owner))

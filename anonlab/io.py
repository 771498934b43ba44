"""Reading tables from files: CSV (separator detected), Parquet, Arrow IPC and NDJSON.

Every command that reads a file goes through :func:`scan`, so they all detect a CSV's separator
the same way and fail the same way on a file they cannot read.

A CSV's start is checked before polars reads it (:mod:`anonlab._csvcheck`): a file that is not
UTF-8 (a UTF-16 byte-order mark, NUL bytes), a separator that makes one column while another
splits every line, and lines written with another separator than the header's are errors that
say what was detected. Column types are guessed from the first 10,000 rows and then checked
against every row in one streaming pass: a column whose first value of another type comes later
(a code that is numeric for 26,000 rows, then ``"A12"``) is read as text (or as floats, for
integers followed by decimals) instead of failing half-way; ``dtypes=`` (``--schema`` on the
command line) sets a column's type outright.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from anonlab._csvcheck import (
    CANDIDATES,
    HEAD_BYTES,
    NAMES,
    check_encoding,
    check_separator,
    count_outside_quotes,
    read_head,
    records,
)
from anonlab._validation import check_one_of
from anonlab.errors import AnonlabError, ColumnNotFoundError, ParameterError

__all__ = ["DTYPE_NAMES", "FileFormatError", "detect_separator", "parse_dtypes", "polars_reason",
           "read", "scan"]

SEPARATORS = CANDIDATES
_NAMES = NAMES
INFER_ROWS = 10_000
"""Rows the column types are guessed from (every row is then checked against the guess)."""

DTYPE_NAMES: dict[str, pl.DataType] = {
    "str": pl.String(), "string": pl.String(), "text": pl.String(),
    "int": pl.Int64(), "int64": pl.Int64(), "integer": pl.Int64(),
    "float": pl.Float64(), "float64": pl.Float64(), "number": pl.Float64(),
    "bool": pl.Boolean(), "boolean": pl.Boolean(),
    "date": pl.Date(), "datetime": pl.Datetime("us"),
}
"""The type names ``dtypes=`` and ``--schema`` take (a polars dtype works too in Python)."""


class FileFormatError(AnonlabError, ValueError):
    """A file cannot be read as a table (unknown format, undetectable separator, bad content)."""


def _format_of(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    for s in reversed(suffixes):
        if s in (".csv", ".tsv", ".txt"):
            return "csv"
        if s in (".parquet", ".pq"):
            return "parquet"
        if s in (".arrow", ".ipc", ".feather"):
            return "ipc"
        if s in (".ndjson", ".jsonl"):
            return "ndjson"
    raise FileFormatError(
        f"Cannot tell the format of {path.name!r} from its extension. Use .csv, .tsv, .parquet, "
        ".arrow/.feather or .ndjson/.jsonl."
    )


def detect_separator(path: str | os.PathLike[str], *, sample_bytes: int = HEAD_BYTES) -> str:
    """Detect a CSV file's separator among ``,`` ``;`` tab and ``|``.

    The separator is the candidate that appears the same non-zero number of times on the most
    lines of the file's start (quoted fields are skipped); ties go to the order above.

    Raises
    ------
    FileFormatError
        The file is empty.
    """
    path = Path(path)
    head = read_head(path, sample_bytes)
    return _detect(path, _lines(head, sample_bytes))


def _lines(head: bytes, sample_bytes: int = HEAD_BYTES) -> list[str]:
    text = head.decode("utf-8", errors="replace")
    lines = records(text)
    if len(head) == sample_bytes and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut
    return lines


def _detect(path: Path, lines: list[str]) -> str:
    if not lines:
        raise FileFormatError(f"{path.name!r} is empty; there is no table to read.")
    best: tuple[int, int, str] | None = None
    for rank, sep in enumerate(SEPARATORS):
        counts = [count_outside_quotes(ln, sep) for ln in lines]
        common, freq = Counter(counts).most_common(1)[0]
        if common == 0:
            continue
        score = (freq, -rank)
        if best is None or score > best[:2]:
            best = (freq, -rank, sep)
    if best is None:
        return ","  # a single-column file: any separator reads it the same
    return best[2]


def parse_dtypes(spec: Mapping[str, object] | str | None) -> dict[str, pl.DataType]:
    """Column types as ``dtypes=`` and ``--schema`` give them: a mapping of column name to a
    polars dtype or a type name of :data:`DTYPE_NAMES`, or text ``"zip=str,age=int"``.

    Raises
    ------
    ParameterError
        A type name is unknown, or the text is not ``name=type`` pairs.
    """
    if spec is None:
        return {}
    if isinstance(spec, str):
        pairs: dict[str, object] = {}
        for part in (p.strip() for p in spec.split(",")):
            if not part:
                continue
            name, eq, type_name = part.rpartition("=")
            if not eq or not name.strip():
                raise ParameterError(
                    f"A schema entry must be name=type (for example zip=str). Got {part!r}."
                )
            pairs[name.strip()] = type_name.strip()
        spec = pairs
    if not isinstance(spec, Mapping):
        raise ParameterError(
            "The 'dtypes' parameter must map column names to types ({'zip': 'str'}). Got "
            f"{type(spec).__name__} instead."
        )
    out: dict[str, pl.DataType] = {}
    for name, kind in spec.items():
        if not isinstance(name, str):
            raise ParameterError(f"The 'dtypes' parameter names a column with {name!r}.")
        if isinstance(kind, type) and issubclass(kind, pl.DataType):
            kind = kind()
        if isinstance(kind, pl.DataType):
            out[name] = kind
            continue
        dtype = DTYPE_NAMES.get(str(kind).lower()) if isinstance(kind, str) else None
        if dtype is None:
            raise ParameterError(
                f"Unknown type {kind!r} for column {name!r}: use one of "
                f"{', '.join(sorted(DTYPE_NAMES))}."
            )
        out[name] = dtype
    return out


def _failed(column: str, dtype: pl.DataType) -> pl.Expr | None:
    """True when some value of the (text) column does not read as ``dtype``."""
    v = pl.col(column)
    present = v.is_not_null()
    if dtype.is_integer() or dtype.is_float():
        parsed = v.str.strip_chars().cast(dtype, strict=False)
    elif dtype == pl.Boolean:
        return (present & ~v.str.to_lowercase().is_in(["true", "false"])).any()
    elif dtype == pl.Date:
        parsed = v.str.to_date(strict=False)
    elif isinstance(dtype, pl.Datetime):
        parsed = v.str.to_datetime(strict=False, time_unit=dtype.time_unit,
                                   time_zone=dtype.time_zone)
    else:
        return None
    return (present & parsed.is_null()).any()


def _checked_types(
    path: Path, separator: str, dtypes: dict[str, pl.DataType], rows: int = INFER_ROWS
) -> dict[str, pl.DataType]:
    """The column types to read with: the guess from the first ``rows`` rows, checked against
    every row in one streaming pass over the guessed non-text columns.

    A column that does not hold its guessed type all the way down becomes text (integers
    followed by decimals become Float64); digit strings with leading zeros (ZIP codes, MRNs)
    stay text, since inferring ``02139`` as the integer 2139 would silently change the data.
    ``dtypes`` (the caller's) win and are not checked.
    """
    try:
        # reading the head eagerly fails early, with the separator named, on a malformed file
        pl.read_csv(path, separator=separator, n_rows=rows, infer_schema=False)
        guessed = pl.scan_csv(
            path, separator=separator, infer_schema_length=rows, try_parse_dates=True
        ).collect_schema()
        for name in dtypes:
            if name not in guessed:
                raise ColumnNotFoundError(name, guessed.names(), where="the schema option")
        candidates = {n: t for n, t in guessed.items() if t != pl.String and n not in dtypes}
        exprs: list[pl.Expr] = []
        plan: list[tuple[str, str]] = []
        for i, (name, dtype) in enumerate(candidates.items()):
            bad = _failed(name, dtype)
            if bad is None:
                continue
            exprs.append(bad.alias(f"{i}:bad"))
            plan.append((name, f"{i}:bad"))
            if dtype.is_integer():
                exprs.append(pl.col(name).str.contains(r"^\s*[-+]?0\d").any().alias(f"{i}:pad"))
                as_float = _failed(name, pl.Float64())
                assert as_float is not None  # floats are always checked
                exprs.append(as_float.alias(f"{i}:float"))
        if not exprs:
            return dict(dtypes)
        raw = pl.scan_csv(path, separator=separator, infer_schema=False)
        try:
            found = raw.select(exprs).collect(engine="streaming").row(0, named=True)
        except pl.exceptions.PolarsError:
            # a check polars cannot run on this text (a date format it only reads with the CSV
            # reader's own inference): check the other columns, keep the guess for the rest
            plan = [(n, b) for n, b in plan if not guessed[n].is_temporal()]
            kept = {f"{i}:{k}" for i, (n, _) in enumerate(candidates.items())
                    if not guessed[n].is_temporal() for k in ("bad", "pad", "float")}
            exprs = [e for e in exprs if e.meta.output_name() in kept]
            found = (raw.select(exprs).collect(engine="streaming").row(0, named=True)
                     if exprs else {})
    except pl.exceptions.PolarsError as exc:
        raise FileFormatError(
            f"Cannot read {path.name!r} as a table with separator "
            f"{separator_name(separator)}: {polars_reason(exc)}"
        ) from None
    out: dict[str, pl.DataType] = {}
    for name, flag in plan:
        at = flag.split(":")[0]
        if found.get(f"{at}:pad"):
            out[name] = pl.String()
        elif found[flag]:
            integer_then_decimals = f"{at}:float" in found and not found[f"{at}:float"]
            out[name] = pl.Float64() if integer_then_decimals else pl.String()
    out.update(dtypes)
    return out


def scan(
    path: str | os.PathLike[str],
    *,
    separator: str | None = None,
    dtypes: Mapping[str, object] | str | None = None,
) -> pl.LazyFrame:
    """Open a table file lazily (nothing is read until the query runs).

    Parameters
    ----------
    path : str or path-like
        A ``.csv``/``.tsv``/``.txt``, ``.parquet``, ``.arrow``/``.feather`` or
        ``.ndjson``/``.jsonl`` file.
    separator : str, optional
        A CSV's separator; detected when not given (see :func:`detect_separator`).
    dtypes : mapping or str, optional
        Types of CSV columns, which win over the guessed ones: ``{"zip": "str", "age": "int"}``
        (type names of :data:`DTYPE_NAMES`, or polars dtypes), or the same as text
        ``"zip=str,age=int"``. Columns not named are guessed from the first 10,000 rows and
        checked against every row.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    FileFormatError
        The format is unknown, the path is not a regular file, the file is not UTF-8 text, the
        separator splits it wrongly (one column while another candidate splits every line, or
        lines with mixed separators), or it is malformed.
    ColumnNotFoundError
        ``dtypes`` names a column the file does not have.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"No such file: {str(path)!r}")
    if not path.is_file():
        raise FileFormatError(
            f"{path.name!r} is not a regular file (a folder, device or pipe); give a table file."
        )
    fmt = _format_of(path)
    types = parse_dtypes(dtypes)
    if fmt == "csv":
        explicit = separator is not None
        if separator in ("tab", "\\t"):
            separator = "\t"
        if separator is not None and len(separator) != 1:
            raise ParameterError(
                f"The 'separator' parameter must be a single character. Got {separator!r} instead."
            )
        head = read_head(path)
        check_encoding(path, head, FileFormatError)
        lines = _lines(head)
        if separator is None:
            separator = "\t" if path.suffix.lower() == ".tsv" else _detect(path, lines)
        if explicit or len(lines) > 1:
            check_separator(path, lines, separator, FileFormatError)
        return pl.scan_csv(
            path,
            separator=separator,
            infer_schema_length=INFER_ROWS,
            try_parse_dates=True,
            schema_overrides=_checked_types(path, separator, types),
        )
    if types:
        raise ParameterError(
            f"The 'dtypes' parameter (--schema) applies to CSV files; {path.name!r} carries its "
            "own column types. Cast columns after reading instead."
        )
    if fmt == "parquet":
        return pl.scan_parquet(path)
    if fmt == "ipc":
        return pl.scan_ipc(path)
    return pl.scan_ndjson(path)


def read(
    path: str | os.PathLike[str],
    *,
    separator: str | None = None,
    backend: str = "polars",
    dtypes: Mapping[str, object] | str | None = None,
) -> object:
    """Read a table file into memory (see :func:`scan` for formats, separators and ``dtypes``).

    Parameters
    ----------
    backend : {"polars", "pandas", "arrow"}
        The kind of frame to return.
    """
    check_one_of(backend, "backend", "read", ("polars", "pandas", "arrow"))
    try:
        df = scan(path, separator=separator, dtypes=dtypes).collect()
    except pl.exceptions.PolarsError as exc:
        raise FileFormatError(
            f"Cannot read {Path(path).name!r} as a table: {polars_reason(exc)}"
        ) from None
    if backend == "pandas":
        return df.to_pandas()
    if backend == "arrow":
        return df.to_arrow()
    return df


_QUOTED = re.compile(r"`[^`]*`|\"[^\"]*\"")


def polars_reason(exc: BaseException) -> str:
    """The first line of a polars error with the cell values it quotes taken out.

    polars quotes the value it failed on (``could not parse `jane@x.org` as dtype i64``); that
    text must not reach a log or a notebook output, so quoted spans become ``…``. Column names,
    which polars quotes with single quotes, stay.
    """
    lines = str(exc).strip().splitlines()
    first = lines[0] if lines else type(exc).__name__
    return _QUOTED.sub("…", first)


def separator_name(sep: str) -> str:
    """A separator's name for messages."""
    return _NAMES.get(sep, repr(sep))

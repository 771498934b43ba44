"""Reading tables from files: CSV (separator detected), Parquet, Arrow IPC and NDJSON.

Every command that reads a file goes through :func:`scan`, so they all detect a CSV's separator
the same way and fail the same way on a file they cannot read.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path

import polars as pl

from anonlab._validation import check_one_of
from anonlab.errors import AnonlabError, ParameterError

__all__ = ["FileFormatError", "detect_separator", "polars_reason", "read", "scan"]

SEPARATORS = (",", ";", "\t", "|")
_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


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


def detect_separator(path: str | os.PathLike[str], *, sample_bytes: int = 65_536) -> str:
    """Detect a CSV file's separator among ``,`` ``;`` tab and ``|``.

    The separator is the candidate that appears the same non-zero number of times on the most
    lines of the file's start (quoted fields are skipped); ties go to the order above.

    Raises
    ------
    FileFormatError
        No candidate splits the lines consistently.
    """
    path = Path(path)
    with path.open("rb") as fh:
        head = fh.read(sample_bytes)
    text = head.decode("utf-8", errors="replace")
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if len(head) == sample_bytes and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut
    lines = lines[:200]
    if not lines:
        raise FileFormatError(f"{path.name!r} is empty; there is no table to read.")
    best: tuple[int, int, str] | None = None
    for rank, sep in enumerate(SEPARATORS):
        counts = [_count_outside_quotes(ln, sep) for ln in lines]
        common, freq = Counter(counts).most_common(1)[0]
        if common == 0:
            continue
        score = (freq, -rank)
        if best is None or score > best[:2]:
            best = (freq, -rank, sep)
    if best is None:
        if len(lines) >= 1:
            return ","  # a single-column file: any separator reads it the same
        raise FileFormatError(f"Cannot detect the separator of {path.name!r}.")
    return best[2]


def _count_outside_quotes(line: str, sep: str) -> int:
    n, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == sep and not quoted:
            n += 1
    return n


def _zero_padded_columns(path: Path, separator: str, rows: int = 10_000) -> dict[str, type]:
    """Columns of digit strings with leading zeros (ZIP codes, MRNs): keep them as text.

    Inferring ``02139`` as the integer 2139 would silently change the data. The columns polars
    would infer as integers from the first ``rows`` rows are checked over the whole file (one
    streaming pass over those columns only), so a padded code far down the file counts too.
    """
    try:
        # reading the head eagerly fails early, with the separator named, on a malformed file
        pl.read_csv(path, separator=separator, n_rows=rows, infer_schema=False)
        lf = pl.scan_csv(path, separator=separator, infer_schema_length=rows)
        candidates = [n for n, t in lf.collect_schema().items() if t.is_integer()]
        if not candidates:
            return {}
        padded = (
            pl.scan_csv(path, separator=separator, infer_schema=False)
            .select(pl.col(c).str.contains(r"^[-+]?0\d").any().alias(c) for c in candidates)
            .collect(engine="streaming")
            .row(0, named=True)
        )
    except pl.exceptions.PolarsError as exc:
        raise FileFormatError(
            f"Cannot read {path.name!r} as a table with separator "
            f"{separator_name(separator)}: {polars_reason(exc)}"
        ) from None
    return {c: pl.String for c, yes in padded.items() if yes}


def scan(
    path: str | os.PathLike[str], *, separator: str | None = None
) -> pl.LazyFrame:
    """Open a table file lazily (nothing is read until the query runs).

    Parameters
    ----------
    path : str or path-like
        A ``.csv``/``.tsv``/``.txt``, ``.parquet``, ``.arrow``/``.feather`` or
        ``.ndjson``/``.jsonl`` file.
    separator : str, optional
        A CSV's separator; detected when not given (see :func:`detect_separator`).

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    FileFormatError
        The format is unknown or the separator cannot be detected.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No such file: {str(path)!r}")
    fmt = _format_of(path)
    if fmt == "csv":
        if separator is None:
            separator = "\t" if path.suffix.lower() == ".tsv" else detect_separator(path)
        elif separator in ("tab", "\\t"):
            separator = "\t"
        if len(separator) != 1:
            raise ParameterError(
                f"The 'separator' parameter must be a single character. Got {separator!r} instead."
            )
        return pl.scan_csv(
            path,
            separator=separator,
            infer_schema_length=10_000,
            try_parse_dates=True,
            schema_overrides=_zero_padded_columns(path, separator),
        )
    if fmt == "parquet":
        return pl.scan_parquet(path)
    if fmt == "ipc":
        return pl.scan_ipc(path)
    return pl.scan_ndjson(path)


def read(
    path: str | os.PathLike[str], *, separator: str | None = None, backend: str = "polars"
) -> object:
    """Read a table file into memory (see :func:`scan` for formats and separators).

    Parameters
    ----------
    backend : {"polars", "pandas", "arrow"}
        The kind of frame to return.
    """
    check_one_of(backend, "backend", "read", ("polars", "pandas", "arrow"))
    try:
        df = scan(path, separator=separator).collect()
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

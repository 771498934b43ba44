"""Writing a lazy query's result to a file, streaming and atomically.

Used by the command line (and the bundle writer): the core never writes files itself. The result
goes to a temporary file beside the target, which is renamed over the target only when the query
finished, so a reader never sees half a file and a failure leaves nothing behind.

CSV output is protected against formula injection by default: text cells a spreadsheet would run
as formulas are prefixed with ``'`` (:mod:`anonlab.csv_safety`; ``csv_safe=False`` opts out).

Two ways to run, same bytes of data out:

- native: polars' own streaming sinks (``sink_parquet``, ``sink_csv``, ...), fastest;
- with progress: the query is pulled batch by batch (``collect_batches``) and each batch is
  written and counted, so a terminal can show rows done, rate and, when the input's row count is
  cheap to know (Parquet, Arrow), a percentage.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

import polars as pl

from anonlab.io import FileFormatError

__all__ = ["FORMATS", "output_format", "sink"]

FORMATS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".tsv": "csv",
           ".arrow": "ipc", ".ipc": "ipc", ".feather": "ipc", ".ndjson": "ndjson",
           ".jsonl": "ndjson"}


def output_format(path: Path) -> str:
    """The format a file's extension asks for."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise FileFormatError(
            f"Cannot tell the output format of {path.name!r} from its extension. Use "
            ".parquet, .csv, .tsv, .arrow/.feather or .ndjson/.jsonl."
        )
    return fmt


def _temp_beside(path: Path) -> Path:
    """A path for the output inside a fresh private folder beside ``path``.

    The folder (mode 0700, made by :func:`tempfile.mkdtemp`) keeps anyone else sharing the
    target's folder from swapping the temporary file for a link while polars writes it by name;
    being on the same file system, the finished file is renamed over the target atomically.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    return folder / path.name


def sink(
    lf: pl.LazyFrame,
    path: str | os.PathLike[str],
    *,
    separator: str | None = None,
    progress: Callable[[int, float], None] | None = None,
    csv_safe: bool = True,
) -> int:
    """Run ``lf`` and write its result to ``path`` atomically; returns the rows written.

    Parameters
    ----------
    lf : polars.LazyFrame
        The query.
    path : path-like
        Target file; its extension picks the format.
    separator : str, optional
        CSV separator (default ``,``; tab for ``.tsv``).
    progress : callable, optional
        Called as ``progress(rows_so_far, seconds)`` after each batch; when given, the query is
        pulled batch by batch instead of through polars' native sink.
    csv_safe : bool, default True
        For CSV output: prefix with ``'`` the text cells (and column names) a spreadsheet would
        run as formulas (:mod:`anonlab.csv_safety`). ``False`` writes them unchanged.
    """
    target = Path(path)
    fmt = output_format(target)
    if not isinstance(csv_safe, bool):
        from anonlab.errors import ParameterError

        raise ParameterError(f"The 'csv_safe' parameter of sink must be a bool. Got a "
                             f"{type(csv_safe).__name__}.")
    if fmt == "csv" and csv_safe:
        from anonlab.csv_safety import neutralize_csv

        lf = neutralize_csv(lf)
    if separator is None:
        separator = "\t" if target.suffix.lower() == ".tsv" else ","
    tmp = _temp_beside(target)
    try:
        if progress is None:
            rows = _native(lf, tmp, fmt, separator)
        else:
            rows = _batched(lf, tmp, fmt, separator, progress)
        os.replace(tmp, target)
    finally:
        # the private folder goes whatever happened (polars may leave a partial file in it)
        shutil.rmtree(tmp.parent, ignore_errors=True)
    return rows


def _native(lf: pl.LazyFrame, tmp: Path, fmt: str, separator: str) -> int:
    if fmt == "parquet":
        lf.sink_parquet(tmp)
        return pl.scan_parquet(tmp).select(pl.len()).collect().item()
    if fmt == "csv":
        lf.sink_csv(tmp, separator=separator)
        # counted by the CSV reader, not by lines: quoted values may hold line breaks
        return pl.scan_csv(tmp, separator=separator, infer_schema=False).select(
            pl.len()).collect().item()
    if fmt == "ipc":
        lf.sink_ipc(tmp)
        return pl.scan_ipc(tmp).select(pl.len()).collect().item()
    lf.sink_ndjson(tmp)
    # NDJSON escapes line breaks inside values, so lines are records
    with tmp.open("rb") as fh:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))


def _batched(
    lf: pl.LazyFrame,
    tmp: Path,
    fmt: str,
    separator: str,
    progress: Callable[[int, float], None],
) -> int:
    start = time.perf_counter()
    rows = 0
    writer = None
    fh: IO[bytes] | None = None
    try:
        for batch in lf.collect_batches():
            if fmt == "parquet":
                import pyarrow.parquet as pq

                table = batch.to_arrow()
                if writer is None:
                    writer = pq.ParquetWriter(tmp, table.schema, compression="zstd")
                writer.write_table(table)
            elif fmt == "ipc":
                import pyarrow as pa

                table = batch.to_arrow()
                if writer is None:
                    writer = pa.ipc.new_file(str(tmp), table.schema)
                writer.write_table(table)
            else:
                if fh is None:
                    fh = tmp.open("wb")
                if fmt == "csv":
                    batch.write_csv(fh, separator=separator, include_header=rows == 0)
                else:
                    batch.write_ndjson(fh)
            rows += batch.height
            progress(rows, time.perf_counter() - start)
        if rows == 0:  # an empty result still gets a well-formed file
            empty = lf.clear().collect()
            {"parquet": empty.write_parquet, "ipc": empty.write_ipc,
             "csv": lambda p: empty.write_csv(p, separator=separator),
             "ndjson": empty.write_ndjson}[fmt](tmp)
    finally:
        if writer is not None:
            writer.close()
        if fh is not None:
            fh.close()
    return rows


def terminal_progress(total: int | None, stream: IO[str] | None = None) -> Callable[[int, float],
                                                                                     None]:
    """A progress callback that redraws one line on a terminal."""
    out = stream or sys.stderr

    def show(rows: int, seconds: float) -> None:
        rate = rows / seconds if seconds > 0 else 0.0
        share = f" ({rows / total:.0%} of {total:,})" if total else ""
        out.write(f"\r  {rows:,} rows{share}, {rate:,.0f} rows/s ")
        out.flush()

    return show

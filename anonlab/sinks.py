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
import re
import shutil
import stat
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

import polars as pl

from anonlab.io import FileFormatError

__all__ = ["FORMATS", "output_format", "remove_stale_temporaries", "sink"]

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


TEMP_MARK = ".anonlab-"
"""What the name of a temporary output folder holds after ``.<target name>``."""
STALE_AFTER = 15 * 60
"""Seconds after its last change that a temporary output folder left behind counts as stale."""


def _temp_beside(path: Path) -> Path:
    """A path for the output inside a fresh private folder beside ``path``.

    The folder (mode 0700, made by :func:`tempfile.mkdtemp`) keeps anyone else sharing the
    target's folder from swapping the temporary file for a link while polars writes it by name;
    being on the same file system, the finished file is renamed over the target atomically. Its
    name, ``.<target>.anonlab-<pid>-<random>.tmp``, says whose it is: folders a killed run left
    behind are removed first (:func:`remove_stale_temporaries`).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path)
    prefix = f".{path.name}{TEMP_MARK}{os.getpid()}-"
    folder = Path(tempfile.mkdtemp(prefix=prefix, suffix=".tmp", dir=path.parent))
    return folder / path.name


def _last_change(folder: Path) -> float:
    """The latest modification time of the folder and of what it holds."""
    newest = folder.lstat().st_mtime
    for entry in folder.iterdir():
        newest = max(newest, entry.lstat().st_mtime)
    return newest


def _alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine (ours or not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def remove_stale_temporaries(path: Path, *, older_than: float = STALE_AFTER) -> list[Path]:
    """Remove the temporary output folders of ``path`` that a killed run left behind.

    A folder is removed only when all of these hold: it sits beside ``path`` and is named like
    the ones :func:`sink` makes for it (``.<name>.anonlab-<pid>-<random>.tmp``, or
    ``.<name>.<8 random characters>.tmp`` holding nothing but ``<name>``, as anonlab named them
    before); it is a real
    folder owned by this user; nothing in it changed for ``older_than`` seconds; and the
    process that made it no longer runs here. A run still writing is never touched. Returns
    the folders removed. Failures to remove are ignored (the next run tries again).
    """
    removed: list[Path] = []
    head = f".{path.name}{TEMP_MARK}"
    now = time.time()
    try:
        entries = list(path.parent.iterdir())
    except OSError:
        return removed
    legacy = re.compile(re.escape(f".{path.name}.") + r"[a-z0-9_]{8}\.tmp")
    for entry in entries:
        name = entry.name
        ours = name.startswith(head) and name.endswith(".tmp")
        older = legacy.fullmatch(name) is not None  # made by anonlab before the mark
        if not (ours or older):
            continue
        pid_text = name[len(head):].split("-", 1)[0] if ours else ""
        try:
            info = entry.lstat()
            if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
                continue
            if older and any(e.name != path.name for e in entry.iterdir()):
                continue  # not one of ours: they held the one output file at most
            if now - _last_change(entry) < older_than:
                continue
            if pid_text.isdigit() and int(pid_text) != os.getpid() and _alive(int(pid_text)):
                continue
            shutil.rmtree(entry)
        except OSError:
            continue
        removed.append(entry)
    return removed


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
        return _rows(pl.scan_parquet(tmp))
    if fmt == "csv":
        lf.sink_csv(tmp, separator=separator)
        # counted by the CSV reader, not by lines: quoted values may hold line breaks
        return _rows(pl.scan_csv(tmp, separator=separator, infer_schema=False))
    if fmt == "ipc":
        lf.sink_ipc(tmp)
        return _rows(pl.scan_ipc(tmp))
    lf.sink_ndjson(tmp)
    # NDJSON escapes line breaks inside values, so lines are records
    with tmp.open("rb") as fh:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))


def _rows(scan: pl.LazyFrame) -> int:
    """The number of rows of a file just written, as its reader counts them."""
    n: int = scan.select(pl.len()).collect().item()
    return n


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
            if fmt == "parquet":
                empty.write_parquet(tmp)
            elif fmt == "ipc":
                empty.write_ipc(tmp)
            elif fmt == "csv":
                empty.write_csv(tmp, separator=separator)
            else:
                empty.write_ndjson(tmp)
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

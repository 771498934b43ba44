"""Checks of a CSV file's start before polars reads it: encoding and separator.

polars reads what it is told: a UTF-16 file decodes as mojibake (NUL bytes between letters),
a comma file read with separator ``;`` becomes one column holding every field, and lines
written with another separator than the header's are padded with nulls (the rows shift). Each
of these released data unchanged in issue 13 (every name and e-mail in one column the profiler
could not classify). These checks look at the file's first :data:`HEAD_BYTES` and raise a
:class:`~anonlab.io.FileFormatError` that says what was detected and what to do.
"""

from __future__ import annotations

import codecs
from collections import Counter
from collections.abc import Callable
from pathlib import Path

__all__ = ["HEAD_BYTES", "check_encoding", "check_separator", "read_head", "records"]

HEAD_BYTES = 65_536
"""How much of a file's start the checks (and separator detection) look at."""

CANDIDATES = (",", ";", "\t", "|")
NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
PLURALS = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "pipes"}
CONSISTENT = 0.9
"""Share of the lines that must agree for a separator to count as the file's real one."""

_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32 (little-endian)"),
    (codecs.BOM_UTF32_BE, "UTF-32 (big-endian)"),
    (codecs.BOM_UTF16_LE, "UTF-16 (little-endian)"),
    (codecs.BOM_UTF16_BE, "UTF-16 (big-endian)"),
)


def read_head(path: Path, size: int = HEAD_BYTES) -> bytes:
    """The first ``size`` bytes of a file (never more, whatever the file is)."""
    with path.open("rb") as fh:
        return fh.read(size)


def check_encoding(path: Path, head: bytes, error: Callable[[str], Exception]) -> None:
    """Refuse a file whose start is not UTF-8 text (a byte-order mark of UTF-16 or UTF-32, NUL
    bytes, bytes that do not decode), saying what was found."""
    name = repr(path.name)

    def convert(encoding: str) -> str:
        return f"Convert it to UTF-8 first (for example: iconv -f {encoding} -t UTF-8 {path.name})."

    for bom, encoding in _BOMS:
        if head.startswith(bom):
            raise error(
                f"{name} starts with a {encoding} byte-order mark: it is {encoding} text, which "
                f"would be read as garbled characters. {convert(encoding.split()[0])}"
            )
    nul = head.find(b"\x00")
    if nul >= 0:
        share = head.count(b"\x00") / max(len(head), 1)
        what = (
            "UTF-16 or UTF-32 text without a byte-order mark"
            if share >= 0.2
            else "a binary file, not text"
        )
        raise error(
            f"{name} holds NUL bytes (the first at byte {nul:,}; {share:.0%} of its first "
            f"{len(head):,} bytes): it looks like {what}. {convert('UTF-16')}"
        )
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError as exc:
        raise error(
            f"{name} is not UTF-8 text (an invalid byte at position {exc.start:,}); it may be "
            f"Latin-1 or Windows-1252. {convert('WINDOWS-1252')}"
        ) from None


def records(text: str, limit: int = 200) -> list[str]:
    """The first ``limit`` non-empty records of CSV text; a line break inside quotes does not
    end a record. The last record is left out when the text was cut (it may be partial)."""
    out: list[str] = []
    start, quoted = 0, False
    for i, ch in enumerate(text):
        if ch == '"':
            quoted = not quoted
        elif ch == "\n" and not quoted:
            line = text[start:i].rstrip("\r")
            if line.strip():
                out.append(line)
                if len(out) >= limit:
                    return out
            start = i + 1
    tail = text[start:].rstrip("\r")
    if tail.strip() and not quoted:
        out.append(tail)
    return out


def count_outside_quotes(line: str, sep: str) -> int:
    """How many times ``sep`` occurs in ``line`` outside double quotes."""
    n, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == sep and not quoted:
            n += 1
    return n


def check_separator(
    path: Path, lines: list[str], sep: str, error: Callable[[str], Exception]
) -> None:
    """Refuse a separator that splits the file wrongly.

    Two faults are caught: the separator makes one column while another candidate splits
    (nearly) every line into the same number of fields (a comma file read with ``;``); and lines
    whose number of fields differs from the header's but matches it under another candidate
    (lines written with mixed separators, which polars would pad with nulls, shifting values
    into the wrong columns).
    """
    if not lines:
        return
    name, used = repr(path.name), NAMES.get(sep, repr(sep))
    header = count_outside_quotes(lines[0], sep)
    others = [c for c in CANDIDATES if c != sep]
    if header == 0:
        for other in others:
            counts = [count_outside_quotes(ln, other) for ln in lines]
            common, freq = Counter(counts).most_common(1)[0]
            if common > 0 and freq >= CONSISTENT * len(lines):
                raise error(
                    f"Reading {name} with separator {used} gives one column, but "
                    f"{freq:,} of its first {len(lines):,} lines hold {common} "
                    f"{PLURALS[other]} outside quotes: the file looks {NAMES[other]}-separated. "
                    f"Pass the separator {NAMES[other]} ({other!r}), or leave it out to detect it."
                )
        return
    wrong: list[tuple[int, str]] = []
    for number, line in enumerate(lines[1:], start=2):  # the header is row 1
        if count_outside_quotes(line, sep) == header:
            continue
        for other in others:
            if count_outside_quotes(line, other) == header:
                wrong.append((number, other))
                break
    if wrong:
        shown = ", ".join(f"{n} ({NAMES[o]})" for n, o in wrong[:5])
        more = f" and {len(wrong) - 5} more" if len(wrong) > 5 else ""
        raise error(
            f"{name} mixes separators: its header has {header + 1} fields separated by {used}, "
            f"but row(s) {shown}{more} (the header is row 1) split into that many fields only "
            "with another separator; "
            "read as they are, their values would shift into the wrong columns. Rewrite the file "
            "with one separator."
        )

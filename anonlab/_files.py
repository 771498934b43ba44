"""Atomic file writes, and bounded reads, shared by the library and the command line.

A reader never sees a half-written file: data goes to a temporary file in the target's folder,
is flushed to disk and renamed over the target; a failure leaves any previous file in place and
no temporary file behind.

Every small file anonlab reads (a key, a recipe, a template, a hierarchy) is read with
:func:`read_bounded`: at most a stated number of bytes, from a regular file only, so
``key: file:/dev/zero`` or a hierarchy at ``/dev/zero`` fails at once instead of reading until
memory runs out.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = [
    "HIERARCHY_MAX_BYTES",
    "KEY_MAX_BYTES",
    "TEXT_MAX_BYTES",
    "read_bounded",
    "umask",
    "write_atomic",
]

KEY_MAX_BYTES = 4_096
"""The largest key file (a hash or pseudonym key) anonlab reads: keys are 16 to a few hundred
bytes."""
PEM_MAX_BYTES = 16_384
"""The largest signing key file (PEM) anonlab reads."""
TEXT_MAX_BYTES = 8 * 1024 * 1024
"""The largest recipe, license or template file anonlab reads (8 MiB)."""
HIERARCHY_MAX_BYTES = 64 * 1024 * 1024
"""The largest hierarchy file anonlab reads (64 MiB)."""


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):g} MiB"
    if n >= 1024:
        return f"{n / 1024:g} KiB"
    return f"{n:,} bytes"


def read_bounded(
    path: Path,
    limit: int,
    what: str,
    error: Callable[[str], Exception],
    *,
    shown: str | None = None,
) -> bytes:
    """The bytes of the regular file ``path``, refusing more than ``limit`` of them.

    A missing file raises :class:`FileNotFoundError` (the caller words it); a folder, a device
    (``/dev/zero``), a pipe or a file over ``limit`` bytes raises ``error(message)``, the message
    naming ``what`` the file was for and the limit (never its content). At most ``limit + 1``
    bytes are ever read, whatever the file is or becomes while it is read. ``shown`` is how the
    message names the file (default: its path quoted); a key reference passes something that
    cannot be key material mistaken for a path.
    """
    label = f"{what} {shown if shown is not None else repr(str(path))}"
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except IsADirectoryError:
        raise error(f"The {label} is a folder, not a file.") from None
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise error(f"The {label} cannot be read: {exc.strerror}.") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise error(f"The {label} is a folder, not a file.")
        if not stat.S_ISREG(info.st_mode):
            raise error(
                f"The {label} is not a regular file (a device, pipe or socket); "
                "give the path of a file."
            )
        if info.st_size > limit:
            raise error(
                f"The {label} is {_size(info.st_size)}, more than the "
                f"{_size(limit)} anonlab reads for it."
            )
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise error(
                f"The {label} is more than the {_size(limit)} anonlab reads for it."
            )
        return b"".join(chunks)
    finally:
        os.close(fd)


def umask() -> int:
    """The process umask, read without changing it (``os.umask`` would, briefly, for every
    thread); 0o022 where it cannot be read."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022


def write_atomic(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename.

    ``mode``, when given, is set on the file before it replaces the target (the temporary file
    is otherwise private, 0600).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

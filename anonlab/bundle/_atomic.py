"""Putting a finished folder in place in one step, and cleaning up after interrupted exports.

A bundle is written into a private temporary folder beside its target, named
``.<name>.export-<pid>-<random>.tmp``, and renamed into place only when complete, so the target
either does not exist or holds a whole bundle. On Linux the renames use ``renameat2``: with
``RENAME_NOREPLACE`` a bundle that appeared meanwhile is never clobbered, and with
``RENAME_EXCHANGE`` an old bundle is swapped for the new one atomically (the old one is then
deleted). Elsewhere they fall back to :func:`os.rename` (the old bundle is moved aside, the new one
moved in, the old one deleted; a crash between the two leaves the target briefly absent).

A process killed mid-export leaves its temporary folder behind: the next export to the same
target removes temporary folders whose process is gone.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

from anonlab._files import umask

__all__ = ["clean_stale", "fsync_dir", "install", "publish_mode", "temp_folder"]

_AT_FDCWD = -100
_RENAME_NOREPLACE = 1
_RENAME_EXCHANGE = 2


def _renameat2(src: Path, dst: Path, flags: int) -> bool:
    """``renameat2(src, dst, flags)``; False when the system or file system lacks it."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    if fn(_AT_FDCWD, os.fsencode(src), _AT_FDCWD, os.fsencode(dst), flags) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(dst))


def temp_folder(target: Path, kind: str = "export") -> Path:
    """A new private (0700) folder beside ``target`` for this process."""
    return Path(tempfile.mkdtemp(prefix=f".{target.name}.{kind}-{os.getpid()}-", suffix=".tmp",
                                 dir=target.parent))


def publish_mode(folder: Path) -> None:
    """Give the finished folder the permissions a folder made with ``mkdir`` would have
    (``mkdtemp`` makes it private, 0700, while it is written)."""
    os.chmod(folder, 0o777 & ~umask())


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def clean_stale(target: Path) -> list[Path]:
    """Remove temporary folders of earlier exports to ``target`` whose process has ended."""
    pattern = re.compile(rf"^\.{re.escape(target.name)}\.(?:export|old)-(\d+)-[^/]*\.tmp$")
    removed: list[Path] = []
    try:
        siblings = list(target.parent.iterdir())
    except OSError:
        return removed
    for p in siblings:
        m = pattern.match(p.name)
        if m and p.is_dir() and not p.is_symlink() and not _alive(int(m.group(1))):
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p)
    return removed


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entries to disk (where the system allows opening folders)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - not on this system
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def install(new: Path, target: Path, *, replace: bool) -> None:
    """Move the finished folder ``new`` to ``target``.

    Without ``replace`` the target must not exist (``FileExistsError`` otherwise, ``new`` left
    as it was). With it, an existing ``target`` is swapped out and deleted.
    """
    if not replace:
        if _renameat2(new, target, _RENAME_NOREPLACE):
            fsync_dir(target.parent)
            return
        if target.exists() or target.is_symlink():
            raise FileExistsError(errno.EEXIST, "exists", str(target))
        os.rename(new, target)
        fsync_dir(target.parent)
        return
    if not (target.exists() or target.is_symlink()):
        install(new, target, replace=False)
        return
    if _renameat2(new, target, _RENAME_EXCHANGE):
        fsync_dir(target.parent)
        shutil.rmtree(new, ignore_errors=True)  # ``new`` now holds the old bundle
        return
    aside = temp_folder(target, "old")
    os.rename(target, aside)  # onto the empty folder mkdtemp made
    try:
        os.rename(new, target)
    except BaseException:
        os.rename(aside, target)
        raise
    fsync_dir(target.parent)
    shutil.rmtree(aside, ignore_errors=True)

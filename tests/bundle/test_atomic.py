"""Moving a finished folder into place: no clobbering, atomic swap, and the portable fallback."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from anonlab.bundle import _atomic


def _folder(path: Path, text: str) -> Path:
    path.mkdir(exist_ok=True)
    (path / "f").write_text(text)
    return path


@pytest.fixture(params=["renameat2", "fallback"])
def mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "fallback":
        monkeypatch.setattr(_atomic, "_renameat2", lambda *args: False)
    return str(request.param)


def test_install_new(tmp_path: Path, mode: str) -> None:
    new = _folder(_atomic.temp_folder(tmp_path / "b"), "new")
    _atomic.install(new, tmp_path / "b", replace=False)
    assert (tmp_path / "b" / "f").read_text() == "new"
    assert not new.exists()


def test_install_never_clobbers(tmp_path: Path, mode: str) -> None:
    target = tmp_path / "b"
    target.mkdir()  # even an empty folder, which a plain rename would replace
    new = _folder(tmp_path / "new", "new")
    with pytest.raises(FileExistsError):
        _atomic.install(new, target, replace=False)
    assert list(target.iterdir()) == []
    assert (new / "f").exists()


def test_install_replaces(tmp_path: Path, mode: str) -> None:
    _folder(tmp_path / "b", "old")
    new = _folder(_atomic.temp_folder(tmp_path / "b"), "new")
    _atomic.install(new, tmp_path / "b", replace=True)
    assert (tmp_path / "b" / "f").read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["b"]


def test_publish_mode_follows_the_umask(tmp_path: Path) -> None:
    folder = _atomic.temp_folder(tmp_path / "b")
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    old = os.umask(0o027)
    try:
        _atomic.publish_mode(folder)
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o750


def test_clean_stale_only_touches_its_own_names(tmp_path: Path) -> None:
    mine = tmp_path / ".b.export-999999999-x.tmp"
    old = tmp_path / ".b.old-999999999-y.tmp"
    other = tmp_path / ".c.export-999999999-x.tmp"
    for p in (mine, old, other):
        p.mkdir()
    assert sorted(_atomic.clean_stale(tmp_path / "b")) == sorted([mine, old])
    assert other.exists()

"""Fixtures for every test: no test reads or writes the developer's own keyring."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def private_keyring(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """``$ANONLAB_KEYRING`` points at an empty keyring of the test's own (created on first add)."""
    path = tmp_path_factory.mktemp("keyring") / "trusted_keys"
    monkeypatch.setenv("ANONLAB_KEYRING", str(path))
    return path

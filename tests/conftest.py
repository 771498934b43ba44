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


@pytest.fixture(scope="session")
def identity_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test licensee's identity key as a PEM file (mode 0600)."""
    from tests.identities import LICENSEE_SIGNING_KEY

    path = tmp_path_factory.mktemp("identity") / "licensee.key"
    path.write_bytes(LICENSEE_SIGNING_KEY._private_pem())
    path.chmod(0o600)
    return path


@pytest.fixture(autouse=True)
def default_identity(identity_file: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``$ANONLAB_IDENTITY`` is the test licensee's key, so that opens of the licenses tests issue
    under templates requiring identity (which name that key) are identified. Tests of
    unauthenticated opens delete the variable."""
    monkeypatch.setenv("ANONLAB_IDENTITY", str(identity_file))
    monkeypatch.delenv("ANONLAB_IDENTITY_CERTIFICATE", raising=False)
    return identity_file

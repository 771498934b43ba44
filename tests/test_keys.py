"""Key references: read where they point, never leaked."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from anonlab.errors import ParameterError, SecretKeyError
from anonlab.keys import Key, check_key_ref, describe_key_ref, resolve_key

SECRET = "correct horse battery staple 42"


def test_env_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANONLAB_TEST_KEY", SECRET)
    assert resolve_key("env:ANONLAB_TEST_KEY") == SECRET.encode()


def test_unset_env_names_the_variable_not_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANONLAB_TEST_KEY", raising=False)
    with pytest.raises(SecretKeyError, match=r"'ANONLAB_TEST_KEY'.*is not set"):
        resolve_key("env:ANONLAB_TEST_KEY")


def test_file_reference_strips_the_newline(tmp_path: Path) -> None:
    path = tmp_path / "key"
    path.write_text(SECRET + "\n")
    assert resolve_key(f"file:{path}") == SECRET.encode()


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SecretKeyError, match="does not exist"):
        resolve_key(f"file:{tmp_path / 'nope'}")


@pytest.mark.parametrize("short", ["abc", "x" * 15])
def test_short_keys_are_refused(monkeypatch: pytest.MonkeyPatch, short: str) -> None:
    monkeypatch.setenv("ANONLAB_TEST_KEY", short)
    with pytest.raises(SecretKeyError, match="at least 16") as exc:
        resolve_key("env:ANONLAB_TEST_KEY")
    assert short not in str(exc.value)
    with pytest.raises(SecretKeyError):
        Key(short)


def test_in_memory_key_hides_its_secret() -> None:
    key = Key(SECRET)
    assert SECRET not in repr(key)
    assert SECRET not in describe_key_ref(key)
    assert len(key.fingerprint) == 16
    assert key == Key(SECRET)
    assert key != Key(SECRET + "!")
    assert resolve_key(key) == SECRET.encode()
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(key)


def test_generated_keys_differ() -> None:
    assert Key.generate() != Key.generate()
    assert len(Key.generate(8).secret()) == 16  # never shorter than the minimum


@pytest.mark.parametrize(
    ("ref", "ok"),
    [
        ("env:ANONLAB_KEY", True),
        ("file:/run/secrets/key", True),
        ("env:", False),  # no variable named
        ("ANONLAB_KEY", False),  # not a reference
        ("a-literal-secret-key-000000", False),  # a literal key is never accepted
        (b"bytes", False),
        (None, False),
    ],
)
def test_check_key_ref(ref, ok: bool) -> None:
    if ok:
        assert check_key_ref(ref, "Hash") == ref
    else:
        with pytest.raises(ParameterError, match="'key' parameter of Hash") as exc:
            check_key_ref(ref, "Hash")
        if isinstance(ref, str):
            assert ref not in str(exc.value) or ref.startswith("env")

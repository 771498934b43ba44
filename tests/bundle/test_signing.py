"""Ed25519 keys: generated safely, loaded by reference, never leaked."""

from __future__ import annotations

import base64
import os
import pickle
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from anonlab.bundle import (
    PublicKey,
    SigningKey,
    fingerprint,
    generate_keypair,
    load_private_key,
    load_public_key,
)
from anonlab.errors import AnonlabError, ParameterError, SecretKeyError


def _raw_private(key: SigningKey) -> bytes:
    return key._key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                  serialization.NoEncryption())


def test_generate_keypair_writes_private_0600_and_refuses_to_overwrite(tmp_path: Path) -> None:
    private, public = generate_keypair(tmp_path / "sub" / "lic")
    assert private.name == "lic.key"
    assert public.name == "lic.pub"
    assert stat.S_IMODE(os.stat(private).st_mode) == 0o600
    assert private.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert public.read_bytes().startswith(b"-----BEGIN PUBLIC KEY-----")
    assert [p.name for p in (tmp_path / "sub").iterdir() if p.name.startswith(".")] == []
    before = private.read_bytes()
    with pytest.raises(ParameterError, match="never overwrites"):
        generate_keypair(tmp_path / "sub" / "lic")
    assert private.read_bytes() == before


def test_keypair_matches(tmp_path: Path) -> None:
    private, public = generate_keypair(tmp_path / "k")
    key = load_private_key(private)
    assert load_public_key(public) == key.public_key
    assert key.public_key.verify(key.sign(b"abc"), b"abc")
    assert not key.public_key.verify(key.sign(b"abc"), b"abd")


def test_encrypted_private_key(tmp_path: Path) -> None:
    private, _ = generate_keypair(tmp_path / "k", password="pass phrase")
    assert b"ENCRYPTED" in private.read_bytes()
    with pytest.raises(SecretKeyError, match="encrypted private key; pass password="):
        load_private_key(private)
    with pytest.raises(SecretKeyError, match="wrong password"):
        load_private_key(private, password="nope")
    assert isinstance(load_private_key(private, password="pass phrase"), SigningKey)


def test_references(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    private, public = generate_keypair(tmp_path / "k")
    key = load_private_key(private)
    assert load_private_key(str(private)) == key
    assert load_private_key(f"file:{private}") == key
    monkeypatch.setenv("ANONLAB_TEST_SIGNING", private.read_text())
    assert load_private_key("env:ANONLAB_TEST_SIGNING") == key
    monkeypatch.setenv("ANONLAB_TEST_SIGNING", private.read_text().replace("\n", "\\n"))
    assert load_private_key("env:ANONLAB_TEST_SIGNING") == key
    monkeypatch.setenv("ANONLAB_TEST_SIGNING", base64.b64encode(_raw_private(key)).decode())
    assert load_private_key("env:ANONLAB_TEST_SIGNING") == key
    assert load_private_key(key) is key
    assert load_private_key(key._key) == key
    monkeypatch.setenv("ANONLAB_TEST_PUBLIC", key.public_key.base64)
    assert load_public_key("env:ANONLAB_TEST_PUBLIC") == key.public_key
    assert load_public_key(f"file:{public}") == key.public_key
    assert load_public_key(key) == key.public_key
    ssh = key._key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                             serialization.PublicFormat.OpenSSH)
    (tmp_path / "id.pub").write_bytes(ssh + b" me@host\n")
    assert load_public_key(tmp_path / "id.pub") == key.public_key


def test_fingerprint_format() -> None:
    key = SigningKey.generate()
    fp = fingerprint(key.public_key)
    assert fp.startswith("ed25519:")
    assert len(fp) == len("ed25519:") + 32
    import hashlib

    assert fp == "ed25519:" + hashlib.sha256(key.public_key.raw).digest()[:16].hex()
    assert fingerprint(key) == fp == fingerprint(key.public_key.raw)
    assert fingerprint(key._key.public_key()) == fp
    with pytest.raises(ParameterError):
        fingerprint("ed25519:abc")  # type: ignore[arg-type]


def test_signing_key_repr_and_pickling() -> None:
    key = SigningKey.generate()
    raw = _raw_private(key)
    text = repr(key)
    assert text == f"SigningKey(fingerprint={key.fingerprint!r})"
    for form in (raw.hex(), base64.b64encode(raw).decode()):
        assert form not in text
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(key)
    assert "PublicKey(fingerprint=" in repr(key.public_key)
    pickle.dumps(key.public_key.raw)  # the public half is not secret


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"garbage", "neither a PEM private key nor the base64"),
        (b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "not a readable"),
        (base64.b64encode(b"x" * 31), "neither a PEM private key"),
    ],
)
def test_bad_private_key_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.key"
    path.write_bytes(content)
    with pytest.raises(SecretKeyError, match=message) as info:
        load_private_key(path)
    assert str(path) in str(info.value)


def test_public_key_given_as_private_and_back(tmp_path: Path) -> None:
    private, public = generate_keypair(tmp_path / "k")
    with pytest.raises(SecretKeyError, match="public key"):
        load_private_key(public)
    with pytest.raises(SecretKeyError, match="holds a private key"):
        load_public_key(private)
    with pytest.raises(SecretKeyError, match="public key was given"):
        load_private_key(load_public_key(public))


def test_other_algorithms_are_refused(tmp_path: Path) -> None:
    ec_key = ec.generate_private_key(ec.SECP256R1())
    pem = ec_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                               serialization.NoEncryption())
    (tmp_path / "ec.key").write_bytes(pem)
    with pytest.raises(SecretKeyError, match="Ed25519"):
        load_private_key(tmp_path / "ec.key")


def test_missing_references(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANONLAB_NO_SUCH_KEY", raising=False)
    with pytest.raises(SecretKeyError, match=r"'ANONLAB_NO_SUCH_KEY'.*not set"):
        load_private_key("env:ANONLAB_NO_SUCH_KEY")
    with pytest.raises(SecretKeyError, match="does not exist"):
        load_private_key(f"file:{tmp_path / 'none.key'}")
    with pytest.raises(ParameterError):
        load_private_key(b"raw bytes")  # type: ignore[arg-type]
    with pytest.raises(AnonlabError):
        load_public_key(12)  # type: ignore[arg-type]


def test_key_errors_never_hold_key_material(monkeypatch: pytest.MonkeyPatch) -> None:
    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                            serialization.NoEncryption())
    broken = base64.b64encode(raw + b"!").decode()  # 33 bytes: refused
    monkeypatch.setenv("ANONLAB_TEST_SIGNING", broken)
    with pytest.raises(SecretKeyError) as info:
        load_private_key("env:ANONLAB_TEST_SIGNING")
    assert broken not in str(info.value)
    assert raw.hex() not in str(info.value)


def test_public_key_raw_checks() -> None:
    with pytest.raises(ParameterError):
        PublicKey(b"short")

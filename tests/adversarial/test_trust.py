"""Forged bundles and the keyring (issue 13, item 4).

A bundle changed and re-signed with another key is self-consistent, so verifying it against the
key it carries proves nothing. ``open`` without a trusted key (given, or in the keyring) refuses;
``accept_untrusted`` opens it anyway, logged and warned. The keyring file is checked line by line.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

import anonlab
from anonlab.bundle import AuditLog, Keyring, SigningKey, UntrustedSignatureWarning
from anonlab.bundle.trust import MAX_KEYRING_BYTES, default_keyring_path
from anonlab.errors import BundleError, ParameterError, SecretKeyError, VerificationError
from tests.adversarial._support import Made, cli, make_bundle, resign


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Made:
    return make_bundle(tmp_path_factory.mktemp("trust"))


@pytest.fixture
def forged(made: Made, tmp_path: Path) -> tuple[Path, SigningKey]:
    """A copy of the bundle with its report replaced, re-signed with another key."""
    target = tmp_path / "release"
    shutil.copytree(made.path, target)
    (target / "report.html").write_text("<p>nothing to see</p>")
    forger = SigningKey.generate()
    resign(target, forger)
    return target, forger


@pytest.fixture
def genuine(made: Made, tmp_path: Path) -> Path:
    target = tmp_path / "genuine"
    shutil.copytree(made.path, target)
    return target


def _open(path: Path, **kwargs: object) -> object:
    return anonlab.open(path, purpose="statistics", role="analyst", user="ada", **kwargs)


def _log(path: Path) -> list[dict]:
    return AuditLog.for_bundle(path).entries()


def test_a_forged_bundle_verifies_only_as_untrusted(forged: tuple[Path, SigningKey]) -> None:
    path, forger = forged
    result = anonlab.verify(path)
    assert (result.signature_trusted, result.key_fingerprint) == (False, forger.fingerprint)
    assert "NOT trusted" in result.summary()


def test_open_refuses_a_forged_bundle(forged: tuple[Path, SigningKey]) -> None:
    """The finding: it opened with exit 0, only the log said "signature untrusted"."""
    path, forger = forged
    with pytest.raises(VerificationError, match="not a key you trust") as info:
        _open(path)
    assert (info.value.reason, info.value.file) == ("untrusted", "signature")
    assert forger.fingerprint in str(info.value)
    (entry,) = _log(path)
    assert (entry["outcome"], entry["reason"]) == ("failed", "untrusted:signature")


@pytest.mark.parametrize("use", ["public_key", "keyring"])
def test_the_licensor_key_exposes_the_forgery(
    forged: tuple[Path, SigningKey], made: Made, tmp_path: Path, use: str
) -> None:
    path, _ = forged
    if use == "public_key":
        with pytest.raises(VerificationError) as info:
            _open(path, public_key=made.public)
        assert info.value.reason == "wrong_key"
    else:
        ring = Keyring(tmp_path / "ring")
        ring.add(made.public, name="General Hospital")
        with pytest.raises(VerificationError) as info:
            _open(path, keyring=ring)
        assert info.value.reason == "untrusted"


def test_accepting_an_untrusted_signature(forged: tuple[Path, SigningKey]) -> None:
    path, forger = forged
    with pytest.warns(UntrustedSignatureWarning, match=forger.fingerprint):
        frame = _open(path, accept_untrusted=True)
    assert frame.height > 0  # type: ignore[attr-defined]
    (entry,) = _log(path)
    assert entry["outcome"] == "allowed"
    assert entry["reason"] == "signature_untrusted; accepted_untrusted"


@pytest.mark.parametrize("value", [1, "yes", None])
def test_accept_untrusted_is_a_bool(genuine: Path, value: object) -> None:
    with pytest.raises(ParameterError, match="accept_untrusted"):
        _open(genuine, accept_untrusted=value)


def test_the_default_keyring_is_used(genuine: Path, made: Made, private_keyring: Path) -> None:
    assert default_keyring_path() == private_keyring
    Keyring().add(made.public, name="General Hospital")
    result = anonlab.verify(genuine)
    assert result.signature_trusted
    assert result.trusted_by == "the keyring entry 'General Hospital'"
    assert "keyring entry 'General Hospital'" in result.summary()
    _open(genuine)
    assert _log(genuine)[0]["reason"] is None


def test_the_keyring_under_xdg_config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANONLAB_KEYRING")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    assert default_keyring_path() == tmp_path / "config" / "anonlab" / "trusted_keys"


def test_add_list_remove(made: Made, tmp_path: Path) -> None:
    ring = Keyring(tmp_path / "ring")
    assert ring.keys() == ()
    entry = ring.add(made.public)
    assert entry.name == "licensor"  # from the file's name
    assert ring.add(made.public, name="another name") == entry  # already trusted: unchanged
    other = SigningKey.generate()
    ring.add(other.public_key, name="Clinic")
    assert [e.name for e in ring] == ["licensor", "Clinic"]
    assert entry.fingerprint in ring and other.public_key in ring
    assert oct((tmp_path / "ring").stat().st_mode & 0o777) == "0o644"
    assert ring.remove("Clinic").fingerprint == other.fingerprint
    assert ring.remove(entry.fingerprint) == entry
    assert len(ring) == 0


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda r, m: r.add(m.private), SecretKeyError, "holds a private key"),
        (lambda r, m: r.add(m.public, name=""), ParameterError, "non-empty"),
        (lambda r, m: r.add(m.public, name="a\nb"), ParameterError, "printable"),
        (lambda r, m: r.add(m.public, name="x" * 201), ParameterError, "at most 200"),
        (
            lambda r, m: r.add(m.public, name="ed25519:" + "0" * 32),
            ParameterError,
            "cannot be a fingerprint",
        ),
        (lambda r, m: r.add(m.path / "license.json"), SecretKeyError, "neither a PEM"),
        (lambda r, m: r.remove("nobody"), ParameterError, "No trusted key"),
        (lambda r, m: r.remove(""), ParameterError, "Name the key"),
        (lambda r, m: Keyring(3), ParameterError, "path or an anonlab Keyring"),  # type: ignore[arg-type]
    ],
)
def test_keyring_mistakes(made: Made, tmp_path: Path, call, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        call(Keyring(tmp_path / "ring"), made)


def test_two_keys_cannot_share_a_name(made: Made, tmp_path: Path) -> None:
    ring = Keyring(tmp_path / "ring")
    ring.add(made.public, name="Hospital")
    with pytest.raises(ParameterError, match="already has a key named 'Hospital'"):
        ring.add(SigningKey.generate().public_key, name="Hospital")


def _padding_variant(encoded: str) -> str:
    """The same 32 bytes in base64 with the unused bits of the last character set."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    last = alphabet.index(encoded[42])
    return encoded[:42] + alphabet[last ^ 0b01] + encoded[43:]


def _line(key: SigningKey, name: str = "Hospital") -> str:
    return f"{key.fingerprint} {key.public_key.base64} {name}"


BAD_FILES = [
    ("no fields", lambda k: "garbage\n", "is not 'ed25519"),
    ("no name", lambda k: f"{k.fingerprint} {k.public_key.base64}\n", "is not 'ed25519"),
    (
        "fingerprint of another key",
        lambda k: f"{SigningKey.generate().fingerprint} {k.public_key.base64} X\n",
        "was edited",
    ),
    (
        "padding bits set",
        lambda k: f"{k.fingerprint} {_padding_variant(k.public_key.base64)} X\n",
        "canonical base64",
    ),
    (
        "base64 without padding",
        lambda k: f"{k.fingerprint} {k.public_key.base64[:-1]} X\n",
        "canonical base64",
    ),
    ("31 bytes", lambda k: f"{k.fingerprint} {'A' * 40}AA== X\n", "canonical base64"),
    ("a key twice", lambda k: f"{_line(k)}\n{_line(k, 'Again')}\n", "repeats"),
    ("a name with a control character", lambda k: _line(k, "a\x1bb") + "\n", "printable"),
    (
        "upper-case fingerprint",
        lambda k: f"{k.fingerprint.upper()} {k.public_key.base64} X\n",
        "is not 'ed25519",
    ),
]


@pytest.mark.parametrize(
    ("text", "message"), [(c[1], c[2]) for c in BAD_FILES], ids=[c[0] for c in BAD_FILES]
)
def test_a_damaged_keyring_is_an_error(tmp_path: Path, text, message: str) -> None:
    path = tmp_path / "ring"
    path.write_text(text(SigningKey.generate()))
    os.chmod(path, 0o644)
    with pytest.raises(BundleError, match=r"Line \d+ of the keyring") as info:
        Keyring(path).keys()
    assert re.search(message, str(info.value)), str(info.value)


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda p: (p.write_text(""), os.chmod(p, 0o666)), "writable by other users"),
        (lambda p: (p.write_text(""), os.chmod(p, 0o664)), "writable by other users"),
        (lambda p: p.mkdir(), "not a plain file|Cannot read"),
        (
            lambda p: (p.write_bytes(b"#" * (MAX_KEYRING_BYTES + 1)), os.chmod(p, 0o644)),
            "larger than",
        ),
        (lambda p: (p.write_bytes(b"\xff\xfe"), os.chmod(p, 0o644)), "not UTF-8"),
    ],
    ids=["world-writable", "group-writable", "a folder", "too large", "not UTF-8"],
)
def test_an_unsafe_keyring_file_is_not_used(tmp_path: Path, setup, message: str) -> None:
    path = tmp_path / "ring"
    setup(path)
    with pytest.raises(BundleError, match=message):
        Keyring(path).keys()


def test_comments_and_blank_lines(tmp_path: Path) -> None:
    key = SigningKey.generate()
    path = tmp_path / "ring"
    path.write_text(f"# mine\n\n   {_line(key, 'Hospital  Two')}  \n# end\n")
    os.chmod(path, 0o644)
    (entry,) = Keyring(path).keys()
    assert (entry.name, entry.key) == ("Hospital  Two", key.public_key)


def test_a_damaged_keyring_fails_open_loudly(genuine: Path, private_keyring: Path) -> None:
    private_keyring.write_text("garbage\n")
    os.chmod(private_keyring, 0o644)
    with pytest.raises(BundleError, match="Line 1 of the keyring"):
        _open(genuine)


# -- the command line ----------------------------------------------------------------------------


def test_cli_trust_add_list_remove(made: Made, tmp_path: Path) -> None:
    ring = str(tmp_path / "ring")
    run = cli("trust", "add", str(made.public), "--name", "General Hospital", "--keyring", ring)
    assert run.code == 0 and "Trusted ed25519:" in run.out
    again = cli("trust", "add", str(made.public), "--keyring", ring)
    assert again.code == 0 and "Already trusted" in again.out
    listed = cli("trust", "list", "--keyring", ring)
    assert listed.code == 0 and "General Hospital" in listed.out
    assert "1 trusted key in" in listed.err
    assert cli("trust", "remove", "General Hospital", "--keyring", ring).code == 0
    assert "0 trusted keys" in cli("trust", "list", "--keyring", ring).err
    assert cli("trust", "remove", "General Hospital", "--keyring", ring).code == 1


def test_cli_open_refuses_then_accepts(forged: tuple[Path, SigningKey]) -> None:
    path, forger = forged
    refused = cli(
        "open", str(path), "--purpose", "statistics", "--role", "analyst", "--user", "ada"
    )
    assert refused.code == 1
    assert "not a key you trust" in refused.err and "--accept-untrusted" in refused.err
    accepted = cli(
        "open",
        str(path),
        "--purpose",
        "statistics",
        "--role",
        "analyst",
        "--user",
        "ada",
        "--accept-untrusted",
    )
    assert accepted.code == 0, accepted.err
    assert "WARNING: the signature is NOT trusted" in accepted.err
    assert forger.fingerprint in accepted.err
    assert [e["outcome"] for e in _log(path)] == ["failed", "allowed"]


def test_cli_verify_and_open_with_the_keyring(genuine: Path, made: Made, tmp_path: Path) -> None:
    ring = str(tmp_path / "ring")
    assert cli("verify", str(genuine), "--keyring", ring).code == 3
    assert cli("trust", "add", str(made.public), "--keyring", ring).code == 0
    run = cli("verify", str(genuine), "--keyring", ring)
    assert run.code == 0 and "keyring entry 'licensor'" in run.out
    opened = cli(
        "open",
        str(genuine),
        "--purpose",
        "statistics",
        "--role",
        "analyst",
        "--user",
        "ada",
        "--keyring",
        ring,
    )
    assert opened.code == 0 and "WARNING" not in opened.err

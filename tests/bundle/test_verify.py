"""anonlab.verify: every byte covered; each kind of tampering named with its file."""

from __future__ import annotations

import base64
import os
import shutil
from pathlib import Path

import pytest

from anonlab.bundle import Bundle, load_private_key, verify
from anonlab.bundle.canonical import canonical_bytes
from anonlab.bundle.layout import MANIFEST, SIGNATURE, sign
from anonlab.errors import VerificationError
from tests.bundle.conftest import Keys

FILES = ["LICENSE.md", "data.csv", "data.parquet", "license.json", "manifest.json",
         "policy.odrl.jsonld", "recipe.yaml", "report.html", "signature"]


def _flip(path: Path, at: int | None = None) -> None:
    raw = bytearray(path.read_bytes())
    i = len(raw) // 2 if at is None else at
    raw[i] ^= 0x01
    path.write_bytes(bytes(raw))


def test_pristine_bundle_verifies_with_the_public_key(pristine: Bundle, keys: Keys) -> None:
    result = verify(pristine.path, public_key=keys.public)
    assert result.signature_trusted
    assert result.license_id == pristine.license.id
    assert set(result.files) == set(FILES) - {MANIFEST, SIGNATURE}
    assert sorted(os.listdir(pristine.path)) == sorted(FILES)
    assert result.key_fingerprint == pristine.key_fingerprint
    assert "verified with the given public key" in result.summary()


def test_without_a_key_the_result_is_untrusted(pristine: Bundle) -> None:
    result = verify(pristine.path)
    assert result.signature_trusted is False
    assert "NOT trusted" in result.summary()


@pytest.mark.parametrize("name", FILES)
def test_a_flipped_byte_in_any_file_is_named(bundle_copy: Path, keys: Keys, name: str) -> None:
    _flip(bundle_copy / name)
    with pytest.raises(VerificationError) as info:
        verify(bundle_copy, public_key=keys.public)
    assert name in str(info.value)
    if name not in (MANIFEST, SIGNATURE):
        assert info.value.file == name
        assert info.value.reason == "changed_file"
    else:
        assert info.value.reason in ("malformed", "bad_signature", "wrong_key")


@pytest.mark.parametrize("name", ["data.parquet", "license.json", "report.html"])
def test_a_flipped_byte_fails_without_a_key_too(bundle_copy: Path, name: str) -> None:
    _flip(bundle_copy / name, at=0)
    with pytest.raises(VerificationError, match=name):
        verify(bundle_copy)


def test_an_added_file_is_named(bundle_copy: Path, keys: Keys) -> None:
    (bundle_copy / "notes.txt").write_text("extra")
    with pytest.raises(VerificationError, match=r"notes\.txt") as info:
        verify(bundle_copy, public_key=keys.public)
    assert info.value.reason == "unexpected_file"


def test_an_added_hidden_file_or_folder_is_named(bundle_copy: Path, keys: Keys) -> None:
    (bundle_copy / ".hidden").mkdir()
    with pytest.raises(VerificationError, match=r"\.hidden"):
        verify(bundle_copy, public_key=keys.public)


def test_a_file_replaced_by_a_link_fails(bundle_copy: Path, keys: Keys, tmp_path: Path) -> None:
    outside = tmp_path / "copy.md"
    shutil.copy(bundle_copy / "LICENSE.md", outside)
    (bundle_copy / "LICENSE.md").unlink()
    (bundle_copy / "LICENSE.md").symlink_to(outside)
    with pytest.raises(VerificationError, match=r"LICENSE\.md") as info:
        verify(bundle_copy, public_key=keys.public)
    assert info.value.reason == "unexpected_file"


@pytest.mark.parametrize("name", ["data.parquet", "recipe.yaml", "manifest.json", "signature"])
def test_a_removed_file_is_named(bundle_copy: Path, keys: Keys, name: str) -> None:
    (bundle_copy / name).unlink()
    with pytest.raises(VerificationError, match=name) as info:
        verify(bundle_copy, public_key=keys.public)
    assert info.value.reason == "missing_file"
    assert info.value.file == name


def test_wrong_public_key(bundle_copy: Path, other_keys: Keys) -> None:
    with pytest.raises(VerificationError, match="not with the given public key") as info:
        verify(bundle_copy, public_key=other_keys.public)
    assert info.value.reason == "wrong_key"


def test_signature_replaced_by_another_keys(bundle_copy: Path, keys: Keys,
                                            other_keys: Keys) -> None:
    manifest = (bundle_copy / MANIFEST).read_bytes()
    forged = sign(manifest, load_private_key(other_keys.private))
    (bundle_copy / SIGNATURE).write_bytes(canonical_bytes(forged))
    with pytest.raises(VerificationError) as info:
        verify(bundle_copy, public_key=keys.public)
    assert info.value.reason == "wrong_key"
    # without a key the manifest's own key does not match the new signer either
    with pytest.raises(VerificationError, match="signature is by"):
        verify(bundle_copy)


def test_signature_bytes_replaced(bundle_copy: Path, keys: Keys) -> None:
    doc = (bundle_copy / SIGNATURE).read_text()
    old = doc.split('"signature":"')[1].split('"')[0]
    new = base64.b64encode(bytes(64)).decode()
    (bundle_copy / SIGNATURE).write_text(doc.replace(old, new))
    with pytest.raises(VerificationError, match="signature") as info:
        verify(bundle_copy, public_key=keys.public)
    assert info.value.reason == "bad_signature"


def test_edited_manifest_resigned_by_attacker_is_untrusted(bundle_copy: Path, keys: Keys,
                                                           other_keys: Keys) -> None:
    """An attacker who changes data and re-signs with their own key passes the self-check,
    which is why it says untrusted; the licensor's public key catches it."""
    import json

    from anonlab.bundle.layout import hash_file
    from anonlab.bundle.signing import load_public_key

    (bundle_copy / "recipe.yaml").write_text("steps: []\n")
    manifest = json.loads((bundle_copy / MANIFEST).read_bytes())
    sha, size, _ = hash_file(bundle_copy / "recipe.yaml")
    for f in manifest["files"]:
        if f["path"] == "recipe.yaml":
            f.update(sha256=sha, bytes=size)
    attacker = load_private_key(other_keys.private)
    pub = load_public_key(attacker)
    manifest["signing_key"] = {"algorithm": "ed25519", "fingerprint": pub.fingerprint,
                               "public_key": pub.base64}
    raw = canonical_bytes(manifest)
    (bundle_copy / MANIFEST).write_bytes(raw)
    (bundle_copy / SIGNATURE).write_bytes(canonical_bytes(sign(raw, attacker)))
    assert verify(bundle_copy).signature_trusted is False
    with pytest.raises(VerificationError) as info:
        verify(bundle_copy, public_key=keys.public)
    assert info.value.reason == "wrong_key"


def test_license_id_mismatch_is_named(bundle_copy: Path, keys: Keys) -> None:
    import json

    manifest = json.loads((bundle_copy / MANIFEST).read_bytes())
    manifest["license_id"] = "urn:uuid:00000000-0000-4000-8000-000000000000"
    raw = canonical_bytes(manifest)
    (bundle_copy / MANIFEST).write_bytes(raw)
    key = load_private_key(keys.private)
    (bundle_copy / SIGNATURE).write_bytes(canonical_bytes(sign(raw, key)))
    with pytest.raises(VerificationError, match=r"license\.json") as info:
        verify(bundle_copy, public_key=keys.public)
    assert info.value.reason == "license_mismatch"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        (MANIFEST, b"not json"),
        (MANIFEST, b'{"format":"anonlab-bundle-manifest"}'),
        (MANIFEST, b'{ "a": 1 }'),
        (SIGNATURE, b"[]"),
        (SIGNATURE, b'{"a":1,"a":2}'),
    ],
)
def test_malformed_manifest_or_signature(bundle_copy: Path, keys: Keys, name: str,
                                         content: bytes) -> None:
    (bundle_copy / name).write_bytes(content)
    with pytest.raises(VerificationError, match=name) as info:
        verify(bundle_copy, public_key=keys.public)
    assert info.value.reason == "malformed"
    assert info.value.file == name


def test_non_canonical_but_equal_manifest_fails(bundle_copy: Path, keys: Keys) -> None:
    import json

    data = json.loads((bundle_copy / MANIFEST).read_bytes())
    (bundle_copy / MANIFEST).write_text(json.dumps(data, indent=1))
    with pytest.raises(VerificationError, match="canonical"):
        verify(bundle_copy, public_key=keys.public)


def test_not_a_bundle(tmp_path: Path) -> None:
    with pytest.raises(VerificationError, match="does not exist") as info:
        verify(tmp_path / "nothing")
    assert info.value.reason == "not_a_bundle"
    (tmp_path / "file").write_text("x")
    with pytest.raises(VerificationError, match="not a folder"):
        verify(tmp_path / "file")
    with pytest.raises(VerificationError, match=r"manifest\.json is missing"):
        verify(tmp_path)


def test_verify_can_log(bundle_copy: Path, keys: Keys, tmp_path: Path) -> None:
    from anonlab.bundle import AuditLog

    log_path = tmp_path / "licensor.audit.jsonl"
    verify(bundle_copy, public_key=keys.public, audit_log=log_path, user="auditor")
    _flip(bundle_copy / "data.parquet")
    with pytest.raises(VerificationError):
        verify(bundle_copy, public_key=keys.public, audit_log=log_path, user="auditor")
    entries = AuditLog(log_path).entries()
    assert [(e["action"], e["outcome"]) for e in entries] == [("verify", "allowed"),
                                                              ("verify", "failed")]
    assert entries[1]["reason"] == "changed_file:data.parquet"
    assert AuditLog.for_bundle(bundle_copy, log_path).verify().ok

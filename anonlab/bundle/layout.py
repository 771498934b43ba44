"""What a bundle folder holds, and the manifest and signature that cover it.

A bundle is a folder::

    <bundle>/
      data.parquet        the anonymized data (what anonlab.open reads)
      data.csv            the same data as CSV, when asked for
      license.json        the license, canonical JSON (RFC 8785)
      LICENSE.md          the license in words
      policy.odrl.jsonld  the license's ODRL 2.2 policy
      recipe.yaml         the recipe that produced the data (key references only)
      report.html         the re-identification risk report (or a note that none was made)
      manifest.json       SHA-256 and size of every file above; license id; signing key
      signature           Ed25519 signature of manifest.json's bytes

``manifest.json`` and ``signature`` are canonical JSON. Every byte of every other file is covered
by the manifest, and the manifest by the signature; nothing else may be in the folder. The
audit log is not part of the bundle: by default it is ``<bundle>.audit.jsonl`` beside the folder
(see :mod:`anonlab.bundle.audit`).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from anonlab._paths import name_problem
from anonlab.bundle._fail import verification_error
from anonlab.bundle.signing import ALGORITHM, PublicKey, SigningKey, b64decode_strict

__all__ = [
    "DATA_CSV",
    "DATA_PARQUET",
    "LICENSE_JSON",
    "LICENSE_MD",
    "MANIFEST",
    "POLICY",
    "RECIPE",
    "REPORT",
    "SIGNATURE",
    "audit_path_for",
    "build_manifest",
    "check_manifest",
    "check_signature",
    "hash_file",
    "sign",
]

DATA_PARQUET = "data.parquet"
DATA_CSV = "data.csv"
LICENSE_JSON = "license.json"
LICENSE_MD = "LICENSE.md"
POLICY = "policy.odrl.jsonld"
RECIPE = "recipe.yaml"
REPORT = "report.html"
MANIFEST = "manifest.json"
SIGNATURE = "signature"

MANIFEST_FORMAT = "anonlab-bundle-manifest"
SIGNATURE_FORMAT = "anonlab-bundle-signature"
FORMAT_VERSION = 1
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_FINGERPRINT = re.compile(r"^ed25519:[0-9a-f]{32}$")
_CHUNK = 1 << 20


def audit_path_for(bundle: str | os.PathLike[str]) -> Path:
    """The default audit log of a bundle: ``<bundle>.audit.jsonl`` beside the folder."""
    folder = Path(bundle)
    if not folder.name or folder.name in (".", ".."):
        folder = folder.resolve()  # "." or "..": name the log after the real folder
    return folder.with_name(folder.name + ".audit.jsonl")


def hash_file(path: Path, *, keep: bool = False) -> tuple[str, int, bytes | None]:
    """SHA-256 (hex) and size of a file, read in chunks; its bytes too when ``keep``."""
    digest = hashlib.sha256()
    size = 0
    kept: list[bytes] | None = [] if keep else None
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))  # a link is not followed
    with os.fdopen(fd, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
            if kept is not None:
                kept.append(chunk)
    return digest.hexdigest(), size, (b"".join(kept) if kept is not None else None)


def build_manifest(
    files: Mapping[str, tuple[str, int]],
    *,
    license_id: str,
    public_key: PublicKey,
    created: str,
    tool_version: str,
) -> dict[str, Any]:
    """The manifest as plain data (write it with :func:`~anonlab.bundle.canonical.canonical_bytes`).

    Parameters
    ----------
    files : mapping of name to (sha256 hex, bytes)
        Every file of the bundle but the manifest and the signature.
    """
    return {
        "format": MANIFEST_FORMAT,
        "format_version": FORMAT_VERSION,
        "created": created,
        "license_id": license_id,
        "signing_key": {
            "algorithm": ALGORITHM,
            "fingerprint": public_key.fingerprint,
            "public_key": public_key.base64,
        },
        "hash_algorithm": "sha256",
        "files": [
            {"path": name, "sha256": sha, "bytes": size}
            for name, (sha, size) in sorted(files.items())
        ],
        "tool": {"name": "anonlab", "version": tool_version},
    }


def sign(manifest_bytes: bytes, key: SigningKey) -> dict[str, Any]:
    """The signature document over the manifest's bytes."""
    return {
        "format": SIGNATURE_FORMAT,
        "format_version": FORMAT_VERSION,
        "algorithm": ALGORITHM,
        "key_fingerprint": key.fingerprint,
        "signed_file": MANIFEST,
        "signature": base64.b64encode(key.sign(manifest_bytes)).decode("ascii"),
    }


def _malformed(file: str, what: str) -> Exception:
    return verification_error("malformed", file, f"{file} is malformed: {what}.")


def _keys(data: Any, expected: set[str], file: str) -> None:
    if not isinstance(data, dict):
        raise _malformed(file, "it is not a JSON object")
    if set(data) != expected:
        missing = sorted(expected - set(data))
        extra = sorted(set(data) - expected)
        detail = "; ".join(
            part for part in (
                f"missing {', '.join(missing)}" if missing else "",
                f"unknown {', '.join(extra)}" if extra else "",
            ) if part
        )
        raise _malformed(file, f"its fields are not the expected ones ({detail})")


def check_manifest(data: Any) -> tuple[dict[str, tuple[str, int]], PublicKey, str]:
    """Check a parsed manifest's structure; return its files, embedded public key, license id.

    Raises
    ------
    VerificationError
        ``reason="malformed"``, ``file="manifest.json"``.
    """
    _keys(data, {"format", "format_version", "created", "license_id", "signing_key",
                 "hash_algorithm", "files", "tool"}, MANIFEST)
    if data["format"] != MANIFEST_FORMAT:
        raise _malformed(MANIFEST, f"format is not {MANIFEST_FORMAT!r}")
    if data["format_version"] != FORMAT_VERSION:
        raise _malformed(
            MANIFEST, f"format_version {data['format_version']!r} is not {FORMAT_VERSION} "
            "(a newer anonlab may read it)")
    if data["hash_algorithm"] != "sha256":
        raise _malformed(MANIFEST, "hash_algorithm is not sha256")
    if not isinstance(data["license_id"], str) or not data["license_id"]:
        raise _malformed(MANIFEST, "license_id is not a string")
    key = data["signing_key"]
    _keys(key, {"algorithm", "fingerprint", "public_key"}, MANIFEST)
    if key["algorithm"] != ALGORITHM:
        raise _malformed(MANIFEST, f"the signing key is not {ALGORITHM}")
    try:
        raw = b64decode_strict(key["public_key"])
        public = PublicKey(raw)
    except (ValueError, TypeError):
        raise _malformed(MANIFEST, "signing_key.public_key is not a base64 Ed25519 key") from None
    if public.fingerprint != key["fingerprint"]:
        raise _malformed(MANIFEST, "signing_key.fingerprint does not match its public key")
    entries = data["files"]
    if not isinstance(entries, list) or not entries:
        raise _malformed(MANIFEST, "files is not a non-empty list")
    files: dict[str, tuple[str, int]] = {}
    for i, entry in enumerate(entries):
        _keys(entry, {"path", "sha256", "bytes"}, MANIFEST)
        name, sha, size = entry["path"], entry["sha256"], entry["bytes"]
        problem = name_problem(name)
        if problem is None and name in (MANIFEST, SIGNATURE):
            problem = f"names {name}, which the manifest cannot list"
        if problem is None and name in files:
            problem = "is listed twice"
        if problem is not None:
            # a manifest's names are confined to the bundle folder (anonlab._paths)
            raise _malformed(MANIFEST, f"files[{i}].path {problem}: not a plain, unique file "
                             "name inside the bundle")
        if not isinstance(sha, str) or not _HEX64.match(sha):
            raise _malformed(MANIFEST, f"files[{i}].sha256 is not 64 hex digits")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise _malformed(MANIFEST, f"files[{i}].bytes is not a size")
        files[name] = (sha, size)
    if LICENSE_JSON not in files or DATA_PARQUET not in files:
        raise _malformed(MANIFEST, f"it does not list {LICENSE_JSON} and {DATA_PARQUET}")
    return files, public, data["license_id"]


def check_signature(data: Any) -> tuple[str, bytes]:
    """Check a parsed signature document; return the key fingerprint and the signature bytes.

    Raises
    ------
    VerificationError
        ``reason="malformed"``, ``file="signature"``.
    """
    _keys(data, {"format", "format_version", "algorithm", "key_fingerprint", "signed_file",
                 "signature"}, SIGNATURE)
    if data["format"] != SIGNATURE_FORMAT or data["format_version"] != FORMAT_VERSION:
        raise _malformed(SIGNATURE, f"it is not a {SIGNATURE_FORMAT} version {FORMAT_VERSION}")
    if data["algorithm"] != ALGORITHM:
        raise _malformed(SIGNATURE, f"algorithm is not {ALGORITHM}")
    if data["signed_file"] != MANIFEST:
        raise _malformed(SIGNATURE, f"signed_file is not {MANIFEST}")
    fp = data["key_fingerprint"]
    if not isinstance(fp, str) or not _FINGERPRINT.match(fp):
        raise _malformed(SIGNATURE, "key_fingerprint is not 'ed25519:' and 32 hex digits")
    try:
        sig = b64decode_strict(data["signature"])
    except (ValueError, TypeError):
        raise _malformed(SIGNATURE, "signature is not canonical base64") from None
    if len(sig) != 64:
        raise _malformed(SIGNATURE, "an Ed25519 signature has 64 bytes")
    return fp, sig

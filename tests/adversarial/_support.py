"""Helpers shared by the adversarial tests of issue 13 (secrets, paths, CSV cells, trust, bundle
integrity): a small bundle made in well under a second, re-signing a tampered bundle, running
the command line with its output captured, and the forms a key can leak in."""

from __future__ import annotations

import base64
import contextlib
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import anonlab
from anonlab.bundle import layout, report_page
from anonlab.bundle.canonical import canonical_bytes
from anonlab.bundle.signing import SigningKey, load_private_key
from tests.identities import LICENSEE_KEYS

HASH_KEY = "adversarial hash key: 5f0c9e2a7b4d1c8e3a6f9b2d5c8e1a4f"
"""ANONLAB_KEY while the test bundles are made."""

TEMPLATE = "gdpr-pseudonymous-research"
EXPIRES = "2099-12-31"


@dataclass(frozen=True)
class Made:
    """A bundle and the key pair that signed it."""

    path: Path
    private: Path
    public: Path


def make_bundle(folder: Path, *, csv: bool = False, rows: int = 60, **kwargs: Any) -> Made:
    """Export a small signed bundle of synthetic patients to ``folder / "release"``."""
    private, public = anonlab.generate_keypair(folder / "keys" / "licensor")
    raw = anonlab.datasets.patients(rows, seed=5)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ANONLAB_KEY", HASH_KEY)
        mp.setattr(report_page, "_figures", lambda report: "")
        recipe = anonlab.suggest_recipe(anonlab.profile(raw))
        bundle = anonlab.export(
            raw,
            recipe=recipe,
            license=TEMPLATE,
            path=folder / "release",
            license_terms={
                "licensee": "University Lab",
                "licensor": "General Hospital",
                "expires": EXPIRES,
                "licensee_keys": LICENSEE_KEYS,
            },
            signing_key=private,
            formats=("parquet", "csv") if csv else ("parquet",),
            **kwargs,
        )
    return Made(bundle.path, private, public)


def resign(
    bundle: Path,
    key: SigningKey | Path,
    *,
    manifest: Callable[[dict[str, Any]], None] | None = None,
    license: Callable[[dict[str, Any]], None] | None = None,
) -> None:
    """Change a bundle's license and/or manifest, re-hash, and sign it again with ``key``: a
    forged bundle that is self-consistent."""
    signer = key if isinstance(key, SigningKey) else load_private_key(key)
    if license is not None:
        data = json.loads((bundle / layout.LICENSE_JSON).read_bytes())
        license(data)
        (bundle / layout.LICENSE_JSON).write_bytes(canonical_bytes(data))
    doc = json.loads((bundle / layout.MANIFEST).read_bytes())
    for entry in doc["files"]:
        target = bundle / entry["path"]
        if target.is_file():
            sha, size, _ = layout.hash_file(target)
            entry["sha256"], entry["bytes"] = sha, size
    doc["signing_key"] = {
        "algorithm": "ed25519",
        "fingerprint": signer.fingerprint,
        "public_key": signer.public_key.base64,
    }
    if manifest is not None:
        manifest(doc)
    manifest_bytes = canonical_bytes(doc)
    (bundle / layout.MANIFEST).write_bytes(manifest_bytes)
    (bundle / layout.SIGNATURE).write_bytes(canonical_bytes(layout.sign(manifest_bytes, signer)))


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


def cli(*argv: str) -> Run:
    """``anonlab.cli.main(argv)`` with stdout and stderr captured; a usage error's exit code
    (argparse's SystemExit) is returned like any other."""
    from anonlab.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = int(exc.code or 0)
    return Run(code, out.getvalue(), err.getvalue())


def leak_forms(secret: bytes) -> list[bytes]:
    """The ways ``secret`` could appear in text: itself, hex (both cases), base64 (standard,
    URL-safe, unpadded), and, for PEM text, each line of its base64 body and its first 40
    characters."""
    forms = [
        secret,
        secret.hex().encode(),
        secret.hex().upper().encode(),
        base64.b64encode(secret),
        base64.urlsafe_b64encode(secret),
        base64.b64encode(secret).rstrip(b"="),
    ]
    if b"-----BEGIN" in secret:
        body = [line for line in secret.strip().splitlines() if not line.startswith(b"-----")]
        forms += [line for line in body if len(line) >= 16]
        forms.append(b"".join(body)[:40])
    return [f for f in forms if len(f) >= 16]


def assert_no_leak(texts: Iterable[str | bytes], secrets: Iterable[bytes]) -> None:
    """No text holds any form of any secret (``leak_forms``)."""
    needles = [form for s in secrets for form in leak_forms(s)]
    for text in texts:
        blob = text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text
        for needle in needles:
            assert needle not in blob, f"key material ({needle[:6]!r}...) in {blob[:300]!r}"

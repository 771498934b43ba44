"""Identity keys for tests: a fixed licensee user key, named in the licenses tests issue under
templates that require identity, and used by every ``open`` through ``$ANONLAB_IDENTITY`` (set by
the autouse fixture in ``tests/conftest.py``)."""

from __future__ import annotations

import dataclasses
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from anonlab.bundle.signing import SigningKey
from anonlab.licensing.model import LicenseeKey, Party

# A fixed key, for tests only: its bytes are public, so it proves nothing outside them.
LICENSEE_SIGNING_KEY = SigningKey(Ed25519PrivateKey.from_private_bytes(bytes(range(32))))
LICENSEE_PUBLIC_KEY = LICENSEE_SIGNING_KEY.public_key
LICENSEE_KEYS = [{"public_key": LICENSEE_PUBLIC_KEY.base64, "kind": "user"}]
"""``licensee_keys=`` for a license the test identity opens (no name: ``user=`` stays free)."""


def with_test_key(licensee: Any) -> list[Party]:
    """``licensee`` (a name, Party, mapping or a list of them) with the test key added to the
    first licensee, for templates that require identity."""
    items = list(licensee) if isinstance(licensee, list | tuple) else [licensee]
    parties = [Party.coerce(p, path=f"parties.licensees[{i}]") for i, p in enumerate(items)]
    first = parties[0]
    parties[0] = dataclasses.replace(
        first, keys=(*first.keys, LicenseeKey(LICENSEE_PUBLIC_KEY.base64)))
    return parties


def rechain(log: Any, entries: list[dict[str, Any]]) -> None:
    """Rewrite ``log`` from ``entries`` as a holder with the test identity key would: new seq,
    prev and hash, and signatures re-made with that key (the chain alone then holds)."""
    import base64

    from anonlab.bundle.audit import SIGNATURE_DOMAIN, entry_hash
    from anonlab.bundle.canonical import canonical_bytes

    prev = log.genesis
    out = []
    for i, e in enumerate(entries, 1):
        e = dict(e)
        e["seq"], e["prev"] = i, prev
        e.pop("signature", None)
        e["hash"] = entry_hash(e)
        if "identity_key" in e:
            e["signature"] = base64.b64encode(LICENSEE_SIGNING_KEY.sign(
                SIGNATURE_DOMAIN + e["hash"].encode())).decode()
        prev = e["hash"]
        out.append(e)
    log.path.write_bytes(b"".join(canonical_bytes(e) + b"\n" for e in out))

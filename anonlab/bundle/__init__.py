"""Signed bundles: export anonymized data with its license, verify it, open it under the license,
and keep a hash-chained audit log of every access.

* :func:`export` makes a release from the original data (keys for it alone, a secret row order),
  attacks it, and writes a bundle folder (data, ``license.json``, ``LICENSE.md``, the ODRL
  policy, the recipe, the evidence and risk report, a SHA-256 manifest and its Ed25519
  signature), atomically; :func:`make_release` makes the release alone;
* :func:`verify` checks every byte against the manifest and the manifest against the signature;
* :func:`open_bundle` (``anonlab.open``) verifies, checks purpose, role, the declared action and
  validity (on an honest clock, :mod:`anonlab.bundle.clock`) against the license, logs the
  outcome and returns the data; :func:`last_access` says which license and action it was opened
  under;
* :class:`Keyring` holds the licensors' public keys a recipient trusts
  (:mod:`anonlab.bundle.trust`): ``open`` refuses a signer that is neither given nor in it,
  unless ``accept_untrusted=True``;
* :class:`AuditLog` is the append-only, hash-chained access log, each record signed by the
  opener's identity key (:func:`new_identity`, :func:`certify`; :mod:`anonlab.bundle.identity`);
* :func:`usage_report` signs the log's state for the licensor, and :func:`verify_usage_report`
  checks it against earlier reports (:mod:`anonlab.bundle.usage`), so a log rewritten,
  truncated or reordered after a report is detected;
* :func:`purge` deletes a bundle and records a signed deletion certificate;
* :func:`generate_keypair`, :func:`load_private_key`, :func:`load_public_key` and
  :func:`fingerprint` handle the Ed25519 keys.

See :mod:`anonlab.bundle.layout` for the folder layout.
"""

from anonlab.bundle.access import Access, last_access, open_bundle
from anonlab.bundle.audit import AuditLog, AuditVerification
from anonlab.bundle.export import export, make_release
from anonlab.bundle.folder import Bundle
from anonlab.bundle.identity import Certificate, Identity, certify, load_identity, new_identity
from anonlab.bundle.purge import purge
from anonlab.bundle.signing import (
    PublicKey,
    SigningKey,
    fingerprint,
    generate_keypair,
    load_private_key,
    load_public_key,
)
from anonlab.bundle.trust import Keyring, TrustedKey, UntrustedSignatureWarning
from anonlab.bundle.usage import UsageHistory, UsageReport, usage_report, verify_usage_report
from anonlab.bundle.verify import VerificationResult, verify

# The public name is anonlab.open; it shadows the builtin inside this namespace only.
open = open_bundle

__all__ = [
    "Access",
    "AuditLog",
    "AuditVerification",
    "Bundle",
    "Certificate",
    "Identity",
    "Keyring",
    "PublicKey",
    "SigningKey",
    "TrustedKey",
    "UntrustedSignatureWarning",
    "UsageHistory",
    "UsageReport",
    "VerificationResult",
    "certify",
    "export",
    "fingerprint",
    "generate_keypair",
    "last_access",
    "load_identity",
    "load_private_key",
    "load_public_key",
    "make_release",
    "new_identity",
    "open",
    "open_bundle",
    "purge",
    "usage_report",
    "verify",
    "verify_usage_report",
]

"""Building :class:`~anonlab.errors.VerificationError` with a machine-readable reason and file."""

from __future__ import annotations

from anonlab.errors import VerificationError

__all__ = ["REASONS", "verification_error"]

REASONS = frozenset({
    "not_a_bundle",      # the path is missing or not a folder
    "missing_file",      # a file the manifest lists is gone (or manifest.json / signature is)
    "unexpected_file",   # a file (or folder, or link) the manifest does not list
    "changed_file",      # a file's bytes differ from its manifest entry
    "malformed",         # manifest.json or signature cannot be read as what it must be
    "bad_signature",     # the signature does not match the manifest under the key
    "wrong_key",         # the bundle was signed with another key than the one given
    "license_mismatch",  # license.json's id (or data files) are not the manifest's
    "untrusted",         # open: the signer is neither the key given nor in the keyring
})


def verification_error(reason: str, file: str, message: str) -> VerificationError:
    """A VerificationError carrying ``reason`` (one of :data:`REASONS`) and ``file`` (the file
    in the bundle it is about, relative to the bundle folder; ``""`` for the bundle itself)."""
    if reason not in REASONS:  # pragma: no cover - a programming error
        raise AssertionError(reason)
    return VerificationError(message, reason=reason, file=file)

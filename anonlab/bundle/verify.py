"""``anonlab.verify``: is a bundle exactly what its signer wrote?

Checks, in order, each failure raising :class:`~anonlab.errors.VerificationError` whose
``reason`` and ``file`` attributes (and message) say what and where:

1. the path is a folder (``not_a_bundle``);
2. ``manifest.json`` and ``signature`` exist and are canonical JSON of the right shape
   (``missing_file``, ``malformed``);
3. the signature: with ``public_key``, the bundle must be signed by that key (``wrong_key``)
   and the signature must match the manifest's bytes (``bad_signature``). Without a key, a
   signer found in the recipient's keyring (:mod:`anonlab.bundle.trust`) is trusted the same
   way; otherwise the signature is checked against the public key the manifest itself carries:
   that proves the bundle is self-consistent, not who made it (``signature_trusted=False``;
   :func:`anonlab.open` then refuses unless ``accept_untrusted=True``). The signature's base64
   is decoded strictly (one encoding per signature);
4. the folder holds exactly the files the manifest lists, plain files only, no links and no
   sub-folders (``unexpected_file``, ``missing_file``), each with its listed size and SHA-256
   (``changed_file``);
5. ``license.json`` is canonical JSON, a valid license, its id is the manifest's, and the data
   files it lists are files of the manifest with the same SHA-256 and size (``malformed``,
   ``license_mismatch``).

Each file is read once: what is hashed is what is parsed and returned (the license, and for
:func:`anonlab.open` the data), so a file swapped in after it was hashed is never the one used.

The audit log is not part of the bundle (it lives beside the folder, see
:mod:`anonlab.bundle.audit`), so a file added inside the folder is always an error.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from anonlab._paths import name_problem, safe_child
from anonlab.bundle._fail import verification_error
from anonlab.bundle.canonical import read_canonical
from anonlab.bundle.layout import (
    LICENSE_JSON,
    MANIFEST,
    SIGNATURE,
    check_manifest,
    check_signature,
    hash_file,
)
from anonlab.bundle.signing import load_public_key
from anonlab.errors import LicenseError, VerificationError

__all__ = ["VerificationResult", "verify"]


@dataclass(frozen=True)
class VerificationResult:
    """A bundle that verified.

    Attributes
    ----------
    path : Path
    license_id : str
    key_fingerprint : str
        The fingerprint of the key that signed the bundle.
    signature_trusted : bool
        True when checked against the public key you gave or a key of your keyring; False when
        only against the key the bundle carries (which anyone re-signing a changed bundle could
        replace).
    files : tuple of str
        The files the manifest covers (``manifest.json`` and ``signature`` not included).
    bytes : int
        Their total size.
    license : License
        The license read from ``license.json`` (from the very bytes that were hashed).
    trusted_by : str
        Which key made the signature trusted: ``"the given public key"``, ``"the keyring entry
        'NAME'"``, or ``""`` when it is not trusted.
    """

    path: Path
    license_id: str
    key_fingerprint: str
    signature_trusted: bool
    files: tuple[str, ...]
    bytes: int
    license: Any = field(repr=False)
    manifest: Mapping[str, Any] = field(repr=False, default_factory=dict)
    trusted_by: str = ""

    @property
    def ok(self) -> bool:
        """Always True: a bundle that does not verify raises instead."""
        return True

    def summary(self) -> str:
        """One line for people."""
        trust = (f"signature verified with {self.trusted_by or 'a trusted key'}"
                 if self.signature_trusted else
                 "signature NOT trusted: checked only against the key the bundle carries; pass "
                 "the licensor's public key or add it to your keyring (`anonlab trust add`) to "
                 "verify who signed it")
        return (f"Bundle {self.path.name}: {len(self.files)} files ({self.bytes:,} bytes) match "
                f"the manifest; license {self.license_id}; signed by {self.key_fingerprint}; "
                f"{trust}.")

    def __str__(self) -> str:
        return self.summary()


def _read_small(path: Path, name: str) -> bytes:
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise verification_error("unexpected_file", name,
                                 f"{name} in the bundle is not a plain file.")
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise verification_error("missing_file", name,
                                 f"{name} is missing from the bundle.") from None


def check_bundle(
    path: str | os.PathLike[str],
    public_key: Any = None,
    *,
    keep: tuple[str, ...] = (),
    keyring: Any = None,
) -> tuple[VerificationResult, dict[str, bytes]]:
    """Verify a bundle and also return the bytes of the files named in ``keep`` (as hashed,
    so what the caller reads is exactly what was verified; ``license.json`` is always read
    that way). Without ``public_key`` the signer is looked up in ``keyring`` (a
    :class:`~anonlab.bundle.trust.Keyring`, its path, or None for the default keyring)."""
    from anonlab.bundle.trust import Keyring
    from anonlab.licensing import License

    folder = Path(path)
    if not folder.is_dir():
        what = "does not exist" if not folder.exists() else "is not a folder"
        raise verification_error("not_a_bundle", "", f"{str(folder)!r} {what}: not a bundle.")
    trusted = load_public_key(public_key) if public_key is not None else None
    trusted_by = "the given public key" if trusted is not None else ""
    keep = (*keep, LICENSE_JSON)

    manifest_bytes = _read_small(folder / MANIFEST, MANIFEST)
    manifest = read_canonical(manifest_bytes, file=MANIFEST)
    files, embedded, license_id = check_manifest(manifest)
    sig_doc = read_canonical(_read_small(folder / SIGNATURE, SIGNATURE), file=SIGNATURE)
    signer, signature = check_signature(sig_doc)
    if trusted is None:
        entry = Keyring.of(keyring).find(signer)
        if entry is not None:
            trusted, trusted_by = entry.key, f"the keyring entry {entry.name!r}"

    if trusted is not None and signer != trusted.fingerprint:
        raise verification_error(
            "wrong_key", SIGNATURE,
            f"The bundle was signed with key {signer}, not with the given public key "
            f"{trusted.fingerprint}: it does not come from that key's holder (or the signature "
            "was replaced).")
    if embedded.fingerprint != signer:
        raise verification_error(
            "malformed", MANIFEST,
            f"{MANIFEST} names signing key {embedded.fingerprint} but the signature is by "
            f"{signer}.")
    key = trusted if trusted is not None else embedded
    if not key.verify(signature, manifest_bytes):
        raise verification_error(
            "bad_signature", MANIFEST,
            f"The signature does not match {MANIFEST} under key {key.fingerprint}: "
            f"{MANIFEST} was changed after signing, or the {SIGNATURE} file was replaced.")

    present: dict[str, Path] = {}
    for item in folder.iterdir():
        if item.name in (MANIFEST, SIGNATURE):
            continue
        if item.name not in files:
            kind = "folder" if item.is_dir() and not item.is_symlink() else "file"
            raise verification_error(
                "unexpected_file", item.name,
                f"The bundle holds a {kind} {item.name!r} its manifest does not list (added "
                "after signing). A bundle's audit log lives beside the folder, not in it.")
        if item.is_symlink() or not item.is_file():
            raise verification_error(
                "unexpected_file", item.name,
                f"{item.name} in the bundle is a link or a folder, not a plain file.")
        present[item.name] = safe_child(folder, item.name, "a bundle file name")
    kept: dict[str, bytes] = {}
    total = 0
    for name, (sha, size) in sorted(files.items()):
        if name not in present:
            raise verification_error("missing_file", name,
                                     f"{name} is listed in the manifest but missing.")
        try:
            got_sha, got_size, raw = hash_file(present[name], keep=name in keep)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise verification_error("unexpected_file", name,
                                         f"{name} in the bundle is a link.") from None
            raise
        if got_size != size or got_sha != sha:
            detail = (f"{got_size:,} bytes instead of {size:,}" if got_size != size
                      else "its SHA-256 differs")
            raise verification_error(
                "changed_file", name,
                f"{name} was changed after the bundle was signed ({detail}).")
        if raw is not None:
            kept[name] = raw
        total += size

    license_bytes = kept[LICENSE_JSON]  # hashed above: never read a second time
    read_canonical(license_bytes, file=LICENSE_JSON)
    try:
        license_ = License.from_json(license_bytes)
    except LicenseError as exc:
        raise verification_error("malformed", LICENSE_JSON,
                                 f"{LICENSE_JSON} is not a valid license: {exc}") from None
    if license_.id != license_id:
        raise verification_error(
            "license_mismatch", LICENSE_JSON,
            f"{LICENSE_JSON} holds license {license_.id}, but the manifest was signed for "
            f"{license_id}.")
    _check_license_files(license_, files)
    result = VerificationResult(
        path=folder, license_id=license_id, key_fingerprint=signer,
        signature_trusted=trusted is not None, files=tuple(sorted(files)), bytes=total,
        license=license_, manifest=manifest, trusted_by=trusted_by)
    return result, kept


def _check_license_files(license_: Any, files: Mapping[str, tuple[str, int]]) -> None:
    """The data files the license is bound to are plain names of the manifest, same bytes."""
    listed = (license_.dataset or {}).get("files") or ()
    for i, entry in enumerate(listed):
        name = entry.get("path")
        problem = name_problem(name)
        if problem is not None:
            raise verification_error(
                "license_mismatch", LICENSE_JSON,
                f"{LICENSE_JSON} lists dataset.files[{i}].path, which {problem}: a bundle's "
                "license names files inside the bundle.")
        sha = str(entry.get("sha256", "")).removeprefix("sha256:")
        if name not in files or files[name] != (sha, entry.get("bytes")):
            raise verification_error(
                "license_mismatch", LICENSE_JSON,
                f"{LICENSE_JSON} is bound to {name!r} with other bytes than the manifest lists "
                "(or the manifest does not list it).")


def verify(
    path: str | os.PathLike[str],
    *,
    public_key: Any = None,
    audit_log: Any = None,
    user: str | None = None,
    keyring: Any = None,
) -> VerificationResult:
    """Check that every byte of a bundle is what its signer wrote.

    Parameters
    ----------
    path : path-like
        The bundle folder.
    public_key : path, "file:PATH", "env:NAME", PublicKey, optional
        The licensor's public key. Without it, a signer in ``keyring`` is trusted; otherwise
        only the bundle's self-consistency is checked and the result says
        ``signature_trusted=False``.
    audit_log : path or AuditLog, optional
        Record the check (``action="verify"``, outcome ``allowed`` or ``failed``) in this log.
    user : str, optional
        Who checks, for the log (default: the login name).
    keyring : Keyring or path, optional
        The trusted keys to look the signer up in when no ``public_key`` is given (default:
        :func:`~anonlab.bundle.trust.default_keyring_path`).

    Returns
    -------
    VerificationResult

    Raises
    ------
    VerificationError
        With ``reason`` (``changed_file``, ``unexpected_file``, ``missing_file``,
        ``bad_signature``, ``wrong_key``, ``malformed``, ``license_mismatch``,
        ``not_a_bundle``) and ``file``; the message names both.
    SecretKeyError
        ``public_key`` cannot be read.
    """
    if audit_log is None:
        result, _ = check_bundle(path, public_key, keyring=keyring)
        return result
    from anonlab.bundle.audit import AuditLog
    from anonlab.bundle.export import _user

    where = audit_log.path if isinstance(audit_log, AuditLog) else audit_log
    log = AuditLog.for_bundle(path, where)
    who = user if user is not None else _user()
    try:
        result, _ = check_bundle(path, public_key, keyring=keyring)
    except VerificationError as exc:
        log.append(action="verify", outcome="failed", user=who, bundle=Path(path).name,
                   reason=_failure_reason(exc))
        raise
    log.append(action="verify", outcome="allowed", user=who, bundle=Path(path).name,
               license_id=result.license_id,
               reason=None if result.signature_trusted else "signature_untrusted")
    return result


def _failure_reason(exc: VerificationError) -> str:
    """``"<reason>:<file>"`` for the audit log."""
    reason = getattr(exc, "reason", "malformed")
    file = "".join(c if c.isprintable() else "?" for c in getattr(exc, "file", ""))
    return f"{reason}:{file}"[:200] if file else reason

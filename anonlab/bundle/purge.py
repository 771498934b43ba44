"""Deleting a bundle at the end of its license, with a signed deletion certificate in its log.

A license states when the data must be deleted (``retention.delete_by``); after that date
``anonlab.open`` refuses (``reason="retention"``). :func:`purge` (``anonlab purge BUNDLE``)
deletes the bundle folder and records a **deletion certificate** in the bundle's audit log: an
entry with ``action="purge"``, ``outcome="deleted"`` and a ``deletion`` field naming the
license, its hash, every file deleted with its SHA-256 and size, and the method, signed with the
licensee's identity key when one is given. The next usage report carries it to the licensor.

In order: the folder is renamed aside (from then on it cannot be opened), the certificate is
appended to the log, then the files are removed. Should the log not be writable, the folder is
renamed back and nothing is deleted, so a deletion is never unrecorded.

What it cannot certify: copies made elsewhere (an exported CSV, a notebook's frame, a backup).
The certificate says what was deleted here; the license's duty covers every copy.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from anonlab.bundle import clock
from anonlab.bundle._atomic import fsync_dir, temp_folder
from anonlab.bundle.audit import AuditLog
from anonlab.bundle.identity import Identity, accept
from anonlab.bundle.layout import LICENSE_JSON
from anonlab.errors import (
    AccessDeniedError,
    BundleError,
    LicenseError,
    ParameterError,
    VerificationError,
)

__all__ = ["Purge", "purge"]


@dataclass(frozen=True)
class Purge:
    """What :func:`purge` did.

    Attributes
    ----------
    bundle : Path
        The folder that was deleted.
    files : tuple of mapping
        ``path``, ``sha256`` and ``bytes`` of each file deleted.
    entry : mapping
        The audit entry holding the deletion certificate.
    signed : bool
        Whether the certificate is signed with an identity key.
    """

    bundle: Path
    files: tuple[dict[str, Any], ...]
    entry: dict[str, Any]
    signed: bool

    def summary(self) -> str:
        """One line for people."""
        size = sum(int(f["bytes"]) for f in self.files)
        how = (f"signed by {self.entry.get('identity')}" if self.signed
               else "NOT signed (no identity key was given)")
        return (f"Deleted {self.bundle.name} ({len(self.files)} files, {size:,} bytes); the "
                f"deletion certificate is record {self.entry['seq']} of the audit log, {how}.")


def _digest(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def purge(
    bundle: str | os.PathLike[str],
    *,
    identity: Any = None,
    certificate: Any = None,
    user: str | None = None,
    audit_log: str | os.PathLike[str] | AuditLog | None = None,
) -> Purge:
    """Delete a bundle folder and record a deletion certificate in its audit log.

    Parameters
    ----------
    bundle : path
        The bundle folder.
    identity, certificate : optional
        The licensee's identity key (default ``$ANONLAB_IDENTITY``) and its certificate: the
        certificate is signed with it.
    user : str, optional
        Who deletes it (default: the name the license or certificate gives the identity, or its
        fingerprint); required without an identity.
    audit_log : path or AuditLog, optional
        The log (default ``<bundle>.audit.jsonl`` beside the folder).

    Raises
    ------
    BundleError
        ``bundle`` is not a bundle folder (no ``license.json``), or the log cannot be written
        (nothing is deleted then).
    """
    from anonlab.bundle.access import _load_identity
    from anonlab.licensing.model import License

    folder = Path(bundle)
    if not folder.is_dir() or folder.is_symlink() or not (folder / LICENSE_JSON).is_file():
        raise BundleError(f"{str(folder)!r} is not a bundle folder (no {LICENSE_JSON}): nothing "
                          "to purge.")
    ident: Identity | None = _load_identity(identity, certificate)
    if ident is None and user is None:
        raise ParameterError("purge needs user= (who deletes the data) when no identity key is "
                             "given (identity=, $ANONLAB_IDENTITY).")
    license_bytes = (folder / LICENSE_JSON).read_bytes()
    try:
        license_: Any = License.from_json(license_bytes)
    except LicenseError:  # a damaged license still gets deleted; the certificate says so
        license_ = None
    name = user
    if ident is not None and license_ is not None and name is None:
        try:
            accepted = accept(license_, ident, at=clock.system_now())
        except AccessDeniedError:
            accepted = None
        name = accepted.name if accepted is not None and accepted.name else None
    where = audit_log.path if isinstance(audit_log, AuditLog) else audit_log
    log = AuditLog.for_bundle(folder, where)
    files = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()):
        sha, size = _digest(path)
        files.append({"path": path.relative_to(folder).as_posix(), "sha256": sha, "bytes": size})
    aside = temp_folder(folder, "purge")
    os.rmdir(aside)
    os.rename(folder, aside)
    license_id: str | None = None if license_ is None else str(license_.id)
    deletion: dict[str, Any] = {
        "bundle": folder.name,
        "license_id": license_id,
        "license_sha256": hashlib.sha256(license_bytes).hexdigest(),
        "files": files,
        "method": "erase" if license_ is None else license_.retention.method,
        "deleted_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "scope": "this bundle folder; copies made elsewhere are not covered",
    }
    try:
        entry = log.append(
            action="purge", outcome="deleted",
            user=name or (ident.fingerprint if ident is not None else str(user)),
            license_id=license_id, bundle=folder.name,
            reason=f"deleted {len(files)} files", deletion=deletion,
            identity=ident if ident is not None else "unauthenticated")
    except (BundleError, VerificationError, ParameterError):
        os.rename(aside, folder)
        raise
    shutil.rmtree(aside)
    fsync_dir(folder.parent)
    return Purge(folder, tuple(files), entry, ident is not None)

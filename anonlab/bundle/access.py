"""``anonlab.open``: read a bundle's data for a stated purpose and role, and log it.

The licensee-side helper. In order:

1. verify the bundle (:mod:`anonlab.bundle.verify`): every byte as signed; the data bytes that
   are returned are the very bytes that were hashed;
2. check who signed it: the signer must be the key given (``public_key=``) or a key of the
   recipient's keyring (:mod:`anonlab.bundle.trust`). A bundle only self-consistent (re-signed
   with any key) is refused (``VerificationError``, ``reason="untrusted"``), unless the caller
   passes ``accept_untrusted=True``, which the audit log records (``accepted_untrusted``) and a
   :class:`~anonlab.bundle.trust.UntrustedSignatureWarning` shows;
3. read the license and check the use: in force at ``now``, the role is one of the license's,
   the purpose is permitted for it and not prohibited
   (:meth:`~anonlab.licensing.model.License.check_access`);
4. append the outcome to the audit log (``allowed``, ``refused`` with the reason, or
   ``failed`` when the bundle does not verify or its signer is not trusted), *before* any data
   is handed back;
5. return the data as the requested frame kind.

This is cooperative enforcement: it keeps honest users honest and leaves a trail. The force
of a license is the contract it states (see ``LICENSE.md``), not this function.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import warnings
from pathlib import Path
from typing import Any

import polars as pl

from anonlab.bundle._fail import verification_error
from anonlab.bundle.audit import AuditLog, _check_text
from anonlab.bundle.layout import DATA_PARQUET, LICENSE_JSON
from anonlab.bundle.trust import Keyring, UntrustedSignatureWarning
from anonlab.bundle.verify import VerificationResult, _failure_reason, check_bundle
from anonlab.errors import AccessDeniedError, BundleError, ParameterError, VerificationError

__all__ = ["BACKENDS", "open_bundle", "open_verified"]

BACKENDS = ("polars", "pandas", "pyarrow")


def _frame(raw: bytes, backend: str) -> Any:
    try:
        data = pl.read_parquet(io.BytesIO(raw))
    except pl.exceptions.PolarsError:
        raise BundleError(f"{DATA_PARQUET} cannot be read as Parquet.") from None
    if backend == "pandas":
        return data.to_pandas()
    if backend == "pyarrow":
        return data.to_arrow()
    return data


def open_bundle(
    path: str | os.PathLike[str],
    *,
    purpose: str,
    role: str,
    user: str,
    public_key: Any = None,
    backend: str = "polars",
    audit_log: str | os.PathLike[str] | AuditLog | None = None,
    now: dt.datetime | None = None,
    accept_untrusted: bool = False,
    keyring: Keyring | str | os.PathLike[str] | None = None,
) -> Any:
    """Verify a bundle, check its signer and the use against its license, log it, and return
    the data.

    Parameters
    ----------
    path : path-like
        The bundle folder.
    purpose : str
        Why the data is used: a purpose id such as ``"scientific-research"`` (narrower
        purposes than the license's are allowed, see :mod:`anonlab.licensing.purposes`).
    role : str
        The role the user acts in (one of the license's roles, e.g. ``"analyst"``).
    user : str
        Who opens it (recorded in the audit log; at most 200 characters, no control characters).
    public_key : path, "file:PATH", "env:NAME" or PublicKey, optional
        The licensor's public key. Without it the signer must be in ``keyring``.
    backend : {"polars", "pandas", "pyarrow"}, default "polars"
        The kind of frame to return.
    audit_log : path or AuditLog, optional
        Where to log (default ``<bundle>.audit.jsonl`` beside the folder; never inside it).
    now : datetime, optional
        The time to check the license at (tz-aware; default now). The log records the real
        time.
    accept_untrusted : bool, default False
        Open a bundle whose signer is neither ``public_key`` nor in the keyring: its signature
        then proves only that the bundle is self-consistent, not who made it (anyone who changed
        it could have re-signed it). Logged (``signature_untrusted; accepted_untrusted``) and
        warned about with :class:`~anonlab.bundle.trust.UntrustedSignatureWarning`.
    keyring : Keyring or path, optional
        The trusted licensor keys (default: ``$ANONLAB_KEYRING`` or
        ``~/.config/anonlab/trusted_keys``; see :mod:`anonlab.bundle.trust`).

    Returns
    -------
    polars.DataFrame, pandas.DataFrame or pyarrow.Table

    Raises
    ------
    AccessDeniedError
        The license does not allow this use (``reason``: ``expired``, ``not_yet_valid``,
        ``purpose``, ``role``, ``prohibited``); logged as ``refused`` first.
    VerificationError
        The bundle is not as signed, or (``reason="untrusted"``) its signer is not trusted and
        ``accept_untrusted`` is False; logged as ``failed`` first (except when ``path`` is not a
        folder at all: nothing is logged for a mistyped path).
    BundleError
        The audit log cannot be written (no data is returned unlogged), or the keyring cannot be
        read.

    Examples
    --------
    >>> df = anonlab.open("release-2026", purpose="statistics", role="analyst", user="ada",
    ...                   public_key="keys/licensor.pub")        # or: anonlab trust add ...
    """
    frame, result = open_verified(
        path, purpose=purpose, role=role, user=user, public_key=public_key, backend=backend,
        audit_log=audit_log, now=now, accept_untrusted=accept_untrusted, keyring=keyring)
    if not result.signature_trusted:
        warnings.warn(UntrustedSignatureWarning(
            f"Opened {Path(path).name!r} although its signer {result.key_fingerprint} is not a "
            "key you trust (accept_untrusted=True, logged): the signature proves only that the "
            "bundle is self-consistent, not who made it."), stacklevel=2)
    return frame


def open_verified(
    path: str | os.PathLike[str],
    *,
    purpose: str,
    role: str,
    user: str,
    public_key: Any = None,
    backend: str = "polars",
    audit_log: str | os.PathLike[str] | AuditLog | None = None,
    now: dt.datetime | None = None,
    accept_untrusted: bool = False,
    keyring: Keyring | str | os.PathLike[str] | None = None,
) -> tuple[Any, VerificationResult]:
    """:func:`open_bundle` without the warning, returning the data and the verification (whose
    ``license`` is the one the access was checked against), for the command line."""
    if not isinstance(accept_untrusted, bool):
        raise ParameterError("The 'accept_untrusted' parameter of open must be True or False.")
    if backend not in BACKENDS:
        raise ParameterError(
            f"The 'backend' parameter of open must be one of {', '.join(BACKENDS)}. "
            f"Got {backend!r}.")
    _check_text(user, "user", required=True)
    _check_text(role, "role", required=True)
    _check_text(purpose, "purpose", required=True)
    if now is not None and (not isinstance(now, dt.datetime) or now.utcoffset() is None):
        raise ParameterError("The 'now' parameter of open must be a tz-aware datetime.")
    folder = Path(path)
    where = audit_log.path if isinstance(audit_log, AuditLog) else audit_log
    log = AuditLog.for_bundle(folder, where)
    common = {"user": user, "role": role, "purpose": purpose, "bundle": folder.name}
    try:
        result, kept = check_bundle(folder, public_key, keep=(DATA_PARQUET, LICENSE_JSON),
                                    keyring=keyring)
        if not result.signature_trusted and not accept_untrusted:
            raise _untrusted(result, keyring)
    except VerificationError as exc:
        if getattr(exc, "reason", "") != "not_a_bundle":  # a mistyped path leaves no stray log
            log.append(action="open", outcome="failed", reason=_failure_reason(exc), **common)
        raise
    license_ = result.license
    try:
        license_.check_access(purpose=purpose, role=role, at=now)
    except AccessDeniedError as exc:
        log.append(action="open", outcome="refused", reason=exc.reason,
                   license_id=license_.id, **common)
        raise
    frame = _frame(kept[DATA_PARQUET], backend)
    notes = [] if result.signature_trusted else ["signature_untrusted", "accepted_untrusted"]
    if now is not None:
        # a caller-chosen clock is recorded, so an access allowed only at another time shows
        notes.append(f"checked_at={now.astimezone(dt.UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}")
    log.append(action="open", outcome="allowed", license_id=license_.id,
               reason="; ".join(notes) or None, **common)
    return frame, result


def _untrusted(result: VerificationResult, keyring: Any) -> VerificationError:
    ring = Keyring.of(keyring)
    return verification_error(
        "untrusted", "signature",
        f"The bundle {result.path.name!r} is signed by {result.key_fingerprint}, which is not a "
        f"key you trust: no public key was given and the keyring {str(ring.path)!r} does not "
        "hold it. Anyone who changes a bundle can re-sign it with their own key, so this "
        "signature does not say who made it. Pass the licensor's public key (public_key=, "
        "--public-key), add it to your keyring once (`anonlab trust add LICENSOR.pub`), or, "
        "knowingly, accept_untrusted=True / --accept-untrusted (logged).")

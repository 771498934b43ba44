"""``anonlab.open``: read a bundle's data for a stated purpose and role, and log it.

The licensee-side helper. In order:

1. verify the bundle (:mod:`anonlab.bundle.verify`): every byte as signed; the data bytes that
   are returned are the very bytes that were hashed;
2. read the license and check the use: in force at ``now``, the role is one of the license's,
   the purpose is permitted for it and not prohibited
   (:meth:`~anonlab.licensing.model.License.check_access`);
3. append the outcome to the audit log (``allowed``, ``refused`` with the reason, or
   ``failed`` when the bundle does not verify), *before* any data is handed back;
4. return the data as the requested frame kind.

This is cooperative enforcement: it keeps honest users honest and leaves a trail. The force
of a license is the contract it states (see ``LICENSE.md``), not this function.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path
from typing import Any

import polars as pl

from anonlab.bundle.audit import AuditLog, _check_text
from anonlab.bundle.layout import DATA_PARQUET, LICENSE_JSON
from anonlab.bundle.verify import _failure_reason, check_bundle
from anonlab.errors import AccessDeniedError, BundleError, ParameterError, VerificationError

__all__ = ["BACKENDS", "open_bundle"]

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
) -> Any:
    """Verify a bundle, check the use against its license, log it, and return the data.

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
        The licensor's public key. Without it the bundle is only checked for self-consistency
        (the log records ``signature_untrusted``).
    backend : {"polars", "pandas", "pyarrow"}, default "polars"
        The kind of frame to return.
    audit_log : path or AuditLog, optional
        Where to log (default ``<bundle>.audit.jsonl`` beside the folder; never inside it).
    now : datetime, optional
        The time to check the license at (tz-aware; default now). The log records the real
        time.

    Returns
    -------
    polars.DataFrame, pandas.DataFrame or pyarrow.Table

    Raises
    ------
    AccessDeniedError
        The license does not allow this use (``reason``: ``expired``, ``not_yet_valid``,
        ``purpose``, ``role``, ``prohibited``); logged as ``refused`` first.
    VerificationError
        The bundle is not as signed; logged as ``failed`` first (except when ``path`` is not a
        folder at all: nothing is logged for a mistyped path).
    BundleError
        The audit log cannot be written (no data is returned unlogged).
    """
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
        result, kept = check_bundle(folder, public_key, keep=(DATA_PARQUET, LICENSE_JSON))
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
    notes = [] if result.signature_trusted else ["signature_untrusted"]
    if now is not None:
        # a caller-chosen clock is recorded, so an access allowed only at another time shows
        notes.append(f"checked_at={now.astimezone(dt.UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}")
    log.append(action="open", outcome="allowed", license_id=license_.id,
               reason="; ".join(notes) or None, **common)
    return frame

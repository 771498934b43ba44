"""``anonlab.open``: read a bundle's data for a stated purpose and role, and log it.

The licensee-side helper. In order:

1. verify the bundle (:mod:`anonlab.bundle.verify`): every byte as signed; the data bytes that
   are returned are the very bytes that were hashed;
2. check who signed it: the signer must be the key given (``public_key=``) or a key of the
   recipient's keyring (:mod:`anonlab.bundle.trust`). A bundle only self-consistent (re-signed
   with any key) is refused (``VerificationError``, ``reason="untrusted"``), unless the caller
   passes ``accept_untrusted=True``, which the audit log records (``accepted_untrusted``) and a
   :class:`~anonlab.bundle.trust.UntrustedSignatureWarning` shows;
3. read the clock (:mod:`anonlab.bundle.clock`): the system's; a ``now=`` only when later
   (a stricter check) or under the test clock; refused when the system clock is behind the
   bundle's latest audit record (set back) or ``now`` is backdated;
4. read the license and check the use: in force at that time, the role is one of the
   license's and is granted the declared ``action`` (default ``"read"``; export actions such as
   ``distribute`` / ``share`` and ``publish`` only when granted by name), the purpose is
   permitted for it and not prohibited
   (:meth:`~anonlab.licensing.model.License.check_access`);
5. append the outcome to the audit log with the declared action (``allowed``, ``refused`` with
   the reason, or ``failed`` when the bundle does not verify or its signer is not trusted),
   *before* any data is handed back;
6. return the data as the requested frame kind, tagged with the license id and the action:
   :func:`last_access` gives the :class:`Access` of the latest open in this thread or task (the
   one tag that works for every backend, polars frames holding no metadata), and a pandas
   frame's ``attrs["anonlab"]`` and a pyarrow table's schema metadata (``anonlab.access``, JSON)
   hold the same.

This is cooperative enforcement: it keeps honest users honest and leaves a trail. The force
of a license is the contract it states (see ``LICENSE.md``), not this function.
"""

from __future__ import annotations

import contextvars
import dataclasses
import datetime as dt
import io
import json
import os
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import polars as pl

from anonlab.bundle import clock
from anonlab.bundle._fail import verification_error
from anonlab.bundle.audit import AuditLog, _check_text
from anonlab.bundle.identity import Identity, accept, load_identity
from anonlab.bundle.layout import DATA_PARQUET, LICENSE_JSON
from anonlab.bundle.signing import PublicKey, b64decode_strict
from anonlab.bundle.trust import Keyring, UntrustedSignatureWarning
from anonlab.bundle.verify import VerificationResult, _failure_reason, check_bundle
from anonlab.errors import AccessDeniedError, BundleError, ParameterError, VerificationError
from anonlab.licensing.model import DEFAULT_ACTION, resolve_action

__all__ = ["ACCESS_METADATA_KEY", "BACKENDS", "CERTIFICATE_ENV", "IDENTITY_ENV", "Access",
           "last_access", "open_bundle", "open_verified"]

BACKENDS = ("polars", "pandas", "pyarrow")

ACCESS_METADATA_KEY = "anonlab.access"
"""The pyarrow schema metadata key holding the :class:`Access` as JSON (pandas: ``attrs`` key
``"anonlab"``)."""


@dataclass(frozen=True)
class Access:
    """What an open was granted: the tag of the frame it returned.

    Attributes
    ----------
    license_id : str
        The license the access was checked against.
    action : str
        The declared action the role was granted (``"read"``, ``"train-model"``, ...; an alias
        such as ``"share"`` resolved to ``"distribute"``).
    purpose, role, user : str
        As given to ``open``.
    bundle : str
        The bundle folder's name.
    time : str
        The system time of the access (ISO 8601, UTC), as in the audit log.
    checked_at : str
        The time the license was checked at (``time`` unless a later ``now=`` or the test clock
        chose another).
    test_clock : bool
        Whether the test clock was on.
    audit_seq : int
        The ``seq`` of the audit entry recording it.
    identity : str
        The fingerprint of the identity key the access was made with, or
        ``"unauthenticated"``.
    certified_by : str or None
        The organisation key that certified the identity, when it was accepted through a
        certificate.
    valid_until : str
        Until when the license is in force (a renewal's date when one applied).
    """

    license_id: str
    action: str
    purpose: str
    role: str
    user: str
    bundle: str
    time: str
    checked_at: str
    test_clock: bool
    audit_seq: int
    identity: str = "unauthenticated"
    certified_by: str | None = None
    valid_until: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain data."""
        return asdict(self)


_LAST_ACCESS: contextvars.ContextVar[Access | None] = contextvars.ContextVar(
    "anonlab_last_access", default=None)


def last_access() -> Access | None:
    """The :class:`Access` of the latest ``anonlab.open`` in this thread or async task, or None
    when it was refused or failed (or none ran).

    Polars frames hold no metadata, so this is how code that receives one learns which license
    and action it was opened under.

    Examples
    --------
    >>> df = anonlab.open("release-2026", purpose="statistics", role="analyst", user="ada",
    ...                   action="aggregate")
    >>> anonlab.bundle.last_access().action
    'aggregate'
    """
    return _LAST_ACCESS.get()


def _read(raw: bytes) -> pl.DataFrame:
    try:
        return pl.read_parquet(io.BytesIO(raw))
    except pl.exceptions.PolarsError:
        raise BundleError(f"{DATA_PARQUET} cannot be read as Parquet.") from None


def _frame(data: pl.DataFrame, backend: str, access: Access) -> Any:
    """``data`` as the ``backend``'s frame, tagged with ``access`` where the kind has metadata."""
    if backend == "pandas":
        frame = data.to_pandas()
        frame.attrs["anonlab"] = access.to_dict()
        return frame
    if backend == "pyarrow":
        table = data.to_arrow()
        meta = dict(table.schema.metadata or {})
        meta[ACCESS_METADATA_KEY.encode()] = json.dumps(access.to_dict(),
                                                        sort_keys=True).encode()
        return table.replace_schema_metadata(meta)
    return data


IDENTITY_ENV = "ANONLAB_IDENTITY"
"""The environment variable naming your identity key (a path, ``file:PATH`` or ``env:NAME``),
used by ``open`` when no ``identity=`` is given."""
CERTIFICATE_ENV = "ANONLAB_IDENTITY_CERTIFICATE"
"""The environment variable naming the certificate of that key (a path), when an organisation
certified it."""


def open_bundle(
    path: str | os.PathLike[str],
    *,
    purpose: str,
    role: str,
    user: str | None = None,
    public_key: Any = None,
    backend: str = "polars",
    audit_log: str | os.PathLike[str] | AuditLog | None = None,
    now: dt.datetime | None = None,
    accept_untrusted: bool = False,
    keyring: Keyring | str | os.PathLike[str] | None = None,
    action: str = DEFAULT_ACTION,
    test_clock: bool = False,
    identity: Any = None,
    certificate: Any = None,
    status: str | os.PathLike[str] | None = None,
    amendments: Any = None,
) -> Any:
    """Verify a bundle, check its signer, the opener's identity and the use against its
    license, log it, and return the data.

    Parameters
    ----------
    path : path-like
        The bundle folder.
    purpose : str
        Why the data is used: a purpose id such as ``"scientific-research"`` (narrower
        purposes than the license's are allowed, see :mod:`anonlab.licensing.purposes`).
    role : str
        The role the user acts in (one of the license's roles, e.g. ``"analyst"``).
    user : str, optional
        Who opens it (recorded in the audit log; at most 200 characters, no control characters).
        With an identity whose key or certificate names the user, that name is logged and
        ``user`` must be it or left out; without an identity, ``user`` is required.
    public_key : path, "file:PATH", "env:NAME" or PublicKey, optional
        The licensor's public key. Without it the signer must be in ``keyring``.
    backend : {"polars", "pandas", "pyarrow"}, default "polars"
        The kind of frame to return.
    audit_log : path or AuditLog, optional
        Where to log (default ``<bundle>.audit.jsonl`` beside the folder; never inside it). A
        path ending ``.sqlite`` / ``.sqlite3`` / ``.db`` is an SQLite store
        (:mod:`anonlab.bundle.audit_sqlite`).
    now : datetime, optional
        Check the license as of this time (tz-aware) instead of the system clock's; only a later
        time is accepted (a stricter check: will it still open then?), noted in the log as
        ``checked_at=``. An earlier one (by more than
        :data:`~anonlab.bundle.clock.CLOCK_TOLERANCE`) is refused (``clock_backdated``) unless
        the test clock is on. The log records the system time.
    accept_untrusted : bool, default False
        Open a bundle whose signer is neither ``public_key`` nor in the keyring: its signature
        then proves only that the bundle is self-consistent, not who made it (anyone who changed
        it could have re-signed it). Logged (``signature_untrusted; accepted_untrusted``) and
        warned about with :class:`~anonlab.bundle.trust.UntrustedSignatureWarning`.
    keyring : Keyring or path, optional
        The trusted licensor keys (default: ``$ANONLAB_KEYRING`` or
        ``~/.config/anonlab/trusted_keys``; see :mod:`anonlab.bundle.trust`).
    action : str, default "read"
        What will be done with the data: an action the role must be granted
        (:data:`~anonlab.licensing.model.DATA_ACTIONS`: ``read``, ``aggregate``, ``derive``,
        ``train-model``, ...; granted by name or through ``use``). Export actions,
        ``distribute`` (alias ``share``) and ``publish``, must be granted by name. Logged as
        the entry's ``declared_action``.
    test_clock : bool, default False
        Let ``now`` be any time, also earlier than the system clock (so does
        ``ANONLAB_TEST_CLOCK=1``), for tests that replay a license's life. Every entry made
        under it is marked ``"clock": "test"`` and an allowed one's reason says ``test_clock``.
    identity : path, "file:PATH", "env:NAME", SigningKey or Identity, optional
        Your identity key (``anonlab identity new``; default ``$ANONLAB_IDENTITY``). Every
        record of the access is signed with it. Required when the license names licensee keys
        (:mod:`anonlab.bundle.identity`); without one the record says ``unauthenticated``.
    certificate : path or Certificate, optional
        The certificate of your key by a licensee organisation key the license names (default
        ``$ANONLAB_IDENTITY_CERTIFICATE``).
    status : path, optional
        The licensor's signed status list (:mod:`anonlab.bundle.status`). Default: where the
        license's ``status_list`` says (a relative path is taken beside the bundle folder).
        When there is one to check, it must be signed by the bundle's signer, current, not list
        the license, and not be older (by serial) than one an earlier open of the bundle saw.
    amendments : path or list of paths, optional
        Signed renewals of the license (:mod:`anonlab.bundle.amendment`); default
        ``<bundle>.amendment.json`` beside the folder when it exists. The highest-numbered valid
        one sets ``valid_until`` and ``delete_by``; an invalid one refuses the open.

    Returns
    -------
    polars.DataFrame, pandas.DataFrame or pyarrow.Table
        Tagged with the license and action: see :func:`last_access` (every backend), pandas
        ``attrs["anonlab"]``, pyarrow schema metadata ``anonlab.access``.

    Raises
    ------
    AccessDeniedError
        The license does not allow this use (``reason``: ``expired``, ``not_yet_valid``,
        ``purpose``, ``role``, ``action``, ``prohibited``; ``retention``: the deletion date has
        passed; ``unauthenticated`` / ``identity``: no key, or a key the license does not
        accept; ``revoked``, ``status_missing``, ``status_stale``, ``status_untrusted``,
        ``status_future``, ``status_rollback``: the status list; ``amendment_invalid``), or the
        clock cannot be trusted (``clock_rollback``: the system clock is
        behind the latest audit record; ``clock_backdated``: ``now`` is earlier than the
        system clock); logged as ``refused`` first.
    VerificationError
        The bundle is not as signed, or (``reason="untrusted"``) its signer is not trusted and
        ``accept_untrusted`` is False; logged as ``failed`` first (except when ``path`` is not a
        folder at all: nothing is logged for a mistyped path).
    BundleError
        The audit log cannot be written (no data is returned unlogged), or the keyring cannot be
        read.
    SecretKeyError
        The identity key cannot be loaded (nothing is logged: there is no one to sign it).

    Examples
    --------
    >>> df = anonlab.open("release-2026", purpose="statistics", role="analyst",
    ...                   identity="keys/ada.key", public_key="keys/licensor.pub")
    >>> model_input = anonlab.open("release-2026", purpose="statistics", role="modeller",
    ...                            user="ada", action="train-model")
    """
    frame, result = open_verified(
        path, purpose=purpose, role=role, user=user, public_key=public_key, backend=backend,
        audit_log=audit_log, now=now, accept_untrusted=accept_untrusted, keyring=keyring,
        action=action, test_clock=test_clock, identity=identity, certificate=certificate,
        status=status, amendments=amendments)
    if not result.signature_trusted:
        warnings.warn(UntrustedSignatureWarning(
            f"Opened {Path(path).name!r} although its signer {result.key_fingerprint} is not a "
            "key you trust (accept_untrusted=True, logged): the signature proves only that the "
            "bundle is self-consistent, not who made it."), stacklevel=2)
    return frame


def _load_identity(identity: Any, certificate: Any) -> Identity | None:
    if identity is None:
        identity = os.environ.get(IDENTITY_ENV) or None
        if certificate is None:
            certificate = os.environ.get(CERTIFICATE_ENV) or None
    if identity is None:
        if certificate is not None:
            raise ParameterError("A certificate was given without the identity key it "
                                 "certifies (identity=, $ANONLAB_IDENTITY).")
        return None
    return load_identity(identity, certificate)


def _amendment_paths(folder: Path, amendments: Any) -> list[Path]:
    if amendments is None:
        default = folder.with_name(folder.name + ".amendment.json")
        return [default] if default.is_file() else []
    if isinstance(amendments, str | os.PathLike):
        return [Path(amendments)]
    if not isinstance(amendments, list | tuple):
        raise ParameterError("The 'amendments' parameter of open is a path or a list of paths.")
    return [Path(a) for a in amendments]


def _status_path(folder: Path, license_: Any, status: Any) -> Path | None:
    if status is not None:
        return Path(status)
    if license_.status_list is None:
        return None
    where = Path(license_.status_list).expanduser()
    return where if where.is_absolute() else folder.parent / where


def _check_status(where: Path | None, license_: Any, signer: PublicKey, at: dt.datetime,
                  log: AuditLog) -> int | None:
    """The serial of the status list checked (None when there is none to check)."""
    from anonlab.bundle.status import load_status_list

    if where is None:
        return None
    try:
        listing = load_status_list(where)
    except BundleError as exc:
        raise AccessDeniedError(
            f"License {license_.id} is checked against the licensor's status list, which "
            f"cannot be used: {exc} Fetch the current list from the licensor.",
            reason="status_missing") from None
    listing.check(license_.id, signer=signer, at=at)
    seen = log.latest_status_serial()
    if seen is not None and listing.serial < seen:
        raise AccessDeniedError(
            f"The status list {str(where)!r} has serial {listing.serial}, older than the one an "
            f"earlier open of this bundle checked ({seen}): an old list was put back. Fetch the "
            "current list from the licensor.", reason="status_rollback")
    return listing.serial


def _load_amendments(paths: list[Path]) -> list[Any]:
    from anonlab.bundle.amendment import load_amendment

    out = []
    for path in paths:
        try:
            out.append(load_amendment(path))
        except BundleError as exc:
            raise AccessDeniedError(f"The renewal {str(path)!r} cannot be used: {exc}",
                                    reason="amendment_invalid") from None
    return out


def open_verified(
    path: str | os.PathLike[str],
    *,
    purpose: str,
    role: str,
    user: str | None = None,
    public_key: Any = None,
    backend: str = "polars",
    audit_log: str | os.PathLike[str] | AuditLog | None = None,
    now: dt.datetime | None = None,
    accept_untrusted: bool = False,
    keyring: Keyring | str | os.PathLike[str] | None = None,
    action: str = DEFAULT_ACTION,
    test_clock: bool = False,
    identity: Any = None,
    certificate: Any = None,
    status: str | os.PathLike[str] | None = None,
    amendments: Any = None,
) -> tuple[Any, VerificationResult]:
    """:func:`open_bundle` without the warning, returning the data and the verification (whose
    ``license`` is the one the access was checked against), for the command line."""
    if not isinstance(accept_untrusted, bool):
        raise ParameterError("The 'accept_untrusted' parameter of open must be True or False.")
    if backend not in BACKENDS:
        raise ParameterError(
            f"The 'backend' parameter of open must be one of {', '.join(BACKENDS)}. "
            f"Got {backend!r}.")
    if user is not None:
        _check_text(user, "user", required=True)
    _check_text(role, "role", required=True)
    _check_text(purpose, "purpose", required=True)
    if now is not None and (not isinstance(now, dt.datetime) or now.utcoffset() is None):
        raise ParameterError("The 'now' parameter of open must be a tz-aware datetime.")
    declared = resolve_action(action)
    test = clock.is_test_clock(test_clock)
    ident = _load_identity(identity, certificate)
    if ident is None and user is None:
        raise ParameterError("open needs user= (who opens the data) when no identity key is "
                             "given (identity=, $ANONLAB_IDENTITY).")
    _LAST_ACCESS.set(None)
    folder = Path(path)
    where = audit_log.path if isinstance(audit_log, AuditLog) else audit_log
    log = AuditLog.for_bundle(folder, where)
    common: dict[str, Any] = {"user": user or (ident.fingerprint if ident else ""),
                              "role": role, "purpose": purpose,
                              "bundle": folder.name, "declared_action": declared,
                              "test_clock": test,
                              "identity": ident if ident is not None else "unauthenticated"}
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
    signer = PublicKey(b64decode_strict(result.manifest["signing_key"]["public_key"]))
    reading = clock.read_clock(now, test=test)
    serial: int | None = None
    valid_until = license_.valid_until
    renewal: Any = None
    try:
        clock.check_rollback(log.latest_time(), reading.system)
        if reading.backdated and not test and now is not None:
            raise clock.refuse_backdated(reading, now)
        accepted = accept(license_, ident, at=reading.system, user=user)
        if accepted is not None and accepted.name is not None:
            common["user"] = accepted.name
        serial = _check_status(_status_path(folder, license_, status), license_, signer,
                               reading.at, log)
        from anonlab.bundle.amendment import effective_terms

        terms = effective_terms(license_, kept[LICENSE_JSON],
                                _load_amendments(_amendment_paths(folder, amendments)),
                                signer=signer)
        renewal, valid_until = terms.amendment, terms.valid_until
        effective = license_ if renewal is None else dataclasses.replace(
            license_, valid_until=terms.valid_until,
            retention=dataclasses.replace(license_.retention, delete_by=terms.delete_by))
        if effective.retention.delete_by > effective.valid_until:  # else "expired" says it
            _check_retention(effective, effective.retention.delete_by, reading.at)
        effective.check_access(purpose=purpose, role=role, at=reading.at, action=declared)
    except AccessDeniedError as exc:
        log.append(action="open", outcome="refused", reason=exc.reason,
                   license_id=license_.id, status_serial=serial, **common)
        raise
    data = _read(kept[DATA_PARQUET])  # unreadable data is an error before "allowed" is logged
    notes = [] if result.signature_trusted else ["signature_untrusted", "accepted_untrusted"]
    if test:
        notes.append("test_clock")
    if renewal is not None:
        notes.append(f"amendment={renewal.number}")
    checked_at = _stamp(reading.at)
    if reading.caller_chosen:
        # a caller-chosen clock is recorded, so an access allowed only at another time shows
        notes.append(f"checked_at={checked_at}")
    entry = log.append(action="open", outcome="allowed", license_id=license_.id,
                       reason="; ".join(notes) or None, status_serial=serial, **common)
    access = Access(license_id=license_.id, action=declared, purpose=purpose, role=role,
                    user=str(entry["user"]), bundle=folder.name, time=str(entry["time"]),
                    checked_at=checked_at, test_clock=test, audit_seq=int(entry["seq"]),
                    identity=str(entry.get("identity", "unauthenticated")),
                    certified_by=None if ident is None or ident.certificate is None
                    else ident.certificate.issuer_key.fingerprint,
                    valid_until=_stamp(valid_until))
    frame = _frame(data, backend, access)
    _LAST_ACCESS.set(access)
    return frame, result


def _check_retention(license_: Any, delete_by: dt.datetime, at: dt.datetime) -> None:
    if at > delete_by:
        raise AccessDeniedError(
            f"License {license_.id} required the data to be deleted by {_stamp(delete_by)} "
            f"({license_.retention.method}); it is {_stamp(at)}. Delete it now with `anonlab "
            "purge BUNDLE` (it records a signed deletion certificate in the audit log).",
            reason="retention")


def _stamp(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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

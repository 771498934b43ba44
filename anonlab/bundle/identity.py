"""Who opens a bundle: identity keys, organisation certificates, and the license's acceptance.

``user=`` alone is the caller's word (``user="CEO"`` is accepted and proves nothing). An
*identity* is an Ed25519 key pair of the person who opens the data (``anonlab identity new``,
:func:`new_identity`). The licensor names the keys it accepts in the license
(:class:`~anonlab.licensing.model.LicenseeKey`, in ``parties.licensees[i].keys``):

* a **user key**: that key may open the data; its ``name`` is logged as the ``user``;
* an **organisation key**: it certifies user keys (:func:`certify` writes a small signed
  :class:`Certificate` naming the user and a validity window), so a licensee organisation adds
  and removes its own staff without a new license; the user opens with their key and the
  certificate, and the certificate's name is logged as the ``user``.

``anonlab.open(..., identity=KEY, certificate=CERT)`` loads the identity, checks that the
license accepts it (:func:`accept`), and signs every audit record of the access with it
(:mod:`anonlab.bundle.audit`), so a record attributed to a key cannot be forged or altered by
anyone who does not hold that key. When the license names keys, an open without an accepted key
is refused (``reason="identity"``, or ``"unauthenticated"`` without any key); when it names none,
an open without a key is allowed and logged ``"identity": "unauthenticated"``.

What this cannot do: a key is only as private as the file that holds it. A user who hands their
key file to someone else hands over their identity; the licensor sees the key's fingerprint in
every record and report, not a face.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from anonlab._files import TEXT_MAX_BYTES, read_bounded, write_atomic
from anonlab._plaintext import load_json
from anonlab.bundle.canonical import canonical_bytes, pretty_bytes
from anonlab.bundle.clock import CLOCK_TOLERANCE
from anonlab.bundle.signing import (
    PublicKey,
    SigningKey,
    b64decode_strict,
    generate_keypair,
    load_private_key,
    load_public_key,
)
from anonlab.errors import AccessDeniedError, BundleError, ParameterError
from anonlab.licensing._time import format_time, parse_time, to_utc

__all__ = [
    "CERTIFICATE_TYPE",
    "UNAUTHENTICATED",
    "Accepted",
    "Certificate",
    "Identity",
    "accept",
    "certify",
    "load_certificate",
    "load_identity",
    "new_identity",
]

UNAUTHENTICATED = "unauthenticated"
"""What an audit record's ``identity`` says when the open presented no identity key."""

CERTIFICATE_TYPE = "anonlab-identity-certificate"
_CERT_DOMAIN = b"anonlab-identity-certificate-v1\n"
_CERT_FIELDS = ("format_version", "issued", "issuer", "issuer_key", "name", "subject",
                "subject_key", "type", "valid_until")
MAX_NAME = 200


def new_identity(prefix: str | os.PathLike[str], *,
                 password: bytes | str | None = None) -> tuple[Path, Path]:
    """Create a user identity key pair: ``PREFIX.key`` (private, mode 0600) and ``PREFIX.pub``.

    The same Ed25519 key files as :func:`anonlab.generate_keypair` (never overwritten); give the
    ``.pub`` file to the licensor (to name in the license) or to your organisation (to
    certify), keep the ``.key``.
    """
    return generate_keypair(prefix, password=password)


def _name(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_NAME or any(
            ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in value):
        raise ParameterError(f"The {what} must be a name of 1 to {MAX_NAME} characters without "
                             "control characters.")
    return value


@dataclass(frozen=True)
class Certificate:
    """An organisation's signed statement that a user key belongs to a named user, for a time.

    Attributes
    ----------
    subject_key : PublicKey
        The user's key.
    name : str
        The user, as the organisation names them (logged as the ``user`` of their accesses).
    issuer_key : PublicKey
        The organisation key that signed it.
    issued, valid_until : datetime
        The certificate holds from ``issued`` to ``valid_until`` (UTC).
    signature : bytes
        Ed25519 over ``b"anonlab-identity-certificate-v1\\n"`` and the canonical JSON of the body.
    """

    subject_key: PublicKey
    name: str
    issuer_key: PublicKey
    issued: dt.datetime
    valid_until: dt.datetime
    signature: bytes

    def body(self) -> dict[str, Any]:
        """The signed fields."""
        return {
            "type": CERTIFICATE_TYPE, "format_version": 1,
            "subject": self.subject_key.fingerprint, "subject_key": self.subject_key.base64,
            "name": self.name,
            "issuer": self.issuer_key.fingerprint, "issuer_key": self.issuer_key.base64,
            "issued": format_time(self.issued), "valid_until": format_time(self.valid_until),
        }

    def to_dict(self) -> dict[str, Any]:
        """The certificate as plain data (the body and ``signature`` in base64)."""
        import base64

        return self.body() | {"signature": base64.b64encode(self.signature).decode("ascii")}

    @property
    def signature_valid(self) -> bool:
        """Whether the issuer key signed this body."""
        return self.issuer_key.verify(self.signature,
                                      _CERT_DOMAIN + canonical_bytes(self.body()))

    def write(self, path: str | os.PathLike[str]) -> Path:
        """Write it as indented JSON (atomically); returns the path."""
        target = Path(path)
        write_atomic(target, pretty_bytes(self.to_dict(), what="a certificate"), mode=0o644)
        return target

    @classmethod
    def from_dict(cls, data: Any, *, where: str = "the certificate") -> Certificate:
        """Read a certificate, checking its form and its signature.

        Raises
        ------
        BundleError
            A field is missing, unknown or malformed, the fingerprints do not match the keys,
            or the signature is not the issuer's.
        """
        if not isinstance(data, dict) or set(data) != {*_CERT_FIELDS, "signature"}:
            raise BundleError(f"{where} is not an anonlab identity certificate (its fields are "
                              f"not {', '.join(_CERT_FIELDS)}, signature).")
        if data["type"] != CERTIFICATE_TYPE or data["format_version"] != 1:
            raise BundleError(f"{where} is not an anonlab identity certificate of format 1.")
        try:
            subject = PublicKey(b64decode_strict(data["subject_key"]))
            issuer = PublicKey(b64decode_strict(data["issuer_key"]))
            signature = b64decode_strict(data["signature"])
            issued = parse_time(data["issued"], path="issued")
            until = parse_time(data["valid_until"], path="valid_until")
            name = _name(data["name"], "certificate's name")
        except (ValueError, ParameterError) as exc:
            raise BundleError(f"{where} holds a malformed field ({exc}).") from None
        if subject.fingerprint != data["subject"] or issuer.fingerprint != data["issuer"]:
            raise BundleError(f"{where}: a fingerprint does not match its key.")
        cert = cls(subject, name, issuer, issued, until, signature)
        if not cert.signature_valid:
            raise BundleError(f"{where} is not signed by the organisation key it names "
                              f"({issuer.fingerprint}): it was altered or forged.")
        return cert


def certify(
    organisation_key: Any,
    user_key: Any,
    *,
    name: str,
    valid_until: dt.datetime | dt.timedelta = dt.timedelta(days=365),
    now: dt.datetime | None = None,
) -> Certificate:
    """Certify that ``user_key`` belongs to ``name``, signed with the organisation's key.

    Parameters
    ----------
    organisation_key : SigningKey or reference
        The organisation's private key (the one whose public half the license names with
        ``kind="organisation"``).
    user_key : PublicKey or reference
        The user's public key (their ``.pub`` file).
    name : str
        The user (logged as the ``user`` of their accesses).
    valid_until : datetime or timedelta, default one year
        When the certificate ends (a duration counts from now).
    """
    signer = load_private_key(organisation_key)
    subject = load_public_key(user_key)
    issued = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    until = issued + valid_until if isinstance(valid_until, dt.timedelta) else to_utc(
        valid_until, path="valid_until")
    if until <= issued:
        raise ParameterError("A certificate's valid_until must be later than its issue time.")
    unsigned = Certificate(subject, _name(name, "user's name"), signer.public_key, issued,
                           until, b"")
    signature = signer.sign(_CERT_DOMAIN + canonical_bytes(unsigned.body()))
    return Certificate(subject, unsigned.name, signer.public_key, issued, until, signature)


def load_certificate(path: str | os.PathLike[str] | Certificate) -> Certificate:
    """Read a certificate file written by :meth:`Certificate.write` (or ``anonlab identity
    certify``); see :meth:`Certificate.from_dict` for the checks."""
    if isinstance(path, Certificate):
        return path
    file = Path(path)
    where = f"The certificate {str(file)!r}"
    try:
        raw = read_bounded(file, TEXT_MAX_BYTES, "certificate", BundleError)
    except OSError as exc:
        raise BundleError(f"{where} cannot be read: {exc.strerror}.") from None
    try:
        data = load_json(raw)
    except ValueError as exc:
        raise BundleError(f"{where} is not JSON ({exc}).") from None
    return Certificate.from_dict(data, where=where)


@dataclass(frozen=True)
class Identity:
    """A user's identity key in memory, with the certificate that vouches for it (if any).

    Its ``repr`` shows the fingerprint only; the private key never leaves
    :class:`~anonlab.bundle.signing.SigningKey`.
    """

    key: SigningKey
    certificate: Certificate | None = None

    def __post_init__(self) -> None:
        if self.certificate is not None and self.certificate.subject_key != self.key.public_key:
            raise ParameterError(
                f"The certificate is for the key {self.certificate.subject_key.fingerprint}, not "
                f"for this identity ({self.key.fingerprint}).")

    @property
    def fingerprint(self) -> str:
        """The public key's fingerprint."""
        return self.key.fingerprint

    @property
    def public_key(self) -> PublicKey:
        """The public key (what records and reports carry)."""
        return self.key.public_key

    def sign(self, data: bytes) -> bytes:
        """Sign ``data``."""
        return self.key.sign(data)

    def __repr__(self) -> str:
        cert = "" if self.certificate is None else (
            f", certified_by={self.certificate.issuer_key.fingerprint!r}")
        return f"Identity(fingerprint={self.fingerprint!r}{cert})"


def load_identity(ref: Any, certificate: Any = None) -> Identity:
    """An :class:`Identity` from a private key reference (path, ``"file:PATH"``, ``"env:NAME"``,
    a SigningKey or an Identity) and, optionally, a certificate (path or Certificate)."""
    if isinstance(ref, Identity):
        if certificate is None:
            return ref
        return Identity(ref.key, load_certificate(certificate))
    key = load_private_key(ref)
    return Identity(key, None if certificate is None else load_certificate(certificate))


@dataclass(frozen=True)
class Accepted:
    """How the license accepted an identity.

    Attributes
    ----------
    fingerprint : str
        The identity key's fingerprint.
    name : str or None
        The name the license (user key) or the certificate gives it.
    certified_by : str or None
        The organisation key's fingerprint, when accepted through a certificate.
    licensee : str
        The licensee whose key accepted it.
    """

    fingerprint: str
    name: str | None
    certified_by: str | None
    licensee: str


def accept(license: Any, identity: Identity | None, *, at: dt.datetime,
           user: str | None = None) -> Accepted | None:
    """Check that ``license`` accepts ``identity`` at ``at`` (the system time).

    Returns None when the license names no keys and no identity was given (an unauthenticated
    open, allowed). An identity given to a license that names no keys is not accepted either:
    it is logged and signed, but nobody vouched for it (returns None too; the record still
    carries the fingerprint).

    Raises
    ------
    AccessDeniedError
        ``reason="unauthenticated"``: the license names keys and none was given;
        ``reason="identity"``: the key is not one the license names, nor certified (within its
        validity) by an organisation key it names, or ``user`` is not the name the license or
        certificate gives the key.
    """
    keys = license.licensee_keys
    if identity is None:
        if keys:
            raise AccessDeniedError(
                f"License {license.id} requires an identity: open with an identity key it names "
                "(identity=, --identity; a user key, or one certified by the licensee "
                "organisation with certificate=). Ask the licensor which keys it accepts.",
                reason="unauthenticated")
        return None
    if not keys:
        return None
    owner = {k.fingerprint: p.name for p in license.licensees for k in p.keys}
    direct = next((k for k in keys if k.kind == "user" and k.fingerprint == identity.fingerprint),
                  None)
    if direct is not None:
        accepted = Accepted(identity.fingerprint, direct.name, None, owner[direct.fingerprint])
    else:
        cert = identity.certificate
        org = None if cert is None else next(
            (k for k in keys if k.kind == "organisation"
             and k.fingerprint == cert.issuer_key.fingerprint), None)
        if cert is None or org is None:
            how = ("" if cert is None else
                   f" (its certificate is signed by {cert.issuer_key.fingerprint}, which the "
                   "license does not name as an organisation key)")
            raise AccessDeniedError(
                f"License {license.id} does not accept the identity {identity.fingerprint}"
                f"{how}. It accepts: {', '.join(k.fingerprint for k in keys)}.",
                reason="identity")
        if not cert.issued - CLOCK_TOLERANCE <= at <= cert.valid_until:
            raise AccessDeniedError(
                f"The certificate of {identity.fingerprint} ({cert.name}) holds from "
                f"{format_time(cert.issued)} to {format_time(cert.valid_until)}, not at "
                f"{format_time(at)}: ask your organisation for a new one.", reason="identity")
        accepted = Accepted(identity.fingerprint, cert.name, cert.issuer_key.fingerprint,
                            owner[org.fingerprint])
    if user is not None and accepted.name is not None and user != accepted.name:
        raise AccessDeniedError(
            f"The identity {identity.fingerprint} is {accepted.name!r}, not {user!r}: the user "
            "of an identified access is the name its key carries (leave user out).",
            reason="identity")
    return accepted

"""Usage reports: the licensee's signed account of every access, and the licensor's check of it.

A hash chain alone does not stop its holder: whoever has the whole audit log can delete the
refusals and recompute every hash, or drop the last entries, and the shorter chain is as valid
as the old one. What anchors it is a copy of the chain the holder no longer controls.

:func:`usage_report` (``anonlab usage-report BUNDLE``) gives the licensor that copy: a report,
signed with the licensee's identity key, that holds

* the license (id and the SHA-256 of ``license.json``, where the chain starts) and the bundle;
* counts of the accesses by user, role, purpose, declared action, identity and outcome, the
  first and the last access, and the number of deletions (``purge``);
* the head of the chain (the last record's ``seq`` and ``hash``) and its length;
* every record of the log (they hold no data value, only who did what, when and why).

:func:`verify_usage_report` (``anonlab usage-verify REPORT``) on the licensor's side checks
that the report is signed by the key it names (and, given the license, that the license accepts
that key), that its records form an unbroken chain from the license's hash with every signed
record's signature valid, that its counts, first/last access and head are those of its records,
that every permitted access in a license naming licensee keys was made with a key it accepts,
and that no record is earlier than one before it (a clock set back). Against the reports the
licensor accepted before (``previous=``, or a history folder: :class:`UsageHistory`), every
record they hold must be in the new one, at the same place, with the same hash: a log that was
**truncated** (fewer records), **reordered**, **edited** or **recomputed** from any point up to
the last report is detected, and the report says at which record.

What it cannot detect: changes to records made after the last report the licensor holds and
before the next one (the next report is simply what the holder says, re-chained), except that a
record signed with an identity key cannot be altered or forged without that key, and an access
recorded by anonlab is signed when made with one. Ask for reports often (the ``log-access``
duty), and compare each with the last.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from anonlab._files import TEXT_MAX_BYTES, read_bounded, write_atomic
from anonlab._plaintext import load_json
from anonlab.bundle import clock
from anonlab.bundle.audit import AuditLog, check_chain
from anonlab.bundle.canonical import canonical_bytes, sha256_hex
from anonlab.bundle.identity import Certificate, Identity, load_identity
from anonlab.bundle.signing import PublicKey, b64decode_strict
from anonlab.errors import BundleError, LicenseError, ParameterError

__all__ = [
    "REPORT_TYPE",
    "UsageHistory",
    "UsageReport",
    "UsageVerification",
    "load_usage_report",
    "usage_report",
    "verify_usage_report",
]

REPORT_TYPE = "anonlab-usage-report"
_DOMAIN = b"anonlab-usage-report-v1\n"
_FIELDS = ("bundle", "counts", "first_access", "format_version", "generated", "head",
           "last_access", "length", "license_id", "license_sha256", "records", "reporter",
           "type")
_MAX_REPORT_BYTES = 256 * 1024 * 1024
_LICENSE_ID = re.compile(r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                         r"[0-9a-f]{12}")


def _parse_stamp(text: Any) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(str(text), "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def summarize(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The counts, first and last access of a log's records (the opens; purges counted apart).

    Returns ``{"counts": {...}, "first_access", "last_access"}``; ``counts`` holds
    ``by_user``, ``by_role``, ``by_purpose``, ``by_action`` (the declared action), ``by_identity``
    (fingerprint or ``unauthenticated``) and ``by_outcome`` of the ``open`` records, and
    ``opens`` and ``purges``.
    """
    opens = [r for r in records if r.get("action") == "open"]
    counts: dict[str, Any] = {}
    for name, key in (("by_user", "user"), ("by_role", "role"), ("by_purpose", "purpose"),
                      ("by_action", "declared_action"), ("by_identity", "identity"),
                      ("by_outcome", "outcome")):
        tally = Counter(str(r.get(key) if r.get(key) is not None else
                            ("unauthenticated" if key == "identity" else "-")) for r in opens)
        counts[name] = dict(sorted(tally.items()))
    counts["opens"] = len(opens)
    counts["purges"] = sum(1 for r in records if r.get("action") == "purge")
    return {"counts": counts,
            "first_access": opens[0]["time"] if opens else None,
            "last_access": opens[-1]["time"] if opens else None}


@dataclass(frozen=True)
class UsageReport:
    """A signed usage report (see the module documentation).

    Attributes
    ----------
    body : mapping
        The signed fields.
    signature : bytes
        Ed25519 over ``b"anonlab-usage-report-v1\\n"`` and the canonical JSON of ``body``.
    """

    body: Mapping[str, Any]
    signature: bytes

    @property
    def license_id(self) -> str:
        return str(self.body["license_id"])

    @property
    def length(self) -> int:
        return int(self.body["length"])

    @property
    def head(self) -> Mapping[str, Any] | None:
        head = self.body["head"]
        return None if head is None else dict(head)

    @property
    def generated(self) -> str:
        return str(self.body["generated"])

    @property
    def records(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.body["records"]]

    @property
    def counts(self) -> dict[str, Any]:
        return dict(self.body["counts"])

    @property
    def reporter(self) -> str:
        """The fingerprint of the key that signed the report."""
        return str(self.body["reporter"]["fingerprint"])

    def to_dict(self) -> dict[str, Any]:
        """The report as plain data (body and ``signature`` in base64)."""
        return dict(self.body) | {"signature": base64.b64encode(self.signature).decode("ascii")}

    def to_bytes(self) -> bytes:
        """Canonical JSON."""
        return canonical_bytes(self.to_dict(), what="a usage report")

    def write(self, path: str | os.PathLike[str]) -> Path:
        """Write it atomically (canonical JSON); returns the path."""
        target = Path(path)
        write_atomic(target, self.to_bytes(), mode=0o644)
        return target

    def summary(self) -> str:
        """A few lines for people."""
        c = self.counts
        head = self.head
        lines = [
            f"Usage report of license {self.license_id} ({self.body['bundle']}), generated "
            f"{self.generated}, signed by {self.reporter}.",
            f"  {c['opens']} opens: " + ", ".join(f"{k} {v}" for k, v in c["by_outcome"].items())
            + f"; {c['purges']} deletions.",
            f"  by user: {_tally(c['by_user'])}",
            f"  by purpose: {_tally(c['by_purpose'])}",
            f"  by role: {_tally(c['by_role'])}; by action: {_tally(c['by_action'])}",
            f"  first access {self.body['first_access']}, last {self.body['last_access']}",
            f"  chain head: seq {head['seq']}, {head['hash'][:16]}... ({self.length} records)"
            if head else "  the log is empty",
        ]
        return "\n".join(lines)


def _tally(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in counts.items()) or "none"


def usage_report(
    bundle: str | os.PathLike[str],
    *,
    identity: Any,
    certificate: Any = None,
    audit_log: str | os.PathLike[str] | AuditLog | None = None,
) -> UsageReport:
    """Make the signed usage report of a bundle's audit log.

    Parameters
    ----------
    bundle : path
        The bundle folder (it may have been purged: the chain's start, the license's hash, is
        then read from the log's first record).
    identity : path, "file:PATH", "env:NAME", SigningKey or Identity
        The licensee's identity key that signs the report.
    certificate : path or Certificate, optional
        The certificate of that key by a licensee organisation key.
    audit_log : path or AuditLog, optional
        The log (default ``<bundle>.audit.jsonl`` beside the folder).

    Raises
    ------
    BundleError
        The log is empty, its chain is broken (the line is named: a broken log cannot be
        reported as if whole; send it to the licensor as it is), or it does not start from the
        bundle's license.
    """
    signer: Identity = load_identity(identity, certificate)
    folder = Path(bundle)
    where = audit_log.path if isinstance(audit_log, AuditLog) else audit_log
    log = AuditLog.for_bundle(folder, where)
    entries = log.entries()
    if not entries:
        raise BundleError(f"The audit log {str(log.path)!r} is empty: nothing to report.")
    genesis = log.genesis if log.genesis != sha256_hex(b"") else None
    first_prev = str(entries[0].get("prev"))
    line, reason, head = check_chain(log._lines(), genesis or first_prev)
    if line is not None:
        raise BundleError(
            f"The audit log {str(log.path)!r} is broken at line {line}: {reason}. A broken log "
            "cannot be reported as whole; send the file itself to the licensor.")
    license_ids = {e["license_id"] for e in entries if e.get("license_id")}
    if len(license_ids) != 1:
        raise BundleError(f"The audit log {str(log.path)!r} records "
                          f"{'no' if not license_ids else 'several'} license ids; a report is "
                          "about one license.")
    body: dict[str, Any] = {
        "type": REPORT_TYPE, "format_version": 1,
        "license_id": license_ids.pop(), "license_sha256": genesis or first_prev,
        "bundle": folder.name,
        "generated": clock.system_now().strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "reporter": _reporter(signer),
        "head": {"seq": entries[-1]["seq"], "hash": head},
        "length": len(entries),
        **summarize(entries),
        "records": entries,
    }
    return UsageReport(body, signer.sign(_DOMAIN + canonical_bytes(body, what="a usage report")))


def _reporter(identity: Identity) -> dict[str, Any]:
    out: dict[str, Any] = {"fingerprint": identity.fingerprint,
                           "public_key": identity.public_key.base64}
    if identity.certificate is not None:
        out["certificate"] = identity.certificate.to_dict()
    return out


def load_usage_report(source: str | os.PathLike[str] | Mapping[str, Any] | UsageReport,
                      ) -> UsageReport:
    """Read a usage report (a file, plain data or a UsageReport) and check its form and its
    signature by the key it names.

    Raises
    ------
    BundleError
        Not a usage report, a field missing, unknown or malformed, or the signature is not the
        reporter key's (the report was altered).
    """
    if isinstance(source, UsageReport):
        data: Any = source.to_dict()
        where = "the usage report"
    elif isinstance(source, Mapping):
        data, where = dict(source), "the usage report"
    else:
        file = Path(source)
        where = f"the usage report {str(file)!r}"
        try:
            raw = read_bounded(file, _MAX_REPORT_BYTES, "usage report", BundleError)
        except OSError as exc:
            raise BundleError(f"Cannot read {where}: {exc.strerror}.") from None
        try:
            data = load_json(raw)
        except ValueError as exc:
            raise BundleError(f"{where.capitalize()} is not JSON ({exc}).") from None
    if not isinstance(data, dict) or set(data) != {*_FIELDS, "signature"}:
        raise BundleError(f"{where.capitalize()} is not an anonlab usage report (its fields "
                          f"must be {', '.join(_FIELDS)}, signature).")
    if data["type"] != REPORT_TYPE or data["format_version"] != 1:
        raise BundleError(f"{where.capitalize()} is not a usage report of format 1.")
    body = {k: v for k, v in data.items() if k != "signature"}
    try:
        reporter = body["reporter"]
        key = PublicKey(b64decode_strict(reporter["public_key"]))
        signature = b64decode_strict(data["signature"])
        if not isinstance(body["records"], list) or not isinstance(body["counts"], dict):
            raise ValueError("records or counts")
    except (KeyError, TypeError, ValueError, ParameterError) as exc:
        raise BundleError(f"{where.capitalize()} holds a malformed field ({exc}).") from None
    license_id = body.get("license_id")
    if not isinstance(license_id, str) or not _LICENSE_ID.fullmatch(license_id):
        # it names the licensor's history file: only a license id, never a path
        raise BundleError(f"{where.capitalize()} does not name a license id (urn:uuid:...).")
    if key.fingerprint != reporter.get("fingerprint"):
        raise BundleError(f"{where.capitalize()}: the reporter's fingerprint is not its key's.")
    if not key.verify(signature, _DOMAIN + canonical_bytes(body, what="a usage report")):
        raise BundleError(f"{where.capitalize()} is not signed by the key it names "
                          f"({key.fingerprint}): it was altered after signing.")
    return UsageReport(body, signature)


@dataclass(frozen=True)
class UsageVerification:
    """What the licensor's check of a usage report found.

    Attributes
    ----------
    report : UsageReport
    ok : bool
        No problem found (truthiness is ``ok`` too).
    problems : tuple of str
        Each problem, naming the record where there is one.
    reporter_accepted : bool or None
        Whether the license accepts the key that signed the report (None: no license given,
        or it names no licensee keys).
    compared : int
        How many earlier reports it was compared with.
    license_checked : bool
        Whether the report's license hash was checked against the licensor's license.
    """

    report: UsageReport
    ok: bool
    problems: tuple[str, ...] = ()
    reporter_accepted: bool | None = None
    compared: int = 0
    license_checked: bool = False
    notes: tuple[str, ...] = field(default=())

    def __bool__(self) -> bool:
        return self.ok

    def summary(self) -> str:
        """Lines for people: the verdict, each problem, then the report's figures."""
        if self.ok:
            head = (f"Usage report OK: {self.report.length} records, chain intact, signed by "
                    f"{self.report.reporter}"
                    + (" (a key the license accepts)" if self.reporter_accepted else "")
                    + f"; consistent with {self.compared} earlier report(s).")
        else:
            head = f"Usage report REJECTED: {len(self.problems)} problem(s)."
        lines = [head, *(f"  - {p}" for p in self.problems), *(f"  note: {n}" for n in
                                                                 self.notes)]
        return "\n".join([*lines, self.report.summary()])


def _license(value: Any) -> tuple[Any, bytes] | None:
    from anonlab.bundle.layout import LICENSE_JSON
    from anonlab.licensing.model import License

    if value is None:
        return None
    if isinstance(value, License):
        return value, value.to_json().encode("utf-8")
    path = Path(value)
    if path.is_dir():
        path = path / LICENSE_JSON
    try:
        raw = read_bounded(path, TEXT_MAX_BYTES, "license", BundleError)
    except OSError as exc:
        raise BundleError(f"Cannot read the license {str(path)!r}: {exc.strerror}.") from None
    try:
        return License.from_json(raw), raw
    except LicenseError as exc:
        raise BundleError(f"The license {str(path)!r} does not read: {exc}") from None


def _accepts(license: Any, key: PublicKey, cert: Any, at: dt.datetime | None) -> str | None:
    """Why ``license`` does not accept ``key`` (with its certificate data) at ``at``, or None."""
    keys = license.licensee_keys
    if any(k.kind == "user" and k.fingerprint == key.fingerprint for k in keys):
        return None
    if cert is None:
        return f"{key.fingerprint} is not a key the license names"
    try:
        certificate = Certificate.from_dict(cert)
    except BundleError as exc:
        return f"the certificate of {key.fingerprint} does not hold: {exc}"
    if certificate.subject_key != key:
        return f"the certificate given for {key.fingerprint} is for another key"
    if not any(k.kind == "organisation" and k.fingerprint == certificate.issuer_key.fingerprint
               for k in keys):
        return (f"{key.fingerprint} is certified by {certificate.issuer_key.fingerprint}, not "
                "an organisation key the license names")
    if at is not None and not (certificate.issued - clock.CLOCK_TOLERANCE <= at
                               <= certificate.valid_until):
        return f"the certificate of {key.fingerprint} did not hold at {at:%Y-%m-%dT%H:%M:%SZ}"
    return None


def _record_key(record: Mapping[str, Any]) -> PublicKey | None:
    try:
        return PublicKey(b64decode_strict(record["identity_key"]))
    except (KeyError, TypeError, ValueError, ParameterError):
        return None


def verify_usage_report(
    report: str | os.PathLike[str] | Mapping[str, Any] | UsageReport,
    *,
    license: Any = None,
    previous: Iterable[str | os.PathLike[str] | Mapping[str, Any] | UsageReport] = (),
) -> UsageVerification:
    """Check a usage report on the licensor's side (see the module documentation).

    Parameters
    ----------
    report : path, plain data or UsageReport
    license : License, path of ``license.json`` or a bundle folder, optional
        The licensor's own copy of the license: the report's chain must start from its hash,
        and its keys decide whose signatures count.
    previous : reports
        Earlier reports of the same license the licensor accepted: each must be a prefix of
        this one.

    Raises
    ------
    BundleError
        The report (or an earlier one) is not a signed usage report at all; everything else is
        a problem in the result.
    """
    rep = load_usage_report(report)
    problems: list[str] = []
    notes: list[str] = []
    body = rep.body
    records = rep.records
    lines = []
    for r in records:
        try:
            lines.append(canonical_bytes(r, what="an audit record"))
        except BundleError:
            lines.append(b"")
    line, reason, head = check_chain(lines, str(body["license_sha256"]))
    if line is not None:
        problems.append(f"record {line} breaks the chain: {reason}")
    if records and (body["head"] is None or body["head"].get("hash") != head
                    or body["head"].get("seq") != len(records)):
        problems.append("the head the report states is not its last record's")
    if body["length"] != len(records):
        problems.append(f"the report states {body['length']} records and holds {len(records)}")
    stated = {k: body[k] for k in ("counts", "first_access", "last_access")}
    if stated != summarize(records):
        problems.append("the counts or first/last access the report states are not those of "
                        "its records")
    for r in records:
        if r.get("license_id") not in (None, rep.license_id):
            problems.append(f"record {r.get('seq')} is about license {r.get('license_id')}, not "
                            f"{rep.license_id}")
            break
    latest: dt.datetime | None = None
    for r in records:
        when = _parse_stamp(r.get("time"))
        if when is None:
            continue
        if latest is not None and when < latest - clock.CLOCK_TOLERANCE:
            problems.append(f"record {r.get('seq')} ({r.get('time')}) is earlier than one before "
                            "it: the clock was set back, or records were reordered")
            break
        latest = max(latest or when, when)
    accepted: bool | None = None
    checked = False
    lic = _license(license)
    if lic is not None:
        license_, raw = lic
        checked = True
        if sha256_hex(raw) != body["license_sha256"]:
            problems.append("the report's chain starts from another license.json than yours "
                            f"(report {str(body['license_sha256'])[:16]}..., yours "
                            f"{sha256_hex(raw)[:16]}...)")
        if license_.id != rep.license_id:
            problems.append(f"the report is about license {rep.license_id}, not {license_.id}")
        if license_.requires_identity:
            reporter = body["reporter"]
            why = _accepts(license_, PublicKey(b64decode_strict(reporter["public_key"])),
                           reporter.get("certificate"), _parse_stamp(body["generated"]))
            accepted = why is None
            if why is not None:
                problems.append(f"the report is signed by a key the license does not accept: "
                                f"{why}")
            for r in records:
                if r.get("action") != "open" or r.get("outcome") != "allowed":
                    continue
                key = _record_key(r)
                why = ("it was made without an identity" if key is None else
                       _accepts(license_, key, r.get("identity_certificate"),
                                _parse_stamp(r.get("time"))))
                if why is not None:
                    problems.append(f"record {r.get('seq')} is a permitted access the license "
                                    f"does not allow: {why}")
    else:
        notes.append("no license given: the chain's start and the keys were not checked "
                     "against your license (license=, --license)")
    compared = 0
    for earlier in previous:
        old = load_usage_report(earlier)
        compared += 1
        stamp = old.generated
        if old.license_id != rep.license_id:
            problems.append(f"the earlier report of {stamp} is about another license")
            continue
        if old.length > rep.length:
            problems.append(f"the log was truncated: the report of {stamp} held {old.length} "
                            f"records, this one {rep.length}")
        for i, (a, b) in enumerate(zip(old.records, records, strict=False), 1):
            if a.get("hash") != b.get("hash"):
                problems.append(f"record {i} differs from the one reported on {stamp}: the log "
                                "was edited, reordered or recomputed from there")
                break
        if old.generated > rep.generated:
            problems.append(f"this report ({rep.generated}) is older than one already "
                            f"accepted ({stamp})")
    return UsageVerification(rep, not problems, tuple(problems), accepted, compared, checked,
                             tuple(notes))


class UsageHistory:
    """The licensor's folder of accepted usage reports, one file per report.

    :meth:`verify` checks a new report against every report of the same license in the folder
    and, when it holds, keeps it there (named ``<license uuid>-<length>-<head hash prefix>.json``,
    written atomically), so each report is compared with all that came before.
    """

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self._folder = Path(folder)

    @property
    def folder(self) -> Path:
        return self._folder

    def reports(self, license_id: str) -> list[UsageReport]:
        """The accepted reports of ``license_id``, oldest first."""
        if not self._folder.is_dir():
            return []
        prefix = license_id.removeprefix("urn:uuid:") + "-"
        found = [load_usage_report(p) for p in sorted(self._folder.glob(prefix + "*.json"))]
        return sorted(found, key=lambda r: (r.length, r.generated))

    def verify(self, report: Any, *, license: Any = None, keep: bool = True
               ) -> UsageVerification:
        """:func:`verify_usage_report` against the folder's reports; keep it when it holds."""
        rep = load_usage_report(report)
        result = verify_usage_report(rep, license=license, previous=self.reports(rep.license_id))
        if result.ok and keep:
            head = rep.head
            name = (f"{rep.license_id.removeprefix('urn:uuid:')}-{rep.length:08d}-"
                    f"{(head or {}).get('hash', '0' * 16)[:16]}.json")
            write_atomic(self._folder / name, rep.to_bytes(), mode=0o644)
        return result

"""The identity, usage-report and deletion commands of the ``anonlab`` command line.

``anonlab identity new PREFIX``
    Create your identity key pair: ``PREFIX.key`` (private, 0600) and ``PREFIX.pub`` (give it to
    the licensor, or to your organisation to certify). Prints its fingerprint.
``anonlab identity show KEY``
    Print a key's fingerprint and public key (base64), as a license names it.
``anonlab identity certify USER.pub --org-key ORG.key --name NAME -o CERT.json [--valid-for P1Y]``
    As a licensee organisation, certify that a user key belongs to NAME.
``anonlab usage-report BUNDLE --identity KEY [--certificate C] [--audit-log L] -o REPORT.json``
    As the licensee, sign a usage report of the bundle's audit log for the licensor.
``anonlab usage-verify REPORT [--license LICENSE|BUNDLE] [--previous R ...] [--history DIR]``
    As the licensor, check a usage report, against earlier ones: exit 0 when it holds, 1 when a
    problem was found (each is printed), 3 when it holds but is signed by a key your license does
    not name. ``--history DIR`` compares with every report kept there and keeps this one.
``anonlab purge BUNDLE [--identity KEY] [--user U]``
    Delete the bundle and record a (signed) deletion certificate in its audit log.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

__all__ = ["add_parsers"]


def _cmd_identity(args: argparse.Namespace) -> int:
    from anonlab.bundle.identity import certify, new_identity
    from anonlab.bundle.signing import load_public_key

    if args.identity_command == "new":
        private, public = new_identity(args.prefix)
        key = load_public_key(public)
        print(f"Wrote your identity key {private} (mode 0600: keep it secret, never share it)")
        print(f"  and its public key {public}: {key.fingerprint}")
        print("Give the .pub file to the licensor (to name in the license: anonlab export "
              "--licensee-key) or to your organisation (anonlab identity certify).")
        return 0
    if args.identity_command == "show":
        key = load_public_key(args.key)
        print(f"fingerprint: {key.fingerprint}")
        print(f"public_key:  {key.base64}")
        return 0
    from anonlab.licensing._time import add_duration, utcnow

    now = utcnow()
    cert = certify(args.org_key, args.user_key, name=args.name,
                   valid_until=add_duration(now, args.valid_for, path="--valid-for"), now=now)
    path = cert.write(args.output)
    print(f"Certified {cert.subject_key.fingerprint} as {cert.name!r} until "
          f"{cert.valid_until:%Y-%m-%d}, signed by {cert.issuer_key.fingerprint}: {path}")
    return 0


def _cmd_usage_report(args: argparse.Namespace) -> int:
    from anonlab.bundle.access import CERTIFICATE_ENV, IDENTITY_ENV
    from anonlab.bundle.usage import usage_report

    identity = args.identity or os.environ.get(IDENTITY_ENV)
    if not identity:
        print("anonlab: a usage report is signed with your identity key: pass --identity KEY "
              f"(or set ${IDENTITY_ENV}).", file=sys.stderr)
        return 2
    report = usage_report(args.bundle, identity=identity,
                          certificate=args.certificate or os.environ.get(CERTIFICATE_ENV),
                          audit_log=args.audit_log)
    path = report.write(args.output)
    print(report.summary())
    print(f"Wrote the signed usage report {path}: send it to the licensor.")
    return 0


def _cmd_usage_verify(args: argparse.Namespace) -> int:
    from anonlab.bundle.usage import UsageHistory, verify_usage_report

    if args.history:
        result = UsageHistory(args.history).verify(args.report, license=args.license)
        if args.previous:
            extra = verify_usage_report(args.report, license=args.license,
                                        previous=args.previous)
            if not extra.ok:
                result = extra
    else:
        result = verify_usage_report(args.report, license=args.license,
                                     previous=args.previous or ())
    print(result.summary())
    if not result.ok:
        return 1
    if args.history:
        print(f"Kept in {args.history} for the next comparison.")
    return 0 if result.reporter_accepted is not False else 3


def _cmd_purge(args: argparse.Namespace) -> int:
    from anonlab.bundle.purge import purge

    done = purge(args.bundle, identity=args.identity, certificate=args.certificate,
                 user=args.user, audit_log=args.audit_log)
    print(done.summary())
    return 0


def add_parsers(subparsers: Any) -> None:
    """Add ``identity``, ``usage-report``, ``usage-verify`` and ``purge``."""
    i = subparsers.add_parser("identity", help="your identity key: create, show, certify")
    i_sub = i.add_subparsers(dest="identity_command", required=True, metavar="ACTION")
    new = i_sub.add_parser("new", help="create an identity key pair")
    new.add_argument("prefix", help="writes PREFIX.key (private) and PREFIX.pub")
    new.set_defaults(func=_cmd_identity)
    show = i_sub.add_parser("show", help="print a key's fingerprint and public key")
    show.add_argument("key", help="a public key file (.pub)")
    show.set_defaults(func=_cmd_identity)
    cert = i_sub.add_parser("certify", help="as a licensee organisation, certify a user's key")
    cert.add_argument("user_key", help="the user's public key file (.pub)")
    cert.add_argument("--org-key", required=True, help="the organisation's private key")
    cert.add_argument("--name", required=True, help="the user's name (logged for their opens)")
    cert.add_argument("--valid-for", default="P1Y", help="how long it holds (ISO 8601 "
                      "duration, default P1Y)")
    cert.add_argument("-o", "--output", required=True, help="the certificate file to write")
    cert.set_defaults(func=_cmd_identity)

    r = subparsers.add_parser("usage-report", help="sign a usage report of a bundle's audit log "
                              "for the licensor")
    r.add_argument("bundle", help="the bundle folder (it may have been purged)")
    r.add_argument("--identity", help="your identity key (default $ANONLAB_IDENTITY)")
    r.add_argument("--certificate", help="its certificate by your organisation")
    r.add_argument("--audit-log", help="the audit log (default BUNDLE.audit.jsonl)")
    r.add_argument("-o", "--output", required=True, help="the report file to write")
    r.set_defaults(func=_cmd_usage_report)

    v = subparsers.add_parser("usage-verify", help="as the licensor, check a usage report "
                              "against earlier ones")
    v.add_argument("report", help="the usage report")
    v.add_argument("--license", help="your copy of the license: license.json or the bundle")
    v.add_argument("--previous", nargs="+", help="earlier reports of the same license")
    v.add_argument("--history", help="a folder of accepted reports: compare with all, keep "
                   "this one when it holds")
    v.set_defaults(func=_cmd_usage_verify)

    p = subparsers.add_parser("purge", help="delete a bundle and record a signed deletion "
                              "certificate in its audit log")
    p.add_argument("bundle", help="the bundle folder")
    p.add_argument("--identity", help="your identity key (default $ANONLAB_IDENTITY)")
    p.add_argument("--certificate", help="its certificate by your organisation")
    p.add_argument("--user", help="who deletes it (default: your identity's name)")
    p.add_argument("--audit-log", help="the audit log (default BUNDLE.audit.jsonl)")
    p.set_defaults(func=_cmd_purge)

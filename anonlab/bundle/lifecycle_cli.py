"""The license lifecycle commands of the ``anonlab`` command line: revoke, publish, renew.

``anonlab revoke LICENSE-ID --register PATH --reason TEXT``
    Record in the licensor's register (a JSON working file, created when missing) that the
    license is revoked. Nothing reaches licensees until the next ``status publish``.
``anonlab status publish --register PATH --signing-key KEY -o STATUS.json [--valid-for P7D]``
    Sign the register's revocations as the next status list (serial + 1), fresh for
    ``--valid-for`` (an ISO 8601 duration of years, months, weeks and days; default ``P7D``).
``anonlab status show STATUS.json``
    Print a status list's serial, issuer, dates and revoked licenses, after checking its
    signature under the key it names (not whether that key is trusted).
``anonlab renew BUNDLE --until DATE --signing-key KEY -o AMENDMENT.json [--delete-by DATE]
[--number N]``
    Verify BUNDLE against the signing key's public key, then sign an amendment extending its
    license to DATE (an ISO date, meaning the end of that day UTC, or a date-time with a zone).

Errors are :class:`~anonlab.errors.AnonlabError`; :func:`anonlab.cli.main` prints them and
exits 1. :func:`add_parsers` adds the commands to the main parser's subparsers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
from pathlib import Path
from typing import Any

from anonlab.errors import ParameterError, VerificationError

__all__ = ["add_parsers", "parse_date"]

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_date(text: str, *, option: str) -> dt.datetime:
    """``YYYY-MM-DD`` (the end of that day, 23:59:59 UTC) or an RFC 3339 date-time with a zone.

    Raises
    ------
    ParameterError
        Neither (the message names ``option``).
    """
    from anonlab.errors import LicenseError
    from anonlab.licensing._time import parse_time

    if _DAY.fullmatch(text):
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise ParameterError(f"{option} {text!r} is not a valid date.") from None
        return dt.datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=dt.UTC)
    try:
        return parse_time(text, path=option)
    except LicenseError:
        raise ParameterError(
            f"{option} must be a date (2027-12-31, meaning the end of that day UTC) or a "
            "date-time with a time zone (2027-12-31T12:00:00Z).") from None


def _cmd_revoke(args: argparse.Namespace) -> int:
    from anonlab.bundle.status import StatusRegister

    register = StatusRegister.load(args.register)
    added = register.revoke(args.license_id, reason=args.reason)
    entry = register.get(args.license_id)
    assert entry is not None
    at = entry.revoked_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    if added:
        register.save()
        print(f"Revoked {entry.license_id} at {at} in the register {register.path}.")
    else:
        print(f"{entry.license_id} was already revoked at {at} (reason: {entry.reason}); the "
              f"first revocation is kept, {register.path} is unchanged.")
    print(f"Licensees learn of it only from a new status list: run `anonlab status publish "
          f"--register {register.path} --signing-key KEY -o STATUS.json` and send them the file.")
    return 0


def _cmd_status_publish(args: argparse.Namespace) -> int:
    from anonlab.bundle.clock import system_now
    from anonlab.bundle.status import StatusRegister, publish_status
    from anonlab.licensing._time import add_duration

    now = system_now().replace(microsecond=0)
    valid_for = add_duration(now, args.valid_for, path="--valid-for") - now
    if valid_for <= dt.timedelta(0):
        raise ParameterError("--valid-for must be a positive duration such as P7D.")
    register = StatusRegister.load(args.register)
    status = publish_status(register, args.signing_key, valid_for=valid_for, now=now)
    out = status.write(Path(args.output))
    print(f"Wrote the status list {out}: serial {status.serial}, "
          f"{len(status.revoked)} revoked license(s), signed by {status.issuer}.")
    print(f"  fresh until {status.next_update:%Y-%m-%dT%H:%M:%SZ}: publish the next one before "
          "then, or licenses that name this list stop opening.")
    return 0


def _cmd_status_show(args: argparse.Namespace) -> int:
    from anonlab.bundle.clock import system_now
    from anonlab.bundle.status import load_status_list

    status = load_status_list(args.status)
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    stale = " (stale now)" if system_now() > status.next_update else ""
    print(f"status list {args.status}: serial {status.serial}")
    print(f"  issuer:      {status.issuer} (the signature is checked against this key, not "
          "whether it is the bundle's signer)")
    print(f"  issued:      {status.issued:{fmt}}")
    print(f"  next update: {status.next_update:{fmt}}{stale}")
    print(f"  revoked:     {len(status.revoked)}")
    for entry in status.revoked:
        print(f"    {entry.license_id}  {entry.revoked_at:{fmt}}  {entry.reason}")
    return 0


def _cmd_renew(args: argparse.Namespace) -> int:
    from anonlab.bundle.amendment import renew
    from anonlab.bundle.layout import LICENSE_JSON
    from anonlab.bundle.signing import load_private_key
    from anonlab.bundle.verify import check_bundle

    until = parse_date(args.until, option="--until")
    delete_by = parse_date(args.delete_by, option="--delete-by") if args.delete_by else None
    key = load_private_key(args.signing_key)
    try:
        _, kept = check_bundle(args.bundle, key.public_key)
    except VerificationError as exc:
        if exc.reason == "wrong_key":
            raise ParameterError(
                f"The bundle {args.bundle!r} was not signed with the signing key given "
                f"({key.fingerprint}): an amendment must be signed by the bundle's signer, or "
                "licensees refuse it.") from None
        raise
    amendment = renew(kept[LICENSE_JSON], key, valid_until=until, delete_by=delete_by,
                      number=args.number)
    out = amendment.write(Path(args.output))
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    print(f"Wrote amendment {amendment.number} of license {amendment.license_id} to {out}, "
          f"signed by {amendment.issuer}.")
    print(f"  valid until {amendment.valid_until:{fmt}}, delete by {amendment.delete_by:{fmt}}.")
    print(f"  Give it to the licensees with the bundle; a later renewal of this license takes "
          f"--number {amendment.number + 1}.")
    return 0


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("must be a whole number, 1 or more") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be a whole number, 1 or more")
    return value


def add_parsers(subparsers: Any) -> None:
    """Add ``revoke``, ``status`` (``publish``, ``show``) and ``renew`` to the ``anonlab``
    parser's subparsers (the object ``add_subparsers`` returned)."""
    key_help = "the licensor's private key (PREFIX.key), file:PATH or env:NAME"
    register_help = "the licensor's revocation register (a JSON file; created when missing)"

    r = subparsers.add_parser("revoke", help="revoke a license in the licensor's register")
    r.add_argument("license_id", metavar="LICENSE-ID", help="the license id (urn:uuid:...)")
    r.add_argument("--register", required=True, help=register_help)
    r.add_argument("--reason", required=True,
                   help="why, in short plain text (published in the status list)")
    r.set_defaults(func=_cmd_revoke)

    s = subparsers.add_parser("status", help="publish or show a signed revocation status list")
    s_sub = s.add_subparsers(dest="status_command", required=True, metavar="ACTION")
    pub = s_sub.add_parser("publish", help="sign the register's revocations as a status list")
    pub.add_argument("--register", required=True, help=register_help)
    pub.add_argument("--signing-key", required=True, help=key_help)
    pub.add_argument("-o", "--output", required=True, help="the status list file to write")
    pub.add_argument("--valid-for", default="P7D",
                     help="how long the list stays fresh: an ISO 8601 duration (default P7D)")
    pub.set_defaults(func=_cmd_status_publish)
    show = s_sub.add_parser("show", help="print a status list (its signature checked)")
    show.add_argument("status", metavar="STATUS.json", help="the status list file")
    show.set_defaults(func=_cmd_status_show)

    n = subparsers.add_parser("renew", help="sign an amendment extending a bundle's license")
    n.add_argument("bundle", metavar="BUNDLE", help="the bundle folder")
    n.add_argument("--until", required=True,
                   help="the new end: a date (end of that day UTC) or a date-time with a zone")
    n.add_argument("--delete-by", help="the new deletion date (default: the later of the "
                   "license's and --until)")
    n.add_argument("--number", type=_positive, default=1,
                   help="1 for the first amendment of the license, one more for each later one")
    n.add_argument("--signing-key", required=True, help=key_help)
    n.add_argument("-o", "--output", required=True, help="the amendment file to write")
    n.set_defaults(func=_cmd_renew)

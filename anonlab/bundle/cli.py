"""The bundle commands of the ``anonlab`` command line.

``anonlab keygen PREFIX``
    Create an Ed25519 key pair: ``PREFIX.key`` (private, mode 0600) and ``PREFIX.pub``.
``anonlab export INPUT --recipe R.yaml --template ID --licensee NAME --signing-key FILE -o B``
    Apply the recipe to INPUT (the original data) with keys for this release alone, assess the
    risk on the recipe's targets, run the template's checks and attacks against INPUT, issue the
    license and write the signed bundle B; print the evidence. ``--linkable-family NAME`` and
    ``--keep-row-order REASON`` as for :func:`anonlab.export`.
    ``--no-csv-safe`` writes ``data.csv`` without neutralizing formula cells (the license says so).
``anonlab verify BUNDLE [--public-key FILE]``
    Check every byte of a bundle. Exit 0 when it verifies with the key (or a key of the
    keyring), 1 when it does not (the reason and the file are printed), 3 when the signer is not
    trusted and the bundle is only self-consistent.
``anonlab open BUNDLE --purpose P --role R [--action A] [--user U] [--public-key FILE] [-o OUT]``
    Verify, check the signer is trusted (``--public-key`` or the keyring; else refused unless
    ``--accept-untrusted``, which is printed and logged), check the use against the license
    (the role must be granted ``--action``, default ``read``; on the system clock, refused when
    it was set back), log it, and write the data to OUT (or print a summary). Exit 1 when
    refused.
``anonlab trust add KEY.pub [--name NAME]`` / ``trust list`` / ``trust remove FINGERPRINT|NAME``
    Keep the licensors' public keys you trust in your keyring (``$ANONLAB_KEYRING`` or
    ``~/.config/anonlab/trusted_keys``; ``--keyring PATH`` for another), so that ``verify`` and
    ``open`` need no ``--public-key``.
``anonlab audit PATH``
    Print an audit log (a ``.audit.jsonl`` file, or a bundle folder for its default log) and
    check its chain; exit 1 when broken.
``anonlab license show BUNDLE [--json]``
    Print a bundle's ``LICENSE.md`` (or ``license.json``, indented). Not a verification.

:func:`add_parsers` adds them to the main parser's subparsers.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from anonlab.errors import AccessDeniedError, BundleError, ComplianceError, VerificationError

__all__ = ["add_parsers"]


def _read_recipe(path: str) -> Any:
    from anonlab._files import TEXT_MAX_BYTES, read_bounded
    from anonlab.errors import RecipeError
    from anonlab.recipe import Recipe

    file = Path(path)
    if not file.exists():
        raise FileNotFoundError(f"No such recipe file: {path!r}")
    text = read_bounded(file, TEXT_MAX_BYTES, "recipe file", RecipeError)
    return Recipe.from_json(text) if file.suffix.lower() == ".json" else Recipe.from_yaml(text)


def _cmd_keygen(args: argparse.Namespace) -> int:
    from anonlab.bundle.signing import generate_keypair, load_public_key

    private, public = generate_keypair(args.prefix)
    fp = load_public_key(public).fingerprint
    print(f"Wrote the private key {private} (mode 0600: keep it secret, never ship it)")
    print(f"  and the public key {public} ({fp}): give it to whoever verifies your bundles.")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from anonlab.bundle.export import export
    from anonlab.io import read

    recipe = _read_recipe(args.recipe)
    original = read(args.input, separator=args.separator, dtypes=args.schema)
    terms: dict[str, Any] = {"licensee": args.licensee}
    if args.licensor:
        terms["licensor"] = args.licensor
    if args.purpose:
        terms["purposes"] = args.purpose
    if args.expires:
        terms["expires"] = args.expires
    keys: list[dict[str, Any]] = []
    for spec in args.licensee_key or ():
        ref, _, name = spec.partition("=")
        keys.append({"key": ref, "kind": "user", **({"name": name} if name else {})})
    for spec in args.licensee_org_key or ():
        ref, _, name = spec.partition("=")
        keys.append({"key": ref, "kind": "organisation", **({"name": name} if name else {})})
    if keys:
        terms["licensee_keys"] = keys
    if args.status_list:
        terms["status_list"] = args.status_list
    formats = ("parquet", "csv") if args.csv else ("parquet",)
    try:
        bundle = export(original, recipe=recipe, license=args.template, license_terms=terms,
                        path=args.output, signing_key=args.signing_key, formats=formats,
                        overwrite=args.overwrite, audit_log=args.audit_log,
                        linkable_family=args.linkable_family,
                        keep_row_order=args.keep_row_order, csv_safe=args.csv_safe)
    except ComplianceError as exc:
        print(f"anonlab: the release fails {len(exc.failures)} check(s) or attack(s) of "
              f"template {args.template!r}; no bundle was written:", file=sys.stderr)
        for check in exc.failures:
            print(f"  [FAIL] {check.name}: {check.detail}", file=sys.stderr)
        return 1
    lic = bundle.license
    status = (lic.anonymization or {}).get("claimed_status", "")
    print(f"Wrote bundle {bundle.path} ({len(bundle.files)} files), signed by "
          f"{bundle.key_fingerprint}")
    print(f"  license {lic.id} ({lic.template}, status {status}) for "
          f"{', '.join(p.name for p in lic.licensees)}, valid until {lic.valid_until:%Y-%m-%d}")
    print(f"  purposes: {', '.join(lic.purposes)}")
    if lic.requires_identity:
        print("  opens only with these identity keys: "
              + ", ".join(f"{k.fingerprint} ({k.kind}{', ' + k.name if k.name else ''})"
                          for k in lic.licensee_keys))
    for line in evidence_lines(lic):
        print(f"  {line}")
    return 0


def evidence_lines(lic: Any) -> list[str]:
    """One line per check and attack the license rests on: ``[pass] name: finding``."""
    checks = (lic.anonymization or {}).get("checks", ())
    return [f"[{'pass' if c['passed'] else 'FAIL'}] {c['name']}: {c['detail']}" for c in checks]


def _cmd_verify(args: argparse.Namespace) -> int:
    from anonlab.bundle.verify import verify

    try:
        result = verify(args.bundle, public_key=args.public_key, keyring=args.keyring)
    except VerificationError as exc:
        reason = getattr(exc, "reason", "")
        file = getattr(exc, "file", "")
        where = f" ({file})" if file else ""
        print(f"FAILED: {reason}{where}: {exc}")
        return 1
    if not result.signature_trusted:
        print(f"UNTRUSTED: {result.summary()}")
        return 3
    print(f"OK: {result.summary()}")
    return 0


def _license_lines(lic: Any) -> list[str]:
    lines = [f"license {lic.id} ({lic.template}), valid {lic.valid_from:%Y-%m-%d} to "
             f"{lic.valid_until:%Y-%m-%d}",
             f"  purposes: {', '.join(lic.purposes)}"]
    if lic.prohibited:
        lines.append(f"  prohibited: {', '.join(lic.prohibited)}")
    if lic.duties:
        lines.append(f"  duties: {', '.join(lic.duties)}")
    lines.append(f"  delete by: {lic.retention.delete_by:%Y-%m-%d}")
    return lines


def _cmd_open(args: argparse.Namespace) -> int:
    from anonlab.bundle.access import IDENTITY_ENV, open_verified
    from anonlab.bundle.export import _user

    identified = bool(args.identity or os.environ.get(IDENTITY_ENV))
    user = args.user or (None if identified else _user())
    if args.output:
        from anonlab.sinks import output_format

        output_format(Path(args.output))  # a bad extension fails before the access is logged
    try:
        frame, result = open_verified(
            args.bundle, purpose=args.purpose, role=args.role, user=user,
            public_key=args.public_key, audit_log=args.audit_log,
            accept_untrusted=args.accept_untrusted, keyring=args.keyring, action=args.action,
            identity=args.identity, certificate=args.certificate, status=args.status,
            amendments=args.amendment)
    except AccessDeniedError as exc:
        print(f"REFUSED ({exc.reason}): {exc}", file=sys.stderr)
        return 1
    if not result.signature_trusted:
        print(f"WARNING: the signature is NOT trusted: {Path(args.bundle).name} is signed by "
              f"{result.key_fingerprint}, which is neither --public-key nor in your keyring. "
              "Opened because --accept-untrusted was given (recorded in the audit log).",
              file=sys.stderr)
    if args.output:
        from anonlab.sinks import sink

        out = Path(args.output)
        rows = sink(frame.lazy(), out, csv_safe=args.csv_safe)
        print(f"Wrote {rows:,} rows x {frame.width} columns to {out} (access logged).")
    else:
        print(f"{frame.height:,} rows x {frame.width} columns: {', '.join(frame.columns)}")
        print("(access logged; pass -o FILE to write the data out)")
    for line in _license_lines(result.license):  # the license that was verified and checked
        print(line)
    print(f"  opened for: {args.action} (role {args.role})")
    from anonlab.bundle.access import last_access

    access = last_access()
    if access is not None:
        who = (f"identity {access.identity}" if access.identity != "unauthenticated"
               else "unauthenticated (no identity key)")
        print(f"  as {access.user}, {who}; audit record {access.audit_seq}")
        if access.valid_until:
            print(f"  license in force until {access.valid_until}")
    return 0


def _cmd_trust(args: argparse.Namespace) -> int:
    from anonlab.bundle.trust import Keyring

    ring = Keyring(args.keyring)
    if args.trust_command == "add":
        before = len(ring)
        entry = ring.add(args.key, name=args.name)
        if len(ring) == before:
            print(f"Already trusted: {entry.fingerprint} ({entry.name}) in {ring.path}")
        else:
            print(f"Trusted {entry.fingerprint} as {entry.name!r} in {ring.path}")
    elif args.trust_command == "remove":
        entry = ring.remove(args.which)
        print(f"No longer trusted: {entry.fingerprint} ({entry.name}), removed from {ring.path}")
    else:
        keys = ring.keys()
        for entry in keys:
            print(f"{entry.fingerprint}  {entry.name}")
        print(f"{len(keys)} trusted key{'' if len(keys) == 1 else 's'} in {ring.path}",
              file=sys.stderr)
    return 0


def _log_for(path: str) -> Any:
    from anonlab.bundle.audit import SQLITE_SUFFIXES, AuditLog, open_log
    from anonlab.bundle.layout import LICENSE_JSON

    target = Path(path)
    if target.is_dir():
        return AuditLog.for_bundle(target)
    for suffix in (".audit.jsonl", *(".audit" + s for s in SQLITE_SUFFIXES)):
        if target.name.endswith(suffix):
            folder = target.with_name(target.name[: -len(suffix)])
            if (folder / LICENSE_JSON).is_file():
                return AuditLog.for_bundle(folder, target)
    if not target.is_file():
        raise BundleError(f"No audit log at {path!r}.")
    return open_log(target)


def _cmd_audit(args: argparse.Namespace) -> int:
    log = _log_for(args.path)
    result = log.verify()
    if args.json:
        for entry in log.entries():
            print(json.dumps(entry, ensure_ascii=False))
    else:
        for e in log.entries():
            why = f" ({e.get('reason')})" if e.get("reason") else ""
            print(f"{e.get('seq')!s:>4} {e.get('time')} {e.get('action')} "
                  f"{e.get('outcome')}{why}: user={e.get('user')} role={e.get('role')} "
                  f"purpose={e.get('purpose')}")
    print(result.summary(), file=sys.stderr if args.json else sys.stdout)
    return 0 if result.ok else 1


def _cmd_license_show(args: argparse.Namespace) -> int:
    from anonlab._files import TEXT_MAX_BYTES, read_bounded
    from anonlab._plaintext import load_json
    from anonlab.bundle.layout import LICENSE_JSON, LICENSE_MD

    folder = Path(args.bundle)
    name = LICENSE_JSON if args.json else LICENSE_MD
    try:
        raw = read_bounded(folder / name, TEXT_MAX_BYTES, f"bundle's {name}", BundleError)
    except FileNotFoundError:
        raise BundleError(f"{str(folder)!r} has no {name}: is it a bundle?") from None
    try:
        if args.json:
            text = json.dumps(load_json(raw), indent=2, ensure_ascii=False) + "\n"
        else:
            text = raw.decode("utf-8")
    except (ValueError, UnicodeDecodeError) as exc:
        reason = exc.reason if isinstance(exc, UnicodeDecodeError) else exc
        raise BundleError(
            f"The {name} of {str(folder)!r} is damaged ({reason}); run anonlab verify on the "
            "bundle to see what changed."
        ) from None
    print(text, end="")
    return 0


def add_parsers(subparsers: Any) -> None:
    """Add ``keygen``, ``export``, ``verify``, ``open``, ``audit``, ``license`` and ``trust`` to
    the ``anonlab`` parser's subparsers (the object ``add_subparsers`` returned)."""
    from anonlab.cli import add_schema_argument

    k = subparsers.add_parser("keygen", help="create an Ed25519 key pair for signing bundles")
    k.add_argument("prefix", help="writes PREFIX.key (private) and PREFIX.pub")
    k.set_defaults(func=_cmd_keygen)

    e = subparsers.add_parser("export", help="anonymize a file, attack the release, and write a "
                              "signed, licensed bundle")
    e.add_argument("input", help="the ORIGINAL data: a .csv/.tsv, .parquet, .arrow/.feather or "
                   ".ndjson file (the recipe is applied here)")
    e.add_argument("--recipe", required=True, help="recipe file (.yaml/.yml or .json)")
    e.add_argument("--template", required=True,
                   help="license template id, e.g. gdpr-pseudonymous-research")
    e.add_argument("--licensee", required=True, action="append",
                   help="who receives the data (repeat for several)")
    e.add_argument("--licensor", help="who grants the license")
    e.add_argument("--purpose", action="extend", nargs="+", default=None,
                   help="permitted purposes (default: the template's)")
    e.add_argument("--expires", help="end of the license: a date, date-time or ISO duration "
                   "such as P6M (default: the template's term)")
    e.add_argument("--licensee-key", action="append", metavar="PUB[=NAME]",
                   help="a licensee user's identity key (its .pub file), optionally with the "
                   "user's name; repeat for several. Then open requires one of them")
    e.add_argument("--licensee-org-key", action="append", metavar="PUB[=NAME]",
                   help="a licensee organisation key that certifies its users' keys")
    e.add_argument("--status-list", metavar="PATH", help="where you publish your signed status "
                   "list (anonlab status publish); then open requires a current one")
    e.add_argument("--signing-key", required=True, help="the private key (PREFIX.key), "
                   "file:PATH or env:NAME")
    e.add_argument("-o", "--output", required=True, help="the bundle folder to write")
    e.add_argument("--csv", action="store_true", help="also write data.csv")
    e.add_argument("--overwrite", action="store_true", help="replace an existing bundle")
    e.add_argument("--audit-log", help="also log the export in this audit log")
    e.add_argument("--separator", help="input CSV separator (detected when omitted)")
    add_schema_argument(e)
    e.add_argument("--linkable-family", metavar="NAME", help="key the tokens to this named "
                   "family of releases, which can then be joined (stated in the license)")
    e.add_argument("--keep-row-order", metavar="REASON", help="keep the original row order "
                   "instead of a secret random one, for this reason (stated in the license)")
    e.add_argument("--no-csv-safe", dest="csv_safe", action="store_false",
                   help="with --csv: write text cells starting with = + - @ tab or CR unchanged "
                   "(by default they get a leading '; the license states either way)")
    e.set_defaults(func=_cmd_export)

    v = subparsers.add_parser("verify", help="check a bundle's files and signature")
    v.add_argument("bundle", help="the bundle folder")
    v.add_argument("--public-key", help="the licensor's public key (PREFIX.pub); without it the "
                   "keyring is used, and a signer not in it gives exit code 3")
    v.add_argument("--keyring", help="the trusted keys file (default $ANONLAB_KEYRING or "
                   "~/.config/anonlab/trusted_keys)")
    v.set_defaults(func=_cmd_verify)

    o = subparsers.add_parser("open", help="open a bundle's data under its license (logged)")
    o.add_argument("bundle", help="the bundle folder")
    o.add_argument("--purpose", required=True, help="why, e.g. scientific-research")
    o.add_argument("--role", required=True, help="the role you act in, e.g. analyst")
    o.add_argument("--action", default="read",
                   help="what you will do with the data, which the role must be granted: read "
                   "(default), aggregate, derive, train-model, ...; distribute (share) and "
                   "publish only when granted by name")
    o.add_argument("--user", help="who you are, for the audit log (default: the name your "
                   "identity key has in the license, else your login name)")
    o.add_argument("--identity", help="your identity key (PREFIX.key from anonlab identity new; "
                   "default $ANONLAB_IDENTITY); every record of the access is signed with it")
    o.add_argument("--certificate", help="the certificate of your key by your organisation "
                   "(default $ANONLAB_IDENTITY_CERTIFICATE)")
    o.add_argument("--status", help="the licensor's status list (default: where the license "
                   "says)")
    o.add_argument("--amendment", action="append", help="a signed renewal of the license "
                   "(default BUNDLE.amendment.json beside it, when there); repeat for several")

    o.add_argument("--public-key", help="the licensor's public key (default: the keyring)")
    o.add_argument("--keyring", help="the trusted keys file (default $ANONLAB_KEYRING or "
                   "~/.config/anonlab/trusted_keys)")
    o.add_argument("--accept-untrusted", action="store_true",
                   help="open even when the signer is not trusted (printed and logged)")
    o.add_argument("--audit-log", help="audit log file (default BUNDLE.audit.jsonl beside it)")
    o.add_argument("-o", "--output", help="write the data here (extension picks the format)")
    o.add_argument("--no-csv-safe", dest="csv_safe", action="store_false",
                   help="with -o FILE.csv: write text cells starting with = + - @ tab or CR "
                   "unchanged (by default they get a leading ')")
    o.set_defaults(func=_cmd_open)

    a = subparsers.add_parser("audit", help="print an audit log and check its hash chain")
    a.add_argument("path", help="a .audit.jsonl file, a .sqlite (.sqlite3, .db) store, or a "
                   "bundle folder for its default log")
    a.add_argument("--json", action="store_true", help="print the entries as JSON lines")
    a.set_defaults(func=_cmd_audit)

    lic = subparsers.add_parser("license", help="show a bundle's license")
    lic_sub = lic.add_subparsers(dest="license_command", required=True, metavar="ACTION")
    show = lic_sub.add_parser("show", help="print LICENSE.md (or license.json with --json)")
    show.add_argument("bundle", help="the bundle folder")
    show.add_argument("--json", action="store_true", help="print license.json, indented")
    show.set_defaults(func=_cmd_license_show)

    t = subparsers.add_parser("trust", help="manage the licensor keys you trust (your keyring)")
    t_sub = t.add_subparsers(dest="trust_command", required=True, metavar="ACTION")
    keyring_help = ("the trusted keys file (default $ANONLAB_KEYRING or "
                    "~/.config/anonlab/trusted_keys)")
    add = t_sub.add_parser("add", help="trust a licensor's public key")
    add.add_argument("key", help="the public key file (PREFIX.pub), file:PATH or env:NAME")
    add.add_argument("--name", help="who it belongs to (default: the file's name)")
    add.add_argument("--keyring", help=keyring_help)
    add.set_defaults(func=_cmd_trust)
    lst = t_sub.add_parser("list", help="list the trusted keys")
    lst.add_argument("--keyring", help=keyring_help)
    lst.set_defaults(func=_cmd_trust)
    rm = t_sub.add_parser("remove", help="stop trusting a key")
    rm.add_argument("which", help="its fingerprint (ed25519:...) or its name")
    rm.add_argument("--keyring", help=keyring_help)
    rm.set_defaults(func=_cmd_trust)

    from anonlab.bundle.governance_cli import add_parsers as add_governance_parsers

    add_governance_parsers(subparsers)

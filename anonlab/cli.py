"""The ``anonlab`` command line.

Commands
--------
``anonlab profile INPUT``
    Profile a CSV/Parquet/Arrow/NDJSON file and print the profile (``--json`` for plain data).
``anonlab suggest INPUT -o RECIPE``
    Profile a file and write the suggested recipe (YAML or JSON by extension).
``anonlab apply RECIPE INPUT -o OUTPUT``
    Apply a recipe to a file, streaming through polars' lazy engine (files larger than memory
    work), writing the output atomically; a progress line shows on a terminal.
``anonlab demo``
    Run the main job headless on the embedded synthetic patients data and write the results.

Exit codes: 0 success, 1 an anonlab error (bad input, bad file), 2 a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from anonlab._files import write_atomic
from anonlab._version import __version__
from anonlab.errors import AnonlabError, ParameterError, strip_polars_context

__all__ = ["main"]


def _cmd_profile(args: argparse.Namespace) -> int:
    import anonlab
    from anonlab.io import scan

    lf = scan(args.input, separator=args.separator, dtypes=args.schema)
    prof = anonlab.profile(lf, sample=args.sample, detection_rows=args.detection_rows)
    if args.json:
        print(json.dumps(prof.to_dict(), indent=2))
    else:
        print(repr(prof))
        print()
        for c in prof:
            print(f"{c.name}: {c.role_reason}. {c.detection.evidence}.")
    return 0


def _columns_arg(text: str | None) -> list[str]:
    return [c.strip() for c in (text or "").split(",") if c.strip()]


def _cmd_risk(args: argparse.Namespace) -> int:
    import anonlab
    from anonlab.io import read

    frame = read(args.input, separator=args.separator, dtypes=args.schema)
    population = read(args.population) if args.population else None
    report = anonlab.assess_risk(
        frame,
        _columns_arg(args.qi),
        _columns_arg(args.sensitive),
        k=args.k,
        l=args.l,
        t=args.t,
        population=population,
        sampling_fraction=args.sampling_fraction,
    )
    if args.json:
        print(report.to_json(), end="")
    else:
        print(report.summary())
    return 0 if report.passed or not args.fail_on_targets else 3


def _read_recipe(path: str) -> Any:
    from anonlab._files import TEXT_MAX_BYTES, read_bounded
    from anonlab.errors import RecipeError
    from anonlab.recipe import Recipe

    file = Path(path)
    if not file.exists():
        raise FileNotFoundError(f"No such file: {path!r}")
    text = read_bounded(file, TEXT_MAX_BYTES, "recipe file", RecipeError)
    if file.suffix.lower() == ".json":
        return Recipe.from_json(text)
    return Recipe.from_yaml(text)


def _recipe_text(recipe: Any, path: Path) -> bytes:
    text: str = recipe.to_json() if path.suffix.lower() == ".json" else recipe.to_yaml()
    return text.encode("utf-8")


def _cmd_suggest(args: argparse.Namespace) -> int:
    import anonlab
    from anonlab.io import scan

    prof = anonlab.profile(scan(args.input, separator=args.separator, dtypes=args.schema))
    recipe = anonlab.suggest_recipe(prof, key=args.key, k=args.k)
    if args.output:
        out = Path(args.output)
        write_atomic(out, _recipe_text(recipe, out))
        print(f"Wrote the suggested recipe ({len(recipe)} steps) to {out}")
    else:
        print(recipe.to_yaml(), end="")
    return 0


def _side_targets(
    side: dict[str, Any], lookup_dir: str | None, output: Path, input_path: Path
) -> dict[str, Path]:
    """Where each side table goes under ``--lookup-dir``, checked before anything is written.

    A table's name comes from the recipe (``lookup: mrn``), so it must be a plain file name
    inside the folder (:func:`anonlab._paths.safe_child`), and no table may land on the output
    or the input file. Each is written encrypted, as ``<name>.lookup`` (:mod:`anonlab.lookup`).
    """
    from anonlab._paths import safe_child

    if not lookup_dir:
        return {}
    targets: dict[str, Path] = {}
    for name in side:
        target = safe_child(lookup_dir, f"{name.replace(':', '-')}{LOOKUP_SUFFIX}",
                            "the side table name")
        resolved = target.resolve()
        if resolved in (output.resolve(), input_path.resolve()) or resolved in {
                t.resolve() for t in targets.values()}:
            raise ParameterError(
                f"The side table {name!r} would be written to {str(target)!r}, which is the "
                "output, the input or another side table. Choose another --lookup-dir.")
        targets[name] = target
    return targets


LOOKUP_SUFFIX = ".lookup"
"""The extension of a side table written under ``--lookup-dir`` (encrypted, not Parquet)."""


def _lookup_key(lookup_dir: str | None, lookup_key: str | None) -> str | None:
    """The ``--lookup-key`` reference, checked and its key read before anything is written.

    ``--lookup-dir`` without ``--lookup-key`` is refused: a side table such as a pseudonym
    lookup re-identifies the data and is never written as plaintext.
    """
    from anonlab.errors import SecretKeyError
    from anonlab.keys import check_key_ref, resolve_key

    if lookup_key is not None and not lookup_dir:
        raise ParameterError("--lookup-key encrypts the side tables written under --lookup-dir; "
                             "give --lookup-dir DIR too (or leave both out).")
    if not lookup_dir:
        return None
    if lookup_key is None:
        raise SecretKeyError(
            "--lookup-dir needs --lookup-key: side tables such as a pseudonym lookup "
            "re-identify the data, so anonlab writes them only encrypted (AES-256-GCM). Pass "
            "--lookup-key env:NAME (an environment variable holding a random secret of at "
            "least 32 bytes, e.g. from python -c 'import secrets; print(secrets.token_hex(32))') "
            "or --lookup-key file:PATH; read a table back with anonlab.read_lookup(path, "
            "key='env:NAME').")
    ref = check_key_ref(lookup_key, "--lookup-key", name="--lookup-key")
    resolve_key(ref)  # a missing variable or file fails now, before the output is written
    return lookup_key


def _csv_note(csv_safe: bool) -> str:
    if csv_safe:
        return ("  CSV text cells starting with = + - @ tab or CR were prefixed with ' so that "
                "spreadsheets show them as text (--no-csv-safe writes them unchanged)")
    return ("  --no-csv-safe: CSV text cells were written unchanged; a spreadsheet may run "
            "those starting with = + - @ as formulas")


def _cmd_apply(args: argparse.Namespace) -> int:
    import time

    import polars as pl

    from anonlab.io import scan
    from anonlab.lookup import write_lookup
    from anonlab.sinks import output_format, sink, terminal_progress

    recipe = _read_recipe(args.recipe)
    lookup_key = _lookup_key(args.lookup_dir, args.lookup_key)
    out = Path(args.output)
    output_format(out)  # fail on a bad extension before any work
    if Path(args.input).resolve() == out.resolve():
        raise ParameterError("The output file must differ from the input file.")
    lf = scan(args.input, separator=args.separator, dtypes=args.schema)
    side: dict[str, pl.DataFrame] = {}
    query = recipe.apply_lazy(lf, side_outputs=side)
    tables = _side_targets(side, args.lookup_dir, out, Path(args.input))
    show = args.progress if args.progress is not None else sys.stderr.isatty()
    progress = None
    if show:
        total = None
        if Path(args.input).suffix.lower() in (".parquet", ".pq", ".arrow", ".ipc", ".feather"):
            total = lf.select(pl.len()).collect().item()
        progress = terminal_progress(total)
    start = time.perf_counter()
    rows = sink(query, out, separator=args.output_separator, progress=progress,
                csv_safe=args.csv_safe)
    if show:
        print(file=sys.stderr)
    seconds = time.perf_counter() - start
    width = len(query.collect_schema())
    print(f"Applied {len(recipe)} steps to {args.input}: wrote {rows:,} rows x {width} columns "
          f"to {out} in {seconds:.1f} s")
    if output_format(out) == "csv":
        print(_csv_note(args.csv_safe))
    for name, table in side.items():
        target = tables.get(name)
        if target is not None and lookup_key is not None:
            write_lookup(table, target, key=lookup_key, name=name)
            print(f"Wrote the {name} table ({table.height:,} rows) to {target}, encrypted "
                  "(AES-256-GCM, mode 0600; anonlab.read_lookup reads it); keep it apart from "
                  "the data")
        else:
            print(f"Not written: the {name} table (pass --lookup-dir DIR --lookup-key env:NAME "
                  "to keep it, encrypted)")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    import datetime as dt

    import anonlab
    from anonlab.bundle.cli import evidence_lines
    from anonlab.errors import AccessDeniedError
    from anonlab.licensing import check_compliance

    out = Path(args.out)
    template = "hipaa-safe-harbor"
    df = anonlab.datasets.patients(n=args.rows, seed=args.seed)
    print(f"anonlab {__version__} demo: synthetic patients data, {df.height:,} rows x "
          f"{df.width} columns (anonlab.datasets.patients(n={args.rows}, seed={args.seed}))")
    print()
    print("1. Profile: statistics, detected identifier kinds and suggested roles")
    prof = anonlab.profile(df)
    print(repr(prof))
    print()
    hipaa = prof.hipaa_identifiers
    print(f"Identifiers: {', '.join(prof.identifiers) or 'none'}")
    print(f"Quasi-identifiers: {', '.join(prof.quasi_identifiers) or 'none'}")
    print(f"Sensitive: {', '.join(prof.sensitive) or 'none'}")
    print(f"HIPAA Safe Harbor categories present: {len(set(hipaa.values()))} of 18 "
          f"({', '.join(sorted({c.letter for c in hipaa.values()}))})")

    print()
    print(f"2. Suggested recipe for the {template!r} license template")
    recipe = anonlab.suggest_recipe(prof, template=template, name="demo: patients")
    print(recipe.summary())

    print()
    print("3. Apply")
    anonymized = recipe.apply(df)
    after = anonlab.profile(anonymized)
    print(f"   {df.width} columns in, {anonymized.width} out; direct identifiers left: "
          f"{', '.join(after.identifiers) or 'none'}")
    print(anonymized.head(3))

    print()
    print("4. Re-identification risk of the result")
    targets = recipe.targets
    report = None
    if targets is not None and targets.quasi_identifiers:
        report = anonlab.assess_risk(anonymized, list(targets.quasi_identifiers),
                                     list(targets.sensitive_columns), targets=targets.models())
        print(report.summary())
        if not report.passed:
            print("   Safe Harbor is a list of identifiers to remove, not a risk measure: the")
            print("   license records this risk as evidence; tutorial 2 shows how to lower it.")

    print()
    print(f"5. Compliance checks of {template!r} on this preview")
    compliance = check_compliance(template, frame=anonymized, recipe=recipe, report=report,
                                  original=df, preview=True)
    print(compliance.summary())

    print()
    print("6. A signing key pair; the release, attacked and signed")
    print("   export applies the recipe again to the original with keys for this release alone,")
    print("   puts the rows in a secret order, runs every check and attack against the original,")
    print("   and signs only if none succeeds:")
    keys = out / "keys"
    for name in ("demo-signing.key", "demo-signing.pub"):
        (keys / name).unlink(missing_ok=True)
    private, public = anonlab.generate_keypair(keys / "demo-signing")
    bundle_path = out / "patients-bundle"
    bundle = anonlab.export(
        df,
        recipe=recipe,
        license=template,
        license_terms={
            "licensee": "Registry analytics team",
            "licensor": "General Hospital (demo)",
            "purposes": ["research"],
            "expires": dt.datetime.now(dt.UTC) + dt.timedelta(days=365),
        },
        path=bundle_path,
        signing_key=private,
        profile=prof,
        overwrite=True,
    )
    audit = Path(f"{bundle_path}.audit.jsonl")
    audit.unlink(missing_ok=True)  # a fresh log for a fresh demo bundle
    print(f"   wrote {bundle.path} ({len(bundle.files)} files), license {bundle.license.id}")
    print("   the evidence it recorded (license.json, LICENSE.md and report.html):")
    for line in evidence_lines(bundle.license):
        print(f"     {line}")
    print(f"   the private key stays in {private}; the bundle carries only the public key's "
          "fingerprint")

    print()
    print("7. The recipient: verify, open for a permitted purpose, and a refused one")
    result = anonlab.verify(bundle_path, public_key=public)
    print(f"   verify: {'OK' if result.ok else 'FAILED'}; signature trusted: "
          f"{result.signature_trusted}")
    data = anonlab.open(bundle_path, purpose="research", role="analyst", user="demo-analyst",
                        public_key=public)
    print(f"   open(purpose='research', role='analyst'): {data.height:,} rows")
    try:
        anonlab.open(bundle_path, purpose="marketing", role="analyst", user="demo-analyst",
                     public_key=public)
    except AccessDeniedError as exc:
        print(f"   open(purpose='marketing'): refused: {exc}")

    print()
    print("8. The audit log (hash-chained; every access, allowed or refused)")
    log = anonlab.AuditLog.for_bundle(bundle_path)
    for entry in log.entries():
        print(f"   {entry['seq']}: {entry['time']} {entry['user']} {entry['action']} "
              f"purpose={entry['purpose']} -> {entry['outcome']}")
    check = log.verify()
    print(f"   chain intact: {check.ok}")

    profile_path = out / "profile.json"
    write_atomic(profile_path, (json.dumps(prof.to_dict(), indent=2) + "\n").encode())
    print()
    print(f"Wrote {bundle_path}/ (data.parquet, license.json, LICENSE.md, policy.odrl.jsonld,")
    print("      recipe.yaml, report.html, manifest.json, signature),")
    print(f"      {audit} (the access log), {public} (share it with recipients),")
    print(f"      {profile_path} (the profile of the raw data; identifier values masked).")
    print(f"Try: anonlab verify {bundle_path} --public-key {public}")
    print(f"  or trust the key once: anonlab trust add {public} --name 'General Hospital (demo)'"
          f"; then: anonlab verify {bundle_path}")
    return 0


def add_schema_argument(parser: argparse.ArgumentParser) -> None:
    """The ``--schema`` option of the commands that read a CSV file."""
    parser.add_argument(
        "--schema", metavar="NAME=TYPE,...",
        help="types of CSV columns, e.g. 'zip=str,age=int' (str, int, float, bool, date, "
             "datetime); other columns are guessed from the first 10,000 rows and checked "
             "against every row")


class _Parser(argparse.ArgumentParser):
    """argparse quotes the offending argument in its usage errors (``unrecognized arguments:
    ...``, ``invalid int value: ...``); an argument that looks like a key (pasted where a
    reference belongs) is replaced by a description with its fingerprint."""

    argv: Sequence[str] = ()

    def error(self, message: str) -> NoReturn:
        super().error(_redact(message, _Parser.argv))


def _redact(message: str, argv: Sequence[str]) -> str:
    """``message`` with every command-line argument that looks like a key (or holds one after
    ``env:`` or ``file:``) replaced by a description with its fingerprint: the last line of
    defence for messages that quote what was typed."""
    from anonlab.keys import looks_like_key_material, shown_reference

    for arg in sorted(argv, key=len, reverse=True):
        _, _, value = arg.partition("=") if arg.startswith("--") else ("", "", arg)
        for text in {arg, value, value.removeprefix("env:"), value.removeprefix("file:")}:
            if text and looks_like_key_material(text) and text in message:
                message = message.replace(text, f"<{shown_reference(text)}>")
    return message


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="anonlab",
        description="Profile, anonymize and license sensitive tables.",
    )
    parser.add_argument("--version", action="version", version=f"anonlab {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("profile", help="profile a table file and print what identifies people")
    p.add_argument("input", help="a .csv/.tsv, .parquet, .arrow/.feather or .ndjson file")
    p.add_argument("--separator", help="CSV separator (detected among , ; tab | when omitted)")
    add_schema_argument(p)
    p.add_argument("--sample", type=int, help="profile a random sample of this many rows")
    p.add_argument("--detection-rows", type=int, default=10_000,
                   help="rows examined by identifier detection (default 10,000)")
    p.add_argument("--json", action="store_true", help="print the profile as JSON")
    p.set_defaults(func=_cmd_profile)

    s = sub.add_parser("suggest", help="profile a file and write a suggested recipe")
    s.add_argument("input", help="a .csv/.tsv, .parquet, .arrow/.feather or .ndjson file")
    s.add_argument("-o", "--output", help="recipe file to write (.yaml or .json); else stdout")
    s.add_argument("--separator", help="CSV separator (detected when omitted)")
    add_schema_argument(s)
    s.add_argument("--key", default="env:ANONLAB_KEY",
                   help="key reference for hash steps (default env:ANONLAB_KEY)")
    s.add_argument("--k", type=int, default=5, help="k-anonymity target (default 5)")
    s.set_defaults(func=_cmd_suggest)

    a = sub.add_parser("apply", help="apply a recipe to a file, streaming")
    a.add_argument("recipe", help="recipe file (.yaml/.yml or .json)")
    a.add_argument("input", help="a .csv/.tsv, .parquet, .arrow/.feather or .ndjson file")
    a.add_argument("-o", "--output", required=True,
                   help="output file; its extension picks the format")
    a.add_argument("--separator", help="input CSV separator (detected when omitted)")
    add_schema_argument(a)
    a.add_argument("--output-separator", help="output CSV separator (default , or tab for .tsv)")
    a.add_argument("--lookup-dir",
                   help="folder for side tables such as pseudonym lookups, written encrypted "
                   "as NAME.lookup (needs --lookup-key)")
    a.add_argument("--lookup-key", metavar="REF",
                   help="key reference (env:NAME or file:PATH) that encrypts the side tables "
                   "under --lookup-dir with AES-256-GCM; read them with anonlab.read_lookup")
    a.add_argument("--no-csv-safe", dest="csv_safe", action="store_false",
                   help="write CSV text cells starting with = + - @ tab or CR unchanged "
                   "(by default they are prefixed with ' so spreadsheets do not run them)")
    a.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="show progress (default: when stderr is a terminal)")
    a.set_defaults(func=_cmd_apply)

    r = sub.add_parser("risk", help="measure the re-identification risk of a table file")
    r.add_argument("input", help="a .csv/.tsv, .parquet, .arrow/.feather or .ndjson file")
    r.add_argument("--qi", required=True, help="quasi-identifiers, comma-separated")
    r.add_argument("--sensitive", help="sensitive columns, comma-separated")
    r.add_argument("--k", type=int, default=5, help="k-anonymity target (default 5)")
    r.add_argument("--l", type=float, help="distinct l-diversity target on each sensitive column")
    r.add_argument("--t", type=float, help="t-closeness target on each sensitive column")
    r.add_argument("--population", help="population table with the same quasi-identifiers")
    r.add_argument("--sampling-fraction", type=float,
                   help="share of the population in the file (adds uniqueness estimates)")
    r.add_argument("--separator", help="CSV separator (detected when omitted)")
    add_schema_argument(r)
    r.add_argument("--json", action="store_true", help="print every number as JSON")
    r.add_argument("--fail-on-targets", action="store_true",
                   help="exit with status 3 when a target is not met (for pipelines)")
    r.set_defaults(func=_cmd_risk)

    from anonlab.optimize import cli as optimize_cli

    optimize_cli.add_parser(sub)

    d = sub.add_parser("demo", help="run the main job on the embedded example data")
    d.add_argument("--rows", type=int, default=1000, help="rows of synthetic patients (1000)")
    d.add_argument("--seed", type=int, default=0, help="seed of the synthetic data (0)")
    d.add_argument("--out", default="demo-output", help="folder to write to (demo-output)")
    d.set_defaults(func=_cmd_demo)

    from anonlab.bundle.cli import add_parsers as add_bundle_parsers
    from anonlab.bundle.lifecycle_cli import add_parsers as add_lifecycle_parsers

    add_bundle_parsers(sub)
    add_lifecycle_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = _parser()
    _Parser.argv = tuple(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    import polars as pl

    from anonlab.io import polars_reason

    try:
        return int(args.func(args))
    except (AnonlabError, OSError) as exc:
        print(f"anonlab: error: {_redact(str(strip_polars_context(exc)), _Parser.argv)}",
              file=sys.stderr)
        return 1
    except pl.exceptions.PolarsError as exc:
        # polars messages can quote cell values; print the reason without them
        print(f"anonlab: error: {_redact(polars_reason(exc), _Parser.argv)}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

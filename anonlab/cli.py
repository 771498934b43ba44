"""The ``anonlab`` command line.

Commands
--------
``anonlab profile INPUT``
    Profile a CSV/Parquet/Arrow/NDJSON file and print the profile (``--json`` for plain data).
``anonlab demo``
    Run the main job headless on the embedded synthetic patients data and write the results.

Exit codes: 0 success, 1 an anonlab error (bad input, bad file), 2 a usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from anonlab._version import __version__
from anonlab.errors import AnonlabError

__all__ = ["main"]


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename.

    A reader never sees a half-written file, and a failure leaves any previous file in place.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _cmd_profile(args: argparse.Namespace) -> int:
    import anonlab
    from anonlab.io import scan

    lf = scan(args.input, separator=args.separator)
    prof = anonlab.profile(lf, sample=args.sample, detection_rows=args.detection_rows)
    if args.json:
        print(json.dumps(prof.to_dict(), indent=2))
    else:
        print(repr(prof))
        print()
        for c in prof:
            print(f"{c.name}: {c.role_reason}. {c.detection.evidence}.")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    import anonlab

    out = Path(args.out)
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
    json_path = out / "profile.json"
    html_path = out / "profile.html"
    write_atomic(json_path, (json.dumps(prof.to_dict(), indent=2) + "\n").encode())
    page = (
        "<!doctype html><meta charset='utf-8'><title>anonlab profile</title>"
        f"<body>{prof._repr_html_()}</body>"
    )
    write_atomic(html_path, page.encode())
    print()
    print(f"Wrote {json_path} (the profile as data) and {html_path} (as a page).")
    print("Identifier values are masked in both. Next steps of the flow (anonymize, risk, a signed")
    print("license bundle) join this demo as they land; see the README's roadmap.")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="anonlab",
        description="Profile, anonymize and license sensitive tables.",
    )
    parser.add_argument("--version", action="version", version=f"anonlab {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("profile", help="profile a table file and print what identifies people")
    p.add_argument("input", help="a .csv/.tsv, .parquet, .arrow/.feather or .ndjson file")
    p.add_argument("--separator", help="CSV separator (detected among , ; tab | when omitted)")
    p.add_argument("--sample", type=int, help="profile a random sample of this many rows")
    p.add_argument("--detection-rows", type=int, default=10_000,
                   help="rows examined by identifier detection (default 10,000)")
    p.add_argument("--json", action="store_true", help="print the profile as JSON")
    p.set_defaults(func=_cmd_profile)

    d = sub.add_parser("demo", help="run the main job on the embedded example data")
    d.add_argument("--rows", type=int, default=1000, help="rows of synthetic patients (1000)")
    d.add_argument("--seed", type=int, default=0, help="seed of the synthetic data (0)")
    d.add_argument("--out", default="demo-output", help="folder to write to (demo-output)")
    d.set_defaults(func=_cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except (AnonlabError, FileNotFoundError) as exc:
        print(f"anonlab: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

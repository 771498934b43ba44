"""The ``anonlab optimize`` command: find the optimal generalization of a file, write its recipe.

Usage::

    anonlab optimize INPUT --qi age=age.csv --qi sex=sex.csv ... --k 5
        [--l-diversity disease=2] [--t-closeness disease=0.2]
        [--max-suppression 0.05] [--metric loss] -o recipe.yaml

Each ``--qi`` names a quasi-identifier and its hierarchy (an ARX CSV file). The recipe is
written atomically (YAML, or JSON for a ``.json`` name) and a summary printed.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from anonlab.errors import ParameterError

__all__ = ["add_parser", "run"]


def _pair(text: str, option: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip() or not value.strip():
        raise ParameterError(
            f"{option} takes COLUMN=VALUE (for example {option} age=hierarchy_age.csv). Got "
            f"{text!r}."
        )
    return name.strip(), value.strip()


def _number(text: str, option: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ParameterError(f"{option} takes COLUMN=NUMBER. Got the value {text!r}.") from None


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``optimize`` subcommand to the parser's subcommands."""
    from anonlab.cli import add_schema_argument
    from anonlab.optimize.metrics import METRICS

    o: argparse.ArgumentParser = subparsers.add_parser(
        "optimize", help="find the least-loss generalization meeting privacy targets"
    )
    o.add_argument("input", help="a .csv/.tsv, .parquet, .arrow/.feather or .ndjson file")
    o.add_argument("--qi", action="append", required=True, metavar="COLUMN=HIERARCHY.csv",
                   help="a quasi-identifier and its ARX hierarchy file (repeat per column)")
    o.add_argument("--k", type=int, default=5, help="k-anonymity target (default 5)")
    o.add_argument("--l-diversity", action="append", default=[], metavar="COLUMN=L",
                   help="distinct l-diversity of a sensitive column (repeatable)")
    o.add_argument("--t-closeness", action="append", default=[], metavar="COLUMN=T",
                   help="t-closeness of a sensitive column (repeatable)")
    o.add_argument("--max-suppression", type=float, default=0.05,
                   help="largest share of records that may be suppressed (default 0.05)")
    o.add_argument("--metric", default="loss", choices=sorted(METRICS),
                   help="what to minimize (default loss)")
    o.add_argument("--separator", help="CSV separator (detected when omitted)")
    add_schema_argument(o)
    o.add_argument("--hierarchy-separator", default=";",
                   help="separator of the hierarchy files (default ;)")
    o.add_argument("-o", "--output", required=True, help="recipe file to write (.yaml or .json)")
    o.set_defaults(func=run)
    return o


def run(args: argparse.Namespace) -> int:
    """Handle ``anonlab optimize``; returns the exit code."""
    from anonlab._files import write_atomic
    from anonlab.hierarchies import Hierarchy
    from anonlab.io import read
    from anonlab.optimize.search import optimize
    from anonlab.risk.models import KAnonymity, LDiversity, TCloseness

    out = Path(args.output)
    if out.suffix.lower() not in (".yaml", ".yml", ".json"):
        raise ParameterError(
            f"The recipe file must end in .yaml, .yml or .json. Got {args.output!r}."
        )
    hierarchies = {}
    for item in args.qi:
        column, path = _pair(item, "--qi")
        hierarchies[column] = Hierarchy.from_arx_csv(
            path, column=column, separator=args.hierarchy_separator
        )
    targets: list[Any] = [KAnonymity(args.k)]
    for item in args.l_diversity:
        column, value = _pair(item, "--l-diversity")
        number = _number(value, "--l-diversity")
        targets.append(LDiversity(column, int(number) if number.is_integer() else number))
    for item in args.t_closeness:
        column, value = _pair(item, "--t-closeness")
        targets.append(TCloseness(column, _number(value, "--t-closeness")))
    frame = read(args.input, separator=args.separator, dtypes=args.schema)
    result = optimize(
        frame, hierarchies, targets, args.max_suppression, args.metric, progress=False
    )
    text = result.recipe.to_json() if out.suffix.lower() == ".json" else result.recipe.to_yaml()
    write_atomic(out, text.encode("utf-8"))
    print(result.summary())
    print(f"Wrote the recipe ({len(result.recipe)} steps) to {out}")
    return 0

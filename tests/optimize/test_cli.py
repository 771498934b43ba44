"""The optimize subcommand's handler (tested directly until it is wired into anonlab.cli)."""

from __future__ import annotations

import argparse
from importlib.resources import files

import pytest

import anonlab
from anonlab.errors import ParameterError
from anonlab.optimize import cli
from anonlab.recipe import Recipe


def parse(argv):
    parser = argparse.ArgumentParser(prog="anonlab")
    cli.add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


def test_optimize_writes_the_recipe(tmp_path, capsys):
    data = tmp_path / "adult.csv"
    anonlab.datasets.adult().head(4000).write_csv(data)
    folder = files("anonlab.datasets").joinpath("data")
    qis = [f"--qi={c}={folder.joinpath(f'adult_hierarchy_{c}.csv')}"
           for c in ("sex", "age", "race", "education")]
    out = tmp_path / "recipe.yaml"
    args = parse(["optimize", str(data), *qis, "--k", "5", "--l-diversity", "salary-class=2",
                  "--max-suppression", "0.02", "-o", str(out)])
    assert args.func(args) == 0
    recipe = Recipe.from_yaml(out.read_text())
    ops = [s.transform.op for s in recipe.steps]
    assert ops == ["generalize"] * 4 + ["suppress_outliers"]
    printed = capsys.readouterr().out
    assert "levels: sex=" in printed and f"Wrote the recipe (5 steps) to {out}" in printed


def test_optimize_bad_arguments(tmp_path):
    args = parse(["optimize", "x.csv", "--qi", "age", "-o", str(tmp_path / "r.yaml")])
    with pytest.raises(ParameterError, match="COLUMN=VALUE"):
        args.func(args)
    args = parse(["optimize", "x.csv", "--qi", "age=a.csv", "-o", str(tmp_path / "r.txt")])
    with pytest.raises(ParameterError, match=r"\.yaml"):
        args.func(args)

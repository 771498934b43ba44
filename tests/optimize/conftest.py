"""Shared fixtures: the Adult data and ARX's hierarchies as Hierarchy objects."""

from __future__ import annotations

from importlib.resources import files

import polars as pl
import pytest

import anonlab
from anonlab.hierarchies import Hierarchy

QIS = ["sex", "age", "race", "marital-status", "education", "native-country", "workclass",
       "occupation"]


def adult_hierarchy(column: str) -> Hierarchy:
    path = files("anonlab.datasets").joinpath("data").joinpath(f"adult_hierarchy_{column}.csv")
    return Hierarchy.from_arx_csv(path, column=column)


@pytest.fixture(scope="session")
def adult() -> pl.DataFrame:
    return anonlab.datasets.adult()


@pytest.fixture(scope="session")
def hierarchies() -> dict[str, Hierarchy]:
    return {c: adult_hierarchy(c) for c in [*QIS, "salary-class"]}

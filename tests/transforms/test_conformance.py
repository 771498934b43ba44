"""One conformance check over every built-in transform, through a recipe.

Each built-in has an example step below, on a frame that has a column of every kind. For every
example: pandas, polars, LazyFrame and Arrow inputs give equal results; the same seed and key
give the same result twice; rows keep their order; to_dict/from_dict and YAML round trips hold;
and transforms that promise to hide values leave no original value of their column in the output.
A built-in without an example fails the coverage test, so a new transform cannot skip this.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import polars as pl
import pytest

import anonlab
from anonlab import Recipe, Step
from anonlab.transforms import Transform, registered_transforms, registry, transform_from_dict

KEY = "env:ANONLAB_CONFORMANCE_KEY"

FRAME = pl.DataFrame(
    {
        "id": [f"P{i:03d}" for i in range(12)],
        "email": [f"user{i}@example.org" for i in range(12)],
        "ssn": [f"{100 + i}-45-{6789 + i}" for i in range(12)],
        "zip": ["02139", "02139", "02140", "10001", "10001", "10002"] * 2,
        "city": ["Boston", "Boston", "Cambridge", "New York", "New York", "Newark"] * 2,
        "age": [34, 57, 91, 45, 23, 67, 34, 57, 88, 45, 23, 95],
        "income": [52_000.5, 61_000.0, 18_500.25, 97_000.0, 33_000.0, 45_500.0] * 2,
        "dob": [dt.date(1950 + i * 4, 1 + i % 12, 1 + i) for i in range(12)],
        "visit": [dt.date(2024, 1 + i % 12, 10) for i in range(12)],
        "sex": ["F", "M"] * 6,
        "note": ["call (617) 284-3310", "fine", None, "mail a@b.org"] * 3,
    }
)


def examples() -> dict[str, Step]:
    """An example step for every built-in transform, by op."""
    from anonlab.hierarchies import Hierarchy
    from anonlab.transforms.aggregation import Microaggregate
    from anonlab.transforms.coding import Round, TopBottomCode
    from anonlab.transforms.generalization import Generalize
    from anonlab.transforms.hashing import Hash, Pseudonymize
    from anonlab.transforms.masking import Mask
    from anonlab.transforms.outliers import SuppressOutliers
    from anonlab.transforms.perturbation import DateShift, Noise, Pram, Shuffle
    from anonlab.transforms.suppression import LocalSuppress, SuppressRare, SuppressRecords
    from anonlab.transforms.zip3 import HipaaZip3

    cities = Hierarchy(
        [["Boston", "MA", "*"], ["Cambridge", "MA", "*"], ["New York", "NY", "*"],
         ["Newark", "NJ", "*"]],
        column="city",
    )
    quasi = ("zip", "sex")
    return {
        "keep": Step("sex", anonlab.transforms.Keep()),
        "drop": Step("ssn", anonlab.transforms.Drop()),
        "redact": Step("ssn", anonlab.transforms.Redact()),
        "scrub": Step("note", anonlab.transforms.Scrub()),
        "mask": Step("ssn", Mask(keep_last=0)),
        "hash": Step("email", Hash(key=KEY)),
        "pseudonymize": Step("id", Pseudonymize(key=KEY)),
        "generalize": Step("city", Generalize(hierarchy=cities, level=1)),
        "top_bottom_code": Step("age", TopBottomCode(top=89, top_label="90+")),
        "round": Step("income", Round(to=1000)),
        "noise": Step("income", Noise(distribution="laplace", scale=100.0, seed=3)),
        "date_shift": Step("visit", DateShift(by="id", max_days=30, key=KEY)),
        "shuffle": Step("income", Shuffle(seed=3)),
        "pram": Step("sex", Pram(retain=0.8, seed=3)),
        "microaggregate": Step("income", Microaggregate(k=3)),
        "suppress_rare": Step("city", SuppressRare(min_count=3)),
        "suppress_records": Step(None, SuppressRecords(quasi_identifiers=quasi, k=2)),
        "local_suppress": Step(None, LocalSuppress(quasi_identifiers=quasi, k=3)),
        "suppress_outliers": Step(None, SuppressOutliers(quasi_identifiers=quasi, k=2)),
        "hipaa_zip3": Step("zip", HipaaZip3()),
    }


@pytest.fixture(autouse=True)
def key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANONLAB_CONFORMANCE_KEY", "conformance key, long enough 0123")


def builtins() -> dict[str, type[Transform]]:
    return {op: cls for op, cls in registered_transforms().items() if op in registry._BUILTIN}


def test_every_builtin_has_an_example() -> None:
    assert set(examples()) == set(builtins())


@pytest.mark.parametrize("op", sorted(examples()))
def test_conformance(op: str) -> None:
    step = examples()[op]
    recipe = Recipe(steps=(step,), seed=11)
    with_row = FRAME.with_row_index("row")
    polars_out = recipe.apply(with_row)

    # every frame kind gives the same result
    assert recipe.apply(with_row.lazy()).collect().equals(polars_out)
    arrow_out = pl.from_arrow(recipe.apply(with_row.to_arrow()))
    assert isinstance(arrow_out, pl.DataFrame)
    assert arrow_out.equals(polars_out, null_equal=True) or arrow_out.cast(
        polars_out.schema
    ).equals(polars_out)
    pandas_out = recipe.apply(with_row.to_pandas())
    assert isinstance(pandas_out, pd.DataFrame)
    assert pl.from_pandas(pandas_out).cast(polars_out.schema).equals(polars_out)

    # deterministic for a seed and key; rows keep their order (some steps drop rows)
    assert recipe.apply(with_row).equals(polars_out)
    rows = polars_out.get_column("row").to_list()
    assert rows == sorted(rows)

    # plain data round trips
    assert transform_from_dict(step.transform.to_dict()) == step.transform
    assert Recipe.from_yaml(recipe.to_yaml()) == recipe

    # a transform that promises to hide values leaves none of them
    if type(step.transform).hides_values and step.column is not None:
        originals = {str(v) for v in FRAME.get_column(step.column).drop_nulls().to_list()}
        text = polars_out.write_csv()
        assert not [v for v in originals if v in text]

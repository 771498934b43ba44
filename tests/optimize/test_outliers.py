"""The suppress_outliers transform that optimize's recipes end with."""

from __future__ import annotations

import polars as pl
import pytest

from anonlab.errors import ParameterError, RecipeError, TransformError
from anonlab.recipe import Recipe, Step
from anonlab.risk import LDiversity
from anonlab.transforms import Context, transform_from_dict
from anonlab.transforms.outliers import SuppressOutliers

FRAME = pl.DataFrame({
    "zip": ["021**"] * 4 + ["100**"] * 2,
    "age": [30, 30, 30, 30, 40, 41],
    "disease": ["flu", "cold", "flu", "flu", "flu", "flu"],
})


def run(t, frame=FRAME):
    ctx = Context(schema=frame.lazy().collect_schema())
    return t.apply(frame.lazy(), "zip", ctx).collect(), ctx


def test_k_sets_every_quasi_identifier():
    out, ctx = run(SuppressOutliers(quasi_identifiers=("zip", "age"), k=2))
    assert out["zip"].to_list() == ["021**"] * 4 + ["*", "*"]
    assert out["age"].to_list() == [30, 30, 30, 30, None, None]  # not a string: null
    assert out["disease"].to_list() == FRAME["disease"].to_list()
    summary = ctx.side_outputs["suppress_outliers:0"]
    assert summary.row(0, named=True) == {"records": 6, "classes": 3, "failing_classes": 2,
                                           "suppressed": 2}


def test_models_and_value():
    t = SuppressOutliers(quasi_identifiers=("zip",), models=(LDiversity("disease", 2),),
                         value=None)
    assert t.models == ({"model": "l_diversity", "column": "disease", "l": 2,
                         "variant": "distinct", "c": None},)
    out, _ = run(t)
    assert out["zip"].to_list() == ["021**"] * 4 + [None, None]
    assert transform_from_dict(t.to_dict()) == t
    assert hash(t) == hash(transform_from_dict(t.to_dict()))
    recipe = Recipe(steps=(Step(None, t),))
    assert Recipe.from_yaml(recipe.to_yaml()) == recipe


def test_max_suppression_and_errors():
    with pytest.raises(TransformError, match="would suppress 2 of 6"):
        run(SuppressOutliers(quasi_identifiers=("zip", "age"), k=2, max_suppression=0.2))
    out, _ = run(SuppressOutliers(quasi_identifiers=("zip", "age"), k=2, max_suppression=0.34))
    assert out["zip"].null_count() == 0
    with pytest.raises(ParameterError, match="needs a target"):
        SuppressOutliers(quasi_identifiers=("zip",))
    with pytest.raises(ParameterError):
        SuppressOutliers(quasi_identifiers=("zip",), k=2, max_suppression=2)
    with pytest.raises(ParameterError, match="both a quasi-identifier"):
        SuppressOutliers(quasi_identifiers=("zip",), models=({"model": "l_diversity",
                                                              "column": "zip", "l": 2},))
    with pytest.raises(ParameterError, match="population"):
        SuppressOutliers(quasi_identifiers=("zip",), models=({"model": "k_map", "k": 2},))
    with pytest.raises(ParameterError):
        SuppressOutliers(quasi_identifiers=("zip",), models=({"model": "nope"},))
    with pytest.raises(RecipeError):
        transform_from_dict({"op": "suppress_outliers", "quasi_identifiers": ["zip"], "k": 0})

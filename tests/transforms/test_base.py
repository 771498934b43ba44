"""The transform base, the registry and the basic transforms."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import pytest

from anonlab.errors import ParameterError, RecipeError, TransformError
from anonlab.keys import Key
from anonlab.transforms import (
    Context,
    Drop,
    Keep,
    Redact,
    Transform,
    dtype_family,
    register_transform,
    registered_transforms,
    registry,
    transform_class,
    transform_from_dict,
)

FRAME = pl.LazyFrame({"s": ["a", None, "c"], "n": [1, 2, None]})


def run(t: Transform, column: str, frame: pl.LazyFrame = FRAME) -> pl.DataFrame:
    return t.apply(frame, column, Context(schema=frame.collect_schema())).collect()


@pytest.mark.parametrize(
    ("dtype", "family"),
    [
        (pl.String, "string"),
        (pl.Categorical, "string"),
        (pl.Enum(["a"]), "string"),
        (pl.Int8, "integer"),
        (pl.UInt64, "integer"),
        (pl.Float32, "float"),
        (pl.Decimal(10, 2), "decimal"),
        (pl.Date, "temporal"),
        (pl.Datetime("us", "UTC"), "temporal"),
        (pl.Boolean, "boolean"),
        (pl.List(pl.Int64), "other"),
        (pl.Duration("us"), "other"),
    ],
)
def test_dtype_family(dtype: pl.DataType, family: str) -> None:
    assert dtype_family(dtype) == family


def test_keep_drop_redact() -> None:
    assert run(Keep(), "s").equals(FRAME.collect())
    assert run(Drop(), "s").columns == ["n"]
    assert run(Redact(), "s").get_column("s").to_list() == ["[REDACTED]", None, "[REDACTED]"]
    out = run(Redact(value="x", nulls=True), "n").get_column("n").to_list()
    assert out == ["x", "x", "x"]  # even missingness is gone


def test_transforms_are_frozen_and_keyword_only() -> None:
    r = Redact(value="x")
    with pytest.raises(AttributeError):
        r.value = "y"  # type: ignore[misc]
    with pytest.raises(TypeError):
        Redact("x")  # type: ignore[misc]


def test_round_trip_through_plain_data() -> None:
    for t in (Keep(), Drop(), Redact(value="--", nulls=True)):
        data = t.to_dict()
        assert data["op"] == t.op
        assert transform_from_dict(data) == t


@pytest.mark.parametrize(
    ("data", "path", "message"),
    [
        ({"op": "redakt"}, "steps[1].transform.op", "Did you mean 'redact'"),
        ({"value": "x"}, "steps[1].transform", "needs an 'op' key"),
        (["redact"], "steps[1].transform", "is a mapping"),
        ({"op": "redact", "colour": 1}, "steps[1].transform.colour", "unknown parameter"),
        ({"op": "redact", "value": 5}, "steps[1].transform", "'value' parameter of Redact"),
    ],
)
def test_bad_plain_data(data, path: str, message: str) -> None:
    with pytest.raises(RecipeError, match=message) as exc:
        transform_from_dict(data, path="steps[1].transform")
    assert exc.value.path == path
    assert str(exc.value).startswith(path)


def test_in_memory_keys_cannot_be_written() -> None:
    @dataclass(frozen=True, kw_only=True)
    class Keyed(Transform):
        op = "keyed_test"
        key: object = None

    with pytest.raises(RecipeError, match="in-memory Key"):
        Keyed(key=Key.generate()).to_dict()
    assert "fingerprint" in Keyed(key=Key.generate()).describe()


def test_register_a_user_transform() -> None:
    @register_transform
    @dataclass(frozen=True, kw_only=True)
    class Upper(Transform):
        op = "upper_test"
        accepts = frozenset({"string"})

        def expr(self, column: str, ctx: Context) -> pl.Expr:
            return pl.col(column).str.to_uppercase()

    try:
        assert transform_class("upper_test") is Upper
        assert run(transform_from_dict({"op": "upper_test"}), "s").get_column("s")[0] == "A"
        with pytest.raises(TransformError, match="cannot apply to column 'n'"):
            Upper().check_input("n", pl.Int64)
        # registering again (a re-run notebook cell) replaces the user's class
        assert register_transform(Upper) is Upper
    finally:
        registry._USER.pop("upper_test", None)


def test_built_in_names_cannot_be_shadowed() -> None:
    @dataclass(frozen=True, kw_only=True)
    class MyRedact(Transform):
        op = "redact"

    with pytest.raises(ParameterError, match="'redact' is a built-in anonlab transform"):
        register_transform(MyRedact)
    assert transform_class("redact") is Redact


@pytest.mark.parametrize(
    ("cls", "message"),
    [
        (int, "subclass of anonlab.transforms.Transform"),
        (type("NoOp", (Transform,), {"op": "bad name"}), "must be a name"),
        (type("Mutable", (Transform,), {"op": "mutable_test"}), "frozen dataclass"),
    ],
)
def test_register_refuses_bad_classes(cls, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        register_transform(cls)


def test_every_registered_transform_conforms() -> None:
    """One conformance check over every registered transform."""
    for op, cls in registered_transforms().items():
        assert cls.op == op
        assert cls.scope in ("row", "frame")
        assert cls.__doc__, f"{op} has no docstring"
        assert cls.__dataclass_params__.frozen

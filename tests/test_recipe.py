"""Recipes: building, applying to every frame kind, files, code, and their errors."""

from __future__ import annotations

import json

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import anonlab
from anonlab import ColumnNotFoundError, ParameterError, Recipe, RecipeError, Step, Targets
from anonlab.errors import TransformError
from anonlab.keys import Key
from anonlab.transforms import Drop, Keep, Redact, Scrub

FRAME = pl.DataFrame(
    {
        "name": ["Ann Lee", "Bo Chan", None, "Cy Diaz"],
        "note": ["call (617) 284-3310", "fine", None, "mail a@b.org"],
        "age": [34, 57, 91, 45],
    }
)
RECIPE = (
    Recipe(name="test")
    .then("name", Drop(), note="a direct identifier")
    .then("note", Scrub())
    .then("age", Keep())
    .with_targets(quasi_identifiers=["age"], k=2)
)


def test_apply_polars() -> None:
    out = RECIPE.apply(FRAME)
    assert isinstance(out, pl.DataFrame)
    assert out.columns == ["note", "age"]
    assert out.get_column("note").to_list() == ["call <PHONE>", "fine", None, "mail <EMAIL>"]
    assert FRAME.columns[0] == "name"  # the input is untouched


def test_lazy_stays_lazy() -> None:
    out = RECIPE.apply(FRAME.lazy())
    assert isinstance(out, pl.LazyFrame)
    assert out.collect().equals(RECIPE.apply(FRAME))


def test_pandas_in_pandas_out_with_its_index() -> None:
    pdf = FRAME.to_pandas()
    pdf.index = pd.Index(["a", "b", "c", "d"], name="id")
    before = pdf.copy()
    out = RECIPE.apply(pdf)
    assert isinstance(out, pd.DataFrame)
    assert list(out.index) == ["a", "b", "c", "d"]
    assert out.index.name == "id"
    assert str(out["age"].dtype) == str(pdf["age"].dtype)
    pd.testing.assert_frame_equal(pdf, before)  # nothing mutated


def test_pandas_index_follows_dropped_rows() -> None:
    from dataclasses import dataclass

    from anonlab.transforms import Context, Transform, register_transform, registry

    @register_transform
    @dataclass(frozen=True, kw_only=True)
    class DropOld(Transform):
        op = "drop_old_test"
        scope = "frame"

        def apply(self, lf: pl.LazyFrame, column: str, ctx: Context) -> pl.LazyFrame:
            return lf.filter(pl.col(column) < 90)

    try:
        pdf = FRAME.to_pandas()
        pdf.index = pd.Index([10, 20, 30, 40])
        out = Recipe().then("age", DropOld()).apply(pdf)
        assert list(out.index) == [10, 20, 40]
    finally:
        registry._USER.pop("drop_old_test", None)


def test_arrow_in_arrow_out() -> None:
    out = RECIPE.apply(FRAME.to_arrow())
    assert isinstance(out, pa.Table)
    assert out.column_names == ["note", "age"]


def test_pandas_and_polars_agree() -> None:
    a = RECIPE.apply(FRAME)
    b = pl.from_pandas(RECIPE.apply(FRAME.to_pandas()))
    assert a.equals(b)


@pytest.mark.parametrize(
    ("recipe", "error", "message"),
    [
        (Recipe().then("nmae", Drop()), ColumnNotFoundError, r"'nmae' \(named by step 1, drop\)"),
        # a later step cannot use a column an earlier step dropped
        (Recipe().then("name", Drop()).then("name", Keep()), ColumnNotFoundError, "step 2"),
        (Recipe().then("age", Scrub()), TransformError, "cannot apply to column 'age'"),
    ],
)
def test_apply_errors(recipe: Recipe, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        recipe.apply(FRAME)


def test_yaml_and_json_round_trip() -> None:
    assert Recipe.from_yaml(RECIPE.to_yaml()) == RECIPE
    assert Recipe.from_json(RECIPE.to_json()) == RECIPE
    data = json.loads(RECIPE.to_json())
    assert data["format_version"] == 1
    assert data["steps"][0] == {"column": "name", "note": "a direct identifier", "op": "drop"}


def test_to_python_rebuilds_the_recipe() -> None:
    source = RECIPE.to_python()
    namespace: dict = {}
    exec(source, namespace)
    assert namespace["recipe"] == RECIPE


def test_yaml_a_person_would_write() -> None:
    recipe = Recipe.from_yaml(
        """
        steps:
          - column: note
            op: scrub
            kinds: [email]
          - column: name
            op: redact
        """
    )
    assert recipe.steps[0].transform == Scrub(kinds=("email",))
    assert recipe.steps[1].transform == Redact()


@pytest.mark.parametrize(
    ("text", "path", "message"),
    [
        ("steps:\n  - column: a\n    op: redakt\n", "steps[0].op", "Did you mean 'redact'"),
        ("steps:\n  - column: a\n    op: redact\n    colour: red\n", "steps[0].colour",
         "unknown parameter"),
        ("steps:\n  - op: redact\n", "steps[0]", "needs a 'column'"),
        ("steps:\n  - column: [a]\n    op: drop\n", "steps[0].column", "column name"),
        ("stepz: []\n", "stepz", "unknown field"),
        ("steps: {a: 1}\n", "steps", "list of steps"),
        ("format_version: 2\nsteps: []\n", "format_version", "upgrade anonlab"),
        ("format_version: one\n", "format_version", "positive integer"),
        ("targets: {k: 0}\n", "targets", "'k' parameter of Targets"),
        ("targets: {kay: 5}\n", "targets.kay", "unknown target"),
        ("seed: -1\n", "recipe", "'seed' parameter of Recipe"),
        ("steps: [\n", "recipe", "not valid YAML"),
        ("- a\n- b\n", "recipe", "is a mapping"),
    ],
)
def test_malformed_recipes(text: str, path: str, message: str) -> None:
    with pytest.raises(RecipeError, match=message) as exc:
        Recipe.from_yaml(text)
    assert exc.value.path == path


def test_malformed_json() -> None:
    with pytest.raises(RecipeError, match=r"not valid JSON: .* line 1"):
        Recipe.from_json("{steps: []}")


def test_in_memory_keys_are_never_written() -> None:
    from dataclasses import dataclass

    from anonlab.transforms import Transform

    @dataclass(frozen=True, kw_only=True)
    class Keyed(Transform):
        op = "keyed_recipe_test"
        key: object = None

    recipe = Recipe().then("name", Keyed(key=Key("a secret key that is long enough")))
    for write in (recipe.to_yaml, recipe.to_json, recipe.to_python):
        with pytest.raises(RecipeError, match=r"steps\[0\].*in-memory Key"):
            write()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"k": 0}, "'k' parameter of Targets must be an int >= 1"),
        ({"t_closeness": 0}, "'t_closeness' parameter of Targets must be a number in \\(0, 1\\]"),
        ({"max_suppression": 1.5}, "'max_suppression'"),
        ({"l_diversity": 2}, "need the sensitive columns"),
        ({"quasi_identifiers": ["a", "a"]}, "names a column twice"),
        ({"quasi_identifiers": [1]}, "list of column names"),
    ],
)
def test_bad_targets(kwargs: dict, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        Targets(**kwargs)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Step(3, Keep()), "'column' parameter of Step"),
        (lambda: Step("a", "drop"), "'transform' parameter of Step"),
        (lambda: Recipe(steps=("a",)), "step 0 is a str"),
        (lambda: Recipe(seed=-1), "'seed' parameter of Recipe"),
    ],
)
def test_bad_construction(build, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        build()


def test_summary_lists_steps() -> None:
    text = RECIPE.summary()
    assert text.splitlines()[0] == "Recipe 'test': 3 steps"
    assert "1. name: drop()  # a direct identifier" in text


def test_apply_lazy_needs_a_lazyframe() -> None:
    assert isinstance(RECIPE.apply_lazy(FRAME.lazy()), pl.LazyFrame)
    with pytest.raises(ParameterError, match="apply_lazy takes a polars LazyFrame"):
        RECIPE.apply_lazy(FRAME)  # type: ignore[arg-type]


def test_recipe_is_exported() -> None:
    assert anonlab.Recipe is Recipe


names = st.sampled_from(["name", "note", "age"])
simple_steps = st.lists(
    st.one_of(
        st.builds(lambda c: Step(c, Keep()), names),
        st.builds(lambda c, v: Step(c, Redact(value=v)), names, st.text(max_size=5)),
        st.builds(lambda c: Step(c, Drop()), names),
    ),
    max_size=5,
)


@settings(max_examples=60, deadline=None)
@given(steps=simple_steps, seed=st.integers(0, 2**31), name=st.text(max_size=10))
def test_any_recipe_survives_write_and_read(steps: list[Step], seed: int, name: str) -> None:
    recipe = Recipe(steps=tuple(steps), seed=seed, name=name)
    assert Recipe.from_yaml(recipe.to_yaml()) == recipe
    assert Recipe.from_json(recipe.to_json()) == recipe
    namespace: dict = {}
    exec(recipe.to_python(), namespace)
    assert namespace["recipe"] == recipe


@pytest.mark.parametrize(
    "text", ["x\x85y", "a\u2028b", "c\u2029d", "tab\there", "cr\rlf\n", "\ufeffbom"]
)
def test_yaml_keeps_line_break_like_characters(text: str) -> None:
    # PyYAML writes these raw with allow_unicode and reads them back as line breaks
    recipe = Recipe(steps=(Step(text, Redact(value=text)),), name=text)
    assert Recipe.from_yaml(recipe.to_yaml()) == recipe


@pytest.mark.parametrize(
    ("reader", "text", "message"),
    [
        (Recipe.from_yaml, "steps: []\nsteps: []\n", "key 'steps' is given twice"),
        (Recipe.from_yaml, "steps:\n- column: a\n  op: keep\n  op: drop\n", "'op' is given twice"),
        (Recipe.from_json, '{"steps": [], "steps": []}', "key 'steps' is given twice"),
        (Recipe.from_yaml, b"\xff\xfe", "not UTF-8"),
        (Recipe.from_json, b"\xff", "not UTF-8"),
        (Recipe.from_yaml, "[" * 5000, "nested too deeply"),
        (Recipe.from_json, "[" * 100_000, "nested too deeply"),
        (Recipe.from_yaml, "a: {? [1]: 2}", "mapping key must be a plain value"),
    ],
)
def test_ambiguous_or_unreadable_text_is_refused(reader, text, message: str) -> None:
    with pytest.raises(RecipeError, match=message):
        reader(text)


def test_scrub_kinds_must_be_names() -> None:
    data = {"steps": [{"column": "note", "op": "scrub", "kinds": [["email"]]}]}
    with pytest.raises(RecipeError, match="kinds"):
        Recipe.from_dict(data)


@pytest.mark.parametrize("kind", ["pandas", "polars", "arrow"])
def test_helper_columns_never_clash_with_the_callers(kind: str) -> None:
    # the row number a pandas result is re-indexed by is called __anonlab_row internally
    frame = pl.DataFrame({"__anonlab_row": [7, 8, 9], "name": ["a", "b", "c"]})
    given = {"pandas": frame.to_pandas(), "polars": frame, "arrow": frame.to_arrow()}[kind]
    out = Recipe(steps=(Step("name", Redact(value="x")),)).apply(given)
    back = pl.from_pandas(out) if kind == "pandas" else pl.DataFrame(out)
    assert back["__anonlab_row"].to_list() == [7, 8, 9]
    assert back["name"].to_list() == ["x", "x", "x"]


@pytest.mark.parametrize("kind", ["pandas", "polars", "arrow"])
def test_an_empty_column_name_is_kept(kind: str) -> None:
    frame = pl.DataFrame({"": [1, 2], "name": ["a", "b"]})
    given = {"pandas": frame.to_pandas(), "polars": frame, "arrow": frame.to_arrow()}[kind]
    out = Recipe(steps=(Step("name", Redact(value="x")),)).apply(given)
    names = list(out.columns) if kind != "arrow" else out.column_names
    assert names == ["", "name"]


def test_targets_as_privacy_models() -> None:
    from anonlab.risk import KAnonymity, LDiversity, TCloseness

    targets = Targets(quasi_identifiers=["age"], sensitive=["s", "u"], k=5, l_diversity=2,
                      t_closeness=0.3)
    assert targets.models() == [KAnonymity(5), LDiversity("s", 2), TCloseness("s", 0.3),
                                LDiversity("u", 2), TCloseness("u", 0.3)]
    assert Targets(quasi_identifiers=["age"]).models() == []


# -- regression: Targets hold any privacy model (anonlab issue 12) ---------------------------------
def test_targets_hold_any_privacy_model_and_round_trip() -> None:
    from anonlab.hierarchies import Hierarchy
    from anonlab.risk import BetaLikeness, KAnonymity, LDiversity, TCloseness

    h = Hierarchy.from_mapping({"x": ("*",), "y": ("*",)})
    extra = (LDiversity("s", 2, "entropy"), LDiversity("s", 3, "recursive", c=2.0),
             BetaLikeness("d", 1.5, enhanced=True), TCloseness("s", 0.2, hierarchy=h),
             TCloseness("n", 0.3, order=(3, 1, 2)))
    targets = Targets(quasi_identifiers=["age"], sensitive=["s"], k=5, l_diversity=2,
                      privacy_models=extra)
    assert targets.models() == [KAnonymity(5), LDiversity("s", 2), *extra]
    assert targets.sensitive == ("s",)  # the shorthands do not spread to the models' columns
    assert targets.sensitive_columns == ("s", "d", "n")
    recipe = Recipe(targets=targets)
    for text, read in ((recipe.to_yaml(), Recipe.from_yaml), (recipe.to_json(), Recipe.from_json)):
        again = read(text)
        assert again == recipe
        assert again.targets is not None and again.targets.models() == targets.models()
    namespace: dict = {}
    exec(recipe.to_python(), namespace)
    assert namespace["recipe"] == recipe
    # plain data is accepted in place of model objects
    plain = Targets(quasi_identifiers=["age"], privacy_models=[m.to_dict() for m in extra])
    assert plain.privacy_models == extra


def test_old_target_keys_still_read() -> None:
    from anonlab.risk import KAnonymity, LDiversity, TCloseness

    text = ("format_version: 1\nsteps: []\ntargets:\n  quasi_identifiers: [age]\n"
            "  sensitive: [s]\n  k: 3\n  l_diversity: 2\n  t_closeness: 0.4\n")
    targets = Recipe.from_yaml(text).targets
    assert targets is not None
    assert targets.models() == [KAnonymity(3), LDiversity("s", 2), TCloseness("s", 0.4)]
    assert "privacy_models" not in Recipe.from_yaml(text).to_yaml()


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        ("  privacy_models: [{model: l_diverse, column: s, l: 2}]\n",
         r"targets.privacy_models\[0\].model: unknown privacy model 'l_diverse'"),
        ("  privacy_models: [{model: l_diversity, column: s, l: 2, q: 1}]\n",
         r"targets.privacy_models\[0\].q: unknown parameter"),
        ("  privacy_models: {model: k_anonymity, k: 2}\n", "must be a list of privacy models"),
        ("  privacy_models: [{model: l_diversity, column: age, l: 2}]\n",
         "'age' is both a quasi-identifier and the sensitive column"),
    ],
)
def test_bad_privacy_models_fail_with_their_path(targets: str, message: str) -> None:
    text = "steps: []\ntargets:\n  quasi_identifiers: [age]\n" + targets
    with pytest.raises(RecipeError, match=message):
        Recipe.from_yaml(text)


def test_bad_privacy_models_parameter() -> None:
    with pytest.raises(ParameterError, match="'privacy_models' parameter of Targets"):
        Targets(privacy_models=[3])
    with pytest.raises(ParameterError, match="'privacy_models' parameter of Targets"):
        Targets(privacy_models="k")

"""Suppression: rare values, whole records, and local suppression of cells for k-anonymity."""

from __future__ import annotations

import itertools

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anonlab import Recipe, Step
from anonlab.errors import ColumnNotFoundError, ParameterError, RecipeError, TransformError
from anonlab.suppressed import wildcard
from anonlab.transforms import Context, transform_from_dict
from anonlab.transforms.suppression import (
    LocalSuppress,
    SuppressRare,
    SuppressRecords,
    compatible_counts,
)
from tests import brute_force as brute


def run(transform, frame: pl.DataFrame | dict, column: str | None = None) -> pl.DataFrame:
    """Apply one transform the way a recipe does; the column defaults to the first QI."""
    lf = pl.DataFrame(frame).lazy() if isinstance(frame, dict) else frame.lazy()
    if column is None:
        column = (getattr(transform, "quasi_identifiers", ()) or lf.collect_schema().names())[0]
    ctx = Context(schema=lf.collect_schema(), seed=0)
    return transform.apply(lf, column, ctx).collect()


def brute_sizes(rows: list[tuple]) -> list[int]:
    """Independent checker: for each record, the records agreeing wherever both are non-null,
    records null on every column counting for no one (anonlab.suppressed)."""
    kept = [s for s in rows if not brute.suppressed(s)]
    return [sum(brute.compatible(r, s) for s in kept) for r in rows]


def k_reached(rows: list[tuple], k: int) -> bool:
    """Every record that is not suppressed has k compatible records (itself included)."""
    return all(f == 0 or f >= k for f in brute.frequencies(rows))


def qi_rows(df: pl.DataFrame, qis: tuple[str, ...]) -> list[tuple]:
    return df.select(qis).rows()


# -- suppress_rare ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("values", "dtype", "params", "expected"),
    [
        # "c" is seen once: below min_count=2
        (["a", "a", "b", "b", "c"], pl.String, {"min_count": 2}, ["a", "a", "b", "b", None]),
        # min_count=3 also removes the pairs
        (["a", "a", "a", "b", "b"], pl.String, {"min_count": 3}, ["a", "a", "a", None, None]),
        # nulls stay null and do not count as a rare value
        ([None, None, "x", "x"], pl.String, {"min_count": 2}, [None, None, "x", "x"]),
        # replacement text instead of null
        (["a", "a", "z"], pl.String, {"min_count": 2, "replacement": "other"},
         ["a", "a", "other"]),
        # replacement leaves nulls alone
        (["a", "a", None], pl.String, {"min_count": 2, "replacement": "?"}, ["a", "a", None]),
        # numbers work without a replacement (dtype kept)
        ([1, 1, 2, 3, 3], pl.Int64, {"min_count": 2}, [1, 1, None, 3, 3]),
        ([1.5, 1.5, 2.5], pl.Float64, {"min_count": 2}, [1.5, 1.5, None]),
        # nothing rare: unchanged
        (["a", "a"], pl.String, {"min_count": 2}, ["a", "a"]),
        # everything rare
        (["a", "b", "c"], pl.String, {"min_count": 2}, [None, None, None]),
    ],
)
def test_suppress_rare(values: list, dtype: pl.DataType, params: dict, expected: list) -> None:
    out = run(SuppressRare(**params), pl.DataFrame({"c": values}, schema={"c": dtype}))
    assert out["c"].to_list() == expected
    assert out.schema["c"] == dtype


def test_suppress_rare_categorical_and_enum_keep_their_dtype() -> None:
    cat = pl.DataFrame({"c": ["a", "a", "b"]}, schema={"c": pl.Categorical})
    out = run(SuppressRare(min_count=2, replacement="other"), cat)
    assert out["c"].to_list() == ["a", "a", "other"]
    assert out.schema["c"] == pl.Categorical
    enum = pl.Enum(["a", "b", "other"])
    out = run(SuppressRare(min_count=2, replacement="other"),
              pl.DataFrame({"c": ["a", "a", "b"]}, schema={"c": enum}))
    assert out["c"].to_list() == ["a", "a", "other"]
    assert out.schema["c"] == enum
    out = run(SuppressRare(min_count=2), pl.DataFrame({"c": ["a", "a", "b"]}, schema={"c": enum}))
    assert out["c"].to_list() == ["a", "a", None]


@pytest.mark.parametrize(
    "frame",
    [
        pl.DataFrame({"c": [1, 1, 2]}),  # a replacement text cannot go into numbers
        pl.DataFrame({"c": ["a", "b"]}, schema={"c": pl.Enum(["a", "b"])}),  # not a category
    ],
)
def test_suppress_rare_refuses_replacement_it_cannot_write(frame: pl.DataFrame) -> None:
    with pytest.raises(TransformError, match="'c'"):
        run(SuppressRare(min_count=2, replacement="other"), frame)


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"min_count": 1}, "min_count"),
        ({"min_count": True}, "min_count"),
        ({"min_count": "3"}, "min_count"),
        ({"min_count": 2, "replacement": 0}, "replacement"),
    ],
)
def test_suppress_rare_bad_parameters(params: dict, name: str) -> None:
    with pytest.raises(ParameterError, match=f"'{name}' parameter of SuppressRare"):
        SuppressRare(**params)


# -- suppress_records ------------------------------------------------------------------------------
PEOPLE = {
    "zip": ["02139", "02139", "02139", "10001", "10001", None, None, "94110"],
    "sex": ["F", "F", "F", "M", "M", "F", "F", "M"],
    "age": [34, 34, 34, 91, 45, 23, 23, 95],
    "income": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
}


@pytest.mark.parametrize(
    ("params", "kept_incomes"),
    [
        # classes on (zip, sex): 3 x (02139,F), 2 x (10001,M), 2 x (null,F), 1 x (94110,M);
        # a null zip matches any zip, so (null, F) and (02139, F) are all five in one class
        ({"quasi_identifiers": ("zip", "sex"), "k": 2}, [1, 2, 3, 4, 5, 6, 7]),
        ({"quasi_identifiers": ("zip", "sex"), "k": 3}, [1, 2, 3, 6, 7]),
        ({"quasi_identifiers": ("zip", "sex"), "k": 5}, [1, 2, 3, 6, 7]),
        ({"quasi_identifiers": ("zip", "sex"), "k": 6}, []),
        # adding age splits (10001, M) in two
        ({"quasi_identifiers": ("zip", "sex", "age"), "k": 2}, [1, 2, 3, 6, 7]),
        # a single quasi-identifier, named as a plain string
        ({"quasi_identifiers": "sex", "k": 4}, [1, 2, 3, 6, 7]),
        # predicate mode: the matching rows go
        ({"where": "age > 89"}, [1, 2, 3, 5, 6, 7]),
        ({"where": "age > 89 AND sex = 'F'"}, [1, 2, 3, 4, 5, 6, 7, 8]),
        ({"where": "sex = 'M' OR age < 30"}, [1, 2, 3]),
        # a predicate that is null (zip missing) does not match: those rows stay
        ({"where": "zip = '10001'"}, [1, 2, 3, 6, 7, 8]),
        ({"where": "zip IS NULL"}, [1, 2, 3, 4, 5, 8]),
    ],
)
def test_suppress_records(params: dict, kept_incomes: list) -> None:
    out = run(SuppressRecords(**params), PEOPLE)
    assert out["income"].to_list() == [float(v) for v in kept_incomes]  # row order kept
    assert out.columns == list(PEOPLE)


def test_suppress_records_quoted_column_names() -> None:
    frame = {"marital-status": ["Widowed", "Married", "Married"]}
    out = run(SuppressRecords(where="\"marital-status\" = 'Widowed'"), frame, "marital-status")
    assert out["marital-status"].to_list() == ["Married", "Married"]


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"where": "age >>> 3"}, "'where' parameter of SuppressRecords"),
        ({"where": "age > 3; DROP TABLE t"}, "'where' parameter of SuppressRecords"),
        ({"where": ""}, "'where' parameter of SuppressRecords"),
        ({"where": 3}, "'where' parameter of SuppressRecords"),
        ({}, "either 'where'"),
        ({"where": "age > 3", "quasi_identifiers": ("zip",), "k": 2}, "not both"),
        ({"where": "age > 3", "k": 2}, "not both"),
        ({"quasi_identifiers": ("zip",)}, "'k' parameter of SuppressRecords"),
        ({"quasi_identifiers": ("zip",), "k": 1}, "'k' parameter of SuppressRecords"),
        ({"quasi_identifiers": ("zip", "zip"), "k": 2}, "each named once"),
        ({"quasi_identifiers": (1,), "k": 2}, "'quasi_identifiers' parameter"),
        ({"quasi_identifiers": ("zip",), "k": 2, "max_fraction": 1.5}, "'max_fraction'"),
        ({"quasi_identifiers": ("zip",), "k": 2, "max_fraction": -0.1}, "'max_fraction'"),
        ({"quasi_identifiers": ("zip",), "k": 2, "max_fraction": "5%"}, "'max_fraction'"),
    ],
)
def test_suppress_records_bad_parameters(params: dict, match: str) -> None:
    # a bad predicate fails when the transform is built, naming the parameter
    with pytest.raises(ParameterError, match=match):
        SuppressRecords(**params)


def test_suppress_records_frame_faults() -> None:
    with pytest.raises(ColumnNotFoundError, match="'height'"):
        run(SuppressRecords(where="height > 2"), PEOPLE, "zip")
    with pytest.raises(ColumnNotFoundError, match="'city'"):
        run(SuppressRecords(quasi_identifiers=("zip", "city"), k=2), PEOPLE)
    with pytest.raises(TransformError, match="not true/false"):
        run(SuppressRecords(where="age + 1"), PEOPLE, "zip")


def test_max_fraction_refuses_to_drop_more() -> None:
    # k=3 would drop 3 of 8 rows (37.5%)
    t = SuppressRecords(quasi_identifiers=("zip", "sex"), k=3, max_fraction=0.25)
    with pytest.raises(TransformError, match=r"would drop 3 of 8 rows \(37\.5%\).*\(2 rows\)"):
        run(t, PEOPLE)
    with pytest.raises(TransformError, match="would drop 2 of 8 rows"):
        run(SuppressRecords(where="age > 89", max_fraction=0.2), PEOPLE, "zip")
    # at or under the limit the rows go
    assert run(SuppressRecords(where="age > 89", max_fraction=0.25), PEOPLE, "zip").height == 6
    no_loss = SuppressRecords(quasi_identifiers=("sex",), k=2, max_fraction=0.0)
    assert run(no_loss, PEOPLE).height == 8


def test_suppress_records_empty_frame() -> None:
    empty = pl.DataFrame(PEOPLE).clear()
    for t in (
        SuppressRecords(quasi_identifiers=("zip", "sex"), k=2, max_fraction=0.0),
        SuppressRecords(where="age > 89", max_fraction=0.0),
    ):
        out = run(t, empty, "zip")
        assert out.height == 0
        assert out.schema == empty.schema


QI_VALUES = st.one_of(st.none(), st.sampled_from(["a", "b", "c", "*"]))  # null and * mark


@st.composite
def qi_frames(draw, *, max_rows: int = 30, with_nulls: bool = True) -> tuple[pl.DataFrame, tuple]:
    width = draw(st.integers(1, 3))
    rows = draw(st.integers(0, max_rows))
    values = QI_VALUES if with_nulls else st.sampled_from(["a", "b", "c"])
    ages = st.one_of(st.none(), st.integers(20, 23)) if with_nulls else st.integers(20, 23)
    data: dict[str, list] = {}
    for j in range(width):
        strategy = ages if j == 1 else values
        data[f"k{j}"] = draw(st.lists(strategy, min_size=rows, max_size=rows))
    schema = {name: (pl.Int64 if name == "k1" else pl.String) for name in data}
    frame = pl.DataFrame(data, schema=schema).with_row_index("row")
    return frame, tuple(data)


@settings(max_examples=80, deadline=None)
@given(case=qi_frames(), k=st.integers(2, 5))
def test_after_suppress_records_every_class_has_k(case, k: int) -> None:
    frame, qis = case
    out = run(SuppressRecords(quasi_identifiers=qis, k=k), frame)
    assert k_reached(qi_rows(out, qis), k)
    # only records below k went, rows in order: what is kept is a sub-sequence, and every
    # record of the input that reaches k in the output's company is kept
    assert set(out["row"].to_list()) <= set(frame["row"].to_list())
    assert out["row"].to_list() == sorted(out["row"].to_list())
    if k_reached(qi_rows(frame, qis), k):
        assert out.equals(frame)


def test_suppress_records_agrees_with_pycanon() -> None:
    anonymity = pytest.importorskip("pycanon.anonymity")
    import anonlab.datasets

    qis = ["sex", "age", "race", "marital-status"]
    adult = anonlab.datasets.adult().head(3000)
    assert anonymity.k_anonymity(adult.to_pandas(), qis) < 5
    for k in (2, 5, 10):
        out = run(SuppressRecords(quasi_identifiers=qis, k=k), adult)
        assert anonymity.k_anonymity(out.to_pandas(), qis) >= k


# -- compatible counts (the rule local_suppress relies on) ----------------------------------------
@settings(max_examples=100, deadline=None)
@given(case=qi_frames(max_rows=25))
def test_compatible_counts_match_brute_force(case) -> None:
    frame, qis = case
    # compatible_counts takes null as the wildcard: "*" is read as null first (wildcard())
    work = frame.select(wildcard(q, frame.schema[q]).alias(f"q{j}") for j, q in enumerate(qis))
    assert compatible_counts(work, work).to_list() == brute_sizes(qi_rows(frame, qis))


def test_compatible_counts_for_other_queries() -> None:
    data = pl.DataFrame({"q0": ["a", "a", None, "b"], "q1": [1, 2, 1, None]})
    queries = pl.DataFrame({"q0": [None, "a", "c", None], "q1": [None, None, 3, 2]})
    expected = [
        sum(all(a is None or b is None or a == b for a, b in zip(q, s, strict=True))
            for s in data.rows())
        for q in queries.rows()
    ]
    assert expected == [4, 3, 0, 2]
    assert compatible_counts(data, queries).to_list() == expected
    assert compatible_counts(data.clear(), queries).to_list() == [0, 0, 0, 0]
    assert compatible_counts(data, queries.clear()).to_list() == []


# -- local_suppress --------------------------------------------------------------------------------
def test_local_suppress_small_example() -> None:
    # (02139, F) x2, (02139, M) x1, (10001, F) x1 and k=2. Only one blank helps each odd record:
    # (02139, null) matches three records, (null, M) only itself; (null, F) matches three,
    # (10001, null) only itself. Both columns have two values, so both have importance 1.
    frame = pl.DataFrame(
        {"zip": ["02139", "02139", "02139", "10001"], "sex": ["F", "F", "M", "F"],
         "v": [1, 2, 3, 4]}
    )
    ctx = Context(schema=frame.schema, seed=0, step=4)
    t = LocalSuppress(quasi_identifiers=("zip", "sex"), k=2)
    out = t.apply(frame.lazy(), "zip", ctx).collect()
    assert out.rows() == [("02139", "F", 1), ("02139", "F", 2), ("02139", None, 3), (None, "F", 4)]
    summary = ctx.side_outputs["local_suppress:4"]  # named after the step's position
    assert summary.rows() == [("zip", 1, 1), ("sex", 1, 1)]


@pytest.mark.parametrize(
    ("importance", "expected"),
    [
        # every record of (a, x), (a, y), (b, x) is unique. For (a, x) either blank helps:
        # (null, x) and (a, null) both match two records, so importance decides.
        # p matters more (1): (a, x) loses q
        ({"p": 1, "q": 2}, [("a", None), ("a", None), (None, "x")]),
        # q matters more: (a, x) loses p
        ({"p": 2, "q": 1}, [(None, "x"), ("a", None), (None, "x")]),
        # by default both have two values (a tie), and the later column goes first
        (None, [("a", None), ("a", None), (None, "x")]),
    ],
)
def test_local_suppress_follows_importance(importance: dict | None, expected: list) -> None:
    # (a, y) and (b, x) each have one blank that helps, whatever the importance
    frame = pl.DataFrame({"p": ["a", "a", "b"], "q": ["x", "y", "x"]})
    out = run(LocalSuppress(quasi_identifiers=("p", "q"), k=2, importance=importance), frame)
    assert out.rows() == expected
    assert min(brute_sizes(out.rows())) >= 2


def test_local_suppress_falls_back_to_least_important_when_no_blank_helps() -> None:
    # (c, z) shares no value with anyone: no single blank helps, so the least important column
    # goes first (p, importance 2), then q in the next round
    frame = pl.DataFrame({"p": ["a", "a", "c"], "q": ["x", "x", "z"]})
    ctx = Context(schema=frame.schema)
    t = LocalSuppress(quasi_identifiers=("p", "q"), k=2, importance={"p": 2, "q": 1})
    out = t.apply(frame.lazy(), "p", ctx).collect()
    assert out.rows() == [("a", "x"), ("a", "x"), (None, None)]
    assert ctx.side_outputs["local_suppress:0"].rows() == [("p", 2, 1), ("q", 1, 1)]


def test_local_suppress_uses_existing_nulls() -> None:
    # the null zip already matches every zip: (null, F) and the two (02139, F) form a class
    frame = pl.DataFrame({"zip": ["02139", "02139", None], "sex": ["F", "F", "F"]})
    out = run(LocalSuppress(quasi_identifiers=("zip", "sex"), k=3), frame)
    assert out.equals(frame)


def test_local_suppress_empty_and_too_small() -> None:
    empty = pl.DataFrame({"zip": [], "sex": []}, schema={"zip": pl.String, "sex": pl.String})
    ctx = Context(schema=empty.schema)
    out = LocalSuppress(quasi_identifiers=("zip", "sex"), k=2).apply(empty.lazy(), "zip", ctx)
    assert out.collect().equals(empty)
    assert ctx.side_outputs["local_suppress:0"]["suppressed"].to_list() == [0, 0]
    with pytest.raises(TransformError, match="only 2 records"):
        run(LocalSuppress(quasi_identifiers=("zip",), k=3), {"zip": ["a", "b"]})


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"quasi_identifiers": (), "k": 2}, "quasi_identifiers"),
        ({"quasi_identifiers": ("a", "a"), "k": 2}, "quasi_identifiers"),
        ({"quasi_identifiers": {"a": 1}, "k": 2}, "quasi_identifiers"),
        ({"quasi_identifiers": ("a",), "k": 1}, "k"),
        ({"quasi_identifiers": ("a",), "k": 2.0}, "k"),
        ({"quasi_identifiers": ("a", "b"), "k": 2, "importance": [1, 2]}, "importance"),
        ({"quasi_identifiers": ("a", "b"), "k": 2, "importance": {"a": 1}}, "importance"),
        ({"quasi_identifiers": ("a",), "k": 2, "importance": {"a": 1, "c": 2}}, "importance"),
        ({"quasi_identifiers": ("a",), "k": 2, "importance": {"a": "high"}}, "importance"),
    ],
)
def test_local_suppress_bad_parameters(params: dict, name: str) -> None:
    with pytest.raises(ParameterError, match=f"'{name}' parameter of LocalSuppress"):
        LocalSuppress(**params)


def test_local_suppress_missing_column() -> None:
    with pytest.raises(ColumnNotFoundError, match="'age'"):
        run(LocalSuppress(quasi_identifiers=("zip", "age"), k=2), {"zip": ["a", "a"]})


@settings(max_examples=80, deadline=None)
@given(case=qi_frames(), k=st.integers(2, 4))
def test_after_local_suppress_every_record_has_k_compatible(case, k: int) -> None:
    frame, qis = case
    if 0 < frame.height < k:
        with pytest.raises(TransformError):
            run(LocalSuppress(quasi_identifiers=qis, k=k), frame)
        return
    ctx = Context(schema=frame.schema)
    t = LocalSuppress(quasi_identifiers=qis, k=k)
    out = t.apply(frame.lazy(), qis[0], ctx).collect()
    assert k_reached(qi_rows(out, qis), k)
    # no record dropped or reordered, other columns untouched, cells only ever blanked
    assert out.columns == frame.columns
    assert out["row"].equals(frame["row"])
    for q in qis:
        kept = out[q].is_not_null()
        assert out[q].filter(kept).equals(frame[q].filter(kept))
    # the summary counts the new blanks
    added = [out[q].null_count() - frame[q].null_count() for q in qis]
    assert ctx.side_outputs["local_suppress:0"]["suppressed"].to_list() == added
    # an already k-anonymous frame (under the null rule) is left alone
    if k_reached(qi_rows(frame, qis), k):
        assert out.equals(frame)


def test_local_suppress_blanks_little_on_a_tidy_table() -> None:
    # 20 rows in classes of 4 plus one odd record: only the odd record may lose cells
    base = list(itertools.product(["a", "b"], ["x", "y"])) * 5
    frame = pl.DataFrame(
        [(*r, i) for i, r in enumerate([*base, ("c", "x")])],
        schema={"p": pl.String, "q": pl.String, "i": pl.Int64},
        orient="row",
    )
    out = run(LocalSuppress(quasi_identifiers=("p", "q"), k=4), frame)
    assert out.head(20).equals(frame.head(20))
    assert out.row(20) == (None, "x", 20)


# -- plain data, determinism, recipes -------------------------------------------------------------
@pytest.mark.parametrize(
    "transform",
    [
        SuppressRare(min_count=3),
        SuppressRare(min_count=2, replacement="other"),
        SuppressRecords(where="age > 89 AND sex = 'F'", max_fraction=0.05),
        SuppressRecords(quasi_identifiers=("zip", "sex"), k=5),
        LocalSuppress(quasi_identifiers=("zip", "sex"), k=3),
        LocalSuppress(quasi_identifiers=("zip", "sex"), k=3, importance={"sex": 1, "zip": 2}),
    ],
)
def test_plain_data_round_trip(transform) -> None:
    data = transform.to_dict()
    assert data["op"] == transform.op
    again = transform_from_dict(data)
    assert again == transform
    assert type(again).from_dict(data) == transform
    hash(transform)  # usable as a dict key like every transform


def test_from_dict_faults_name_the_path() -> None:
    with pytest.raises(RecipeError, match=r"steps\[0\]: .*'where' parameter"):
        transform_from_dict({"op": "suppress_records", "where": "age >>"}, path="steps[0]")
    with pytest.raises(RecipeError, match="missing parameter 'k'"):
        transform_from_dict({"op": "local_suppress", "quasi_identifiers": ["zip"]})


def test_deterministic() -> None:
    frame = pl.DataFrame(PEOPLE)
    for t in (
        SuppressRare(min_count=2),
        SuppressRecords(quasi_identifiers=("zip", "sex"), k=2),
        LocalSuppress(quasi_identifiers=("zip", "sex", "age"), k=2),
    ):
        first = run(t, frame)
        assert all(run(t, frame).equals(first) for _ in range(3))


def test_in_a_recipe() -> None:
    # multi-column steps have no column of their own: Step(None, ...) hands them their first QI
    recipe = Recipe(
        steps=(
            Step(None, SuppressRecords(where="age > 89")),
            Step("zip", SuppressRare(min_count=2)),
            Step(None, LocalSuppress(quasi_identifiers=("zip", "sex", "age"), k=2)),
        )
    )
    side: dict[str, pl.DataFrame] = {}
    out = recipe.apply(pl.DataFrame(PEOPLE), side_outputs=side)
    assert out["income"].to_list() == [1.0, 2.0, 3.0, 5.0, 6.0, 7.0]  # 91 and 95 went
    assert min(brute_sizes(qi_rows(out, ("zip", "sex", "age")))) >= 2
    assert side["local_suppress:2"]["column"].to_list() == ["zip", "sex", "age"]
    assert Recipe.from_yaml(recipe.to_yaml()) == recipe

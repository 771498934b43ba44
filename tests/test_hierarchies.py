"""Generalization hierarchies: ARX files, validation, polars mapping, builders, properties."""

from __future__ import annotations

import datetime as dt
import pickle
import tempfile
from importlib.resources import files
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import anonlab.datasets
from anonlab.datasets.adult import COLUMNS
from anonlab.errors import (
    AnonlabError,
    ColumnNotFoundError,
    HierarchyError,
    ParameterError,
)
from anonlab.hierarchies import Hierarchy

ADULT_COLUMNS = list(COLUMNS)
SHARED = Path("/work/shared/data/adult")


def adult_file(column: str):
    return files("anonlab.datasets") / "data" / f"adult_hierarchy_{column}.csv"


@pytest.fixture(scope="module")
def adult() -> pl.DataFrame:
    return anonlab.datasets.adult()


@pytest.fixture(scope="module")
def reference() -> dict[str, dict[str, tuple[str, ...]]]:
    return anonlab.datasets.adult_hierarchies()


def consistent(h: Hierarchy) -> bool:
    """Two values with the same level-i label have the same level-(i+1) label, at every i."""
    rows = h.to_rows()
    for level in range(h.height):
        above: dict[str, str] = {}
        for row in rows:
            if above.setdefault(row[level], row[level + 1]) != row[level + 1]:
                return False
    return True


# ---- the Adult hierarchies, as shipped


@pytest.mark.parametrize(
    ("column", "n_values", "height"),
    [
        ("sex", 2, 1),  # Male, Female -> *
        ("age", 100, 4),  # ages 1..100 (ARX labels shifted by one), 5/10/20-year bands, *
        ("race", 5, 1),  # flat: value -> *
        ("marital-status", 7, 2),  # spouse present / not present, *
        ("education", 16, 3),  # Undergraduate.. -> Higher/Secondary/Primary education -> *
        ("native-country", 41, 2),  # continent, *; the file has no final newline
        ("workclass", 8, 2),  # includes Never-worked, absent from the data
        ("occupation", 14, 2),  # Technical / Nontechnical / Other, *
        ("salary-class", 2, 1),  # <=50K, >50K -> *
    ],
)
def test_every_adult_hierarchy_loads_from_the_package_data(
    column: str, n_values: int, height: int, reference: dict
) -> None:
    h = Hierarchy.from_arx_csv(adult_file(column))
    assert h.column == column  # the ARX naming convention gives the column
    assert (len(h), h.height) == (n_values, height)
    assert h.to_mapping() == reference[column]
    assert h.labels(height) == ("*",)


def test_the_table_above_covers_every_adult_column(reference: dict) -> None:
    assert set(ADULT_COLUMNS) == set(reference) == {
        "sex", "age", "race", "marital-status", "education", "native-country", "workclass",
        "occupation", "salary-class",
    }


@pytest.mark.skipif(not SHARED.is_dir(), reason="no shared copy of the ARX files")
@pytest.mark.parametrize("column", ADULT_COLUMNS)
def test_the_shared_copies_of_the_arx_files_load_the_same(column: str) -> None:
    shared = Hierarchy.from_arx_csv(SHARED / f"adult_hierarchy_{column}.csv")
    assert shared == Hierarchy.from_arx_csv(adult_file(column))


@pytest.mark.parametrize("column", ADULT_COLUMNS)
def test_every_adult_data_value_is_covered(column: str, adult: pl.DataFrame) -> None:
    h = Hierarchy.from_arx_csv(adult_file(column))
    h.check(adult[column])  # age is Int64, matched by its string form
    h.check(adult[column].cast(pl.String), identifier=True)
    top = h.apply(adult, h.height)
    assert top[column].unique().to_list() == ["*"]


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        # the brief's two examples
        ("education", "Bachelors", ("Bachelors", "Undergraduate", "Higher education", "*")),
        ("age", 39, ("39", "35-39", "30-39", "20-39", "*")),
        # ARX's shifted age labels are kept: 35 is in "30-34", 40 in "35-39"
        ("age", 35, ("35", "30-34", "30-39", "20-39", "*")),
        ("age", 40, ("40", "35-39", "30-39", "20-39", "*")),
        # a value at the end of the file, which has no final newline
        ("native-country", "Holand-Netherlands", ("Holand-Netherlands", "Europe", "*")),
        # a flat hierarchy
        ("sex", "Female", ("Female", "*")),
        ("marital-status", "Divorced", ("Divorced", "spouse not present", "*")),
    ],
)
def test_expr_gives_the_file_labels_at_each_level(
    column: str, value: object, expected: tuple[str, ...]
) -> None:
    h = Hierarchy.from_arx_csv(adult_file(column))
    frame = pl.DataFrame({column: [value, None]})
    got = tuple(frame.select(h.expr(column, lvl))[column][0] for lvl in range(h.height + 1))
    assert got == expected
    assert h.levels(value) == expected
    assert frame.select(h.expr(column, 1))[column][1] is None  # nulls stay null


@pytest.mark.parametrize("column", ADULT_COLUMNS)
def test_adult_files_round_trip_byte_for_byte(column: str, tmp_path: Path) -> None:
    source = adult_file(column)
    h = Hierarchy.from_arx_csv(source)
    out = tmp_path / f"adult_hierarchy_{column}.csv"
    h.to_arx_csv(out)
    original = source.read_bytes()
    normalized = original if original.endswith(b"\n") else original + b"\n"
    assert out.read_bytes() == normalized
    assert Hierarchy.from_arx_csv(out) == h
    assert not list(tmp_path.glob(".*.tmp"))  # the temporary file was renamed away


# ---- reading ARX files: what is tolerated and what is refused


EDU = "Bachelors;Undergraduate;Higher education;*\nMasters;Graduate;Higher education;*\n"


@pytest.mark.parametrize(
    "content",
    [
        EDU.encode(),  # as ARX writes it
        EDU.rstrip("\n").encode(),  # no final newline
        EDU.replace("\n", "\r\n").encode(),  # CRLF line endings
        b"\xef\xbb\xbf" + EDU.encode(),  # a UTF-8 byte-order mark
        ("\n" + EDU.replace("*\n", "*\n\n")).encode(),  # blank lines are skipped
        EDU.replace("Masters", '"Masters"').encode(),  # a quoted field
    ],
)
def test_tolerated_variations_of_the_format(content: bytes, tmp_path: Path) -> None:
    path = tmp_path / "edu_hierarchy_education.csv"
    path.write_bytes(content)
    h = Hierarchy.from_arx_csv(path)
    assert h == Hierarchy(
        [r.split(";") for r in EDU.splitlines()], column="education"
    )


@pytest.mark.parametrize(
    ("content", "fragments"),
    [
        # a ragged row: the message gives its line number and the expected field count
        (b"a;x;*\nb;x;*\nc;*\n", ["Line 3", "has 2 fields", "line 1 has 3"]),
        # a ragged row after a blank line: still the physical line number
        (b"a;x;*\n\nc;x;*;*\n", ["Line 3", "has 4 fields"]),
        # the same value twice
        (b"a;x;*\nb;x;*\na;y;*\n", ["'a' appears twice", "line 1", "line 3"]),
        # inconsistent levels: 'x' generalizes to two different labels at level 2
        (b"a;x;p;*\nb;x;q;*\n", ["label 'x' at level 1", "'p'", "'q'", "line 2"]),
        # an empty file and a file of blank lines
        (b"", ["has no rows"]),
        (b"\n\r\n\n", ["has no rows"]),
        # a single column: no generalization at all
        (b"a\nb\n", ["needs the value and at least one"]),
        # an empty label
        (b"a;;*\n", ["level 1 is an empty string"]),
        # not UTF-8
        (b"caf\xe9;*\n", ["not UTF-8"]),
        # a quote left open
        (b'a;"x;*\nb;x;*\n', ["not valid CSV"]),
    ],
)
def test_malformed_files_raise_clear_errors(
    content: bytes, fragments: list[str], tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(HierarchyError) as info:
        Hierarchy.from_arx_csv(path)
    for fragment in fragments:
        assert fragment in str(info.value)


def test_a_missing_file_is_a_file_not_found_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        Hierarchy.from_arx_csv(tmp_path / "nope.csv")


@pytest.mark.parametrize(
    ("name", "column", "expected"),
    [
        ("adult_hierarchy_age.csv", None, "age"),  # ARX convention
        ("adult_hierarchy_marital-status.csv", None, "marital-status"),  # hyphen kept
        ("zip.csv", None, "zip"),  # otherwise the file stem
        ("adult_hierarchy_age.csv", "AGE", "AGE"),  # an explicit column wins
    ],
)
def test_the_column_defaults_to_the_arx_naming_convention(
    name: str, column: str | None, expected: str, tmp_path: Path
) -> None:
    (tmp_path / name).write_text("1;*\n")
    assert Hierarchy.from_arx_csv(tmp_path / name, column=column).column == expected


def test_other_separators_and_quoted_labels_round_trip(tmp_path: Path) -> None:
    h = Hierarchy([["a", 'x;"y"', "*"], ["b\nc", "z,w", "*"]], column="c")
    for separator in (";", ",", "\t"):
        path = tmp_path / f"c_{ord(separator)}.csv"
        h.to_arx_csv(path, separator=separator)
        assert Hierarchy.from_arx_csv(path, separator=separator, column="c") == h


# ---- constructing and validating


@pytest.mark.parametrize(
    ("rows", "fragment"),
    [
        ([], "at least one row"),  # nothing
        ("a;*", "must be a sequence of rows"),  # a string is not rows
        ({"a": "*"}, "Use Hierarchy.from_mapping"),  # a dict is not rows
        ([["a"]], "needs the value and at least one"),  # no level above the value
        ([["a", "*"], ["b", "x", "*"]], "Row 2 has 3 fields, but row 1 has 2"),  # ragged
        ([["a", "*"], "b*"], "Row 2 is a str"),  # a row that is a string
        ([["a", None]], "Row 1, level 1 is None"),  # a missing label
        ([["a", ""]], "Row 1, level 1 is an empty string"),  # an empty label
        ([[39, "*"]], "Row 1, level 0 is a int, not a str"),  # numbers go in as strings
        ([["a", "*"], ["a", "*"]], "'a' appears twice at level 0 (row 1 and row 2)"),
        # consistency: 'x' at level 1 goes to 'p' in row 1 but to 'q' in row 2
        ([["a", "x", "p", "*"], ["b", "x", "q", "*"]], "label 'x' at level 1"),
        # consistency is checked at every level, not only the first
        ([["a", "x", "p", "*"], ["b", "y", "p", "T"]], "label 'p' at level 2"),
    ],
)
def test_invalid_rows_raise_hierarchy_errors(rows: object, fragment: str) -> None:
    with pytest.raises(HierarchyError) as info:
        Hierarchy(rows)  # type: ignore[arg-type]
    assert fragment in str(info.value)


def test_hierarchy_error_is_an_anonlab_value_error() -> None:
    assert issubclass(HierarchyError, AnonlabError)
    assert issubclass(HierarchyError, ValueError)


def test_the_basic_properties() -> None:
    h = Hierarchy([["b", "x", "*"], ["a", "x", "*"], ["c", "y", "*"]], column="letter")
    assert (h.height, len(h), h.column) == (2, 3, "letter")
    assert h.values == ("b", "a", "c")
    assert h.labels(0) == ("b", "a", "c")
    assert h.labels(1) == ("x", "y")
    assert repr(h) == "Hierarchy(column='letter', values=3, height=2)"
    with pytest.raises(HierarchyError, match="not in the hierarchy of column 'letter'"):
        h.levels("zzz")
    with pytest.raises(ParameterError, match=r"'level' parameter of Hierarchy\.labels"):
        h.labels(3)


def test_hierarchies_are_immutable_values() -> None:
    rows = [["a", "x", "*"], ["b", "x", "*"]]
    h = Hierarchy(rows, column="c")
    rows[0][1] = "changed"  # the caller's list is not shared
    assert h.levels("a") == ("a", "x", "*")
    with pytest.raises(AttributeError):
        h._rows = ()  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del h._column
    h.to_rows()[0][0] = "changed"  # nor are the returned lists
    assert h.values == ("a", "b")
    same = Hierarchy([("a", "x", "*"), ("b", "x", "*")], column="c")
    assert h == same and hash(h) == hash(same)
    assert h != Hierarchy(rows=[["a", "x", "*"], ["b", "x", "*"]], column="other")
    assert h != "not a hierarchy"
    assert pickle.loads(pickle.dumps(h)) == h


def test_the_html_view_is_short_and_escaped() -> None:
    h = Hierarchy([[f"<{i}>", "*"] for i in range(25)], column="c")
    page = h._repr_html_()
    assert "&lt;0&gt;" in page and "<0>" not in page
    assert "&lt;12&gt;" not in page  # only the first rows
    assert "15 more rows" in page


def test_plain_data_round_trips() -> None:
    h = Hierarchy([["a", "x", "*"], ["b", "y", "*"]], column="c")
    assert h.to_dict() == {"column": "c", "rows": [["a", "x", "*"], ["b", "y", "*"]]}
    assert Hierarchy.from_dict(h.to_dict()) == h
    assert h.to_mapping() == {"a": ("x", "*"), "b": ("y", "*")}
    assert Hierarchy.from_mapping(h.to_mapping(), column="c") == h
    assert Hierarchy.from_dict({"rows": [["a", "*"]]}).column is None


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"column": "c", "rows": [["a", "*"]], "height": 1}, "Unknown key 'height'"),
        ({"column": "c"}, "has no 'rows'"),
        ({"column": 3, "rows": [["a", "*"]]}, "'column'"),
        ([["a", "*"]], "must be a mapping"),
        ({"rows": [["a"]]}, "needs the value and at least one"),
    ],
)
def test_from_dict_refuses_malformed_data(data: object, fragment: str) -> None:
    with pytest.raises(HierarchyError, match=fragment):
        Hierarchy.from_dict(data)  # type: ignore[arg-type]


# ---- check, expr, apply


AGES = Hierarchy.intervals(range(18, 91), [10], column="age")


def test_check_names_counts_and_examples() -> None:
    data = pl.Series("age", [17, 95, 17, None, 40, 95, 17])
    with pytest.raises(HierarchyError) as info:
        AGES.check(data)
    assert str(info.value).startswith(
        "2 distinct values of column 'age' (5 rows) are not in its hierarchy, e.g. '17', '95'."
    )


def test_check_shows_no_values_of_an_identifier() -> None:
    data = pl.Series("age", [17, 95, 17, None, 40])
    with pytest.raises(HierarchyError) as info:
        AGES.check(data, identifier=True)
    text = str(info.value)
    assert text.startswith(
        "2 distinct values of column 'age' (3 rows) are not in its hierarchy (values not shown: "
        "the column is an identifier)."
    )
    assert "17" not in text and "95" not in text


@pytest.mark.parametrize(
    ("series", "start"),
    [
        # one unknown value: singular wording
        (pl.Series("age", [17]), "1 distinct value of column 'age' (1 row) is not"),
        # an unnamed Series is named after the hierarchy's column
        (pl.Series([17, 17]), "1 distinct value of column 'age' (2 rows) is not"),
        # a named Series keeps its own name
        (pl.Series("years", [17, 99]), "2 distinct values of column 'years' (2 rows) are"),
    ],
)
def test_check_message_wording(series: pl.Series, start: str) -> None:
    with pytest.raises(HierarchyError) as info:
        AGES.check(series)
    assert str(info.value).startswith(start)


def test_check_passes_on_covered_values_and_nulls() -> None:
    AGES.check(pl.Series("age", [18, None, 90]))
    AGES.check([18, 19])  # a plain list works too
    AGES.check(pl.Series("age", [], dtype=pl.Int64))


def test_expr_strict_raises_an_anonlab_error_and_lenient_gives_null() -> None:
    frame = pl.DataFrame({"age": [17, 40, None]})
    with pytest.raises(HierarchyError, match="1 distinct value of column 'age'"):
        frame.select(AGES.expr("age", 1))
    with pytest.raises(HierarchyError) as info:
        frame.select(AGES.expr("age", 1, identifier=True))
    assert "17" not in str(info.value).split("\n")[0]
    got = frame.select(AGES.expr("age", 1, strict=False))["age"].to_list()
    assert got == [None, "[40, 50)", None]


@pytest.mark.parametrize("strict", [True, False])
def test_expr_levels_names_and_inputs(strict: bool) -> None:
    frame = pl.DataFrame({"age": [18, 40, None], "other": [1, 2, 3]})
    out = frame.select(
        AGES.expr("age", 0, strict=strict).alias("l0"),
        AGES.expr("age", 1, strict=strict).alias("l1"),
        AGES.expr(pl.col("age"), 2, strict=strict),  # an expression keeps its name
        AGES.expr(pl.col("other") + 38, 1, strict=strict).alias("shifted"),
    )
    assert out.to_dict(as_series=False) == {
        "l0": ["18", "40", None],  # level 0 is the value as a string
        "l1": ["[10, 20)", "[40, 50)", None],
        "age": ["*", "*", None],
        "shifted": ["[30, 40)", "[40, 50)", "[40, 50)"],
    }
    assert out.schema["age"] == pl.String


def test_expr_works_lazily_and_in_the_streaming_engine() -> None:
    lazy = pl.LazyFrame({"age": list(range(18, 91)) * 10})
    got = lazy.select(AGES.expr("age", 1)).collect(engine="streaming")
    assert got["age"].n_unique() == 9  # [10, 20) .. [90, 100)


def test_expr_rejects_a_bad_level_in_the_house_shape() -> None:
    h = Hierarchy.from_arx_csv(adult_file("age"))
    with pytest.raises(ParameterError) as info:
        h.expr("age", 7)
    assert str(info.value) == (
        "The 'level' parameter of Hierarchy.expr must be an int >= 0 and <= 4. Got 7 instead."
    )
    with pytest.raises(ParameterError, match=r"'column' parameter of Hierarchy\.expr"):
        h.expr(3, 1)  # type: ignore[arg-type]


def test_dates_are_matched_by_their_iso_form() -> None:
    h = Hierarchy.dates([dt.date(2024, 3, 1)], column="day")
    frame = pl.DataFrame({"day": [dt.date(2024, 3, 1), None]})
    assert frame.select(h.expr("day", 1))["day"].to_list() == ["2024-03", None]
    assert h.levels(dt.date(2024, 3, 1))[0] == "2024-03-01"


def test_apply_checks_first_and_keeps_the_kind_of_input() -> None:
    series = pl.Series("age", [18, 40])
    assert AGES.apply(series, 1).to_list() == ["[10, 20)", "[40, 50)"]
    frame = pl.DataFrame({"age": [18, 40], "x": ["a", "b"]})
    out = AGES.apply(frame, 1)
    assert isinstance(out, pl.DataFrame)
    assert out.columns == ["age", "x"] and out["age"].to_list() == ["[10, 20)", "[40, 50)"]
    lazy = AGES.apply(frame.lazy(), 1)
    assert isinstance(lazy, pl.LazyFrame)
    assert lazy.collect().equals(out)
    renamed = frame.rename({"age": "years"})
    assert AGES.apply(renamed, 2, column="years")["years"].to_list() == ["*", "*"]
    bad = pl.DataFrame({"age": [17, 40]})
    with pytest.raises(HierarchyError, match=r"\(1 row\)"):
        AGES.apply(bad, 1)
    assert AGES.apply(bad, 1, strict=False)["age"].to_list() == [None, "[40, 50)"]
    with pytest.raises(HierarchyError):
        AGES.apply(bad.lazy(), 1).collect()


def test_apply_errors() -> None:
    frame = pl.DataFrame({"age": [18]})
    with pytest.raises(ColumnNotFoundError, match="'years'"):
        AGES.apply(frame, 1, column="years")
    with pytest.raises(ColumnNotFoundError):
        AGES.apply(frame.lazy(), 1, column="years")
    with pytest.raises(ParameterError, match="has no column of its own"):
        Hierarchy([["18", "*"]]).apply(frame, 1)
    with pytest.raises(ParameterError, match="must be a polars Series, DataFrame or LazyFrame"):
        AGES.apply([18], 1)  # type: ignore[arg-type]


def test_expr_over_many_rows() -> None:
    # 200,000 rows: the mapping is vectorized (no timing assertion; ~1M rows take < 0.1 s)
    h = Hierarchy.from_arx_csv(adult_file("age"))
    rng = np.random.default_rng(0)
    frame = pl.DataFrame({"age": rng.integers(1, 101, 200_000)})
    out = frame.select(h.expr("age", 2), h.expr("age", 3, strict=False).alias("l3"))
    assert out.height == 200_000
    assert out["age"].null_count() == 0
    assert set(out["l3"].unique().to_list()) <= set(h.labels(3))


# ---- builders


@pytest.mark.parametrize(
    ("values", "widths", "start", "value", "expected"),
    [
        # the default start floors the smallest value to the first width
        ([23, 39, 41], [10, 20], None, 39, ("39", "[30, 40)", "[20, 40)", "*")),
        ([23, 39, 41], [10, 20], None, 41, ("41", "[40, 50)", "[40, 60)", "*")),
        # an explicit start shifts every level
        ([23, 39, 41], [10, 20], 5, 39, ("39", "[35, 45)", "[25, 45)", "*")),
        # negative numbers floor downwards
        ([-7, 3], [5], None, -7, ("-7", "[-10, -5)", "*")),
        # floats: exact decimal bounds (no 0.30000000000000004); every level is aligned at
        # start = 0.1, the smallest value floored to the first width
        ([0.1, 0.25], [0.1, 0.2], None, "0.25", ("0.25", "[0.2, 0.3)", "[0.1, 0.3)", "*")),
        # a float Series: level 0 is polars' string form of each number
        (pl.Series([1.0, 2.5]), [1], None, "1.0", ("1.0", "[1, 2)", "*")),
        # no widths: straight to the top
        ([1, 2], [], None, 2, ("2", "*")),
    ],
)
def test_intervals(
    values: object, widths: list, start: float | None, value: object, expected: tuple
) -> None:
    h = Hierarchy.intervals(values, widths, start=start)  # type: ignore[arg-type]
    assert h.levels(value) == expected


def test_intervals_refuses_widths_that_do_not_nest() -> None:
    with pytest.raises(HierarchyError, match=r"width 15 \(level 2\) is not a multiple of width 10"):
        Hierarchy.intervals([1, 2], [10, 15])
    with pytest.raises(ParameterError, match="'widths'"):
        Hierarchy.intervals([1, 2], [0])
    with pytest.raises(ParameterError, match="must hold numbers"):
        Hierarchy.intervals(["a"], [10])
    with pytest.raises(HierarchyError, match="NaN"):
        Hierarchy.intervals([1.0, float("nan")], [10])
    with pytest.raises(HierarchyError, match="at least one"):
        Hierarchy.intervals([None], [10])


def test_intervals_matches_an_int_column() -> None:
    ages = pl.Series("age", [17, 90, 45])
    h = Hierarchy.intervals(ages, [5, 10, 20], start=0, column="age")
    frame = ages.to_frame()
    assert frame.select(h.expr("age", 3))["age"].to_list() == ["[0, 20)", "[80, 100)", "[40, 60)"]
    # by default every level is aligned at the smallest value floored to the first width (15)
    default = Hierarchy.intervals(ages, [5, 10, 20], column="age")
    assert frame.select(default.expr("age", 3))["age"].to_list() == [
        "[15, 35)", "[75, 95)", "[35, 55)",
    ]


@pytest.mark.parametrize(
    ("levels", "value", "expected"),
    [
        # the default: month, year, decade
        (("month", "year", "decade"), "2024-03-01", ("2024-03-01", "2024-03", "2024", "2020s")),
        # quarters
        (("quarter", "year"), "2024-11-30", ("2024-11-30", "2024-Q4", "2024")),
        # an ISO week (2024-12-30 is in week 1 of 2025)
        (("week",), "2024-12-30", ("2024-12-30", "2025-W01")),
        (("week",), "2024-03-01", ("2024-03-01", "2024-W09")),
        # only the decade
        (("decade",), "1999-12-31", ("1999-12-31", "1990s")),
        # no level: straight to the top
        ((), "2024-03-01", ("2024-03-01",)),
    ],
)
def test_dates(levels: tuple[str, ...], value: str, expected: tuple[str, ...]) -> None:
    h = Hierarchy.dates([value, dt.date(2000, 1, 1)], levels)
    assert h.levels(value) == (*expected, "*")


def test_dates_accepts_date_objects_strings_and_series() -> None:
    a = Hierarchy.dates([dt.date(2024, 3, 1), "2019-12-31", None, "2024-03-01"])
    b = Hierarchy.dates(pl.Series([dt.date(2019, 12, 31), dt.date(2024, 3, 1)]))
    c = Hierarchy.dates(pl.Series(["2024-03-01", "2019-12-31"]))
    assert a == b == c
    assert a.values == ("2019-12-31", "2024-03-01")


@pytest.mark.parametrize(
    ("values", "levels", "error", "fragment"),
    [
        (["2024-03-01"], ("year", "month"), ParameterError, "finer to coarser"),
        (["2024-03-01"], ("month", "month"), ParameterError, "finer to coarser"),
        (["2024-03-01"], ("week", "month"), ParameterError, "'week' only as its last"),
        (["2024-03-01"], ("day",), ParameterError, "must hold names among"),
        (["2024-03-01"], "month", ParameterError, "sequence of level names"),
        ([dt.datetime(2024, 3, 1)], ("month",), ParameterError, "datetime.date objects"),
        (pl.Series([dt.datetime(2024, 3, 1)]), ("month",), ParameterError, ".dt.date()"),
        (["2024-03-01", "secret-123"], ("month",), HierarchyError, "1 value is not an ISO"),
        ([], ("month",), HierarchyError, "at least one"),
    ],
)
def test_dates_errors(values: object, levels: object, error: type, fragment: str) -> None:
    with pytest.raises(error) as info:
        Hierarchy.dates(values, levels)  # type: ignore[arg-type]
    assert fragment in str(info.value)
    assert "secret-123" not in str(info.value)  # data values are not shown


@pytest.mark.parametrize(
    ("values", "kwargs", "value", "expected"),
    [
        # a ZIP code, down to all masked
        (["02139"], {}, "02139", ("02139", "0213*", "021**", "02***", "0****", "*****")),
        # a shorter value is padded with the mask to the longest length
        (["123", "12345"], {}, "123", ("123", "123**", "123**", "12***", "1****", "*****")),
        # keep_min stops with that many characters visible; top adds a final level
        (["02139"], {"keep_min": 3, "top": "*"}, "02139", ("02139", "0213*", "021**", "*")),
        # another mask character
        (["ab"], {"char": "#"}, "ab", ("ab", "a#", "##")),
        # keep_min at the full length: only the top level
        (["ab"], {"keep_min": 2, "top": "*"}, "ab", ("ab", "*")),
        # a numeric Series is matched by its string form
        (pl.Series([2139]), {}, "2139", ("2139", "213*", "21**", "2***", "****")),
    ],
)
def test_masking(values: object, kwargs: dict, value: str, expected: tuple[str, ...]) -> None:
    h = Hierarchy.masking(values, **kwargs)  # type: ignore[arg-type]
    assert h.levels(value) == expected


def test_masking_errors() -> None:
    with pytest.raises(HierarchyError, match="nothing to mask"):
        Hierarchy.masking(["ab"], keep_min=2)
    with pytest.raises(ParameterError, match="'char'"):
        Hierarchy.masking(["ab"], char="**")
    with pytest.raises(ParameterError, match="'keep_min'"):
        Hierarchy.masking(["ab"], keep_min=-1)
    with pytest.raises(ParameterError, match=r"must hold strings\. Got a int at position 1"):
        Hierarchy.masking(["ab", 12])  # type: ignore[list-item]
    with pytest.raises(HierarchyError, match="empty string"):
        Hierarchy.masking(["ab", ""])


@pytest.mark.parametrize(
    ("values", "sizes", "value", "expected"),
    [
        # groups of 2, then groups of 2 groups
        (list("ABCDE"), [2, 2], "A", ("A", "A-B", "A-D", "*")),
        (list("ABCDE"), [2, 2], "C", ("C", "C-D", "A-D", "*")),
        # the last group is shorter; a group of one value is labelled by the value
        (list("ABCDE"), [2, 2], "E", ("E", "E", "E", "*")),
        # groups of 3 then everything
        (["low", "mid", "high", "max"], [3, 2], "max", ("max", "max", "low-max", "*")),
        # a Series keeps its order
        (pl.Series(["x", "y", "z"]), [3], "y", ("y", "x-z", "*")),
    ],
)
def test_ordered_groups(values: object, sizes: list[int], value: str, expected: tuple) -> None:
    h = Hierarchy.ordered_groups(values, sizes)  # type: ignore[arg-type]
    assert h.levels(value) == expected


def test_ordered_groups_errors() -> None:
    with pytest.raises(HierarchyError, match="appears twice"):
        Hierarchy.ordered_groups(["a", "b", "a"], [2])
    with pytest.raises(HierarchyError, match="same label 'x-y-z'"):
        Hierarchy.ordered_groups(["x", "y-z", "x-y", "z"], [2])
    with pytest.raises(ParameterError, match="'sizes'"):
        Hierarchy.ordered_groups(["a"], [0])


def test_from_mapping_accepts_a_single_label() -> None:
    assert Hierarchy.from_mapping({"a": "*", "b": ("*",)}).to_rows() == [["a", "*"], ["b", "*"]]
    with pytest.raises(HierarchyError, match="sequence of labels"):
        Hierarchy.from_mapping({"a": 3})  # type: ignore[dict-item]


# ---- properties


def check_levels_agree(h: Hierarchy) -> None:
    """The level structure is consistent, and the polars mapping agrees with ``levels``."""
    assert consistent(h)
    frame = pl.DataFrame({"v": list(h.values)})
    for level in range(h.height + 1):
        got = frame.select(h.expr("v", level))["v"].to_list()
        assert got == [h.levels(v)[level] for v in h.values]
        # mapping the level-i labels one step up gives the level-(i+1) labels
        if level < h.height:
            up = dict(zip(got, [h.levels(v)[level + 1] for v in h.values], strict=True))
            assert [up[label] for label in got] == [h.levels(v)[level + 1] for v in h.values]


def round_trips(h: Hierarchy) -> bool:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "h.csv"
        h.to_arx_csv(path)
        once = Hierarchy.from_arx_csv(path, column=h.column)
        path2 = Path(folder) / "again.csv"
        once.to_arx_csv(path2)
        return once == h and path2.read_bytes() == path.read_bytes()


ints = st.lists(st.integers(-10_000, 10_000), min_size=1, max_size=40)
widths = st.lists(st.integers(1, 5), min_size=0, max_size=4).flatmap(
    lambda factors: st.integers(1, 50).map(
        lambda base: [base * int(np.prod(factors[: i + 1])) for i in range(len(factors))]
    )
)
texts = st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=20, unique=True)


@settings(max_examples=60, deadline=None)
@given(values=ints, widths=widths, start=st.none() | st.integers(-100, 100))
def test_property_intervals_are_consistent_and_round_trip(
    values: list[int], widths: list[int], start: int | None
) -> None:
    h = Hierarchy.intervals(values, widths, start=start, column="n")
    check_levels_agree(h)
    assert round_trips(h)


@settings(max_examples=60, deadline=None)
@given(values=texts, keep_min=st.integers(0, 3), top=st.none() | st.just("*"))
def test_property_masking_is_consistent_and_round_trips(
    values: list[str], keep_min: int, top: str | None
) -> None:
    if keep_min >= max(len(v) for v in values) and top is None:
        with pytest.raises(HierarchyError):
            Hierarchy.masking(values, keep_min=keep_min, top=top)
        return
    h = Hierarchy.masking(values, keep_min=keep_min, top=top, column="s")
    check_levels_agree(h)
    assert round_trips(h)


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.text(alphabet="abcxyz", min_size=1, max_size=4), min_size=1,
                    max_size=20, unique=True),
    sizes=st.lists(st.integers(1, 4), max_size=3),
)
def test_property_ordered_groups_are_consistent_and_round_trip(
    values: list[str], sizes: list[int]
) -> None:
    h = Hierarchy.ordered_groups(values, sizes, column="g")
    check_levels_agree(h)
    assert round_trips(h)


@settings(max_examples=40, deadline=None)
@given(
    days=st.lists(st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)), min_size=1,
                  max_size=30),
    levels=st.sampled_from([("month", "year", "decade"), ("quarter", "decade"), ("week",),
                            ("month", "quarter", "year")]),
)
def test_property_dates_are_consistent_and_round_trip(
    days: list[dt.date], levels: tuple[str, ...]
) -> None:
    h = Hierarchy.dates(days, levels, column="d")
    check_levels_agree(h)
    assert round_trips(h)

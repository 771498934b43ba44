"""Inputs the profiler could not see into (issue 13, items 5, 12, 13).

Files read with the wrong separator or encoding, identifiers inside nested values and delimited
text, templates that must fail closed on what cannot be classified, wide files profiled lazily,
and temporary folders left by a killed run. Every case is a clear anonlab error or a correct
result.
"""

from __future__ import annotations

import codecs
import datetime as dt
import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pytest

import anonlab
from anonlab import Kind
from anonlab.cli import main
from anonlab.errors import AnonlabError, ColumnNotFoundError, ParameterError
from anonlab.io import FileFormatError, read, scan
from anonlab.licensing import check_compliance
from anonlab.sinks import STALE_AFTER, remove_stale_temporaries, sink
from anonlab.transforms import Drop, Keep

COMMA = "id,name,email\n0,Ann Lee,ann0@x.org\n1,Bo Chan,bo@x.org\n2,Cy Dee,cy@x.org\n"

# -- reading files -------------------------------------------------------------------------------

# (id, file content, read() keywords, the error's type and a phrase of its message)
REFUSED_FILES: list[tuple[str, bytes, dict[str, Any], type[Exception], str]] = [
    ("utf16-le-bom", COMMA.encode("utf-16"), {}, FileFormatError, "UTF-16"),
    (
        "utf16-be-bom",
        codecs.BOM_UTF16_BE + COMMA.encode("utf-16-be"),
        {},
        FileFormatError,
        "UTF-16 (big-endian)",
    ),
    ("utf32-le-bom", COMMA.encode("utf-32"), {}, FileFormatError, "UTF-32"),
    (
        "utf32-be-bom",
        codecs.BOM_UTF32_BE + COMMA.encode("utf-32-be"),
        {},
        FileFormatError,
        "UTF-32 (big-endian)",
    ),
    ("utf16-no-bom", COMMA.encode("utf-16-le"), {}, FileFormatError, "NUL bytes"),
    (
        "utf16-no-bom-explicit-separator",
        COMMA.encode("utf-16-le"),
        {"separator": ","},
        FileFormatError,
        "UTF-16 or UTF-32 text",
    ),
    (
        "binary",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
        {},
        FileFormatError,
        "NUL bytes",
    ),
    ("one-nul-in-text", b"a,b\n1,2\x00\n3,4\n", {}, FileFormatError, "binary file"),
    (
        "latin-1",
        "name,city\nJos\u00e9,Z\u00fcrich\n".encode("latin-1"),
        {},
        FileFormatError,
        "not UTF-8",
    ),
    (
        "windows-1252",
        "note\n\u201cquoted\u201d\n".encode("cp1252"),
        {},
        FileFormatError,
        "Windows-1252",
    ),
    (
        "comma-read-as-semicolon",
        COMMA.encode(),
        {"separator": ";"},
        FileFormatError,
        "looks comma-separated",
    ),
    (
        "comma-read-as-pipe",
        COMMA.encode(),
        {"separator": "|"},
        FileFormatError,
        "looks comma-separated",
    ),
    (
        "comma-read-as-tab",
        COMMA.encode(),
        {"separator": "tab"},
        FileFormatError,
        "separator tab gives one column",
    ),
    (
        "semicolon-read-as-comma",
        COMMA.replace(",", ";").encode(),
        {"separator": ","},
        FileFormatError,
        "looks semicolon-separated",
    ),
    (
        "tab-read-as-comma",
        COMMA.replace(",", "\t").encode(),
        {"separator": ","},
        FileFormatError,
        "looks tab-separated",
    ),
    (
        "pipe-read-as-semicolon",
        COMMA.replace(",", "|").encode(),
        {"separator": ";"},
        FileFormatError,
        "looks pipe-separated",
    ),
    (
        "header-only-wrong-separator",
        b"id,name,email\n",
        {"separator": ";"},
        FileFormatError,
        "comma",
    ),
    (
        "mixed-semicolon-comma",
        b"id;name;email\n0;Ann;a@x.org\n1,Bo,b@x.org\n2;Cy;c@x.org\n",
        {},
        FileFormatError,
        "mixes separators",
    ),
    (
        "mixed-comma-tab",
        b"id,name,email\n0,Ann,a@x.org\n1\tBo\tb@x.org\n",
        {},
        FileFormatError,
        "row(s) 3 (tab)",
    ),
    (
        "mixed-last-row",
        b"a|b|c\n1|2|3\n4|5|6\n7;8;9\n",
        {},
        FileFormatError,
        "row(s) 4 (semicolon)",
    ),
    (
        "mixed-explicit",
        b"a;b;c\n1;2;3\n4,5,6\n",
        {"separator": ";"},
        FileFormatError,
        "mixes separators",
    ),
    (
        "many-mixed-rows",
        ("a;b\n" + "1,2\n" * 9).encode(),
        {"separator": ";"},
        FileFormatError,
        "6 (comma) and 4 more",
    ),
    ("separator-too-long", COMMA.encode(), {"separator": ";;"}, ParameterError, "single character"),
    ("empty", b"", {}, FileFormatError, "is empty"),
    ("unknown-dtype", COMMA.encode(), {"dtypes": "id=blob"}, ParameterError, "Unknown type"),
    ("dtype-not-name=type", COMMA.encode(), {"dtypes": "id"}, ParameterError, "name=type"),
    (
        "dtype-unknown-column",
        COMMA.encode(),
        {"dtypes": {"zip": "str"}},
        ColumnNotFoundError,
        "schema option",
    ),
    (
        "dtypes-not-a-mapping",
        COMMA.encode(),
        {"dtypes": ["id"]},
        ParameterError,
        "must map column names",
    ),
]


@pytest.mark.parametrize(
    ("content", "kwargs", "error", "match"),
    [c[1:] for c in REFUSED_FILES],
    ids=[c[0] for c in REFUSED_FILES],
)
def test_files_that_would_be_misread_are_refused(
    tmp_path: Path, content: bytes, kwargs: dict[str, Any], error: type[Exception], match: str
) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(content)
    with pytest.raises(error, match=re.escape(match)) as info:
        read(path, **kwargs)
    assert isinstance(info.value, AnonlabError)
    assert "ann0@x.org" not in str(info.value)  # what was detected, never the values


def _late(value: str, *, head: str = "{i}", rows: int = 12_000) -> str:
    """A CSV whose column ``v`` holds ``head`` values for ``rows`` rows, then ``value``."""
    lines = ["v,n"] + [f"{head.format(i=i)},{i}" for i in range(rows)] + [f"{value},1"]
    return "\n".join(lines) + "\n"


# (id, file content, read() keywords, the dtype of column v, its last value)
READ_FILES: list[tuple[str, str, dict[str, Any], pl.DataType, Any]] = [
    ("late-text-in-integers", _late("A12"), {}, pl.String(), "A12"),
    ("late-decimal-in-integers", _late("1.5"), {}, pl.Float64(), 1.5),
    ("late-padded-zero", _late("00123"), {}, pl.String(), "00123"),
    ("late-text-in-floats", _late("n/a", head="{i}.5"), {}, pl.String(), "n/a"),
    (
        "late-text-in-dates",
        _late("unknown", head="2020-01-{i:02}", rows=28),
        {},
        pl.String(),
        "unknown",
    ),
    ("late-text-in-booleans", _late("maybe", head="true"), {}, pl.String(), "maybe"),
    ("dtypes-text", _late("7"), {"dtypes": "v=str"}, pl.String(), "7"),
    ("dtypes-float-as-text", _late("7"), {"dtypes": "v=float"}, pl.Float64(), 7.0),
    ("dtypes-mapping-polars-dtype", _late("7"), {"dtypes": {"v": pl.Int32}}, pl.Int32(), 7),
    ("dtypes-wins-over-padding", _late("007"), {"dtypes": {"v": "int"}}, pl.Int64(), 7),
    ("utf8-bom-is-fine", "\ufeffv,n\nx,1\n", {}, pl.String(), "x"),
    (
        "datetimes-with-offsets",
        "v,n\n2020-01-01T10:00:00+01:00,1\n2021-05-01T11:00:00+02:00,2\n",
        {},
        pl.Datetime("us", "UTC"),
        dt.datetime(2021, 5, 1, 9, tzinfo=dt.UTC),
    ),
    (
        "datetimes-in-utc",
        "v,n\n2020-01-01T10:00:00Z,1\n2021-01-01T10:30:00Z,2\n",
        {},
        pl.Datetime("us", "UTC"),
        dt.datetime(2021, 1, 1, 10, 30, tzinfo=dt.UTC),
    ),
    (
        "fractional-seconds",
        "v,n\n2020-01-01 10:00:00.123,1\n2020-01-02 10:00:00.5,2\n",
        {},
        pl.Datetime("us"),
        dt.datetime(2020, 1, 2, 10, 0, 0, 500_000),
    ),
    ("times-of-day", "v,n\n10:00:00,1\n11:30:00,2\n", {}, pl.Time(), dt.time(11, 30)),
    ("scientific-floats", "v,n\n1e3,1\n2.5,2\n", {}, pl.Float64(), 2.5),
    ("booleans-any-case", "v,n\nTrue,1\nFALSE,2\n", {}, pl.Boolean(), False),
    ("quoted-separators-are-fine", 'v,n\n"a;b|c",1\n"d;e|f",2\n', {}, pl.String(), "d;e|f"),
    ("quoted-line-break-is-fine", 'v,n\n"two\nlines",1\n', {}, pl.String(), "two\nlines"),
    ("single-column", "v\nx\ny\n", {}, pl.String(), "y"),
    ("crlf", "v;n\r\nx;1\r\ny;2\r\n", {}, pl.String(), "y"),
]


@pytest.mark.parametrize(
    ("content", "kwargs", "dtype", "last"),
    [c[1:] for c in READ_FILES],
    ids=[c[0] for c in READ_FILES],
)
def test_files_read_with_the_right_types(
    tmp_path: Path, content: str, kwargs: dict[str, Any], dtype: pl.DataType, last: Any
) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(content.encode("utf-8"))
    frame = read(path, **kwargs)
    assert frame.schema["v"] == dtype
    assert frame.get_column("v")[-1] == last


@pytest.mark.parametrize("target", ["/dev/zero", "folder", "missing.csv"])
def test_what_is_not_a_table_file(tmp_path: Path, target: str) -> None:
    path = Path(target) if target.startswith("/") else tmp_path / target
    if target == "folder":
        path.mkdir()
    if target == "missing.csv":
        with pytest.raises(FileNotFoundError):
            scan(path)
        return
    if not path.exists():
        pytest.skip("no /dev/zero here")
    start = time.perf_counter()
    with pytest.raises(FileFormatError, match="not a regular file"):
        scan(path)
    assert time.perf_counter() - start < 1


def test_dtypes_only_for_csv(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    pl.DataFrame({"v": [1]}).write_parquet(path)
    with pytest.raises(ParameterError, match="applies to CSV files"):
        read(path, dtypes="v=str")


@pytest.mark.parametrize(
    ("argv", "code", "phrase"),
    [
        (["profile", "{csv}", "--separator", ";"], 1, "looks comma-separated"),
        (["profile", "{csv}", "--schema", "id=str", "--json"], 0, '"polars_dtype": "String"'),
        (["profile", "{csv}", "--schema", "nope=int"], 1, "schema option"),
        (["suggest", "{csv}", "--schema", "id=blob"], 1, "Unknown type"),
    ],
    ids=["wrong-separator", "schema", "schema-unknown-column", "schema-unknown-type"],
)
def test_command_line_says_what_it_detected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], code: int, phrase: str
) -> None:
    path = tmp_path / "people.csv"
    path.write_text(COMMA)
    assert main([a.replace("{csv}", str(path)) for a in argv]) == code
    out = capsys.readouterr()
    assert phrase in (out.err if code else out.out)
    assert "Traceback" not in out.err


# -- identifiers the profiler could not see ------------------------------------------------------

SSNS = [f"{100 + i:03d}-{10 + i % 80:02d}-{1000 + i:04d}" for i in range(60)]
EMAILS = [f"person{i}@example.org" for i in range(60)]
PHONES = [f"(617) 555-{1000 + i:04d}" for i in range(60)]
CARDS = ["4111 1111 1111 1111", "5500 0000 0000 0004", "3400 0000 0000 009"] * 20


def _deep(value: Any, depth: int) -> Any:
    for _ in range(depth):
        value = {"inner": value}
    return value


# (id, frame, column, expected kind, expected opaque)
DETECTED: list[tuple[str, Callable[[], Any], str, Kind | None, bool]] = [
    (
        "struct-ssn",
        lambda: pl.DataFrame({"p": [{"ssn": s, "age": 30} for s in SSNS]}),
        "p",
        Kind.SSN,
        False,
    ),
    (
        "struct-email-and-code",
        lambda: pl.DataFrame({"p": [{"email": e, "visits": i % 3} for i, e in enumerate(EMAILS)]}),
        "p",
        Kind.EMAIL,
        False,
    ),
    (
        "pandas-dict-ssn",
        lambda: pd.DataFrame({"p": [{"ssn": s, "age": 30} for s in SSNS]}),
        "p",
        Kind.SSN,
        False,
    ),
    (
        "pandas-dict-repeated-ssn",
        lambda: pd.DataFrame({"p": [{"ssn": SSNS[i % 3], "sex": "F"} for i in range(60)]}),
        "p",
        Kind.SSN,
        False,
    ),
    (
        "list-of-structs-phone",
        lambda: pl.DataFrame({"c": [[{"kind": "home", "number": p}] for p in PHONES]}),
        "c",
        Kind.PHONE,
        False,
    ),
    (
        "struct-in-struct",
        lambda: pl.DataFrame({"p": [{"id": {"ssn": s}} for s in SSNS]}),
        "p",
        Kind.SSN,
        False,
    ),
    (
        "list-of-lists-email",
        lambda: pl.DataFrame({"e": [[[e]] for e in EMAILS]}),
        "e",
        Kind.EMAIL,
        False,
    ),
    (
        "array-of-email",
        lambda: pl.DataFrame({"e": [[e, e] for e in EMAILS]}, schema={"e": pl.Array(pl.String, 2)}),
        "e",
        Kind.EMAIL,
        False,
    ),
    (
        "most-identifying-leaf-wins",
        lambda: pl.DataFrame(
            {"p": [{"email": e, "ssn": s} for e, s in zip(EMAILS, SSNS, strict=True)]}
        ),
        "p",
        Kind.SSN,
        False,
    ),
    (
        "binary-leaf-is-opaque",
        lambda: pl.DataFrame({"p": [{"photo": b"\x89PNG", "n": 1}] * 60}),
        "p",
        None,
        True,
    ),
    ("too-deep-is-opaque", lambda: pl.DataFrame({"p": [_deep("x", 10)] * 30}), "p", None, True),
    (
        "deep-within-limit",
        lambda: pl.DataFrame({"p": [_deep(s, 6) for s in SSNS]}),
        "p",
        Kind.SSN,
        False,
    ),
    (
        "harmless-struct",
        lambda: pl.DataFrame({"p": [{"a": i % 4, "b": 1.5} for i in range(60)]}),
        "p",
        None,
        False,
    ),
    ("binary-column-is-opaque", lambda: pl.DataFrame({"b": [b"\x00\x01"] * 20}), "b", None, True),
    (
        "delimited-semicolon-email",
        lambda: pl.DataFrame({"r": [f"{i};ann{i}@x.org;02139" for i in range(60)]}),
        "r",
        Kind.EMAIL,
        False,
    ),
    (
        "delimited-pipe-ssn",
        lambda: pl.DataFrame({"r": [f"{i}|{s}|x" for i, s in enumerate(SSNS)]}),
        "r",
        Kind.SSN,
        False,
    ),
    (
        "delimited-comma-phone",
        lambda: pl.DataFrame({"r": [f"{i},{p.replace(' ', '')},y" for i, p in enumerate(PHONES)]}),
        "r",
        Kind.PHONE,
        False,
    ),
    (
        "delimited-tab-ip",
        lambda: pl.DataFrame({"r": [f"{i}\t10.0.{i}.7\tz" for i in range(60)]}),
        "r",
        Kind.IPV4,
        False,
    ),
    (
        "delimited-card",
        lambda: pl.DataFrame({"r": [f"{i};{c}" for i, c in enumerate(CARDS)]}),
        "r",
        Kind.CREDIT_CARD,
        False,
    ),
    (
        "delimited-url",
        lambda: pl.DataFrame({"r": [f"{i};https://example.org/u/{i}" for i in range(60)]}),
        "r",
        Kind.URL,
        False,
    ),
    (
        "delimited-no-identifier",
        lambda: pl.DataFrame({"r": [f"{i};{i * 2};x" for i in range(60)]}),
        "r",
        None,
        False,
    ),
    (
        "decimal-commas",
        lambda: pl.DataFrame({"r": [f"{i},5" for i in range(60)]}),
        "r",
        None,
        False,
    ),
    (
        "sentences-with-commas",
        lambda: pl.DataFrame({"r": ["well, the visit went fine, no issues"] * 60}),
        "r",
        None,
        False,
    ),
]


@pytest.mark.parametrize(
    ("make", "column", "kind", "opaque"), [c[1:] for c in DETECTED], ids=[c[0] for c in DETECTED]
)
def test_identifiers_inside_values_are_found(
    make: Callable[[], Any], column: str, kind: Kind | None, opaque: bool
) -> None:
    prof = anonlab.profile(make())
    found = prof[column]
    assert found.kind is kind, found.detection.evidence
    assert found.detection.opaque is opaque
    if kind is not None:
        assert found.masked
        assert "@" not in repr(prof.to_dict()).replace("'@'", "")


PERSON = [{"ssn": s, "age": 30} for s in SSNS]
HARMLESS = [{"a": i % 4, "b": 1} for i in range(60)]
DELIMITED = [f"{i};ann{i}@x.org;02139" for i in range(60)]


def _frame(**columns: Any) -> pl.DataFrame:
    return pl.DataFrame({"visit": [i % 5 for i in range(60)], **columns})


# (id, frame, recipe, template, check, column expected to fail it or None when it passes)
FAIL_CLOSED: list[tuple[str, Callable[[], Any], anonlab.Recipe, str, str, str | None]] = [
    (
        "struct-ssn-kept-safe-harbor",
        lambda: _frame(p=PERSON),
        anonlab.Recipe().then("p", Keep()),
        "hipaa-safe-harbor",
        "safe-harbor-identifiers",
        "p",
    ),
    (
        "struct-ssn-kept-gdpr",
        lambda: _frame(p=PERSON),
        anonlab.Recipe().then("p", Keep()),
        "gdpr-anonymous",
        "direct-identifiers",
        "p",
    ),
    (
        "pandas-dict-ssn-kept",
        lambda: _frame(p=PERSON).to_pandas(),
        anonlab.Recipe().then("p", Keep()),
        "hipaa-safe-harbor",
        "safe-harbor-identifiers",
        "p",
    ),
    (
        "harmless-struct-safe-harbor",
        lambda: _frame(p=HARMLESS),
        anonlab.Recipe().then("p", Keep()),
        "hipaa-safe-harbor",
        "safe-harbor-identifiers",
        "p",
    ),
    (
        "harmless-struct-gdpr",
        lambda: _frame(p=HARMLESS),
        anonlab.Recipe().then("p", Keep()),
        "gdpr-anonymous",
        "direct-identifiers",
        None,
    ),
    (
        "deep-struct-gdpr",
        lambda: _frame(p=[_deep("x", 10)] * 60),
        anonlab.Recipe().then("p", Keep()),
        "gdpr-anonymous",
        "direct-identifiers",
        "p",
    ),
    (
        "binary-kept-gdpr",
        lambda: _frame(photo=[b"\x89PNG"] * 60),
        anonlab.Recipe().then("photo", Keep()),
        "gdpr-anonymous",
        "direct-identifiers",
        "photo",
    ),
    (
        "binary-kept-safe-harbor",
        lambda: _frame(photo=[b"\x89PNG"] * 60),
        anonlab.Recipe().then("photo", Keep()),
        "hipaa-safe-harbor",
        "safe-harbor-identifiers",
        "photo",
    ),
    (
        "binary-no-recipe-ccpa",
        lambda: _frame(photo=[b"\x89PNG"] * 60),
        None,
        "ccpa-deidentified",
        "direct-identifiers",
        "photo",
    ),
    (
        "delimited-kept-gdpr",
        lambda: _frame(r=DELIMITED),
        anonlab.Recipe().then("r", Keep()),
        "gdpr-anonymous",
        "direct-identifiers",
        "r",
    ),
    (
        "delimited-kept-safe-harbor",
        lambda: _frame(r=DELIMITED),
        anonlab.Recipe().then("r", Keep()),
        "hipaa-safe-harbor",
        "safe-harbor-identifiers",
        "r",
    ),
]


@pytest.mark.parametrize(
    ("make", "recipe", "template", "check", "failing"),
    [c[1:] for c in FAIL_CLOSED],
    ids=[c[0] for c in FAIL_CLOSED],
)
def test_templates_fail_closed_on_what_cannot_be_classified(
    make: Callable[[], Any],
    recipe: anonlab.Recipe | None,
    template: str,
    check: str,
    failing: str | None,
) -> None:
    original = make()
    frame = recipe.apply(original) if recipe is not None else original
    result = check_compliance(
        template, frame=frame, recipe=recipe, original_profile=anonlab.profile(original)
    )
    outcome = next(c for c in result.checks if c.name == check)
    if failing is None:
        assert outcome.passed, outcome.detail
        return
    assert not outcome.passed
    assert f"{failing}:" in outcome.detail  # the column is named
    assert not result.passed
    assert "ann0@x.org" not in outcome.detail and SSNS[0] not in outcome.detail


@pytest.mark.parametrize(
    ("template", "column", "values", "removed"),
    [
        ("hipaa-safe-harbor", "p", PERSON, True),
        ("hipaa-safe-harbor", "p", HARMLESS, True),  # the date/age/ZIP checks cannot look in
        ("hipaa-safe-harbor", "photo", [b"\x89PNG"] * 60, True),
        ("hipaa-safe-harbor", "r", DELIMITED, True),
        ("gdpr-anonymous", "p", PERSON, True),
        ("gdpr-anonymous", "p", HARMLESS, False),  # every leaf classified, none identifying
        ("gdpr-anonymous", "photo", [b"\x89PNG"] * 60, True),
        ("gdpr-anonymous", "p", [_deep("x", 10)] * 60, True),
        ("gdpr-anonymous", "r", DELIMITED, True),
    ],
    ids=[
        "sh-struct-ssn",
        "sh-harmless-struct",
        "sh-binary",
        "sh-delimited",
        "gdpr-struct-ssn",
        "gdpr-harmless-struct",
        "gdpr-binary",
        "gdpr-too-deep",
        "gdpr-delimited",
    ],
)
def test_suggested_recipes_remove_what_cannot_be_classified(
    template: str, column: str, values: list[Any], removed: bool
) -> None:
    original = _frame(**{column: values})
    recipe = anonlab.suggest_recipe(anonlab.profile(original), template=template)
    step = next(s for s in recipe.steps if s.column == column)
    assert (isinstance(step.transform, Drop) or step.transform.hides_values) is removed, step
    result = check_compliance(
        template,
        frame=recipe.apply(original),
        recipe=recipe,
        original_profile=anonlab.profile(original),
    )
    gate = "safe-harbor-identifiers" if template.startswith("hipaa") else "direct-identifiers"
    assert next(c for c in result.checks if c.name == gate).passed


# -- wide files, profiled lazily ------------------------------------------------------------------


def test_a_lazy_frame_is_read_once_however_wide() -> None:
    reads = []

    def counted(frame: pl.DataFrame) -> pl.DataFrame:
        reads.append(frame.width)
        return frame

    wide = pl.DataFrame({f"c{i}": [i % 7, 1, 2, 3] for i in range(60)})
    lazy = wide.lazy().map_batches(counted, schema=wide.schema)
    lazy_profile = anonlab.profile(lazy)
    assert len(reads) == 1  # one query per column read it 61 times before issue 13
    assert lazy_profile.to_dict()["columns"] == anonlab.profile(wide).to_dict()["columns"]


def test_a_sparse_wide_frame_is_read_once() -> None:
    reads = []

    def counted(frame: pl.DataFrame) -> pl.DataFrame:
        reads.append(frame.width)
        return frame

    rows = 3_000
    wide = pl.DataFrame(
        {f"c{i}": [j if j % 997 == 0 else None for j in range(rows)] for i in range(40)}
    )
    lazy = wide.lazy().map_batches(counted, schema=wide.schema)
    prof = anonlab.profile(lazy, detection_rows=500)
    assert len(reads) == 1  # detection of sparse columns took one more query per column
    assert all(c.detection.checked == 4 for c in prof)  # their first non-null values


def test_the_command_line_profiles_a_wide_csv_quickly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "wide.csv"
    pl.DataFrame({f"c{i}": list(range(50)) for i in range(400)}).write_csv(path)
    start = time.perf_counter()
    assert main(["profile", str(path), "--json"]) == 0
    assert time.perf_counter() - start < 5  # about 12 s with a query per column
    assert '"name": "c399"' in capsys.readouterr().out


# -- temporary folders left by a killed run ------------------------------------------------------


def _leftover(
    folder: Path,
    name: str,
    *,
    age: float,
    content: tuple[str, ...] = ("out.csv",),
    directory: bool = True,
) -> Path:
    path = folder / name
    if directory:
        path.mkdir()
        for entry in content:
            (path / entry).write_text("partial")
    else:
        path.write_text("a file")
    stamp = time.time() - age
    for entry in [*(path.iterdir() if directory else ()), path]:
        os.utime(entry, (stamp, stamp), follow_symlinks=False)
    return path


DEAD = 2**22 + 12_345  # above the default pid_max of 4,194,304: no such process


# (id, leftover name, age in seconds, content, is a folder, removed?)
LEFTOVERS: list[tuple[str, str, float, tuple[str, ...], bool, bool]] = [
    (
        "stale-of-a-dead-run",
        f".out.csv.anonlab-{DEAD}-abc123.tmp",
        STALE_AFTER + 60,
        ("out.csv",),
        True,
        True,
    ),
    ("stale-empty", f".out.csv.anonlab-{DEAD}-e.tmp", STALE_AFTER + 60, (), True, True),
    ("recent-of-a-dead-run", f".out.csv.anonlab-{DEAD}-abc123.tmp", 30, ("out.csv",), True, False),
    (
        "stale-of-a-running-process",
        f".out.csv.anonlab-{os.getppid()}-abc.tmp",
        STALE_AFTER + 60,
        ("out.csv",),
        True,
        False,
    ),
    ("legacy-stale", ".out.csv.k3j_9x2q.tmp", STALE_AFTER + 60, ("out.csv",), True, True),
    (
        "legacy-with-other-files",
        ".out.csv.k3j_9x2q.tmp",
        STALE_AFTER + 60,
        ("notes.txt",),
        True,
        False,
    ),
    (
        "another-target",
        f".other.csv.anonlab-{DEAD}-abc.tmp",
        STALE_AFTER + 60,
        ("other.csv",),
        True,
        False,
    ),
    ("a-file-not-a-folder", f".out.csv.anonlab-{DEAD}-abc.tmp", STALE_AFTER + 60, (), False, False),
    ("not-ours-by-name", ".out.csv.backup", STALE_AFTER + 60, ("out.csv",), True, False),
]


@pytest.mark.parametrize(
    ("name", "age", "content", "directory", "removed"),
    [c[1:] for c in LEFTOVERS],
    ids=[c[0] for c in LEFTOVERS],
)
def test_stale_temporary_folders_are_cleaned(
    tmp_path: Path,
    name: str,
    age: float,
    content: tuple[str, ...],
    directory: bool,
    removed: bool,
) -> None:
    left = _leftover(tmp_path, name, age=age, content=content, directory=directory)
    gone = remove_stale_temporaries(tmp_path / "out.csv")
    assert left.exists() is not removed
    assert (left in gone) is removed


def test_a_link_named_like_a_leftover_is_not_followed(tmp_path: Path) -> None:
    kept = tmp_path / "keep"
    kept.mkdir()
    (kept / "precious.txt").write_text("x")
    link = tmp_path / f".out.csv.anonlab-{DEAD}-abc.tmp"
    link.symlink_to(kept)
    os.utime(link, (0, 0), follow_symlinks=False)
    assert remove_stale_temporaries(tmp_path / "out.csv", older_than=0) == []
    assert (kept / "precious.txt").exists()


def test_sink_cleans_up_after_a_killed_run(tmp_path: Path) -> None:
    left = _leftover(tmp_path, f".out.csv.anonlab-{DEAD}-zz.tmp", age=STALE_AFTER + 60)
    assert sink(pl.LazyFrame({"a": [1, 2]}), tmp_path / "out.csv") == 2
    assert not left.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_apply_cleans_up_after_a_killed_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "in.csv"
    data.write_text("a,b\n1,2\n")
    recipe = tmp_path / "r.yaml"
    recipe.write_text(anonlab.Recipe().then("a", Keep()).to_yaml())
    left = _leftover(
        tmp_path,
        f".out.parquet.anonlab-{DEAD}-zz.tmp",
        age=STALE_AFTER + 60,
        content=("out.parquet",),
    )
    assert main(["apply", str(recipe), str(data), "-o", str(tmp_path / "out.parquet")]) == 0
    assert not left.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    capsys.readouterr()

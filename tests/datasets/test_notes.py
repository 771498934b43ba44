"""anonlab.datasets.clinical_notes: schema, determinism, exact labels, coverage and hard cases.

The checks below search the finished notes with their own regular expressions, written from the
labelling rules and independently of how the generator tracks its spans: every identifier of
the record found in a note must lie inside a span of its kind, every look-alike clinical value
must lie outside all spans.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator

import polars as pl
import pytest

import anonlab
from anonlab.datasets import _census_names as census_names
from anonlab.datasets import clinical_notes, patients
from anonlab.errors import DatasetError, ParameterError

SPAN = pl.Struct({"start": pl.Int64, "end": pl.Int64, "kind": pl.String})
SCHEMA = [
    ("name", pl.String),
    ("email", pl.String),
    ("phone", pl.String),
    ("ssn", pl.String),
    ("mrn", pl.String),
    ("address", pl.String),
    ("city", pl.String),
    ("zip", pl.String),
    ("date_of_birth", pl.Date),
    ("sex", pl.String),
    ("admission_date", pl.Date),
    ("discharge_date", pl.Date),
    ("note", pl.String),
    ("spans", pl.List(SPAN)),
]
KINDS = {"name", "date", "age", "phone", "ssn", "email", "url", "ip", "address", "zip", "mrn"}
# The hard-case words the labelling rules name: common English words that are also names.
HARD = {
    *("rose", "hope", "will", "grant", "young", "white", "brown", "hall", "mark", "may", "june"),
    *("bill", "faith", "joy", "frank", "dean", "page", "price", "long", "little", "rich"),
    *("bishop", "king", "wood", "stone", "black", "green", "lane", "summer", "amber", "ivy"),
}

Span = tuple[int, int, str]


@pytest.fixture(scope="module")
def corpus() -> pl.DataFrame:
    return clinical_notes(500, seed=0)


@pytest.fixture(scope="module")
def corpus1() -> pl.DataFrame:
    return clinical_notes(500, seed=1)


def rows(df: pl.DataFrame) -> Iterator[tuple[dict[str, object], str, list[Span]]]:
    for row in df.iter_rows(named=True):
        spans = [(s["start"], s["end"], s["kind"]) for s in row["spans"]]
        yield row, row["note"], spans


def span_texts(df: pl.DataFrame, kind: str) -> list[str]:
    return [note[a:b] for _, note, spans in rows(df) for a, b, k in spans if k == kind]


def covering(spans: list[Span], start: int, end: int) -> list[Span]:
    """The spans that contain ``[start, end)`` entirely."""
    return [s for s in spans if s[0] <= start and end <= s[1]]


def overlapping(spans: list[Span], start: int, end: int) -> list[Span]:
    return [s for s in spans if s[0] < end and start < s[1]]


# --- shape -------------------------------------------------------------------------------


def test_schema(corpus: pl.DataFrame) -> None:
    assert list(corpus.schema.items()) == SCHEMA
    assert corpus.height == 500
    assert corpus.null_count().sum_horizontal().item() == 0


def test_zero_rows_keep_the_schema() -> None:
    empty = clinical_notes(0)
    assert empty.height == 0
    assert list(empty.schema.items()) == SCHEMA


def test_exported() -> None:
    assert anonlab.datasets.clinical_notes is clinical_notes
    assert "clinical_notes" in anonlab.datasets.__all__


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"n": -1}, "n"),
        ({"n": 2.0}, "n"),
        ({"n": True}, "n"),
        ({"n": "10"}, "n"),
        ({"n": 1_000_001}, "n"),
        ({"n": 5, "seed": -1}, "seed"),
        ({"n": 5, "seed": None}, "seed"),
        ({"n": 5, "seed": 1.5}, "seed"),
    ],
)
def test_bad_parameters(kwargs: dict[str, object], parameter: str) -> None:
    with pytest.raises(ParameterError, match=f"'{parameter}' parameter of clinical_notes"):
        clinical_notes(**kwargs)  # type: ignore[arg-type]


def test_deterministic_per_seed_and_different_across_seeds() -> None:
    a, b = clinical_notes(40, seed=7), clinical_notes(40, seed=7)
    assert a.equals(b)
    c = clinical_notes(40, seed=8)
    assert (a.get_column("note") != c.get_column("note")).all()


def test_identity_columns_are_the_patients_rows(corpus: pl.DataFrame) -> None:
    base = patients(500, seed=0)
    for column in ("phone", "ssn", "mrn", "address", "city", "zip", "date_of_birth", "sex"):
        assert corpus.get_column(column).equals(base.get_column(column))
    renamed = corpus.get_column("name") != base.get_column("name")
    # About a fifth of the patients carry a hard-word name instead; their e-mail follows it.
    assert 0.12 < renamed.mean() < 0.40  # type: ignore[operator]
    assert (corpus.get_column("email") != base.get_column("email")).equals(renamed)
    hard_patients = [name for name in corpus.get_column("name") if set(name.lower().split()) & HARD]
    assert len(hard_patients) >= 75


# --- the spans ---------------------------------------------------------------------------


def test_spans_are_exact_sorted_and_disjoint(corpus: pl.DataFrame) -> None:
    for _, note, spans in rows(corpus):
        assert note.isascii()
        end = 0
        for a, b, kind in spans:
            assert kind in KINDS
            assert end <= a < b <= len(note)
            end = b
            text = note[a:b]
            assert text == text.strip(" .,;:'\n")
            # spans sit on word boundaries (an age may be followed by its sex, "91F")
            assert a == 0 or not note[a - 1].isalnum(), (note[a - 5 : b], kind)
            assert b == len(note) or not note[b].isalnum() or kind == "age", (note[a : b + 5],)


@pytest.mark.parametrize("seed", [0, 1])
def test_every_kind_is_frequent(seed: int, corpus: pl.DataFrame, corpus1: pl.DataFrame) -> None:
    df = corpus if seed == 0 else corpus1
    counts = Counter(k for _, _, spans in rows(df) for _, _, k in spans)
    assert set(counts) == KINDS
    assert min(counts.values()) >= 30, counts
    assert sum(counts.values()) >= 4000


def test_notes_vary_in_length_and_all_hold_identifiers(corpus: pl.DataFrame) -> None:
    lengths = corpus.get_column("note").str.len_chars()
    assert lengths.min() < 250 < lengths.max()  # type: ignore[operator]
    per_note = corpus.get_column("spans").list.len()
    assert per_note.min() >= 1  # type: ignore[operator]
    assert per_note.mean() >= 8  # type: ignore[operator]
    sections = corpus.get_column("note").str.count_matches("\n") + 1
    assert sections.min() <= 3  # type: ignore[operator]
    assert sections.max() >= 6  # type: ignore[operator]


def test_record_identifiers_are_always_labelled(corpus: pl.DataFrame) -> None:
    """Every occurrence of the record's identifiers in its note lies inside a span of its kind."""
    found = Counter[str]()
    for row, note, spans in rows(corpus):
        dob = row["date_of_birth"]
        adm = row["admission_date"]
        assert isinstance(dob, dt.date) and isinstance(adm, dt.date)
        targets = {
            "name": [str(row["name"]), str(row["name"]).upper()],
            "email": [str(row["email"])],
            "ssn": [str(row["ssn"])],
            "mrn": [str(row["mrn"])],
            "address": [str(row["address"])],
            "zip": [str(row["zip"])],
            "date": [adm.isoformat(), dob.isoformat(), dob.strftime("%m/%d/%Y")],
        }
        for kind, values in targets.items():
            for value in values:
                for m in re.finditer(rf"(?<![\w-]){re.escape(value)}(?!\w)", note):
                    assert [s for s in covering(spans, *m.span()) if s[2] == kind], (kind, value)
                    found[kind] += 1
        for m in re.finditer(rf"\b{re.escape(str(row['city']))}\b", note):
            assert covering(spans, *m.span()), row["city"]
            found["city"] += 1
    assert min(found.values()) >= 30, found


def test_titles_roles_and_possessives_are_outside_name_spans(corpus: pl.DataFrame) -> None:
    names = span_texts(corpus, "name")
    assert not [n for n in names if re.match(r"(Dr|Mr|Mrs|Ms)\b", n) or n.endswith("'s")]
    before = Counter[str]()
    for _, note, spans in rows(corpus):
        for a, _, kind in spans:
            if kind == "name":
                before[note[max(0, a - 4) : a]] += 1
    assert before["Dr. "] >= 150
    assert before["Mr. "] + before["Ms. "] + before["Mrs. "] >= 100
    possessive = sum(
        note[b : b + 2] == "'s" for _, note, spans in rows(corpus) for _, b, _ in spans
    )
    assert possessive >= 30
    # "LAST, First" and upper-case names are single spans
    assert any(re.fullmatch(r"[A-Z'\-]+, [A-Z][a-z]+", n) for n in names)
    assert sum(n.isupper() for n in names) >= 30


def test_hard_cases_are_frequent(corpus: pl.DataFrame, corpus1: pl.DataFrame) -> None:
    for df in (corpus, corpus1):
        names = span_texts(df, "name")
        hard = [n for n in names if set(re.findall(r"[a-z]+", n.lower())) & HARD]
        assert len(hard) / len(names) >= 0.15
        assert len({w for n in hard for w in re.findall(r"[a-z]+", n.lower())} & HARD) >= 25


def test_hard_words_also_appear_as_plain_words(corpus: pl.DataFrame) -> None:
    words = Counter[str]()
    for _, note, spans in rows(corpus):
        for m in re.finditer(r"\b[A-Za-z]+\b", note):
            if m.group().lower() in HARD and not overlapping(spans, *m.span()):
                words[m.group()] += 1
    for word in (
        "will",
        "may",
        "Will",
        "May",
        "Hope",
        "Marked",
        "bill",
        "grant",
        "rose",
        "frank",
        "Brown",
        "green",
        "Black",
        "stone",
        "little",
        "long",
        "white",
    ):
        # "Marked" is "mark" inflected; look for it separately
        if word == "Marked":
            assert sum("Marked improvement" in n for n in corpus.get_column("note")) >= 10
        else:
            assert words[word] >= 5, (word, words[word])


# --- the kinds, one by one ---------------------------------------------------------------

DATE_FORMATS = {
    "iso": r"\d{4}-\d{2}-\d{2}",
    "us": r"\d{2}/\d{2}/\d{4}",
    "us short year": r"\d{1,2}/\d{1,2}/\d{2}",
    "us unpadded": r"\d{1,2}/\d{1,2}/\d{4}",
    "dotted": r"\d{2}\.\d{2}\.\d{4}",
    "abbreviated": r"[A-Z][a-z]{2} \d{1,2}, \d{4}",
    "abbreviated with period": r"[A-Z][a-z]{2}\. \d{1,2}, \d{4}",
    "long": r"[A-Z][a-z]+ \d{1,2}, \d{4}",
    "long ordinal": r"[A-Z][a-z]+ \d{1,2}(st|nd|rd|th), \d{4}",
    "day month year": r"\d{1,2} [A-Z][a-z]+ \d{4}",
    "dashed": r"\d{2}-[A-Z][a-z]{2}-\d{4}",
    "compact": r"(19|20)\d{2}(0\d|1[0-2])[0-3]\d",
    "ordinal of month": r"\d{1,2}(st|nd|rd|th) of [A-Z][a-z]+",
    "weekday": r"(Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, [A-Z][a-z]+ \d{1,2}",
    "month/day": r"\d{1,2}/\d{1,2}",
    "month day": r"[A-Z][a-z]+ \d{1,2}(st|nd|rd|th)?",
    "month year": r"[A-Z][a-z]+ \d{4}",
    "numeric month year": r"\d{2}/\d{4}",
}


def test_dates_come_in_many_formats(corpus: pl.DataFrame) -> None:
    seen = Counter[str]()
    for text in span_texts(corpus, "date"):
        kinds = [k for k, rx in DATE_FORMATS.items() if re.fullmatch(rx, text)]
        assert kinds, text
        seen.update(kinds)
    assert len(seen) >= 16, seen
    assert min(seen.values()) >= 3, seen


def test_bare_years_are_not_labelled(corpus: pl.DataFrame) -> None:
    years = 0
    for _, note, spans in rows(corpus):
        for m in re.finditer(r"\b(?:in|since) ((?:19|20)\d{2})\b(?![-/.]\d)", note):
            assert not overlapping(spans, *m.span(1)), note[m.start() - 20 : m.end()]
            years += 1
    assert years >= 100
    # "in May 2024": a month with a year is a date element
    month_years = [t for t in span_texts(corpus, "date") if re.fullmatch(r"[A-Z][a-z]+ \d{4}", t)]
    assert len(month_years) >= 30


AGE = re.compile(
    r"\b(\d{1,3})(?:-year-old| year old| yo\b| y/o| years old)|\b(?:aged?) (\d{1,3})\b"
    r"|\((\d{1,3}) ?[FM]\)"
)


def test_ages_over_89_are_labelled_and_the_others_not(corpus: pl.DataFrame) -> None:
    labelled = unlabelled = 0
    for _, note, spans in rows(corpus):
        for m in AGE.finditer(note):
            group = next(g for g in (1, 2, 3) if m.group(g) is not None)
            a, b = m.span(group)
            age = int(m.group(group))
            if age > 89:
                assert (a, b, "age") in spans, note[a - 20 : b + 10]
                labelled += 1
            else:
                assert not overlapping(spans, a, b), note[a - 20 : b + 10]
                unlabelled += 1
    assert labelled >= 60
    assert unlabelled >= 300
    words = [t for t in span_texts(corpus, "age") if not t.isdigit()]
    assert words
    assert all(re.fullmatch(r"ninety(-[a-z]+)?|one hundred( [a-z]+)?", w) for w in words)


PHONE_FORMATS = {
    "digits": r"\d{10}",
    "parentheses": r"\(\d{3}\) \d{3}-\d{4}",
    "dashes": r"\d{3}-\d{3}-\d{4}",
    "dots": r"\d{3}\.\d{3}\.\d{4}",
    "+1 spaces": r"\+1 \d{3} \d{3} \d{4}",
    "1-dashes": r"1-\d{3}-\d{3}-\d{4}",
    "spaces": r"\d{3} \d{3} \d{4}",
    "+1 parentheses": r"\+1 \(\d{3}\) \d{3}-\d{4}",
}


def test_phones_ssns_zips(corpus: pl.DataFrame) -> None:
    phones = Counter(
        next(k for k, rx in PHONE_FORMATS.items() if re.fullmatch(rx, t))
        for t in span_texts(corpus, "phone")
    )
    assert set(phones) == set(PHONE_FORMATS)
    notes = corpus.get_column("note")
    assert notes.str.contains(r"ext\. \d+").sum() >= 5
    assert notes.str.contains(r"(?i)fax").sum() >= 20
    ssns = span_texts(corpus, "ssn")
    for rx in (r"\d{3}-\d{2}-\d{4}", r"\d{3} \d{2} \d{4}", r"\d{9}"):
        assert sum(bool(re.fullmatch(rx, s)) for s in ssns) >= 5, rx
    zips = span_texts(corpus, "zip")
    assert all(re.fullmatch(r"\d{5}(-\d{4})?", z) for z in zips)
    assert sum(len(z) == 10 for z in zips) >= 10


def test_emails_urls_ips(corpus: pl.DataFrame) -> None:
    assert all(
        re.fullmatch(r"[a-z0-9._'-]+@[a-z0-9.-]+\.[a-z]+", e) for e in span_texts(corpus, "email")
    )
    urls = span_texts(corpus, "url")
    assert all(re.fullmatch(r"(https?://)?[\w.-]+\.[a-z]{2,}(/\S*)?", u) for u in urls)
    assert not [u for u in urls if u.endswith((".", ",", ";"))]
    for start in ("https://", "http://", "www."):
        assert any(u.startswith(start) for u in urls), start
    assert any(not u.startswith(("https://", "http://", "www.")) for u in urls)
    ips = span_texts(corpus, "ip")
    v4 = [ip for ip in ips if re.fullmatch(r"(\d{1,3}\.){3}\d{1,3}", ip)]
    assert all(0 <= int(x) <= 255 for ip in v4 for x in ip.split("."))
    assert 0 < len(ips) - len(v4) < len(v4)  # a few IPv6
    assert all(":" in ip for ip in ips if ip not in v4)


def test_addresses(corpus: pl.DataFrame) -> None:
    own = other = 0
    for row, note, spans in rows(corpus):
        for a, b, kind in spans:
            if kind == "address":
                if note[a:b] in (row["address"], row["city"]):
                    own += 1
                else:
                    other += 1
    assert own > other > 30
    addresses = span_texts(corpus, "address")
    assert any(re.fullmatch(r"P\.?O\.? Box \d+", t) for t in addresses)
    assert any(re.search(r"\b(Apt|Unit|Suite) \w+$", t) for t in addresses)


def test_record_numbers_exclude_their_labels(corpus: pl.DataFrame) -> None:
    codes = span_texts(corpus, "mrn")
    assert sum(bool(re.fullmatch(r"MRN-\d{7}", c)) for c in codes) >= 30  # the column's token
    assert not [c for c in codes if re.match(r"(?i)(MRN|MR#|acct|account|member|rx|#)[\s:#]", c)]
    notes = "\n".join(corpus.get_column("note"))
    for label in ("MRN: ", "MRN ", "MR# ", "acct #", "account number ", "member ID ", "Rx #"):
        assert label in notes, label


NEGATIVES = {
    "blood pressure": r"\bBP \d{2,3}/\d{2,3}",
    "heart rate": r"\bHR \d{2,3}\b",
    "temperature": r"\btemp(?:erature of)? \d{2,3}\.\d F\b",
    "saturation": r"\bSpO2 \d{2,3}%",
    "white count": r"\bWBC \d+\.\d\b",
    "dose": r"\b\d+ (?:mg|mcg|g|units|mEq)\b",
    "dose per kg": r"\b\d+ mg/kg\b",
    "pain score": r"\b[Pp]ain \d+/10\b|\bto \d/10 after\b",
    "strength": r"\bStrength \d/5\b",
    "half tablet": r"\b1/2 tablet\b",
    "times dose": r"\b2 x 500 mg\b",
    "ICD-10 code": r"\b[A-Z]\d{2}(?:\.\d{1,3}[A-Z]?)?\b(?= [A-Z][a-z]| hypertension| hyper|\))",
    "time": r"\bat \d{1,2}:\d{2}\b",
    "room": r"\broom \d+\b",
    "frequency": r"\bq\d+h\b",
    "grade": r"\bGrade \d\b",
    "level": r"\blevel \d\b",
    "times": r"\bx\d\b",
    "smoking years": r"\b\d+ years of smoking\b",
    "pack-years": r"\b\d+ pack-years\b",
}


@pytest.mark.parametrize("name", sorted(NEGATIVES))
def test_look_alike_values_are_frequent_and_unlabelled(corpus: pl.DataFrame, name: str) -> None:
    hits = 0
    for _, note, spans in rows(corpus):
        for m in re.finditer(NEGATIVES[name], note):
            assert not overlapping(spans, *m.span()), note[m.start() - 20 : m.end() + 20]
            hits += 1
    assert hits >= 10, hits


# --- the embedded name list --------------------------------------------------------------


def test_census_names_are_verified(monkeypatch: pytest.MonkeyPatch) -> None:
    census_names.load_census.cache_clear()
    good = census_names._data_file()
    monkeypatch.setattr(census_names, "_data_file", lambda: good[:-20] + bytes(20))
    try:
        with pytest.raises(DatasetError, match="census1990_names"):
            census_names.load_census()
    finally:
        monkeypatch.undo()
        census_names.load_census.cache_clear()
    census = census_names.load_census()
    assert len(census.last.names) == 2000
    assert len(census.female.names) == len(census.male.names) == 1000
    assert census.last.names[:3] == ("Smith", "Johnson", "Williams")
    assert {"McDonald", "O'Brien"} <= set(census.last.names)
    assert {"Hope", "Rose", "June"} <= set(census.female.hard)
    assert {"Will", "Grant", "Frank"} <= set(census.male.hard)

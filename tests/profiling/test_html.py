"""The notebook display of a profile."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import polars as pl

import anonlab


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[str] = []
        self.masked_cells = 0
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "tr" and "data-column" in a:
            self.rows.append(a["data-column"] or "")
        if tag == "td" and "anonlab-masked" in (a.get("class") or ""):
            self.masked_cells += 1
        if tag == "script":
            self.scripts += 1


def test_one_row_per_column_and_masked_identifiers() -> None:
    df = anonlab.datasets.patients(n=300, seed=0)
    prof = anonlab.profile(df)
    page = prof._repr_html_()
    parsed = _Collector()
    parsed.feed(page)
    assert parsed.rows == list(df.columns)
    assert parsed.masked_cells == sum(c.masked for c in prof)
    assert parsed.scripts == 0  # static HTML: renders on a repository page too
    assert 'class="anonlab-profile"' in page
    assert "identifier" in page and "(G) Social Security numbers" in page


def test_values_are_escaped() -> None:
    frame = pl.DataFrame({"<b>col</b>": ["<script>alert(1)</script>"] * 3})
    page = anonlab.profile(frame)._repr_html_()
    assert "<script>alert" not in page
    assert "&lt;b&gt;col&lt;/b&gt;" in page


def test_sampled_statistics_are_announced() -> None:
    frame = pl.DataFrame({"n": list(range(100))})
    page = anonlab.profile(frame, sample=10)._repr_html_()
    assert re.search(r"random sample of 10 rows", page)


def test_text_repr_lists_columns() -> None:
    text = repr(anonlab.profile(pl.DataFrame({"email": ["a@example.com"] * 3, "n": [1, 2, 3]})))
    lines = text.splitlines()
    assert lines[0] == "Profile: 3 rows x 2 columns"
    assert lines[2].startswith("email") and "identifier" in lines[2]

"""ClassTable figures."""

from __future__ import annotations

import polars as pl

from anonlab.risk.classes import ClassTable, equivalence_classes


def test_smallest_is_the_size_of_the_smallest_class() -> None:
    frame = pl.DataFrame({"zip": ["1", "1", "1", "2", "2", "3", "3", "3", "3"]})
    table = equivalence_classes(frame, ["zip"])
    assert table.smallest == 2
    assert isinstance(table.smallest, int)


def test_smallest_is_none_without_classes() -> None:
    table = ClassTable(
        quasi_identifiers=("zip",),
        keys=pl.DataFrame({"zip": []}, schema={"zip": pl.String}),
        size=pl.Series("size", [], dtype=pl.Int64),
    )
    assert table.classes == 0
    assert table.smallest is None

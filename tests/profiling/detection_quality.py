"""Measure identifier detection against labelled columns: precision and recall.

Shared by the test that holds detection to its targets and by ``python -m benchmarks``, which
prints the figures. Each case is profiled through the public :func:`anonlab.profile`, so the
measurement covers the whole path (statistics, sampling, detection), not the detector alone.

Counting, over all cases, with ``label`` the expected kind (or None) and ``got`` the detected one:
a true positive is ``got == label`` with a label; a false positive is a detected kind that is not
the label; a false negative is a label that was not detected as itself. So a column labelled
``ssn`` and detected as ``phone`` counts once against precision and once against recall.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import polars as pl

import anonlab

# The ground truth of the synthetic patients table, column by column.
PATIENTS_LABELS: dict[str, str | None] = {
    "name": "person_name",
    "email": "email",
    "phone": "phone",
    "ssn": "ssn",
    "mrn": "record_id",
    "address": "street_address",
    "city": "city",
    "zip": "zip_code",
    "date_of_birth": "date_of_birth",
    "sex": None,
    "ethnicity": None,
    "admission_date": "date",
    "discharge_date": "date",
    "diagnosis_code": None,
    "diagnosis": None,
    "note": "free_text_with_identifiers",
    "total_charges": None,
    "insurer": None,
}


@dataclass
class Quality:
    """Counts and the mistakes behind them."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    cases: int = 0
    mistakes: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    per_kind: Counter[str] = field(default_factory=Counter)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def add(self, name: str, label: str | None, got: str | None) -> None:
        self.cases += 1
        if label is not None:
            self.per_kind[label] += 1
        if got == label:
            if label is not None:
                self.tp += 1
            return
        self.mistakes.append((name, label, got))
        if got is not None:
            self.fp += 1
        if label is not None:
            self.fn += 1

    def summary(self) -> str:
        return (
            f"{self.cases} columns, precision {self.precision:.3f}, recall {self.recall:.3f} "
            f"(tp {self.tp}, fp {self.fp}, fn {self.fn})"
        )


def _kind(profile_column: anonlab.ColumnProfile) -> str | None:
    return None if profile_column.kind is None else profile_column.kind.value


def evaluate_labelled() -> Quality:
    """Precision and recall over the labelled corpus in ``labelled_columns.py``."""
    from tests.profiling.labelled_columns import LABELLED_COLUMNS

    quality = Quality()
    for case in LABELLED_COLUMNS:
        dtype = getattr(pl, case.dtype) if case.dtype else None
        frame = pl.DataFrame({case.name: pl.Series(case.name, case.values, dtype=dtype)})
        got = _kind(anonlab.profile(frame)[case.name])
        quality.add(case.name, case.kind, got)
    return quality


def evaluate_patients(frames: Iterable[pl.DataFrame]) -> Quality:
    """Precision and recall over the columns of synthetic patients tables."""
    quality = Quality()
    for frame in frames:
        prof = anonlab.profile(frame)
        for column in prof:
            quality.add(column.name, PATIENTS_LABELS[column.name], _kind(column))
    return quality

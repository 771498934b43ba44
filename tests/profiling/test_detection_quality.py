"""Detection is measured, not assumed: precision and recall of at least 0.95."""

from __future__ import annotations

import anonlab
from tests.profiling.detection_quality import PATIENTS_LABELS, evaluate_labelled, evaluate_patients

TARGET = 0.95


def test_patients_table() -> None:
    frames = [anonlab.datasets.patients(n=n, seed=seed) for n, seed in ((200, 1), (2000, 2))]
    assert list(frames[0].columns) == list(PATIENTS_LABELS)
    quality = evaluate_patients(frames)
    assert quality.precision >= TARGET, (quality.summary(), quality.mistakes)
    assert quality.recall >= TARGET, (quality.summary(), quality.mistakes)


def test_labelled_columns() -> None:
    quality = evaluate_labelled()
    assert quality.cases >= 130
    assert quality.precision >= TARGET, (quality.summary(), quality.mistakes)
    assert quality.recall >= TARGET, (quality.summary(), quality.mistakes)

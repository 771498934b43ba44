"""Detection quality: precision and recall on labelled columns and on the patients table.

Target (issue 2): at least 0.95 on both, for both sets.
"""

from __future__ import annotations

import anonlab
from tests.profiling.detection_quality import evaluate_labelled, evaluate_patients


def run(rows: int, repeat: int) -> None:
    del repeat  # quality, not speed
    labelled = evaluate_labelled()
    print(f"labelled columns:  {labelled.summary()}")
    for name, label, got in labelled.mistakes:
        print(f"    mistake: {name!r} labelled {label}, detected {got}")
    sizes = ((1_000, 0), (min(rows, 100_000), 1))
    frames = [anonlab.datasets.patients(n=n, seed=s) for n, s in sizes]
    patients = evaluate_patients(frames)
    print(f"patients table:    {patients.summary()} over {len(frames)} tables")
    for name, label, got in patients.mistakes:
        print(f"    mistake: {name!r} labelled {label}, detected {got}")
    target = 0.95
    ok = min(labelled.precision, labelled.recall, patients.precision, patients.recall) >= target
    print(f"target >= {target} on precision and recall: {'met' if ok else 'NOT met'}")

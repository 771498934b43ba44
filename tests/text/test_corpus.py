"""The scrubber's recall on the labelled corpus, the issue's targets, on two draws."""

from __future__ import annotations

import pytest

import anonlab
from benchmarks.bench_scrub import RECALL_KIND, RECALL_OVERALL, score


@pytest.mark.parametrize("seed", [0, 1])
def test_recall_per_kind_meets_the_target(seed: int) -> None:
    counts = score(anonlab.datasets.clinical_notes(500, seed=seed))
    labelled, found = counts["labelled"], counts["found"]
    assert set(labelled) == set(anonlab.text.KINDS)
    assert sum(found.values()) / sum(labelled.values()) >= RECALL_OVERALL
    for kind, n in labelled.items():
        assert found.get(kind, 0) / n >= RECALL_KIND, kind
    # and what it removes is mostly what had to go
    assert sum(counts["right"].values()) / sum(counts["removed"].values()) >= 0.95

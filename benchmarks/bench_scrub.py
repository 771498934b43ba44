"""The free-text scrubber on a labelled corpus: recall and precision per identifier kind.

Target (issue 12): recall >= 0.99 overall and >= 0.97 for every kind, on at least 500 synthetic
clinical notes labelled independently of the scrubber (:func:`anonlab.datasets.clinical_notes`,
written from the Safe Harbor rules without reading :mod:`anonlab.text`). The scrubber's rules
were tuned on seed 0; seed 1 is a held-out draw of the same generator.

How it is counted:

- a labelled identifier is *found* when every letter and digit of it lies inside some span the
  scrubber removes (of any kind: removing a phone number as an MRN still removes it), so a
  half-removed name counts as missed; recall per kind is found / labelled;
- a removed span is *right* when it overlaps a labelled identifier; precision per kind (the kind
  the scrubber gave it) is right / removed;
- the scrubber runs as a recipe's ``Scrub`` step does, with the record's identifier columns as
  context; ``--no-context`` shows the lexicons and patterns alone.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable

import polars as pl

import anonlab
from anonlab.text import KINDS, find_identifiers

SEEDS = (0, 1)
NOTES = 1_000
CONTEXT = ("name", "email", "phone", "ssn", "mrn", "address", "city", "zip", "date_of_birth",
           "admission_date", "discharge_date")
RECALL_OVERALL, RECALL_KIND = 0.99, 0.97


def _covered(text: str, start: int, end: int, mask: list[bool]) -> bool:
    return all(mask[i] for i in range(start, end) if text[i].isalnum())


def score(frame: pl.DataFrame, *, context: bool = True) -> dict[str, dict[str, int]]:
    """Counts per kind: labelled, found, removed, right (see the module docstring)."""
    counts: dict[str, Counter[str]] = {k: Counter() for k in ("labelled", "found", "removed",
                                                              "right")}
    columns = [c for c in CONTEXT if c in frame.columns] if context else []
    rows = frame.select(columns).rows() if columns else [()] * frame.height
    for note, spans, row in zip(frame["note"], frame["spans"], rows, strict=True):
        found = find_identifiers(note, row)
        mask = [False] * len(note)
        for s in found:
            for i in range(s.start, s.end):
                mask[i] = True
        gold = [(g["start"], g["end"], g["kind"]) for g in spans]
        for start, end, kind in gold:
            counts["labelled"][kind] += 1
            counts["found"][kind] += _covered(note, start, end, mask)
        for s in found:
            counts["removed"][s.kind] += 1
            counts["right"][s.kind] += any(s.start < e and st < s.end for st, e, _ in gold)
    return {name: dict(c) for name, c in counts.items()}


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.4f}" if b else "   -  "


def report(counts: dict[str, dict[str, int]], kinds: Iterable[str]) -> tuple[float, float]:
    lab, found = counts["labelled"], counts["found"]
    rem, right = counts["removed"], counts["right"]
    print(f"    {'kind':<8} {'labelled':>8} {'recall':>7} {'removed':>8} {'precision':>9}")
    worst = 1.0
    for kind in kinds:
        if kind in lab:
            worst = min(worst, found.get(kind, 0) / lab[kind])
        recall = _ratio(found.get(kind, 0), lab.get(kind, 0))
        precision = _ratio(right.get(kind, 0), rem.get(kind, 0))
        print(f"    {kind:<8} {lab.get(kind, 0):>8,} {recall:>7} {rem.get(kind, 0):>8,} "
              f"{precision:>9}")
    total_l, total_f = sum(lab.values()), sum(found.values())
    total_r, total_ok = sum(rem.values()), sum(right.values())
    overall = total_f / total_l if total_l else 1.0
    print(f"    {'all':<8} {total_l:>8,} {_ratio(total_f, total_l):>7} {total_r:>8,} "
          f"{_ratio(total_ok, total_r):>9}")
    return overall, worst


def run(rows: int, repeat: int) -> None:
    del repeat
    n = min(max(rows, 500), NOTES)
    kinds = list(KINDS)
    for seed in SEEDS:
        frame = anonlab.datasets.clinical_notes(n, seed=seed)
        label = "tuning draw" if seed == 0 else "held-out draw"
        for context in (True, False):
            start = time.perf_counter()
            counts = score(frame, context=context)
            took = time.perf_counter() - start
            how = "with the record's columns as context" if context else "no context"
            print(f"  clinical_notes({n}, seed={seed}) [{label}], {how}: "
                  f"{n / took:,.0f} notes/s")
            overall, worst = report(counts, kinds)
            if context:
                verdict = ("meets" if overall >= RECALL_OVERALL and worst >= RECALL_KIND
                           else "MISSES")
                print(f"    recall {overall:.4f} overall, {worst:.4f} for the worst kind: "
                      f"{verdict} the target (>= {RECALL_OVERALL} overall, >= {RECALL_KIND} "
                      "per kind)")
    # the Scrub step as a recipe runs it, end to end, on the patients table
    big = anonlab.datasets.patients(min(rows, 100_000), seed=0)
    recipe = anonlab.Recipe().then("note", anonlab.transforms.Scrub(context=CONTEXT[:9]))
    start = time.perf_counter()
    recipe.apply(big)
    took = time.perf_counter() - start
    print(f"  Recipe.apply with Scrub(context=9 columns) on {big.height:,} patients notes: "
          f"{took:.2f} s ({big.height / took:,.0f} notes/s)")

"""What the attack suite adds to ``anonlab.export``, end to end, at 100,000 rows.

Target (issue 12): the attacks add under 20 s to an export of 100,000 rows on 2 cores. Both
exports below do everything a user waits for (apply the recipe with keys for the release,
assess the risk, run the template's checks, write, hash and sign the bundle); one with the
template as shipped, one with the same template stripped of its attack checks. They run
interleaved, and the medians are compared. Each attack check is then timed alone on the same
release.
"""

from __future__ import annotations

import dataclasses
import os
import statistics
import tempfile
import time
from pathlib import Path

import anonlab
from anonlab.evidence.release import make_release
from anonlab.licensing import check_compliance, register_template, suggest_for_template
from anonlab.licensing import template as lookup
from anonlab.licensing.issue import ATTACK_CHECKS
from anonlab.transforms import Noise

TEMPLATE = "gdpr-anonymous"
TARGET_SECONDS = 20.0


def run(rows: int, repeat: int) -> None:
    n = min(rows, 100_000)
    os.environ.setdefault("ANONLAB_KEY", "benchmark key, only for this run 0123456789")
    raw = anonlab.datasets.patients(n, seed=0)
    profile = anonlab.profile(raw)
    recipe = suggest_for_template(profile, TEMPLATE).then(
        "total_charges", Noise(distribution="laplace", scale=250.0))
    full = lookup(TEMPLATE)
    bare = dataclasses.replace(
        full, id="bench-no-attacks",
        required_checks=tuple(c for c in full.required_checks if c not in ATTACK_CHECKS))
    register_template(bare)
    print(f"{n:,} patients rows; recipe suggested for {TEMPLATE!r} plus Laplace noise; "
          f"{os.cpu_count()} cores; median of {max(repeat, 1)} interleaved runs")
    times: dict[str, list[float]] = {"with attacks": [], "without": []}
    with tempfile.TemporaryDirectory() as tmp:
        private, _ = anonlab.generate_keypair(Path(tmp) / "k")
        for i in range(max(repeat, 1)):
            for label, tpl in (("with attacks", full.id), ("without", bare.id)):
                start = time.perf_counter()
                anonlab.export(raw, recipe=recipe, license=tpl, profile=profile,
                               license_terms={"licensee": "Benchmark"},
                               path=Path(tmp) / f"{label}-{i}", signing_key=private)
                times[label].append(time.perf_counter() - start)
    with_attacks = statistics.median(times["with attacks"])
    without = statistics.median(times["without"])
    added = with_attacks - without
    print(f"  export, the template as shipped:   {with_attacks:6.2f} s")
    print(f"  export, without the attack checks: {without:6.2f} s")
    verdict = "meets" if added < TARGET_SECONDS else "MISSES"
    print(f"  the attacks add {added:.2f} s ({with_attacks / without:.2f}x); "
          f"target under {TARGET_SECONDS:.0f} s: {verdict}")
    release, source = make_release(raw, recipe, "release:benchmark")
    report = anonlab.assess_risk(release, list(recipe.targets.quasi_identifiers),
                                 targets=recipe.targets.models())
    for name in [c for c in full.required_checks if c in ATTACK_CHECKS]:
        one = dataclasses.replace(full, id="bench-one-check", required_checks=(name,))
        register_template(one)
        start = time.perf_counter()
        check_compliance(one, frame=release, recipe=recipe, report=report, original=raw,
                         original_profile=profile, rows=source, scope="release:benchmark")
        print(f"    {name:<16} {time.perf_counter() - start:6.2f} s")

"""Property: over random sequences of accesses, reports and edits, any change to a record an
earlier report committed is detected when the next report is checked against the earlier ones,
whatever the holder recomputes (hashes, chain, even signatures with the key they hold)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anonlab.bundle import AuditLog
from anonlab.bundle.identity import Identity
from anonlab.bundle.usage import usage_report, verify_usage_report
from tests.identities import LICENSEE_SIGNING_KEY, rechain

LICENSE_ID = "urn:uuid:12345678-1234-4123-8123-123456789abc"
IDENTITY = Identity(LICENSEE_SIGNING_KEY)
PURPOSES = ("statistics", "marketing", "research")

access = st.tuples(st.sampled_from(("allowed", "refused")), st.sampled_from(PURPOSES))
edit = st.sampled_from(("delete", "modify", "swap", "truncate", "duplicate"))
step = st.one_of(st.tuples(st.just("access"), access),
                 st.tuples(st.just("report"), st.none()),
                 st.tuples(st.just("edit"), st.tuples(edit, st.integers(0, 50))))


def _apply(kind: str, at: int, entries: list[dict], committed: int) -> tuple[list[dict], bool]:
    """The edited records, and whether a committed one (among the first ``committed``) changed."""
    if not entries:
        return entries, False
    i = at % len(entries)
    new = [dict(e) for e in entries]
    if kind == "delete":
        del new[i]
    elif kind == "modify":
        new[i]["purpose"] = "research" if new[i]["purpose"] != "research" else "statistics"
    elif kind == "swap":
        j = (i + 1) % len(new)
        new[i], new[j] = new[j], new[i]
    elif kind == "truncate":
        new = new[:i]
    else:
        new.insert(i, dict(new[i]))
    fields = ("time", "outcome", "purpose", "user")
    before = [tuple(e[f] for f in fields) for e in entries[:committed]]
    after = [tuple(e[f] for f in fields) for e in new[:committed]]
    return new, before != after


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(step, min_size=1, max_size=14))
def test_any_edit_of_a_committed_record_is_detected(steps: list[tuple]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "release"
        folder.mkdir()
        (folder / "license.json").write_bytes(b'{"id":"test license"}')
        log = AuditLog.for_bundle(folder)
        reports = []
        committed = 0
        tampered = False
        for kind, arg in steps:
            if kind == "access":
                outcome, purpose = arg
                log.append(action="open", outcome=outcome, user="ada", role="analyst",
                           purpose=purpose, license_id=LICENSE_ID, bundle="release",
                           identity=IDENTITY)
            elif kind == "edit":
                entries, changed = _apply(*arg, log.entries(), committed)
                rechain(log, entries)
                assert log.verify().ok  # the chain alone never tells
                tampered = tampered or changed
            elif log.entries():
                report = usage_report(folder, identity=IDENTITY)
                result = verify_usage_report(report, previous=reports)
                if tampered:
                    assert not result.ok, (steps, result.problems)
                    return  # the licensor stops accepting reports here
                assert result.ok, (steps, result.problems)
                reports.append(report)
                committed = report.length

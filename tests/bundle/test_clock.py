"""The honest clock of anonlab.open: a caller's time only makes a check stricter, a clock set back
is refused, and the test clock is marked in every record."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from anonlab.bundle import AuditLog, clock, open_bundle
from anonlab.bundle.clock import CLOCK_TOLERANCE, read_clock
from anonlab.errors import AccessDeniedError, ParameterError
from tests.bundle.conftest import AFTER, INSIDE, Keys

LAST_DAY = dt.datetime(2026, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
"""The fixed license's valid_until."""


class FakeClock:
    """The system clock, set by the test."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = INSIDE
        monkeypatch.setattr(clock, "system_now", lambda: self.now)


@pytest.fixture
def system(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """The honest clock (the test clock off) reading a time the test sets."""
    monkeypatch.delenv("ANONLAB_TEST_CLOCK", raising=False)
    return FakeClock(monkeypatch)


def _open(bundle: Path, keys: Keys, **kwargs: object) -> object:
    return open_bundle(
        bundle, purpose="statistics", role="analyst", user="ada", public_key=keys.public, **kwargs
    )


def _entries(bundle: Path) -> list[dict]:
    return AuditLog.for_bundle(bundle).entries()


def test_a_backdated_now_does_not_open_an_expired_license(
    bundle_copy: Path, keys: Keys, system: FakeClock
) -> None:
    system.now = AFTER  # the license expired half a year ago
    with pytest.raises(AccessDeniedError, match="earlier than the system clock") as info:
        _open(bundle_copy, keys, now=INSIDE)
    assert info.value.reason == "clock_backdated"
    (entry,) = _entries(bundle_copy)
    assert (entry["outcome"], entry["reason"]) == ("refused", "clock_backdated")
    assert "clock" not in entry


def test_the_system_clock_is_what_counts(bundle_copy: Path, keys: Keys, system: FakeClock) -> None:
    system.now = INSIDE + dt.timedelta(days=200)  # later, still inside
    _open(bundle_copy, keys)
    assert _entries(bundle_copy)[-1]["reason"] is None  # no note: the system's own time
    system.now = AFTER
    with pytest.raises(AccessDeniedError) as info:
        _open(bundle_copy, keys)
    assert info.value.reason == "expired"


def test_a_now_within_the_tolerance_is_checked_at_the_system_time(
    bundle_copy: Path, keys: Keys, system: FakeClock
) -> None:
    system.now = LAST_DAY + dt.timedelta(seconds=1)  # just expired
    with pytest.raises(AccessDeniedError) as info:  # a second earlier gains nothing
        _open(bundle_copy, keys, now=LAST_DAY)
    assert info.value.reason == "expired"


def test_a_later_now_is_a_stricter_check(bundle_copy: Path, keys: Keys, system: FakeClock) -> None:
    with pytest.raises(AccessDeniedError) as info:
        _open(bundle_copy, keys, now=AFTER)
    assert info.value.reason == "expired"
    _open(bundle_copy, keys, now=LAST_DAY)
    entry = _entries(bundle_copy)[-1]
    assert (entry["outcome"], entry["reason"]) == ("allowed", "checked_at=2026-12-31T23:59:59Z")
    assert entry["time"].startswith("2026-06-01T00:00:00")  # the system time is logged


def test_a_clock_set_back_is_refused_and_logged(
    bundle_copy: Path, keys: Keys, system: FakeClock
) -> None:
    system.now = INSIDE + dt.timedelta(days=30)
    _open(bundle_copy, keys)
    system.now = INSIDE  # a month back: the license would open longer than it should
    for _ in range(2):  # the refusal, logged at the rolled-back time, does not lower the mark
        with pytest.raises(AccessDeniedError, match="the clock was set back") as info:
            _open(bundle_copy, keys)
        assert info.value.reason == "clock_rollback"
    assert [(e["outcome"], e["reason"]) for e in _entries(bundle_copy)] == [
        ("allowed", None),
        ("refused", "clock_rollback"),
        ("refused", "clock_rollback"),
    ]
    assert AuditLog.for_bundle(bundle_copy).verify().ok


def test_a_clock_behind_by_less_than_the_tolerance_opens(
    bundle_copy: Path, keys: Keys, system: FakeClock
) -> None:
    system.now = INSIDE + dt.timedelta(days=1)
    _open(bundle_copy, keys)
    system.now -= CLOCK_TOLERANCE - dt.timedelta(seconds=1)
    _open(bundle_copy, keys)
    assert [e["outcome"] for e in _entries(bundle_copy)] == ["allowed", "allowed"]


@pytest.mark.parametrize("how", ["parameter", "environment"])
def test_the_test_clock_allows_any_time_and_marks_every_record(
    bundle_copy: Path, keys: Keys, system: FakeClock, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    system.now = AFTER
    kwargs: dict[str, object] = {}
    if how == "parameter":
        kwargs["test_clock"] = True
    else:
        monkeypatch.setenv("ANONLAB_TEST_CLOCK", "1")
    _open(bundle_copy, keys, now=INSIDE, **kwargs)
    with pytest.raises(AccessDeniedError):
        _open(bundle_copy, keys, now=AFTER, **kwargs)
    allowed, refused = _entries(bundle_copy)
    assert allowed["reason"] == "test_clock; checked_at=2026-06-01T00:00:00Z"
    assert refused["reason"] == "expired"
    assert allowed["clock"] == refused["clock"] == "test"
    assert AuditLog.for_bundle(bundle_copy).verify().ok


def test_the_test_clock_does_not_lift_the_rollback_check(
    bundle_copy: Path, keys: Keys, system: FakeClock
) -> None:
    system.now = INSIDE + dt.timedelta(days=30)
    _open(bundle_copy, keys)
    system.now = INSIDE
    with pytest.raises(AccessDeniedError) as info:
        _open(bundle_copy, keys, now=INSIDE, test_clock=True)
    assert info.value.reason == "clock_rollback"


def test_test_clock_switches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANONLAB_TEST_CLOCK", raising=False)
    assert not clock.is_test_clock() and clock.is_test_clock(True)
    monkeypatch.setenv("ANONLAB_TEST_CLOCK", "0")
    assert not clock.is_test_clock()
    monkeypatch.setenv("ANONLAB_TEST_CLOCK", "yes")
    with pytest.raises(ParameterError, match="ANONLAB_TEST_CLOCK must be 1"):
        clock.is_test_clock()
    with pytest.raises(ParameterError, match="True or False"):
        clock.is_test_clock("1")  # type: ignore[arg-type]


def test_read_clock(system: FakeClock) -> None:
    later, earlier = INSIDE + dt.timedelta(days=1), INSIDE - dt.timedelta(days=1)
    assert read_clock(None, test=False).at == INSIDE
    assert read_clock(later, test=False).at == later
    assert (read_clock(earlier, test=False).at, read_clock(earlier, test=False).backdated) == (
        INSIDE,
        True,
    )
    assert read_clock(earlier, test=True).at == earlier
    slightly = INSIDE - dt.timedelta(minutes=1)
    assert not read_clock(slightly, test=False).backdated
    assert not read_clock(slightly, test=False).caller_chosen

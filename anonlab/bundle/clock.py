"""The clock ``anonlab.open`` checks a license against: the system's, never an earlier one.

A license stops opening when it expires; a caller who could pass any time would make it open for
ever. So enforcement uses the system clock, and a caller-supplied ``now=`` may only make a check
stricter:

* ``now`` later than the system clock: allowed, the license is checked as of ``now`` (will it
  still open next month?), and the log says ``checked_at=...``;
* ``now`` earlier than the system clock by up to :data:`CLOCK_TOLERANCE`: ignored, the check runs
  at the system time (a ``now`` taken a moment before the call);
* ``now`` earlier by more: refused (``AccessDeniedError``, ``reason="clock_backdated"``, logged),
  unless the test clock is on (below).

**Test mode.** ``test_clock=True`` (a parameter of ``anonlab.open``) or the environment variable
``ANONLAB_TEST_CLOCK=1`` (:data:`TEST_CLOCK_ENV`) lets ``now`` be any time, for tests and
tutorials that replay a license's life. Every audit record made under it carries
``"clock": "test"`` and its ``reason`` says ``test_clock``, so an access allowed only by a chosen
time is never mistaken for a real one.

**Rollback.** The system clock itself can be set back. Each record in a bundle's audit log holds
the system time it was written at; when the system time is earlier than the latest of them by
more than :data:`CLOCK_TOLERANCE`, the clock went back, and ``open`` refuses
(``reason="clock_rollback"``, logged). The latest record, not the last one, counts, so a refusal
written at the rolled-back time does not lower the mark. Test mode does not lift this check.

What this cannot do: whoever controls the machine can set its clock back *and* delete the audit
log; the log is evidence only in so far as the licensor sees its head (see
:mod:`anonlab.bundle.audit`).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from anonlab.errors import AccessDeniedError, ParameterError

__all__ = [
    "CLOCK_TOLERANCE",
    "TEST_CLOCK_ENV",
    "ClockReading",
    "check_rollback",
    "is_test_clock",
    "read_clock",
    "refuse_backdated",
    "system_now",
]

CLOCK_TOLERANCE = dt.timedelta(minutes=5)
"""How far the system clock may be behind the latest audit record (clock adjustments, NTP
steps), and how far a caller's ``now`` may be behind the system clock, before either is refused."""

TEST_CLOCK_ENV = "ANONLAB_TEST_CLOCK"
"""The environment variable that turns the test clock on when set to ``1``."""


def system_now() -> dt.datetime:
    """The system time, tz-aware UTC (the one place anonlab's enforcement reads the clock)."""
    return dt.datetime.now(dt.UTC)


def is_test_clock(test_clock: bool = False) -> bool:
    """Whether the test clock is on: ``test_clock`` or ``$ANONLAB_TEST_CLOCK`` is ``1``.

    Raises
    ------
    ParameterError
        ``test_clock`` is not a bool, or the variable is set to something other than ``0`` or
        ``1``.
    """
    if not isinstance(test_clock, bool):
        raise ParameterError("The 'test_clock' parameter of open must be True or False.")
    value = os.environ.get(TEST_CLOCK_ENV, "").strip()
    if value not in ("", "0", "1"):
        raise ParameterError(f"${TEST_CLOCK_ENV} must be 1 (on) or 0 (off); got another value.")
    return test_clock or value == "1"


@dataclass(frozen=True)
class ClockReading:
    """The time a check runs at, and where it came from.

    Attributes
    ----------
    system : datetime
        The system time when read.
    at : datetime
        The time the license is checked at.
    test : bool
        Whether the test clock is on.
    backdated : bool
        ``now`` was earlier than the system time by more than :data:`CLOCK_TOLERANCE` (refused
        unless ``test``).
    """

    system: dt.datetime
    at: dt.datetime
    test: bool
    backdated: bool

    @property
    def caller_chosen(self) -> bool:
        """Whether the check runs at a time other than the system's."""
        return self.at != self.system


def read_clock(now: dt.datetime | None, *, test: bool) -> ClockReading:
    """The time to check at: ``now`` when it is later than the system time (or under the test
    clock), else the system time; see the module documentation."""
    system = system_now()
    if now is None:
        return ClockReading(system, system, test, False)
    if test or now >= system:
        return ClockReading(system, now, test, now < system - CLOCK_TOLERANCE)
    return ClockReading(system, system, test, now < system - CLOCK_TOLERANCE)


def _stamp(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def refuse_backdated(reading: ClockReading, now: dt.datetime) -> AccessDeniedError:
    """The error for a ``now`` earlier than the system clock outside test mode."""
    return AccessDeniedError(
        f"The time given (now={_stamp(now)}) is earlier than the system clock "
        f"({_stamp(reading.system)}): a license is checked at the real time, and a caller's time "
        "may only be later (a stricter check). For tests, turn the test clock on "
        f"(test_clock=True or {TEST_CLOCK_ENV}=1; logged and marked in every record).",
        reason="clock_backdated",
    )


def check_rollback(latest: dt.datetime | None, system: dt.datetime) -> None:
    """Refuse when the system time is earlier than ``latest`` (the latest audit record) by more
    than :data:`CLOCK_TOLERANCE`.

    Raises
    ------
    AccessDeniedError
        ``reason="clock_rollback"``.
    """
    if latest is not None and system < latest - CLOCK_TOLERANCE:
        raise AccessDeniedError(
            f"The system clock ({_stamp(system)}) is earlier than the latest record of this "
            f"bundle's audit log ({_stamp(latest)}) by more than "
            f"{int(CLOCK_TOLERANCE.total_seconds() // 60)} minutes: the clock was set back. "
            "Correct the system time and open again.",
            reason="clock_rollback",
        )

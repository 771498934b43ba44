"""Times in licenses: tz-aware UTC, whole seconds, written ISO 8601 with ``Z``."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any

from anonlab.errors import LicenseError

__all__ = ["add_duration", "format_time", "parse_time", "to_utc", "utcnow"]

_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")
_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def utcnow() -> dt.datetime:
    """Now, in UTC, to the second."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def to_utc(value: dt.datetime, *, path: str) -> dt.datetime:
    """A tz-aware datetime converted to UTC and cut to whole seconds; naive ones are refused."""
    if not isinstance(value, dt.datetime):
        raise LicenseError(f"must be a datetime, not {type(value).__name__}", path=path)
    if value.tzinfo is None or value.utcoffset() is None:
        raise LicenseError(
            "is a naive datetime; give a time zone (datetime(..., tzinfo=datetime.UTC))",
            path=path,
        )
    return value.astimezone(dt.UTC).replace(microsecond=0)


def format_time(value: dt.datetime) -> str:
    """``2026-05-01T12:00:00Z``."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: Any, *, path: str) -> dt.datetime:
    """Read an RFC 3339 timestamp (with ``Z`` or an offset) into UTC."""
    if not isinstance(text, str) or not _STAMP.match(text):
        raise LicenseError(
            "must be an RFC 3339 date-time with a time zone, e.g. 2026-05-01T12:00:00Z",
            path=path,
        )
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise LicenseError("is not a valid date-time", path=path) from None
    return to_utc(value, path=path)


def add_duration(start: dt.datetime, text: str, *, path: str) -> dt.datetime:
    """``start`` plus an ISO 8601 duration of years, months, weeks and days (``P1Y6M``).

    Years and months are calendar steps (the day is clamped to the month's length).
    """
    m = _DURATION.match(text) if isinstance(text, str) else None
    if m is None or text == "P":
        raise LicenseError(
            "must be an ISO 8601 duration of years, months, weeks and days such as P1Y or P6M",
            path=path,
        )
    years, months, weeks, days = (int(g) if g else 0 for g in m.groups())
    total = start.month - 1 + months + 12 * years
    year, month = start.year + total // 12, total % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    try:
        moved = start.replace(year=year, month=month, day=day)
    except ValueError:
        raise LicenseError("is too long", path=path) from None
    return moved + dt.timedelta(weeks=weeks, days=days)

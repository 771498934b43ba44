"""Date formats of the synthetic clinical notes: each writes a date as a note would.

A format returns ``(before, span, after)``: the text of the date split into the part that is
the identifier and the words around it (only "the" in "the 10th of January" lies outside).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable

__all__ = [
    "DAY_FORMATS",
    "MONTH_DAY_FORMATS",
    "MONTH_YEAR_FORMATS",
    "WEEKDAY_FORMATS",
    "YEAR_FORMATS",
    "DateFormat",
    "Formats",
]

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MON3 = tuple(m[:3] for m in _MONTHS)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _ordinal(day: int) -> str:
    if 11 <= day % 100 <= 13:
        return f"{day}th"
    return f"{day}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(day % 10, 'th') }"


#: A date format: the date's text as (before the span, the span, after the span).
DateFormat = Callable[[dt.date], tuple[str, str, str]]
#: Formats to draw from, with their cumulative weights.
Formats = tuple[tuple[DateFormat, ...], tuple[float, ...]]


def _f_iso(d: dt.date) -> tuple[str, str, str]:
    return "", d.isoformat(), ""


def _f_us(d: dt.date) -> tuple[str, str, str]:
    return "", f"{d.month:02d}/{d.day:02d}/{d.year}", ""


def _f_us_short(d: dt.date) -> tuple[str, str, str]:
    return "", f"{d.month}/{d.day}/{d.year % 100:02d}", ""


def _f_us_nopad(d: dt.date) -> tuple[str, str, str]:
    return "", f"{d.month}/{d.day}/{d.year}", ""


def _f_dotted(d: dt.date) -> tuple[str, str, str]:
    return "", f"{d.day:02d}.{d.month:02d}.{d.year}", ""


def _f_abbr(d: dt.date) -> tuple[str, str, str]:
    return "", f"{_MON3[d.month - 1]} {d.day}, {d.year}", ""


def _f_abbr_dot(d: dt.date) -> tuple[str, str, str]:
    month = _MON3[d.month - 1] + ("" if d.month == 5 else ".")
    return "", f"{month} {d.day}, {d.year}", ""


def _f_long(d: dt.date) -> tuple[str, str, str]:
    return "", f"{_MONTHS[d.month - 1]} {d.day}, {d.year}", ""


def _f_long_ordinal(d: dt.date) -> tuple[str, str, str]:
    return "", f"{_MONTHS[d.month - 1]} {_ordinal(d.day)}, {d.year}", ""


def _f_day_month_year(d: dt.date) -> tuple[str, str, str]:
    return "", f"{d.day} {_MONTHS[d.month - 1]} {d.year}", ""


def _f_dash_mon(d: dt.date) -> tuple[str, str, str]:
    return "", f"{d.day:02d}-{_MON3[d.month - 1]}-{d.year}", ""


def _f_compact(d: dt.date) -> tuple[str, str, str]:
    return "", f"{d.year}{d.month:02d}{d.day:02d}", ""


def _f_the_ordinal(d: dt.date) -> tuple[str, str, str]:
    return "the ", f"{_ordinal(d.day)} of {_MONTHS[d.month - 1]}", ""


def _f_weekday(d: dt.date) -> tuple[str, str, str]:
    return "", f"{_WEEKDAYS[d.weekday()]}, {_MONTHS[d.month - 1]} {d.day}", ""


def _f_month_day(d: dt.date) -> tuple[str, str, str]:
    return "", f"{d.month}/{d.day}", ""


def _f_long_no_year(d: dt.date) -> tuple[str, str, str]:
    return "", f"{_MONTHS[d.month - 1]} {d.day}", ""


def _f_ordinal_no_year(d: dt.date) -> tuple[str, str, str]:
    return "", f"{_MONTHS[d.month - 1]} {_ordinal(d.day)}", ""


def _f_abbr_ordinal(d: dt.date) -> tuple[str, str, str]:
    return "", f"{_MON3[d.month - 1]} {_ordinal(d.day)}", ""


def _f_month_year(d: dt.date) -> tuple[str, str, str]:
    return "", f"{_MONTHS[d.month - 1]} {d.year}", ""


def _f_mon_year(d: dt.date) -> tuple[str, str, str]:
    return "", f"{_MON3[d.month - 1]} {d.year}", ""


def _f_numeric_month_year(d: dt.date) -> tuple[str, str, str]:
    return "", f"{d.month:02d}/{d.year}", ""


def _formats(*pairs: tuple[DateFormat, float]) -> Formats:
    return tuple(f for f, _ in pairs), tuple(itertools.accumulate(float(w) for _, w in pairs))


# Full dates with a year (dates of birth, headers, signatures).
YEAR_FORMATS = _formats(
    (_f_iso, 10),
    (_f_us, 12),
    (_f_us_short, 6),
    (_f_us_nopad, 6),
    (_f_dotted, 3),
    (_f_abbr, 6),
    (_f_abbr_dot, 3),
    (_f_long, 6),
    (_f_long_ordinal, 3),
    (_f_day_month_year, 4),
    (_f_dash_mon, 4),
    (_f_compact, 3),
)
# Any day-level date that reads well after "on".
DAY_FORMATS = _formats(
    (_f_iso, 8),
    (_f_us, 10),
    (_f_us_short, 6),
    (_f_us_nopad, 5),
    (_f_dotted, 2),
    (_f_abbr, 5),
    (_f_abbr_dot, 3),
    (_f_long, 5),
    (_f_long_ordinal, 3),
    (_f_day_month_year, 3),
    (_f_dash_mon, 3),
    (_f_compact, 2),
    (_f_the_ordinal, 3),
    (_f_weekday, 3),
    (_f_month_day, 5),
    (_f_long_no_year, 4),
    (_f_ordinal_no_year, 3),
    (_f_abbr_ordinal, 2),
)
MONTH_YEAR_FORMATS = _formats((_f_month_year, 6), (_f_mon_year, 2), (_f_numeric_month_year, 2))
WEEKDAY_FORMATS = _formats((_f_weekday, 1))
MONTH_DAY_FORMATS = _formats((_f_month_day, 3), (_f_long_no_year, 1), (_f_ordinal_no_year, 1))

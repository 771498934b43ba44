"""Patterns of the HIPAA Safe Harbor identifiers as they are written inside free text.

One compiled regular expression per kind (Python's ``re``: free text needs look-around, which the
Rust engine of polars lacks). Each pattern marks the identifier itself with the group ``id`` when
the match also holds context words (``"MRN: 0048213"`` marks ``0048213``; ``"aged 94"`` marks
``94``). The rules, kind by kind:

``date``
    Every date element more precise than a year (164.514(b)(2)(i)(C)), in the written forms of
    :data:`DATE_FORMS`; a bare year (``"in 2019"``) is not an identifier and is kept.
``age``
    An age over 89 written next to the words that make it an age: ``92-year-old``, ``aged 94``,
    ``93 yo``, ``91F``, ``ninety-three years old``. Ages up to 89 are kept.
``phone``
    North American numbers formatted or not (``4155552671``, ``(415) 555-2671``,
    ``+1 415 555 2671``), with an extension, and international numbers starting with ``+``.
``ssn``
    ``123-45-6789``, ``123 45 6789`` and nine bare digits.
``email``, ``url``, ``ip``
    Addresses, web addresses with or without a scheme (``www.x.org``, ``portal.x-health.com/p``),
    IPv4 and IPv6.
``address``
    Street lines (a house number, a street name and a suffix, a unit), PO boxes, and the cities of
    :data:`CITIES` (geographic subdivisions smaller than a state).
``zip``
    Five digits or ZIP+4 not followed by a unit.
``mrn``
    Record, account, plan, member, prescription and device numbers after the words that name
    them, codes mixing capitals and digits (``XJH482910``, ``MRN-0048213``), and any run of six
    or more digits no other kind explains (a unique code, category (R)).
"""

from __future__ import annotations

import re

__all__ = ["CITIES", "DATE_FORMS", "PATTERNS"]

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_WEEKDAY = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\.?"
_DAY = r"(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?"
_YEAR = r"(?:1[89]\d{2}|20\d{2})"
_NUM_MONTH = r"(?:0?[1-9]|1[0-2])"
_NUM_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
# clinical fractions and scores that look like month/day: "10/10 pain", "1/2 tablet", "BP 120/80"
_NOT_FRACTION = (
    r"(?!\s*(?:pain|tabs?|tablets?|caps?|capsules?|strength|dose|doses|scale|score|mmhg|ratio"
    r"|of\b|cups?|inch|ns|units?))"
)

DATE_FORMS: tuple[str, ...] = (
    "2023-01-10", "2023/01/10", "01/10/2023", "1/10/23", "10.01.2023", "01-10-2023",
    "Jan 10, 2023", "Jan. 10", "January 10th, 2023", "Monday, January 10", "10 January 2023",
    "10-Jan-2023", "the 10th of January", "January 2023", "20230110", "1/10",
)
"""Written forms of a date the ``date`` pattern recognizes (and its tests check), with a time
of day after any of them."""

_DATE_NUMBERS = "|".join(
    (
        rf"\b{_YEAR}[-/.]{_NUM_MONTH}[-/.]{_NUM_DAY}(?:[T ]\d{{1,2}}:\d{{2}}(?::\d{{2}})?)?\b",
        rf"\b{_NUM_MONTH}[-/.]{_NUM_DAY}[-/.](?:{_YEAR}|\d{{2}})\b(?![-/.]\d)",
        rf"\b{_NUM_DAY}[.]{_NUM_MONTH}[.](?:{_YEAR}|\d{{2}})\b(?![.]\d)",
        r"\b(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\b",
        rf"(?<![\d/.-])\b{_NUM_MONTH}[/-]{_YEAR}\b(?![/.-]\d)",
        rf"(?<![\d/.])(?<!pain\s)(?<!pain:\s)(?<!score\s)(?<!bp\s)(?<!strength\s)(?<!to\s)"
        rf"\b{_NUM_MONTH}/{_NUM_DAY}\b(?![/\d]){_NOT_FRACTION}",
    )
)
_DATE_WORDS = "|".join(
    (
        rf"(?:\b{_WEEKDAY},?\s+)?\b{_MONTH}\.?\s+{_DAY}\b(?:,?\s+{_YEAR}\b)?",
        rf"(?:\b{_WEEKDAY},?\s+)?\b{_DAY}\s+(?:of\s+|day\s+of\s+)?{_MONTH}\b\.?"
        rf"(?:,?\s+{_YEAR}\b)?",
        rf"\b{_NUM_DAY}[-\s]{_MONTH}[-\s](?:{_YEAR}|\d{{2}})\b",
        rf"\b{_MONTH}\.?,?\s+(?:of\s+)?{_YEAR}\b",
        rf"\b{_WEEKDAY}\s+(?:the\s+)?{_DAY}\b",
    )
)
#: A month or weekday name may be in the text (the worded date forms need one).
MONTHISH = re.compile(
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun", re.IGNORECASE
)

_AGE_NUMBER = r"(?:9\d|1[01]\d)"
_AGE_WORD = (
    r"(?:ninety(?:[-\s](?:one|two|three|four|five|six|seven|eight|nine))?"
    r"|one\s+hundred(?:\s+and)?(?:[-\s](?:one|two|three|four|five|six|seven|eight|nine|ten))?)"
)
_AGE = "|".join(
    (
        rf"\b(?P<id>{_AGE_NUMBER}|{_AGE_WORD})(?:\s*|-)(?:years?|yrs?|y/?o|y\.o\.?|yo)\b"
        r"(?:[-\s]*old)?",
        rf"\b(?:aged?|age:|age\s+of)\s*(?P<id2>{_AGE_NUMBER}|{_AGE_WORD})\b",
        rf"\b(?P<id3>{_AGE_NUMBER})\s?(?:yo)?\s?(?:[FM]|female|male)\b",
        r"\b(?:in\s+(?:his|her|their)\s+)(?P<id4>nineties|hundreds)\b",
        rf"\b(?P<id5>{_AGE_NUMBER}|{_AGE_WORD})(?=\s+(?:years?|yrs?)\s+of\s+age\b)",
    )
)

_PHONE = "|".join(
    (
        r"(?<![\w+])(?:\+?1[\s.-]?)?(?:\([2-9]\d{2}\)\s?|[2-9]\d{2}[\s.-]?)[2-9]\d{2}[\s.-]?\d{4}"
        r"\b(?:\s*(?:x|ext\.?|extension)\s*\d{1,5}\b)?",
        r"(?<![\w+])\+[2-9]\d{0,2}(?:[\s.-]?\(?\d{1,5}\)?){2,6}\b",
    )
)
_SSN = r"(?<![\w-])\d{3}[-\s]\d{2}[-\s]\d{4}\b(?!-)|(?<![\w-])\d{9}\b(?!-)"
_EMAIL = r"\b[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}\b"
_TLD = r"(?:com|org|net|gov|edu|health|care|info|io|us|biz|med|clinic|hospital|co|ca|uk|de)"
_URL = "|".join(
    (
        r"\b(?:https?|ftp)://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]",
        r"\bwww\.[^\s<>\"']+[^\s<>\"'.,;:!?)\]]",
        rf"\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.{_TLD}\b(?:/[^\s<>\"']*[^\s<>\"'.,;:!?)\]])?",
    )
)
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_H = r"[0-9A-Fa-f]{1,4}"
_IPV4 = rf"(?<![\d.]){_OCTET}(?:\.{_OCTET}){{3}}(?![\d.]*\d)"
_IPV6 = "|".join(
    (
        rf"(?<![\w:])(?:{_H}:){{4,7}}{_H}(?![\w:])",
        rf"(?<![\w:])(?:{_H}:){{1,6}}:(?:{_H}(?::{_H}){{0,5}})?(?![\w:])",
        rf"(?<![\w:])::(?:{_H}(?::{_H}){{0,6}})(?![\w:])",
    )
)
_SUFFIX = (
    r"(?:st|street|ave|av|avenue|rd|road|blvd|boulevard|dr|drive|ln|lane|way|ct|court|pl|place"
    r"|ter|terrace|pkwy|parkway|cir|circle|hwy|highway|sq|square|trl|trail|loop|row|crescent"
    r"|cres|close|walk|plaza|plz|pike|alley|aly)"
)
_UNIT = r"(?:apt|apartment|suite|ste|unit|fl|floor|rm|room|bldg|building|#)"
_ADDRESS = "|".join(
    (
        # street words are capitalized (or numbered, "5th"): "2 days. Referred by Dr." is prose
        r"\b\d{1,6}[A-Za-z]?(?:-\d{1,4})?\s+(?:(?i:[nsew]|north|south|east|west)\.?\s+)?"
        r"(?:(?:[A-Z][A-Za-z'-]*\.?|\d+(?i:st|nd|rd|th))\s+){0,4}(?i:" + _SUFFIX + r")\b\.?"
        r"(?:\s+(?:[NSEW]{1,2})\b\.?)?"
        r"(?:,?\s+(?i:" + _UNIT + r")\.?\s*#?\s*[A-Za-z0-9-]+\b)?",
        r"\b(?i:p\.?\s?o\.?\s+box)\s+\d+\b",
        r"(?<=\s)(?i:apt|apartment|suite|ste|unit|#)\.?\s*#?\s*\d+[A-Za-z]?\b(?=,)",
    )
)
_ZIP = r"(?<![\w$.,/-])\d{5}(?:-\d{4})?\b(?![.,]\d)(?!\s*(?:mg|mcg|ml|units?|cells|/))"
_CODE_WORDS = (
    r"(?:mrn|mr\#|medical\s+record(?:\s+number)?|record|acct|account|member|membership|policy"
    r"|plan|insurance|subscriber|claim|rx|prescription|device|serial|certificate|license|lic|dea"
    r"|npi|chart|case|encounter|visit|id|ref|reference|confirmation|group|vin|plate)"
)
_MRN = "|".join(
    (
        r"\b(?i:" + _CODE_WORDS + r")\b(?i:\s*(?:\#|no\.?|num(?:ber)?|id|code|is|:|-)){0,3}\s*"
        r"(?P<id>(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{2,}[A-Z0-9])\b",
        r"\b(?=[A-Z0-9-]*\d{3})(?=[A-Z0-9-]*[A-Z]{2})[A-Z0-9][A-Z0-9-]{4,}[A-Z0-9]\b",
        r"(?<![\w.,/-])\d{6,}\b(?![.,]\d)",
        r"(?<![\w.,/-])\d{2,5}-\d{2,7}(?:-\d{1,5})+\b",
    )
)

PATTERNS: dict[str, tuple[re.Pattern[str], ...]] = {
    "email": (re.compile(_EMAIL),),
    "url": (re.compile(_URL, re.IGNORECASE),),
    "ip": (re.compile(_IPV4), re.compile(_IPV6)),
    "date": (re.compile(_DATE_NUMBERS, re.IGNORECASE), re.compile(_DATE_WORDS, re.IGNORECASE)),
    "age": (re.compile(_AGE, re.IGNORECASE),),
    "ssn": (re.compile(_SSN),),
    "phone": (re.compile(_PHONE),),
    "address": (re.compile(_ADDRESS),),
    "zip": (re.compile(_ZIP),),
    "mrn": (re.compile(_MRN),),
}
"""Kind to its compiled patterns, in the order the scrubber applies them (an earlier kind's span
wins where two overlap)."""

CITIES: tuple[str, ...] = (
    "New York", "Los Angeles", "Chicago", "Houston", "Phoenix", "Philadelphia", "San Antonio",
    "San Diego", "Dallas", "Jacksonville", "Fort Worth", "San Jose", "Austin", "Charlotte",
    "Columbus", "Indianapolis", "San Francisco", "Seattle", "Denver", "Oklahoma City",
    "Nashville", "Washington", "El Paso", "Las Vegas", "Boston", "Detroit", "Portland",
    "Louisville", "Memphis", "Baltimore", "Milwaukee", "Albuquerque", "Tucson", "Fresno",
    "Sacramento", "Mesa", "Kansas City", "Atlanta", "Omaha", "Colorado Springs", "Raleigh",
    "Long Beach", "Virginia Beach", "Miami", "Oakland", "Minneapolis", "Tulsa", "Bakersfield",
    "Wichita", "Arlington", "Aurora", "Tampa", "New Orleans", "Cleveland", "Honolulu",
    "Anaheim", "Lexington", "Stockton", "Henderson", "Saint Paul", "St. Louis", "St. Paul",
    "Cincinnati", "Riverside", "Pittsburgh", "Greensboro", "Lincoln", "Orlando", "Irvine",
    "Newark", "Durham", "Chula Vista", "Toledo", "Fort Wayne", "St. Petersburg", "Laredo",
    "Jersey City", "Chandler", "Madison", "Lubbock", "Scottsdale", "Reno", "Buffalo",
    "Gilbert", "Glendale", "North Las Vegas", "Winston-Salem", "Chesapeake", "Norfolk",
    "Fremont", "Garland", "Irving", "Hialeah", "Richmond", "Boise", "Spokane", "Baton Rouge",
    "Tacoma", "San Bernardino", "Modesto", "Fontana", "Des Moines", "Moreno Valley",
    "Santa Clarita", "Fayetteville", "Birmingham", "Oxnard", "Rochester", "Port St. Lucie",
    "Grand Rapids", "Huntsville", "Salt Lake City", "Frisco", "Yonkers", "Amarillo",
    "Springfield", "Providence", "Hartford", "Worcester", "Cambridge", "Brooklyn", "Queens",
    "Bronx", "Staten Island", "Manhattan", "Anchorage", "Knoxville", "Savannah", "Charleston",
    "Little Rock", "Jackson", "Albany", "Syracuse", "New Haven", "Ann Arbor", "Dayton",
    "Akron", "Tallahassee", "Gainesville", "Burlington", "Manchester", "Portland",
)
"""US cities the ``address`` kind recognizes by name (the 100 largest and other well-known
ones): a city is a geographic subdivision smaller than a state. The record's own city column,
given as context, is matched whatever it is."""

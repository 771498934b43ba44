"""Value patterns and checksums, one table row per case."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from anonlab.profiling import patterns as pt


def check(fn, value: str, **kw) -> bool:
    return pl.DataFrame({"v": [value]}).select(fn(pl.col("v"), **kw)).item()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("4111 1111 1111 1111", True),  # Visa test number, grouped
        ("4111-1111-1111-1111", True),  # dashes
        ("4111111111111111", True),  # bare
        ("378282246310005", True),  # Amex 15 digits, bare
        ("3782 822463 10005", True),  # Amex 4-6-5 layout
        ("4111111111111112", False),  # Luhn fails
        ("0000000000000000", False),  # Luhn passes, but no issuer starts with 0
        ("4111 1111 1111", False),  # too short
        ("41111111111111111111", False),  # too long
    ],
)
def test_credit_card(value: str, expected: bool) -> None:
    assert check(pt.is_credit_card, value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("GB82 WEST 1234 5698 7654 32", True),  # the ISO 13616 example, grouped
        ("GB82WEST12345698765432", True),  # compact
        ("gb82west12345698765432", True),  # lower case is accepted
        ("DE89370400440532013000", True),  # Germany
        ("FR1420041010050500013M02606", True),  # France, a letter in the BBAN
        ("GB82WEST12345698765433", False),  # checksum fails
        ("GB00WEST12345698765432", False),  # check digits 00
        ("XX82", False),  # far too short
    ],
)
def test_iban(value: str, expected: bool) -> None:
    assert check(pt.is_iban, value) is expected


@pytest.mark.parametrize(
    ("value", "bare", "expected"),
    [
        ("123-45-6789", False, True),
        ("123 45 6789", False, True),  # spaces
        ("000-12-3456", False, False),  # area 000 is never issued
        ("666-12-3456", False, False),  # area 666 is never issued
        ("900-12-3456", False, False),  # 900-999 are ITINs, not SSNs
        ("123-00-6789", False, False),  # group 00
        ("123-45-0000", False, False),  # serial 0000
        ("123456789", False, False),  # bare digits need the name's support
        ("123456789", True, True),
        ("12-345-6789", False, False),  # wrong grouping
    ],
)
def test_ssn(value: str, bare: bool, expected: bool) -> None:
    assert check(pt.is_ssn, value, bare=bare) is expected


@pytest.mark.parametrize(
    ("value", "bare", "expected"),
    [
        ("(617) 284-3310", False, True),
        ("617-284-3310", False, True),
        ("617.284.3310", False, True),
        ("+1 617 284 3310", False, True),
        ("1-617-284-3310", False, True),
        ("617-284-3310 x123", False, True),  # extension
        ("+16172843310", False, True),  # E.164
        ("+44 20 7946 0958", False, True),  # UK
        ("+49 30 901820", False, True),  # Germany
        ("6172843310", False, False),  # bare digits need the name's support
        ("6172843310", True, True),
        ("123-45-6789", False, False),  # an SSN, not a phone
        ("117-284-3310", False, False),  # NANP area codes never start with 1
        ("+1 23", False, False),  # too few digits
    ],
)
def test_phone(value: str, bare: bool, expected: bool) -> None:
    assert check(pt.is_phone, value, bare=bare) is expected


@pytest.mark.parametrize(
    ("fn", "value", "expected"),
    [
        (pt.is_email, "jane.doe@example.com", True),
        (pt.is_email, "o'brien+tag@mail.example.co.uk", True),
        (pt.is_email, "jane.doe@localhost", False),  # no TLD
        (pt.is_email, "@example.com", False),
        (pt.is_ipv4, "192.168.0.1", True),
        (pt.is_ipv4, "256.1.1.1", False),  # octet out of range
        (pt.is_ipv4, "1.2.3", False),  # a version string
        (pt.is_ipv4, "10.0.0.1.5", False),  # five parts
        (pt.is_ipv6, "2001:0db8:85a3:0000:0000:8a2e:0370:7334", True),
        (pt.is_ipv6, "2001:db8::1", True),
        (pt.is_ipv6, "::1", True),
        (pt.is_ipv6, "::ffff:192.0.2.128", True),  # IPv4-mapped
        (pt.is_ipv6, "fe80::1%eth0", True),  # with a zone
        (pt.is_ipv6, "00:1A:2B:3C:4D:5E", False),  # a MAC address
        (pt.is_ipv6, "12:30", False),  # a time of day
        (pt.is_mac, "00:1A:2B:3C:4D:5E", True),
        (pt.is_mac, "00-1a-2b-3c-4d-5e", True),
        (pt.is_mac, "001a.2b3c.4d5e", True),  # Cisco notation
        (pt.is_mac, "00:1A:2B:3C:4D", False),
        (pt.is_mac, "67:BC:CA:CD:4D:3B:10:BB", True),  # EUI-64
        (pt.is_url, "https://example.org/a?b=1", True),
        (pt.is_url, "www.example.com", True),
        (pt.is_url, "example.com", False),  # a bare domain is not called a URL
        (pt.is_url, "https://", False),
        (pt.is_zip, "02139", True),
        (pt.is_zip, "2139", False),
        (pt.is_zip4, "02139-4307", True),
        (pt.is_street_address, "4821 Maple St", True),
        (pt.is_street_address, "77 Oak Avenue Apt 3B", True),
        (pt.is_street_address, "1600 Pennsylvania Ave NW", True),
        (pt.is_street_address, "221B Baker Street, London", True),
        (pt.is_street_address, "Maple Street", False),  # no house number
        (pt.is_street_address, "12 apples", False),
        (pt.is_geo_pair, "42.3601, -71.0589", True),
        (pt.is_geo_pair, "(48.8566; 2.3522)", True),
        (pt.is_geo_pair, "142.36, -71.05", False),  # latitude out of range
        (pt.is_geo_pair, "12, 34", False),  # no decimals: a pair of counts
    ],
)
def test_formats(fn, value: str, expected: bool) -> None:
    assert check(fn, value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-01", dt.date(2024, 3, 1)),
        ("2024-03-01T10:00:00Z", dt.date(2024, 3, 1)),  # ISO timestamp
        ("2024/03/01", dt.date(2024, 3, 1)),
        ("03/01/2024", dt.date(2024, 3, 1)),  # US month first
        ("1.3.2024", dt.date(2024, 3, 1)),  # European day first
        ("13/45/2024", None),  # not a date
        ("2024-02-30", None),  # no such day
        ("20240301", None),  # bare digits are not taken for dates
    ],
)
def test_parse_date_string(value: str, expected: dt.date | None) -> None:
    assert check(pt.parse_date_string, value) == expected


def test_luhn_matches_a_plain_implementation() -> None:
    def luhn(number: str) -> bool:
        total = 0
        for i, ch in enumerate(reversed(number)):
            d = int(ch)
            if i % 2 == 1:
                d = d * 2 - 9 if d > 4 else d * 2
            total += d
        return total % 10 == 0

    numbers = [str(n) for n in range(4000000000000000, 4000000000000000 + 2000, 7)]
    got = pl.DataFrame({"v": numbers}).select(pt.luhn_valid(pl.col("v"))).to_series().to_list()
    assert got == [luhn(n) for n in numbers]

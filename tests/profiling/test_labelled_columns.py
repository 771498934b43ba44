"""Checks of the labelled corpus itself (not of the detector): labels, shape and generators."""

from __future__ import annotations

import random
import re
from collections import Counter

import polars as pl
import pytest

from anonlab.profiling.kinds import Kind
from tests.profiling.labelled_columns import (
    CARD_BRANDS,
    IBAN_BBAN,
    LABELLED_COLUMNS,
    bad_iban,
    invalid_luhn_card,
    invalid_ssn,
    luhn_card,
    make_iban,
    valid_ssn,
)

# Official IBAN lengths, written out here rather than taken from the corpus module.
IBAN_LENGTHS = {
    "DE": 22, "GB": 22, "FR": 27, "NL": 18, "ES": 24,
    "IT": 27, "CH": 21, "BE": 16, "PL": 28, "AT": 20,
}  # fmt: skip


def luhn_ok(number: str) -> bool:
    """Textbook Luhn: double every second digit from the right, sum digits, divisible by 10."""
    digits = [int(d) for d in re.sub(r"[ -]", "", number)]
    total = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2 == 1:
            digit = sum(divmod(digit * 2, 10))
        total += digit
    return total % 10 == 0


def iban_ok(iban: str) -> bool:
    """ISO 13616: move the first four characters to the end, letters to 10..35, mod 97 == 1."""
    compact = iban.replace(" ", "")
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]+", compact):
        return False
    rotated = compact[4:] + compact[:4]
    as_number = "".join(str(ord(ch) - 55) if ch.isalpha() else ch for ch in rotated)
    remainder = 0
    for ch in as_number:  # digit by digit, as done by hand
        remainder = (remainder * 10 + int(ch)) % 97
    return remainder == 1


def ssn_ok(ssn: str) -> bool:
    match = re.fullmatch(r"(\d{3})-?(\d{2})-?(\d{4})", ssn)
    if not match:
        return False
    area, group, serial = match.groups()
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


KIND_VALUES = {kind.value for kind in Kind}


def test_labels_are_kinds_or_none() -> None:
    for case in LABELLED_COLUMNS:
        assert case.kind is None or case.kind in KIND_VALUES, case.name


def test_every_kind_is_covered_four_times() -> None:
    counts = Counter(case.kind for case in LABELLED_COLUMNS)
    for kind in Kind:
        assert counts[kind.value] >= 4, (kind, counts[kind.value])


def test_size_and_balance() -> None:
    assert len(LABELLED_COLUMNS) >= 130
    negatives = sum(case.kind is None for case in LABELLED_COLUMNS)
    assert negatives >= 0.35 * len(LABELLED_COLUMNS)


def test_names_unique_values_present_notes_written() -> None:
    names = [case.name for case in LABELLED_COLUMNS]
    assert len(names) == len(set(names))
    for case in LABELLED_COLUMNS:
        assert case.values, case.name
        assert 20 <= len(case.values) <= 2000, case.name
        assert case.note.strip(), case.name


def test_corpus_is_deterministic() -> None:
    import importlib

    import tests.profiling.labelled_columns as module

    first = [(c.name, c.values) for c in module.LABELLED_COLUMNS]
    again = importlib.reload(module)
    assert first == [(c.name, c.values) for c in again.LABELLED_COLUMNS]


@pytest.mark.parametrize("brand", sorted(CARD_BRANDS))
@pytest.mark.parametrize("style", ["compact", "spaces", "dashes"])
def test_card_helpers(brand: str, style: str) -> None:
    rng = random.Random(f"{brand}/{style}")
    for _ in range(200):
        good = luhn_card(rng, brand, style)
        assert 13 <= len(re.sub(r"\D", "", good)) <= 19
        assert luhn_ok(good), good
        assert not luhn_ok(invalid_luhn_card(rng, brand, style))


@pytest.mark.parametrize("country", sorted(IBAN_BBAN))
def test_iban_helpers(country: str) -> None:
    rng = random.Random(country)
    for _ in range(200):
        for spaced in (False, True):
            good = make_iban(rng, country, spaced=spaced)
            assert len(good.replace(" ", "")) == IBAN_LENGTHS[country], good
            assert iban_ok(good), good
            assert not iban_ok(bad_iban(rng, country, spaced=spaced))


def test_ssn_helpers() -> None:
    rng = random.Random(0)
    for _ in range(500):
        assert ssn_ok(valid_ssn(rng))
        assert ssn_ok(valid_ssn(rng, dashes=False))
        assert not ssn_ok(invalid_ssn(rng))


def _non_null_strings(case_name: str) -> list[str]:
    case = next(c for c in LABELLED_COLUMNS if c.name == case_name)
    return [
        v.replace(" ", "") if isinstance(v, str) else str(v) for v in case.values if v is not None
    ]


def test_labels_agree_with_checksums() -> None:
    """Positive pattern columns hold valid instances, look-alike negatives hold invalid ones."""
    for case in LABELLED_COLUMNS:
        values = [v for v in case.values if v is not None]
        if case.kind == "credit_card":
            assert all(luhn_ok(v) for v in values), case.name
        elif case.kind == "iban":
            assert all(iban_ok(v) for v in values), case.name
        elif case.kind == "ssn":
            assert all(ssn_ok(str(v).zfill(9)) for v in values), case.name
    assert not any(luhn_ok(v) for v in _non_null_strings("card_num_test"))
    assert not any(iban_ok(v) for v in _non_null_strings("iban_old"))
    assert not any(ssn_ok(v) for v in _non_null_strings("ssn_placeholder"))
    isbn = _non_null_strings("isbn")
    assert sum(luhn_ok(v) for v in isbn) < 0.3 * len(isbn)


def test_free_text_identifier_shares() -> None:
    marker = re.compile(r"@|\d{3}-\d{2}-\d{4}|\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4}|https?://|www\.")
    for case in LABELLED_COLUMNS:
        if case.kind == "free_text_with_identifiers" or case.name in ("feedback", "follow_up_note"):
            texts = [v for v in case.values if v is not None]
            share = sum(bool(marker.search(t)) for t in texts) / len(texts)
            if case.kind is None:
                assert share < 0.02, (case.name, share)
            else:
                assert share >= 0.02, (case.name, share)


def test_columns_build_as_polars_series() -> None:
    for case in LABELLED_COLUMNS:
        dtype = getattr(pl, case.dtype) if case.dtype else None
        series = pl.Series(case.name, case.values, dtype=dtype)
        assert series.len() == len(case.values), case.name
        assert series.null_count() == sum(v is None for v in case.values), case.name
        if case.kind in ("date", "date_of_birth") and case.dtype:
            assert series.dtype.is_temporal(), case.name
        if case.kind is not None:
            assert series.null_count() <= 0.4 * series.len() + 1, case.name

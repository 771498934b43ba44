"""Shared fixtures: a key pair, patients data with its recipe, and one pristine bundle.

``export`` takes the original data and applies the recipe itself, reading ``ANONLAB_KEY``: every
test here runs with it set (and checks that it never reaches a bundle).
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import anonlab
from anonlab.bundle import Bundle, export, generate_keypair
from anonlab.licensing import License
from tests.identities import LICENSEE_KEYS

HASH_KEY = "bundle-tests hash key 0123456789abcdef"
"""The value of ANONLAB_KEY while the test data is anonymized (it must never reach a bundle)."""

TEMPLATE = "gdpr-pseudonymous-research"
"""A template the suggested (keyed-hash) recipe passes."""

ISSUED = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
EXPIRES = "2026-12-31"
INSIDE = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
AFTER = dt.datetime(2027, 6, 1, tzinfo=dt.UTC)
BEFORE = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Source:
    raw: pl.DataFrame
    data: pl.DataFrame  # a preview: recipe.apply(raw) with the master key
    recipe: Any


@pytest.fixture(autouse=True)
def hash_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANONLAB_KEY", HASH_KEY)


@pytest.fixture(autouse=True)
def test_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test clock on: the tests open the fixed-date license at INSIDE, AFTER and BEFORE
    whatever the date (tests/bundle/test_clock.py turns it off to test the honest clock)."""
    monkeypatch.setenv("ANONLAB_TEST_CLOCK", "1")


@pytest.fixture(autouse=True)
def no_figures(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """report.html without its matplotlib figures (2 s a bundle) in the tests' own exports; the
    session's pristine bundle keeps them, and test_export checks them there."""
    from anonlab.bundle import report_page

    if request.node.get_closest_marker("figures") is None:
        monkeypatch.setattr(report_page, "_figures", lambda report: "")


@dataclass(frozen=True)
class Keys:
    private: Path
    public: Path


@pytest.fixture(scope="session")
def source() -> Source:
    raw = anonlab.datasets.patients(200, seed=3)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ANONLAB_KEY", HASH_KEY)
        recipe = anonlab.suggest_recipe(anonlab.profile(raw))
        data = recipe.apply(raw)
    return Source(raw, data, recipe)


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    private, public = generate_keypair(tmp_path_factory.mktemp("keys") / "licensor")
    return Keys(private, public)


@pytest.fixture(scope="session")
def other_keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    private, public = generate_keypair(tmp_path_factory.mktemp("other") / "other")
    return Keys(private, public)


def fixed_license() -> License:
    return License.from_template(TEMPLATE, licensee="University Lab", licensor="General Hospital",
                                 issued=ISSUED, expires=EXPIRES, licensee_keys=LICENSEE_KEYS)


def make_bundle(source: Source, keys: Keys, path: Path, **kwargs: Any) -> Bundle:
    kwargs.setdefault("license", fixed_license())
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ANONLAB_KEY", HASH_KEY)
        return export(source.raw, recipe=source.recipe, path=path, signing_key=keys.private,
                      **kwargs)


@pytest.fixture(scope="session")
def pristine(source: Source, keys: Keys, tmp_path_factory: pytest.TempPathFactory) -> Bundle:
    """One bundle (parquet and CSV) made once; copy it before changing anything."""
    return make_bundle(source, keys, tmp_path_factory.mktemp("pristine") / "release",
                       formats=("parquet", "csv"))


@pytest.fixture
def bundle_copy(pristine: Bundle, tmp_path: Path) -> Path:
    """A private copy of the pristine bundle."""
    target = tmp_path / "release"
    shutil.copytree(pristine.path, target)
    return target

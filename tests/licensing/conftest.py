"""Shared data for the licensing tests: patients, their profiles, and each template's
suggested recipe applied and assessed (computed once per session)."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Any

import polars as pl
import pytest

import anonlab
from anonlab.licensing import suggest_for_template
from anonlab.recipe import Recipe

KEY_VAR = "ANONLAB_LICENSING_TEST_KEY"
KEY_TEXT = "licensing-test-secret-9f3a61c2d8e04b7a"
KEY = f"env:{KEY_VAR}"
AT = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
ROWS = 5000
BUILTIN_IDS = (
    "hipaa-safe-harbor", "hipaa-expert-determination", "gdpr-anonymous",
    "gdpr-pseudonymous-research", "ccpa-deidentified", "internal-ml", "vendor-analytics",
)


@dataclass
class Release:
    """One template's suggested recipe, the release it makes as ``anonlab.export`` would (keys
    for the release alone, a secret row order), and the release's risk report."""

    template: str
    recipe: Recipe
    frame: pl.DataFrame
    report: Any
    rows: Any = None
    scope: str | None = None

    @property
    def made(self) -> dict[str, Any]:
        """What check_compliance needs to know of how the release was made."""
        return {"rows": self.rows, "scope": self.scope}


@pytest.fixture(scope="session", autouse=True)
def _key() -> Any:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(KEY_VAR, KEY_TEXT)
        yield


@pytest.fixture(scope="session")
def raw() -> pl.DataFrame:
    return anonlab.datasets.patients(ROWS)


@pytest.fixture(scope="session")
def raw_profile(raw: pl.DataFrame) -> anonlab.Profile:
    return anonlab.profile(raw)


def assess(frame: pl.DataFrame, recipe: Recipe) -> Any:
    from anonlab.risk.report import assess_risk

    if recipe.targets is None or not recipe.targets.quasi_identifiers:
        return None
    return assess_risk(frame, list(recipe.targets.quasi_identifiers), k=None)


@pytest.fixture(scope="session")
def releases(raw: pl.DataFrame, raw_profile: anonlab.Profile, _key: Any) -> dict[str, Release]:
    assert os.environ[KEY_VAR] == KEY_TEXT
    from anonlab.bundle import make_release

    out = {}
    for tid in BUILTIN_IDS:
        recipe = suggest_for_template(raw_profile, tid, key=KEY, at=AT)
        scope = f"release:test-{tid}"
        frame, rows = make_release(raw, recipe, scope)
        out[tid] = Release(tid, recipe, frame, assess(frame, recipe), rows, scope)
    return out

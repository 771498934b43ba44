"""suggest_for_template and the hipaa_zip3 transform."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

import anonlab
from anonlab.licensing import suggest_for_template
from anonlab.licensing.suggest import birth_year_hierarchy
from anonlab.recipe import Recipe
from anonlab.transforms import registered_transforms, transform_from_dict
from anonlab.transforms.zip3 import RESTRICTED_ZIP3, HipaaZip3

from .conftest import AT, KEY


def test_hipaa_zip3():
    frame = pl.DataFrame({"zip": ["02139", "03601", " 10001-1234", "9", None, "10299"]})
    out = Recipe().then("zip", HipaaZip3()).apply(frame)
    assert out["zip"].to_list() == ["021", "000", "100", None, None, "000"]
    ints = Recipe().then("zip", HipaaZip3()).apply(pl.DataFrame({"zip": [2139, 3601, 90210]}))
    assert ints["zip"].to_list() == ["021", "000", "902"]
    custom = HipaaZip3(restricted=["021"])
    assert Recipe().then("zip", custom).apply(frame)["zip"].to_list()[:2] == ["000", "036"]
    assert registered_transforms()["hipaa_zip3"] is HipaaZip3
    assert transform_from_dict(HipaaZip3().to_dict()) == HipaaZip3()
    assert HipaaZip3().restricted == RESTRICTED_ZIP3
    with pytest.raises(anonlab.ParameterError):
        HipaaZip3(restricted=["12"])
    with pytest.raises(anonlab.TransformError):
        Recipe().then("d", HipaaZip3()).apply(pl.DataFrame({"d": [1.5]}))


def test_birth_year_hierarchy():
    h = birth_year_hierarchy(AT, column="dob")
    assert h.levels("1936") == ("1936", "1936 or earlier", "1936 or earlier")
    assert h.levels("1937") == ("1937", "1937", "1937-1939")
    assert h.levels("1984") == ("1984", "1984", "1980-1989")


def test_safe_harbor_suggestion(raw_profile):
    recipe = suggest_for_template(raw_profile, "hipaa-safe-harbor", key=KEY, at=AT)
    ops = {s.column: [] for s in recipe.steps}
    for s in recipe.steps:
        ops[s.column].append(s.transform.op)
    for column in ("name", "email", "phone", "ssn", "mrn", "address", "city", "note"):
        assert ops[column] == ["drop"], column
    assert ops["zip"] == ["hipaa_zip3"]
    assert ops["date_of_birth"] == ["generalize", "generalize"]
    assert ops["admission_date"] == ["generalize"]
    assert all(s.transform.op != "hash" for s in recipe.steps)
    assert Recipe.from_yaml(recipe.to_yaml()) == recipe


def test_risk_suggestions_end_with_suppression(raw_profile):
    recipe = suggest_for_template(raw_profile, "gdpr-anonymous", key=KEY, at=AT)
    last = recipe.steps[-1].transform
    assert last.op == "suppress_records" and last.k == 12
    assert recipe.targets.k == 12
    ml = suggest_for_template(raw_profile, "internal-ml", key=KEY, at=AT)
    assert ml.steps[-1].transform.k == 5
    assert any(s.transform.op == "hash" for s in ml.steps)  # pseudonyms are accepted there
    research = suggest_for_template(raw_profile, "gdpr-pseudonymous-research", key=KEY)
    assert not any(s.transform.op == "suppress_records" for s in research.steps)


def test_suggestion_with_numeric_ages():
    frame = pl.DataFrame({"age": [34, 95, 61, 90] * 10, "visit": [dt.date(2024, 5, 1)] * 40})
    recipe = suggest_for_template(anonlab.profile(frame), "hipaa-safe-harbor", at=AT)
    out = recipe.apply(frame)
    assert sorted(set(out["age"].to_list())) == ["34", "61", "90+"]
    assert anonlab.licensing.check_compliance("hipaa-safe-harbor", frame=out, recipe=recipe,
                                              original=frame, preview=True, at=AT).passed

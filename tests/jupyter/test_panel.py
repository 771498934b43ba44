"""The panel without a browser: widgets are driven by setting ``.value`` and calling ``.click()``,
and the panel's plain values (recipe, result, report, history) are checked.

Every panel is built on ``anonlab.datasets.patients(500)``, as pandas and as polars.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.util
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import anonlab
from anonlab.recipe import Recipe
from anonlab.transforms import Drop, Generalize, Keep, Mask
from tests.identities import LICENSEE_PUBLIC_KEY

HAS_BUNDLE = importlib.util.find_spec("anonlab.bundle") is not None
HAS_OPTIMIZE = importlib.util.find_spec("anonlab.optimize") is not None
QIS = ["zip", "sex", "date_of_birth"]


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANONLAB_KEY", "panel-test-key-" + "x" * 24)


@pytest.fixture(scope="module")
def frames() -> dict[str, Any]:
    return {
        "polars": anonlab.datasets.patients(500),
        "pandas": anonlab.datasets.patients(500, backend="pandas"),
    }


@pytest.fixture(params=["polars", "pandas"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def make(ip: Any, frames: dict[str, Any], backend: str) -> Any:
    """Build a panel on the patients frame of the current backend (background refreshes off
    unless a test asks for a short ``debounce``); stops its background work at teardown."""
    from anonlab.jupyter.panel import panel

    made = []

    def build(**kwargs: Any) -> Any:
        kwargs.setdefault("debounce", 3600)
        p = panel(frames[backend], **kwargs)
        made.append(p)
        return p

    yield build
    for p in made:
        p.close()
        assert not p.errors


# -- building -------------------------------------------------------------------------------------
def test_panel_has_tabs_and_css_class(make: Any) -> None:
    p = make()
    assert "anonlab-panel" in p.widget._dom_classes
    assert p.tabs.titles == ("Profile", "Transform", "Risk", "Code", "Export")
    assert set(p.profile_tab.roles) == set(p.workspace.columns)
    assert len(p.profile_tab.roles) == 18
    bundle = p._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_profile_marks_and_masks_identifiers(make: Any, frames: dict[str, Any],
                                             backend: str) -> None:
    p = make()
    assert p.profile_tab.roles["ssn"].value == "identifier"
    assert p.profile_tab.roles["zip"].value == "quasi_identifier"
    grid = p.profile_tab.widget.children[1]
    text = "\n".join(getattr(c, "value", "") for c in grid.children if hasattr(c, "value")
                     and isinstance(c.value, str))
    assert "&#9888;" in text  # the warning mark
    raw = frames["polars"]
    for column in ("ssn", "email", "name"):
        leaked = [v for v in raw[column].to_list() if v in text]
        assert not leaked, f"raw {column} values in the Profile tab"


def test_roles_and_overrides(make: Any) -> None:
    p = make(quasi_identifiers=QIS, sensitive=["diagnosis"])
    assert p.recipe.targets.quasi_identifiers == ("zip", "date_of_birth", "sex")
    assert p.recipe.targets.sensitive == ("diagnosis",)
    p.profile_tab.roles["city"].value = "quasi_identifier"
    assert "city" in p.recipe.targets.quasi_identifiers
    assert p.history[-1] == "city: role quasi-identifier"
    p.profile_tab.roles["zip"].value = "insensitive"
    assert "zip" not in p.recipe.targets.quasi_identifiers
    p.undo()
    assert "zip" in p.recipe.targets.quasi_identifiers
    assert p.profile_tab.roles["zip"].value == "quasi_identifier"


# -- transforms -----------------------------------------------------------------------------------
def test_dropdowns_change_the_recipe(make: Any) -> None:
    p = make()
    zip_editor = p.transform_tab.columns["zip"]
    assert "generalize" in zip_editor.ops and "mask" in zip_editor.ops
    assert "top_bottom_code" not in zip_editor.ops  # numbers only
    assert "top_bottom_code" in p.transform_tab.columns["total_charges"].ops
    zip_editor.op.value = "generalize"
    assert p.state.transform_for("zip") == Generalize(keep=3)
    zip_editor.editor.fields["keep"][1].value = 2
    assert p.state.transform_for("zip") == Generalize(keep=2)
    p.transform_tab.columns["ssn"].op.value = "mask"
    assert p.state.transform_for("ssn") == Mask()
    p.transform_tab.columns["ssn"].editor.fields["keep_last"][1].value = 2
    p.transform_tab.columns["ssn"].editor.fields["format"][1].value = "ssn"
    assert p.state.transform_for("ssn") == Mask(keep_last=2, format="ssn")
    assert [s.column for s in p.recipe.steps] == ["ssn", "zip"]  # the frame's column order
    zip_editor.op.value = ""
    assert p.state.transform_for("zip") is None


def test_generalize_modes_follow_the_dtype(make: Any) -> None:
    p = make(quasi_identifiers=QIS)
    dob = p.transform_tab.columns["date_of_birth"]
    dob.op.value = "generalize"
    assert p.state.transform_for("date_of_birth") == Generalize(unit="year")
    assert list(dob.editor.mode.options) == ["unit", "hierarchy"]
    dob.editor.fields["unit"][1].value = "month"
    assert p.state.transform_for("date_of_birth") == Generalize(unit="month")
    dob.editor.mode.value = "hierarchy"
    t = p.state.transform_for("date_of_birth")
    assert t.mode == "hierarchy" and t.level == 1
    dob.editor.fields["level"][1].value = 2
    assert p.state.transform_for("date_of_birth").level == 2
    charges = p.transform_tab.columns["total_charges"]
    charges.op.value = "generalize"
    assert charges.editor.mode.value == "width"
    assert "hierarchy" not in charges.editor.mode.options  # not a quasi-identifier


def test_an_invalid_option_is_shown_not_applied(make: Any) -> None:
    p = make()
    charges = p.transform_tab.columns["total_charges"]
    charges.op.value = "generalize"
    before = p.recipe
    charges.editor.fields["width"][1].value = "-5"
    assert "must be a positive number" in charges.error.value
    assert p.recipe == before
    charges.editor.fields["width"][1].value = "2500"
    assert charges.error.value == ""
    assert p.state.transform_for("total_charges") == Generalize(width=2500)


def test_undo_redo_and_history(make: Any) -> None:
    p = make()
    seen: list[Recipe] = []
    p.on_change(seen.append)
    assert p.undo_button.disabled and p.redo_button.disabled
    p.set_transform("name", Drop())
    p.set_transform("zip", Generalize(keep=3))
    assert p.history == ["start", "name: (none) -> drop()", "zip: (none) -> generalize(keep=3)"]
    assert "generalize(keep=3)" in p.history_view.value
    p.undo_button.click()
    assert p.state.transform_for("zip") is None
    assert p.transform_tab.columns["zip"].op.value == ""
    assert not p.redo_button.disabled
    p.redo_button.click()
    assert p.state.transform_for("zip") == Generalize(keep=3)
    assert p.transform_tab.columns["zip"].op.value == "generalize"
    p.undo()
    p.set_transform("zip", Mask())  # a new change clears redo
    assert not p.redo()
    assert seen[-1] is p.recipe
    assert len(seen) == 6  # two changes, undo, redo, undo, one more change
    assert not p.set_transform("zip", Mask())  # no change, nothing recorded


def test_suggest_button_fills_in_the_suggested_recipe(make: Any) -> None:
    p = make()
    p.transform_tab.suggest.click()
    expected = anonlab.suggest_recipe(p.profile)
    assert p.recipe.steps == expected.steps
    assert p.transform_tab.columns["ssn"].op.value == "drop"
    assert p.transform_tab.columns["zip"].editor.fields["keep"][1].value == 3
    assert p.history[-1] == "suggest: 18 steps"


def test_code_tab_is_the_recipe(make: Any) -> None:
    p = make()
    p.suggest()
    p.set_transform("city", Keep())
    assert p.code_tab.python.value == p.recipe.to_python()
    assert p.code_tab.yaml.value == p.recipe.to_yaml()
    namespace: dict[str, Any] = {}
    exec(p.code_tab.python.value, namespace)
    assert namespace["recipe"] == p.recipe
    assert Recipe.from_yaml(p.code_tab.yaml.value) == p.recipe


def test_preview_shows_before_and_after_masked(make: Any, frames: dict[str, Any]) -> None:
    p = make()
    p.set_transform("ssn", Mask(format="ssn"))
    html = p.transform_tab.preview.value
    assert "ssn before" in html and "ssn after" in html
    raw = frames["polars"]["ssn"].head(8).to_list()
    assert not [v for v in raw if v in html]
    assert "***-**-" in html
    preview = p.preview("ssn")
    assert preview.before == tuple(raw)
    assert all(a.startswith("***-**-") for a in preview.after)


# -- risk -----------------------------------------------------------------------------------------
def test_risk_numbers_change_after_a_transform_change(make: Any) -> None:
    p = make(quasi_identifiers=QIS, sensitive=["diagnosis"])
    first = p.refresh(figures=False)
    assert first.quasi_identifiers == ("zip", "date_of_birth", "sex")
    html_before = p.risk_tab.report.value
    assert "anonlab-risk" in html_before
    columns = p.transform_tab.columns
    columns["zip"].op.value = "generalize"
    columns["zip"].editor.fields["keep"][1].value = 1
    columns["date_of_birth"].op.value = "generalize"
    second = p.refresh()
    assert second.classes < first.classes
    assert second.sample_uniques < first.sample_uniques
    assert p.risk_tab.report.value != html_before
    assert p.report is second
    assert p.risk.complete and not p.risk.sampled
    assert p.figure_png is not None and p.figure_png.startswith(b"\x89PNG")


def test_debounced_refresh_runs_in_the_background(make: Any) -> None:
    p = make(quasi_identifiers=QIS, debounce=0.05)
    assert p.wait(30)
    first = p._risk
    assert first is not None and first.version == p.state.version
    p.set_transform("zip", Generalize(keep=1))
    p.set_transform("date_of_birth", Generalize(unit="year"))
    assert p.wait(30)
    second = p._risk
    assert second.version == p.state.version
    assert second.report.classes < first.report.classes
    assert "updated in" in p.risk_tab.status.value


def test_targets_widgets(make: Any) -> None:
    p = make(quasi_identifiers=QIS, sensitive=["diagnosis"])
    tab = p.transform_tab
    tab.k.value = 3
    assert p.recipe.targets.k == 3
    tab.l.value = 2
    assert p.recipe.targets.l_diversity == 2
    report = p.refresh(figures=False)
    assert {r.model.describe() for r in report.targets} >= {"3-anonymity"}
    assert len(report.targets) == 2
    tab.l.value = 0
    assert p.recipe.targets.l_diversity is None


def test_sampling_is_said(make: Any) -> None:
    p = make(quasi_identifiers=QIS, sample=200)
    p.refresh(figures=False)
    assert p.risk.sampled and p.risk.rows_used == 200 and p.risk.rows_total == 500
    assert "random sample of 200 of 500 rows" in p.risk_tab.notes.value
    assert len(p.result) == 500


def test_result_is_the_callers_kind(make: Any, frames: dict[str, Any], backend: str) -> None:
    p = make()
    p.suggest()
    out = p.result
    assert type(out) is type(frames[backend])
    assert "ssn" not in out.columns
    assert p.result is out  # cached until the recipe changes


def test_missing_key_uses_a_session_key_for_previews(
    make: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANONLAB_KEY")
    p = make(quasi_identifiers=["mrn", "sex"])
    p.suggest()
    p.refresh(figures=False)
    assert p.report is not None
    assert any("temporary session key" in n for n in p.risk.notes)
    with pytest.raises(anonlab.SecretKeyError):
        p.result  # noqa: B018


def test_theme_toggle_redraws_the_figures(make: Any) -> None:
    p = make(quasi_identifiers=QIS)
    p.refresh()
    light = p.figure_png
    p.risk_tab.theme.value = "dark"
    assert p.wait(60)
    assert p.theme == "dark"
    assert p.figure_png is not None and p.figure_png != light


# -- optimize -------------------------------------------------------------------------------------
@pytest.mark.skipif(not HAS_OPTIMIZE, reason="anonlab.optimize is not available")
def test_optimize_button_meets_the_targets(make: Any) -> None:
    p = make(quasi_identifiers=QIS)
    p.suggest()
    p.transform_tab.optimize.click()
    assert p.wait(60)
    assert "Found levels" in p.transform_tab.status.value, p.transform_tab.status.value
    assert p.history[-1].startswith("optimize: ")
    assert p.state.transform_for("zip").mode == "hierarchy"
    assert p.state.transform_for("ssn") == Drop()  # other steps kept
    report = p.refresh(figures=False)
    assert report.passed


def test_optimize_without_quasi_identifiers_says_so(make: Any) -> None:
    p = make(quasi_identifiers=[])
    assert p.optimize() is None
    assert "quasi-identifiers" in p.transform_tab.status.value


# -- export ---------------------------------------------------------------------------------------
@pytest.mark.skipif(not HAS_BUNDLE, reason="anonlab.bundle is not available")
def test_export_writes_a_bundle_that_verifies(make: Any, tmp_path: Path) -> None:
    from anonlab import bundle

    p = make()
    p.suggest()
    tab = p.export_tab
    tab.signing_key.value = str(tmp_path / "keys" / "licensor.key")
    tab.generate_keys.click()
    assert (tmp_path / "keys" / "licensor.key").is_file()
    assert tab.public_key.value == str(tmp_path / "keys" / "licensor.pub")
    tab.template.value = "gdpr-pseudonymous-research"
    assert "scientific-research" in tab.purposes.options
    tab.purposes.value = ("scientific-research",)
    tab.licensee.value = "Registry team"
    (tmp_path / "team.pub").write_bytes(LICENSEE_PUBLIC_KEY.to_pem())
    tab.licensee_keys.value = str(tmp_path / "team.pub")
    tab.expires.value = dt.date.today() + dt.timedelta(days=90)
    tab.path.value = str(tmp_path / "bundle")
    tab.export.click()
    assert p.wait(120)
    outcome = p.last_export
    assert outcome is not None and outcome.ok, outcome
    assert "Bundle written to" in tab.output.value
    assert "anonlab-verified" in tab.output.value
    result = bundle.verify(tmp_path / "bundle", public_key=tmp_path / "keys" / "licensor.pub")
    assert result.signature_trusted
    assert result.license.to_dict()["parties"]  # the license travelled with the data


@pytest.mark.skipif(not HAS_BUNDLE, reason="anonlab.bundle is not available")
def test_failing_compliance_lists_the_checks(make: Any, tmp_path: Path) -> None:
    p = make()
    p.set_transform("ssn", Mask())
    outcome = p.export(template="hipaa-safe-harbor", licensee="Registry team",
                       path=tmp_path / "bundle", signing_key=tmp_path / "none.key")
    assert not outcome.ok and outcome.failures
    names = {f.name for f in outcome.failures}
    assert "safe-harbor-zip" in names
    p.export_tab.show(outcome)
    html = p.export_tab.output.value
    assert "compliance check(s)" in html and "safe-harbor-zip" in html
    assert not (tmp_path / "bundle").exists()


def test_export_needs_a_licensee(make: Any, tmp_path: Path) -> None:
    p = make()
    outcome = p.export(template="internal-ml", licensee="", path=tmp_path / "b",
                       signing_key="k.key")
    assert "licensee" in outcome.error


# -- the model without widgets --------------------------------------------------------------------
def test_state_model_needs_no_widgets() -> None:
    code = (
        "import sys\n"
        "from anonlab.jupyter.panel.state import RecipeState\n"
        "from anonlab.jupyter.panel.compute import Workspace\n"
        "from anonlab.transforms import Drop\n"
        "s = RecipeState(columns=['a', 'b'])\n"
        "s.set_transform('b', Drop()); s.set_transform('a', Drop())\n"
        "assert [x.column for x in s.recipe.steps] == ['a', 'b']\n"
        "assert s.undo() and s.redo() and not s.redo()\n"
        "bad = [m for m in ('ipywidgets', 'IPython', 'matplotlib') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr


def test_state_merge_and_describe() -> None:
    from anonlab.jupyter.panel.state import RecipeState, describe_change

    state = RecipeState(Recipe().then("a", Keep()).then("b", Keep()), columns=["a", "b", "c"])
    other = Recipe().then("b", Generalize(keep=1)).then(None, Drop())
    assert state.merge(other, label="merged")
    assert [(s.column, s.transform.op) for s in state.recipe.steps] == [
        ("a", "keep"), ("b", "generalize"), (None, "drop")]
    assert state.history_labels() == ["start", "merged"]
    before = state.recipe
    after = dataclasses.replace(before, steps=before.steps[:1])
    assert describe_change(before, after) == (
        "b: generalize(keep=1) -> (none); table steps: drop() -> (none)")
    assert not state.replace(before)

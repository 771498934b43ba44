"""The quickstart tutorial, run in a real JupyterLab in headless Chromium, renders the profile.

A copy of the notebook is opened in Lab, every cell is run with ``runmenu:run-all``, and the
rendered ``anonlab.profile(df)`` display is checked: one row per column, identifier values masked,
no raw identifier anywhere in it, no error output in the notebook, and visible on the page.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import REPO_ROOT, LabServer
from tests.browser.lab_js import KERNEL_READY_JS

pytestmark = pytest.mark.browser

# The notebook under test (copied into the server's root dir; the repository file is never opened).
NOTEBOOK = REPO_ROOT / "tutorials" / "01-quickstart.ipynb"

PATIENT_COLUMNS = [
    "name", "email", "phone", "ssn", "mrn", "address", "city", "zip", "date_of_birth", "sex",
    "ethnicity", "admission_date", "discharge_date", "diagnosis_code", "diagnosis", "note",
    "total_charges", "insurer",
]  # fmt: skip
MASKED_COLUMNS = ["email", "ssn", "phone", "name"]
SCREENSHOT_COPY = Path("/tmp/anonlab-lab-screenshot.png")

OPEN_TIMEOUT_MS = 60_000
RENDER_TIMEOUT_MS = 60_000
PROFILE = ".jp-OutputArea-output .anonlab-profile"
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")

# True once no code cell is queued or running (and the kernel is idle again).
RUN_FINISHED_JS = """(name) => {
  const w = window.jupyterapp.shell.currentWidget;
  if (!w || !w.context || w.context.path !== name) return false;
  const kernel = w.sessionContext.session && w.sessionContext.session.kernel;
  if (!kernel || kernel.status !== 'idle') return false;
  return w.content.widgets.every(
    (cell) => cell.model.type !== 'code' || cell.model.executionState !== 'running');
}"""

RUN_ALL_JS = """() => {
  window.__anonlabRunAll = 'started';
  window.jupyterapp.commands.execute('runmenu:run-all').then(
    () => { window.__anonlabRunAll = 'done'; },
    (err) => { window.__anonlabRunAll = 'failed: ' + err; });
}"""

# Runs ``code`` in the notebook's own kernel, outside the notebook (no history, no cell output).
KERNEL_EXEC_JS = """async (code) => {
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  const future = kernel.requestExecute({code, silent: false, store_history: false});
  let stdout = '';
  let stderr = '';
  future.onIOPub = (msg) => {
    if (msg.header.msg_type === 'stream') {
      if (msg.content.name === 'stdout') stdout += msg.content.text;
      else stderr += msg.content.text;
    }
  };
  const reply = await future.done;
  return {status: reply.content.status, stdout, stderr,
          error: reply.content.status === 'ok' ? '' : reply.content.evalue};
}"""

# Error outputs: rendered text with a traceback, and any output of type "error" in the model (an
# IPython SyntaxError is shown without the word "Traceback").
ERROR_OUTPUTS_JS = """() => {
  const found = [];
  const stderr = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]';
  for (const el of document.querySelectorAll(stderr + ', .jp-RenderedText')) {
    const text = el.textContent || '';
    if (text.includes('Traceback')) found.push(text.slice(0, 2000));
  }
  const w = window.jupyterapp.shell.currentWidget;
  for (const cell of (w && w.content ? w.content.widgets : [])) {
    if (cell.model.type !== 'code') continue;
    for (const out of cell.model.outputs.toJSON()) {
      if (out.output_type === 'error') found.push(`error output: ${out.ename}: ${out.evalue}`);
    }
  }
  return found;
}"""


PROFILE_OR_ERROR_JS = """(selector) => {
  if (document.querySelector(selector)) return true;
  const w = window.jupyterapp.shell.currentWidget;
  return !!w && !!w.content && w.content.widgets.some((cell) => cell.model.type === 'code'
    && cell.model.outputs.toJSON().some((out) => out.output_type === 'error'));
}"""


@pytest.fixture(scope="module")
def notebook_source() -> Path:
    """The notebook to run; change this one line to test another notebook."""
    return NOTEBOOK


def _diagnostics(page: Any, server: LabServer, page_errors: list[str]) -> str:
    try:
        errors = page.evaluate(ERROR_OUTPUTS_JS)
        run_all = page.evaluate("() => window.__anonlabRunAll || 'not started'")
        dialogs = page.locator(".jp-Dialog").all_text_contents()
    except Exception as exc:  # diagnostics only: never mask the original failure
        errors, run_all, dialogs = [f"(could not read the page: {exc})"], "?", []
    return (
        f"run-all: {run_all}\nerror outputs: {errors}\ndialogs: {dialogs}\n"
        f"page errors: {page_errors}\nserver log tail:\n{server.log_tail(2000)}"
    )


@pytest.fixture(scope="module")
def lab_page(chromium_browser: Any, lab_server: LabServer, notebook_source: Path) -> Iterator[Any]:
    """The notebook open in Lab, all cells run, the profile rendered."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    if not notebook_source.is_file():
        pytest.fail(f"notebook under test not found: {notebook_source}")
    name = notebook_source.name
    shutil.copyfile(notebook_source, lab_server.root_dir / name)

    context = chromium_browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda exc: page_errors.append(str(exc)))
    try:
        page.goto(lab_server.lab_url(name), wait_until="domcontentloaded")
        try:
            page.wait_for_function(KERNEL_READY_JS, arg=name, timeout=OPEN_TIMEOUT_MS, polling=100)
        except PlaywrightTimeoutError:
            pytest.fail(
                "the notebook's kernel never became connected and idle\n"
                + _diagnostics(page, lab_server, page_errors)
            )
        page.evaluate(RUN_ALL_JS)
        try:
            # The profile, or an error output (then run-all stops and the profile never comes).
            page.wait_for_function(
                PROFILE_OR_ERROR_JS, arg=PROFILE, timeout=RENDER_TIMEOUT_MS, polling=100
            )
            page.wait_for_function(
                RUN_FINISHED_JS, arg=name, timeout=RENDER_TIMEOUT_MS, polling=100
            )
        except PlaywrightTimeoutError:
            pytest.fail(
                "the profile did not render, or the notebook did not finish running\n"
                + _diagnostics(page, lab_server, page_errors)
            )
        if page.locator(PROFILE).count() == 0:
            pytest.fail(
                "the notebook failed before the profile rendered\n"
                + _diagnostics(page, lab_server, page_errors)
            )
        yield page
    finally:
        context.close()


@pytest.fixture(scope="module")
def raw_patients() -> Any:
    """The tutorial's raw frame, recomputed in the test process."""
    import anonlab

    return anonlab.datasets.patients(n=1000, seed=0)


def _kernel_exec(page: Any, code: str) -> dict[str, str]:
    result = page.evaluate(KERNEL_EXEC_JS, code)
    assert result["status"] == "ok", result
    return result


def test_kernel_runs_the_repository_environment(lab_page: Any, lab_server: LabServer) -> None:
    code = (
        "import json, sys, anonlab\n"
        "print(json.dumps({'executable': sys.executable, 'prefix': sys.prefix,"
        " 'anonlab': anonlab.__file__}))"
    )
    info = json.loads(_kernel_exec(lab_page, code)["stdout"].strip().splitlines()[-1])
    assert info["executable"] == lab_server.python == sys.executable
    assert info["prefix"] == sys.prefix
    assert Path(info["anonlab"]).resolve().is_relative_to(REPO_ROOT / "anonlab")


def test_no_cell_output_is_an_error(lab_page: Any) -> None:
    errors = lab_page.evaluate(ERROR_OUTPUTS_JS)
    assert not errors, "error output in the notebook:\n\n" + "\n\n".join(errors)


def test_one_row_per_column(lab_page: Any) -> None:
    profile = lab_page.locator(PROFILE).first
    names = profile.locator("tr[data-column]").evaluate_all(
        "(rows) => rows.map((row) => row.dataset.column)"
    )
    assert len(names) == len(PATIENT_COLUMNS) == 18
    assert sorted(names) == sorted(PATIENT_COLUMNS)


# A values cell's text without the <small> counts, e.g. "length 7-20top: **** *****, ...".
VALUES_TEXT_JS = """(td) => {
  const copy = td.cloneNode(true);
  copy.querySelectorAll('small').forEach((el) => el.remove());
  return copy.textContent || '';
}"""


def _masked_cell_text(page: Any, column: str) -> str:
    row = page.locator(PROFILE).first.locator(f'tr[data-column="{column}"]')
    assert row.count() == 1, f"{column}: {row.count()} rows"
    cell = row.locator("td.anonlab-masked")
    assert cell.count() == 1, f"{column}: no masked values cell"
    return cell.evaluate(VALUES_TEXT_JS)


@pytest.mark.parametrize("column", MASKED_COLUMNS)
def test_identifier_values_are_masked(lab_page: Any, raw_patients: Any, column: str) -> None:
    text = _masked_cell_text(lab_page, column)
    # The profile shows top values only for columns with repeats; an all-distinct identifier column
    # (email, phone, ssn here) shows just its length range and "every value is distinct".
    if "top:" in text:
        shown = text.split("top:", 1)[1]
        assert "*" in shown, f"{column}: {text!r}"
        assert not re.search(r"[A-Za-z0-9]", shown), f"{column}: unmasked characters in {text!r}"
    else:
        assert "every value is distinct" in text, f"{column}: {text!r}"
    assert not EMAIL_RE.search(text), f"{column}: e-mail address in {text!r}"

    raw = [str(v) for v in raw_patients[column].drop_nulls().to_list()]
    assert not [v for v in raw if v in text], f"{column}: raw value in {text!r}"
    raw_digits = [re.sub(r"\D", "", v) for v in raw]
    leaked = [run for run in re.findall(r"\d{4,}", text) if any(run in d for d in raw_digits)]
    assert not leaked, f"{column}: digit runs of raw values in {text!r}"
    if column == "name":
        words = {w for v in raw for w in re.findall(r"[A-Za-z]{3,}", v)}
        leaked_words = [w for w in re.findall(r"[A-Za-z]{3,}", text) if w in words]
        assert not leaked_words, f"name parts in {text!r}"


def test_masked_values_are_shown(lab_page: Any) -> None:
    # At least one identifier column (name: several patients share a name) shows masked values.
    texts = {c: _masked_cell_text(lab_page, c) for c in MASKED_COLUMNS}
    assert any("top:" in t and "*" in t.split("top:", 1)[1] for t in texts.values()), texts


def test_no_raw_identifier_in_the_profile(lab_page: Any, raw_patients: Any) -> None:
    # Only the profile's own text is scanned: a df.head() elsewhere legitimately shows raw rows.
    text = "\n".join(lab_page.locator(PROFILE).all_text_contents())
    assert text
    for column in ("ssn", "email"):
        raw = {str(v) for v in raw_patients[column].drop_nulls().to_list()}
        assert len(raw) > 100
        leaked = sorted(v for v in raw if v in text)
        assert not leaked, f"raw {column} values in the rendered profile: {leaked[:5]}"


def test_profile_is_visible(lab_page: Any, tmp_path: Path) -> None:
    profile = lab_page.locator(PROFILE).first
    # The notebook scrolls inside Lab's fixed-size page: bring the top of the profile into view.
    profile.evaluate("(el) => el.scrollIntoView({block: 'start'})")
    box = profile.bounding_box()
    assert box is not None
    assert box["height"] > 0
    assert box["width"] > 0
    shot = tmp_path / "lab.png"
    lab_page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 0
    shutil.copyfile(shot, SCREENSHOT_COPY)

"""The panel in a real JupyterLab, in headless Chromium: it renders, a transform changed in the
Transform tab changes the Risk tab's numbers, and the Export tab writes a bundle that verifies.

A notebook written by the test loads the extension and shows ``anonlab.panel`` on the patients
data. Screenshots of every tab are saved to a temporary folder, or, when the environment
variable ``ANONLAB_SCREENSHOTS`` names a folder (``ANONLAB_SCREENSHOTS=docs/images`` refreshes
the README's), there: ``make test`` writes nothing that git tracks.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import LabServer
from tests.browser.lab_js import KERNEL_READY_JS
from tests.identities import LICENSEE_PUBLIC_KEY

pytestmark = pytest.mark.browser

NOTEBOOK = "panel.ipynb"
IMAGES = Path(os.environ.get("ANONLAB_SCREENSHOTS") or tempfile.mkdtemp(prefix="anonlab-shots-"))
HAS_BUNDLE = importlib.util.find_spec("anonlab.bundle") is not None
OPEN_TIMEOUT_MS = 60_000
RENDER_TIMEOUT_MS = 60_000
UPDATE_TIMEOUT_MS = 30_000
PANEL = ".jp-OutputArea-output .anonlab-panel"

CELLS = [
    "import os, secrets\n"
    "# a key for this kernel only, so keyed hashes can be applied (never written anywhere)\n"
    "os.environ.setdefault('ANONLAB_KEY', secrets.token_hex(32))",
    "try:\n"
    "    %load_ext anonlab\n"
    "except Exception:  # the extension is optional for the panel\n"
    "    pass\n"
    "import anonlab\n"
    "from anonlab.jupyter.panel import panel",
    "df = anonlab.datasets.patients(500)\n"
    "P = panel(df, quasi_identifiers=['zip', 'sex', 'date_of_birth'], sensitive=['diagnosis'],"
    " debounce=0.2)\n"
    "P",
]

RUN_ALL_JS = """() => { window.jupyterapp.commands.execute('runmenu:run-all'); }"""

PANEL_OR_ERROR_JS = """(selector) => {
  if (document.querySelector(selector)) return true;
  const w = window.jupyterapp.shell.currentWidget;
  return !!w && !!w.content && w.content.widgets.some((cell) => cell.model.type === 'code'
    && cell.model.outputs.toJSON().some((out) => out.output_type === 'error'));
}"""

ERRORS_JS = """() => {
  const found = [];
  const w = window.jupyterapp.shell.currentWidget;
  for (const cell of (w && w.content ? w.content.widgets : [])) {
    if (cell.model.type !== 'code') continue;
    for (const out of cell.model.outputs.toJSON()) {
      if (out.output_type === 'error') found.push(`${out.ename}: ${out.evalue}`);
    }
  }
  return found;
}"""

TEXT_CHANGED_JS = """([selector, before]) => {
  const el = document.querySelector(selector);
  return !!el && el.textContent.trim() !== '' && el.textContent !== before;
}"""


def _notebook() -> dict[str, Any]:
    return {
        "cells": [
            {"cell_type": "code", "execution_count": None, "id": f"cell-{i}", "metadata": {},
             "outputs": [], "source": source}
            for i, source in enumerate(CELLS)
        ],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                    "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


@pytest.fixture(scope="module")
def panel_page(chromium_browser: Any, lab_server: LabServer) -> Iterator[Any]:
    """The notebook open in Lab, run, with the panel rendered."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    (lab_server.root_dir / NOTEBOOK).write_text(json.dumps(_notebook()))
    context = chromium_browser.new_context(viewport={"width": 1400, "height": 1500})
    page = context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda exc: page_errors.append(str(exc)))
    try:
        page.goto(lab_server.lab_url(NOTEBOOK), wait_until="domcontentloaded")
        try:
            page.wait_for_function(KERNEL_READY_JS, arg=NOTEBOOK, timeout=OPEN_TIMEOUT_MS,
                                   polling=100)
            page.evaluate(RUN_ALL_JS)
            page.wait_for_function(PANEL_OR_ERROR_JS, arg=PANEL, timeout=RENDER_TIMEOUT_MS,
                                   polling=100)
        except PlaywrightTimeoutError:
            pytest.fail(f"the panel did not render; page errors {page_errors}\n"
                        f"{lab_server.log_tail(2000)}")
        errors = page.evaluate(ERRORS_JS)
        assert not errors, errors
        yield page
    finally:
        context.close()


def _tab(page: Any, title: str) -> None:
    page.locator(f"{PANEL} .lm-TabBar-tab", has_text=title).first.click()
    page.wait_for_timeout(150)


def _shot(page: Any, name: str) -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    panel = page.locator(PANEL).first
    panel.scroll_into_view_if_needed()
    panel.screenshot(path=str(IMAGES / f"panel-{name}.png"))


def _risk_text(page: Any) -> str:
    return page.locator(f"{PANEL} .anonlab-risk-report").first.inner_text()


def _select(page: Any, column: str, op: str) -> None:
    page.locator(f"{PANEL} .anonlab-column-{column} .anonlab-op select").select_option(op)


def test_panel_tabs_risk_and_export(panel_page: Any, lab_server: LabServer) -> None:
    page = panel_page
    titles = page.locator(f"{PANEL} .lm-TabBar-tab").all_inner_texts()
    assert [t.strip() for t in titles] == ["Profile", "Transform", "Risk", "Code", "Export"]

    # Profile: one row per column, identifier values masked.
    roles = page.locator(f"{PANEL} .anonlab-role")
    assert roles.count() == 18
    _shot(page, "profile")

    # Risk before any change.
    _tab(page, "Risk")
    report = f"{PANEL} .anonlab-risk-report .anonlab-risk"
    page.wait_for_selector(report, timeout=UPDATE_TIMEOUT_MS)
    before = _risk_text(page)
    assert re.search(r"\d", before)

    # Transform: change zip and date of birth through their dropdowns.
    _tab(page, "Transform")
    _select(page, "zip", "generalize")
    _select(page, "date_of_birth", "generalize")
    page.wait_for_function(
        "() => document.querySelector('.anonlab-panel .anonlab-preview').textContent"
        ".includes('date_of_birth after')", timeout=UPDATE_TIMEOUT_MS)
    _shot(page, "transform")

    # Risk: the numbers change once the debounced refresh ran.
    _tab(page, "Risk")
    page.wait_for_function(TEXT_CHANGED_JS, arg=[f"{PANEL} .anonlab-risk-report", before],
                           timeout=UPDATE_TIMEOUT_MS, polling=100)
    after = _risk_text(page)
    assert after != before
    page.wait_for_selector(f"{PANEL} .anonlab-risk-figure[src]", state="visible",
                           timeout=UPDATE_TIMEOUT_MS)
    _shot(page, "risk")

    # Code: the recipe as Python.
    _tab(page, "Code")
    code = page.locator(f"{PANEL} .anonlab-code-python textarea").input_value()
    assert "Generalize(keep=3)" in code and "Generalize(unit='year')" in code
    _shot(page, "code")

    if not HAS_BUNDLE:
        _tab(page, "Export")
        _shot(page, "export")
        pytest.skip("anonlab.bundle is not available: no export checked")

    # Export: the suggested recipe, a new key pair, a signed bundle that verifies.
    _tab(page, "Transform")
    page.locator(f"{PANEL} .anonlab-suggest button, {PANEL} button.anonlab-suggest").first.click()
    _tab(page, "Export")
    root = lab_server.root_dir
    template = page.locator(f"{PANEL} .anonlab-export-template select")
    labels = template.locator("option").all_inner_texts()
    label = next(t for t in labels if t.startswith("gdpr-pseudonymous-research"))
    template.select_option(label=label)
    page.locator(f"{PANEL} .anonlab-export-licensee input").fill("Registry team")
    (root / "team.pub").write_bytes(LICENSEE_PUBLIC_KEY.to_pem())  # the team's identity key
    page.locator(f"{PANEL} .anonlab-export-licensee-keys input").fill(str(root / "team.pub"))
    page.locator(f"{PANEL} .anonlab-export-path input").fill(str(root / "bundle"))
    page.locator(f"{PANEL} .anonlab-export-signing-key input").fill(str(root / "keys/lic.key"))
    page.locator(f"{PANEL} button.anonlab-generate-keys").click()
    page.wait_for_function(
        "() => document.querySelector('.anonlab-panel .anonlab-export-output')"
        ".textContent.includes('New key pair')", timeout=UPDATE_TIMEOUT_MS)
    page.locator(f"{PANEL} button.anonlab-export").click()
    output = f"{PANEL} .anonlab-export-output"
    page.wait_for_function(
        "(sel) => { const t = document.querySelector(sel).textContent;"
        " return t.includes('Bundle written') || t.includes('No bundle') || t.includes('rror'); }",
        arg=output, timeout=UPDATE_TIMEOUT_MS)
    text = page.locator(output).inner_text()
    assert "Bundle written" in text, text
    assert page.locator(f"{output} .anonlab-verified").count() == 1
    _shot(page, "export")

    from anonlab import bundle

    result = bundle.verify(root / "bundle", public_key=root / "keys" / "lic.pub")
    assert result.signature_trusted
    assert Path(result.path).resolve() == (root / "bundle").resolve()

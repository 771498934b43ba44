"""Committed notebooks read well on a repository page: they carry outputs and no errors.

nbval (run by `make test`) executes them; this checks what was committed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TUTORIALS = sorted(ROOT.glob("tutorials/*.ipynb"))
NOTEBOOKS = sorted([*TUTORIALS, *ROOT.glob("notebooks/*.ipynb")])


def test_there_are_notebooks() -> None:
    assert any(p.parent.name == "tutorials" for p in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_committed_with_outputs_and_no_errors(path: Path) -> None:
    nb = json.loads(path.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code, "a notebook without code"
    assert any(c.get("outputs") for c in code), "committed without outputs (stripped?)"
    errors = [
        i
        for i, c in enumerate(code)
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert not errors, f"code cells {errors} were committed with errors"
    counts = [c.get("execution_count") for c in code]
    assert counts == list(range(1, len(code) + 1)), "not run in order from a fresh kernel"


@pytest.mark.parametrize("path", TUTORIALS, ids=lambda p: p.name)
def test_tutorials_end_with_what_next(path: Path) -> None:
    nb = json.loads(path.read_text())
    last = "".join(nb["cells"][-1]["source"])
    assert "What next" in last

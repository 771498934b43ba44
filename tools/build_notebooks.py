"""Build the tutorials and worked notebooks from their percent-format sources, and run them.

Each notebook has a source file beside it in ``source/`` (``tutorials/source/04-risk-adult.py``
becomes ``tutorials/04-risk-adult.ipynb``): cells start with ``# %%`` (code) or
``# %% [markdown]`` (markdown, each line prefixed with ``# ``). The notebook is executed in its
folder with a fresh kernel, so it is committed with its outputs, in order, and with no errors
(``tests/test_notebooks.py`` checks that; ``make test`` re-runs them under nbval).

    python tools/build_notebooks.py                 # every notebook
    python tools/build_notebooks.py 04-risk-adult   # the ones whose name contains this
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("tutorials", "notebooks")


def parse(text: str) -> nbformat.NotebookNode:
    """A notebook from percent-format text."""
    cells = []
    kind, lines = None, []

    def flush() -> None:
        if kind is None:
            return
        body = "\n".join(lines).strip("\n")
        if kind == "markdown":
            body = "\n".join(line[2:] if line.startswith("# ") else line.lstrip("#")
                             for line in body.splitlines())
            cells.append(nbformat.v4.new_markdown_cell(body))
        else:
            cells.append(nbformat.v4.new_code_cell(body))

    for line in text.splitlines():
        if line.startswith("# %%"):
            flush()
            kind = "markdown" if "[markdown]" in line else "code"
            lines = []
        elif kind is not None:
            lines.append(line)
    flush()
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python",
                                 "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def build(source: Path, *, timeout: int = 600) -> Path:
    """Execute ``source`` and write the notebook beside its ``source/`` folder."""
    folder = source.parent.parent
    target = folder / f"{source.stem}.ipynb"
    nb = parse(source.read_text(encoding="utf-8"))
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(folder)}})
    client.execute()
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".ipynb.tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        nbformat.write(nb, fh)
    os.replace(tmp, target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="build only notebooks whose name contains these")
    args = parser.parse_args(argv)
    sources = sorted(p for f in FOLDERS for p in (ROOT / f / "source").glob("*.py"))
    if args.names:
        sources = [p for p in sources if any(n in p.stem for n in args.names)]
    for source in sources:
        print(f"building {source.relative_to(ROOT)} ...", flush=True)
        print(f"  wrote {build(source).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

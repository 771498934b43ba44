"""Fixtures for the notebook-side tests run without a browser.

The IPython test shell must exist before anything else asks for an InteractiveShell (ipywidgets,
``IPython.display``), or later calls raise ``MultipleInstanceError``: the session fixture ``ip``
creates it first, and every test that needs IPython should depend on it.
"""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(scope="session")
def ip() -> Any:
    """The session's IPython test shell (``IPython.testing.globalipapp``)."""
    from IPython.testing.globalipapp import get_ipython

    return get_ipython()

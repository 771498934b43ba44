"""Fixtures for the browser tests: a throwaway JupyterLab server and a headless Chromium.

The server runs from the interpreter running pytest (the repository's venv), so the notebook's
``python3`` kernelspec resolves to that same environment. It listens on loopback only, serves a
temporary root directory into which each notebook under test is *copied*, and is stopped at the end
of the session: sessions and kernels are deleted through the REST API, then the server gets SIGTERM,
then SIGKILL if it does not exit.

Chromium is Debian's ``/usr/bin/chromium``; Playwright never downloads a browser. Without it the
browser tests skip, unless ``ANONLAB_REQUIRE_BROWSER=1`` (set in CI), where they fail instead.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT = 60.0
SERVER_STOP_TIMEOUT = 10.0

# Lab user settings written before the server starts: no news / update toast over the page, and no
# autosave (the test browser must never write a notebook back).
LAB_SETTINGS: dict[str, dict[str, Any]] = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}


@dataclass(frozen=True)
class LabServer:
    """A running JupyterLab server started by the ``lab_server`` fixture."""

    url: str
    token: str
    root_dir: Path
    python: str
    log: Path

    def api(self, method: str, path: str, timeout: float = 5.0) -> Any:
        """Call the REST API; returns the decoded JSON body (None for an empty body)."""
        request = urllib.request.Request(
            f"{self.url}{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def lab_url(self, notebook: str) -> str:
        """The address that opens ``notebook`` (relative to the root dir) in a fresh workspace."""
        return f"{self.url}/lab/tree/{notebook}?token={self.token}&reset"

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no server log)"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _write_settings(settings_dir: Path) -> None:
    for rel, value in LAB_SETTINGS.items():
        target = settings_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(value))


def _server_env(base: Path) -> dict[str, str]:
    """The server's (and so its kernels') environment, isolated from the user's Jupyter setup."""
    env = {k: v for k, v in os.environ.items() if k not in {"JUPYTER_PATH", "JUPYTER_CONFIG_PATH"}}
    for var, sub in [
        ("JUPYTER_CONFIG_DIR", "jupyter-config"),
        ("JUPYTER_DATA_DIR", "jupyter-data"),
        ("JUPYTER_RUNTIME_DIR", "jupyter-runtime"),
        ("IPYTHONDIR", "ipython"),
    ]:
        (base / sub).mkdir()
        env[var] = str(base / sub)
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    # The kernel imports anonlab from this checkout even when it is not pip-installed in the venv.
    env["PYTHONPATH"] = os.pathsep.join(p for p in [str(REPO_ROOT), env.get("PYTHONPATH", "")] if p)
    return env


def _wait_until_up(server: LabServer, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"JupyterLab exited with code {proc.returncode} before answering.\n"
                f"{server.log_tail()}"
            )
        with contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError):
            server.api("GET", "/api/status", timeout=2.0)
            return
        time.sleep(0.2)
    raise RuntimeError(
        f"JupyterLab did not answer /api/status within {SERVER_START_TIMEOUT:.0f} s.\n"
        f"{server.log_tail()}"
    )


def _delete_sessions_and_kernels(server: LabServer) -> None:
    with contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
        for session in server.api("GET", "/api/sessions") or []:
            server.api("DELETE", f"/api/sessions/{session['id']}", timeout=10.0)
        for kernel in server.api("GET", "/api/kernels") or []:
            server.api("DELETE", f"/api/kernels/{kernel['id']}", timeout=10.0)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server, SIGKILL it if needed, then reap anything left in its process group."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=SERVER_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=SERVER_STOP_TIMEOUT)
    # The server was started in its own process group (pgid == its pid): kernels it failed to shut
    # down would still be in that group. Only processes this fixture started can be in it.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """A JupyterLab server on 127.0.0.1 serving an empty temporary root directory."""
    base = tmp_path_factory.mktemp("jupyterlab")
    root_dir = base / "root"
    root_dir.mkdir()
    settings_dir = base / "settings"
    _write_settings(settings_dir)
    (base / "workspaces").mkdir()
    port = _free_port()
    server = LabServer(
        url=f"http://127.0.0.1:{port}",
        token=secrets.token_hex(24),
        root_dir=root_dir,
        python=sys.executable,
        log=base / "server.log",
    )
    cmd = [
        sys.executable, "-m", "jupyterlab",
        "--no-browser",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.token={server.token}",
        "--allow-root",
        f"--ServerApp.root_dir={root_dir}",
        f"--LabApp.user_settings_dir={settings_dir}",
        f"--LabApp.workspaces_dir={base / 'workspaces'}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
        "--LabApp.expose_app_in_browser=True",
    ]  # fmt: skip
    with server.log.open("wb") as log:
        proc = subprocess.Popen(
            cmd,
            cwd=root_dir,
            env=_server_env(base),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_until_up(server, proc)
        yield server
    finally:
        if proc.poll() is None:
            _delete_sessions_and_kernels(server)
        _stop(proc)


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Any]:
    """Headless Debian Chromium driven by Playwright (skips, or fails in CI, without it)."""
    if not CHROMIUM.is_file() or not os.access(CHROMIUM, os.X_OK):
        reason = (
            f"{CHROMIUM} not found: install it with `apt-get install -y chromium` "
            "to run the JupyterLab browser tests"
        )
        if os.environ.get("ANONLAB_REQUIRE_BROWSER") == "1":
            pytest.fail(f"ANONLAB_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()

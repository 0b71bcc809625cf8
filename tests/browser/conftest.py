"""Browser fixtures: a real Streamlit server on a free port and a Chromium page that records errors.

    def test_x(app_url, page):           # app.py, started once per test session
        page.goto(app_url); wait_idle(page)
        ...
        assert page.console_errors == []

Other apps: ``with streamlit_server("path/app.py") as url: ...``. Browser tests
are skipped with a reason when /usr/bin/chromium (or playwright) is missing.
Screenshots go to ``tests/browser/artifacts/`` (ignored by git).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
PORTS = range(8601, 8610)  # the ports this machine lets us serve on
ARTIFACTS = Path(__file__).parent / "artifacts"


def browser_missing() -> str | None:
    """Why browser tests can't run here, or None when they can."""
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is not installed (make system-deps installs it)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -r requirements-dev.txt)"
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    reason = browser_missing()
    for item in items:
        if "browser" in item.keywords and reason:
            item.add_marker(pytest.mark.skip(reason=reason))


def free_port() -> int:
    """A port in 8601..8609 that nothing listens on (another test run may hold some)."""
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 8601..8609")


@contextlib.contextmanager
def streamlit_server(script: str | Path, env: dict[str, str] | None = None,
                     timeout: float = 60.0) -> Iterator[str]:
    """Run ``streamlit run script`` on 127.0.0.1 and a free port; yield its URL; stop it after."""
    for _ in range(3):  # another process may take the port between the check and the bind
        port = free_port()
        # A path of our own: only our server answers it, never one that took the port.
        base = f"t{os.getpid()}x{port}x{time.monotonic_ns() % 10**6}"
        cmd = [sys.executable, "-m", "streamlit", "run", str(script),
               "--server.address", "127.0.0.1", "--server.port", str(port),
               "--server.baseUrlPath", base,
               "--server.headless", "true", "--browser.gatherUsageStats", "false",
               "--server.fileWatcherType", "none", "--server.runOnSave", "false"]
        full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
        log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (lives as long as the server)
        proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=log, stderr=log, text=True)
        url = f"http://127.0.0.1:{port}/{base}/"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(url + "_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        if proc.poll() is None and time.monotonic() < deadline:
            break
        proc.kill()
        log.close()
    else:
        raise RuntimeError("streamlit did not start")
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def launch(playwright: Any) -> Any:
    """Headless Chromium with the flags this machine needs."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def new_page(browser: Any, width: int = 1600, height: int = 1000, locale: str = "en-US") -> Any:
    """A page whose ``console_errors`` collects console errors and uncaught exceptions."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
    page = context.new_page()
    page.set_default_timeout(90_000)  # a loaded CI machine is slow, not wrong
    page.console_errors = []
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error"
            else None)
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    return page


IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def wait_idle(page: Any, timeout: float = 60.0) -> None:
    """Wait until Streamlit has finished its current run and the page has settled."""
    page.wait_for_selector(IDLE, timeout=timeout * 1000)
    page.wait_for_timeout(300)  # let the last deltas render
    page.wait_for_selector(IDLE, timeout=timeout * 1000)


def wait_rerun(page: Any, timeout: float = 60.0) -> None:
    """After an input: wait for the rerun it triggers to start (briefly), then to finish."""
    with contextlib.suppress(Exception):
        page.wait_for_selector('[data-testid="stApp"]:not([data-test-script-state="notRunning"])',
                               timeout=2000)
    wait_idle(page, timeout)


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """The dashboard (app.py), served once for the whole test session."""
    if browser_missing():
        pytest.skip(browser_missing() or "")
    with streamlit_server(ROOT / "app.py") as url:
        yield url


@pytest.fixture(scope="module")
def browser(chromium: Any) -> Any:
    """The session's shared Chromium (tests/conftest.py)."""
    if browser_missing():
        pytest.skip(browser_missing() or "")
    return chromium


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh English page (1600x1000); ``page.console_errors`` lists what went wrong."""
    p = new_page(browser)
    yield p
    p.context.close()


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot as a test artifact; returns its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path

"""Browser fixtures: a real Streamlit server on a free port and a Chromium page that records errors.

    def test_x(app_url, page):           # app.py, started once per test session
        page.goto(app_url); wait_idle(page)
        ...
        assert page.console_errors == []

Other apps: ``with streamlit_server("path/app.py") as url: ...`` (tests/servers.py). Browser tests
are skipped with a reason when /usr/bin/chromium (or playwright) is missing.
Screenshots go to ``tests/browser/artifacts/`` (ignored by git).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # benchmarks import this file with only tests/browser on the path
    sys.path.insert(0, str(ROOT))
from tests.servers import streamlit_server  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
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


DRAWN = '[data-testid="stMainBlockContainer"] [data-testid="stElementContainer"]'


def wait_idle(page: Any, timeout: float = 60.0) -> None:
    """Wait until Streamlit has finished its current run and the page has settled.

    Also waits for the first element: right after a page load Streamlit can
    report "notRunning" before the first run has started (two tests read an
    empty sidebar on the CI machine).
    """
    page.wait_for_selector(IDLE, timeout=timeout * 1000)
    page.wait_for_selector(DRAWN, timeout=timeout * 1000)
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
    """The dashboard as it is deployed (app.py behind sgdlab/ui/server.py, warmed), served
    once for the whole test session."""
    if browser_missing():
        pytest.skip(browser_missing() or "")
    with streamlit_server(ROOT / "sgdlab" / "ui" / "server.py", timeout=180) as url:
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

"""Real headless Chromium (Debian's package, driven by Playwright) against a real `timeline serve`."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import run_server  # noqa: F401 - a fixture, shared

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = Path(os.environ.get("TIMELINE_TEST_OUTPUT", ROOT / "test-output")) / "browser"
TIMELINEJS = Path(__file__).resolve().parent / "node_modules" / "@knight-lab" / "timelinejs" / "dist"
# Without these, Chromium keeps calling home, and this network refuses it.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def missing(what: str, how: str) -> None:
    """Skip, naming what to install; in CI (TIMELINE_REQUIRE_BROWSER=1) a missing tool is a failure."""
    message = f"{what} is not installed: {how} (python3 scripts/run.py test installs it where it can)"
    if os.environ.get("TIMELINE_REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    pytest.skip(message)


def chromium_path() -> str:
    found = os.environ.get("TIMELINE_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        missing("Chromium", "apt-get install chromium (Debian), or set TIMELINE_CHROMIUM to a Chromium binary")
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator:
    # Module-scoped: while Playwright's sync API is open, it holds an event loop on this thread,
    # and the async tests that run after these modules need the thread's loop free.
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    """A fresh page; any script error on it fails the test."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"script errors on the page: {errors}"


@pytest.fixture
def server(run_server, tmp_path) -> str:  # noqa: F811 - run_server is the shared fixture
    """A seeded `timeline serve` on a fresh SQLite file."""
    return run_server(str(tmp_path / "timeline.sqlite3"))


@pytest.fixture(scope="session")
def output() -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    return OUTPUT


@pytest.fixture(scope="session")
def timelinejs() -> Path:
    if not (TIMELINEJS / "js" / "timeline.js").exists():
        missing("TimelineJS", "npm ci --prefix tests/browser")
    return TIMELINEJS

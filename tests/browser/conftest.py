"""Browser tests: a live SkyFrame on a free local port, driven by Playwright
through Debian's headless Chromium at a phone-sized viewport."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("SKYFRAME_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {
    "viewport": {"width": 412, "height": 915},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.one_database)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).exists()):
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("SKYFRAME_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    base = os.environ.get("SKYFRAME_ARTIFACTS") or tempfile.mkdtemp(prefix="skyframe-artifacts-")
    path = Path(base) / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


def closing_before_sending(app):
    """Read each response whole and close it before the server sends it.

    Werkzeug's development server closes a response only after draining the
    request socket, and that drain raises when the browser has already reset
    the connection (a navigation, a closed context), so a sent file stays open
    until the garbage collector finds it and pytest reports the ResourceWarning.
    Browsers drop connections all the time; test responses are small.
    """

    def wsgi(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return wsgi


class LiveServer:
    """The app served on a free local port from a background thread."""

    def __init__(self, app):
        self._server = make_server("127.0.0.1", 0, closing_before_sending(app), threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self.running = True

    def stop(self) -> None:
        if self.running:
            self.running = False
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)


@pytest.fixture
def live_server(app):
    server = LiveServer(app)
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


class PageProblems(list):
    """Console errors, uncaught exceptions and CSP violations seen by a page."""


def watch(page) -> PageProblems:
    """Collect the page's console errors, failed sub-resources, uncaught
    exceptions and CSP violations in ``page.problems``."""
    problems = PageProblems()

    def on_console(msg):
        # Chrome logs every 4xx as "Failed to load resource", including form
        # pages deliberately answered with 401/422; failed sub-resources are
        # caught with their URL by on_response instead.
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            problems.append(f"console.error: {msg.text}")

    def on_response(response):
        expected_page = response.request.resource_type == "document"
        if response.status >= 400 and not expected_page:
            problems.append(f"HTTP {response.status}: {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
    # CSP violations are reported as DOM events as well as console errors.
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    page.problems = problems
    return problems


@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    watch(page)
    yield page
    context.close()


@pytest.fixture
def phone_without_worker(browser):
    """A phone whose requests all reach ``page.route`` (no service worker between)."""
    context = browser.new_context(**PHONE, service_workers="block")
    page = context.new_page()
    watch(page)
    yield page
    context.close()

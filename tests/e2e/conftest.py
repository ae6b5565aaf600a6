"""Browser tests: the app on a live port, and headless Chromium to drive it."""

import shutil
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
needs_chromium = pytest.mark.skipif(
    shutil.which("chromium") is None, reason="Chromium is not installed (.ci/run installs it)"
)


def _whole_bodies(app):
    """Werkzeug's development server skips a body's close() when the browser hangs up
    mid-send (a favicon still loading as the page closes), leaving the static file open
    for a ResourceWarning at some later test; reading each body whole closes it always."""

    def wsgi(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return wsgi


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, _whole_bodies(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()


# --- what every journey shares -----------------------------------------------------------

PHONE = {"width": 390, "height": 844}
# Console noise a journey may meet: Chromium reports a failed resource load (the 422 or
# 409 an htmx request answers on purpose), and htmx logs a request it cancelled because a
# newer one replaced it (hx-sync) as a failed one. The answers themselves are checked in
# `_response`: any other 4xx or a 5xx is a stumble.
EXPECTED_CONSOLE = ("Failed to load resource", "htmx:sendAbort", "htmx:afterRequest")
EXPECTED_REFUSALS = (409, 422)


class Journey:
    """One person's Chromium tab on the live server, on a phone unless told otherwise.

    It signs in through the login form, and records every console error, every 404 or
    5xx answer and every page wider than the viewport; `finish` asserts there were none,
    and runs axe-core.
    """

    def __init__(self, browser, live_server, *, locale="zh-CN", viewport=PHONE):
        # wait_for_function evaluates its text, which the CSP refuses (unsafe-eval); the
        # policy itself is checked in test_csp_browser.py.
        self.page = browser.new_page(viewport=viewport, locale=locale, bypass_csp=True)
        self.base = live_server
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("response", self._response)

    def _console(self, message) -> None:
        if message.type == "error" and not message.text.startswith(EXPECTED_CONSOLE):
            self.errors.append(message.text)

    def _response(self, response) -> None:
        """A missing resource (the old /favicon.ico), a refusal nobody meant or a server
        error is a stumble."""
        if response.status >= 400 and response.status not in EXPECTED_REFUSALS:
            self.errors.append(f"{response.status} {response.url}")

    def open(self, path: str) -> None:
        self.page.goto(self.base + path)
        self.assert_fits()

    def sign_in(self, email: str) -> None:
        from tests.factories import PASSWORD

        self.open("/login")
        self.page.fill("#email", email)
        self.page.fill("#password", PASSWORD)
        with self.page.expect_navigation():
            self.page.click("main form button.button")

    def assert_fits(self) -> None:
        """No sideways scrolling: the page is no wider than the viewport (issue 14, point 7)."""
        wider = self.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if wider > 0:
            culprits = self.page.evaluate(OVERFLOWING)
            raise AssertionError(f"{self.page.url} scrolls sideways by {wider} px: {culprits}")

    def assert_accessible(self) -> None:
        """axe-core finds no serious or critical violation on the page as it is now."""
        from axe_playwright_python.sync_playwright import Axe

        results = Axe().run(self.page)
        grave = [v for v in results.response["violations"] if v["impact"] in GRAVE]
        assert not grave, f"{self.page.url}\n" + "\n".join(
            f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}" for v in grave
        )

    def finish(self) -> None:
        self.assert_fits()
        self.assert_accessible()
        assert self.errors == []
        self.page.close()


GRAVE = ("serious", "critical")
# The innermost elements that reach past the right edge, to say what to fix.
OVERFLOWING = """() => [...document.querySelectorAll('main *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right >
                                         document.documentElement.clientWidth + 1))
  .slice(0, 5)
  .map(e => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)"""


@pytest.fixture
def journey(browser, live_server):
    """A factory of journeys: journey() for a phone in Chinese, journey(locale="en")..."""
    return lambda **options: Journey(browser, live_server, **options)

"""The browser-test harness: Playwright drives Debian's Chromium against
pytest-django's live server, and every page a test visits must be checked
with axe-core (the `page` fixture fails a test that skips one)."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest

from communities.tests.factories import TEST_PASSWORD

from .axe import check_accessibility

# Playwright's sync API runs an event loop in the test's thread; the tests'
# own database calls are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 375, "height": 812}


def pytest_collection_modifyitems(items):
    for item in items:
        if "e2e" in item.nodeid.split("/")[0]:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Never download a browser: use the system's Chromium.
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
    }


class AxeTracker:
    """Remembers the pages visited and the pages checked."""

    def __init__(self, page):
        self.page = page
        self.visited: list[str] = []
        self.checked: set[str] = set()
        page.on("framenavigated", self._navigated)

    def _navigated(self, frame):
        if frame == self.page.main_frame and frame.url.startswith("http"):
            self.visited.append(self._key(frame.url))

    @staticmethod
    def _key(url: str) -> str:
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def check(self) -> None:
        check_accessibility(self.page)
        self.checked.add(self._key(self.page.url))

    def unchecked(self) -> list[str]:
        return [url for url in dict.fromkeys(self.visited) if url not in self.checked]


@pytest.fixture
def page(page, live_server):
    page.set_default_timeout(10_000)
    tracker = AxeTracker(page)
    page.axe = tracker.check
    yield page
    missed = tracker.unchecked()
    assert not missed, f"pages visited without an axe check: {missed}"


@pytest.fixture
def phone_page(browser, live_server):
    """A phone-sized page (375 px wide), as builders use on the street."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    tracker = AxeTracker(page)
    page.axe = tracker.check
    yield page
    missed = tracker.unchecked()
    context.close()
    assert not missed, f"pages visited without an axe check: {missed}"


def sign_in(page, live_server, username: str, password: str = TEST_PASSWORD) -> None:
    page.goto(f"{live_server.url}/sign-in/")
    page.axe()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()

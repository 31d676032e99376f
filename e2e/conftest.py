"""The browser-test harness and the helpers every browser test shares.

Playwright drives Debian's Chromium against pytest-django's live server.
Every page a test visits must be checked with axe-core (`page.axe()`): the
`page`, `phone_page` and `new_page` fixtures fail a test that skips one.

Helpers for the tests: `sign_in` and `submit_sign_in`, `fits_a_phone`,
`watch_csp`, `check_accessibility`; fixtures for the data several modules
need: `builder_site` and `evaluation_framework` (users come from the root
conftest's `make_user`)."""

from __future__ import annotations

import importlib
import os
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from communities.tests.factories import TEST_PASSWORD, SiteFactory, WardFactory
from core.roles import Role

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
TIMEOUT_MS = 10_000


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


# axe-core: WCAG 2.2 AA and everything below.

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

_axe = Axe()


class AccessibilityError(AssertionError):
    pass


def check_accessibility(page) -> None:
    """Run axe on the page as it is now; fail with every violation listed."""
    results = _axe.run(
        page,
        options={
            "runOnly": {"type": "tag", "values": WCAG_TAGS},
            "resultTypes": ["violations"],
        },
    )
    violations = results.response.get("violations", [])
    if violations:
        lines = [f"{len(violations)} axe violation(s) on {page.url}:"]
        for violation in violations:
            lines.append(
                f"- {violation['id']} ({violation['impact']}): {violation['help']}"
            )
            for node in violation["nodes"][:5]:
                lines.append(f"    {node['target']}: {node['failureSummary']}")
        raise AccessibilityError("\n".join(lines))


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
        # A page still loading has no document for axe to read.
        self.page.wait_for_load_state()
        check_accessibility(self.page)
        self.checked.add(self._key(self.page.url))

    def unchecked(self) -> list[str]:
        return [url for url in dict.fromkeys(self.visited) if url not in self.checked]


def _tracked(page) -> AxeTracker:
    """Give the page its `axe()` and the timeout every test uses."""
    page.set_default_timeout(TIMEOUT_MS)
    tracker = AxeTracker(page)
    page.axe = tracker.check
    return tracker


# Pages.


@pytest.fixture
def page(page, live_server):
    tracker = _tracked(page)
    yield page
    missed = tracker.unchecked()
    assert not missed, f"pages visited without an axe check: {missed}"


@pytest.fixture
def new_page(new_context, live_server):
    """new_page(**context options) -> a page in a browser of its own (a
    phone, or a second person beside the test's `page`), held to the same
    axe rule as `page`."""
    trackers: list[AxeTracker] = []

    def make(**options):
        page = new_context(**options).new_page()
        trackers.append(_tracked(page))
        return page

    yield make
    missed = [url for tracker in trackers for url in tracker.unchecked()]
    assert not missed, f"pages visited without an axe check: {missed}"


@pytest.fixture
def phone_page(new_page):
    """A phone-sized page (375 px wide), as builders use on the street."""
    return new_page(viewport=PHONE, is_mobile=True, has_touch=True)


# Helpers.


def sign_in(page, live_server, username: str, password: str = TEST_PASSWORD) -> None:
    """Open the sign-in page, check it with axe, and sign in."""
    page.goto(f"{live_server.url}/sign-in/")
    page.axe()
    submit_sign_in(page, username, password)


def submit_sign_in(page, username: str, password: str = TEST_PASSWORD) -> None:
    """Fill in and send the sign-in form the page shows."""
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def fits_a_phone(page) -> None:
    """The page fits a phone's width without sideways scrolling."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide"


def outbox(page, call: str):
    """Call the builder's outbox on the page (``outbox(page, "flush()")``),
    once its module has loaded: module scripts run after the page is drawn,
    so a test that reaches for it straight after a page loads waits.
    It polls from here rather than with ``wait_for_function``, whose
    in-page polling evaluates a string, which the page's CSP refuses."""
    for _ in range(200):
        if page.evaluate("window.abcdOutbox !== undefined"):
            break
        page.wait_for_timeout(25)
    return page.evaluate(f"window.abcdOutbox.{call}")


def watch_csp(target) -> list[str]:
    """Console reports of anything the Content Security Policy blocked, on
    a page or (given a browser context) on its pages and service worker."""
    blocked: list[str] = []

    def note(message):
        if "Content Security Policy" in message.text:
            blocked.append(message.text)

    target.on("console", note)
    return blocked


# Data several modules need.


@pytest.fixture
def builder_site(make_user):
    """builder_site("Matson", ward="Matson and Robinswood") -> a site of one
    ward (named as the site unless given), worked by the builder Ben, who
    signs in as "ben"."""

    def make(name: str, ward: str | None = None):
        ben = make_user(Role.BUILDER, username="ben", first_name="Ben")
        area = WardFactory(name=ward or name)
        return SiteFactory(name=name, builders=[ben], areas=[area])

    return make


@pytest.fixture
def evaluation_framework(db):
    """Leeds' outcomes, indicators and cohesion questions, as the data
    migration seeds them: a browser test starts from empty tables."""
    from django.apps import apps

    importlib.import_module("evaluation.migrations.0002_seed_leeds_framework").seed(
        apps, None
    )

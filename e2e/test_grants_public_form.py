"""The public small sparks form as a stranger meets it: its refusals (a
phone that is not a UK number, hidden control characters, a text too long
for its box, counted as you type) and the page that says too many
applications were started. axe checks each, on a phone and a desktop, and
each fits 320 px. Set ABCD_SHOTS_DIR to keep screenshots."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from grants.models import Application
from grants.tests.factories import FundFactory

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = os.environ.get("ABCD_SHOTS_DIR", "")
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 375, "height": 812}
NARROW = 320


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def fits(page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} is {scroll} px wide at {width} px"


@pytest.mark.parametrize(("size", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_the_about_you_step_refuses_what_it_must(new_page, live_server, size, viewport):
    page = new_page(viewport=viewport)
    fund = FundFactory(name="Matson sparks")
    page.goto(f"{live_server.url}/grants/funds/{fund.pk}/apply/")
    page.get_by_label("Just me").check()
    page.get_by_label("Your name").fill("Ada\u202eLovelace")
    page.get_by_label("Email address").fill("ada@example.com")
    page.get_by_label("Phone number").fill("call me")
    page.get_by_role("button", name="Save and continue").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Remove the hidden control characters")
    expect(summary).to_contain_text("Enter a UK phone number, like 01632 960 001")
    page.axe()
    shot(page, f"apply-about-errors-{size}")
    fits(page, NARROW)
    assert not Application.objects.exists()

    page.set_viewport_size(viewport)
    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_label("Phone number").fill("+44 7700 900982")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your idea")
    # The GOV.UK character count says how much room is left, as you type.
    page.get_by_label("Name of your idea").fill("Repair café")
    page.get_by_label("What do you want to do?").fill("x" * 4010)
    page.get_by_label("Who will it help?").fill("Everyone")
    expect(page.get_by_text("You have 10 characters too many")).to_be_visible()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Your answer must be 4,000 characters or fewer"
    )
    page.axe()
    shot(page, f"apply-idea-too-long-{size}")
    fits(page, NARROW)


@pytest.mark.parametrize(("size", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_too_many_starts_get_a_clear_page(
    new_page, live_server, settings, size, viewport
):
    settings.GRANTS_START_LIMIT_PER_ADDRESS = 1
    page = new_page(viewport=viewport)
    fund = FundFactory(name="Matson sparks")
    for email in ("first@example.com", "second@example.com"):
        page.goto(f"{live_server.url}/grants/funds/{fund.pk}/apply/")
        page.axe()
        page.get_by_label("Just me").check()
        page.get_by_label("Your name").fill("Ada Lovelace")
        page.get_by_label("Email address").fill(email)
        page.get_by_role("button", name="Save and continue").click()
        page.wait_for_load_state()
        if email.startswith("first"):
            expect(page.get_by_role("heading", level=1)).to_have_text("Your idea")
            page.axe()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Sorry, there have been too many applications started"
    )
    expect(page).to_have_title(
        f"Too many applications started – Community Building – {settings.COUNCIL_NAME}"
    )
    expect(page.get_by_text("Wait 60 minutes and try again.")).to_be_visible()
    page.axe()
    shot(page, f"too-many-starts-{size}")
    fits(page, NARROW)
    assert Application.objects.count() == 1

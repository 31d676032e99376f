"""The first officer's set-password page in the browser: the link from
create_officer, a refused password, the password set, signing in and being
asked for a second factor; the used link refused. Checked with axe at a
phone's width and a desktop's."""

import pytest
from playwright.sync_api import expect

from trust import services

from .conftest import PHONE, fits_a_phone, submit_sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "heron kettle orbit lantern"


@pytest.mark.parametrize("width", [PHONE["width"], 1366])
def test_the_first_officer_sets_a_password_and_is_asked_for_a_second_factor(
    new_page, live_server, settings, width
):
    settings.OFFICER_2FA_REQUIRED = True
    settings.SITE_URL = live_server.url
    page = new_page(viewport={"width": width, "height": 900})
    officer = services.officer_create(username="jo", email="jo@council.example")
    link = services.set_password_link(user=officer)

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set your password")
    expect(page.locator("main")).to_contain_text("Your username is jo")
    page.axe()
    if width == PHONE["width"]:
        fits_a_phone(page)

    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("Type the new password again").fill("short")
    page.get_by_role("button", name="Set password").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "at least 12 characters"
    )
    expect(page).to_have_title(
        "Error: Set your password – Community Building – " + settings.COUNCIL_NAME
    )
    page.axe()

    page.get_by_label("New password", exact=True).fill(PASSWORD)
    page.get_by_label("Type the new password again").fill(PASSWORD)
    page.get_by_role("button", name="Set password").click()
    expect(page).to_have_url(f"{live_server.url}/sign-in/")
    expect(page.get_by_text("Your password is set.")).to_be_visible()
    page.axe()

    submit_sign_in(page, "jo", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Set up two-factor sign-in"
    )
    page.axe()

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link does not work")
    page.axe()

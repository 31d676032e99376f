"""Trust in the browser: an officer sets up two-factor sign-in on a phone,
answers a subject access request and erases a resident; a visitor reads the
privacy notice; no page breaks its Content Security Policy."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from communities.models import Resident
from core.roles import Role
from trust.tests.factories import make_site

from .conftest import fits_a_phone, sign_in, watch_csp

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_officer_sets_up_two_factor_then_answers_and_erases(
    phone_page, live_server, make_user, settings
):
    page = phone_page
    settings.OFFICER_2FA_REQUIRED = True
    violations = watch_csp(page)
    site = make_site("A")
    officer = make_user(Role.OFFICER, username="olivia")

    sign_in(page, live_server, "olivia")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Set up two-factor sign-in"
    )
    expect(page.get_by_role("img", name="QR code")).to_be_visible()
    page.axe()
    device = TOTPDevice.objects.get(user=officer)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    page.get_by_label("Code from your authenticator app").fill(f"{code:06d}")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Two-factor sign-in is set up.")).to_be_visible()
    page.axe()

    page.goto(f"{live_server.url}/trust/requests/")
    page.axe()
    page.get_by_label("Find a resident").fill("QuartermainA")
    page.get_by_role("button", name="Search").click()
    page.axe()
    page.get_by_role("link", name="Everything held about AliciaA QuartermainA").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Everything held about AliciaA QuartermainA"
    )
    expect(page.get_by_text("07700 90A001")).to_be_visible()
    page.axe()

    page.get_by_role("link", name="Erase their personal data").click()
    page.axe()
    page.get_by_label("Type the resident's full name to confirm").fill("Someone")
    page.get_by_role("button", name="Erase this resident's personal data").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert page.title().startswith("Error: ")
    page.axe()
    page.get_by_label("Type the resident's full name to confirm").fill(
        "AliciaA QuartermainA"
    )
    page.get_by_role("button", name="Erase this resident's personal data").click()
    expect(page.get_by_text("personal data has been erased")).to_be_visible()
    page.axe()
    assert Resident.objects.get(pk=site.alice.pk).first_name == "Erased resident"

    page.goto(f"{live_server.url}/trust/retention/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Retention schedule")
    page.axe()
    assert violations == []


def test_a_visitor_reads_the_privacy_notice_and_the_map_keeps_to_the_csp(
    phone_page, live_server
):
    page = phone_page
    violations = watch_csp(page)
    page.goto(f"{live_server.url}/")
    page.axe()
    page.get_by_role("link", name="Privacy notice").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy notice")
    expect(page.get_by_text("Public task", exact=False).first).to_be_visible()
    page.axe()
    fits_a_phone(page)

    page.goto(f"{live_server.url}/assets/map/")
    page.wait_for_load_state("networkidle")
    # GOV.UK Frontend's inline snippet ran under the policy.
    assert "govuk-frontend-supported" in page.evaluate("document.body.className")
    page.axe()
    assert violations == []

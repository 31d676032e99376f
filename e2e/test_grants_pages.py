"""Every other small sparks page, as each role meets it, passes axe."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from core.roles import Role
from grants import services
from grants.models import Application
from grants.tests.factories import ApplicationFactory, AwardFactory, FundFactory

from .conftest import fits_a_phone, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_officer_pages_pass_axe(page, live_server, make_user):
    officer = make_user(Role.OFFICER, username="olive")
    member = make_user(Role.PANEL, username="percy")
    fund = FundFactory(name="Tuffley sparks")
    reviewing = ApplicationFactory(fund=fund, status=Application.Status.IN_REVIEW)
    services.panel_assign(application=reviewing, members=[member], officer=officer)
    award = AwardFactory(application__fund=fund, amount=Decimal(200))
    services.payment_record(
        award=award,
        amount=Decimal(150),
        paid_on=award.awarded_on,
        method="cheque",
        recorded_by=officer,
    )
    services.report_record(
        award=award, what_happened="It went well.", people_taken_part=9, may_share=True
    )

    sign_in(page, live_server, "olive")
    page.axe()
    paths = [
        "/grants/funds/",
        f"/grants/funds/{fund.pk}/",
        f"/grants/funds/{fund.pk}/edit/",
        "/grants/funds/new/",
        f"/grants/review/?fund={fund.pk}&status=in_review",
        f"/grants/applications/{reviewing.pk}/",
        f"/grants/applications/{reviewing.pk}/assign/",
        f"/grants/applications/{reviewing.pk}/paper-scores/",
        f"/grants/applications/{award.application.pk}/",
        f"/grants/applications/{award.application.pk}/money-returned/",
        f"/grants/applications/{award.application.pk}/withdraw/",
        f"/grants/applications/{award.application.pk}/report/",
    ]
    for path in paths:
        page.goto(live_server.url + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        page.axe()

    # A form sent empty shows its errors accessibly.
    page.goto(f"{live_server.url}/grants/funds/new/")
    page.get_by_role("button", name="Save fund").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    page.axe()


def test_panel_and_public_pages_pass_axe(phone_page, live_server, make_user):
    page = phone_page
    officer = make_user(Role.OFFICER, username="olive")
    member = make_user(Role.PANEL, username="percy")
    reviewing = ApplicationFactory(status=Application.Status.IN_REVIEW)
    services.panel_assign(application=reviewing, members=[member], officer=officer)
    award = AwardFactory()
    token = award.application.resume_token()

    for path in (
        f"/grants/apply/{token}/",
        f"/grants/apply/{token}/what-happened/",
        "/grants/apply/not-a-real-link/",
    ):
        page.goto(live_server.url + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        page.axe()
        fits_a_phone(page)

    sign_in(page, live_server, "percy")
    page.axe()
    page.goto(f"{live_server.url}/grants/applications/{reviewing.pk}/conflict/")
    page.axe()
    page.get_by_label("What is your conflict of interest?").fill("My neighbour")
    page.get_by_role("button", name="Declare a conflict of interest").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "taken off that application"
    )
    page.axe()
    fits_a_phone(page)

"""Small sparks in a real browser: a resident applies on a phone, a panel
member scores, an officer decides and records a payment. axe checks every
page."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from communities.tests.factories import WardFactory
from core.roles import Role
from grants import services
from grants.models import Application
from grants.tests.factories import ApplicationFactory, FundFactory

from .conftest import fits_a_phone, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_resident_applies_on_a_phone(phone_page, live_server):
    page = phone_page
    ward = WardFactory(name="Podsmead")
    fund = FundFactory(name="Podsmead sparks", areas=[ward])

    page.goto(f"{live_server.url}/grants/")
    page.axe()
    fits_a_phone(page)
    page.get_by_role("button", name="Apply to Podsmead sparks").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("About you")
    page.axe()
    fits_a_phone(page)
    # Sending nothing explains what is missing.
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your name")
    expect(page).to_have_title(
        "Error: About you – Apply to Podsmead sparks – Community Building – "
        f"{settings.COUNCIL_NAME}"
    )
    page.axe()
    page.get_by_label("A group of us").check()
    page.get_by_label("Your name").fill("Grace Hopper")
    page.get_by_label("Your group's name").fill("Podsmead Knitters")
    page.get_by_label("Email address").fill("grace@example.com")
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your idea")
    page.axe()
    fits_a_phone(page)
    page.get_by_label("Name of your idea").fill("Knit and natter")
    page.get_by_label("What do you want to do?").fill("A weekly knitting circle.")
    page.get_by_label("Who will it help?").fill("Older neighbours who live alone.")
    page.get_by_label("How many people").fill("15")
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Where it will happen")
    page.axe()
    fits_a_phone(page)
    page.get_by_label("Which ward").select_option(label="Podsmead")
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("How much you need")
    page.axe()
    fits_a_phone(page)
    page.get_by_label("How much do you need?").fill("180")
    page.get_by_label("What will you spend it on?").fill("Wool, needles and tea.")
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before you send them"
    )
    page.axe()
    fits_a_phone(page)
    page.get_by_role("button", name="Send application").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Application sent")
    page.axe()
    fits_a_phone(page)
    application = Application.objects.get(fund=fund)
    assert application.status == Application.Status.SUBMITTED
    expect(page.locator(".govuk-panel")).to_contain_text(application.reference)
    # One email with the link to come back, one confirming the reference.
    subjects = [m.subject for m in mail.outbox]
    assert any(application.reference in s for s in subjects)
    assert len(subjects) == 2


def test_a_panel_member_scores(page, live_server, make_user):
    officer = make_user(Role.OFFICER, username="olive")
    member = make_user(Role.PANEL, username="percy")
    fund = FundFactory(anonymous_review=True)
    application = ApplicationFactory(
        fund=fund,
        status=Application.Status.IN_REVIEW,
        title="Bulb planting",
        contact_name="Hidden Person",
    )
    services.panel_assign(application=application, members=[member], officer=officer)

    sign_in(page, live_server, "percy")
    expect(page.get_by_role("heading", level=1)).to_have_text("Applications to review")
    page.axe()
    page.get_by_role("link", name="Bulb planting").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Bulb planting")
    expect(page.locator("main")).not_to_contain_text("Hidden Person")
    page.axe()
    page.get_by_role("button", name="Score this application").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Score this application")
    page.axe()
    for criterion in fund.criteria.all():
        group = page.get_by_role("group", name=criterion.title)
        group.get_by_label("4", exact=True).check()
    page.get_by_role("button", name="Save scores").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Applications to review")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your scores are saved"
    )
    expect(page.get_by_text("Scored", exact=True)).to_be_visible()
    page.axe()
    assert sorted(application.scores.values_list("score", flat=True)) == [4, 4]


def test_an_officer_decides_and_records_a_payment(page, live_server, make_user):
    make_user(Role.OFFICER, username="olive")
    application = ApplicationFactory(
        title="Repair café", amount_requested=Decimal("300.00")
    )

    sign_in(page, live_server, "olive")
    page.axe()
    page.goto(f"{live_server.url}/grants/review/")
    page.axe()
    page.get_by_role("link", name="Repair café").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Repair café")
    page.axe()

    page.get_by_role("button", name="Check eligibility").click()
    page.axe()
    page.get_by_label("Yes, it is eligible").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Eligibility check saved"
    )
    page.axe()

    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the decision")
    page.axe()
    page.get_by_label("Fund it", exact=True).check()
    page.get_by_label("Amount to award").fill("275")
    page.get_by_label("Why?").fill("A good idea that brings neighbours together.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Awarded £275")
    page.axe()

    page.get_by_role("button", name="Record a payment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a payment")
    page.axe()
    today = timezone.localdate()
    page.get_by_label("Amount paid").fill("275")
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    page.get_by_label("Bank transfer").check()
    page.get_by_role("button", name="Record payment").click()

    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Payment recorded"
    )
    expect(page.locator("main")).to_contain_text("Paid by bank transfer")
    page.axe()
    application.refresh_from_db()
    assert application.status == Application.Status.AWARDED
    assert application.award.paid == Decimal("275.00")
    assert application.award.balance == 0

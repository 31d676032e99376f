"""The evaluation in a real browser: the officers' dashboard (desktop and
phone), the survey residents answer through a link, the survey staff type
in, and cabinet's reports page. axe checks every page."""

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from communities.models import Conversation
from communities.tests.factories import WardFactory
from core.roles import Role
from evaluation import services, survey_links
from evaluation.models import Outcome
from evaluation.tests.factories import StoryFactory

from .conftest import fits_a_phone, sign_in

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("evaluation_framework"),
]


@pytest.fixture
def programme(builder_site, evaluation_framework):
    site = builder_site("Matson and Robinswood", ward="Matson")
    builder, ward = site.builders.get(), site.areas.get()
    today = timezone.localdate()
    for _ in range(7):
        Conversation.objects.create(
            builder=builder, site=site, area=ward, held_on=today
        )
    StoryFactory(
        title="The bench that started a walking group",
        outcomes=[Outcome.objects.get(code="better-connected")],
        told_on=today,
        selected_for_report=True,
    )
    services.snapshot_compute(month=today)
    return site


def test_an_officer_reads_the_dashboard_and_filters_it_by_site(
    page, live_server, make_user, programme
):
    make_user(Role.OFFICER, username="olive")
    sign_in(page, live_server, "olive")
    expect(page.get_by_role("heading", level=1)).to_have_text("Programme dashboard")
    page.axe()
    figure = page.locator(".abcd-figure").filter(has_text="Conversations held")
    expect(figure.locator(".abcd-figure__value")).to_have_text("7")
    figure.get_by_text("What this counts, month by month").click()
    expect(figure.get_by_role("table")).to_contain_text("7")
    expect(page.get_by_role("link", name="The asset map")).to_be_visible()
    expect(page.get_by_text("The bench that started a walking group")).to_be_visible()

    page.get_by_label("Site").select_option(label="Matson and Robinswood")
    page.get_by_role("button", name="Apply filter").click()
    expect(page.locator(".govuk-caption-l")).to_have_text("Matson and Robinswood")
    page.axe()


def test_the_dashboard_fits_a_phone(phone_page, live_server, make_user, programme):
    make_user(Role.OFFICER, username="olive")
    sign_in(phone_page, live_server, "olive")
    # Measured on the dashboard itself, not on a sign-in page sent back.
    expect(phone_page).to_have_url(f"{live_server.url}/evaluation/dashboard/")
    expect(phone_page.get_by_role("heading", level=1)).to_have_text(
        "Programme dashboard"
    )
    expect(phone_page.locator(".abcd-figure").first).to_be_visible()
    fits_a_phone(phone_page)
    phone_page.axe()


def test_a_resident_answers_the_survey_on_a_phone(phone_page, live_server):
    page = phone_page
    ward = WardFactory(name="Podsmead")
    token = survey_links.survey_link_token(area=ward, wave="baseline")
    page.goto(f"{live_server.url}/evaluation/survey/{token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Your wellbeing and your neighbourhood"
    )
    page.axe()
    fits_a_phone(page)

    first = page.get_by_role(
        "group", name="I've been feeling optimistic about the future"
    )
    first.get_by_label("Often").check()
    page.get_by_role("button", name="Send answers").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Answer all seven")
    expect(page).to_have_title(
        "Error: Your wellbeing and your neighbourhood – Community Building – "
        f"{settings.COUNCIL_NAME}"
    )
    page.axe()

    for group in page.get_by_role("group").filter(has_text="I've been").all():
        if group.get_by_role("radio", name="Often").count() == 1:
            group.get_by_role("radio", name="Often").check()
    page.get_by_role(
        "group", name="Overall, how happy did you feel yesterday?"
    ).get_by_label("8", exact=True).check()
    page.get_by_role("group", name="I know my neighbours' names").get_by_label(
        "Agree", exact=True
    ).check()
    page.get_by_role("button", name="Send answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    page.axe()

    from evaluation.models import SurveyResponse

    saved = SurveyResponse.objects.get()
    assert (saved.swemwbs_raw, saved.happiness) == (28, 8)


def test_a_builder_types_in_a_paper_survey(page, live_server, make_user):
    WardFactory(name="Tuffley")
    make_user(Role.BUILDER, username="ben")
    sign_in(page, live_server, "ben")
    page.axe()
    page.get_by_role("link", name="Surveys").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter a survey")
    page.axe()
    page.get_by_role("button", name="Save survey").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the ward")
    page.axe()


def test_cabinet_reads_the_reports_with_small_numbers_suppressed(
    page, live_server, make_user, programme
):
    make_user(Role.CABINET, username="cara")
    programme.builders.first()
    sign_in(page, live_server, "cara")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    page.axe()
    expect(page.get_by_text("The bench that started a walking group")).to_be_visible()
    expect(page.locator("main")).to_contain_text("fewer than 5")


def test_an_officers_evaluation_pages_fit_a_phone(
    phone_page, live_server, make_user, programme
):
    page = phone_page
    ward = programme.areas.first()
    for wave in ("baseline", "follow_up"):
        services.survey_response_record(
            area=ward,
            wave=wave,
            completed_on=timezone.localdate(),
            swemwbs=[3] * 7,
            ons4={"life_satisfaction": 6, "anxiety": 3},
            cohesion={},
        )
    make_user(Role.OFFICER, username="olive")
    sign_in(page, live_server, "olive")
    page.axe()
    for path, heading in (
        ("/evaluation/framework/", "Outcomes and indicators"),
        ("/evaluation/surveys/", "Surveys: baseline and follow-up"),
        ("/evaluation/surveys/link/", "Make a survey link"),
        ("/evaluation/stories/", "Stories"),
        ("/evaluation/stories/new/", "Add a story"),
        ("/evaluation/reports/", "Reports"),
    ):
        page.goto(live_server.url + path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        page.axe()
        fits_a_phone(page)

    page.goto(live_server.url + "/evaluation/stories/")
    page.get_by_role("link", name="The bench that started a walking group").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "The bench that started a walking group"
    )
    page.axe()
    fits_a_phone(page)
    page.get_by_role("button", name="Take out of reports").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "no longer in reports"
    )
    page.axe()

    page.goto(live_server.url + "/evaluation/surveys/link/")
    page.get_by_label("Ward").select_option(label="Matson")
    page.get_by_label("Baseline", exact=True).check()
    page.get_by_role("button", name="Make a link").click()
    expect(page.locator("#survey-link")).to_contain_text("/evaluation/survey/")
    page.axe()

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from communities.models import Conversation
from communities.tests.factories import (
    ResidentFactory,
    SiteFactory,
    UserFactory,
    WardFactory,
)
from core.roles import Role
from evaluation import services, survey_links
from evaluation.indicators import spec_for
from evaluation.models import (
    CohesionQuestion,
    Indicator,
    Outcome,
    Story,
    SurveyResponse,
)
from grants.tests.factories import ApplicationFactory, AwardFactory

from .factories import StoryFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("/evaluation/dashboard/", {Role.OFFICER}),
        ("/evaluation/reports/", {Role.OFFICER, Role.CABINET}),
        ("/evaluation/framework/", {Role.OFFICER}),
        ("/evaluation/stories/", {Role.OFFICER}),
        ("/evaluation/surveys/", {Role.OFFICER}),
        ("/evaluation/surveys/new/", {Role.OFFICER, Role.BUILDER}),
        ("/evaluation/surveys/link/", {Role.OFFICER}),
    ],
)
@pytest.mark.parametrize("role", list(Role))
def test_who_may_see_each_page(client, make_user, url, allowed, role):
    client.force_login(make_user(role))
    assert client.get(url).status_code == (200 if role in allowed else 403)


def test_pages_need_sign_in(client):
    response = client.get("/evaluation/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


def _programme(size: int):
    """``size`` of everything: sites with wards, conversations, stories,
    applications; then a month of snapshots."""
    builder = UserFactory(role=Role.BUILDER)
    outcome = Outcome.objects.first()
    today = timezone.localdate()
    for _ in range(size):
        ward = WardFactory()
        site = SiteFactory(areas=[ward], builders=[builder])
        Conversation.objects.create(
            builder=builder, site=site, area=ward, held_on=today
        )
        StoryFactory(outcomes=[outcome], told_on=today)
        ApplicationFactory(area=ward)
        AwardFactory(application__area=ward)
    services.snapshot_compute(month=today)


def _dashboard_queries(client, query="") -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/evaluation/dashboard/" + query).status_code == 200
    return len(captured)


def test_the_dashboard_makes_the_same_queries_at_two_data_sizes(
    client, officer, django_assert_num_queries
):
    client.force_login(officer)
    _programme(2)
    small = _dashboard_queries(client)
    assert small <= 15
    _programme(12)
    with django_assert_num_queries(small):
        client.get("/evaluation/dashboard/")
    ward = WardFactory()
    small_ward = _dashboard_queries(client, f"?ward={ward.pk}")
    _programme(5)
    with django_assert_num_queries(small_ward):
        client.get(f"/evaluation/dashboard/?ward={ward.pk}")


def test_the_dashboard_shows_headlines_with_definitions_pipeline_and_stories(
    client, officer
):
    _programme(3)
    story = Story.objects.first()
    client.force_login(officer)
    page = client.get("/evaluation/dashboard/").content.decode()
    assert "Conversations held" in page
    assert spec_for(Indicator.objects.get(code="conversations")).definition in page
    assert "<svg" in page
    assert "Waiting to be checked" in page
    assert story.title in page
    assert 'href="/assets/map/"' in page


def test_the_dashboard_filters_by_site_or_ward_not_both(client, officer):
    site = SiteFactory(areas=[WardFactory()])
    client.force_login(officer)
    response = client.get(f"/evaluation/dashboard/?site={site.pk}")
    assert f"{site}" in response.content.decode()
    ward = site.areas.first()
    response = client.get(f"/evaluation/dashboard/?site={site.pk}&ward={ward.pk}")
    assert "Choose a site or a ward, not both" in response.content.decode()
    assert "<title>Error: " in response.content.decode()


def test_cabinet_sees_small_counts_as_fewer_than_five_and_only_chosen_stories(
    client, cabinet_member
):
    builder = UserFactory(role=Role.BUILDER)
    site = SiteFactory(areas=[WardFactory()], builders=[builder])
    today = timezone.localdate()
    for _ in range(3):
        Conversation.objects.create(builder=builder, site=site, held_on=today)
    services.snapshot_compute(month=today)
    chosen = StoryFactory(
        outcomes=[Outcome.objects.first()],
        selected_for_report=True,
        is_anonymous=True,
        told_by="Jean Smith",
    )
    StoryFactory(title="Not chosen", outcomes=[Outcome.objects.first()])

    client.force_login(cabinet_member)
    page = client.get("/evaluation/reports/").content.decode()
    assert "fewer than 5" in page
    assert chosen.title in page
    assert "Jean Smith" not in page
    assert "Not chosen" not in page


def test_staff_enter_a_paper_survey(client, builder):
    ward = WardFactory()
    question = CohesionQuestion.objects.first()
    client.force_login(builder)
    data = {
        "area": ward.pk,
        "wave": "baseline",
        "completed_on_0": "3",
        "completed_on_1": "3",
        "completed_on_2": "2026",
        **{f"swemwbs_{n}": "4" for n in range(1, 8)},
        "life_satisfaction": "7",
        "anxiety": "2",
        f"cohesion_{question.pk}": "5",
    }
    response = client.post("/evaluation/surveys/new/", data)
    assert response.status_code == 302
    response = SurveyResponse.objects.get()
    assert response.swemwbs_metric is not None and response.swemwbs_raw == 28
    assert response.entered_by == builder
    assert response.cohesion_answers.get().answer == 5


def test_a_half_answered_swemwbs_is_refused_with_a_message(client, builder):
    client.force_login(builder)
    response = client.post(
        "/evaluation/surveys/new/",
        {
            "area": WardFactory().pk,
            "wave": "baseline",
            "completed_on_0": "3",
            "completed_on_1": "3",
            "completed_on_2": "2026",
            "swemwbs_1": "4",
        },
    )
    assert response.status_code == 200
    assert "Answer all seven statements" in response.content.decode()
    assert not SurveyResponse.objects.exists()


def test_a_resident_answers_through_a_link_without_an_account(client):
    ward = WardFactory(name="Podsmead")
    token = survey_links.survey_link_token(area=ward, wave="follow_up")
    url = f"/evaluation/survey/{token}/"
    page = client.get(url)
    assert page.status_code == 200
    assert "Podsmead" in page.content.decode()
    response = client.post(url, {"happiness": "8"})
    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    saved = SurveyResponse.objects.get()
    assert (saved.area, saved.wave, saved.happiness) == (ward, "follow_up", 8)
    assert saved.entered_via == SurveyResponse.EnteredVia.LINK


def test_a_broken_survey_link_says_so(client):
    response = client.get("/evaluation/survey/not-a-real-token/")
    assert response.status_code == 404
    assert "This survey link is not working" in response.content.decode()


def test_an_officer_makes_a_survey_link(client, officer):
    ward = WardFactory()
    client.force_login(officer)
    response = client.post(
        "/evaluation/surveys/link/", {"area": ward.pk, "wave": "baseline"}
    )
    assert "/evaluation/survey/" in response.content.decode()


def test_an_officer_records_a_story_and_chooses_it_for_reports(client, officer):
    outcome = Outcome.objects.first()
    client.force_login(officer)
    response = client.post(
        "/evaluation/stories/new/",
        {
            "title": "The bench",
            "text": "We met at the bench.",
            "told_by": "Jean",
            "teller": "resident",
            "told_on_0": "3",
            "told_on_1": "3",
            "told_on_2": "2026",
            "outcomes": [outcome.pk],
            "consent_to_publish": "on",
            "is_anonymous": "True",
        },
    )
    story = Story.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/evaluation/stories/{story.pk}/"
    client.post(f"/evaluation/stories/{story.pk}/select/", {"selected": "yes"})
    story.refresh_from_db()
    assert story.selected_for_report
    assert story.selected_by == officer


def test_a_named_story_about_a_resident_who_did_not_agree_is_refused(client, officer):
    resident = ResidentFactory(first_name="Maureen")
    client.force_login(officer)
    response = client.post(
        "/evaluation/stories/new/",
        {
            "title": "The bench",
            "text": "We met at the bench.",
            "told_by": "Maureen",
            "teller": "resident",
            "told_on_0": "3",
            "told_on_1": "3",
            "told_on_2": "2026",
            "outcomes": [Outcome.objects.first().pk],
            "is_anonymous": "False",
            "resident": resident.pk,
        },
    )
    assert response.status_code == 200
    assert "Maureen has not agreed to be named in stories" in response.content.decode()
    assert not Story.objects.exists()


def test_an_officer_renames_an_indicator_and_makes_it_a_headline(client, officer):
    indicator = Indicator.objects.get(code="introductions-across-wards")
    client.force_login(officer)
    page = client.get(f"/evaluation/framework/indicators/{indicator.pk}/")
    assert spec_for(indicator).definition in page.content.decode()
    client.post(
        f"/evaluation/framework/indicators/{indicator.pk}/",
        {
            "name": "Introductions between wards",
            "outcome": indicator.outcome_id,
            "position": "3",
            "is_headline": "on",
        },
    )
    indicator.refresh_from_db()
    assert indicator.name == "Introductions between wards"
    assert indicator.is_headline


def test_the_framework_lists_each_outcome_s_indicators_with_their_definitions(
    client, officer, django_assert_max_num_queries
):
    client.force_login(officer)
    with django_assert_max_num_queries(8):
        page = client.get("/evaluation/framework/").content.decode()
    for indicator in Indicator.objects.with_outcome_and_question():
        assert escape(indicator.outcome.title) in page
        assert escape(spec_for(indicator).definition) in page


def test_an_officer_adds_a_cohesion_question_that_residents_are_then_asked(
    client, officer
):
    client.force_login(officer)
    client.post(
        "/evaluation/framework/questions/new/",
        {
            "text": "I trust people round here",
            "outcome": Outcome.objects.first().pk,
            "position": "4",
            "is_active": "on",
        },
    )
    question = CohesionQuestion.objects.get(text="I trust people round here")
    token = survey_links.survey_link_token(area=WardFactory(), wave="baseline")
    assert (
        "I trust people round here"
        in client.get(f"/evaluation/survey/{token}/").content.decode()
    )
    assert Indicator.objects.filter(question=question).exists()


def test_the_surveys_page_compares_baseline_with_follow_up(client, officer):
    ward = WardFactory(name="Matson")
    for wave, happiness in (("baseline", 4), ("follow_up", 8)):
        services.survey_response_record(
            area=ward,
            wave=wave,
            completed_on=datetime.date(2026, 3, 3),
            swemwbs=[None] * 7,
            ons4={"happiness": happiness},
            cohesion={},
        )
    client.force_login(officer)
    page = client.get("/evaluation/surveys/").content.decode()
    assert "Matson" in page
    assert "4.0" in page and "8.0" in page


def test_the_dashboards_figures_are_drawn_once_until_what_they_show_changes(
    client, officer, django_capture_on_commit_callbacks
):
    """The headlines and the table of every indicator come from the cache
    while the snapshots, the framework and the places stay the same; a
    renamed indicator or a night's new figures show at once."""
    client.force_login(officer)
    _programme(2)
    first = _dashboard_queries(client)
    again = _dashboard_queries(client)
    assert again < first  # the indicators and their snapshots were not read

    indicator = Indicator.objects.filter(is_headline=True).first()
    with django_capture_on_commit_callbacks(execute=True):
        indicator.name = "Neighbours who know each other's names"
        indicator.save()
    page = client.get("/evaluation/dashboard/").content.decode()
    assert "Neighbours who know each other&#x27;s names" in page

    before = client.get("/evaluation/dashboard/").context["computed_at"]
    _programme(3)  # more records, and the month worked out again
    response = client.get("/evaluation/dashboard/")
    assert response.context["computed_at"] > before
    assert _dashboard_queries(client) == again


def test_a_dashboard_cached_for_one_scope_is_not_shown_for_another(client, officer):
    client.force_login(officer)
    _programme(2)
    site = SiteFactory(name="Only this site")
    whole = client.get("/evaluation/dashboard/").content.decode()
    one = client.get(f"/evaluation/dashboard/?site={site.pk}").content.decode()
    assert "The whole programme" in whole
    assert "Only this site" in one
    assert f'<option value="{site.pk}" selected>' in one
    assert f'<option value="{site.pk}" selected>' not in whole

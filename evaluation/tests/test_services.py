import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from communities.models import Conversation
from communities.tests.factories import (
    ResidentFactory,
    SiteFactory,
    UserFactory,
    WardFactory,
)
from core.roles import Role
from evaluation import services
from evaluation.indicators import spec_for
from evaluation.models import (
    CohesionAnswer,
    CohesionQuestion,
    Indicator,
    Outcome,
    Snapshot,
    Story,
    SurveyResponse,
)
from grants.models import GrantReport
from grants.tests.factories import AwardFactory

from .factories import StoryFactory

pytestmark = pytest.mark.django_db

MARCH = datetime.date(2026, 3, 1)


@pytest.fixture
def site():
    builder = UserFactory(role=Role.BUILDER)
    return SiteFactory(areas=[WardFactory(name="Matson")], builders=[builder])


def _conversations(site, n, held_on=datetime.date(2026, 3, 5)):
    builder = site.builders.first()
    for _ in range(n):
        Conversation.objects.create(
            builder=builder, site=site, area=site.areas.first(), held_on=held_on
        )


def _snapshot(code, **scope):
    return Snapshot.objects.get(indicator__code=code, month=MARCH, **scope)


# Snapshots ------------------------------------------------------------------


def test_snapshots_hold_every_indicator_for_the_programme_each_site_and_ward(site):
    _conversations(site, 3)
    stored = services.snapshot_compute(month=datetime.date(2026, 3, 17))

    indicators = Indicator.objects.count()
    # The programme, one site, one ward.
    assert stored == indicators * 3
    assert Snapshot.objects.filter(month=MARCH).count() == indicators * 3
    assert _snapshot("conversations", site=None, area=None).value == 3
    assert _snapshot("conversations", site=site).value == 3
    assert _snapshot("conversations", area=site.areas.first()).value == 3


def test_recomputing_a_month_replaces_its_values(site):
    _conversations(site, 3)
    services.snapshot_compute(month=MARCH)
    services.snapshot_compute(month=MARCH)
    assert Snapshot.objects.filter(month=MARCH).count() == Indicator.objects.count() * 3

    _conversations(site, 2)
    services.snapshot_compute(month=MARCH)
    assert Snapshot.objects.filter(month=MARCH).count() == Indicator.objects.count() * 3
    assert _snapshot("conversations", site=None, area=None).value == 5


def test_recomputing_one_month_leaves_the_others_alone(site):
    _conversations(site, 1, held_on=datetime.date(2026, 2, 3))
    services.snapshot_compute(month=datetime.date(2026, 2, 1))
    _conversations(site, 4, held_on=datetime.date(2026, 2, 4))
    services.snapshot_compute(month=MARCH)
    february = Snapshot.objects.get(
        indicator__code="conversations",
        month=datetime.date(2026, 2, 1),
        site=None,
        area=None,
    )
    assert february.value == 1


# Framework ------------------------------------------------------------------


def test_a_new_cohesion_question_gets_its_indicator():
    outcome = Outcome.objects.get(code="good-friends")
    question = services.cohesion_question_save(
        text="  I trust   people round here ", outcome=outcome
    )
    assert question.text == "I trust people round here"
    indicator = Indicator.objects.get(question=question)
    assert indicator.outcome == outcome
    assert "I trust people round here" in spec_for(indicator).definition


def test_a_cohesion_question_cannot_repeat_another():
    outcome = Outcome.objects.first()
    with pytest.raises(ValidationError, match="already a question"):
        services.cohesion_question_save(
            text="i know my neighbours' NAMES", outcome=outcome
        )


def test_renaming_an_indicator_keeps_its_definition():
    indicator = Indicator.objects.get(code="conversations")
    before = spec_for(indicator).definition
    services.indicator_update(
        indicator=indicator,
        name="Doorstep conversations",
        outcome=Outcome.objects.get(code="good-friends"),
        is_headline=False,
    )
    indicator.refresh_from_db()
    assert indicator.name == "Doorstep conversations"
    assert spec_for(indicator).definition == before


def test_a_stories_indicator_stays_with_its_outcome():
    indicator = Indicator.objects.get(code="stories-good-friends")
    with pytest.raises(ValidationError, match="stays with its outcome"):
        services.indicator_update(
            indicator=indicator,
            name="x",
            outcome=Outcome.objects.get(code="better-connected"),
        )


def test_a_new_outcome_gets_a_count_of_its_stories():
    outcome = services.outcome_save(title="People feel safe where they live")
    indicator = services.story_indicator_ensure(outcome=outcome)
    assert indicator.kind == Indicator.Kind.STORIES
    assert outcome.code == "people-feel-safe-where-they-live"


# Surveys --------------------------------------------------------------------


def _survey(**overrides):
    fields = {
        "area": WardFactory(),
        "wave": SurveyResponse.Wave.BASELINE,
        "completed_on": datetime.date(2026, 3, 3),
        "swemwbs": [3, 3, 3, 4, 4, 4, 5],
        "ons4": {"life_satisfaction": 7, "worthwhile": 8, "happiness": 6, "anxiety": 3},
        "cohesion": {},
    }
    return services.survey_response_record(**{**fields, **overrides})


def test_a_survey_keeps_the_swemwbs_raw_and_metric_scores_and_four_ons_answers():
    response = _survey()
    assert response.swemwbs_raw == 26
    assert response.swemwbs_metric == Decimal("23.21")
    assert (
        response.life_satisfaction,
        response.worthwhile,
        response.happiness,
        response.anxiety,
    ) == (7, 8, 6, 3)
    assert response.entered_via == SurveyResponse.EnteredVia.LINK


def test_a_survey_with_some_swemwbs_answers_missing_is_refused():
    with pytest.raises(ValidationError, match="all seven"):
        _survey(swemwbs=[3, 3, None, 4, 4, 4, 5])
    assert not SurveyResponse.objects.exists()


def test_an_empty_survey_is_refused():
    with pytest.raises(ValidationError, match="at least one"):
        _survey(swemwbs=[None] * 7, ons4={}, cohesion={})


def test_an_ons_answer_out_of_range_changes_nothing():
    with pytest.raises(ValidationError, match="Choose a number from 0 to 10"):
        _survey(ons4={"anxiety": 11})
    assert not SurveyResponse.objects.exists()


def test_a_bad_cohesion_answer_changes_nothing():
    question = CohesionQuestion.objects.first()
    with pytest.raises(ValidationError, match="Choose how much you agree"):
        _survey(cohesion={question.pk: 9})
    assert not SurveyResponse.objects.exists()
    assert not CohesionAnswer.objects.exists()


def test_a_survey_cannot_be_dated_in_the_future():
    with pytest.raises(ValidationError, match="future"):
        _survey(completed_on=timezone.localdate() + datetime.timedelta(days=1))


def test_a_survey_site_must_work_in_its_ward(site):
    with pytest.raises(ValidationError, match="does not work in"):
        _survey(site=site)


# Stories --------------------------------------------------------------------


def _story(**overrides):
    fields = {
        "title": "The bench",
        "text": "We met at the bench.",
        "told_by": "Jean",
        "teller": Story.Teller.RESIDENT,
        "told_on": datetime.date(2026, 3, 3),
        "outcomes": [Outcome.objects.first()],
        "consent_to_publish": True,
        "is_anonymous": False,
        "recorded_by": UserFactory(),
    }
    return services.story_record(**{**fields, **overrides})


def test_a_story_names_a_resident_only_with_their_consent():
    shy = ResidentFactory(first_name="Jean")
    with pytest.raises(ValidationError, match="Jean has not agreed to be named"):
        _story(resident=shy)
    assert not Story.objects.exists()
    story = _story(resident=shy, is_anonymous=True)
    assert story.attribution == "A resident"
    named = _story(resident=ResidentFactory(consents=["story"]))
    assert named.attribution == "Jean"


def test_a_story_needs_an_outcome():
    with pytest.raises(
        ValidationError, match="Choose at least one outcome the story speaks to"
    ) as error:
        _story(outcomes=[])
    assert "outcomes" in error.value.error_dict


def test_only_a_publishable_story_can_be_chosen_for_reports():
    private = StoryFactory(consent_to_publish=False)
    with pytest.raises(ValidationError, match="agreed may be published"):
        services.story_select(story=private, selected=True, selected_by=UserFactory())
    story = StoryFactory()
    services.story_select(story=story, selected=True, selected_by=UserFactory())
    assert Story.objects.selected().get() == story


def test_withdrawing_consent_to_publish_takes_a_story_out_of_reports():
    story = StoryFactory(selected_for_report=True)
    _story(story=story, consent_to_publish=False)
    story.refresh_from_db()
    assert not story.selected_for_report


def test_an_end_of_grant_report_becomes_one_anonymous_story():
    award = AwardFactory(application__area=WardFactory(name="Tuffley"))
    report = GrantReport.objects.create(
        award=award,
        what_happened="Forty neighbours planted bulbs.",
        people_taken_part=40,
        may_share=True,
    )
    outcome = Outcome.objects.get(code="changes-they-want")
    story = services.story_from_grant_report(
        report=report, outcomes=[outcome], recorded_by=None
    )
    again = services.story_from_grant_report(
        report=report, outcomes=[outcome], recorded_by=None
    )

    assert again == story
    assert Story.objects.count() == 1
    assert story.award == award
    assert story.is_anonymous
    assert story.told_by == "A small sparks grant holder in Tuffley"
    assert story.text == "Forty neighbours planted bulbs."


def test_a_report_not_agreed_for_sharing_is_not_made_a_story():
    report = GrantReport.objects.create(
        award=AwardFactory(), what_happened="x", people_taken_part=3, may_share=False
    )
    with pytest.raises(ValidationError, match="did not agree"):
        services.story_from_grant_report(
            report=report, outcomes=[Outcome.objects.first()], recorded_by=None
        )

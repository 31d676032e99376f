import pytest

from demo import communities as communities_demo
from demo import evaluation as demo
from evaluation.models import ReportRun, Snapshot, Story, SurveyResponse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def leeds_framework(db):
    """Leeds' outcomes, indicators and cohesion questions, as the data
    migration seeds them. Seeded again here, as in evaluation's tests,
    because a browser test (which empties every table) may have run against
    the reused test database."""
    demo.seed_framework()


def test_the_evaluation_demo_is_a_year_of_snapshots_surveys_and_a_dozen_stories():
    communities_demo.seed_wards()
    communities_demo.seed_accounts(password="demo passphrase for tests")
    communities_demo.seed_sites()

    surveys = demo.seed_surveys()
    stories = demo.seed_stories()
    months = demo.seed_snapshots()

    assert surveys > 0
    assert set(SurveyResponse.objects.values_list("wave", flat=True)) == {
        "baseline",
        "follow_up",
    }
    assert stories == Story.objects.count() == 10  # no grant reports loaded here
    assert Story.objects.selected().exists()
    assert months == 12
    assert Snapshot.objects.values("month").distinct().count() == 12

    counts = (
        SurveyResponse.objects.count(),
        Story.objects.count(),
        Snapshot.objects.count(),
    )
    assert (demo.seed_surveys(), demo.seed_stories(), demo.seed_snapshots()) == (
        0,
        0,
        0,
    )
    assert counts == (
        SurveyResponse.objects.count(),
        Story.objects.count(),
        Snapshot.objects.count(),
    )


def test_the_demo_publishes_last_year_s_annual_review_once():
    communities_demo.seed_wards()
    communities_demo.seed_sites()

    assert demo.seed_reports() == 1
    assert demo.seed_reports() == 0

    review = ReportRun.objects.published().get()
    assert review.recommendations.startswith("Note the programme's progress")
    assert review.file.storage.exists(review.file.name)

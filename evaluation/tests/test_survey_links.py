"""Survey links (evaluation.survey_links): signed, and only for a while."""

import pytest

from communities.tests.factories import SiteFactory, UserFactory, WardFactory
from core.roles import Role
from evaluation import survey_links

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    builder = UserFactory(role=Role.BUILDER)
    return SiteFactory(areas=[WardFactory(name="Matson")], builders=[builder])


def test_a_survey_link_carries_its_ward_and_wave_and_cannot_be_altered(site):
    ward = site.areas.first()
    token = survey_links.survey_link_token(area=ward, wave="follow_up", site=site)
    assert survey_links.survey_link_from_token(token) == {
        "area": ward,
        "wave": "follow_up",
        "site": site,
    }
    assert survey_links.survey_link_from_token(token[:-2] + "xx") is None
    assert survey_links.survey_link_from_token("nonsense") is None


def test_an_old_survey_link_stops_working(site, settings):
    token = survey_links.survey_link_token(area=site.areas.first(), wave="baseline")
    settings.EVALUATION_SURVEY_LINK_DAYS = 0
    assert survey_links.survey_link_from_token(token) is None

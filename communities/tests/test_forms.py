import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communities.forms import ResidentFilterForm
from communities.roles import Role

from .factories import SiteFactory, TagFactory, UserFactory, WardFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return UserFactory(role=Role.OFFICER)


def test_a_forms_options_are_read_once_in_one_plain_query(officer):
    ward = WardFactory(name="Matson")
    SiteFactory(name="Matson and Robinswood", areas=[ward])
    TagFactory(name="gardening")
    TagFactory(name="singing")
    form = ResidentFilterForm(user=officer)
    with CaptureQueriesContext(connection) as queries:
        first = str(form["interest"])
        again = str(form["interest"])
        counted = len(form.fields["interest"].choices)
    assert first == again
    assert 'value="gardening"' in first and 'value="singing"' in first
    assert counted == 3  # "Any" and the two interests
    # One query: no count of its own, no server-side cursor.
    assert len(queries) == 1
    assert queries[0]["sql"].startswith("SELECT")


def test_narrowed_options_are_still_the_ones_drawn_and_accepted(officer):
    ward, elsewhere = WardFactory(name="Matson"), WardFactory(name="Kingsholm")
    site = SiteFactory(name="Matson and Robinswood", areas=[ward])
    builder = UserFactory(role=Role.BUILDER)
    site.builders.add(builder)
    SiteFactory(name="Kingsholm", areas=[elsewhere])
    form = ResidentFilterForm(user=builder)
    drawn = str(form["ward"])
    assert "Matson" in drawn and "Kingsholm" not in drawn
    assert ResidentFilterForm({"ward": ward.pk}, user=builder).is_valid()
    refused = ResidentFilterForm({"ward": elsewhere.pk}, user=builder)
    assert not refused.is_valid() and "ward" in refused.errors

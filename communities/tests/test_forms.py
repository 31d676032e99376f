import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communities.forms.conversations import ConversationForm
from communities.forms.residents import ResidentFilterForm
from core.roles import Role

from .factories import (
    ResidentFactory,
    SiteFactory,
    TagFactory,
    UserFactory,
    WardFactory,
)

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


def signed_in(user):
    """The user as a request reads them (with their roles and sites)."""
    from communities.backends import SignInBackend

    return SignInBackend().get_user(user.pk)


def a_conversation(site, **fields):
    return {"site": str(site.pk), "held_on": str(timezone.localdate()), **fields}


def test_a_builders_conversation_is_checked_with_no_query(builder):
    """The phone's conversations are checked against what came with the
    user: their sites, and no choices read for the fields left empty."""
    site = SiteFactory(builders=[builder], areas=[WardFactory()])
    elsewhere = SiteFactory()
    user = signed_in(builder)
    with CaptureQueriesContext(connection) as queries:
        form = ConversationForm(a_conversation(site), user=user)
        assert form.is_valid(), form.errors
        refused = ConversationForm(a_conversation(elsewhere), user=user)
        assert not refused.is_valid()
        junk = ConversationForm({**a_conversation(site), "site": "seven"}, user=user)
        assert not junk.is_valid()
    assert len(queries) == 0
    assert form.cleaned_data["site"] == site
    assert form.cleaned_data["area"] is None and form.cleaned_data["residents"] == []
    for bad in (refused, junk):
        assert bad.errors["site"] == [
            "Select a valid choice. That choice is not one of the available choices."
        ]


def test_what_a_builder_sends_is_still_checked_against_their_scope(builder):
    ward, far = WardFactory(name="Matson"), WardFactory(name="Kingsholm")
    site = SiteFactory(builders=[builder], areas=[ward])
    SiteFactory(areas=[far])
    mine = ResidentFactory(site=site)
    stranger = ResidentFactory()
    user = signed_in(builder)
    ok = ConversationForm(
        a_conversation(site, area=str(ward.pk), residents=[str(mine.pk)]), user=user
    )
    assert ok.is_valid(), ok.errors
    assert ok.cleaned_data["area"] == ward and ok.cleaned_data["residents"] == [mine]
    for field, value in (("area", str(far.pk)), ("residents", [str(stranger.pk)])):
        form = ConversationForm(a_conversation(site, **{field: value}), user=user)
        assert not form.is_valid() and field in form.errors


def test_a_builders_form_draws_their_own_sites_and_wards(builder):
    ward, other, far = (
        WardFactory(name="Matson"),
        WardFactory(name="Tuffley"),
        WardFactory(name="Kingsholm"),
    )
    first = SiteFactory(name="Matson and Robinswood", builders=[builder], areas=[ward])
    SiteFactory(name="Tuffley", builders=[builder], areas=[other])
    SiteFactory(name="Kingsholm", areas=[far])
    drawn = ConversationForm(user=signed_in(builder))
    drawn.helper  # noqa: B018 (drawing prepares the fields)
    sites, wards = str(drawn["site"]), str(drawn["area"])
    assert "Matson and Robinswood" in sites and "Tuffley" in sites
    assert "Kingsholm" not in sites
    assert "Matson" in wards and "Tuffley" in wards and "Kingsholm" not in wards
    # With one site, it is chosen for them and not asked.
    first.builders.remove(builder)
    one = ConversationForm(user=signed_in(builder))
    one.helper  # noqa: B018
    assert 'type="hidden"' in str(one["site"])


def test_an_officers_site_is_any_site(officer):
    site = SiteFactory()
    form = ConversationForm(a_conversation(site), user=signed_in(officer))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["site"] == site

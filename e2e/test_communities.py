"""The builder's core loop on a phone, and the officer's lists, in Chromium."""

import pytest
from playwright.sync_api import expect

from communities.models import Group, Introduction, Resident
from communities.tests.factories import ResidentFactory, SiteFactory, WardFactory
from core.roles import Role

from .conftest import fits_a_phone, outbox, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site(builder_site):
    site = builder_site("Matson", ward="Matson and Robinswood")
    ResidentFactory(
        site=site,
        area=site.areas.get(),
        first_name="Gwen",
        last_name="Roberts",
        consents=["introduce"],
        passions=["Allotments", "Baking"],
    )
    return site


def test_a_builder_on_a_phone_logs_introduces_and_records_a_group(
    phone_page, live_server, site
):
    page = phone_page
    sign_in(page, live_server, "ben")
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    page.axe()

    # Log a conversation with someone new, on one screen.
    page.get_by_role("link", name="Log a conversation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a conversation")
    page.axe()
    page.get_by_label("Ward (optional)").select_option(label="Matson and Robinswood")
    page.get_by_label("Where (optional)").fill("Outside the community centre")
    page.get_by_label("I met someone new and want to record them").check()
    page.get_by_label("First name", exact=True).fill("Aisha")
    page.get_by_label("Gifts of the hands: what they can do or make").fill(
        "Sewing, baking"
    )
    page.get_by_label("Passions and interests").fill("allotments")
    page.get_by_label("I agree to be introduced to other residents and groups").check()
    page.get_by_label("What matters to them").fill("Growing food together")
    page.get_by_role("button", name="Save conversation").click()

    # Her page: the conversation is on the timeline, Gwen is suggested.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Aisha")
    expect(page.get_by_text("Your conversation has been saved")).to_be_visible()
    expect(page.locator(".moj-timeline")).to_contain_text("Growing food together")
    suggestions = page.locator(".abcd-suggestions")
    expect(suggestions).to_contain_text("Gwen")
    expect(suggestions).to_contain_text("shares Allotments, Baking")
    page.axe()

    # Make an introduction from the suggestion.
    suggestions.get_by_role("link", name="Introduce Aisha to Gwen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Make an introduction")
    expect(page.get_by_label("Introduce them to a resident")).to_have_value(
        str(Resident.objects.get(first_name="Gwen").pk)
    )
    page.axe()
    page.get_by_role("button", name="Save introduction").click()
    expect(page.get_by_text("Your introduction has been saved")).to_be_visible()
    expect(page.locator(".moj-timeline")).to_contain_text("Aisha and Gwen")
    page.axe()

    # They started a group: record it, grown from that introduction.
    page.goto(live_server.url + "/communities/groups/new/")
    page.axe()
    page.get_by_label("Name of the group").fill("Matson growers")
    page.get_by_label("The interest it formed around").fill("Allotments")
    page.get_by_label("Aisha", exact=True).check()
    page.get_by_label("Gwen Roberts", exact=True).check()
    page.get_by_label("Aisha and Gwen Roberts, through Allotments").check()
    page.get_by_role("button", name="Save group").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Matson growers")
    page.axe()

    group = Group.objects.get(name="Matson growers")
    intro = Introduction.objects.get()
    assert set(group.members.values_list("first_name", flat=True)) == {"Aisha", "Gwen"}
    assert list(group.grew_from.all()) == [intro]
    assert intro.interest.key == "allotments"
    aisha = Resident.objects.get(first_name="Aisha")
    assert set(aisha.tags.values_list("tag__key", flat=True)) == {
        "sewing",
        "baking",
        "allotments",
    }
    # Every page fitted the phone's width.
    fits_a_phone(page)


def test_an_officer_filters_residents_and_opens_a_timeline(
    page, live_server, site, make_user
):
    make_user(Role.OFFICER, username="olivia")
    other_ward = WardFactory(name="Tuffley")
    other = SiteFactory(name="Tuffley", areas=[other_ward])
    ResidentFactory(site=other, area=other_ward, first_name="Tom", passions=["Chess"])

    sign_in(page, live_server, "olivia")
    page.axe()
    page.get_by_role("link", name="Residents").first.click()
    expect(page.get_by_role("status")).to_have_text("2 residents")
    page.axe()

    page.get_by_label("Site").select_option(label="Matson")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("status")).to_have_text("1 resident")
    expect(page.locator("table")).to_contain_text("Gwen Roberts")
    expect(page.locator("table")).not_to_contain_text("Tom")
    page.axe()

    page.get_by_role("link", name="Gwen Roberts").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Gwen Roberts")
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    page.axe()


def test_a_builder_finds_an_older_resident_to_add_to_a_group(page, live_server, site):
    """The group form offers those met recently; Find residents brings
    anyone else of the site onto the page, keeping what was typed and
    ticked, with nothing waiting in the outbox until Save."""
    from django.utils import timezone

    from communities.models import Conversation

    builder = site.builders.get()
    ResidentFactory(site=site, first_name="Winifred", last_name="Hale")
    for i in range(30):
        met = ResidentFactory(site=site, first_name=f"Neighbour{i}", last_name="")
        conversation = Conversation.objects.create(
            site=site, builder=builder, held_on=timezone.localdate()
        )
        conversation.residents.add(met)

    sign_in(page, live_server, "ben")
    page.axe()
    page.goto(live_server.url + "/communities/groups/new/")
    page.axe()
    expect(page.get_by_label("Winifred Hale", exact=True)).to_have_count(0)
    page.get_by_label("Name of the group").fill("Knit and natter")
    page.get_by_label("Neighbour29", exact=True).check()
    page.get_by_label("Find other members by name (optional)").fill("winif")
    page.get_by_role("button", name="Find residents").click()

    expect(page.get_by_label("Winifred Hale", exact=True)).to_be_visible()
    expect(page.get_by_label("Name of the group")).to_have_value("Knit and natter")
    expect(page.get_by_label("Neighbour29", exact=True)).to_be_checked()
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    assert outbox(page, "items().then((i) => i.length)") == 0
    page.axe()

    page.get_by_label("Winifred Hale", exact=True).check()
    page.get_by_label("The interest it formed around").fill("Knitting")
    page.get_by_role("button", name="Save group").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Knit and natter")
    page.axe()
    group = Group.objects.get(name="Knit and natter")
    assert set(group.members.values_list("first_name", flat=True)) == {
        "Neighbour29",
        "Winifred",
    }

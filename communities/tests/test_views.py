import pytest
from django.utils import timezone

from communities.models import (
    Consent,
    Conversation,
    Group,
    Introduction,
    Resident,
    Tag,
)
from core.roles import Role

from .factories import (
    GroupFactory,
    ResidentFactory,
    SiteFactory,
    TagFactory,
    UserFactory,
    WardFactory,
    site_records,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
PAGED_LISTS = [
    "/communities/residents/",
    "/communities/conversations/",
    "/communities/introductions/",
    "/communities/groups/",
]


def queries_at_10_and_1000(client, url, site, builder):
    """How many queries one page makes when its site has 10 records of each
    kind, and again at 1,000 (the session warmed first), and the last
    response. The thousand share the ten's one interest: what grows is the
    rows, not the vocabulary."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    site_records(site, 10, builder)
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    tag_count = Tag.objects.count()
    site_records(site, 990, builder)
    assert Tag.objects.count() == tag_count
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.status_code == 200
    return len(small), len(large), response


@pytest.fixture
def ward():
    return WardFactory(name="Matson")


@pytest.fixture
def site_a(builder, ward):
    return SiteFactory(name="Site A", builders=[builder], areas=[ward])


@pytest.fixture
def site_b(ward):
    other = UserFactory(role=Role.BUILDER, username="builder-b")
    return SiteFactory(name="Site B", builders=[other], areas=[ward])


@pytest.fixture
def records(site_a, site_b, officer):
    """A resident, introduction, conversation and group in each site."""
    made = {}
    for key, site in (("a", site_a), ("b", site_b)):
        r1 = ResidentFactory(site=site, consents=["introduce"], first_name=f"Res{key}1")
        r2 = ResidentFactory(site=site, consents=["introduce"], first_name=f"Res{key}2")
        tag = TagFactory(name=f"chess {key}")
        intro = Introduction.objects.create(
            resident=r1,
            to_resident=r2,
            interest=tag,
            site=site,
            builder=officer,
            introduced_on=TODAY,
        )
        conversation = Conversation.objects.create(
            builder=officer, site=site, held_on=TODAY
        )
        group = GroupFactory(site=site)
        made[key] = {
            "resident": r1,
            "introduction": intro,
            "conversation": conversation,
            "group": group,
            "site": site,
        }
    return made


def detail_urls(rec):
    return [
        f"/communities/residents/{rec['resident'].pk}/",
        f"/communities/residents/{rec['resident'].pk}/edit/",
        f"/communities/introductions/{rec['introduction'].pk}/",
        f"/communities/groups/{rec['group'].pk}/",
        f"/communities/sites/{rec['site'].pk}/network/",
        f"/communities/introductions/new/?resident={rec['resident'].pk}",
        f"/communities/conversations/new/?resident={rec['resident'].pk}",
    ]


LIST_URLS = [
    "/communities/my-work/",
    "/communities/residents/",
    "/communities/residents/new/",
    "/communities/conversations/",
    "/communities/conversations/new/",
    "/communities/introductions/",
    "/communities/groups/",
    "/communities/groups/new/",
    "/communities/sites/",
]


def test_a_builder_sees_their_own_sites_records(client, builder, records):
    client.force_login(builder)
    for url in detail_urls(records["a"]) + LIST_URLS:
        assert client.get(url).status_code == 200, url


def test_a_builder_guessing_another_sites_ids_gets_404(client, builder, records):
    client.force_login(builder)
    for url in detail_urls(records["b"]):
        assert client.get(url).status_code == 404, url
    consent_url = f"/communities/residents/{records['b']['resident'].pk}/consent/"
    response = client.post(consent_url, {"purpose": "introduce", "action": "withdraw"})
    assert response.status_code == 404
    assert Resident.objects.consented().filter(pk=records["b"]["resident"].pk).exists()
    response = client.post(
        f"/communities/introductions/{records['b']['introduction'].pk}/",
        {"status": "did_not_happen"},
    )
    assert response.status_code == 404
    assert records["b"]["introduction"].status == "introduced"


def test_lists_and_search_show_a_builder_only_their_sites(client, builder, records):
    client.force_login(builder)
    body = client.get("/communities/residents/").content.decode()
    assert "Resa1" in body
    assert "Resb1" not in body
    found = client.get("/communities/residents/?q=Resb1").context["object_list"]
    assert list(found) == []
    body = client.get("/communities/introductions/").content.decode()
    assert "Resb1" not in body


def test_an_officer_sees_every_site(client, officer, records):
    client.force_login(officer)
    for rec in records.values():
        for url in detail_urls(rec):
            assert client.get(url).status_code == 200, url
    body = client.get("/communities/residents/").content.decode()
    assert "Resa1" in body
    assert "Resb1" in body


@pytest.mark.parametrize("role", [Role.PANEL, Role.CABINET])
def test_panel_and_cabinet_members_see_no_personal_data(
    client, make_user, role, records
):
    client.force_login(make_user(role))
    for url in LIST_URLS + detail_urls(records["a"]):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Resa1" not in response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client, records):
    for url in LIST_URLS + detail_urls(records["a"]):
        assert client.get(url).status_code == 302, url


def test_logging_a_conversation_with_a_new_resident_is_one_post(
    client, builder, site_a, ward
):
    client.force_login(builder)
    response = client.post(
        "/communities/conversations/new/",
        {
            "site": site_a.pk,
            "held_on": TODAY.isoformat(),
            "area": ward.pk,
            "place": "Outside the library",
            "add_new_resident": "on",
            "first_name": "Aisha",
            "gifts_hands": "Sewing, baking",
            "passions": "Allotments",
            "consents": ["introduce", "contact"],
            "what_matters": "A safe place for children to play",
        },
    )
    aisha = Resident.objects.get(first_name="Aisha")
    assert response.status_code == 302
    assert response["Location"] == aisha.get_absolute_url()
    assert aisha.conversations.count() == 1
    assert set(aisha.tags.values_list("tag__key", flat=True)) == {
        "sewing",
        "baking",
        "allotments",
    }
    assert set(
        aisha.consents.filter(withdrawn_at__isnull=True).values_list(
            "purpose", flat=True
        )
    ) == {"introduce", "contact"}


def test_a_conversation_form_with_errors_says_so_and_stores_nothing(
    client, builder, site_a
):
    client.force_login(builder)
    response = client.post(
        "/communities/conversations/new/",
        {"site": site_a.pk, "held_on": "not a date", "add_new_resident": "on"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Enter the new resident" in body
    assert "<title>Error:" in body
    assert Conversation.objects.count() == 0
    assert Resident.objects.count() == 0


def test_an_introduction_refused_by_the_service_shows_the_reason(
    client, builder, site_a
):
    client.force_login(builder)
    me = ResidentFactory(site=site_a, consents=["introduce"])
    unwilling = ResidentFactory(site=site_a, first_name="Una")
    Consent.objects.all()  # nothing else
    response = client.post(
        f"/communities/introductions/new/?resident={me.pk}",
        {
            "resident": me.pk,
            "to_resident": unwilling.pk,
            "interest": "chess",
            "made_by": "builder",
            "introduced_on": TODAY.isoformat(),
        },
    )
    # Una is not offered (she has not agreed), so the choice itself is refused.
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert Introduction.objects.count() == 0
    assert not Tag.objects.filter(key="chess").exists()


def test_making_an_introduction_from_a_suggestion(client, builder, site_a):
    client.force_login(builder)
    me = ResidentFactory(site=site_a, consents=["introduce"], passions=["Choir"])
    other = ResidentFactory(site=site_a, consents=["introduce"], passions=["choir"])
    page = client.get(f"/communities/introductions/new/?resident={me.pk}")
    assert f"to={other.pk}" in page.content.decode()
    response = client.post(
        f"/communities/introductions/new/?resident={me.pk}&to={other.pk}",
        {
            "resident": me.pk,
            "to_resident": other.pk,
            "interest": "Choir",
            "made_by": "builder",
            "introduced_on": TODAY.isoformat(),
        },
    )
    assert response.status_code == 302
    intro = Introduction.objects.get()
    assert (intro.resident, intro.to_resident, intro.interest.key) == (
        me,
        other,
        "choir",
    )


def test_withdrawing_consent_from_the_resident_page(client, builder, site_a):
    client.force_login(builder)
    resident = ResidentFactory(site=site_a, consents=["introduce"])
    response = client.post(
        f"/communities/residents/{resident.pk}/consent/",
        {"purpose": "introduce", "action": "withdraw"},
    )
    assert response.status_code == 302
    assert not Resident.objects.consented().filter(pk=resident.pk).exists()


def test_the_resident_list_filters_by_site_ward_interest_and_date(
    client, officer, site_a, site_b, ward
):
    client.force_login(officer)
    other_ward = WardFactory(name="Tuffley")
    site_b.areas.add(other_ward)
    ResidentFactory(site=site_a, area=ward, first_name="Alma", passions=["chess"])
    ResidentFactory(site=site_b, area=other_ward, first_name="Bert", passions=["darts"])

    def names(query):
        response = client.get("/communities/residents/" + query)
        return {r.first_name for r in response.context["object_list"]}

    assert names("") == {"Alma", "Bert"}
    assert names(f"?site={site_b.pk}") == {"Bert"}
    assert names(f"?ward={ward.pk}") == {"Alma"}
    assert names("?interest=chess") == {"Alma"}
    assert names("?q=bert") == {"Bert"}
    assert names(f"?since={TODAY.isoformat()}") == {"Alma", "Bert"}
    assert names("?until=2000-01-01") == set()
    assert names("?sort=-name") == {"Alma", "Bert"}
    response = client.get("/communities/residents/?sort=-name")
    assert [r.first_name for r in response.context["object_list"]] == ["Bert", "Alma"]


@pytest.mark.parametrize("url", PAGED_LISTS)
def test_list_pages_make_the_same_number_of_queries_at_10_and_1000_rows(
    client, builder, site_a, url
):
    client.force_login(builder)
    small, large, _response = queries_at_10_and_1000(client, url, site_a, builder)
    assert large == small


def test_a_refused_introduction_leaves_no_new_tag_behind(client, builder, site_a):
    client.force_login(builder)
    me = ResidentFactory(site=site_a, consents=["introduce"])
    group = GroupFactory(site=site_a)
    data = {
        "resident": me.pk,
        "to_group": group.pk,
        "interest": "Brand new interest",
        "made_by": "builder",
        "introduced_on": TODAY.isoformat(),
    }
    url = f"/communities/introductions/new/?resident={me.pk}"
    assert client.post(url, data).status_code == 302
    response = client.post(url, {**data, "interest": "brand NEW interest "})
    assert "already have an open introduction" in response.content.decode()
    response = client.post(url, {**data, "introduced_on": "2999-01-01"})
    assert "cannot be in the future" in response.content.decode()
    assert Introduction.objects.count() == 1
    assert Tag.objects.filter(key__startswith="brand").count() == 1


def test_changing_a_residents_details(client, builder, site_a, ward):
    client.force_login(builder)
    resident = ResidentFactory(site=site_a, first_name="Sam", passions=["chess"])
    page = client.get(f"/communities/residents/{resident.pk}/edit/")
    assert 'value="chess"' in page.content.decode()
    response = client.post(
        f"/communities/residents/{resident.pk}/edit/",
        {
            "first_name": "Samira",
            "area": ward.pk,
            "passions": "chess, choir",
            "gifts_hands": "Baking",
        },
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.first_name == "Samira"
    assert resident.area == ward
    assert resident.site == site_a
    assert set(resident.tags.values_list("tag__key", "kind")) == {
        ("chess", "passion"),
        ("choir", "passion"),
        ("baking", "hands"),
    }


def test_the_edit_page_leaves_consent_to_the_residents_page(
    client, builder, site_a, site_b, officer, caplog
):
    """Consent is given and withdrawn on the resident's page, with its own
    record; the edit page neither shows it nor stumbles over its absence."""
    resident = ResidentFactory(site=site_a, first_name="Sam", consents=["contact"])
    url = f"/communities/residents/{resident.pk}/edit/"
    for user in (builder, officer):
        client.force_login(user)
        with caplog.at_level("WARNING"):
            page = client.get(url)
        html = page.content.decode()
        assert page.status_code == 200
        assert 'name="consents"' not in html
        assert 'name="first_name"' in html
        assert not [r for r in caplog.records if "Could not resolve" in r.message]
    # The officer sees both sites, and the site cannot be changed here.
    assert 'name="site"' in html and "disabled" in html.split('name="site"')[1][:200]
    response = client.post(
        url, {"first_name": "Samira", "site": site_b.pk, "consents": ["introduce"]}
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert (resident.first_name, resident.site) == ("Samira", site_a)
    assert list(
        resident.consents.filter(withdrawn_at__isnull=True).values_list(
            "purpose", flat=True
        )
    ) == ["contact"]


def test_changing_a_resident_cannot_move_them_to_another_site(
    client, builder, site_a, site_b
):
    client.force_login(builder)
    resident = ResidentFactory(site=site_a)
    client.post(
        f"/communities/residents/{resident.pk}/edit/",
        {"first_name": "X", "site": site_b.pk},
    )
    resident.refresh_from_db()
    assert resident.site == site_a


@pytest.mark.parametrize("url", PAGED_LISTS)
def test_officers_lists_of_every_site_make_the_same_queries_at_two_sizes(
    client, officer, builder, site_a, url
):
    """Officers see every site's rows: the counts per row (people in a
    conversation, a group's members) are worked out for the page only."""
    client.force_login(officer)
    small, large, response = queries_at_10_and_1000(client, url, site_a, builder)
    assert large == small
    assert len(response.context["object_list"]) == 50


def test_group_and_conversation_lists_count_each_rows_people(client, builder, site_a):
    client.force_login(builder)
    people = ResidentFactory.create_batch(3, site=site_a)
    group = GroupFactory(site=site_a, name="Knit and natter")
    group.members.set(people[:2])
    conversation = Conversation.objects.create(
        site=site_a, builder=builder, held_on=TODAY
    )
    conversation.residents.set(people)
    Conversation.objects.create(site=site_a, builder=builder, held_on=TODAY)

    groups = client.get("/communities/groups/").context["object_list"]
    assert [(g.name, g.member_count, g.celebration_count) for g in groups] == [
        ("Knit and natter", 2, 0)
    ]
    rows = client.get("/communities/conversations/").context["object_list"]
    assert sorted(c.people for c in rows) == [0, 3]


def test_a_residents_page_makes_the_same_queries_however_much_is_recorded(
    client, builder, site_a, ward
):
    """The timeline, the consents and the suggestions: a resident with years
    of records, among a thousand neighbours who share an interest, costs the
    same queries as a new one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(builder)
    me = ResidentFactory(site=site_a, area=ward, consents=["introduce"])
    from communities.models import ResidentTag

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/communities/residents/{me.pk}/")
        assert response.status_code == 200
        return len(captured), response

    site_records(site_a, 10, builder)
    chess = Tag.objects.get(key="chess")
    ResidentTag.objects.create(resident=me, tag=chess, kind="passion")
    queries()
    small, response = queries()
    assert len(response.context["suggestions"]) == 10
    site_records(site_a, 990, builder)
    for conversation in Conversation.objects.all()[:40]:
        conversation.residents.add(me)
    large, response = queries()
    assert large == small
    suggestions = response.context["suggestions"]
    assert len(suggestions) == 10
    assert all(s.overlap == 1 and s.shared == ["chess"] for s in suggestions)
    # The best ten are the same site's, by first name then id.
    names = [s.first_name for s in suggestions]
    assert names == sorted(names)


BUILDER_FORMS = [
    "/communities/groups/new/",
    "/communities/introductions/new/",
    "/communities/conversations/new/",
]


@pytest.mark.parametrize("url", BUILDER_FORMS)
def test_builder_forms_offer_the_latest_few_residents_at_10_and_1000(
    client, builder, site_a, url
):
    """A site with a thousand residents and introductions gives the same
    short page, in the same number of queries, as a site with ten."""
    client.force_login(builder)
    small, large, response = queries_at_10_and_1000(client, url, site_a, builder)
    assert large == small
    form = response.context["form"]
    for name in ("members", "grew_from", "resident", "to_resident", "residents"):
        if name in form.fields:
            assert len(list(form.fields[name].choices)) <= 26  # 25, and a blank


def a_group(site, members, **fields) -> dict:
    """What a builder sends to record a group (Save)."""
    return {
        "name": "Knit and natter",
        "interest": "knitting",
        "site": site.pk,
        "founded_on": TODAY.isoformat(),
        "members": members,
        **fields,
    }


def offered_members(response) -> set[int]:
    """The residents the group form offered as members."""
    return {r.pk for r in response.context["form"].fields["members"].queryset}


def test_a_group_takes_a_member_the_page_no_longer_offers(client, builder, site_a):
    """Older residents are not on offer, but a member chosen from their own
    page (or named by the phone's outbox) is accepted."""
    client.force_login(builder)
    old_friend = ResidentFactory(site=site_a, first_name="Winifred")
    site_records(site_a, 60, builder)
    page = client.get("/communities/groups/new/")
    assert old_friend.pk not in offered_members(page)

    page = client.get(f"/communities/groups/new/?resident={old_friend.pk}")
    assert page.context["form"]["members"].value() == [old_friend.pk]
    assert "Winifred" in page.content.decode()
    response = client.post("/communities/groups/new/", a_group(site_a, [old_friend.pk]))
    assert response.status_code == 302
    assert list(Group.objects.get(name="Knit and natter").members.all()) == [old_friend]


def test_a_group_drawn_again_keeps_the_members_chosen(client, builder, site_a):
    client.force_login(builder)
    old_friend = ResidentFactory(site=site_a, first_name="Winifred")
    site_records(site_a, 60, builder)
    response = client.post(
        "/communities/groups/new/",
        {"name": "", "site": site_a.pk, "members": [old_friend.pk]},
    )
    assert response.status_code == 200  # the name is missing
    assert old_friend.pk in offered_members(response)
    assert Group.objects.filter(members=old_friend).count() == 0


def test_a_group_refuses_a_member_of_another_site(client, builder, site_a, site_b):
    client.force_login(builder)
    stranger = ResidentFactory(site=site_b)
    response = client.post("/communities/groups/new/", a_group(site_a, [stranger.pk]))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Group.objects.filter(name="Knit and natter").exists()


@pytest.mark.parametrize(
    "url",
    [
        "/communities/groups/new/?resident=²",
        "/communities/conversations/new/?resident=²",
        "/communities/introductions/new/?to=²",
    ],
)
def test_a_digit_that_is_not_a_number_is_ignored_not_a_server_error(
    client, builder, site_a, url
):
    client.force_login(builder)
    assert client.get(url).status_code in (200, 404)


def test_a_group_sent_back_with_a_strange_member_says_so(client, builder, site_a):
    client.force_login(builder)
    response = client.post("/communities/groups/new/", {"name": "", "members": "²"})
    assert response.status_code == 200
    assert "is not a valid value" in response.content.decode()


def test_finding_members_by_name_keeps_what_was_typed_and_saves_nothing(
    client, builder, site_a
):
    """Find residents posts the page back with those found on offer, the
    ticks and typing kept, no error for what is not filled in yet, and
    nothing saved; Save then records the group with them."""
    client.force_login(builder)
    winifred = ResidentFactory(site=site_a, first_name="Winifred")
    ResidentFactory(site=SiteFactory(), first_name="Winifred")  # another site's
    site_records(site_a, 60, builder)
    ticked = Resident.objects.filter(site=site_a, first_name="R59").get()
    sent = {
        "name": "Knit and natter",
        "interest": "knitting",
        "site": site_a.pk,
        "members": [ticked.pk],
        "find": "winif",
        "find_residents": "",
    }
    response = client.post("/communities/groups/new/", sent)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" not in page
    assert 'value="Knit and natter"' in page
    offered = offered_members(response)
    assert {winifred.pk, ticked.pk} <= offered
    assert Resident.objects.filter(first_name="Winifred").count() == 2
    assert len([r for r in offered if r != ticked.pk]) <= 26 + 1
    assert not Group.objects.filter(name="Knit and natter").exists()

    del sent["find_residents"]
    sent.update(founded_on=TODAY.isoformat(), members=[ticked.pk, winifred.pk])
    assert client.post("/communities/groups/new/", sent).status_code == 302
    group = Group.objects.get(name="Knit and natter")
    assert set(group.members.all()) == {ticked, winifred}


def test_finding_members_never_offers_another_sites_residents(client, builder, site_a):
    client.force_login(builder)
    ResidentFactory(site=SiteFactory(), first_name="Zebedee")
    response = client.post(
        "/communities/groups/new/", {"find": "Zebedee", "find_residents": ""}
    )
    assert response.status_code == 200
    offered = response.context["form"].fields["members"].queryset
    assert not offered.filter(first_name="Zebedee").exists()
    assert 'value="Zebedee"' in response.content.decode()  # what was typed


def an_introduction(resident, **fields) -> dict:
    """What a builder sends to introduce a resident (Save)."""
    return {
        "resident": resident.pk,
        "interest": "chess",
        "made_by": "builder",
        "introduced_on": TODAY.isoformat(),
        **fields,
    }


def offered(response, name) -> set[int]:
    return {r.pk for r in response.context["form"].fields[name].queryset}


def test_finding_residents_to_introduce_keeps_what_was_chosen_and_saves_nothing(
    client, builder, site_a
):
    """Two residents neither of whom was met recently: Find offers them,
    keeps what was chosen and typed, saves nothing; Save introduces them."""
    client.force_login(builder)
    winifred = ResidentFactory(
        site=site_a, first_name="Winifred", consents=["introduce"]
    )
    walter = ResidentFactory(site=site_a, first_name="Walter", consents=["introduce"])
    unwilling = ResidentFactory(site=site_a, first_name="Wilma")  # has not agreed
    ResidentFactory(site=SiteFactory(), first_name="Wendy", consents=["introduce"])
    site_records(site_a, 60, builder)
    page = client.get("/communities/introductions/new/")
    assert winifred.pk not in offered(page, "resident")

    sent = an_introduction(winifred, find="w", find_residents="", notes="met at choir")
    response = client.post("/communities/introductions/new/", sent)
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" not in html
    assert "met at choir" in html
    assert response.context["form"]["resident"].value() == str(winifred.pk)
    for name in ("resident", "to_resident"):
        found = offered(response, name)
        assert {winifred.pk, walter.pk} <= found
        assert unwilling.pk not in found
        assert not Resident.objects.filter(pk__in=found, first_name="Wendy").exists()
    assert Introduction.objects.filter(resident=winifred).count() == 0

    del sent["find_residents"]
    sent["to_resident"] = walter.pk
    assert client.post("/communities/introductions/new/", sent).status_code == 302
    assert Introduction.objects.filter(resident=winifred, to_resident=walter).exists()


def test_an_introduction_offers_the_groups_and_connectors_of_the_residents_site(
    client, officer, site_a, site_b
):
    """An officer sees every site: from a resident's page they are offered
    that site's groups and Community Connectors, not the whole city's, and
    any group they may see is still accepted."""
    client.force_login(officer)
    resident = ResidentFactory(site=site_a, consents=["introduce"])
    here = GroupFactory(site=site_a, name="Here")
    there = GroupFactory(site=site_b, name="There")
    connector_here = ResidentFactory(
        site=site_a, is_connector=True, consents=["introduce"]
    )
    connector_there = ResidentFactory(
        site=site_b, is_connector=True, consents=["introduce"]
    )
    page = client.get(f"/communities/introductions/new/?resident={resident.pk}")
    assert here.pk in offered(page, "to_group")
    assert there.pk not in offered(page, "to_group")
    assert connector_here.pk in offered(page, "connector")
    assert connector_there.pk not in offered(page, "connector")

    # Chosen and sent back with an error: still on offer.
    response = client.post(
        f"/communities/introductions/new/?resident={resident.pk}",
        an_introduction(resident, to_group=there.pk, interest=""),
    )
    assert response.status_code == 200
    assert there.pk in offered(response, "to_group")

    response = client.post(
        f"/communities/introductions/new/?resident={resident.pk}",
        an_introduction(resident, to_group=there.pk),
    )
    assert response.status_code == 302
    assert Introduction.objects.get().to_group == there

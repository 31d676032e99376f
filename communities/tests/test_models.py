import datetime
import uuid

import pytest
from django.db import IntegrityError
from django.utils import timezone

from communities import services
from communities.backends import SignInBackend
from communities.models import (
    Area,
    Conversation,
    Group,
    Introduction,
    Resident,
    ResidentTag,
    Site,
    SyncItem,
    Tag,
)

from .factories import (
    GroupFactory,
    ResidentFactory,
    SiteFactory,
    TagFactory,
    WardFactory,
)

pytestmark = pytest.mark.django_db


def test_a_point_is_located_in_the_ward_that_holds_it():
    west = WardFactory(name="West")
    east = WardFactory(
        name="East",
        boundary={
            "type": "Polygon",
            "coordinates": [[[1, 0], [2, 0], [2, 1], [1, 1], [1, 0]]],
        },
    )
    assert Area.objects.locate(lon=0.5, lat=0.5) == west
    assert Area.objects.locate(lon=1.5, lat=0.2) == east
    assert Area.objects.locate(lon=5, lat=5) is None


def test_a_point_in_the_bounding_box_but_outside_the_shape_is_not_in_the_ward():
    WardFactory(
        boundary={
            "type": "Polygon",
            "coordinates": [[[0, 0], [1, 0], [0, 1], [0, 0]]],  # a triangle
        }
    )
    assert Area.objects.locate(lon=0.9, lat=0.9) is None
    assert Area.objects.locate(lon=0.1, lat=0.1) is not None


def test_ons_codes_are_unique():
    WardFactory(ons_code="E05010950")
    with pytest.raises(
        IntegrityError, match='unique constraint "area_unique_ons_code"'
    ):
        WardFactory(ons_code="E05010950")


def test_a_neighbourhood_must_sit_inside_a_ward():
    with pytest.raises(
        IntegrityError,
        match='check constraint "area_ward_has_no_parent_neighbourhood_has_one"',
    ):
        Area.objects.create(kind=Area.Kind.NEIGHBOURHOOD, name="Orphan")


def test_imd_decile_is_between_1_and_10():
    with pytest.raises(
        IntegrityError, match='check constraint "area_imd_decile_1_to_10"'
    ):
        WardFactory(imd_decile=11)


@pytest.mark.parametrize("read_by_the_backend", [False, True])
def test_a_site_is_visible_to_whom_the_site_list_shows_it(
    read_by_the_backend, officer, builder, panel_member
):
    """Site.is_visible_to (the services' check) agrees with
    Site.objects.visible_to (what the screens list), for a user read for a
    request (with their sites) and for one read any other way."""
    theirs = SiteFactory(builders=[builder])
    other = SiteFactory()
    for user in (officer, builder, panel_member):
        if read_by_the_backend:
            user = SignInBackend().get_user(user.pk)
        listed = set(Site.objects.visible_to(user))
        for site in (theirs, other):
            assert site.is_visible_to(user) == (site in listed), (user, site)
    assert theirs.is_visible_to(builder) and not other.is_visible_to(builder)
    assert other.is_visible_to(officer) and not theirs.is_visible_to(panel_member)


# Reads: the QuerySet methods the screens chain ---------------------------


TODAY = timezone.localdate()
LAST_MONTH = TODAY.replace(day=1) - datetime.timedelta(days=1)


def introduce(a, b, interest, builder, **fields):
    return Introduction.objects.create(
        resident=a,
        to_resident=b,
        interest=interest,
        site=a.site,
        builder=builder,
        introduced_on=fields.pop("introduced_on", TODAY),
        **fields,
    )


def test_residents_are_filtered_by_site_ward_interest_dates_and_words(builder):
    ward, other_ward = WardFactory(name="Matson"), WardFactory(name="Tuffley")
    site, other_site = SiteFactory(areas=[ward]), SiteFactory(areas=[other_ward])
    alma = ResidentFactory(
        site=site, area=ward, first_name="Alma", passions=["chess", "choir"]
    )
    ResidentTag.objects.create(
        resident=alma, tag=Tag.objects.get(key="chess"), kind="hands"
    )
    bert = ResidentFactory(
        site=other_site, area=other_ward, first_name="Bert", passions=["darts"]
    )
    chess = Tag.objects.get(key="chess")

    def found(**filters):
        return list(Resident.objects.filtered(**filters))

    assert set(found()) == {alma, bert}
    assert found(site=other_site) == [bert]
    assert found(ward=ward) == [alma]
    # A passion and a gift of the same tag: still one row.
    assert found(interest=chess) == [alma]
    assert found(q="bert") == [bert]
    assert set(found(since=TODAY, until=TODAY)) == {alma, bert}
    assert found(until=LAST_MONTH) == []
    assert found(site=site, q="bert") == []


def test_conversations_are_filtered_by_the_gifts_discovered_not_by_words(builder):
    site = SiteFactory(builders=[builder])
    baking, darts = TagFactory(name="baking"), TagFactory(name="darts")
    today = Conversation.objects.create(site=site, builder=builder, held_on=TODAY)
    today.gifts_discovered.add(baking, darts)
    earlier = Conversation.objects.create(
        site=site, builder=builder, held_on=LAST_MONTH
    )
    assert list(Conversation.objects.filtered(interest=baking)) == [today]
    assert list(Conversation.objects.filtered(since=TODAY)) == [today]
    assert list(Conversation.objects.filtered(until=LAST_MONTH)) == [earlier]
    # The search box does not narrow conversations.
    assert set(Conversation.objects.filtered(q="anything")) == {today, earlier}


def test_introductions_are_filtered_by_the_residents_ward_and_found_by_either_name(
    builder,
):
    ward = WardFactory()
    site = SiteFactory(builders=[builder], areas=[ward])
    chess = TagFactory(name="chess")
    alma = ResidentFactory(site=site, area=ward, first_name="Alma")
    bert = ResidentFactory(site=site, first_name="Bert")
    cleo = ResidentFactory(site=site, first_name="Cleo")
    from_alma = introduce(alma, bert, chess, builder)
    to_cleo = introduce(bert, cleo, chess, builder)
    assert list(Introduction.objects.filtered(ward=ward)) == [from_alma]
    assert set(Introduction.objects.filtered(q="bert")) == {from_alma, to_cleo}
    assert list(Introduction.objects.filtered(q="cleo")) == [to_cleo]
    assert set(Introduction.objects.filtered(interest=chess)) == {from_alma, to_cleo}


def test_groups_are_found_by_name_and_dated_by_their_founding(builder):
    knit = GroupFactory(name="Knit and natter", founded_on=TODAY)
    GroupFactory(name="Chess club", founded_on=LAST_MONTH)
    assert list(Group.objects.filtered(q="NATTER")) == [knit]
    assert list(Group.objects.this_month()) == [knit]
    assert list(Group.objects.filtered(interest=knit.interest)) == [knit]


def test_this_month_counts_from_the_first_of_the_month(builder):
    site = SiteFactory(builders=[builder])
    Conversation.objects.create(site=site, builder=builder, held_on=TODAY)
    Conversation.objects.create(site=site, builder=builder, held_on=LAST_MONTH)
    a, b = ResidentFactory.create_batch(2, site=site)
    introduce(a, b, TagFactory(), builder, introduced_on=LAST_MONTH)
    assert Conversation.objects.this_month().count() == 1
    assert Introduction.objects.this_month().count() == 0


def test_a_residents_timeline_is_newest_first_and_shows_only_what_the_user_may_see(
    builder, officer
):
    site = SiteFactory(builders=[builder])
    other_site = SiteFactory()
    me = ResidentFactory(site=site)
    neighbour = ResidentFactory(site=site)
    chess = TagFactory(name="chess")
    talk = Conversation.objects.create(site=site, builder=builder, held_on=LAST_MONTH)
    talk.residents.add(me)
    ours = introduce(me, neighbour, chess, builder)
    # An introduction to them that another site recorded (an officer may
    # introduce across sites): this site's builder does not see it.
    theirs = Introduction.objects.create(
        resident=ResidentFactory(site=other_site),
        to_resident=me,
        interest=chess,
        site=other_site,
        builder=officer,
        introduced_on=TODAY,
    )
    group = GroupFactory(site=site, founded_on=LAST_MONTH - datetime.timedelta(1))
    group.members.add(me)

    assert me.timeline(builder) == [
        ("introduction", TODAY, ours),
        ("conversation", LAST_MONTH, talk),
        ("group", group.founded_on, group),
    ]
    assert [record for *_, record in me.timeline(officer)][:2] in (
        [ours, theirs],
        [theirs, ours],
    )


def test_only_current_consents_count(builder):
    me = ResidentFactory(consents=["introduce", "contact"])
    services.consent_withdraw(resident=me, purpose="contact", recorded_by=builder)
    assert set(me.current_consents()) == {"introduce"}
    assert me.has_agreed_to("introduce")
    assert not me.has_agreed_to("contact")
    assert not me.has_agreed_to("story")


def test_a_residents_gifts_come_by_kind_then_name():
    me = ResidentFactory(passions=["Zumba", "allotments"])
    ResidentTag.objects.create(
        resident=me, tag=TagFactory(name="Knitting"), kind="hands"
    )
    ResidentTag.objects.create(resident=me, tag=TagFactory(name="Baking"), kind="hands")
    shown = [(t.kind, t.tag.name) for t in me.tags.with_tag().by_kind()]
    assert shown == [
        ("hands", "Baking"),
        ("hands", "Knitting"),
        ("passion", "allotments"),
        ("passion", "Zumba"),
    ]
    listed = Resident.objects.with_tags().get(pk=me.pk)
    assert [t.tag.key for t in listed.tags.all()] == [
        "allotments",
        "baking",
        "knitting",
        "zumba",
    ]


def test_a_site_covers_its_own_wards_only_and_counts_its_people():
    ward, elsewhere = WardFactory(), WardFactory()
    site = SiteFactory(areas=[ward])
    ResidentFactory.create_batch(3, site=site)
    assert site.covers(ward) and not site.covers(elsewhere)
    listed = Site.objects.for_list().get(pk=site.pk)
    assert (listed.resident_count, listed.ward_count) == (3, 1)


def test_the_wards_most_deprived_come_first():
    WardFactory(name="Barnwood", imd_decile=7)
    WardFactory(name="Podsmead", imd_decile=1)
    WardFactory(name="Abbey", imd_decile=7)
    names = [a.name for a in Area.objects.wards().by_deprivation()]
    assert names == ["Podsmead", "Abbey", "Barnwood"]


def test_the_vocabulary_is_offered_in_key_order_up_to_a_limit():
    for name in ("choir", "Allotments", "baking"):
        TagFactory(name=name)
    assert list(Tag.objects.vocabulary()) == ["Allotments", "baking", "choir"]
    assert list(Tag.objects.vocabulary(limit=2)) == ["Allotments", "baking"]


def test_a_sync_item_is_found_only_under_its_own_user_and_kind(builder, officer):
    resident = ResidentFactory()
    device_id = uuid.uuid4()
    item = SyncItem.objects.create(
        device_id=device_id,
        kind=SyncItem.Kind.RESIDENT,
        payload={},
        user=builder,
        object_id=resident.pk,
    )
    found = SyncItem.objects.sent(device_id=device_id, user=builder, kind="resident")
    assert found == item and found.record() == resident
    assert (
        SyncItem.objects.sent(device_id=device_id, user=officer, kind="resident")
        is None
    )
    assert (
        SyncItem.objects.sent(device_id=device_id, user=builder, kind="group") is None
    )

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communities import services
from communities.models import Consent, Conversation, Introduction, Resident, Tag
from core.roles import Role

from .factories import (
    GroupFactory,
    ResidentFactory,
    SiteFactory,
    TagFactory,
    UserFactory,
    WardFactory,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def ward():
    return WardFactory()


@pytest.fixture
def site(builder, ward):
    return SiteFactory(builders=[builder], areas=[ward])


def agreed(site, **kwargs):
    return ResidentFactory(site=site, consents=["introduce"], **kwargs)


# Tags


def test_case_and_spacing_do_not_create_duplicate_tags():
    first = services.tag_get_or_create(name="Cooking ")
    assert services.tag_get_or_create(name="  COOKING") == first
    assert services.tag_get_or_create(name="cooking") == first
    assert Tag.objects.count() == 1
    assert first.name == "Cooking"


def test_inner_spaces_are_collapsed():
    tag = services.tag_get_or_create(name="Community   gardening")
    assert services.tag_get_or_create(name="community gardening") == tag


def test_an_empty_tag_is_refused():
    with pytest.raises(ValidationError, match="Enter a word or phrase"):
        services.tag_get_or_create(name="   ")


def test_tags_are_made_once_each_in_the_order_first_typed_blank_ones_skipped():
    tags = services.tags_get_or_create(names=["knitting", " Knitting ", "  ", "baking"])
    assert [t.key for t in tags] == ["knitting", "baking"]


def test_a_tag_too_long_for_the_vocabulary_is_refused_and_nothing_is_added():
    with pytest.raises(ValidationError, match="60 characters or fewer"):
        services.tags_get_or_create(names=["baking", "x" * 61])
    assert not Tag.objects.filter(key="x" * 61).exists()


# Residents


def test_a_resident_needs_only_a_first_name(site, builder):
    resident = services.resident_create(site=site, created_by=builder, first_name="Sam")
    assert resident.pk and resident.last_name == ""


def test_a_resident_without_a_first_name_is_refused_and_nothing_is_stored(
    site, builder
):
    with pytest.raises(ValidationError, match="'first_name': .*cannot be blank"):
        services.resident_create(
            site=site, created_by=builder, first_name=" ", passions=["cooking"]
        )
    assert Resident.objects.count() == 0


def test_a_resident_is_recorded_with_gifts_passions_and_consent(site, builder, ward):
    resident = services.resident_create(
        site=site,
        created_by=builder,
        first_name="Sam",
        postcode="gl1 4ab",
        area=ward,
        gifts={
            "head": ["Accounts"],
            "hands": ["Baking", "DIY"],
            "heart": ["Listening"],
        },
        passions=["Gardening"],
        consents=["introduce", "contact"],
    )
    kinds = set(resident.tags.values_list("tag__key", "kind"))
    assert kinds == {
        ("accounts", "head"),
        ("baking", "hands"),
        ("diy", "hands"),
        ("listening", "heart"),
        ("gardening", "passion"),
    }
    assert resident.postcode == "GL1 4AB"
    consent = resident.consents.get(purpose="introduce")
    assert consent.recorded_by == builder
    assert consent.wording == services.CONSENT_WORDING["introduce"]


def test_a_builder_cannot_record_a_resident_for_another_site(builder):
    other = SiteFactory()
    with pytest.raises(ValidationError, match="your own sites"):
        services.resident_create(site=other, created_by=builder, first_name="Sam")


def test_a_connector_must_say_what_gift_they_share(site, builder):
    with pytest.raises(
        ValidationError, match="Enter the gift this Community Connector shares"
    ):
        services.resident_create(
            site=site, created_by=builder, first_name="Sam", is_connector=True
        )


def test_updating_tags_replaces_them(site, builder):
    resident = services.resident_create(
        site=site, created_by=builder, first_name="Sam", passions=["Chess", "Choir"]
    )
    services.resident_update(
        resident=resident, updated_by=builder, passions=["choir", "Walking"]
    )
    assert set(resident.tags.values_list("tag__key", flat=True)) == {"choir", "walking"}


# Consent


def test_withdrawing_consent_takes_effect_everywhere_at_once(site, builder):
    resident = agreed(site, passions=["chess"])
    other = agreed(site, passions=["chess"])
    assert Resident.objects.consented().filter(pk=resident.pk).exists()
    assert resident in Resident.objects.visible_to(builder).suggested_for(other)

    services.consent_withdraw(
        resident=resident, purpose="introduce", recorded_by=builder
    )

    assert not Resident.objects.consented().filter(pk=resident.pk).exists()
    assert resident not in Resident.objects.visible_to(builder).suggested_for(other)
    with pytest.raises(ValidationError, match="not agreed"):
        services.introduction_make(
            resident=other,
            to_resident=resident,
            interest=Tag.objects.get(key="chess"),
            builder=builder,
            introduced_on=TODAY,
        )
    withdrawn = resident.consents.get(purpose="introduce")
    assert withdrawn.withdrawn_at and withdrawn.withdrawn_recorded_by == builder


def test_consent_can_be_given_again_after_withdrawal_keeping_history(site, builder):
    resident = agreed(site)
    services.consent_withdraw(
        resident=resident, purpose="introduce", recorded_by=builder
    )
    services.consent_give(resident=resident, purpose="introduce", recorded_by=builder)
    assert resident.consents.filter(purpose="introduce").count() == 2
    assert Resident.objects.consented().filter(pk=resident.pk).exists()


def test_giving_consent_twice_records_it_once(site, builder):
    resident = agreed(site)
    services.consent_give(resident=resident, purpose="introduce", recorded_by=builder)
    assert Consent.objects.filter(resident=resident).count() == 1


# Conversations


def test_an_anonymous_doorstep_chat_still_counts(site, builder):
    conversation = services.conversation_log(
        builder=builder, site=site, held_on=TODAY, what_matters="Speeding cars"
    )
    assert conversation.residents.count() == 0


def test_a_conversation_with_a_new_resident_is_one_step(site, builder, ward):
    conversation = services.conversation_log(
        builder=builder,
        site=site,
        held_on=TODAY,
        area=ward,
        new_resident={
            "first_name": "Aisha",
            "gifts": {"hands": ["sewing"]},
            "passions": ["allotments"],
            "consents": ["introduce"],
        },
        gifts_discovered=["sewing"],
    )
    (aisha,) = conversation.residents.all()
    assert aisha.first_name == "Aisha" and aisha.area == ward and aisha.site == site
    assert list(conversation.gifts_discovered.values_list("key", flat=True)) == [
        "sewing"
    ]


def test_a_conversation_in_the_future_is_refused(site, builder):
    with pytest.raises(ValidationError, match="cannot be in the future"):
        services.conversation_log(
            builder=builder, site=site, held_on=TODAY + datetime.timedelta(days=1)
        )


def test_a_conversation_is_written_without_a_savepoint(site, builder):
    """Everything that can refuse it is checked first, so the phone's
    conversations cost no savepoint (two round trips) inside the request.
    (A new tag has one of its own, for two people typing it at once.)"""
    resident = ResidentFactory(site=site)
    TagFactory(name="Sewing")
    with CaptureQueriesContext(connection) as queries:
        services.conversation_log(
            builder=builder,
            site=site,
            held_on=TODAY,
            residents=[resident],
            gifts_discovered=["sewing"],
        )
    assert not [q["sql"] for q in queries if "SAVEPOINT" in q["sql"]]


@pytest.mark.parametrize(
    ("refused", "message"),
    [
        ({"gifts_discovered": ["x" * 61]}, "60 characters or fewer"),
        ({"held_on": TODAY + datetime.timedelta(days=1)}, "cannot be in the future"),
        # Checked as the new resident is written: after the resident's row.
        (
            {"new_resident": {"first_name": "Aisha", "passions": ["y" * 61]}},
            "60 characters or fewer",
        ),
    ],
)
def test_a_refused_conversation_leaves_nothing_and_the_request_usable(
    site, builder, refused, message
):
    with transaction.atomic():  # as a request's
        with pytest.raises(ValidationError, match=message):
            services.conversation_log(
                **{"builder": builder, "site": site, "held_on": TODAY, **refused}
            )
        # The form is drawn again in the same transaction.
        assert Conversation.objects.count() == 0
        assert Resident.objects.count() == 0


def test_a_conversation_cannot_name_another_sites_resident(site, builder):
    stranger = ResidentFactory()
    with pytest.raises(
        ValidationError, match=re.escape(f"{stranger} is not known to {site}.")
    ):
        services.conversation_log(
            builder=builder, site=site, held_on=TODAY, residents=[stranger]
        )


# Introductions: each refusal


def test_an_introduction_is_made(site, builder):
    a, b = agreed(site), agreed(site)
    chess = TagFactory(name="chess")
    intro = services.introduction_make(
        resident=a, to_resident=b, interest=chess, builder=builder, introduced_on=TODAY
    )
    assert intro.status == Introduction.Status.INTRODUCED
    assert intro.site == site and intro.made_by == "builder"


def test_a_self_introduction_is_refused(site, builder):
    a = agreed(site)
    with pytest.raises(ValidationError, match="themselves"):
        services.introduction_make(
            resident=a,
            to_resident=a,
            interest=TagFactory(),
            builder=builder,
            introduced_on=TODAY,
        )


def test_an_open_duplicate_is_refused_either_way_round(site, builder):
    a, b = agreed(site), agreed(site)
    chess = TagFactory(name="chess")
    services.introduction_make(
        resident=a, to_resident=b, interest=chess, builder=builder, introduced_on=TODAY
    )
    with pytest.raises(ValidationError, match="already have an open introduction"):
        services.introduction_make(
            resident=b,
            to_resident=a,
            interest=chess,
            builder=builder,
            introduced_on=TODAY,
        )
    assert Introduction.objects.count() == 1


def test_the_same_pair_may_meet_again_through_another_interest_or_after_a_miss(
    site, builder
):
    a, b = agreed(site), agreed(site)
    chess, choir = TagFactory(name="chess"), TagFactory(name="choir")
    first = services.introduction_make(
        resident=a, to_resident=b, interest=chess, builder=builder, introduced_on=TODAY
    )
    services.introduction_make(
        resident=a, to_resident=b, interest=choir, builder=builder, introduced_on=TODAY
    )
    services.introduction_set_status(
        introduction=first, status="did_not_happen", by=builder
    )
    services.introduction_make(
        resident=b, to_resident=a, interest=chess, builder=builder, introduced_on=TODAY
    )
    assert Introduction.objects.count() == 3


@pytest.mark.parametrize("who", ["from", "to"])
def test_anyone_who_has_not_agreed_to_be_introduced_is_refused(site, builder, who):
    willing = agreed(site)
    unwilling = ResidentFactory(site=site, consents=["contact"])
    pair = (willing, unwilling) if who == "to" else (unwilling, willing)
    with pytest.raises(ValidationError, match="has not agreed to be introduced"):
        services.introduction_make(
            resident=pair[0],
            to_resident=pair[1],
            interest=TagFactory(),
            builder=builder,
            introduced_on=TODAY,
        )
    assert Introduction.objects.count() == 0


def test_an_introduction_to_a_group_and_its_duplicate(site, builder):
    a = agreed(site)
    group = GroupFactory(site=site)
    services.introduction_make(
        resident=a,
        to_group=group,
        interest=group.interest,
        builder=builder,
        introduced_on=TODAY,
    )
    with pytest.raises(ValidationError, match="already have an open introduction"):
        services.introduction_make(
            resident=a,
            to_group=group,
            interest=group.interest,
            builder=builder,
            introduced_on=TODAY,
        )


def test_an_introduction_made_by_a_connector_names_a_real_connector(site, builder):
    a, b = agreed(site), agreed(site)
    not_a_connector = agreed(site)
    with pytest.raises(
        ValidationError, match="Choose the Community Connector who made it"
    ):
        services.introduction_make(
            resident=a,
            to_resident=b,
            interest=TagFactory(),
            builder=builder,
            introduced_on=TODAY,
            made_by="connector",
            connector=not_a_connector,
        )
    connector = agreed(site, is_connector=True, connector_gift="Knows everyone")
    intro = services.introduction_make(
        resident=a,
        to_resident=b,
        interest=TagFactory(),
        builder=builder,
        introduced_on=TODAY,
        made_by="connector",
        connector=connector,
    )
    assert intro.connector == connector


def test_a_builder_cannot_introduce_someone_from_another_site(site, builder):
    a = agreed(site)
    stranger = agreed(SiteFactory())
    with pytest.raises(
        ValidationError, match="You can only introduce residents your sites know"
    ):
        services.introduction_make(
            resident=a,
            to_resident=stranger,
            interest=TagFactory(),
            builder=builder,
            introduced_on=TODAY,
        )


# Groups


def test_a_group_is_recorded_with_its_members_and_origins(site, builder, ward):
    a, b = agreed(site), agreed(site)
    intro = services.introduction_make(
        resident=a,
        to_resident=b,
        interest=TagFactory(name="walking"),
        builder=builder,
        introduced_on=TODAY,
    )
    group = services.group_record(
        name="Tuesday walkers",
        interest="Walking",
        site=site,
        area=ward,
        founded_on=TODAY,
        created_by=builder,
        members=[a, b],
        grew_from=[intro],
    )
    assert group.interest.key == "walking"
    assert set(group.members.all()) == {a, b}
    assert list(group.grew_from.all()) == [intro]
    event = services.celebration_record(
        group=group, name="First walk", held_on=TODAY, attendance=14, by=builder
    )
    assert event.attendance == 14


def test_a_group_cannot_be_recorded_in_a_ward_outside_the_site(site, builder):
    elsewhere = WardFactory()
    with pytest.raises(
        ValidationError, match=re.escape(f"{elsewhere} is not one of {site}'s wards.")
    ):
        services.group_record(
            name="x",
            interest="y",
            site=site,
            area=elsewhere,
            founded_on=TODAY,
            created_by=builder,
        )


# Suggestions


def square(x: float) -> dict:
    """A one-degree square whose west edge is at longitude x."""
    ring = [[x, 0], [x + 1, 0], [x + 1, 1], [x, 1], [x, 0]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_suggestions_rank_same_site_first_then_neighbouring_wards_by_overlap():
    officer = UserFactory(role=Role.OFFICER)
    home, next_door, far = (WardFactory(boundary=square(x)) for x in (0, 1, 5))
    assert list(home.neighbours.all()) == [next_door]
    site, other_site = SiteFactory(areas=[home]), SiteFactory(areas=[next_door, far])
    me = agreed(site, area=home, passions=["chess", "choir", "cooking"])

    same_site_one = agreed(site, area=home, passions=["chess"])
    same_site_three = agreed(site, area=home, passions=["chess", "choir", "cooking"])
    neighbour_two = agreed(other_site, area=next_door, passions=["choir", "cooking"])
    far_three = agreed(other_site, area=far, passions=["chess", "choir", "cooking"])
    agreed(site, area=home, passions=["darts"])  # nothing in common
    ResidentFactory(site=site, area=home, passions=["chess"])  # not agreed
    introduced = agreed(site, area=home, passions=["chess", "choir"])
    services.introduction_make(
        resident=introduced,
        to_resident=me,
        interest=Tag.objects.get(key="chess"),
        builder=officer,
        introduced_on=TODAY,
    )

    ranked = list(Resident.objects.visible_to(officer).suggested_for(me))
    # Far away (another site, a ward that does not touch) is not suggested.
    assert far_three not in ranked
    assert ranked == [same_site_three, same_site_one, neighbour_two]
    assert [r.overlap for r in ranked] == [3, 1, 2]
    assert sorted(ranked[2].shared) == ["choir", "cooking"]
    # The limit takes the same site's first, and the wards nearby only fill
    # what the site leaves.
    scoped = Resident.objects.visible_to(officer)
    assert list(scoped.suggested_for(me, limit=2)) == [same_site_three, same_site_one]
    same_site_one.consents.update(withdrawn_at=timezone.now())
    assert list(scoped.suggested_for(me, limit=2)) == [same_site_three, neighbour_two]


def test_a_builder_is_only_suggested_their_own_sites_residents(site, builder, ward):
    me = agreed(site, area=ward, passions=["chess"])
    mine = agreed(site, area=ward, passions=["chess"])
    agreed(SiteFactory(areas=[ward]), area=ward, passions=["chess"])
    assert list(Resident.objects.visible_to(builder).suggested_for(me)) == [mine]


def test_suggestions_take_three_queries(site, builder, django_assert_num_queries):
    me = agreed(site, passions=["chess"])
    for _ in range(5):
        agreed(site, passions=["chess", "choir"])
    # The builder's roles, the site's ranking (no ward, so no neighbours to
    # rank), then the rows.
    with django_assert_num_queries(3):
        assert len(list(Resident.objects.visible_to(builder).suggested_for(me))) == 5

"""Each indicator against hand-built records, for March 2026, for the whole
programme, a site and a ward: exact numbers."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone

from assets.models import Asset, Category
from assets.tests.factories import AssetFactory
from communities.models import CelebrationEvent, Conversation, Introduction
from communities.tests.factories import (
    GroupFactory,
    ResidentFactory,
    SiteFactory,
    TagFactory,
    UserFactory,
    WardFactory,
)
from core.roles import Role
from evaluation import indicators, services
from evaluation.indicators import Measure, Scope, spec_for
from evaluation.models import CohesionQuestion, Indicator, Outcome
from grants.models import Application
from grants.tests.factories import AwardFactory, FundFactory

from .factories import StoryFactory

pytestmark = pytest.mark.django_db

MARCH = datetime.date(2026, 3, 1)
APRIL = datetime.date(2026, 4, 1)


def day(n, month=3):
    return datetime.date(2026, month, n)


@pytest.fixture
def world():
    """Two wards; a site working both and another working the second."""
    ward_a, ward_b = WardFactory(name="Matson"), WardFactory(name="Podsmead")
    builder = UserFactory(role=Role.BUILDER)
    site = SiteFactory(areas=[ward_a, ward_b], builders=[builder])
    other = SiteFactory(areas=[ward_b])
    r1 = ResidentFactory(site=site, area=ward_a)
    r2 = ResidentFactory(site=site, area=ward_a)
    r3 = ResidentFactory(site=site, area=ward_b)
    r4 = ResidentFactory(site=site, area=ward_b, is_connector=True)
    r5 = ResidentFactory(site=other, area=ward_b)
    return {
        "a": ward_a,
        "b": ward_b,
        "site": site,
        "other": other,
        "builder": builder,
        "r": [None, r1, r2, r3, r4, r5],
    }


PROGRAMME = Scope()


def measure(code: str, scope=PROGRAMME) -> Measure:
    """One indicator's figure for one scope in March."""
    spec = spec_for(Indicator.objects.with_outcome_and_question().get(code=code))
    return spec.compute_all(MARCH, APRIL).get(scope.key, spec.empty)


def value(code: str, scope=PROGRAMME):
    return measure(code, scope).value


def _conversation(world, site, area, held_on, residents=()):
    conversation = Conversation.objects.create(
        builder=world["builder"], site=site, area=area, held_on=held_on
    )
    conversation.residents.set(residents)
    return conversation


def test_conversations_held_and_residents_met(world):
    r = world["r"]
    _conversation(world, world["site"], world["a"], day(2), [r[1], r[2]])
    _conversation(world, world["site"], world["b"], day(9), [r[2], r[3]])
    _conversation(world, world["site"], world["a"], day(31))  # nobody named
    _conversation(world, world["site"], world["a"], day(28, 2), [r[4]])  # February
    _conversation(world, world["other"], world["b"], day(15), [r[5]])

    assert value("conversations") == 4
    assert value("conversations", Scope(site=world["site"])) == 3
    assert value("conversations", Scope(area=world["a"])) == 2
    assert value("conversations", Scope(area=world["b"])) == 2
    # r2 met twice counts once; r4 was met in February.
    assert value("residents-met") == 4
    assert value("residents-met", Scope(site=world["site"])) == 3
    assert value("residents-met", Scope(area=world["a"])) == 2
    assert value("residents-met", Scope(area=world["b"])) == 2


@pytest.fixture
def introductions(world):
    r, site, builder = world["r"], world["site"], world["builder"]
    interest = TagFactory(name="walking")
    group = GroupFactory(site=site, area=world["a"], founded_on=day(1, 1))

    def make(resident, when, **fields):
        return Introduction.objects.create(
            resident=resident,
            interest=interest,
            site=site,
            builder=builder,
            introduced_on=when,
            **fields,
        )

    make(r[1], day(3), to_resident=r[2], status=Introduction.Status.MET)
    make(
        r[3],
        day(4),
        to_resident=r[1],
        made_by=Introduction.MadeBy.CONNECTOR,
        connector=r[4],
    )
    make(r[2], day(5), to_resident=r[3], status=Introduction.Status.DID_NOT_HAPPEN)
    make(r[1], day(6), to_group=group)
    make(r[3], day(20, 2), to_resident=r[2])  # February
    return group


def test_introductions_by_builders_and_by_connectors(world, introductions):
    assert value("introductions-by-builders") == 2
    assert value("introductions-by-connectors") == 1
    assert value("introductions-by-builders", Scope(site=world["other"])) == 0
    # For a ward: introductions made by residents living there.
    assert value("introductions-by-builders", Scope(area=world["a"])) == 2
    assert value("introductions-by-connectors", Scope(area=world["b"])) == 1


def test_residents_with_at_least_one_introduction(world, introductions):
    # r1, r2 (met), r3 (via the connector); the one that didn't happen and
    # February's leave nobody else.
    assert value("residents-introduced") == 3
    assert value("residents-introduced", Scope(area=world["a"])) == 2
    assert value("residents-introduced", Scope(area=world["b"])) == 1


def test_introductions_across_wards(world, introductions):
    assert value("introductions-across-wards") == 1
    assert value("introductions-across-wards", Scope(area=world["a"])) == 1
    assert value("introductions-across-wards", Scope(area=world["b"])) == 1
    assert value("introductions-across-wards", Scope(site=world["site"])) == 1
    assert value("introductions-across-wards", Scope(site=world["other"])) == 0


def test_introductions_across_wards_in_one_query(
    world, introductions, django_assert_num_queries
):
    spec = spec_for(Indicator.objects.get(code="introductions-across-wards"))
    with django_assert_num_queries(1):
        spec.compute_all(MARCH, APRIL)


def test_active_connectors(world, introductions):
    assert value("active-connectors") == 1
    assert value("active-connectors", Scope(area=world["a"])) == 0


def test_groups_formed_and_celebration_events(world):
    site = world["site"]
    march = GroupFactory(site=site, area=world["a"], founded_on=day(12))
    GroupFactory(site=site, area=world["b"], founded_on=day(1))
    GroupFactory(site=site, area=world["a"], founded_on=day(1, 4))
    for held_on in (day(7), day(21), day(2, 4)):
        CelebrationEvent.objects.create(
            group=march, name="Party", held_on=held_on, attendance=30
        )

    assert value("groups-formed") == 2
    assert value("groups-formed", Scope(area=world["a"])) == 1
    assert value("groups-formed", Scope(site=world["other"])) == 0
    assert value("celebration-events") == 2
    assert value("celebration-events", Scope(area=world["b"])) == 0


def test_small_sparks_count_money_and_resident_led_share(world):
    fund = FundFactory(site=world["site"])
    AwardFactory(
        application__fund=fund,
        application__area=world["a"],
        amount=Decimal("300.00"),
        awarded_on=day(10),
    )
    AwardFactory(
        application__fund=fund,
        application__area=world["b"],
        application__applicant_type=Application.ApplicantType.GROUP,
        amount=Decimal("200.50"),
        awarded_on=day(11),
    )
    AwardFactory(
        application__fund=fund,
        application__area=world["a"],
        amount=Decimal("100.00"),
        awarded_on=day(12),
        withdrawn_at=timezone.now(),
    )
    AwardFactory(application__fund=fund, amount=Decimal("90.00"), awarded_on=day(1, 4))

    assert value("sparks-awarded") == 2
    assert measure("sparks-amount") == Measure(Decimal("500.50"), 2)
    assert value("sparks-amount", Scope(area=world["a"])) == Decimal("300.00")
    assert value("sparks-amount", Scope(site=world["other"])) == Decimal("0.00")
    assert measure("sparks-resident-led-share") == Measure(Decimal("100.00"), 2)
    # No money awarded: there is no share to report.
    assert measure("sparks-resident-led-share", Scope(site=world["other"])) == Measure(
        None, 0
    )


def test_assets_mapped_by_category_at_the_end_of_the_month(world):
    def asset(created, **fields):
        made = AssetFactory(**fields)
        Asset.objects.filter(pk=made.pk).update(
            created_at=datetime.datetime.combine(
                created, datetime.time(12), datetime.UTC
            )
        )

    asset(day(5, 2), area=world["a"])
    asset(day(31), area=world["b"])
    asset(day(5, 2), area=world["a"], status=Asset.Status.CLOSED)
    asset(day(1, 4), area=world["a"])
    asset(day(5), area=world["a"], category=Category.ECONOMY)

    assert value("assets-physical") == 2
    assert value("assets-physical", Scope(area=world["a"])) == 1
    assert value("assets-physical", Scope(site=world["other"])) == 1
    assert value("assets-economy") == 1
    assert value("assets-culture") == 0


def test_survey_averages_and_cohesion_agreement(world):
    question = CohesionQuestion.objects.get(text="I know my neighbours' names")

    def survey(swemwbs, life, agree, area=None, when=None):
        services.survey_response_record(
            area=area or world["a"],
            wave="baseline",
            completed_on=when or day(15),
            swemwbs=swemwbs,
            ons4={"life_satisfaction": life},
            cohesion={question.pk: agree},
        )

    survey([3] * 7, 6, 4)  # raw 21: metric 19.25
    survey([4] * 7, 8, 2)  # raw 28: metric 25.03
    survey([None] * 7, None, 5)
    survey([5] * 7, 10, 5, when=day(1, 2))  # February
    survey([1] * 7, 0, 1, area=world["b"])

    assert measure("swemwbs", Scope(area=world["a"])) == Measure(Decimal("22.14"), 2)
    assert measure("ons4-life-satisfaction", Scope(area=world["a"])) == Measure(
        Decimal("7.00"), 2
    )
    assert measure("ons4-anxiety", Scope(area=world["a"])) == Measure(None, 0)
    assert measure(f"cohesion-{question.pk}", Scope(area=world["a"])) == Measure(
        Decimal("66.67"), 3
    )
    assert measure(f"cohesion-{question.pk}") == Measure(Decimal("50.00"), 4)


def test_stories_are_counted_by_outcome(world):
    connected = Outcome.objects.get(code="better-connected")
    friends = Outcome.objects.get(code="good-friends")
    StoryFactory(outcomes=[connected], site=world["site"])
    StoryFactory(outcomes=[connected, friends])
    StoryFactory(outcomes=[connected], told_on=day(28, 2))

    assert value("stories-better-connected") == 2
    assert value("stories-good-friends") == 1
    assert value("stories-better-connected", Scope(site=world["site"])) == 1
    assert value("stories-changes-they-want") == 0


def test_every_indicator_has_a_definition_and_every_definition_a_row():
    rows = Indicator.objects.with_outcome_and_question()
    assert {i.code for i in rows} >= set(indicators.SPECS)
    for indicator in rows:
        spec = spec_for(indicator)
        assert spec.definition.endswith(".") or spec.definition.endswith(")")
        assert spec.kind == indicator.kind


def _random_page_cost() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_the_plan_for_lookups_lasts_as_long_as_the_caller_s_transaction():
    default = _random_page_cost()
    with pytest.raises(RuntimeError, match=r"inside transaction\.atomic\(\)"):
        indicators.plan_for_lookups()

    with transaction.atomic():
        indicators.plan_for_lookups()
        assert _random_page_cost() == indicators.RANDOM_PAGE_COST

    assert _random_page_cost() == default != indicators.RANDOM_PAGE_COST

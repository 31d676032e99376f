import datetime
import re
import time
import types
from decimal import Decimal

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from communities.models import Area
from communities.tests.factories import SiteFactory, UserFactory, WardFactory
from core.roles import Role
from grants import services
from grants.models import (
    REFERENCE_ALPHABET,
    RESUME_MAX_AGE,
    RESUME_SALT,
    Application,
    Fund,
    GrantReport,
    PanelAssignment,
    Payment,
    Repayment,
    Score,
    new_reference,
)

from .factories import ApplicationFactory, AwardFactory, FundFactory, panel_user

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


def in_review(**fields):
    return ApplicationFactory(status=Application.Status.IN_REVIEW, **fields)


def fund_with(**fields) -> Fund:
    """An unsaved fund that passes clean() unless a field says otherwise."""
    values = {
        "name": "Matson sparks",
        "financial_year": 2026,
        "budget": Decimal(1000),
        "minimum_award": Decimal(50),
        "maximum_award": Decimal(500),
        "opens_on": datetime.date(2026, 4, 1),
        "closes_on": datetime.date(2027, 3, 31),
    }
    return Fund(**(values | fields))


def score(application, member, value, *, criterion=None, entered_by=None):
    return Score.objects.create(
        application=application,
        criterion=criterion or application.fund.criteria.first(),
        member=member,
        score=value,
        entered_by=entered_by or member,
    )


# Fund ----------------------------------------------------------------------------


def test_a_fund_within_its_rules_is_clean():
    fund_with().clean()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"minimum_award": Decimal(0)},
            "minimum_award",
            "The smallest award must be more than £0.",
        ),
        (
            {"minimum_award": Decimal(600)},
            "minimum_award",
            "The smallest award must not be more than the largest award.",
        ),
        (
            {"budget": Decimal(400)},
            "maximum_award",
            "The largest award must not be more than the budget.",
        ),
        (
            {"committed": Decimal(1200), "budget": Decimal(1000)},
            "budget",
            "The budget cannot be less than the £1,200 already awarded.",
        ),
        (
            {"closes_on": datetime.date(2026, 3, 31)},
            "closes_on",
            "The closing date must be on or after the opening date.",
        ),
    ],
)
def test_a_fund_outside_its_rules_is_refused_on_the_field_at_fault(
    fields, field, message
):
    with pytest.raises(ValidationError, match=re.escape(message)) as error:
        fund_with(**fields).clean()
    assert error.value.message_dict == {field: [message]}


def test_a_fund_reports_every_rule_it_breaks_at_once():
    fund = fund_with(
        minimum_award=Decimal(0),
        budget=Decimal(100),
        closes_on=datetime.date(2026, 1, 1),
    )
    with pytest.raises(ValidationError, match="smallest award") as error:
        fund.clean()
    assert set(error.value.message_dict) == {
        "minimum_award",
        "maximum_award",
        "closes_on",
    }


def test_a_budget_can_be_cut_to_exactly_what_is_already_awarded():
    fund_with(budget=Decimal(500), committed=Decimal(500)).clean()


def test_what_is_left_is_the_budget_less_what_is_committed():
    assert fund_with(committed=Decimal("250.50")).remaining == Decimal("749.50")


def test_a_fund_is_open_from_its_first_day_to_its_last():
    fund = fund_with()
    assert fund.is_open(datetime.date(2026, 4, 1))
    assert fund.is_open(datetime.date(2027, 3, 31))
    assert not fund.is_open(datetime.date(2026, 3, 31))
    assert not fund.is_open(datetime.date(2027, 4, 1))
    assert fund.financial_year_label == "2026/27"


def test_only_funds_open_today_are_listed():
    today = FundFactory(name="Today only", opens_on=TODAY(), closes_on=TODAY())
    FundFactory(name="Closed", opens_on=TODAY() - 9 * DAY, closes_on=TODAY() - DAY)
    FundFactory(name="Not yet", opens_on=TODAY() + DAY, closes_on=TODAY() + 9 * DAY)
    assert list(Fund.objects.open_now()) == [today]


def test_a_fund_offers_its_own_wards_else_its_sites_else_every_ward():
    own, site_ward, other = WardFactory(), WardFactory(), WardFactory()
    neighbourhood = Area.objects.create(
        kind=Area.Kind.NEIGHBOURHOOD, name="Estate", parent=site_ward
    )
    site = SiteFactory(areas=[site_ward, neighbourhood])

    assert list(FundFactory(site=site, areas=[own]).eligible_wards()) == [own]
    # Only wards: the site's neighbourhood is not one.
    assert list(FundFactory(site=site).eligible_wards()) == [site_ward]
    assert list(fund_with(site=site).eligible_wards()) == [site_ward]
    assert set(FundFactory().eligible_wards()) == {own, site_ward, other}


def test_a_funds_count_of_applications_leaves_out_drafts():
    fund = FundFactory()
    ApplicationFactory.create_batch(2, fund=fund)
    ApplicationFactory(fund=fund, status=Application.Status.DRAFT)
    empty = FundFactory()
    counts = dict(
        Fund.objects.with_application_count().values_list("pk", "application_count")
    )
    assert counts == {fund.pk: 2, empty.pk: 0}


def test_a_funds_money_counts_current_grants_and_sums_payments_and_returns(officer):
    fund = FundFactory()
    kept = AwardFactory(application__fund=fund, amount=Decimal(300))
    withdrawn = AwardFactory(
        application__fund=fund, amount=Decimal(200), withdrawn_at=timezone.now()
    )
    for award, amount in ((kept, "100"), (kept, "50"), (withdrawn, "30")):
        Payment.objects.create(
            award=award,
            amount=Decimal(amount),
            paid_on=TODAY(),
            method=Payment.Method.CHEQUE,
            recorded_by=officer,
        )
    Repayment.objects.create(
        award=kept, amount=Decimal(20), returned_on=TODAY(), recorded_by=officer
    )
    AwardFactory(amount=Decimal(90))  # another fund's grant
    empty = FundFactory()

    funds = {f.pk: f for f in Fund.objects.with_money()}

    assert (funds[fund.pk].awarded_count, funds[fund.pk].paid) == (1, Decimal(180))
    assert funds[fund.pk].returned == Decimal(20)
    assert (funds[empty.pk].awarded_count, funds[empty.pk].paid) == (0, 0)
    assert funds[empty.pk].returned == 0


def test_the_database_refuses_a_committed_total_over_the_budget():
    fund = FundFactory(budget=Decimal(500))
    with (
        pytest.raises(IntegrityError, match="fund_committed_within_budget"),
        transaction.atomic(),
    ):
        Fund.objects.filter(pk=fund.pk).update(committed=Decimal("500.01"))


# Application -----------------------------------------------------------------------


def test_a_reference_is_easy_to_read_out():
    references = {new_reference() for _ in range(200)}
    assert len(references) == 200
    for reference in references:
        assert re.fullmatch(r"SPK-[A-Z2-9]{4}-[A-Z2-9]{4}", reference)
        assert set(reference[4:8] + reference[9:]) <= set(REFERENCE_ALPHABET)
    assert not set("01IO") & set(REFERENCE_ALPHABET)


def test_the_steps_done_follow_the_answers():
    application = ApplicationFactory.build(
        status=Application.Status.DRAFT, idea="", area=None, spending_plan=""
    )
    assert application.steps_done() == {
        "about": True,
        "idea": False,
        "where": False,
        "money": False,
    }
    application.idea = "A seed swap."
    application.area = WardFactory()
    application.spending_plan = "Seeds."
    assert all(application.steps_done().values())
    application.amount_requested = None
    assert not application.steps_done()["money"]


def test_days_are_counted_in_local_dates():
    # 23:30 in London on 1 June is 22:30 UTC; 00:30 on 3 June is 23:30 UTC
    # on 2 June: two days in London, one in UTC.
    sent = datetime.datetime(2026, 6, 1, 22, 30, tzinfo=datetime.UTC)
    application = ApplicationFactory.build(
        submitted_at=sent,
        decided_at=datetime.datetime(2026, 6, 2, 23, 30, tzinfo=datetime.UTC),
    )
    assert application.days_to_decision == 2
    assert application.days_waiting is None
    waiting = ApplicationFactory.build(submitted_at=timezone.now() - 3 * DAY)
    assert waiting.days_waiting == 3
    assert waiting.days_to_decision is None


def test_decision_times_count_days_as_the_application_page_does(officer):
    fund = FundFactory()
    for sent, decided in (
        # One day in London, none in UTC (both on 1 June).
        ("2026-06-01T22:30:00+00:00", "2026-06-01T23:30:00+00:00"),
        ("2026-06-01T09:00:00+00:00", "2026-06-10T09:00:00+00:00"),
    ):
        ApplicationFactory(
            fund=fund,
            status=Application.Status.DECLINED,
            submitted_at=datetime.datetime.fromisoformat(sent),
            decided_at=datetime.datetime.fromisoformat(decided),
        )
    in_review(fund=fund)
    ApplicationFactory(status=Application.Status.DECLINED, decided_at=timezone.now())

    assert fund.applications.decision_times() == {
        "count": 2,
        "average": 5.0,
        "longest": 9,
    }
    assert FundFactory().applications.decision_times() == {
        "count": 0,
        "average": None,
        "longest": None,
    }


def test_the_emailed_link_finds_its_application_until_revoked():
    application = ApplicationFactory(status=Application.Status.DRAFT)
    token = application.resume_token()
    assert Application.objects.from_resume_token(token) == application
    assert Application.objects.from_resume_token(token[:-2] + "xx") is None
    assert Application.objects.from_resume_token("not-a-token") is None
    assert (
        Application.objects.from_resume_token(signing.dumps([1], salt=RESUME_SALT))
        is None
    )
    application.resume_nonce = "changed"
    application.save()
    assert Application.objects.from_resume_token(token) is None


def test_the_emailed_link_stops_working_after_sixty_days(monkeypatch):
    application = ApplicationFactory(status=Application.Status.DRAFT)
    token = application.resume_token()

    def read_at(seconds_later):
        later = types.SimpleNamespace(time=lambda: time.time() + seconds_later)
        monkeypatch.setattr(signing, "time", later)
        return Application.objects.from_resume_token(token)

    limit = RESUME_MAX_AGE.total_seconds()
    assert read_at(limit - 60) == application
    assert read_at(limit + 60) is None


def test_who_sees_which_application(officer, panel_member, builder, cabinet_member):
    mine, others, conflicted = in_review(), in_review(), in_review()
    draft = ApplicationFactory(status=Application.Status.DRAFT)
    for application in (mine, conflicted):
        services.panel_assign(
            application=application, members=[panel_member], officer=officer
        )
    services.conflict_declare(
        application=conflicted, member=panel_member, reason="My neighbour."
    )
    superuser = UserFactory(username="root", is_superuser=True)
    sent = {mine, others, conflicted}

    assert set(Application.objects.visible_to(officer)) == sent
    assert set(Application.objects.visible_to(superuser)) == sent
    assert list(Application.objects.visible_to(panel_member)) == [mine]
    assert not Application.objects.visible_to(builder).exists()
    assert not Application.objects.visible_to(cabinet_member).exists()
    assert draft not in Application.objects.visible_to(officer)


def test_a_panel_member_who_is_also_an_officer_sees_every_application(officer):
    both = UserFactory(role=Role.PANEL, username="both")
    both.groups.add(*officer.groups.all())
    applications = {in_review(), in_review()}
    assert set(Application.objects.visible_to(both)) == applications


def test_the_queue_filters_by_fund_and_status():
    fund = FundFactory()
    waiting = ApplicationFactory(fund=fund)
    reviewing = in_review(fund=fund)
    elsewhere = in_review()
    everything = Application.objects.all()
    assert set(everything.filtered()) == {waiting, reviewing, elsewhere}
    assert set(everything.filtered(fund=fund)) == {waiting, reviewing}
    assert set(everything.filtered(status="in_review")) == {reviewing, elsewhere}
    assert list(everything.filtered(fund=fund, status="in_review")) == [reviewing]


def test_an_application_is_marked_scored_only_by_the_member_who_scored_it(
    panel_member,
):
    other = panel_user(username="other")
    scored, not_by_me = in_review(), in_review()
    score(scored, panel_member, 4)
    score(not_by_me, other, 4)
    marks = dict(
        Application.objects.with_scored_by(panel_member).values_list("pk", "scored")
    )
    assert marks == {scored.pk: True, not_by_me.pk: False}


def test_the_average_score_is_over_every_score_given_online_or_on_paper(officer):
    application = in_review()
    first, second = application.fund.criteria.all()
    assert Application.objects.with_average_score().get().average_score is None
    member, other = panel_user(username="m1"), panel_user(username="m2")
    score(application, member, 5, criterion=first)
    score(application, member, 4, criterion=second)
    score(application, other, 2, criterion=first, entered_by=officer)
    score(application, other, 1, criterion=second, entered_by=officer)
    assert Application.objects.with_average_score().get().average_score == 3


def test_the_members_to_score_leave_out_those_with_a_conflict(officer):
    application = in_review()
    zoe = panel_user(username="zoe", first_name="Zoe")
    amir = panel_user(username="amir", first_name="Amir")
    off = panel_user(username="off", first_name="Bea")
    services.panel_assign(
        application=application, members=[zoe, amir, off], officer=officer
    )
    services.conflict_declare(application=application, member=off, reason="Mine.")
    assert list(application.panel_members()) == [amir, zoe]
    assert PanelAssignment.objects.get(member=off).has_conflict
    assert not PanelAssignment.objects.get(member=zoe).has_conflict


def test_a_members_scores_are_their_own(panel_member):
    application = in_review()
    mine = score(application, panel_member, 3)
    score(application, panel_user(username="other"), 5)
    assert list(application.scores.given_by(panel_member)) == [mine]


# Award, report ---------------------------------------------------------------------


def pay(award, amount, officer):
    Payment.objects.create(
        award=award,
        amount=Decimal(amount),
        paid_on=TODAY(),
        method=Payment.Method.BANK_TRANSFER,
        recorded_by=officer,
    )


def test_an_awards_balance_is_what_is_left_to_pay(officer):
    award = AwardFactory(amount=Decimal(300))
    assert (award.paid, award.returned, award.balance) == (0, 0, Decimal(300))
    pay(award, "120", officer)
    pay(award, "30.50", officer)
    Repayment.objects.create(
        award=award, amount=Decimal(10), returned_on=TODAY(), recorded_by=officer
    )
    assert award.paid == Decimal("150.50")
    assert award.returned == Decimal(10)
    assert award.balance == Decimal("149.50")


def test_an_award_paid_in_full_or_withdrawn_has_nothing_left_to_pay(officer):
    award = AwardFactory(amount=Decimal(100))
    pay(award, "150", officer)  # more than awarded: never a negative balance
    assert award.balance == 0
    withdrawn = AwardFactory(amount=Decimal(100), withdrawn_at=timezone.now())
    assert withdrawn.is_withdrawn
    assert withdrawn.balance == 0


def test_only_current_grants_are_current():
    current = AwardFactory()
    AwardFactory(withdrawn_at=timezone.now())
    assert list(type(current).objects.current()) == [current]


def test_a_reports_photo_needs_a_description():
    report = GrantReport(
        what_happened="Planting.",
        people_taken_part=4,
        photo="grants/reports/planting.png",
        photo_description=" ",
    )
    with pytest.raises(ValidationError, match="Describe the photo") as error:
        report.clean()
    assert list(error.value.message_dict) == ["photo_description"]
    report.photo_description = "Neighbours planting bulbs"
    report.clean()
    GrantReport(what_happened="No photo.", people_taken_part=4).clean()


def test_a_report_told_as_a_story_has_no_personal_data():
    ward = WardFactory(name="Podsmead")
    award = AwardFactory(
        application__area=ward,
        application__contact_name="Winifred Quartermaine",
        application__email="winifred@example.com",
    )
    report = GrantReport.objects.create(
        award=award, what_happened="Forty neighbours came.", people_taken_part=40
    )
    story = report.as_story()
    assert story["ward"] == "Podsmead"
    assert story["fund"] == award.fund.name
    assert story["amount"] == award.amount
    assert story["photo"] == ""
    assert "Quartermaine" not in str(story)
    assert "winifred@example.com" not in str(story)
    assert not GrantReport.objects.shareable().exists()
    GrantReport.objects.filter(pk=report.pk).update(may_share=True)
    assert list(GrantReport.objects.shareable()) == [report]

import datetime
import re
import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import InternalError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from communities.tests.factories import UserFactory, WardFactory
from core.roles import Role
from grants import services
from grants.models import Application, Award, Fund, Score

from .factories import ApplicationFactory, FundFactory, panel_user

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def in_review(**fields):
    return ApplicationFactory(status=Application.Status.IN_REVIEW, **fields)


def score_all(application, member, value=4, entered_by=None):
    return services.scores_record(
        application=application,
        member=member,
        scores={c.pk: (value, "") for c in application.fund.criteria.all()},
        entered_by=entered_by or member,
    )


# Funds -------------------------------------------------------------------------


def test_a_fund_is_saved_with_its_criteria_one_per_line():
    ward = WardFactory()
    fund = Fund(
        name="Tuffley sparks",
        financial_year=2026,
        budget=Decimal(2000),
        minimum_award=Decimal(50),
        maximum_award=Decimal(500),
        opens_on=TODAY(),
        closes_on=TODAY() + datetime.timedelta(days=30),
    )
    services.fund_save(
        fund=fund,
        criteria=["Helps neighbours meet", "", "  Value  for money "],
        areas=[ward],
    )
    assert [c.title for c in fund.criteria.all()] == [
        "Helps neighbours meet",
        "Value for money",
    ]
    assert list(fund.eligible_wards()) == [ward]


def test_a_fund_whose_largest_award_is_over_its_budget_is_refused():
    fund = Fund(
        name="Too big",
        financial_year=2026,
        budget=Decimal(100),
        minimum_award=Decimal(50),
        maximum_award=Decimal(500),
        opens_on=TODAY(),
        closes_on=TODAY(),
    )
    with pytest.raises(
        ValidationError, match="largest award must not be more than the budget"
    ):
        services.fund_save(fund=fund, criteria=["Anything"])
    assert not Fund.objects.exists()


def test_a_fund_needs_something_to_score_against():
    with pytest.raises(ValidationError, match="at least one thing") as error:
        services.fund_save(fund=FundFactory.build(), criteria=["", " "])
    assert list(error.value.message_dict) == ["criteria"]
    assert not Fund.objects.exists()


# The public application ----------------------------------------------------------


def start(fund, **overrides):
    fields = {
        "fund": fund,
        "applicant_type": Application.ApplicantType.GROUP,
        "contact_name": "Sam Jones",
        "email": "sam@example.com",
        "group_name": "Linden Road Gardeners",
    }
    return services.application_start(**(fields | overrides))


def test_starting_an_application_emails_a_link_that_brings_the_applicant_back(
    django_capture_on_commit_callbacks,
):
    fund = FundFactory()
    with django_capture_on_commit_callbacks(execute=True):
        application = start(fund)

    assert application.status == Application.Status.DRAFT
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["sam@example.com"]
    tokens = re.findall(
        r"http://127\.0\.0\.1:8000/grants/apply/([^/\s\"]+)/", email.body
    )
    assert len(tokens) == 1
    assert Application.objects.from_resume_token(tokens[0]) == application
    html = email.alternatives[0][0]
    assert f"/grants/apply/{tokens[0]}/" in html


def test_a_group_must_give_its_name():
    with pytest.raises(ValidationError, match="Enter your group's name") as error:
        start(FundFactory(), group_name="")
    assert error.value.message_dict == {"group_name": ["Enter your group's name."]}
    assert not Application.objects.exists()


def test_a_closed_fund_takes_no_applications():
    fund = FundFactory(
        opens_on=TODAY() - datetime.timedelta(days=60),
        closes_on=TODAY() - datetime.timedelta(days=1),
    )
    with pytest.raises(ValidationError, match="not taking applications"):
        start(fund)


def test_the_steps_save_and_submit_gives_a_reference_and_an_email(
    django_capture_on_commit_callbacks,
):
    ward = WardFactory()
    fund = FundFactory(areas=[ward])
    application = start(fund)
    services.application_update(
        application=application,
        fields={
            "title": "Seed swap",
            "idea": "A seed swap in the library.",
            "who_it_helps": "Gardeners, new and old.",
            "people_expected": 30,
        },
    )
    services.application_update(application=application, fields={"area": ward})
    services.application_update(
        application=application,
        fields={"amount_requested": Decimal(120), "spending_plan": "Seeds, tea."},
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        sent = services.application_submit(application=application)

    assert sent.status == Application.Status.SUBMITTED
    assert sent.submitted_at is not None
    assert sent.reference.startswith("SPK-")
    assert len(mail.outbox) == 1
    assert sent.reference in mail.outbox[0].subject
    assert sent.reference in mail.outbox[0].body
    assert mail.outbox[0].alternatives[0][1] == "text/html"


def test_an_unfinished_application_cannot_be_sent():
    application = start(FundFactory())
    with pytest.raises(ValidationError, match="your idea, where it will happen"):
        services.application_submit(application=application)
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT


def test_a_request_outside_the_funds_range_is_refused_and_not_saved():
    application = start(FundFactory())
    with pytest.raises(ValidationError, match="Ask for between") as error:
        services.application_update(
            application=application, fields={"amount_requested": Decimal(900)}
        )
    assert error.value.message_dict["amount_requested"] == [
        "Ask for between £50 and £500."
    ]
    application.refresh_from_db()
    assert application.amount_requested is None


def test_a_ward_the_fund_does_not_cover_is_refused():
    fund = FundFactory(areas=[WardFactory()])
    application = start(fund)
    other = WardFactory(name="Elsewhere")
    with pytest.raises(ValidationError, match="does not cover Elsewhere"):
        services.application_update(application=application, fields={"area": other})


def test_a_sent_application_cannot_be_changed():
    application = ApplicationFactory()
    with pytest.raises(ValidationError, match="already been sent"):
        services.application_update(application=application, fields={"title": "New"})


# Review ---------------------------------------------------------------------------


def test_screening_eligible_sends_it_for_review(officer):
    application = ApplicationFactory()
    services.application_screen(application=application, officer=officer, eligible=True)
    application.refresh_from_db()
    assert application.status == Application.Status.IN_REVIEW
    assert application.screened_by == officer


def test_screening_ineligible_needs_a_reason_and_decides_it(
    officer, django_capture_on_commit_callbacks
):
    application = ApplicationFactory()
    with pytest.raises(
        ValidationError, match="Say why the application is not eligible"
    ):
        services.application_screen(
            application=application, officer=officer, eligible=False, notes=""
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.application_screen(
            application=application,
            officer=officer,
            eligible=False,
            notes="This is a business, not a community group.",
        )
    application.refresh_from_db()
    assert application.status == Application.Status.INELIGIBLE
    assert application.decided_by == officer
    assert application.days_to_decision == 0
    assert "not a community group" in mail.outbox[-1].body


def test_only_officers_screen(panel_member):
    with pytest.raises(ValidationError, match="permission"):
        services.application_screen(
            application=ApplicationFactory(), officer=panel_member, eligible=True
        )


def test_only_panel_members_can_be_assigned(officer, builder):
    with pytest.raises(ValidationError, match="is not a panel member"):
        services.panel_assign(
            application=in_review(), members=[builder], officer=officer
        )


def test_a_panel_member_scores_each_criterion(officer, panel_member):
    application = in_review()
    services.panel_assign(
        application=application, members=[panel_member], officer=officer
    )

    scores = score_all(application, panel_member, value=5)

    assert len(scores) == 2
    assert {s.score for s in scores} == {5}
    assert not any(s.on_paper for s in scores)
    # Scoring again changes the scores rather than adding more.
    score_all(application, panel_member, value=3)
    assert list(application.scores.values_list("score", flat=True)) == [3, 3]


def test_a_score_must_be_1_to_5_and_cover_every_criterion(officer, panel_member):
    application = in_review()
    services.panel_assign(
        application=application, members=[panel_member], officer=officer
    )
    criteria = list(application.fund.criteria.all())
    with pytest.raises(ValidationError, match="every criterion"):
        services.scores_record(
            application=application,
            member=panel_member,
            scores={criteria[0].pk: (3, "")},
            entered_by=panel_member,
        )
    with pytest.raises(ValidationError, match="from 1 to 5"):
        services.scores_record(
            application=application,
            member=panel_member,
            scores={c.pk: (6, "") for c in criteria},
            entered_by=panel_member,
        )
    assert not Score.objects.exists()


def test_a_member_not_assigned_cannot_score(panel_member):
    with pytest.raises(ValidationError, match="has not been asked"):
        score_all(in_review(), panel_member)


def test_declaring_a_conflict_excludes_the_member(officer, panel_member):
    application = in_review()
    services.panel_assign(
        application=application, members=[panel_member], officer=officer
    )
    score_all(application, panel_member)

    services.conflict_declare(
        application=application, member=panel_member, reason="She is my sister."
    )

    # Their scores no longer count, they cannot score again, and the
    # application is gone from their queue.
    assert not application.scores.current().exists()
    with pytest.raises(ValidationError, match="conflict of interest"):
        score_all(application, panel_member)
    assert not Application.objects.assigned_to(panel_member).exists()
    # Asking them again does not undo the declaration.
    services.panel_assign(
        application=application, members=[panel_member], officer=officer
    )
    assert not Application.objects.assigned_to(panel_member).exists()


def test_a_conflict_withdraws_the_scores_and_keeps_them(officer, panel_member):
    application = in_review()
    other = panel_user(username="pat")
    services.panel_assign(
        application=application, members=[panel_member, other], officer=officer
    )
    score_all(application, panel_member, value=5)
    score_all(application, other, value=1, entered_by=officer)

    services.conflict_declare(
        application=application, member=other, reason="He is my brother."
    )

    # Every score is still there; the member's two are withdrawn, with when,
    # by whom and why, and nothing reads them as counting.
    assert application.scores.count() == 4
    withdrawn = application.scores.withdrawn()
    assert {(s.member, s.withdrawn_by) for s in withdrawn} == {(other, other)}
    assert withdrawn.count() == 2
    assert all(
        s.withdrawn_at and "conflict of interest" in s.withdrawal_reason
        for s in withdrawn
    )
    assert list(application.scores.current().values_list("score", flat=True)) == [5, 5]
    annotated = Application.objects.with_average_score().get(pk=application.pk)
    assert annotated.average_score == 5
    page = Application.objects.with_panel_and_money().get(pk=application.pk)
    assert {s.member for s in page.current_scores} == {panel_member}
    assert not Application.objects.with_scored_by(other).get().scored
    assert Application.objects.with_scored_by(panel_member).get().scored


def test_a_conflict_can_only_be_declared_before_the_decision(officer, panel_member):
    application = in_review()
    services.panel_assign(
        application=application, members=[panel_member], officer=officer
    )
    score_all(application, panel_member, value=5)
    services.award_make(
        application=application,
        amount=application.amount_requested,
        decided_by=officer,
        reason="The panel liked it.",
        notify=False,
    )

    with pytest.raises(ValidationError, match="only be declared before the decision"):
        services.conflict_declare(
            application=application, member=panel_member, reason="My cousin."
        )

    # The decision's record is untouched: the scores it rested on still count.
    assert application.scores.current().count() == 2
    assert Application.objects.assigned_to(panel_member).exists()


def test_a_score_is_never_deleted(officer, panel_member):
    application = in_review()
    services.panel_assign(
        application=application, members=[panel_member], officer=officer
    )
    score_all(application, panel_member)
    with pytest.raises(ProtectedError, match="protected foreign keys"):
        Application.objects.filter(pk=application.pk).delete()
    with (
        pytest.raises(InternalError, match="score_never_deleted"),
        transaction.atomic(),
    ):
        Score.objects.filter(application=application).delete()
    assert application.scores.count() == 2


def test_a_conflict_needs_a_reason(officer, panel_member):
    application = in_review()
    services.panel_assign(
        application=application, members=[panel_member], officer=officer
    )
    with pytest.raises(ValidationError, match="Say what your conflict of interest is"):
        services.conflict_declare(
            application=application, member=panel_member, reason=" "
        )
    assert Application.objects.assigned_to(panel_member).exists()


def test_paper_scores_entered_by_an_officer_count_the_same(officer, panel_member):
    application = in_review()
    other = panel_user(username="pat")
    services.panel_assign(
        application=application, members=[panel_member, other], officer=officer
    )
    score_all(application, panel_member, value=4)
    score_all(application, other, value=2, entered_by=officer)

    paper = application.scores.filter(member=other)
    assert all(s.on_paper and s.entered_by == officer for s in paper)
    annotated = Application.objects.with_average_score().get(pk=application.pk)
    assert annotated.average_score == 3


def test_only_an_officer_can_enter_scores_for_someone_else(officer, panel_member):
    application = in_review()
    other = panel_user(username="pat")
    services.panel_assign(
        application=application, members=[panel_member, other], officer=officer
    )
    with pytest.raises(ValidationError, match="permission"):
        score_all(application, other, entered_by=panel_member)


# Decisions and money ----------------------------------------------------------


def test_an_award_records_who_decided_why_and_commits_the_money(
    officer, django_capture_on_commit_callbacks
):
    fund = FundFactory(decision_method=Fund.DecisionMethod.PANEL)
    application = in_review(fund=fund)
    application.submitted_at = timezone.now() - datetime.timedelta(days=12)
    application.save()

    with django_capture_on_commit_callbacks(execute=True):
        award = services.award_make(
            application=application,
            amount=Decimal(250),
            decided_by=officer,
            reason="The panel scored it highly.",
        )

    application.refresh_from_db()
    fund.refresh_from_db()
    assert application.status == Application.Status.AWARDED
    assert application.decided_by == officer
    assert application.decision_maker == Application.DecisionMaker.PANEL
    assert application.decision_reason == "The panel scored it highly."
    assert application.days_to_decision == 12
    assert award.amount == Decimal(250)
    assert fund.committed == Decimal(250)
    assert "£250" in mail.outbox[-1].body


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("301", "more than the £300.00 asked for"),
        ("0", "more than £0"),
    ],
)
def test_an_award_is_at_most_the_request(officer, amount, message):
    application = in_review(amount_requested=Decimal(300))
    with pytest.raises(ValidationError, match=message):
        services.award_make(
            application=application,
            amount=Decimal(amount),
            decided_by=officer,
            reason="Yes",
        )
    application.refresh_from_db()
    assert application.status == Application.Status.IN_REVIEW
    assert not Award.objects.exists()


def test_an_award_is_at_most_the_funds_maximum(officer):
    fund = FundFactory(maximum_award=Decimal(500))
    application = in_review(fund=fund, amount_requested=Decimal(400))
    Fund.objects.filter(pk=fund.pk).update(maximum_award=Decimal(200))
    with pytest.raises(ValidationError, match="largest award, £200"):
        services.award_make(
            application=application,
            amount=Decimal(300),
            decided_by=officer,
            reason="Y",
        )


def test_an_award_cannot_pass_the_budget(officer):
    fund = FundFactory(budget=Decimal(500))
    first = in_review(fund=fund, amount_requested=Decimal(400))
    second = in_review(fund=fund, amount_requested=Decimal(400))
    services.award_make(
        application=first, amount=Decimal(400), decided_by=officer, reason="Yes"
    )
    with pytest.raises(ValidationError, match="has £100.00 left"):
        services.award_make(
            application=second, amount=Decimal(400), decided_by=officer, reason="Yes"
        )
    fund.refresh_from_db()
    assert fund.committed == Decimal(400)


def test_declining_needs_a_reason_the_applicant_sees(
    officer, django_capture_on_commit_callbacks
):
    application = in_review()
    with pytest.raises(ValidationError, match="Say why the application is not funded"):
        services.application_decline(
            application=application, decided_by=officer, reason=""
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.application_decline(
            application=application,
            decided_by=officer,
            reason="The fund is for Tuffley.",
        )
    application.refresh_from_db()
    assert application.status == Application.Status.DECLINED
    assert "The fund is for Tuffley." in mail.outbox[-1].body


def test_an_application_is_decided_once(officer):
    application = in_review()
    services.application_decline(
        application=application, decided_by=officer, reason="No"
    )
    with pytest.raises(ValidationError, match="not funded"):
        services.award_make(
            application=application,
            amount=Decimal(100),
            decided_by=officer,
            reason="Y",
        )


def awarded(officer, amount="300", **fund_fields):
    fund = FundFactory(**fund_fields)
    application = in_review(fund=fund, amount_requested=Decimal(amount))
    return services.award_make(
        application=application,
        amount=Decimal(amount),
        decided_by=officer,
        reason="Yes",
    )


def test_payments_reduce_the_balance_and_cannot_pass_the_award(officer):
    award = awarded(officer, "300")
    services.payment_record(
        award=award,
        amount=Decimal(200),
        paid_on=TODAY(),
        method="bank_transfer",
        recorded_by=officer,
    )
    award.refresh_from_db()
    assert award.paid == Decimal(200)
    assert award.balance == Decimal(100)
    with pytest.raises(ValidationError, match="Only £100.00"):
        services.payment_record(
            award=award,
            amount=Decimal(150),
            paid_on=TODAY(),
            method="cheque",
            recorded_by=officer,
        )
    with pytest.raises(ValidationError, match="today or earlier"):
        services.payment_record(
            award=award,
            amount=Decimal(10),
            paid_on=TODAY() + datetime.timedelta(days=1),
            method="cheque",
            recorded_by=officer,
        )
    assert award.payments.count() == 1


def test_money_returned_frees_the_budget(officer):
    award = awarded(officer, "300")
    services.payment_record(
        award=award,
        amount=Decimal(300),
        paid_on=TODAY(),
        method="cheque",
        recorded_by=officer,
    )
    services.repayment_record(
        award=award,
        amount=Decimal(40),
        returned_on=TODAY(),
        reason="Underspent on tea",
        recorded_by=officer,
    )
    award.refresh_from_db()
    award.fund.refresh_from_db()
    assert award.committed == Decimal(260)
    assert award.fund.committed == Decimal(260)
    with pytest.raises(ValidationError, match="Only £260.00"):
        services.repayment_record(
            award=award,
            amount=Decimal(261),
            returned_on=TODAY(),
            reason="",
            recorded_by=officer,
        )


def test_withdrawing_a_grant_releases_what_was_not_paid(officer):
    award = awarded(officer, "300")
    services.payment_record(
        award=award,
        amount=Decimal(100),
        paid_on=TODAY(),
        method="cheque",
        recorded_by=officer,
    )
    services.award_withdraw(
        award=award, reason="The group disbanded.", withdrawn_by=officer
    )
    award.refresh_from_db()
    award.fund.refresh_from_db()
    assert award.is_withdrawn
    assert award.balance == 0
    assert award.fund.committed == Decimal(100)
    with pytest.raises(ValidationError, match="withdrawn"):
        services.payment_record(
            award=award,
            amount=Decimal(1),
            paid_on=TODAY(),
            method="cheque",
            recorded_by=officer,
        )
    # The £100 comes back too when it is returned.
    services.repayment_record(
        award=award,
        amount=Decimal(100),
        returned_on=TODAY(),
        reason="",
        recorded_by=officer,
    )
    award.fund.refresh_from_db()
    assert award.fund.committed == 0


def test_the_end_of_grant_report_is_kept_with_the_grant(officer):
    award = awarded(officer)
    with pytest.raises(ValidationError, match="Tell us what happened"):
        services.report_record(
            award=award, what_happened=" ", people_taken_part=3, may_share=True
        )
    report = services.report_record(
        award=award,
        what_happened="Forty neighbours planted 500 bulbs.",
        people_taken_part=40,
        may_share=True,
        recorded_by=officer,
    )
    story = report.as_story()
    assert story["text"] == "Forty neighbours planted 500 bulbs."
    assert story["people_taken_part"] == 40
    assert award.application.contact_name not in str(story)
    assert list(type(report).objects.shareable()) == [report]


# Concurrency ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_awards_never_pass_the_budget():
    """Fifty officers award £300 at the same moment from a £5,000 fund: each
    thread has its own database connection and transaction. Exactly 16 fit
    (£4,800); the rest are refused; the committed total is exact."""
    officer = UserFactory(role=Role.OFFICER, username="concurrent-officer")
    fund = FundFactory(budget=Decimal(5000), maximum_award=Decimal(500))
    applications = [
        in_review(fund=fund, amount_requested=Decimal(300)) for _ in range(50)
    ]
    barrier = threading.Barrier(50)
    results: list[str] = []
    lock = threading.Lock()

    def award(application):
        try:
            barrier.wait(timeout=30)
            services.award_make(
                application=application,
                amount=Decimal(300),
                decided_by=officer,
                reason="Funded",
            )
            outcome = "awarded"
        except ValidationError:
            outcome = "refused"
        except Exception as error:  # noqa: BLE001 - reported below
            outcome = f"error: {error!r}"
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=award, args=(a,)) for a in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(set(results)) == ["awarded", "refused"], results
    assert results.count("awarded") == 16
    fund.refresh_from_db()
    assert fund.committed == Decimal("4800.00")
    assert Award.objects.filter(fund=fund).count() == 16
    assert sum(a.amount for a in Award.objects.filter(fund=fund)) == Decimal("4800.00")
    assert (
        Application.objects.filter(fund=fund, status=Application.Status.AWARDED).count()
        == 16
    )

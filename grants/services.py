"""Every write to small sparks that is more than a form save.

Each function is keyword-only, atomic and validated: bad input raises
ValidationError with a plain-English message and changes nothing. Any write
that moves a fund's committed total locks the fund's row first (and always
before an application's or an award's), so concurrent awards queue up and
the total can never pass the budget.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.roles import Capability, Role, can, roles_of

from . import tasks
from .models import (
    ZERO,
    Application,
    Award,
    Criterion,
    Fund,
    GrantReport,
    PanelAssignment,
    Payment,
    Repayment,
    Score,
)

# Funds ----------------------------------------------------------------------


@transaction.atomic
def fund_save(
    *,
    fund: Fund,
    criteria: Iterable[str],
    areas: Iterable | None = None,
) -> Fund:
    """Create or change a fund and its scoring criteria (one per line)."""
    titles = [" ".join(t.split()) for t in criteria if t and t.strip()]
    if not titles:
        raise ValidationError(
            {"criteria": "Enter at least one thing the panel will score against."}
        )
    if fund.pk:
        # The committed total is only ever changed under the lock.
        locked = Fund.objects.select_for_update().get(pk=fund.pk)
        fund.committed = locked.committed
    fund.full_clean()
    fund.save()
    if areas is not None:
        fund.areas.set(areas)
    existing = list(fund.criteria.all())
    for position, title in enumerate(titles):
        if position < len(existing):
            criterion = existing[position]
            if criterion.title != title or criterion.position != position:
                criterion.title, criterion.position = title, position
                criterion.save()
        else:
            Criterion.objects.create(fund=fund, title=title, position=position)
    for criterion in existing[len(titles) :]:
        if criterion.scores.exists():
            raise ValidationError(
                {
                    "criteria": f"“{criterion.title}” already has scores, "
                    "so it cannot be removed."
                }
            )
        criterion.delete()
    return fund


# The public application -----------------------------------------------------


def _check_fund_open(fund: Fund) -> None:
    if not fund.is_open():
        raise ValidationError(
            f"{fund.name} is not taking applications at the moment. "
            f"It is open from {fund.opens_on:%-d %B %Y} to {fund.closes_on:%-d %B %Y}."
        )


@transaction.atomic
def application_start(
    *,
    fund: Fund,
    applicant_type: str,
    contact_name: str,
    email: str,
    phone: str = "",
    group_name: str = "",
) -> Application:
    """Begin an application (step one: about you) and email the link that
    lets the applicant come back to it."""
    _check_fund_open(fund)
    application = Application(
        fund=fund,
        applicant_type=applicant_type,
        contact_name=contact_name.strip(),
        email=email.strip(),
        phone=phone.strip(),
        group_name=group_name.strip(),
    )
    _check_about(application)
    application.full_clean()
    application.save()
    _enqueue_email(application, "resume")
    return application


def _check_about(application: Application) -> None:
    if (
        application.applicant_type == Application.ApplicantType.GROUP
        and not application.group_name
    ):
        raise ValidationError({"group_name": "Enter your group's name."})


@transaction.atomic
def application_update(
    *, application: Application, fields: Mapping[str, object]
) -> Application:
    """Save one step of a draft application."""
    application = Application.objects.select_for_update(of=("self",)).get(
        pk=application.pk
    )
    if application.status != Application.Status.DRAFT:
        raise ValidationError(
            "This application has already been sent, so it cannot be changed."
        )
    allowed = {
        "applicant_type",
        "contact_name",
        "email",
        "phone",
        "group_name",
        "title",
        "idea",
        "who_it_helps",
        "people_expected",
        "area",
        "amount_requested",
        "spending_plan",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"Not part of an application: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(application, name, value)
    _check_about(application)
    fund = application.fund
    if (
        "area" in fields
        and application.area is not None
        and not fund.eligible_wards().filter(pk=application.area.pk).exists()
    ):
        raise ValidationError(
            {"area": f"{fund.name} does not cover {application.area.name}."}
        )
    if "amount_requested" in fields and application.amount_requested is not None:
        _check_request(application)
    application.full_clean()
    application.save()
    return application


def _check_request(application: Application) -> None:
    fund = application.fund
    amount = application.amount_requested
    if amount < fund.minimum_award or amount > fund.maximum_award:
        raise ValidationError(
            {
                "amount_requested": f"Ask for between £{fund.minimum_award:,.0f} "
                f"and £{fund.maximum_award:,.0f}."
            }
        )


@transaction.atomic
def application_submit(*, application: Application, notify: bool = True) -> Application:
    """Send a finished application: it gets its submission time and the
    applicant gets an email with the reference number."""
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("fund")
        .get(pk=application.pk)
    )
    if application.status != Application.Status.DRAFT:
        raise ValidationError("This application has already been sent.")
    _check_fund_open(application.fund)
    missing = [step for step, done in application.steps_done().items() if not done]
    if missing:
        names = {
            "about": "about you",
            "idea": "your idea",
            "where": "where it will happen",
            "money": "how much you need",
        }
        raise ValidationError(
            "Finish these parts before you send your application: "
            + ", ".join(names[m] for m in missing)
            + "."
        )
    _check_request(application)
    application.status = Application.Status.SUBMITTED
    application.submitted_at = timezone.now()
    application.full_clean()
    application.save()
    if notify:
        _enqueue_email(application, "submitted")
    return application


# Review -----------------------------------------------------------------------


def _awaiting(application: Application, *statuses: str) -> Application:
    locked = (
        Application.objects.select_for_update(of=("self",))
        .select_related("fund")
        .get(pk=application.pk)
    )
    if locked.status not in statuses:
        raise ValidationError(
            f"This application is {locked.get_status_display().lower()}, "
            "so that cannot be done now."
        )
    return locked


@transaction.atomic
def application_screen(
    *,
    application: Application,
    officer,
    eligible: bool,
    notes: str = "",
    notify: bool = True,
) -> Application:
    """An officer checks eligibility: eligible applications go to review;
    ineligible ones are decided there and then, with the reason."""
    _require(officer, Capability.MANAGE_GRANTS)
    application = _awaiting(application, Application.Status.SUBMITTED)
    notes = notes.strip()
    now = timezone.now()
    application.screened_at = now
    application.screened_by = officer
    application.screening_notes = notes
    if eligible:
        application.status = Application.Status.IN_REVIEW
    else:
        if not notes:
            raise ValidationError({"notes": "Say why the application is not eligible."})
        application.status = Application.Status.INELIGIBLE
        application.decided_at = now
        application.decided_by = officer
        application.decision_maker = Application.DecisionMaker.OFFICER
        application.decision_reason = notes
    application.full_clean()
    application.save()
    if not eligible and notify:
        _enqueue_email(application, "decision")
    return application


@transaction.atomic
def panel_assign(
    *, application: Application, members: Iterable, officer
) -> list[PanelAssignment]:
    """Ask panel members to score an application (adding to any already
    asked; a member who declared a conflict stays off it)."""
    _require(officer, Capability.MANAGE_GRANTS)
    application = _awaiting(
        application, Application.Status.SUBMITTED, Application.Status.IN_REVIEW
    )
    made = []
    for member in members:
        if Role.PANEL not in roles_of(member):
            raise ValidationError(f"{member} is not a panel member.")
        assignment, _ = PanelAssignment.objects.get_or_create(
            application=application,
            member=member,
            defaults={"assigned_by": officer},
        )
        made.append(assignment)
    return made


# Before the decision: a conflict declared afterwards could not undo what the
# member's scores did, and would quietly change the record of it.
OPEN_TO_REVIEW = (Application.Status.SUBMITTED, Application.Status.IN_REVIEW)
CONFLICT_WITHDRAWAL = "Withdrawn: the panel member declared a conflict of interest."


@transaction.atomic
def conflict_declare(
    *, application: Application, member, reason: str
) -> PanelAssignment:
    """A panel member declares a conflict of interest, before the decision:
    they are taken off the application and any scores they gave are
    withdrawn (kept, with when, by whom and why, and no longer counted)."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": "Say what your conflict of interest is, in a few words."}
        )
    application = Application.objects.select_for_update(of=("self",)).get(
        pk=application.pk
    )
    if application.status not in OPEN_TO_REVIEW:
        raise ValidationError(
            "A conflict of interest can only be declared before the decision. "
            f"This application is {application.get_status_display().lower()}: "
            "tell the grants officer instead."
        )
    assignment = (
        PanelAssignment.objects.select_for_update()
        .filter(application=application, member=member)
        .first()
    )
    if assignment is None:
        raise ValidationError("You have not been asked to review this application.")
    if assignment.conflict_declared_at is None:
        assignment.conflict_declared_at = timezone.now()
        assignment.conflict_reason = reason
        assignment.full_clean()
        assignment.save()
    _scores_withdraw(
        Score.objects.current().filter(application=application).given_by(member),
        withdrawn_by=member,
        reason=CONFLICT_WITHDRAWAL,
    )
    return assignment


def _scores_withdraw(scores, *, withdrawn_by, reason: str) -> int:
    """Withdraw scores: never delete them. The rows stay, with when, by whom
    and why; the audit trail records the change."""
    return scores.update(
        withdrawn_at=timezone.now(), withdrawn_by=withdrawn_by, withdrawal_reason=reason
    )


@transaction.atomic
def scores_record(
    *,
    application: Application,
    member,
    scores: Mapping[int, tuple[int, str]],
    entered_by,
) -> list[Score]:
    """Record a panel member's scores, criterion id -> (1 to 5, comment).

    A member enters their own; an officer enters scores given on paper at a
    panel meeting for a member, and those count the same. Scoring again
    changes the scores that count (each change is in the audit trail)."""
    application = _awaiting(application, Application.Status.IN_REVIEW)
    on_paper = entered_by.pk != member.pk
    if on_paper:
        _require(entered_by, Capability.MANAGE_GRANTS)
    if not PanelAssignment.objects.reviewing(application, member).exists():
        if PanelAssignment.objects.filter(
            application=application, member=member
        ).exists():
            raise ValidationError(
                f"{member} declared a conflict of interest, so cannot score "
                "this application."
            )
        raise ValidationError(
            f"{member} has not been asked to review this application."
        )
    criteria = {c.pk: c for c in application.fund.criteria.all()}
    if set(scores) != set(criteria):
        raise ValidationError("Give a score for every criterion.")
    saved = []
    for criterion_id, (value, comment) in scores.items():
        if value not in (1, 2, 3, 4, 5):
            raise ValidationError(
                f"Score “{criteria[criterion_id].title}” from 1 to 5."
            )
        score, _ = Score.objects.current().update_or_create(
            application=application,
            criterion=criteria[criterion_id],
            member=member,
            defaults={
                "score": value,
                "comment": comment.strip(),
                "entered_by": entered_by,
                "on_paper": on_paper,
            },
        )
        saved.append(score)
    return saved


# Decisions and money --------------------------------------------------------


def _lock_fund(fund_id: int) -> Fund:
    return Fund.objects.select_for_update().get(pk=fund_id)


def _decision_maker(fund: Fund) -> str:
    if fund.decision_method == Fund.DecisionMethod.PANEL:
        return Application.DecisionMaker.PANEL
    return Application.DecisionMaker.OFFICER


@transaction.atomic
def award_make(
    *,
    application: Application,
    amount: Decimal,
    decided_by,
    reason: str,
    awarded_on: datetime.date | None = None,
    notify: bool = True,
) -> Award:
    """Award a grant. The fund's row is locked first, so awards made at the
    same moment queue and the committed total never passes the budget."""
    _require(decided_by, Capability.MANAGE_GRANTS)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the application is funded."})
    amount = Decimal(amount)
    fund = _lock_fund(application.fund_id)
    application = _awaiting(application, Application.Status.IN_REVIEW)
    if amount <= 0:
        raise ValidationError({"amount": "The award must be more than £0."})
    if amount > application.amount_requested:
        raise ValidationError(
            {
                "amount": "The award cannot be more than the "
                f"£{application.amount_requested:,} asked for."
            }
        )
    if amount > fund.maximum_award:
        raise ValidationError(
            {
                "amount": "The award cannot be more than the fund's largest "
                f"award, £{fund.maximum_award:,}."
            }
        )
    if fund.committed + amount > fund.budget:
        raise ValidationError(
            {
                "amount": f"{fund.name} has £{fund.remaining:,} left, "
                f"not enough for £{amount:,}."
            }
        )
    now = timezone.now()
    award = Award(
        application=application,
        fund=fund,
        amount=amount,
        committed=amount,
        awarded_on=awarded_on or timezone.localdate(),
    )
    award.full_clean()
    award.save()
    fund.committed += amount
    fund.save(update_fields=["committed"])
    application.status = Application.Status.AWARDED
    application.decided_at = now
    application.decided_by = decided_by
    application.decision_maker = _decision_maker(fund)
    application.decision_reason = reason
    application.full_clean()
    application.save()
    if notify:
        _enqueue_email(application, "decision")
    return award


@transaction.atomic
def application_decline(
    *, application: Application, decided_by, reason: str, notify: bool = True
) -> Application:
    _require(decided_by, Capability.MANAGE_GRANTS)
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {
                "reason": "Say why the application is not funded. The applicant will see this."
            }
        )
    application = _awaiting(application, Application.Status.IN_REVIEW)
    application.status = Application.Status.DECLINED
    application.decided_at = timezone.now()
    application.decided_by = decided_by
    application.decision_maker = _decision_maker(application.fund)
    application.decision_reason = reason
    application.full_clean()
    application.save()
    if notify:
        _enqueue_email(application, "decision")
    return application


def _lock_award(award: Award) -> tuple[Fund, Award]:
    fund = _lock_fund(award.fund_id)
    award = Award.objects.select_for_update().get(pk=award.pk)
    return fund, award


def _recommit(fund: Fund, award: Award) -> None:
    """Bring the award's share of the fund, and so the fund's total, up to
    date after money moved."""
    base = award.paid if award.is_withdrawn else award.amount
    committed = max(base - award.returned, ZERO)
    delta = committed - award.committed
    if delta:
        award.committed = committed
        award.save(update_fields=["committed"])
        fund.committed += delta
        fund.save(update_fields=["committed"])


@transaction.atomic
def payment_record(
    *,
    award: Award,
    amount: Decimal,
    paid_on: datetime.date,
    method: str,
    recorded_by,
) -> Payment:
    _require(recorded_by, Capability.MANAGE_GRANTS)
    _fund, award = _lock_award(award)
    if award.is_withdrawn:
        raise ValidationError("This grant was withdrawn, so nothing more can be paid.")
    amount = Decimal(amount)
    if amount <= 0:
        raise ValidationError({"amount": "The payment must be more than £0."})
    if amount > award.balance:
        raise ValidationError(
            {"amount": f"Only £{award.balance:,} of this grant is left to pay."}
        )
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": "The payment date must be today or earlier."})
    payment = Payment(
        award=award,
        amount=amount,
        paid_on=paid_on,
        method=method,
        recorded_by=recorded_by,
    )
    payment.full_clean()
    payment.save()
    return payment


@transaction.atomic
def repayment_record(
    *,
    award: Award,
    amount: Decimal,
    returned_on: datetime.date,
    reason: str,
    recorded_by,
) -> Repayment:
    """Money given back frees that much of the fund's budget."""
    _require(recorded_by, Capability.MANAGE_GRANTS)
    fund, award = _lock_award(award)
    amount = Decimal(amount)
    if amount <= 0:
        raise ValidationError({"amount": "The amount returned must be more than £0."})
    out = award.paid - award.returned
    if amount > out:
        raise ValidationError(
            {"amount": f"Only £{out:,} has been paid and not returned."}
        )
    if returned_on > timezone.localdate():
        raise ValidationError({"returned_on": "The date must be today or earlier."})
    repayment = Repayment(
        award=award,
        amount=amount,
        returned_on=returned_on,
        reason=reason.strip(),
        recorded_by=recorded_by,
    )
    repayment.full_clean()
    repayment.save()
    _recommit(fund, award)
    return repayment


@transaction.atomic
def award_withdraw(*, award: Award, reason: str, withdrawn_by) -> Award:
    """Withdraw a grant: what is not yet paid goes back to the fund."""
    _require(withdrawn_by, Capability.MANAGE_GRANTS)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the grant is withdrawn."})
    fund, award = _lock_award(award)
    if award.is_withdrawn:
        raise ValidationError("This grant has already been withdrawn.")
    award.withdrawn_at = timezone.now()
    award.withdrawn_by = withdrawn_by
    award.withdrawal_reason = reason
    award.full_clean()
    award.save()
    _recommit(fund, award)
    return award


@transaction.atomic
def report_record(
    *,
    award: Award,
    what_happened: str,
    people_taken_part: int,
    may_share: bool,
    recorded_by=None,
    photo=None,
    photo_description: str = "",
) -> GrantReport:
    """Keep the end-of-grant report with the grant (a second report for the
    same grant replaces the first)."""
    what_happened = what_happened.strip()
    if not what_happened:
        raise ValidationError({"what_happened": "Tell us what happened."})
    if people_taken_part is None or people_taken_part < 0:
        raise ValidationError(
            {"people_taken_part": "Enter how many people took part, like 12."}
        )
    report = GrantReport.objects.filter(award=award).first() or GrantReport(award=award)
    report.what_happened = what_happened
    report.people_taken_part = people_taken_part
    report.may_share = may_share
    report.recorded_by = recorded_by
    report.photo_description = photo_description.strip()
    if photo:
        report.photo = photo
    report.full_clean()
    report.save()
    return report


# Helpers --------------------------------------------------------------------


def _require(user, capability: Capability) -> None:
    if user is None or not can(user, capability):
        raise ValidationError("You do not have permission to do that.")


def _enqueue_email(application: Application, kind: str) -> None:
    application_id = application.pk
    transaction.on_commit(
        lambda: tasks.send_application_email.delay(application_id, kind)
    )

"""Every write about personal data and accounts: the access log, erasure, the
retention schedule and the first officer's account. Each function is keyword-only, validates before it
writes and runs in one transaction."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import pghistory
from django.conf import settings
from django.contrib.auth.models import Group as RoleGroup
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice

from communities.models import Consent, Conversation, Introduction, Resident, User
from core.roles import Role
from core.signals import resident_anonymised
from grants.models import Application

from .models import Erasure, RecordAccess, event_model

ERASED_NAME = "Erased resident"

# What erasure writes over each field that identifies a resident or says
# something about them; everything that is counted (site, ward, gifts and
# interests, connector or not, dates) stays.
RESIDENT_ERASED_VALUES = {
    "first_name": ERASED_NAME,
    "last_name": "",
    "phone": "",
    "email": "",
    "street": "",
    "postcode": "",
    "cares_about": "",
    "would_like_to_do": "",
    "connector_gift": "",
}


@transaction.atomic
def record_access_log(
    *, resident_id: int, user, action: str, path: str = ""
) -> RecordAccess | None:
    """Note that ``user`` opened or exported a resident's record. A resident
    that no longer exists is not logged (the page said so already)."""
    if action not in RecordAccess.Action.values:
        raise ValidationError(f"Unknown record access action: {action}.")
    if not Resident.objects.filter(pk=resident_id).exists():
        return None
    entry = RecordAccess(
        resident_id=resident_id, user=user, action=action, path=path[:300]
    )
    # The resident was found just above and the user is the one signed in:
    # no need to look either up again.
    entry.full_clean(exclude=["resident", "user"])
    entry.save()
    return entry


def totp_device_start(*, user) -> TOTPDevice:
    """The authenticator app ``user`` is setting up: the one not confirmed
    yet, or a new one."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name="Authenticator app", confirmed=False
        )
    return device


@transaction.atomic
def officer_create(
    *, username: str, email: str, first_name: str = "", last_name: str = ""
) -> User:
    """An officer's account with no password yet (``set_password_link`` makes
    the link they choose one with): in the Officer group, and staff, since
    officers set up sites and funds in the admin. Refuses a username or an
    email address another account has, whatever their case."""
    username, email = username.strip(), email.strip()
    first_name, last_name = first_name.strip(), last_name.strip()
    errors: dict[str, list[str]] = {}
    if not username:
        errors["username"] = ["Enter a username"]
    elif len(username) > 150:
        errors["username"] = ["The username must be 150 characters or fewer"]
    else:
        try:
            User.username_validator(username)
        except ValidationError:
            errors["username"] = [
                "A username may only have letters, digits and @ . + - or _ in it"
            ]
    if username and "username" not in errors:
        taken = User.objects.filter(username__iexact=username).first()
        if taken:
            errors["username"] = [
                (
                    f'There is already an account with the username "{taken.username}".'
                    " Choose another username"
                )
            ]
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = ["Enter an email address like name@example.org"]
    else:
        email = User.objects.normalize_email(email)
        holder = User.objects.filter(email__iexact=email).first()
        if holder:
            errors["email"] = [
                (
                    f'{email} is already the email address of the account "'
                    f'{holder.username}". Each officer needs their own address'
                )
            ]
    for name, value in (("first_name", first_name), ("last_name", last_name)):
        if len(value) > 150:
            errors[name] = ["A name must be 150 characters or fewer"]
    officers = RoleGroup.objects.filter(name=Role.OFFICER.label).first()
    if officers is None:
        errors["username"] = errors.get("username", []) + [
            "The Officer group is missing: run python manage.py migrate first"
        ]
    if errors:
        raise ValidationError(errors)
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_staff=True,
    )
    user.set_unusable_password()
    user.save()
    user.groups.add(officers)
    return user


def set_password_link(*, user: User) -> str:
    """The address at which ``user`` chooses a password: it works once (the
    token is made from the password it replaces) and for
    PASSWORD_RESET_TIMEOUT seconds, and starts with SITE_URL."""
    path = reverse(
        "trust:set-password",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return settings.SITE_URL.rstrip("/") + path


def _anonymise_applications(application_ids: list[int]) -> None:
    if not application_ids:
        return
    for pk in application_ids:
        Application.objects.filter(pk=pk).update(
            contact_name=ERASED_NAME, email=f"erased-{pk}@erased.invalid", phone=""
        )
    _scrub_application_events(application_ids)


def _scrub_application_events(application_ids: list[int]) -> None:
    events = event_model("Application").objects.filter(pgh_obj_id__in=application_ids)
    for pk in application_ids:
        events.filter(pgh_obj_id=pk).update(
            contact_name=ERASED_NAME, email=f"erased-{pk}@erased.invalid", phone=""
        )


def _erase(resident: Resident, *, reason: str, erased_by) -> Erasure:
    now = timezone.now()
    pk = resident.pk
    application_ids = list(
        Application.objects.made_with_email(resident.email).values_list("pk", flat=True)
    )
    # The resident's own row, and the audit trail's copies of it.
    Resident.objects.filter(pk=pk).update(**RESIDENT_ERASED_VALUES)
    event_model("Resident").objects.filter(pgh_obj_id=pk).update(
        **RESIDENT_ERASED_VALUES
    )
    # Free text written about them. A conversation's notes may be about
    # several people; they go too, rather than risk keeping theirs.
    involving = Introduction.objects.involving(resident) | Introduction.objects.filter(
        connector=resident
    )
    introduction_ids = list(involving.values_list("pk", flat=True))
    Introduction.objects.filter(pk__in=introduction_ids).update(notes="")
    event_model("Introduction").objects.filter(pgh_obj_id__in=introduction_ids).update(
        notes=""
    )
    Conversation.objects.filter(residents=resident).update(
        what_matters="", follow_up=""
    )
    # They can no longer be contacted, introduced or named.
    Consent.objects.filter(resident=resident, withdrawn_at__isnull=True).update(
        withdrawn_at=now, withdrawn_recorded_by=erased_by
    )
    _anonymise_applications(application_ids)
    erasure = Erasure(resident_id=pk, reason=reason, erased_by=erased_by)
    erasure.full_clean()
    erasure.save()
    # Apps that trust does not read (stories, in evaluation) clear theirs.
    resident_anonymised.send(sender=Resident, resident=resident)
    if erased_by is not None:
        RecordAccess.objects.create(
            resident_id=pk, user=erased_by, action=RecordAccess.Action.ERASED
        )
    return erasure


@transaction.atomic
def resident_erase(*, resident: Resident, erased_by, confirm_name: str) -> Erasure:
    """Anonymise one resident on their request. The officer types the
    resident's name to show they have the right record."""
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    if Erasure.objects.filter(resident=resident).exists():
        raise ValidationError("This resident's record has already been erased.")
    if " ".join(confirm_name.split()).casefold() != str(resident).casefold():
        raise ValidationError(
            {"confirm_name": f"Enter the resident's name exactly: {resident}"}
        )
    with pghistory.context(reason="erasure on request"):
        return _erase(resident, reason=Erasure.Reason.REQUEST, erased_by=erased_by)


# Retention ------------------------------------------------------------------


@dataclass
class RetentionPlan:
    """What the schedule would do (a dry run) or did."""

    residents: list[Resident] = field(default_factory=list)
    draft_applications: list[Application] = field(default_factory=list)
    applied: bool = False

    def lines(self) -> list[str]:
        verb = "Anonymised" if self.applied else "Would anonymise"
        gone = "Deleted" if self.applied else "Would delete"
        out = [
            f"{verb} resident {r.pk} ({r.site}), last active before the cut-off"
            for r in self.residents
        ]
        out += [
            f"{gone} unsent application {a.reference}, last changed {a.updated_at:%-d %B %Y}"
            for a in self.draft_applications
        ]
        return out or ["Nothing is due under the retention schedule."]


def _cutoff(days: int, today: datetime.date | None) -> datetime.date:
    return (today or timezone.localdate()) - datetime.timedelta(days=days)


@transaction.atomic
def retention_apply(
    *, dry_run: bool, today: datetime.date | None = None
) -> RetentionPlan:
    """Apply the retention schedule, or with ``dry_run`` only say what it
    would do. Running it twice does nothing the second time."""
    resident_days = settings.RETENTION_RESIDENT_INACTIVE_DAYS
    draft_days = settings.RETENTION_DRAFT_APPLICATION_DAYS
    residents = (
        Resident.objects.inactive_since(_cutoff(resident_days, today))
        .filter(erasure__isnull=True)
        .select_related("site")
        .order_by("pk")
        if resident_days
        else Resident.objects.none()
    )
    drafts = (
        Application.objects.drafts_untouched_since(
            timezone.make_aware(
                datetime.datetime.combine(_cutoff(draft_days, today), datetime.time.min)
            )
        ).order_by("pk")
        if draft_days
        else Application.objects.none()
    )
    plan = RetentionPlan(residents=list(residents), draft_applications=list(drafts))
    if dry_run:
        return plan
    with pghistory.context(reason="retention schedule"):
        for resident in plan.residents:
            _erase(resident, reason=Erasure.Reason.RETENTION, erased_by=None)
        draft_ids = [a.pk for a in plan.draft_applications]
        Application.objects.filter(pk__in=draft_ids).delete()
        _scrub_application_events(draft_ids)
    plan.applied = True
    return plan

"""The audit trail, the log of who viewed or exported a resident's record,
and the record of each erasure.

Changes are recorded by PostgreSQL triggers (django-pghistory), so a bulk or
queryset ``.update()`` is caught as surely as a form's save. The tracked
models belong to other apps; they are tracked here through proxy models, so
their own apps stay unchanged and the triggers' migrations live in this app.
The resident's proxy is also how this app reads residents with what only it
knows about them (whether they were erased).
"""

from __future__ import annotations

import pghistory
from django.apps import apps
from django.conf import settings
from django.db import models

from communities.models import (
    Consent,
    Introduction,
    Resident,
    ResidentQuerySet,
    ResidentTag,
)
from grants.models import (
    Application,
    Award,
    PanelAssignment,
    Payment,
    Repayment,
    Score,
)


def _audited(name: str):
    # Fresh trackers for each model: a tracker remembers the model it serves.
    return pghistory.track(
        pghistory.InsertEvent(),
        pghistory.UpdateEvent(),
        pghistory.DeleteEvent(),
        model_name=f"{name}Event",
        obj_field=pghistory.ObjForeignKey(related_name="audit_events"),
    )


class AuditedResidentQuerySet(ResidentQuerySet):
    def found_by(self, text: str, *, limit: int = 50):
        """The first ``limit`` residents the words find (see ``search``), in
        name order, with their site and any erasure."""
        return (
            self.search(text)
            .select_related("site", "erasure")
            .order_by("first_name", "last_name", "pk")[:limit]
        )


@_audited("Resident")
class AuditedResident(Resident):
    objects = AuditedResidentQuerySet.as_manager()

    class Meta:
        proxy = True


@_audited("ResidentTag")
class AuditedResidentTag(ResidentTag):
    class Meta:
        proxy = True


@_audited("Consent")
class AuditedConsent(Consent):
    class Meta:
        proxy = True


@_audited("Introduction")
class AuditedIntroduction(Introduction):
    class Meta:
        proxy = True


@_audited("Application")
class AuditedApplication(Application):
    class Meta:
        proxy = True


@_audited("Award")
class AuditedAward(Award):
    class Meta:
        proxy = True


@_audited("Payment")
class AuditedPayment(Payment):
    class Meta:
        proxy = True


@_audited("Repayment")
class AuditedRepayment(Repayment):
    class Meta:
        proxy = True


# The panel's review: who was asked, each conflict of interest declared, and
# every score given, changed or withdrawn.
@_audited("PanelAssignment")
class AuditedPanelAssignment(PanelAssignment):
    class Meta:
        proxy = True


@_audited("Score")
class AuditedScore(Score):
    class Meta:
        proxy = True


class RecordAccessQuerySet(models.QuerySet):
    def about(self, resident):
        return self.filter(resident=resident)


class RecordAccess(models.Model):
    """Someone opened, changed or exported a resident's record."""

    class Action(models.TextChoices):
        VIEWED = "viewed", "Viewed the record"
        EDIT_OPENED = "edit_opened", "Opened the record to change it"
        SUBJECT_ACCESS = "subject_access", "Viewed everything held (subject access)"
        EXPORTED = "exported", "Exported everything held as JSON"
        ERASED = "erased", "Erased the record"

    # Not indexed alone: the first column of an index in Meta below.
    resident = models.ForeignKey(
        Resident, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action)
    path = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = RecordAccessQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["resident", "-at"])]
        verbose_name_plural = "record accesses"

    def __str__(self) -> str:
        return f"{self.user} {self.get_action_display().lower()} at {self.at:%Y-%m-%d %H:%M}"


class ErasureQuerySet(models.QuerySet):
    def of(self, resident):
        return self.filter(resident=resident)

    def recent(self, *, limit: int = 10):
        """The latest erasures, with who erased them."""
        return self.select_related("erased_by")[:limit]


class Erasure(models.Model):
    """A resident whose personal data was removed, on request or by the
    retention schedule. The anonymised row stays so that every count holds."""

    class Reason(models.TextChoices):
        REQUEST = "request", "The resident asked"
        RETENTION = "retention", "No activity for the retention period"

    resident = models.OneToOneField(
        Resident, on_delete=models.PROTECT, related_name="erasure"
    )
    reason = models.CharField(max_length=20, choices=Reason)
    erased_at = models.DateTimeField(auto_now_add=True)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty when the retention schedule erased the record.",
    )

    objects = ErasureQuerySet.as_manager()

    class Meta:
        ordering = ["-erased_at"]

    def __str__(self) -> str:
        return f"Resident {self.resident_id} erased ({self.get_reason_display()})"


def event_model(name: str) -> type[models.Model]:
    """An audit event model (``ResidentEvent``, ``ApplicationEvent``...)."""
    return apps.get_model("trust", f"{name}Event")

"""Emails to applicants, each an HTML and a plain-text pair of templates."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import Application

SUBJECTS = {
    "resume": "Your small sparks application: the link to carry on",
    "submitted": "We have your small sparks application {reference}",
    "decision": "A decision on your small sparks application {reference}",
}
# Which field remembers that an email was sent (the resume link may be sent
# again on request, so it is not remembered).
SENT_FIELD = {
    "submitted": "submitted_email_sent_at",
    "decision": "decision_email_sent_at",
}


def application_link(application: Application) -> str:
    path = reverse("grants:apply-resume", kwargs={"token": application.resume_token()})
    return settings.SITE_URL.rstrip("/") + path


@transaction.atomic
def application_email_send(*, application_id: int, kind: str) -> bool:
    """Send one email to an applicant; False if it was already sent or no
    longer applies."""
    if kind not in SUBJECTS:
        raise ValueError(f"No such email: {kind}")
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("fund", "area")
        .filter(pk=application_id)
        .first()
    )
    if application is None:
        return False
    field = SENT_FIELD.get(kind)
    if field and getattr(application, field):
        return False
    if kind == "decision" and application.decided_at is None:
        return False
    context = {
        "application": application,
        "link": application_link(application),
        "council_name": settings.COUNCIL_NAME,
        "service_name": settings.SERVICE_NAME,
        "award": getattr(application, "award", None)
        if application.status == Application.Status.AWARDED
        else None,
    }
    text = render_to_string(f"grants/email/{kind}.txt", context)
    html = render_to_string(f"grants/email/{kind}.html", context)
    message = EmailMultiAlternatives(
        subject=SUBJECTS[kind].format(reference=application.reference),
        body=text,
        to=[application.email],
    )
    message.attach_alternative(html, "text/html")
    message.send()
    if field:
        setattr(application, field, timezone.now())
        application.save(update_fields=[field])
    return True

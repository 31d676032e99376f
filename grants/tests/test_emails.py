from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from grants.emails import application_email_send, application_link
from grants.models import Application

from .factories import ApplicationFactory, AwardFactory

pytestmark = pytest.mark.django_db


def send(application, kind) -> bool:
    return application_email_send(application_id=application.pk, kind=kind)


def test_the_link_is_the_sites_address_of_the_applications_own_page(settings):
    settings.SITE_URL = "https://sparks.example.gov.uk/"
    application = ApplicationFactory(status=Application.Status.DRAFT)
    link = application_link(application)
    prefix = "https://sparks.example.gov.uk/grants/apply/"
    assert link.startswith(prefix)
    token = link.removeprefix(prefix).removesuffix("/")
    assert Application.objects.from_resume_token(token) == application


def test_the_resume_email_carries_the_link_in_text_and_html():
    application = ApplicationFactory(
        status=Application.Status.DRAFT, email="ada@example.com"
    )
    assert send(application, "resume")
    email = mail.outbox[-1]
    assert email.to == ["ada@example.com"]
    assert email.subject == "Your small sparks application: the link to carry on"
    link = application_link(application)
    assert link in email.body
    html, kind = email.alternatives[0]
    assert kind == "text/html"
    assert link in html


def test_the_resume_link_can_be_sent_again():
    application = ApplicationFactory(status=Application.Status.DRAFT)
    assert send(application, "resume")
    assert send(application, "resume")
    assert len(mail.outbox) == 2


def test_the_submitted_email_is_sent_once_and_remembered():
    application = ApplicationFactory()
    assert send(application, "submitted")
    assert not send(application, "submitted")
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.subject == (
        f"We have your small sparks application {application.reference}"
    )
    assert application.reference in email.body
    application.refresh_from_db()
    assert application.submitted_email_sent_at is not None
    assert application.decision_email_sent_at is None


def test_no_decision_email_before_a_decision():
    application = ApplicationFactory(status=Application.Status.IN_REVIEW)
    assert not send(application, "decision")
    assert mail.outbox == []
    application.refresh_from_db()
    assert application.decision_email_sent_at is None


def test_an_award_email_says_how_much_and_why():
    award = AwardFactory(
        amount=Decimal("275.00"),
        application__decision_reason="Brings the street together.",
    )
    application = award.application
    assert send(application, "decision")
    email = mail.outbox[-1]
    assert email.subject == (
        f"A decision on your small sparks application {application.reference}"
    )
    assert "Good news" in email.body
    assert "£275.00" in email.body
    assert "Why: Brings the street together." in email.body
    application.refresh_from_db()
    assert application.decision_email_sent_at is not None
    assert not send(application, "decision")
    assert len(mail.outbox) == 1


def test_a_decline_email_offers_no_money_even_with_an_award_row():
    # Only an awarded application's email speaks of the award.
    award = AwardFactory(amount=Decimal("275.00"))
    Application.objects.filter(pk=award.application.pk).update(
        status=Application.Status.DECLINED,
        decided_at=timezone.now(),
        decision_reason="Others scored higher.",
    )
    assert send(award.application, "decision")
    body = mail.outbox[-1].body
    assert "will not fund your idea" in body
    assert "£275" not in body
    assert "Why: Others scored higher." in body


def test_an_ineligible_application_is_told_it_cannot_be_funded():
    application = ApplicationFactory(
        status=Application.Status.INELIGIBLE,
        decided_at=timezone.now(),
        decision_reason="A business, not a community group.",
    )
    assert send(application, "decision")
    assert "we cannot fund your idea" in mail.outbox[-1].body


def test_an_application_that_no_longer_exists_gets_no_email():
    application = ApplicationFactory()
    missing = application.pk
    application.delete()
    assert not application_email_send(application_id=missing, kind="submitted")
    assert mail.outbox == []


def test_an_unknown_email_is_a_mistake_not_a_silence():
    application = ApplicationFactory()
    with pytest.raises(ValueError, match="No such email: thanks"):
        send(application, "thanks")
    assert mail.outbox == []

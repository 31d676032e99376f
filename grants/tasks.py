"""Thin, idempotent tasks: load by id, call the email service. A task
delivered twice sends its email once (the application records what it sent)."""

from celery import shared_task

from .emails import application_email_send


@shared_task(ignore_result=True)
def send_application_email(application_id: int, kind: str) -> bool:
    return application_email_send(application_id=application_id, kind=kind)

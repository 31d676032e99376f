import pytest
from django.utils import timezone

from abcd.celery import app
from communities.models import Resident
from trust import tasks
from trust.models import Erasure

from .factories import make_site

pytestmark = pytest.mark.django_db


def test_the_retention_task_is_scheduled_nightly():
    entry = app.conf.beat_schedule["trust-apply-retention"]
    assert entry["task"] == "trust.tasks.apply_retention"
    assert entry["schedule"].hour == {2}


def test_the_retention_task_erases_what_is_due_once(settings):
    settings.RETENTION_RESIDENT_INACTIVE_DAYS = 30
    a = make_site("A")
    old = timezone.now() - timezone.timedelta(days=400)
    quiet = Resident.objects.create(
        first_name="Quiet", site=a.site, created_by=a.builder
    )
    Resident.objects.filter(pk=quiet.pk).update(updated_at=old)

    assert tasks.apply_retention.delay().get() == 1
    assert Erasure.objects.get().resident_id == quiet.pk
    assert tasks.apply_retention.delay().get() == 0
    a.alice.refresh_from_db()
    assert a.alice.first_name == "AliciaA"

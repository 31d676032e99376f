import datetime

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from abcd.celery import app
from communities.models import Conversation
from communities.tests.factories import SiteFactory, UserFactory, WardFactory
from core.roles import Role
from evaluation import indicators, tasks
from evaluation.models import Indicator, Snapshot

pytestmark = pytest.mark.django_db


def test_the_nightly_task_computes_this_month_and_last_month_and_can_run_twice():
    builder = UserFactory(role=Role.BUILDER)
    site = SiteFactory(areas=[WardFactory()], builders=[builder])
    Conversation.objects.create(
        builder=builder, site=site, held_on=timezone.localdate()
    )
    per_month = Indicator.objects.count() * 3

    assert tasks.compute_snapshots.delay().get() == 2 * per_month
    assert tasks.compute_snapshots.delay().get() == 2 * per_month

    this_month = indicators.month_start(timezone.localdate())
    assert Snapshot.objects.count() == 2 * per_month
    assert (
        Snapshot.objects.for_scope()
        .get(indicator__code="conversations", month=this_month)
        .value
        == 1
    )


def test_the_task_recomputes_a_given_month():
    assert (
        tasks.compute_snapshots.delay("2026-03-15").get() == Indicator.objects.count()
    )
    assert set(Snapshot.objects.values_list("month", flat=True)) == {
        datetime.date(2026, 3, 1)
    }


def test_the_snapshots_are_scheduled_nightly():
    entry = app.conf.beat_schedule["evaluation-snapshots"]
    assert entry["task"] == "evaluation.tasks.compute_snapshots"
    assert entry["schedule"].hour == {2}


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_computes_the_snapshots_through_redis():
    """The nightly path as it runs in production: beat's message goes
    through Redis to a worker, which writes the snapshots."""
    builder = UserFactory(role=Role.BUILDER)
    site = SiteFactory(areas=[WardFactory()], builders=[builder])
    Conversation.objects.create(
        builder=builder, site=site, held_on=timezone.localdate()
    )

    app.conf.task_always_eager = False
    try:
        with start_worker(
            app, perform_ping_check=False, pool="solo", shutdown_timeout=10
        ):
            result = tasks.compute_snapshots.delay(timezone.localdate().isoformat())
            stored = result.get(timeout=60)
    finally:
        app.conf.task_always_eager = True

    assert stored == Indicator.objects.count() * 3
    this_month = indicators.month_start(timezone.localdate())
    assert (
        Snapshot.objects.for_scope()
        .get(indicator__code="conversations", month=this_month)
        .value
        == 1
    )

"""The report tasks, on the schedule and through a real Celery worker on
Redis: the end-to-end build, a worker that dies mid-run, and a request made
while the broker is down."""

import datetime
import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import psycopg2
import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connection
from django.utils import timezone

from abcd.celery import app
from communities.tests.factories import UserFactory
from core.dates import financial_year, financial_year_of
from core.roles import Role
from evaluation import report_runs, tasks
from evaluation.models import ReportRun, Snapshot
from evaluation.tests.factories import annual_programme
from evaluation.tests.test_reports import pdf_text

pytestmark = pytest.mark.django_db

CLOSED_PORT = "redis://127.0.0.1:1/0"


def test_the_reports_are_scheduled_in_code():
    schedule = app.conf.beat_schedule
    monthly = schedule["evaluation-monthly-report"]
    assert monthly["task"] == "evaluation.tasks.request_monthly_report"
    assert monthly["schedule"].day_of_month == {1}
    annual = schedule["evaluation-annual-review"]
    assert annual["task"] == "evaluation.tasks.request_annual_review"
    assert annual["schedule"].month_of_year == {4}
    assert annual["schedule"].day_of_month == {1}
    sweep = schedule["evaluation-send-unsent-report-runs"]
    assert sweep["task"] == "evaluation.tasks.send_unsent_report_runs"
    assert len(sweep["schedule"].minute) == 60
    assert schedule["evaluation-snapshots"]["schedule"].hour == {2}


def test_on_the_1st_last_month_s_report_is_asked_for():
    run_id = tasks.request_monthly_report.apply().get()

    run = ReportRun.objects.get(pk=run_id)
    last_month = indicators_last_month()
    assert (run.kind, run.period_start) == (ReportRun.Kind.MONTHLY, last_month)
    assert run.requested_by is None


def indicators_last_month() -> datetime.date:
    first = timezone.localdate().replace(day=1)
    return (first - datetime.timedelta(days=1)).replace(day=1)


def test_after_31_march_the_year_just_ended_is_reviewed():
    run_id = tasks.request_annual_review.apply().get()

    run = ReportRun.objects.get(pk=run_id)
    year = financial_year_of(timezone.localdate()) - 1
    assert (run.period_start, run.period_end) == financial_year(year)
    # Asked again while it is queued: nothing new.
    assert tasks.request_annual_review.apply().get() is None
    assert ReportRun.objects.count() == 1


# Through a real worker --------------------------------------------------------


@contextmanager
def real_broker():
    """Tasks go through Redis, not eagerly, for the length of the block."""
    app.conf.task_always_eager = False
    app.control.purge()
    try:
        yield
    finally:
        app.conf.task_always_eager = True


def use_broker(url: str) -> None:
    app.conf.broker_url = url
    # Forget pooled connections to the broker used before.
    app.amqp._producer_pool = None
    app._pool = None


@contextmanager
def worker_in_thread():
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
        yield


def wait_for(run: ReportRun, condition, timeout: float = 60) -> ReportRun:
    """Poll the run until the condition holds (the wait has a limit so a
    broken worker fails the test rather than hanging it)."""
    deadline = time.monotonic() + timeout
    while True:
        run.refresh_from_db()
        if condition(run):
            return run
        if time.monotonic() > deadline:
            raise AssertionError(f"Run stuck: {run.status} {run.progress}% {run.step}")
        time.sleep(0.2)


def is_done(run):
    """Built, and its email sent (which happens once the build commits)."""
    return run.status == ReportRun.Status.DONE and run.notified_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_builds_the_annual_review_end_to_end(mailoutbox):
    annual_programme()
    officer = UserFactory(role=Role.OFFICER, username="olive")

    with real_broker(), worker_in_thread():
        run = report_runs.report_run_request(
            kind=ReportRun.Kind.ANNUAL, period=2025, requested_by=officer
        )
        wait_for(run, is_done)

    assert run.attempts == 1
    text = pdf_text(run.file.read())
    assert "Community Building annual review 2025/26" in text
    assert "held 7 conversations" in text
    assert "£3,500" in text  # cost per group formed: £21,000 / 6
    assert "Matson" in text
    assert [m.subject for m in mailoutbox] == [
        "Community Building annual review 2025/26: ready"
    ]


@pytest.mark.django_db(transaction=True)
def test_a_request_made_while_redis_is_down_is_sent_by_the_sweep_once():
    annual_programme()
    officer = UserFactory(role=Role.OFFICER, username="olive")
    real = app.conf.broker_url

    with real_broker():
        use_broker(CLOSED_PORT)
        try:
            run = report_runs.report_run_request(
                kind=ReportRun.Kind.ANNUAL, period=2025, requested_by=officer
            )
            run.refresh_from_db()
            # Stored, not lost: queued and waiting to be sent.
            assert (run.status, run.sent_at) == (ReportRun.Status.QUEUED, None)
            assert report_runs.report_runs_sweep() == 0
        finally:
            use_broker(real)

        with worker_in_thread():
            assert tasks.send_unsent_report_runs.apply().get() == 1
            wait_for(run, is_done)
            assert report_runs.report_runs_sweep() == 0

    assert run.sent_at is not None
    assert run.attempts == 1
    assert "held 7 conversations" in pdf_text(run.file.read())


def worker_process(log: Path) -> subprocess.Popen:
    """A Celery worker as production runs it (prefork, one child), against
    the test database and the test Redis."""
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "abcd.settings.test",
        "DATABASE_URL": f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "TEST_REDIS_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "abcd",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
            f"--hostname=reports-test-{uuid.uuid4().hex[:8]}@%h",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


@contextmanager
def snapshots_locked():
    """Hold a lock that stops a build when it writes its first month's
    snapshots, so the test can kill the worker mid-run."""
    db = connection.settings_dict
    lock = psycopg2.connect(
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"],
        port=db["PORT"],
    )
    try:
        with lock.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Snapshot._meta.db_table} IN EXCLUSIVE MODE")
        yield lock
    finally:
        lock.rollback()
        lock.close()


@pytest.mark.django_db(transaction=True)
def test_a_worker_that_dies_mid_run_leaves_the_run_to_be_redelivered_and_done_once(
    tmp_path,
):
    annual_programme()
    officer = UserFactory(role=Role.OFFICER, username="olive")
    log = tmp_path / "worker.log"

    with real_broker():
        worker = worker_process(log)
        try:
            with snapshots_locked() as lock:
                run = report_runs.report_run_request(
                    kind=ReportRun.Kind.ANNUAL, period=2025, requested_by=officer
                )
                wait_for(run, lambda r: r.status == ReportRun.Status.RUNNING)
                assert run.attempts == 1
                # The child running the task dies (as if the machine ran out
                # of memory); the worker's main process stays up.
                (child,) = children(worker.pid)
                os.kill(child, signal.SIGKILL)
                # The message was not acknowledged, so it comes back and a
                # new child starts the run again.
                wait_for(run, lambda r: r.attempts == 2)
                assert run.status == ReportRun.Status.RUNNING
                lock.rollback()
                wait_for(run, is_done)
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()

    output = log.read_text()
    assert "WorkerLostError" in output, output
    assert run.attempts == 2
    assert run.notified_at is not None
    assert "held 7 conversations" in pdf_text(run.file.read())
    # One row per indicator, month and scope: the killed attempt left no
    # half-written month behind.
    assert (
        Snapshot.objects.for_scope()
        .filter(indicator__code="conversations", month=datetime.date(2025, 5, 1))
        .get()
        .value
        == 7
    )

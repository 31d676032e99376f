"""Report runs (evaluation.report_runs): asking for one, building it (and
again), failing safely, the email, the recommendations and publishing."""

import datetime

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from communities.tests.factories import UserFactory
from core.dates import financial_year, financial_year_of
from core.roles import Role
from evaluation import emails, reads, report_runs, reports, tasks
from evaluation.models import ReportRun, Snapshot
from evaluation.tests.factories import annual_programme
from evaluation.tests.test_reports import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def requester():
    return UserFactory(
        role=Role.OFFICER, username="olive", email="olive@example.gov.uk"
    )


def request_annual(django_capture_on_commit_callbacks, requester, year=2025):
    with django_capture_on_commit_callbacks(execute=True):
        run = report_runs.report_run_request(
            kind=ReportRun.Kind.ANNUAL, period=year, requested_by=requester
        )
    run.refresh_from_db()
    return run


def test_a_requested_run_is_sent_once_it_commits_and_built(
    django_capture_on_commit_callbacks, requester
):
    annual_programme()

    run = request_annual(django_capture_on_commit_callbacks, requester)

    assert run.status == ReportRun.Status.DONE
    assert run.sent_at is not None
    assert (run.period_start, run.period_end) == financial_year(2025)
    assert run.progress == 100
    assert run.attempts == 1
    assert run.file.name.endswith(".pdf")
    assert run.file.storage.exists(run.file.name)
    assert run.figures["numbers"]
    # Every month of the year was worked out again from the records.
    assert (
        Snapshot.objects.for_scope()
        .filter(
            month__gte=datetime.date(2025, 4, 1), month__lte=datetime.date(2026, 3, 1)
        )
        .values("month")
        .distinct()
        .count()
        == 12
    )


def test_the_requester_is_emailed_once_when_the_run_is_done(
    django_capture_on_commit_callbacks, requester
):
    run = request_annual(django_capture_on_commit_callbacks, requester)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["olive@example.gov.uk"]
    assert message.subject == "Community Building annual review 2025/26: ready"
    assert f"/evaluation/reports/runs/{run.pk}/" in message.body
    assert message.alternatives[0][1] == "text/html"
    assert not emails.report_run_notify(run_id=run.pk)
    assert len(mail.outbox) == 1


def test_a_scheduled_run_emails_every_officer(django_capture_on_commit_callbacks):
    UserFactory(role=Role.OFFICER, username="o1", email="o1@example.gov.uk")
    UserFactory(role=Role.OFFICER, username="o2", email="o2@example.gov.uk")
    UserFactory(role=Role.CABINET, username="c1", email="c1@example.gov.uk")
    with django_capture_on_commit_callbacks(execute=True):
        report_runs.report_run_request(
            kind=ReportRun.Kind.MONTHLY, period=datetime.date(2026, 10, 5)
        )

    to = mail.outbox[0].to
    assert {"o1@example.gov.uk", "o2@example.gov.uk"} <= set(to)
    assert "c1@example.gov.uk" not in to


def test_a_scheduled_run_emails_whoever_runs_reports_once_each(
    django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    officer = UserFactory(role=Role.OFFICER, username="o1")
    officer.groups.add(*UserFactory(role=Role.CABINET, username="c1").groups.all())
    UserFactory(role=Role.OFFICER, username="gone", is_active=False)
    UserFactory(role=Role.OFFICER, username="no-email", email="")
    UserFactory(role=Role.BUILDER, username="b1")
    UserFactory(username="admin", is_superuser=True)
    with django_capture_on_commit_callbacks(execute=True):
        run = report_runs.report_run_request(
            kind=ReportRun.Kind.MONTHLY, period=datetime.date(2026, 10, 5)
        )
    run.refresh_from_db()

    # A superuser holds the officer's role (core.roles).
    assert mail.outbox[0].to == ["admin@example.gov.uk", "o1@example.gov.uk"]
    with django_assert_max_num_queries(1):
        reads.report_run_recipients(run)


def test_a_second_delivery_of_a_done_run_does_nothing(
    django_capture_on_commit_callbacks, requester
):
    run = request_annual(django_capture_on_commit_callbacks, requester)
    finished = run.finished_at

    assert tasks.build_report.delay(run.pk).get() == ReportRun.Status.DONE

    run.refresh_from_db()
    assert run.attempts == 1
    assert run.finished_at == finished


def test_running_a_period_again_replaces_its_output(
    django_capture_on_commit_callbacks, requester
):
    annual_programme()
    first = request_annual(django_capture_on_commit_callbacks, requester)
    old_file = first.file.name

    second = request_annual(django_capture_on_commit_callbacks, requester)

    assert second.pk == first.pk
    assert ReportRun.objects.count() == 1
    assert second.status == ReportRun.Status.DONE
    assert second.file.storage.exists(second.file.name)
    assert second.file.name == old_file or not first.file.storage.exists(old_file)


def test_a_run_already_being_built_is_not_asked_for_twice(requester):
    run = report_runs.report_run_prepare(
        kind=ReportRun.Kind.ANNUAL, period=2025, requested_by=requester
    )

    with pytest.raises(ValidationError, match="already being built"):
        report_runs.report_run_request(
            kind=ReportRun.Kind.ANNUAL, period=2025, requested_by=requester
        )
    assert ReportRun.objects.get().requested_at == run.requested_at


def test_a_run_stuck_for_hours_may_be_asked_for_again(requester):
    run = report_runs.report_run_prepare(kind=ReportRun.Kind.ANNUAL, period=2025)
    long_ago = timezone.now() - datetime.timedelta(hours=3)
    ReportRun.objects.filter(pk=run.pk).update(
        status=ReportRun.Status.RUNNING, sent_at=long_ago, started_at=long_ago
    )

    again = report_runs.report_run_prepare(
        kind=ReportRun.Kind.ANNUAL, period=2025, requested_by=requester
    )

    assert again.pk == run.pk
    assert (again.status, again.sent_at) == (ReportRun.Status.QUEUED, None)


def test_a_period_that_has_not_started_is_refused(requester):
    next_year = financial_year_of(timezone.localdate()) + 1

    with pytest.raises(ValidationError, match="has not started yet"):
        report_runs.report_run_request(
            kind=ReportRun.Kind.ANNUAL, period=next_year, requested_by=requester
        )
    with pytest.raises(ValidationError, match="annual review or a monthly"):
        report_runs.report_run_request(kind="weekly", period=2025)
    assert not ReportRun.objects.exists()


def test_a_failed_build_is_retried_then_marked_failed_keeping_the_old_report(
    django_capture_on_commit_callbacks, requester, monkeypatch
):
    run = request_annual(django_capture_on_commit_callbacks, requester)
    old_figures, old_file = run.figures, run.file.name
    ReportRun.objects.filter(pk=run.pk).update(
        status=ReportRun.Status.FAILED, notified_at=None
    )
    mail.outbox.clear()

    def broken(run):
        raise RuntimeError("The PDF could not be drawn")

    monkeypatch.setattr(reports, "render_pdf", broken)

    # The first failures are retried later, with a growing wait.
    with pytest.raises(Retry, match="The PDF could not be drawn"):
        tasks.build_report.apply(args=[run.pk])
    run.refresh_from_db()
    assert run.status == ReportRun.Status.RUNNING
    assert not mail.outbox

    # The last one marks the run failed.
    with (
        pytest.raises(RuntimeError, match="The PDF could not be drawn"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        tasks.build_report.apply(args=[run.pk], retries=tasks.REPORT_RETRIES)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.FAILED
    assert run.error == "The PDF could not be drawn"
    assert run.attempts == 3
    # Nothing half-built replaced the report built before.
    assert run.figures == old_figures
    assert run.file.name == old_file
    assert mail.outbox[0].subject.endswith("could not be built")


def test_recommendations_are_written_into_the_pdf(
    django_capture_on_commit_callbacks, requester
):
    run = request_annual(django_capture_on_commit_callbacks, requester)

    report_runs.report_recommendations_save(
        run=run, recommendations="  Agree a third year of funding\n\nOpen two sites \n"
    )

    run.refresh_from_db()
    assert run.recommendations == "Agree a third year of funding\n\nOpen two sites"
    assert "Agree a third year of funding" in pdf_text(run.file.read())


def test_publishing_needs_recommendations_and_a_finished_year(
    django_capture_on_commit_callbacks, requester
):
    run = request_annual(django_capture_on_commit_callbacks, requester)
    with pytest.raises(ValidationError, match="Write the recommendations"):
        report_runs.report_publish(run=run, published_by=requester)

    report_runs.report_recommendations_save(run=run, recommendations="Keep going")
    report_runs.report_publish(run=run, published_by=requester)

    run.refresh_from_db()
    assert run.is_published
    assert list(ReportRun.objects.published()) == [run]
    assert "Draft" not in pdf_text(run.file.read())
    with pytest.raises(ValidationError, match="already published"):
        report_runs.report_publish(run=run, published_by=requester)
    with pytest.raises(ValidationError, match="can no longer change"):
        report_runs.report_recommendations_save(run=run, recommendations="Stop")
    with pytest.raises(ValidationError, match="is published"):
        report_runs.report_run_request(kind=ReportRun.Kind.ANNUAL, period=2025)


def test_a_year_still_running_cannot_be_published(
    django_capture_on_commit_callbacks, requester
):
    this_year = financial_year_of(timezone.localdate())
    run = request_annual(django_capture_on_commit_callbacks, requester, this_year)
    report_runs.report_recommendations_save(run=run, recommendations="Keep going")

    with pytest.raises(ValidationError, match="has not ended yet"):
        report_runs.report_publish(run=run, published_by=requester)
    assert not run.figures["complete"]


def test_a_monthly_report_is_not_published(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = report_runs.report_run_request(
            kind=ReportRun.Kind.MONTHLY, period=datetime.date(2026, 9, 1)
        )
    run.refresh_from_db()

    with pytest.raises(ValidationError, match="Only an annual review"):
        report_runs.report_publish(run=run, published_by=None)


def test_whoever_runs_reports_sees_every_run_cabinet_only_published_reviews(
    django_capture_on_commit_callbacks, requester, cabinet_member, builder
):
    published = request_annual(django_capture_on_commit_callbacks, requester, 2024)
    report_runs.report_recommendations_save(run=published, recommendations="Go on")
    report_runs.report_publish(run=published, published_by=requester)
    draft = request_annual(django_capture_on_commit_callbacks, requester, 2025)
    queued = report_runs.report_run_prepare(
        kind=ReportRun.Kind.MONTHLY, period=datetime.date(2026, 1, 1)
    )

    assert set(ReportRun.objects.visible_to(requester)) == {published, draft, queued}
    assert set(ReportRun.objects.visible_to(requester).built()) == {published, draft}
    assert list(ReportRun.objects.visible_to(cabinet_member)) == [published]
    assert not ReportRun.objects.visible_to(builder).exists()


def test_a_run_someone_may_not_open_cannot_be_changed_or_published_by_them(
    django_capture_on_commit_callbacks, requester, cabinet_member
):
    run = request_annual(django_capture_on_commit_callbacks, requester)

    with pytest.raises(ValidationError, match="no such report run"):
        report_runs.report_recommendations_save(
            run=run, recommendations="Stop", written_by=cabinet_member
        )
    with pytest.raises(ValidationError, match="no such report run"):
        report_runs.report_publish(run=run, published_by=cabinet_member)

    run.refresh_from_db()
    assert (run.recommendations, run.published_at) == ("", None)

"""The reports pages: cabinet reads published reviews only and no page with
personal data; officers build, follow, write recommendations and publish."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from communities.tests.factories import ResidentFactory
from core.dates import financial_year_of
from evaluation import report_runs
from evaluation.models import ReportRun
from evaluation.tests.factories import StoryFactory, annual_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(django_capture_on_commit_callbacks):
    """The 2025/26 review, built (not published)."""
    annual_programme()
    with django_capture_on_commit_callbacks(execute=True):
        run = report_runs.report_run_request(kind=ReportRun.Kind.ANNUAL, period=2025)
    run.refresh_from_db()
    return run


@pytest.fixture
def published(built):
    report_runs.report_recommendations_save(run=built, recommendations="Keep going")
    return report_runs.report_publish(run=built, published_by=None)


def test_cabinet_reads_a_published_review_on_the_web_and_as_a_pdf(
    client, cabinet_member, published
):
    client.force_login(cabinet_member)

    home = client.get(reverse("evaluation:reports"))
    assert published.title in home.text
    assert "Report runs" not in home.text

    page = client.get(reverse("evaluation:report", args=[published.pk]))
    assert page.status_code == 200
    assert "held 7 conversations" in page.text
    assert "Keep going" in page.text
    assert "Draft" not in page.text
    # The trend charts are drawn, not shown as text.
    assert '<svg class="abcd-chart"' in page.text
    assert "&lt;svg" not in page.text

    pdf = client.get(reverse("evaluation:report-pdf", args=[published.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_cabinet_cannot_open_an_unpublished_review_or_any_run(
    client, cabinet_member, built
):
    client.force_login(cabinet_member)

    assert client.get(reverse("evaluation:report", args=[built.pk])).status_code == 404
    assert (
        client.get(reverse("evaluation:report-pdf", args=[built.pk])).status_code == 404
    )
    for name in ("report-run", "report-run-status", "report-recommendations"):
        assert (
            client.get(reverse(f"evaluation:{name}", args=[built.pk])).status_code
            == 403
        )
    assert client.get(reverse("evaluation:report-runs")).status_code == 403
    assert (
        client.post(reverse("evaluation:report-publish", args=[built.pk])).status_code
        == 403
    )


def test_cabinet_sees_no_page_with_personal_data(client, cabinet_member):
    resident = ResidentFactory(first_name="Maureen")
    story = StoryFactory(resident=resident)
    client.force_login(cabinet_member)

    for url in (
        reverse("communities:resident-list"),
        reverse("communities:resident-detail", args=[resident.pk]),
        reverse("evaluation:story", args=[story.pk]),
        reverse("evaluation:dashboard"),
        reverse("evaluation:surveys"),
    ):
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert "Maureen" not in response.text


def test_an_officer_asks_for_a_run_and_follows_it(
    client, officer, django_capture_on_commit_callbacks
):
    client.force_login(officer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("evaluation:report-runs"), {"kind": "annual", "year": "2025"}
        )

    run = ReportRun.objects.get()
    assert response.url == reverse("evaluation:report-run", args=[run.pk])
    assert run.requested_by == officer
    status = client.get(reverse("evaluation:report-run-status", args=[run.pk])).json()
    assert status == {
        "state": "done",
        "state_label": "Done",
        "finished": True,
        "processed": 100,
        "total": 100,
        "percent": 100,
        "message": "Done: 100% done. Done",
        "url": reverse("evaluation:report-run", args=[run.pk]),
    }
    page = client.get(response.url)
    assert "Read the report" in page.text
    assert "Publish for cabinet" in page.text


def test_a_run_page_that_is_not_finished_follows_its_progress(client, officer):
    run = report_runs.report_run_prepare(kind=ReportRun.Kind.ANNUAL, period=2025)
    client.force_login(officer)

    page = client.get(reverse("evaluation:report-run", args=[run.pk]))

    assert 'aria-live="polite"' in page.text
    assert "Queued: 0% done." in page.text
    status_url = reverse("evaluation:report-run-status", args=[run.pk])
    assert f'data-progress-url="{status_url}"' in page.text
    assert "abcd/progress.js" in page.text
    assert client.get(status_url).json() == {
        "state": "queued",
        "state_label": "Queued",
        "finished": False,
        "processed": 0,
        "total": 100,
        "percent": 0,
        "message": "Queued: 0% done. Waiting for a worker",
        "url": reverse("evaluation:report-run", args=[run.pk]),
    }
    assert client.get(reverse("evaluation:report", args=[run.pk])).status_code == 404


def test_a_request_without_its_period_is_refused_and_changes_nothing(client, officer):
    client.force_login(officer)

    response = client.post(reverse("evaluation:report-runs"), {"kind": "monthly"})

    assert response.status_code == 200
    assert "Error: Report runs" in response.text
    assert "Choose the month" in response.text
    assert not ReportRun.objects.exists()


def test_a_second_request_for_a_run_being_built_is_refused(client, officer):
    report_runs.report_run_prepare(kind=ReportRun.Kind.ANNUAL, period=2025)
    client.force_login(officer)

    response = client.post(
        reverse("evaluation:report-runs"), {"kind": "annual", "year": "2025"}
    )

    assert "is already being built" in response.text
    assert ReportRun.objects.count() == 1


def test_an_officer_writes_recommendations_then_publishes(client, officer, built):
    client.force_login(officer)

    response = client.post(
        reverse("evaluation:report-recommendations", args=[built.pk]),
        {"recommendations": "Fund a fourth site"},
    )
    assert response.url == reverse("evaluation:report-run", args=[built.pk])
    client.post(reverse("evaluation:report-publish", args=[built.pk]))

    built.refresh_from_db()
    assert built.is_published
    assert built.published_by == officer
    assert built.recommendations == "Fund a fourth site"


def test_publishing_without_recommendations_says_why(client, officer, built):
    client.force_login(officer)

    response = client.post(
        reverse("evaluation:report-publish", args=[built.pk]), follow=True
    )

    assert "Write the recommendations before publishing." in response.text
    built.refresh_from_db()
    assert not built.is_published


def test_the_reports_page_reads_in_a_fixed_number_of_queries(
    client, cabinet_member, published, django_assert_max_num_queries
):
    client.force_login(cabinet_member)
    with django_assert_max_num_queries(12):
        client.get(reverse("evaluation:reports"))


# build_report ---------------------------------------------------------------


def test_build_report_builds_synchronously_and_prints_the_pdf_path(capsys):
    annual_programme()

    call_command("build_report", "annual", "--year", "2025")

    path = capsys.readouterr().out.strip()
    run = ReportRun.objects.get()
    assert path == run.file.path
    assert path.endswith(".pdf")
    assert run.status == ReportRun.Status.DONE
    assert (run.period_start, run.period_end) == (
        datetime.date(2025, 4, 1),
        datetime.date(2026, 3, 31),
    )
    # Built here: the sweep has nothing to send.
    assert report_runs.report_runs_sweep() == 0


def test_build_report_for_a_year_in_progress_says_so_so_far(capsys):
    year = financial_year_of(timezone.localdate())
    call_command("build_report", "annual", "--year", str(year))

    run = ReportRun.objects.get()
    assert run.period_start == datetime.date(year, 4, 1)
    assert run.figures["complete"] is False


def test_build_report_refuses_bad_input():
    with pytest.raises(CommandError, match="--year"):
        call_command("build_report", "annual")
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("build_report", "monthly", "--month", "October")
    with pytest.raises(CommandError, match="has not started yet"):
        call_command("build_report", "annual", "--year", "2099")
    assert not ReportRun.objects.exists()

"""Reports in a real browser, every page checked with axe: an officer builds
the annual review, follows a run that updates itself, writes the
recommendations and publishes; cabinet reads the review on a phone."""

import pytest
from playwright.sync_api import expect

from core.roles import Role
from evaluation import report_runs
from evaluation.models import ReportRun
from evaluation.tests.factories import annual_programme

from .conftest import fits_a_phone, sign_in

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("evaluation_framework"),
]


def test_an_officer_builds_writes_recommendations_and_publishes_the_review(
    page, live_server, make_user
):
    annual_programme()
    make_user(Role.OFFICER, username="olive")
    sign_in(page, live_server, "olive")
    page.axe()

    page.goto(f"{live_server.url}/evaluation/reports/")
    page.axe()
    page.get_by_role("link", name="Report runs").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report runs")
    page.axe()

    # Forgetting the period is refused with a clear message.
    page.get_by_role("radio", name="Monthly programme report").check()
    page.get_by_role("button", name="Build the report").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the month")
    page.axe()

    page.get_by_role("radio", name="Annual review").check()
    page.get_by_label("Financial year (for the annual review)").select_option("2025")
    # Tasks run eagerly here, so this request builds the whole review (twelve
    # months of snapshots and the PDF) before it answers: with the suite's
    # other process busy that has come close to the default 10 s.
    page.get_by_role("button", name="Build the report").click(timeout=30_000)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Community Building annual review 2025/26"
    )
    expect(page.locator("#run-status")).to_have_text("Done")
    page.axe()

    page.get_by_role("link", name="Read the report").click()
    expect(page.get_by_text("held 7 conversations")).to_be_visible()
    expect(page.get_by_text("Draft: cabinet cannot see this review")).to_be_visible()
    page.axe()
    page.get_by_role("link", name="Back").click()
    page.axe()

    page.get_by_role("link", name="Write the recommendations").click()
    page.axe()
    page.get_by_label("Recommendations").fill(
        "Agree a second year of funding\nOpen a fourth site"
    )
    page.get_by_role("button", name="Save recommendations").click()
    expect(
        page.locator(".govuk-notification-banner, .moj-banner").first
    ).to_be_visible()
    page.axe()
    page.get_by_role("button", name="Publish for cabinet").click()
    expect(page.get_by_text("The review is published")).to_be_visible()
    page.axe()
    assert ReportRun.objects.published().count() == 1


def test_the_run_page_follows_the_run_until_it_is_done(page, live_server, make_user):
    annual_programme()
    make_user(Role.OFFICER, username="olive")
    run = report_runs.report_run_prepare(kind=ReportRun.Kind.ANNUAL, period=2025)
    sign_in(page, live_server, "olive")
    page.axe()

    page.goto(f"{live_server.url}/evaluation/reports/runs/{run.pk}/")
    expect(page.get_by_role("status")).to_contain_text("Queued")
    page.axe()

    # A worker builds it while the page is open: the page notices by itself.
    report_runs.report_run_build(run_id=run.pk, notify=False)
    expect(page.get_by_role("link", name="Read the report")).to_be_visible(
        timeout=15_000
    )
    page.axe()


def test_cabinet_reads_the_published_review_on_a_phone(
    phone_page, live_server, make_user, django_capture_on_commit_callbacks
):
    page = phone_page
    annual_programme()
    run = report_runs.report_run_prepare(kind=ReportRun.Kind.ANNUAL, period=2025)
    run = report_runs.report_run_build(run_id=run.pk, notify=False)
    report_runs.report_recommendations_save(run=run, recommendations="Keep going")
    report_runs.report_publish(run=run, published_by=None)
    make_user(Role.CABINET, username="carol")

    sign_in(page, live_server, "carol")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    page.axe()
    fits_a_phone(page)
    expect(page.get_by_role("link", name="Report runs")).to_have_count(0)

    page.get_by_role("link", name="Community Building annual review 2025/26").click()
    expect(page.get_by_role("heading", name="1. Summary")).to_be_visible()
    expect(page.get_by_text("Keep going")).to_be_visible()
    page.axe()
    fits_a_phone(page)

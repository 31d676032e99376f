"""A report's PDF is stored under a random name and leaves the server only
through ReportPdfView, which checks who asks."""

import datetime
import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from evaluation.models import ReportRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def monthly(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    run = ReportRun.objects.create(
        kind=ReportRun.Kind.MONTHLY,
        period_start=datetime.date(2025, 10, 1),
        period_end=datetime.date(2025, 10, 31),
        status=ReportRun.Status.DONE,
        requested_at=timezone.now(),
    )
    run.file.save(run.file_name, ContentFile(b"%PDF-1.7 report"), save=True)
    return run


def test_the_pdf_is_stored_under_a_name_nobody_can_guess(monthly):
    assert re.fullmatch(r"reports/[0-9a-f]{32}\.pdf", monthly.file.name)
    assert "2025-10" not in monthly.file.name


def test_an_officer_downloads_the_pdf_under_its_readable_name(client, officer, monthly):
    client.force_login(officer)
    response = client.get(reverse("evaluation:report-pdf", args=[monthly.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert 'filename="programme-report-2025-10.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"%PDF-1.7 report"


def test_nobody_without_the_right_fetches_the_pdf(
    client, builder, cabinet_member, monthly
):
    url = reverse("evaluation:report-pdf", args=[monthly.pk])
    assert client.get(url).url.startswith(reverse("login"))
    client.force_login(builder)
    assert client.get(url).status_code == 403
    # Cabinet reads published annual reviews only: a monthly report is not
    # there for them.
    client.force_login(cabinet_member)
    assert client.get(url).status_code == 404


def test_a_pdf_missing_from_storage_is_not_found(client, officer, monthly):
    monthly.file.storage.delete(monthly.file.name)
    client.force_login(officer)
    url = reverse("evaluation:report-pdf", args=[monthly.pk])
    assert client.get(url).status_code == 404

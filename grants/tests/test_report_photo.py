"""The end-of-grant report's photo: stored under a random name and shown only
to an officer, through a view that checks who asks."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from grants import services
from grants.tests.factories import AwardFactory

pytestmark = pytest.mark.django_db


def png(name: str = "Winifred at the planters.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), "green").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def reported(settings, tmp_path, officer):
    settings.MEDIA_ROOT = tmp_path
    award = AwardFactory()
    services.report_record(
        award=award,
        what_happened="We planted six planters.",
        people_taken_part=12,
        photo=png(),
        photo_description="Neighbours planting herbs",
        may_share=True,
        recorded_by=officer,
    )
    award.report.refresh_from_db()
    return award


def test_the_photo_is_stored_under_a_name_nobody_can_guess(reported):
    name = reported.report.photo.name
    assert re.fullmatch(r"grants/reports/[0-9a-f]{32}\.png", name)
    assert reported.application.reference not in name


def test_an_officer_sees_the_photo_through_the_checking_view(client, officer, reported):
    url = reverse("grants:report-photo", args=[reported.application.pk])
    client.force_login(officer)
    page = client.get(reverse("grants:application", args=[reported.application.pk]))
    assert f'src="{url}"' in page.text
    assert "/media/" not in page.text
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert reported.report.as_story()["photo"] == url


def test_nobody_else_fetches_the_photo(client, make_user, panel_member, reported):
    url = reverse("grants:report-photo", args=[reported.application.pk])
    assert client.get(url).url.startswith(reverse("login"))
    for person in (panel_member, make_user(None, username="nobody")):
        client.force_login(person)
        assert client.get(url).status_code == 403


def test_no_report_or_no_photo_is_not_found(client, officer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(officer)
    award = AwardFactory()
    url = reverse("grants:report-photo", args=[award.application.pk])
    assert client.get(url).status_code == 404
    services.report_record(
        award=award,
        what_happened="No photo.",
        people_taken_part=3,
        may_share=False,
        recorded_by=officer,
    )
    assert client.get(url).status_code == 404
    assert client.get(reverse("grants:report-photo", args=[999999])).status_code == 404

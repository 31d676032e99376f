"""The end-of-grant report's photo, on the application page an officer
reads: loaded through the view that checks who asks, at phone and desk
widths."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from playwright.sync_api import expect

from core.roles import Role
from grants import services
from grants.tests.factories import AwardFactory

from .conftest import fits_a_phone, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path("/work/shots/deploy")


def test_an_officer_sees_the_report_photo_through_the_checking_view(
    page, live_server, make_user, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    make_user(Role.OFFICER, username="olive")
    award = AwardFactory(application__title="Herb planters on Oak Street")
    buffer = io.BytesIO()
    Image.new("RGB", (600, 400), (0, 112, 60)).save(buffer, format="PNG")
    services.report_record(
        award=award,
        what_happened="We planted six planters with 30 neighbours.",
        people_taken_part=30,
        may_share=True,
        photo=SimpleUploadedFile("planters.png", buffer.getvalue(), "image/png"),
        photo_description="Neighbours planting herbs in wooden planters",
    )
    url = f"{live_server.url}/grants/applications/{award.application.pk}/"

    sign_in(page, live_server, "olive")
    page.axe()
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1366, 900), (375, 800)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(url)
        page.axe()
        photo = page.get_by_role(
            "img", name="Neighbours planting herbs in wooden planters"
        )
        expect(photo).to_be_visible()
        assert photo.evaluate("img => img.naturalWidth") == 600
        assert "/report/photo/" in photo.get_attribute("src")
        photo.scroll_into_view_if_needed()
        page.screenshot(path=SHOTS / f"report-photo-{width}.png", full_page=True)
    fits_a_phone(page)

    # The page names no media address (the live test server itself would
    # serve MEDIA_URL; make smoke shows the production server does not).
    assert "/media/" not in page.content()

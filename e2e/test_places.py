"""An officer sets up a council's places in the browser: wards, then
deprivation, each with its report, then the wards table."""

import os
from pathlib import Path

from playwright.sync_api import expect

from communities.tests.test_places import RANKS, TOTAL, file_1, lsoas_2021, wards_2023
from core.roles import Role

from .conftest import fits_a_phone, sign_in

SHOTS = os.environ.get("ABCD_SHOTS_DIR", "")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_an_officer_loads_a_council_s_wards_and_deprivation(
    page, phone_page, live_server, make_user, tmp_path
):
    wards, lsoas, ranks = (
        tmp_path / "wards.geojson",
        tmp_path / "lsoas.geojson",
        tmp_path / "File_1.csv",
    )
    wards.write_text(wards_2023())
    lsoas.write_text(lsoas_2021())
    ranks.write_text(file_1(RANKS, TOTAL))
    make_user(Role.OFFICER, username="olivia")
    sign_in(page, live_server, "olivia")
    page.axe()
    page.get_by_role("link", name="Places").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your council’s places")
    page.axe()

    page.get_by_role("link", name="Load ward boundaries").click()
    page.axe()
    page.get_by_role("button", name="Load the wards").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "This field is required"
    )
    page.axe()
    page.get_by_label("Ward boundaries (GeoJSON)").set_input_files(str(wards))
    page.get_by_role("button", name="Load the wards").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ward boundaries loaded")
    expect(page.get_by_text("4 wards added, 0 updated, 0 unchanged.")).to_be_visible()
    page.axe()
    shot(page, "places-wards-report-1366")

    page.get_by_role("link", name="Back to your council’s places").click()
    page.axe()
    page.get_by_role("link", name="Load deprivation").click()
    page.axe()
    page.get_by_label("LSOA boundaries (GeoJSON)").set_input_files(str(lsoas))
    page.get_by_label("Deprivation ranks (CSV)").set_input_files(str(ranks))
    page.get_by_role("button", name="Load deprivation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Deprivation loaded")
    page.axe()

    page.get_by_role("link", name="See the wards and their deprivation").click()
    table = page.get_by_role("table")
    expect(table).to_contain_text("Ward 1")
    expect(table.get_by_role("row").nth(1)).to_contain_text("2 of 4")
    page.axe()
    shot(page, "places-1366")

    sign_in(phone_page, live_server, "olivia")
    phone_page.axe()
    phone_page.goto(f"{live_server.url}/communities/places/")
    phone_page.axe()
    fits_a_phone(phone_page)
    shot(phone_page, "places-375")
    phone_page.goto(f"{live_server.url}/communities/places/deprivation/")
    phone_page.axe()
    fits_a_phone(phone_page)
    shot(phone_page, "places-deprivation-375")

"""The asset map in a real browser, for a visitor and for staff, on a desktop
and a phone; every page checked with axe (WCAG 2.2 AA)."""

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from assets.models import Asset, Category
from assets.tests.factories import AssetFactory
from core.roles import Role
from demo import communities as communities_demo

from .conftest import fits_a_phone, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

OLDHAM = (
    Path(__file__).resolve().parent.parent / "assets/tests/data/oldham_libraries.csv"
)


@pytest.fixture
def demo_wards():
    """The demo's wards with their deprivation, and three assets in them."""
    communities_demo.seed_wards()
    AssetFactory(
        name="Docks Heritage Trail",
        category=Category.CULTURE,
        latitude=51.8620,
        longitude=-2.2505,
        tags=["history"],
    )
    AssetFactory(
        name="Kingsholm Community Garden",
        category=Category.PHYSICAL,
        latitude=51.8740,
        longitude=-2.2400,
    )
    AssetFactory(
        name="Builders' store room",
        category=Category.PHYSICAL,
        latitude=51.8600,
        longitude=-2.2300,
        visibility=Asset.Visibility.STAFF,
    )


def test_a_visitor_sees_public_assets_on_the_map_and_in_the_table(
    page, live_server, demo_wards
):
    page.goto(f"{live_server.url}/assets/map/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Community asset map")
    expect(page.locator("#asset-map")).to_have_attribute("data-loaded", "2")
    expect(page.locator("#map-status")).to_have_text("2 assets are on the map.")
    expect(page.locator(".leaflet-overlay-pane path").first).to_be_attached()
    table = page.locator("table").first
    expect(table).to_contain_text("Docks Heritage Trail")
    expect(table).not_to_contain_text("Builders' store room")
    expect(
        page.get_by_text("Wards shaded by Deprivation (IMD 2019 decile)")
    ).to_be_visible()
    page.axe()

    page.get_by_label("Category", exact=True).select_option("culture")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#asset-map")).to_have_attribute("data-loaded", "1")
    page.axe()

    page.get_by_role("link", name="Docks Heritage Trail").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Docks Heritage Trail")
    page.axe()


def test_staff_see_staff_only_assets_and_add_one(
    page, live_server, demo_wards, make_user
):
    make_user(Role.BUILDER, username="ben")
    sign_in(page, live_server, "ben")
    page.axe()
    page.get_by_role("link", name="Asset map").click()
    expect(page.locator("#asset-map")).to_have_attribute("data-loaded", "3")
    expect(page.locator("table").first).to_contain_text("Builders' store room")
    page.axe()

    page.get_by_role("link", name="Add an asset").click()
    page.axe()
    page.get_by_role("button", name="Save asset").click()
    expect(page).to_have_title(
        f"Error: Add an asset – Community Building – {settings.COUNCIL_NAME}"
    )
    page.axe()

    page.get_by_label("Name").fill("Tredworth Tool Library")
    page.get_by_label("Local economy").check()
    page.get_by_label("Tags").fill("diy, sharing")
    page.get_by_label("Latitude").fill("51.8550")
    page.get_by_label("Longitude").fill("-2.2330")
    page.get_by_role("button", name="Save asset").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tredworth Tool Library")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Barton and Tredworth")
    page.axe()

    page.get_by_role("link", name="Change this asset").click()
    page.axe()
    page.get_by_label("Opening times").fill("Saturdays 10am to noon")
    page.get_by_role("button", name="Save asset").click()
    expect(page.locator(".govuk-summary-list")).to_contain_text(
        "Saturdays 10am to noon"
    )
    page.axe()
    assert Asset.objects.get(name="Tredworth Tool Library").area is not None


def test_the_public_map_works_on_a_phone(phone_page, live_server, demo_wards):
    phone_page.goto(f"{live_server.url}/assets/map/")
    expect(phone_page.locator("#asset-map")).to_have_attribute("data-loaded", "2")
    assert phone_page.locator("#asset-map").bounding_box()["height"] >= 300
    fits_a_phone(phone_page)
    phone_page.axe()


def test_an_officer_imports_the_oldham_libraries(page, live_server, make_user):
    make_user(Role.OFFICER, username="olivia")
    sign_in(page, live_server, "olivia")
    page.axe()
    page.goto(f"{live_server.url}/assets/import/")
    page.axe()
    page.get_by_label("Upload a CSV file").set_input_files(str(OLDHAM))
    page.get_by_role("button", name="Upload file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Match the file's columns"
    )
    page.axe()
    page.get_by_label("Category for rows without one").select_option("institutions")
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import complete")
    expect(page.locator(".govuk-panel__body")).to_have_text("12 assets added")
    page.axe()


def test_a_mapping_session_is_recorded(page, live_server, make_user):
    communities_demo.seed_wards()
    make_user(Role.OFFICER, username="olivia")
    sign_in(page, live_server, "olivia")
    page.axe()
    page.goto(f"{live_server.url}/assets/mapping-sessions/")
    page.axe()
    page.get_by_role("button", name="Record a mapping session").click()
    page.wait_for_url("**/assets/mapping-sessions/new/")
    page.axe()
    page.get_by_label("Name of the session").fill("Matson walk")
    page.get_by_label("Date").fill("2026-03-07")
    page.get_by_label("Ward").select_option(label="Matson and Robinswood")
    page.get_by_label("How many people took part").fill("15")
    page.get_by_role("button", name="Save mapping session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Matson walk")
    page.axe()


def test_the_map_handles_ten_thousand_assets(page, live_server):
    communities_demo.seed_wards()
    Asset.objects.bulk_create(
        Asset(
            name=f"Asset {n}",
            category=Category.PHYSICAL,
            latitude=51.83 + (n % 100) * 0.0006,
            longitude=-2.28 + (n // 100) * 0.0008,
        )
        for n in range(10_000)
    )
    page.goto(f"{live_server.url}/assets/map/")
    # A generous wait: this is about working at all, not about speed.
    expect(page.locator("#asset-map")).to_have_attribute(
        "data-loaded", "10000", timeout=60_000
    )
    expect(page.locator(".marker-cluster").first).to_be_visible()
    expect(page.locator("table").first).to_contain_text("10,000 assets")
    page.axe()


def test_a_background_import_shows_its_progress(page, live_server, make_user):
    from assets import services

    officer = make_user(Role.OFFICER, username="olivia")
    # Queued but not yet picked up by a worker.
    queued = services.asset_import_start(
        file_name="big.csv",
        raw=b"name,category\nHall,physical\nShop,economy\n",
        uploaded_by=officer,
    )
    sign_in(page, live_server, "olivia")
    page.axe()
    page.goto(f"{live_server.url}/assets/import/{queued.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Importing your file")
    expect(page.get_by_role("status")).to_contain_text("0 of 2 rows checked")
    page.axe()

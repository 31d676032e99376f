"""Open data never carries a resident: individuals' gifts are counts, and
no export, map or feed names the person behind one."""

import csv
import io
import json

import pytest

from assets.models import Asset
from communities.models import ResidentTag
from communities.tests.factories import ResidentFactory, TagFactory, WardFactory

from .factories import AssetFactory

pytestmark = pytest.mark.django_db

SECRET_NAME = "Zebedee"
SECRET_SURNAME = "Quintrell-Marsh"


@pytest.fixture
def resident_with_gifts():
    ward = WardFactory(name="Matson")
    cooking = TagFactory(name="cooking")
    residents = [
        ResidentFactory(
            area=ward,
            first_name=SECRET_NAME,
            last_name=SECRET_SURNAME,
            email="zebedee@example.org",
            phone="07700 900123",
        )
        # Five: the public map leaves out any gift fewer than 5 residents share.
        for _ in range(5)
    ]
    for resident in residents:
        ResidentTag.objects.create(resident=resident, tag=cooking, kind="hands")
    return ward


def body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


PUBLIC_URLS = [
    "/assets/map/",
    "/assets/map/assets.geojson",
    "/assets/export/assets.csv",
    "/assets/export/assets.geojson",
    "/assets/openreferral/services/",
]


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_gifts_are_never_shown_as_names(client, resident_with_gifts, url):
    AssetFactory(area=resident_with_gifts)
    text = body(client.get(url))
    for secret in (SECRET_NAME, SECRET_SURNAME, "zebedee@example.org", "07700"):
        assert secret not in text


def test_the_public_map_shows_gift_counts_per_ward(client, resident_with_gifts):
    page = body(client.get("/assets/map/"))
    assert "cooking" in page
    assert "Matson" in page


def test_the_csv_export_has_public_assets_in_the_template_columns(client, officer):
    AssetFactory(name="Park", tags=["walking", "dogs"], mapped_by=officer)
    AssetFactory(name="Hidden hut", visibility=Asset.Visibility.STAFF)

    rows = list(
        csv.DictReader(io.StringIO(body(client.get("/assets/export/assets.csv"))))
    )

    assert [row["name"] for row in rows] == ["Park"]
    assert rows[0]["tags"] == "dogs; walking"
    assert rows[0]["category"] == "physical"
    assert officer.username not in json.dumps(rows)


def test_staff_export_everything_they_can_see(client, officer):
    AssetFactory(name="Park")
    AssetFactory(name="Hidden hut", visibility=Asset.Visibility.STAFF)
    client.force_login(officer)
    names = {
        f["properties"]["name"]
        for f in json.loads(body(client.get("/assets/export/assets.geojson")))[
            "features"
        ]
    }
    assert names == {"Park", "Hidden hut"}


def test_the_geojson_export_keeps_assets_without_a_location(client):
    AssetFactory(name="Story of the docks", latitude=None, longitude=None)
    data = json.loads(body(client.get("/assets/export/assets.geojson")))
    assert data["features"][0]["geometry"] is None
    assert data["features"][0]["properties"]["name"] == "Story of the docks"


def test_csv_cells_that_a_spreadsheet_would_run_are_made_harmless(client):
    AssetFactory(
        name='=HYPERLINK("http://evil.example","Click")',
        latitude=51.8,
        longitude=-2.2,
    )
    rows = list(
        csv.DictReader(io.StringIO(body(client.get("/assets/export/assets.csv"))))
    )
    assert rows[0]["name"].startswith("'=HYPERLINK")
    # Numbers stay numbers.
    assert rows[0]["longitude"] == "-2.2"

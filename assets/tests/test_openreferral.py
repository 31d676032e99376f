import json
from pathlib import Path

import pytest
from django.core.management import call_command
from jsonschema import Draft202012Validator, FormatChecker

from assets import openreferral
from assets.models import Asset, Category

from .factories import AssetFactory

pytestmark = pytest.mark.django_db

SCHEMA = json.loads(openreferral.SCHEMA_PATH.read_text())


def validate(service: dict) -> list[str]:
    """Independent of the app's own helper: the schema, the format checker,
    Draft 2020-12."""
    validator = Draft202012Validator(SCHEMA, format_checker=FormatChecker())
    return [error.message for error in validator.iter_errors(service)]


def test_the_schema_copy_is_the_uk_profile_service_schema():
    assert SCHEMA["name"] == "service"
    assert set(SCHEMA["required"]) == {"id", "name", "status"}


def test_a_full_asset_is_a_valid_oruk_service(officer):
    asset = AssetFactory(
        name="Delph Library",
        category=Category.INSTITUTIONS,
        description="A community run library.",
        address="Millgate, Delph, Oldham",
        postcode="OL3 5JG",
        latitude=53.566674,
        longitude=-2.022852,
        contact_email="delph.library@oldham.gov.uk",
        contact_phone="0161 770 0000",
        website="http://www.oldham.gov.uk/find_a_library",
        opening_times="Tuesdays 10am to 4pm",
        tags=["reading", "digital skills"],
        mapped_by=officer,
    )
    service = openreferral.service_for(asset)

    assert validate(service) == []
    assert service["id"] == str(asset.uuid)
    location = service["service_at_locations"][0]["location"]
    assert location["addresses"][0]["city"] == "Oldham"
    assert location["addresses"][0]["address_1"] == "Millgate, Delph"
    terms = [a["taxonomy_term"]["name"] for a in service["attributes"]]
    assert terms[0] == "Institutions"
    assert sorted(terms[1:]) == ["digital skills", "reading"]
    # Who mapped it is not open data.
    assert officer.username not in json.dumps(service)
    assert officer.last_name not in json.dumps(service)


def test_a_minimal_and_a_closed_asset_are_valid_services():
    bare = AssetFactory(
        description="", address="", postcode="", latitude=None, longitude=None
    )
    closed = AssetFactory(status=Asset.Status.CLOSED, address="Station Road")
    for asset in (bare, closed):
        assert validate(openreferral.service_for(asset)) == []
    assert openreferral.service_for(closed)["status"] == "defunct"


@pytest.mark.parametrize(("town", "city"), [("Anytown", "Anytown"), ("", "")])
def test_an_address_that_names_no_town_takes_the_councils_or_none(settings, town, city):
    """ASSETS_DEFAULT_TOWN, when the council sets one; otherwise the town is
    left blank rather than filled with another council's."""
    settings.ASSETS_DEFAULT_TOWN = town
    asset = AssetFactory(address="Station Road", postcode="")
    service = openreferral.service_for(asset)
    assert validate(service) == []
    address = service["service_at_locations"][0]["location"]["addresses"][0]
    assert (address["address_1"], address["city"]) == ("Station Road", city)


def test_the_command_writes_one_valid_file_per_public_service(tmp_path: Path):
    public = AssetFactory.create_batch(3)
    AssetFactory(visibility=Asset.Visibility.STAFF)

    call_command("export_openreferral", "--output", str(tmp_path / "oruk"))

    files = sorted((tmp_path / "oruk").glob("*.json"))
    assert [f.stem for f in files] == sorted(str(a.uuid) for a in public)
    for file in files:
        assert validate(json.loads(file.read_text())) == []


def test_the_public_endpoint_lists_public_services_only(client):
    public = AssetFactory(name="Park")
    staff_only = AssetFactory(name="Hidden hut", visibility=Asset.Visibility.STAFF)

    listing = client.get("/assets/openreferral/services/").json()
    assert listing["total_items"] == 1
    assert [s["id"] for s in listing["contents"]] == [str(public.uuid)]
    assert all(validate(s) == [] for s in listing["contents"])

    one = client.get(f"/assets/openreferral/services/{public.uuid}/")
    assert one.status_code == 200
    assert validate(one.json()) == []
    hidden = client.get(f"/assets/openreferral/services/{staff_only.uuid}/")
    assert hidden.status_code == 404


def test_the_endpoint_is_read_only(client):
    response = client.post("/assets/openreferral/services/")
    assert response.status_code == 405

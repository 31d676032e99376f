import json
import re
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from communities.tests.factories import WardFactory
from grants import services, threesixty
from grants.models import Application

from .factories import ApplicationFactory, AwardFactory

pytestmark = pytest.mark.django_db


def independent_validator():
    """Built here from the copied schema files, not through the module under
    test, so a mistake there cannot hide a mistake in the data."""
    package = json.loads(
        (threesixty.DATA_DIR / "360giving-package-schema.json").read_text()
    )
    grant = json.loads((threesixty.DATA_DIR / "360giving-schema.json").read_text())
    resource = DRAFT202012.create_resource(grant)
    registry = Registry().with_resource(
        package["properties"]["grants"]["items"]["$ref"], resource
    )
    return Draft202012Validator(
        package, registry=registry, format_checker=FormatChecker()
    )


def make_grants():
    ward = WardFactory(name="Barton and Tredworth", ons_code="E05010950")
    individual = AwardFactory(
        amount=Decimal("250.00"),
        application__contact_name="Mary Pickering",
        application__email="mary@example.com",
        application__title="Mary's street party",
        application__idea="Mary Pickering of 4 Linden Road wants a street party.",
        application__area=ward,
    )
    group = AwardFactory(
        amount=Decimal("480.50"),
        application__applicant_type=Application.ApplicantType.GROUP,
        application__group_name="Linden Road Gardeners",
        application__contact_name="Tom Hughes",
        application__title="Community planters",
        application__area=ward,
    )
    return individual, group


@override_settings(THREESIXTYGIVING_PREFIX="360G-testcouncil")
def test_the_package_validates_with_formats_checked(officer):
    individual, group = make_grants()
    services.payment_record(
        award=group,
        amount=Decimal(200),
        paid_on=timezone.localdate(),
        method="bank_transfer",
        recorded_by=officer,
    )
    package = threesixty.grants_package(download_url="https://example.gov.uk/x.json")

    errors = list(independent_validator().iter_errors(package))
    assert errors == []
    assert threesixty.validation_errors(package) == []
    grants = {g["id"]: g for g in package["grants"]}
    assert set(grants) == {
        f"360G-testcouncil-{individual.application.reference}",
        f"360G-testcouncil-{group.application.reference}",
    }
    paid = grants[f"360G-testcouncil-{group.application.reference}"]
    assert paid["amountAwarded"] == 480.5
    assert paid["amountDisbursed"] == 200
    assert paid["beneficiaryLocation"] == [
        {
            "name": "Barton and Tredworth",
            "countryCode": "GB",
            "geoCode": "E05010950",
            "geoCodeType": "WD",
        }
    ]
    assert paid["recipientOrganization"][0]["name"] == "Linden Road Gardeners"


def test_a_grant_to_an_individual_publishes_no_personal_data():
    make_grants()
    record = next(
        g for g in threesixty.grants_package()["grants"] if "recipientIndividual" in g
    )
    assert record["recipientIndividual"]["name"] == "Individual Recipient"
    assert record["toIndividualsDetails"] == {
        "primaryGrantReason": "GTIR120",
        "grantPurpose": ["GTIP160"],
    }
    assert "recipientOrganization" not in record
    text = json.dumps(record)
    for personal in ("Mary", "Pickering", "mary@example.com", "Linden", "0770"):
        assert personal not in text
    assert record["beneficiaryLocation"][0]["geoCode"] == "E05010950"


def test_a_groups_contact_person_is_not_published():
    make_grants()
    text = json.dumps(threesixty.grants_package())
    assert "Tom Hughes" not in text


def test_the_invalid_is_caught():
    make_grants()
    package = threesixty.grants_package()
    package["grants"][0]["awardDate"] = "yesterday"
    del package["grants"][1]["fundingOrganization"]
    assert len(list(independent_validator().iter_errors(package))) == 2
    assert threesixty.validation_errors(package)


def test_withdrawn_grants_are_not_published(officer):
    individual, group = make_grants()
    services.award_withdraw(award=individual, reason="Moved away", withdrawn_by=officer)
    ids = [g["id"] for g in threesixty.grants_package()["grants"]]
    assert ids == [threesixty.grant_id(group.application)]


def test_the_public_json_needs_no_sign_in(client):
    make_grants()
    response = client.get(reverse("grants:360giving"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    package = response.json()
    assert list(independent_validator().iter_errors(package)) == []
    assert package["downloadURL"].endswith("/grants/360giving.json")


def test_the_export_command_writes_a_valid_file(tmp_path):
    make_grants()
    output = tmp_path / "grants.json"
    call_command("export_360giving", "--output", str(output))
    package = json.loads(output.read_text())
    assert len(package["grants"]) == 2
    assert list(independent_validator().iter_errors(package)) == []


def test_the_export_command_refuses_when_there_is_nothing_to_publish(tmp_path):
    ApplicationFactory()
    with pytest.raises(CommandError, match="no grants to publish"):
        call_command("export_360giving", "--output", str(tmp_path / "x.json"))


def test_the_funder_is_named_by_its_own_identifier_not_the_prefix(settings):
    settings.THREESIXTYGIVING_FUNDER_ID = "GB-LAE-ANY"
    settings.THREESIXTYGIVING_PREFIX = "360G-anytown"
    make_grants()
    package = threesixty.grants_package()
    assert package["publisher"]["identifier"] == "GB-LAE-ANY"
    assert {g["fundingOrganization"][0]["id"] for g in package["grants"]} == {
        "GB-LAE-ANY"
    }
    assert all(g["id"].startswith("360G-anytown-") for g in package["grants"])


NOT_PUBLISHABLE = [
    ("THREESIXTYGIVING_FUNDER_ID", "", "THREESIXTYGIVING_FUNDER_ID is not set"),
    ("THREESIXTYGIVING_FUNDER_ID", "360G-anytown", "a 360Giving prefix"),
    ("THREESIXTYGIVING_FUNDER_ID", "GB-LAE-XXX", "a placeholder"),
    ("THREESIXTYGIVING_PREFIX", "", "THREESIXTYGIVING_PREFIX is not set"),
    ("THREESIXTYGIVING_PREFIX", "360G-example", "a placeholder"),
    ("THREESIXTYGIVING_PREFIX", "GB-LAE-ANY", "not a 360Giving prefix"),
]


@pytest.mark.parametrize(("name", "value", "problem"), NOT_PUBLISHABLE)
def test_the_export_command_writes_nothing_without_the_councils_identifiers(
    settings, tmp_path, name, value, problem
):
    setattr(settings, name, value)
    make_grants()
    output = tmp_path / "grants.json"
    with pytest.raises(CommandError, match=re.escape(problem)):
        call_command("export_360giving", "--output", str(output))
    assert not output.exists()


@pytest.mark.parametrize(("name", "value", "problem"), NOT_PUBLISHABLE)
def test_the_public_json_is_withheld_without_the_councils_identifiers(
    client, settings, caplog, name, value, problem
):
    setattr(settings, name, value)
    make_grants()
    response = client.get(reverse("grants:360giving"))
    assert response.status_code == 503
    assert response.json() == {
        "error": "The grants data is not published yet: the council's 360Giving "
        "identifiers are not set."
    }
    assert problem in caplog.text

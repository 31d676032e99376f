"""Small sparks grants in the 360Giving Data Standard (schema 1.4).

Grants to individuals follow 360Giving's guidance for publishing them: the
recipient is "Individual Recipient" with an identifier that means nothing
outside this file, the title and description are generic (an applicant's own
words may name them), and the location goes no finer than the ward.
Withdrawn grants and applications not funded are not published.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from core import identity

from .models import Application, Award

DATA_DIR = Path(__file__).resolve().parent / "data"
LICENCE = "https://creativecommons.org/licenses/by/4.0/"
# The 360Giving codelists: a grant to an individual for social action, for
# a community project; the location scope of a ward.
INDIVIDUAL_REASON = "GTIR120"
INDIVIDUAL_PURPOSE = "GTIP160"
LOCAL_AREA = "GLS060"


def _number(amount: Decimal) -> int | float:
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def identity_problems() -> list[str]:
    """Why the council's 360Giving identifiers cannot be published (none when
    they can): every export checks before it writes, so a missing or
    placeholder identifier never reaches published data."""
    return identity.publishing_problems(
        funder_id=settings.THREESIXTYGIVING_FUNDER_ID,
        prefix=settings.THREESIXTYGIVING_PREFIX,
    )


def grant_id(application: Application) -> str:
    return f"{settings.THREESIXTYGIVING_PREFIX}-{application.reference}"


def funder() -> dict:
    return {"id": settings.THREESIXTYGIVING_FUNDER_ID, "name": settings.COUNCIL_NAME}


def grant_record(award: Award, *, paid: Decimal, returned: Decimal) -> dict:
    application = award.application
    fund = award.fund
    prefix = settings.THREESIXTYGIVING_PREFIX
    record: dict = {
        "id": grant_id(application),
        "currency": "GBP",
        "amountAppliedFor": _number(application.amount_requested),
        "amountAwarded": _number(award.amount),
        "amountDisbursed": _number(paid - returned),
        "awardDate": award.awarded_on.isoformat(),
        "fundingOrganization": [funder()],
        "grantProgramme": [{"code": f"{prefix}-FUND-{fund.pk}", "title": fund.name}],
        "fromOpenCall": "Yes",
        "locationScope": LOCAL_AREA,
        "dateModified": timezone.localtime(
            application.decided_at or application.updated_at
        ).isoformat(timespec="seconds"),
    }
    if application.applicant_type == Application.ApplicantType.INDIVIDUAL:
        record["title"] = "Small sparks grant to an individual"
        record["description"] = (
            f"A grant from {fund.name} to a resident for a community project."
        )
        record["recipientIndividual"] = {
            "id": f"{prefix}-IND-{application.reference}",
            "name": "Individual Recipient",
        }
        record["toIndividualsDetails"] = {
            "primaryGrantReason": INDIVIDUAL_REASON,
            "grantPurpose": [INDIVIDUAL_PURPOSE],
        }
    else:
        # An informal group has no charity or company number, so it is
        # identified within the council's own prefix. Its contact person is
        # never published.
        record["title"] = application.title
        record["description"] = application.idea
        record["recipientOrganization"] = [
            {
                "id": f"{prefix}-GRP-{application.reference}",
                "name": application.group_name,
            }
        ]
    if application.area is not None:
        location = {"name": application.area.name, "countryCode": "GB"}
        if application.area.ons_code:
            location["geoCode"] = application.area.ons_code
            location["geoCodeType"] = "WD"
        record["beneficiaryLocation"] = [location]
    return record


def grants_package(*, download_url: str = "") -> dict:
    """Every current small sparks award as a 360Giving data package."""
    awards = (
        Award.objects.current()
        .select_related("application__area", "fund")
        .prefetch_related("payments", "repayments")
        .order_by("awarded_on", "pk")
    )
    grants = [
        grant_record(award, paid=award.paid, returned=award.returned)
        for award in awards
    ]
    package = {
        "grants": grants,
        "version": "1.4",
        "title": f"{settings.COUNCIL_NAME} small sparks grants",
        "description": "Micro-grants to residents and local groups for projects "
        "that benefit their area.",
        "identifier": f"{settings.THREESIXTYGIVING_PREFIX}-small-sparks",
        "issued": timezone.localdate().isoformat(),
        "modified": timezone.localtime().isoformat(timespec="seconds"),
        "publisher": {
            "identifier": settings.THREESIXTYGIVING_FUNDER_ID,
            "name": settings.COUNCIL_NAME,
        },
        "license": LICENCE,
    }
    if download_url:
        package["downloadURL"] = download_url
    return package


@cache
def validator() -> Draft202012Validator:
    """The package schema, with the grant schema registered under the URL the
    package's $ref names, and formats (dates, URIs) checked."""
    package_schema = json.loads(
        (DATA_DIR / "360giving-package-schema.json").read_text()
    )
    grant_schema = json.loads((DATA_DIR / "360giving-schema.json").read_text())
    ref = package_schema["properties"]["grants"]["items"]["$ref"]
    resource = DRAFT202012.create_resource(grant_schema)
    registry = Registry().with_resources(
        [(ref, resource), (grant_schema["$id"], resource)]
    )
    return Draft202012Validator(
        package_schema, registry=registry, format_checker=FormatChecker()
    )


def validation_errors(package: dict) -> list[str]:
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(package)'}: "
        f"{error.message}"
        for error in validator().iter_errors(package)
    ]


def dumps(package: dict) -> str:
    return json.dumps(package, indent=2, ensure_ascii=False) + "\n"

"""Keeping demo data out of a council's own database.

``seed_demo`` loads a fictional programme, with demo accounts that share one
password, so it only runs where the settings allow it (SEED_DEMO_ALLOWED:
development, the tests and the benchmark) and only on a database that is
empty of records or that it marked as its own (``DemoMarker``, written in the
same transaction as the demo's data). The person running it may overrule
both with --i-know-this-is-not-a-council-database.
"""

from __future__ import annotations

from django.conf import settings

from assets.models import Asset
from communities.models import Area, Organisation, Resident, Site, User
from grants.models import Application, Fund

from .communities import DEMO_ACCOUNTS
from .models import DemoMarker

FLAG = "--i-know-this-is-not-a-council-database"

# The records a council's own database would hold, by the words used to
# report them. Role groups and the evaluation framework come with the
# database (migrations), so they say nothing about who loaded it.
COUNCIL_RECORDS = (
    ("users", User),
    ("wards", Area),
    ("organisations", Organisation),
    ("sites", Site),
    ("residents", Resident),
    ("assets", Asset),
    ("funds", Fund),
    ("grant applications", Application),
)


class Refused(Exception):
    """seed_demo must not run here; the message says why and what to do."""


def records_present() -> list[str]:
    """What the database holds, as "3 users", "18 wards"... (empty if
    nothing)."""
    found = []
    for words, model in COUNCIL_RECORDS:
        count = model.objects.count()
        if count:
            found.append(f"{count} {words if count > 1 else words.rstrip('s')}")
    return found


def an_earlier_demo() -> bool:
    """A database loaded by a seed_demo from before the marker: its demo
    officer is there, and every account is one of the demo's (each with its
    example.gov.uk address) or the benchmark's city-scale accounts."""
    demo = {account.username for account in DEMO_ACCOUNTS}
    users = list(User.objects.values_list("username", "email"))
    if ("officer", "officer@example.gov.uk") not in users:
        return False
    return all(
        (name in demo and email == f"{name}@example.gov.uk") or name.startswith("city-")
        for name, email in users
    )


def check_settings(*, overruled: bool) -> None:
    if settings.SEED_DEMO_ALLOWED or overruled:
        return
    raise Refused(
        "Nothing was loaded: seed_demo loads a fictional programme, with demo "
        "accounts that share one password, and these settings "
        f"({settings.SETTINGS_MODULE}) are not for a demo.\n"
        "Run it on the development settings (DJANGO_SETTINGS_MODULE="
        "abcd.settings.dev, as make run does), or, if this database is a "
        "throwaway demo or test and not a council's, run again with "
        f"{FLAG}."
    )


def claim_database(*, overruled: bool) -> str:
    """Mark the database as the demo's, or refuse it. Call in the
    transaction that loads the demo. Returns what was found: "marked"
    (seeded before), "empty", "earlier demo" or "overruled"."""
    if DemoMarker.objects.exists():
        return "marked"
    found = records_present()
    if not found:
        outcome = "empty"
    elif an_earlier_demo():
        outcome = "earlier demo"
    elif overruled:
        outcome = "overruled"
    else:
        raise Refused(
            "Nothing was loaded: this database holds records the demo did not "
            f"make ({', '.join(found)}), so it may be a council's own.\n"
            "To try the demo, point DATABASE_URL at a new, empty database and "
            "run python manage.py migrate, then seed_demo. If this database is "
            "a throwaway demo or test and not a council's, run again with "
            f"{FLAG}."
        )
    DemoMarker.objects.create()
    return outcome

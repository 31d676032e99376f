"""Load the Gloucester demo programme.

It lives in the demo app, which may read every domain app and which none
of them reads, and loads each app's demo data in the order the apps depend
on each other. Re-running it finds what it made before and changes nothing.

It never lands in a council's own database by accident (demo.guard): it
runs only on settings that allow it, and only on an empty database or one
it marked as its own, in the same transaction as the demo's data.
"""

import os
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from demo import assets as assets_demo
from demo import communities as communities_demo
from demo import evaluation as evaluation_demo
from demo import grants as grants_demo
from demo import guard
from demo.city import communities as city
from demo.city import evaluation as evaluation_city
from demo.city.assets import seed_city_assets
from demo.city.grants import seed_city_grants

PASSWORD_FILE = Path(settings.BASE_DIR) / ".demo-password"


def demo_password() -> tuple[str, str]:
    """The demo accounts' password and where it came from.

    DEMO_PASSWORD wins; otherwise the password generated on the first run is
    kept in .demo-password (git-ignored, readable by its owner only) so that a
    re-run neither changes it nor loses it.
    """
    if os.environ.get("DEMO_PASSWORD"):
        return os.environ["DEMO_PASSWORD"], "the DEMO_PASSWORD variable"
    if PASSWORD_FILE.exists():
        return PASSWORD_FILE.read_text().strip(), str(PASSWORD_FILE.name)
    password = "-".join(secrets.token_urlsafe(6) for _ in range(3))
    PASSWORD_FILE.write_text(password + "\n")
    PASSWORD_FILE.chmod(0o600)
    return password, f"a new random password, kept in {PASSWORD_FILE.name}"


class Command(BaseCommand):
    help = (
        "Load the Gloucester demo data and accounts (idempotent); with "
        "--scale city, also a Leeds-size synthetic programme for the benchmark."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=("demo", "city"),
            default="demo",
            help="city adds 33 wards, 11 sites and years of synthetic records.",
        )
        parser.add_argument(
            guard.FLAG,
            action="store_true",
            dest="not_a_council_database",
            help="Load the demo even on settings that do not allow it, or into "
            "a database holding records it did not make: for a throwaway demo "
            "or test database, never a council's.",
        )

    def handle(self, *args, **options):
        overruled = options["not_a_council_database"]
        try:
            guard.check_settings(overruled=overruled)
            with transaction.atomic():
                found = guard.claim_database(overruled=overruled)
                if found == "earlier demo":
                    self.stdout.write("This database holds an earlier demo.")
                self.seed_demo()
        except guard.Refused as refused:
            raise CommandError(str(refused)) from refused
        if options["scale"] == "city":
            started = time.monotonic()
            self.stdout.write("City scale (synthetic, for the benchmark):")
            city.seed_city(password=demo_password()[0], stdout=self.stdout)

            self.stdout.write(f"{seed_city_assets()} assets.")
            self.stdout.write(f"{seed_city_grants()} small sparks applications.")
            surveys = evaluation_city.seed_city_surveys()
            stories = evaluation_city.seed_city_stories()
            self.stdout.write(f"{surveys} survey responses, {stories} stories.")
            if surveys or stories:
                evaluation_city.seed_city_snapshots(say=self.stdout.write)
            # As autovacuum would have done over the years: fresh statistics
            # for the planner and a visibility map, so that index-only scans
            # need not visit the rows COPY just wrote.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
            self.stdout.write(
                f"City scale loaded in {time.monotonic() - started:.0f} s."
            )

    def seed_demo(self):
        wards = communities_demo.seed_wards()
        self.stdout.write(f"Wards: {wards} Gloucester wards with IMD 2019 deciles.")

        password, source = demo_password()
        accounts = communities_demo.seed_accounts(password=password)
        self.stdout.write("Demo accounts (password from " + source + "):")
        for account in accounts:
            self.stdout.write(f"  {account.username:<10} {account.role.label}")
        self.stdout.write(f"  password:  {password}")

        sites = communities_demo.seed_sites()
        people = communities_demo.seed_people(sites)
        self.stdout.write(
            f"Sites: {len(sites)} pathfinder sites; "
            + (
                f"{people} residents with their conversations, introductions "
                "and groups."
                if people
                else "their people were already loaded."
            )
        )

        assets = assets_demo.seed_assets()
        self.stdout.write(f"Assets: {assets} demo assets across the wards.")
        grants = grants_demo.seed_grants()
        self.stdout.write(
            f"Small sparks: {grants['funds']} funds, {grants['applications']} "
            f"applications ({grants['new']} new)."
        )

        evaluation_demo.seed_framework()
        surveys = evaluation_demo.seed_surveys()
        stories = evaluation_demo.seed_stories()
        months = evaluation_demo.seed_snapshots()
        self.stdout.write(
            f"Evaluation: {surveys} new survey responses, {stories} new stories, "
            f"{months} months of indicator snapshots worked out."
        )
        reviews = evaluation_demo.seed_reports()
        self.stdout.write(
            "Reports: last year's annual review built and published."
            if reviews
            else "Reports: last year's annual review was already there."
        )

"""Count the database queries each benchmarked page makes (in-process, with
the benchmark's settings and database), and give the benchmark's officer an
authenticator (officers need a second factor under production settings).
Prints JSON: the resident and site the driver uses, the counts, and the
officer's TOTP key (hex) so the driver can sign in as a person would."""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abcd.settings.bench")

import django

django.setup()

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from bench.pages import BUILDER, OFFICER, PAGES
from communities.models import Resident, User


def officer_device(officer: User) -> TOTPDevice:
    device = TOTPDevice.objects.devices_for_user(officer, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=officer, name="Benchmark authenticator", confirmed=True
        )
    return device


def main():
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    builder = User.objects.get(username=BUILDER)
    site = builder.sites.get()
    # A resident of the first site with introductions: a full timeline.
    resident = (
        Resident.objects.filter(site=site, introductions_made__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    officer = User.objects.get(username=OFFICER)
    device = officer_device(officer)
    client = Client()
    client.force_login(officer)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    counts = {}
    for name, (path, _who) in PAGES.items():
        url = path.format(resident=resident)
        client.get(url)  # warm caches as a running server would be
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{name} answered {response.status_code}, not 200")
        counts[name] = {"queries": len(queries), "status": response.status_code}
    print(
        json.dumps(
            {
                "resident": resident,
                "site": site.pk,
                "queries": counts,
                "officer_totp_key": device.key,
            }
        )
    )


if __name__ == "__main__":
    main()

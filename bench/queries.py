"""Count the database queries each benchmarked page makes (in-process, with
the benchmark's settings and database). Prints JSON."""

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

from bench.pages import BUILDER, OFFICER, PAGES
from communities.models import Resident, User


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
    client = Client()
    client.force_login(User.objects.get(username=OFFICER))
    counts = {}
    for name, (path, _who) in PAGES.items():
        url = path.format(resident=resident)
        client.get(url)  # warm caches as a running server would be
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        counts[name] = {"queries": len(queries), "status": response.status_code}
    print(json.dumps({"resident": resident, "site": site.pk, "queries": counts}))


if __name__ == "__main__":
    main()

"""Count the database queries each benchmarked page makes (in-process, with
the benchmark's settings and database), and give the benchmark's officer an
authenticator (officers need a second factor under production settings).
Prints JSON: the resident and site the driver uses, the counts, and the
officer's TOTP key (hex) so the driver can sign in as a person would."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.inprocess import officer_client, officer_device  # sets Django up
from bench.pages import BUILDER, PAGES
from communities.models import Resident, User


def main():
    builder = User.objects.get(username=BUILDER)
    site = builder.sites.get()
    # A resident of the first site with introductions: a full timeline.
    resident = (
        Resident.objects.filter(site=site, introductions_made__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    client = officer_client()
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
                "officer_totp_key": officer_device().key,
            }
        )
    )


if __name__ == "__main__":
    main()

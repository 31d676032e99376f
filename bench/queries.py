"""Count the database queries each benchmarked page makes (in-process, with
the benchmark's settings and database). Prints JSON."""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abcd.settings.bench")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.pages import OFFICER, PAGES  # noqa: E402
from communities.models import Resident, User  # noqa: E402


def main():
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    resident = json.loads(sys.argv[1])["resident"]
    client = Client()
    client.force_login(User.objects.get(username=OFFICER))
    counts = {}
    for name, (path, _who) in PAGES.items():
        url = path.format(resident=resident)
        client.get(url)  # warm caches as a running server would be
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        counts[name] = {"queries": len(queries), "status": response.status_code}
    assert Resident.objects.exists()
    print(json.dumps(counts))


if __name__ == "__main__":
    main()

"""The benchmark (`make bench`): production settings, served over plain
HTTP on the loopback, against the city-scale synthetic database. Never used
for a real deployment."""

import os

os.environ.setdefault("SECRET_KEY", "bench-only-not-secret-" + "b" * 40)
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/abcd_bench")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")

from .production import *

# Plain HTTP on the loopback: no TLS to redirect to or to mark cookies for.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0

# Django admin's changelist of residents is the yardstick for the staff
# lists; it is registered for the benchmark only.
BENCH_ADMIN_RESIDENTS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

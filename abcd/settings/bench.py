"""The benchmark (`make bench`): production settings, served over plain
HTTP on the loopback, against the city-scale synthetic database. Never used
for a real deployment."""

import os

from django.core.exceptions import ImproperlyConfigured

from demo.identity import DEMO_IDENTITY

os.environ.setdefault("SECRET_KEY", "bench-only-not-secret-" + "b" * 40)
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/abcd_bench")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
# The demo council's identity, and addresses production accepts; no email
# leaves the benchmark (EMAIL_BACKEND below).
for _name, _value in DEMO_IDENTITY.items():
    os.environ.setdefault(_name, _value)
os.environ.setdefault("SITE_URL", "https://127.0.0.1")
os.environ.setdefault("EMAIL_URL", "smtp://127.0.0.1:25")
os.environ.setdefault("DEFAULT_FROM_EMAIL", "community-building@example.gov.uk")

from .production import *

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Plain HTTP on the loopback: no TLS to redirect to or to mark cookies for.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0

# Django admin's changelist of residents is the yardstick for the staff
# lists; it is registered for the benchmark only.
BENCH_ADMIN_RESIDENTS = True

# The benchmark loads its synthetic city with `seed_demo --scale city`.
SEED_DEMO_ALLOWED = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# The benchmark's yardsticks (a bare write) beside the app's URLs.
ROOT_URLCONF = "bench.urls"

# The user read of every request: "function", production's (one statement
# calling the function of communities migration 0011), or "orm", the same
# read through the ORM (bench.backends). `make bench` serves one of each and
# sets them side by side. Either is loaded under one path (see there).
BENCH_USER_READ = os.environ.get("BENCH_USER_READ", "function")
if BENCH_USER_READ not in ("function", "orm"):
    raise ImproperlyConfigured("BENCH_USER_READ is either 'function' or 'orm'.")
PRODUCTION_USER_READ = "communities.backends.SignInBackend"
if PRODUCTION_USER_READ not in AUTHENTICATION_BACKENDS:
    raise ImproperlyConfigured(f"{PRODUCTION_USER_READ} is no longer a backend.")
AUTHENTICATION_BACKENDS = [
    "bench.backends.UserReadBackend" if path == PRODUCTION_USER_READ else path
    for path in AUTHENTICATION_BACKENDS
]

"""The test suite: real PostgreSQL and Redis, every integration made safe."""

import os

from .base import *
from .base import env

DEBUG = False
SECRET_KEY = "test-only-not-secret"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

# A council of the tests' own, named nowhere else, so that no test passes
# only because the product assumes the demo council. Tests read these
# through settings rather than repeating them.
COUNCIL_NAME = "Testborough Borough Council"
THREESIXTYGIVING_FUNDER_ID = "GB-LAE-TBC"
THREESIXTYGIVING_PREFIX = "360G-testborough"
ASSETS_DEFAULT_TOWN = "Testborough"

# Fast hashing: the suite creates many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Tasks run in the calling process unless a test starts a real worker.
# A worker the tests start as a separate process sets this to false.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
# A separate Redis database keeps test traffic away from a running demo, and
# each of the suite's processes (pytest-xdist's gw0, gw1, ...) has its own:
# one process's cache clearing, or its Celery worker taking tasks, never
# reaches another's. Each process also has its own PostgreSQL test database.
_PROCESS = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
REDIS_URL = env("TEST_REDIS_URL", default=f"redis://127.0.0.1:6379/{15 - _PROCESS}")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "abcd-test",
    }
}

MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / f".test-media/{_PROCESS}")

# No map tiles: the tests never reach the internet, and the map must work
# without them.
ASSETS_MAP_TILE_URL = ""

# Off by default so other tests sign officers in with a password alone; the
# trust tests turn it on.
OFFICER_2FA_REQUIRED = False

# The demo's own tests load it.
SEED_DEMO_ALLOWED = True

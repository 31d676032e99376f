"""Local development: runs from a fresh clone with nothing set."""

from demo.identity import DEMO_IDENTITY

from .base import *
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env(
    "SECRET_KEY", default="dev-only-not-secret-4b7f0c1e9d2a4c6f8e1b3a5d7c9e0f2a"
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

# The local demo signs officers in without a second factor unless asked to.
OFFICER_2FA_REQUIRED = env.bool("OFFICER_2FA_REQUIRED", default=False)

# The demo council's identity (demo/identity.py) for each identity setting the
# environment leaves unset or empty: `make run` serves the demo.
for _name, _demo_value in DEMO_IDENTITY.items():
    globals()[_name] = env.str(_name, default="") or _demo_value
# The demo (`make run`) is loaded here: `seed_demo` may run (demo.guard).
SEED_DEMO_ALLOWED = True

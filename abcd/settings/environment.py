"""Where settings come from: the environment, and a developer's optional .env
(copied from .env.example). Kept apart from base.py so that production can
check the environment before base.py reads any of it."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A developer's own .env is optional; the environment always wins over it.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

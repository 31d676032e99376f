"""Every way in (manage.py, Celery worker and beat, gunicorn's WSGI and
ASGI) starts on the production settings unless told otherwise, so a server
never runs on development settings by accident: with no secrets set, each
refuses to start and names the one missing."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

LOADS_SETTINGS = "from django.conf import settings; settings.SECRET_KEY"


def run_bare(*args: str) -> subprocess.CompletedProcess:
    """A process with nothing of abcd's in its environment: no settings
    module, no secrets, no .env (HOME and PATH only)."""
    env = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "LANG": "C.UTF-8"}
    return subprocess.run(
        [sys.executable, *args],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "args",
    [
        ("manage.py", "check"),
        ("-c", f"import abcd.celery; {LOADS_SETTINGS}"),
        ("-c", "import abcd.wsgi"),
        ("-c", "import abcd.asgi"),
    ],
    ids=["manage.py", "celery", "wsgi", "asgi"],
)
def test_an_entry_point_with_nothing_set_is_production_and_refuses(args):
    if (Path(settings.BASE_DIR) / ".env").exists():
        pytest.skip("a developer's .env sets the secrets")
    result = run_bare(*args)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_the_developer_tools_name_the_development_settings():
    root = Path(settings.BASE_DIR)
    assert (
        "export DJANGO_SETTINGS_MODULE := abcd.settings.dev"
        in (root / "Makefile").read_text()
    )
    assert (
        "export DJANGO_SETTINGS_MODULE=abcd.settings.dev"
        in (root / "scripts/run.sh").read_text()
    )

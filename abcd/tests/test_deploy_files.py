"""deploy/: the example environment file names every setting the app reads,
and the systemd units start web, worker and beat on production settings."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# Read only by the test and benchmark settings, never on a server.
NOT_FOR_SERVERS = {"TEST_REDIS_URL", "CELERY_TASK_ALWAYS_EAGER", "BENCH_USER_READ"}


def settings_read() -> set[str]:
    """Every variable the settings read through django-environ."""
    names = set()
    for module in (ROOT / "abcd" / "settings").glob("*.py"):
        source = module.read_text()
        names |= set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]*)"', source))
    return names


def test_the_example_environment_names_every_setting_with_a_comment():
    example = (ROOT / "deploy" / "abcd.env.example").read_text().splitlines()
    listed = {}
    for number, line in enumerate(example):
        found = re.match(r"#?([A-Z][A-Z0-9_]*)=", line)
        if found:
            listed[found.group(1)] = number
    wanted = settings_read() - NOT_FOR_SERVERS
    assert {"SECRET_KEY", "DATABASE_URL", "EMAIL_URL", "STATIC_ROOT"} <= wanted
    assert sorted(wanted - set(listed)) == []
    for name, number in listed.items():
        above = example[number - 1] if number else ""
        assert above.startswith("#"), f"{name} has no comment above it"


def test_web_worker_and_beat_start_on_production_settings():
    units = ROOT / "deploy" / "systemd"
    for unit, command in (
        ("abcd-web.service", "gunicorn abcd.wsgi"),
        ("abcd-worker.service", "celery -A abcd worker"),
        ("abcd-beat.service", "celery -A abcd beat"),
    ):
        text = (units / unit).read_text()
        assert command in text
        assert "Environment=DJANGO_SETTINGS_MODULE=abcd.settings.production" in text
        assert "EnvironmentFile=/etc/abcd/abcd.env" in text
    assert "--bind 127.0.0.1:" in (units / "abcd-web.service").read_text()

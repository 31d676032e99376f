"""Production settings must refuse to start without their secrets and the
council's identity, naming in one message every setting that is missing or
malformed; dev settings must need nothing."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.identity import REQUIRED_IN_PRODUCTION
from demo.identity import DEMO_IDENTITY

ROOT = Path(__file__).resolve().parent.parent.parent
SECRETS = {
    "SECRET_KEY": "a-real-secret-for-the-test-only-" + "x" * 40,
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/abcd",
    "ALLOWED_HOSTS": "abcd.example.gov.uk",
}
# A complete identity for a council of the tests' own.
IDENTITY = {
    "COUNCIL_NAME": "Anytown Borough Council",
    "SITE_URL": "https://community.anytown.gov.uk",
    "EMAIL_URL": "smtp+tls://mailer:s3cret-pw@smtp.anytown.gov.uk:587",
    "DEFAULT_FROM_EMAIL": "Community Building <community-building@anytown.gov.uk>",
    "THREESIXTYGIVING_FUNDER_ID": "GB-LAE-ANY",
    "THREESIXTYGIVING_PREFIX": "360G-anytown",
}
REQUIRED = {**SECRETS, **IDENTITY}


def load_settings(module: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Import a settings module in a fresh process whose environment holds
    only ``env`` of the required settings. The identity settings are set
    empty rather than left out, so that a developer's .env cannot fill them
    in (empty counts as missing)."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in REQUIRED_IN_PRODUCTION and k != "DEBUG"
    }
    unset = dict.fromkeys(IDENTITY, "")
    return subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        cwd=ROOT,
        env={**clean, **unset, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def refusal(result: subprocess.CompletedProcess) -> str:
    """The one message production stopped with."""
    assert result.returncode != 0
    raised = "django.core.exceptions.ImproperlyConfigured: "
    assert result.stderr.count(raised) == 1, result.stderr
    return result.stderr.split(raised, 1)[1]


def test_every_required_setting_is_tested():
    assert set(REQUIRED) == set(REQUIRED_IN_PRODUCTION)


@pytest.mark.parametrize("missing", sorted(REQUIRED))
def test_production_refuses_to_start_without_each_required_variable(missing):
    env = {k: v for k, v in REQUIRED.items() if k != missing}
    message = refusal(load_settings("abcd.settings.production", env))
    assert f"- {missing} is not set. Set it to " in message
    assert "1 is missing or malformed" in message


def test_one_message_names_every_missing_setting_and_its_form():
    message = refusal(load_settings("abcd.settings.production", {}))
    assert f"{len(REQUIRED)} are missing or malformed" in message
    for name in REQUIRED:
        assert f"- {name} is not set. Set it to " in message
    assert "GB-LAE-" in message and "360G-" in message and "https://" in message


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("SITE_URL", "http://community.anytown.gov.uk", "not an https:// URL"),
        ("SITE_URL", "community.anytown.gov.uk", "not an https:// URL"),
        ("EMAIL_URL", "consolemail://", "uses consolemail://, which sends no mail"),
        ("EMAIL_URL", "smtp.anytown.gov.uk", "uses no scheme, which sends no mail"),
        ("EMAIL_URL", "smtp://u:pw@smtp.anytown.gov.uk:25x", "port that is not a"),
        ("DEFAULT_FROM_EMAIL", "community building", "not an email address"),
        ("THREESIXTYGIVING_FUNDER_ID", "gb-lae-any", "not an organisation identi"),
        ("THREESIXTYGIVING_FUNDER_ID", "GB-LAE-ANYTOWN", "not an organisation"),
        ("THREESIXTYGIVING_FUNDER_ID", "360G-anytown", "a 360Giving prefix, not"),
        ("THREESIXTYGIVING_FUNDER_ID", "GB-LAE-XXX", "a placeholder"),
        ("THREESIXTYGIVING_PREFIX", "anytown", "not a 360Giving prefix"),
        ("THREESIXTYGIVING_PREFIX", "360G-anytown-", "not a 360Giving prefix"),
        ("THREESIXTYGIVING_PREFIX", "360G-example", "a placeholder"),
        ("DATABASE_URL", "sqlite:///db.sqlite3", "not a PostgreSQL URL"),
    ],
)
def test_production_refuses_each_malformed_setting(name, value, problem):
    result = load_settings("abcd.settings.production", {**REQUIRED, name: value})
    message = refusal(result)
    assert "1 is missing or malformed" in message
    line = next(line for line in message.splitlines() if f"- {name} " in line)
    assert problem in line


def test_the_refusal_never_repeats_a_password():
    result = load_settings(
        "abcd.settings.production",
        {**REQUIRED, "EMAIL_URL": "filemail://mailer:s3cret-pw@host/"},
    )
    assert "EMAIL_URL uses filemail://" in refusal(result)
    assert "s3cret-pw" not in result.stderr


def test_production_refuses_an_empty_allowed_hosts():
    result = load_settings(
        "abcd.settings.production", {**REQUIRED, "ALLOWED_HOSTS": ""}
    )
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_starts_with_its_variables_and_is_hardened():
    code = (
        "import abcd.settings.production as s;"
        "assert not s.DEBUG; assert s.SESSION_COOKIE_SECURE and s.CSRF_COOKIE_SECURE;"
        "assert s.SECURE_HSTS_SECONDS > 0; print(s.ALLOWED_HOSTS);"
        "print(s.COUNCIL_NAME, s.THREESIXTYGIVING_FUNDER_ID, "
        "s.THREESIXTYGIVING_PREFIX, s.SITE_URL, s.EMAIL_BACKEND, s.EMAIL_HOST,"
        "s.DEFAULT_FROM_EMAIL, repr(s.ASSETS_DEFAULT_TOWN), sep='|')"
    )
    clean = {k: v for k, v in os.environ.items() if k not in REQUIRED}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **REQUIRED},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    hosts, identity = result.stdout.splitlines()
    assert "abcd.example.gov.uk" in hosts
    assert identity.split("|") == [
        "Anytown Borough Council",
        "GB-LAE-ANY",
        "360G-anytown",
        "https://community.anytown.gov.uk",
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.anytown.gov.uk",
        "Community Building <community-building@anytown.gov.uk>",
        "''",  # no demo town: an address that names none keeps its town blank
    ]


def test_dev_settings_need_nothing_set():
    result = load_settings("abcd.settings.dev", {})
    assert result.returncode == 0, result.stderr


def test_dev_settings_serve_the_demo_council_unless_told_otherwise():
    code = (
        "import abcd.settings.dev as s;"
        "print(s.COUNCIL_NAME, s.THREESIXTYGIVING_FUNDER_ID, s.THREESIXTYGIVING_PREFIX,"
        " s.ASSETS_DEFAULT_TOWN, sep='|')"
    )
    env = {k: v for k, v in os.environ.items() if k not in DEMO_IDENTITY}

    def identity(**overrides):
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env={**env, **dict.fromkeys(DEMO_IDENTITY, ""), **overrides},
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return result.stdout.strip().split("|")

    demo = [
        DEMO_IDENTITY[name]
        for name in (
            "COUNCIL_NAME",
            "THREESIXTYGIVING_FUNDER_ID",
            "THREESIXTYGIVING_PREFIX",
            "ASSETS_DEFAULT_TOWN",
        )
    ]
    # Set but empty counts as unset, as django-environ reads it.
    assert identity() == demo
    assert identity(COUNCIL_NAME="Anytown Borough Council")[0] == (
        "Anytown Borough Council"
    )


def test_the_tests_run_as_a_council_that_is_not_the_demo(settings):
    for name, value in DEMO_IDENTITY.items():
        assert getattr(settings, name) != value

"""Production settings must refuse to start without their secrets; dev
settings must need nothing."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
REQUIRED = {
    "SECRET_KEY": "a-real-secret-for-the-test-only-" + "x" * 40,
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/abcd",
    "ALLOWED_HOSTS": "abcd.example.gov.uk",
}


def load_settings(module: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in REQUIRED and k != "DEBUG"}
    return subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("missing", sorted(REQUIRED))
def test_production_refuses_to_start_without_each_required_variable(missing):
    env = {k: v for k, v in REQUIRED.items() if k != missing}
    result = load_settings("abcd.settings.production", env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


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
        "assert s.SECURE_HSTS_SECONDS > 0; print(s.ALLOWED_HOSTS)"
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
    assert "abcd.example.gov.uk" in result.stdout


def test_dev_settings_need_nothing_set():
    result = load_settings("abcd.settings.dev", {})
    assert result.returncode == 0, result.stderr

import base64
import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>(.*?)</script>", re.DOTALL
)


def csp_of(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


def test_pages_have_a_csp_without_unsafe_inline_that_allows_only_their_own_inline_script(
    client,
):
    response = client.get(reverse("home"))
    policy = csp_of(response)
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]
    assert policy["object-src"] == "object-src 'none'"
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"
    scripts = INLINE_SCRIPT.findall(response.content.decode())
    assert scripts, "the js-enabled snippet should be on every page"
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy["script-src"]


def test_a_development_request_is_framed_by_nobody_and_sniffs_nothing(client):
    response = client.get(reverse("trust:privacy"))
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def run_deploy_check(
    extra_env: dict[str, str], *, without: str = ""
) -> subprocess.CompletedProcess:
    base = Path(django_settings.BASE_DIR)
    env = {
        key: value
        for key, value in os.environ.items()
        if key in {"PATH", "HOME", "LANG", "PYTHONPATH", "VIRTUAL_ENV"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="abcd.settings.production",
        SECRET_KEY="x7!" + "k2Lq9#Zp" * 8,
        ALLOWED_HOSTS="community.example.gov.uk",
        COUNCIL_NAME="Northborough Metropolitan Borough Council",
        SITE_URL="https://community.northborough.gov.uk",
        EMAIL_URL="smtp+tls://abcd:secret@smtp.northborough.gov.uk:587",
        DEFAULT_FROM_EMAIL="community@northborough.gov.uk",
        THREESIXTYGIVING_FUNDER_ID="GB-LAE-NBH",
        THREESIXTYGIVING_PREFIX="360G-northborough",
        DATABASE_URL=os.environ.get(
            "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/abcd"
        ),
    )
    env.update(extra_env)
    env.pop(without, None)
    return subprocess.run(
        [
            sys.executable,
            str(base / "manage.py"),
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        check=False,
        cwd=base,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_production_settings():
    result = run_deploy_check({})
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_its_secrets():
    for name in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"):
        result = run_deploy_check({}, without=name)
        assert result.returncode != 0
        assert name in result.stderr


def test_production_settings_are_secure():
    source = (
        Path(django_settings.BASE_DIR) / "abcd/settings/production.py"
    ).read_text()
    for needle in (
        "SESSION_COOKIE_SECURE = True",
        "CSRF_COOKIE_SECURE = True",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS = True",
        "OFFICER_2FA_REQUIRED = True",
    ):
        assert needle in source

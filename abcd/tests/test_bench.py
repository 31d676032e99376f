"""The benchmark's own wiring (`make bench`): its bare write, and the user
read it sets beside production's."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client, override_settings
from django.utils import timezone

from bench.backends import OrmSignInBackend
from bench.pages import BARE_WRITE
from communities.backends import SignInBackend
from communities.models import User
from communities.tests.factories import SiteFactory
from core.roles import Role, roles_of

ROOT = Path(__file__).resolve().parent.parent.parent

pytestmark = pytest.mark.django_db


def put(client, path):
    return client.put(
        f"{path}{uuid.uuid4()}/",
        json.dumps({"kind": "conversation", "payload": {}}),
        content_type="application/json",
    )


@override_settings(ROOT_URLCONF="bench.urls")
def test_the_bare_write_writes_one_row_for_a_signed_in_user(builder):
    client = Client(enforce_csrf_checks=True)
    client.force_login(builder)
    client.get("/communities/my-work/")  # the CSRF cookie, as the phone has it
    response = client.put(
        f"{BARE_WRITE}{uuid.uuid4()}/",
        json.dumps({"kind": "conversation", "payload": {}}),
        content_type="application/json",
        headers={"X-CSRFToken": client.cookies["csrftoken"].value},
    )
    assert response.status_code == 201
    assert LogEntry.objects.get().user == builder


@override_settings(ROOT_URLCONF="bench.urls")
def test_the_bare_write_goes_through_the_apps_middleware(client, builder):
    signed_out = put(client, BARE_WRITE)
    assert signed_out.status_code == 302
    assert signed_out["Location"].startswith("/sign-in/")
    no_token = Client(enforce_csrf_checks=True)
    no_token.force_login(builder)
    assert put(no_token, BARE_WRITE).status_code == 403
    client.force_login(builder)
    assert client.get(f"{BARE_WRITE}{uuid.uuid4()}/").status_code == 405
    assert not LogEntry.objects.exists()


@override_settings(ROOT_URLCONF="bench.urls")
def test_the_benchmark_serves_the_apps_pages_too(client, builder):
    client.force_login(builder)
    assert client.get("/communities/my-work/").status_code == 200
    assert client.get("/ping").status_code == 200


def test_the_app_has_no_bare_write(client, builder):
    client.force_login(builder)
    assert put(client, BARE_WRITE).status_code == 404


def test_the_orm_user_read_is_productions(builder):
    """The comparison is fair only if both reads give the app the same user:
    every field, the roles, and the sites in the sites' own order."""
    later = SiteFactory(name="Tuffley", builders=[builder])
    first = SiteFactory(name="Matson", builders=[builder])
    SiteFactory(name="Kingsholm")  # not theirs
    builder.last_login = timezone.now()
    builder.save()
    orm = OrmSignInBackend().get_user(builder.pk)
    function = SignInBackend().get_user(builder.pk)
    for field in User._meta.concrete_fields:
        assert getattr(orm, field.attname) == getattr(function, field.attname)
    assert orm.group_names == function.group_names == [Role.BUILDER.label]
    assert roles_of(orm) == {Role.BUILDER}
    assert orm.built_sites == function.built_sites == [first, later]


@pytest.mark.parametrize("user_id", ["not-a-number", None, "", 10**30])
def test_the_orm_user_read_of_no_user_is_nobody(user_id):
    assert OrmSignInBackend().get_user(user_id) is None


def test_the_orm_user_read_signs_out_a_deactivated_user(builder):
    builder.is_active = False
    builder.save()
    assert OrmSignInBackend().get_user(builder.pk) is None


def backend_under_bench_settings(user_read: str) -> subprocess.CompletedProcess:
    code = (
        "import django; django.setup();"
        "from django.contrib.auth import get_backends;"
        "print([type(b).__qualname__ for b in get_backends()])"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "abcd.settings.bench",
            "BENCH_USER_READ": user_read,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("user_read", "backend"),
    [("function", "SignInBackend"), ("orm", "OrmSignInBackend")],
)
def test_the_bench_settings_choose_the_user_read(user_read, backend):
    result = backend_under_bench_settings(user_read)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(["AxesStandaloneBackend", backend])


def test_the_bench_settings_refuse_an_unknown_user_read():
    result = backend_under_bench_settings("raw")
    assert result.returncode != 0
    assert "BENCH_USER_READ" in result.stderr

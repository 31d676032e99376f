"""seed_demo never lands in a council's own database by accident: it runs
only on settings that allow it, and only on an empty database or one it
marked as its own in the same transaction as its data (demo.guard)."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from communities.models import Area, User
from communities.tests.factories import WardFactory
from core.roles import Role
from demo import communities as communities_demo
from demo.management.commands.seed_demo import Command
from demo.models import DemoMarker

pytestmark = pytest.mark.django_db

FLAG = "--i-know-this-is-not-a-council-database"


@pytest.fixture(autouse=True)
def light_demo(monkeypatch):
    """The guard is what is tested: the demo loaded is its wards alone."""
    monkeypatch.setenv("DEMO_PASSWORD", "demo passphrase for tests")
    monkeypatch.setattr(
        Command, "seed_demo", lambda self: communities_demo.seed_wards()
    )


def seed_demo(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_an_empty_database_is_loaded_and_marked_as_the_demos():
    seed_demo()
    assert Area.objects.count() == 18
    assert DemoMarker.objects.count() == 1

    seed_demo()  # its own database: loaded again, marked once
    assert DemoMarker.objects.count() == 1


def test_a_councils_database_is_refused_and_nothing_is_written(make_user):
    make_user(Role.OFFICER, username="jo", email="jo@council.example")
    WardFactory(name="Riverside", ons_code="E05099901")
    WardFactory(name="Hillside", ons_code="E05099902")

    with pytest.raises(
        CommandError,
        match=r"holds records the demo did not make \(1 user, 2 wards\)",
    ):
        seed_demo()

    assert Area.objects.count() == 2
    assert not DemoMarker.objects.exists()
    assert list(User.objects.values_list("username", flat=True)) == ["jo"]


def test_the_flag_loads_the_demo_into_a_database_said_not_to_be_a_councils():
    WardFactory(name="Riverside", ons_code="E05099901")
    output = seed_demo(FLAG)
    assert Area.objects.count() == 19
    assert DemoMarker.objects.count() == 1
    assert output == ""


def test_a_demo_loaded_before_the_marker_is_recognised(make_user):
    for account in communities_demo.DEMO_ACCOUNTS:
        make_user(account.role, username=account.username)
    make_user(Role.OFFICER, username="city-officer", email="")
    communities_demo.seed_wards()

    assert seed_demo() == "This database holds an earlier demo.\n"
    assert DemoMarker.objects.count() == 1


def test_a_council_account_beside_the_demos_makes_it_not_an_earlier_demo(make_user):
    for account in communities_demo.DEMO_ACCOUNTS:
        make_user(account.role, username=account.username)
    make_user(Role.OFFICER, username="jo", email="jo@council.example")
    with pytest.raises(CommandError, match=r"did not make \(6 users\)"):
        seed_demo()
    assert not DemoMarker.objects.exists()


def test_the_marker_is_written_with_the_demo_or_not_at_all(monkeypatch):
    def half_a_demo(self):
        communities_demo.seed_wards()
        raise RuntimeError("the demo failed half way")

    monkeypatch.setattr(Command, "seed_demo", half_a_demo)
    with pytest.raises(RuntimeError, match="half way"):
        seed_demo()
    assert not Area.objects.exists()
    assert not DemoMarker.objects.exists()


def test_settings_that_do_not_allow_the_demo_are_refused(settings):
    settings.SEED_DEMO_ALLOWED = False
    with pytest.raises(CommandError, match="are not for a demo") as refused:
        seed_demo()
    assert FLAG in str(refused.value)
    assert not Area.objects.exists()
    assert not DemoMarker.objects.exists()

    seed_demo(FLAG)
    assert Area.objects.count() == 18


def test_production_settings_refuse_before_touching_the_database():
    """Run as a council would, on production settings with every setting a
    production install needs, against a database that does not exist: the
    refusal comes first."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "abcd.settings.production",
        "SECRET_KEY": "production-test-only-" + "x" * 40,
        "ALLOWED_HOSTS": "abcd.council.example",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/no_such_database",
        "COUNCIL_NAME": "Example Borough Council",
        "SITE_URL": "https://abcd.council.example",
        "EMAIL_URL": "smtp://127.0.0.1:25",
        "DEFAULT_FROM_EMAIL": "abcd@council.example",
        "THREESIXTYGIVING_FUNDER_ID": "GB-LAE-ABC",
        "THREESIXTYGIVING_PREFIX": "360G-northborough",
    }
    ran = subprocess.run(
        [sys.executable, "manage.py", "seed_demo"],
        cwd=Path(__file__).resolve().parents[2],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.returncode == 1
    assert "(abcd.settings.production) are not for a demo" in ran.stderr
    assert FLAG in ran.stderr

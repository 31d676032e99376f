"""Fixtures shared by every app's tests and the browser tests."""

import os

import pytest

from communities.tests.factories import UserFactory
from core.roles import Role


def pytest_configure(config):
    # An exported DJANGO_SETTINGS_MODULE beats pytest.ini: refuse to run the
    # suite on development settings (real broker, console email, no eager
    # tasks), where tests fail for reasons that have nothing to do with them.
    module = os.environ.get("DJANGO_SETTINGS_MODULE", "abcd.settings.test")
    if module != "abcd.settings.test":
        raise pytest.UsageError(
            f"The tests run on abcd.settings.test, not {module}: "
            "unset DJANGO_SETTINGS_MODULE or use `make test`."
        )


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache: a cached map or ward layer
    from an earlier test (the cache is Redis, which outlives the test's
    database transaction) must not leak into the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def make_user(db):
    """make_user(Role.BUILDER, username="ben") -> a user holding that role."""

    def make(role: Role | None = None, **fields):
        return UserFactory(role=role, **fields)

    return make


@pytest.fixture
def officer(make_user):
    return make_user(Role.OFFICER, username="officer")


@pytest.fixture
def builder(make_user):
    return make_user(Role.BUILDER, username="builder")


@pytest.fixture
def panel_member(make_user):
    return make_user(Role.PANEL, username="panel")


@pytest.fixture
def cabinet_member(make_user):
    return make_user(Role.CABINET, username="cabinet")

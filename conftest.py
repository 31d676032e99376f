"""Fixtures shared by every app's tests and the browser tests."""

import pytest

from communities.roles import Role
from communities.tests.factories import UserFactory


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

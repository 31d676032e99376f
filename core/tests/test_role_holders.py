import pytest
from django.contrib.auth import get_user_model

from core.roles import Capability, Role, able_to, can, holders, roles_of

pytestmark = pytest.mark.django_db


def test_holders_counts_a_superuser_as_an_officer_as_roles_of_does(make_user):
    officer = make_user(Role.OFFICER, username="olive")
    chief = make_user(None, username="chief", is_superuser=True)
    make_user(Role.BUILDER, username="ben")
    users = get_user_model().objects

    found = set(users.filter(holders(Role.OFFICER)).distinct())

    assert found == {officer, chief}
    assert all(Role.OFFICER in roles_of(user) for user in found)


def test_a_superuser_holds_no_other_role_than_the_officers(make_user):
    make_user(None, username="chief", is_superuser=True)
    panel = make_user(Role.PANEL, username="pat")

    found = list(get_user_model().objects.filter(holders(Role.PANEL)).distinct())

    assert found == [panel]


def test_able_to_finds_the_users_can_says_hold_a_capability(make_user):
    officer = make_user(Role.OFFICER, username="olive")
    builder = make_user(Role.BUILDER, username="ben")
    chief = make_user(None, username="chief", is_superuser=True)
    make_user(Role.CABINET, username="cara")
    users = get_user_model().objects

    assert set(users.filter(able_to(Capability.RUN_REPORTS)).distinct()) == {
        officer,
        chief,
    }
    assert set(users.filter(able_to(Capability.LOG_WORK)).distinct()) == {
        officer,
        builder,
        chief,
    }
    assert all(can(u, Capability.LOG_WORK) for u in (officer, builder, chief))

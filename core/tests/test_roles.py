"""core.roles: who holds which role, and what each role may do."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.urls import reverse

from core.roles import (
    NAVIGATION,
    ROLE_HOME,
    Capability,
    Role,
    can,
    navigation_for,
    primary_role,
    roles_of,
)

pytestmark = pytest.mark.django_db

# The whole permission table, written out: a change to who may do what has
# to change this test too.
HELD = {
    Role.OFFICER: set(Capability),
    Role.BUILDER: {
        Capability.LOG_WORK,
        Capability.MAP_ASSETS,
        Capability.ENTER_SURVEYS,
    },
    Role.PANEL: {Capability.REVIEW_APPLICATIONS},
    Role.CABINET: {Capability.READ_REPORTS},
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_holds_exactly_its_capabilities(make_user, role):
    user = make_user(role)
    assert {c for c in Capability if can(user, c)} == HELD[role]


def test_nobody_without_a_role_may_do_anything(make_user):
    for user in (AnonymousUser(), make_user(None)):
        assert roles_of(user) == frozenset()
        assert primary_role(user) is None
        assert not any(can(user, c) for c in Capability)
        assert navigation_for(user) == ()


def test_roles_are_read_from_the_groups_named_by_their_labels(make_user):
    user = make_user(Role.BUILDER)
    user.groups.add(Group.objects.create(name="Newsletter editors"))
    user.groups.add(Group.objects.get_or_create(name=Role.PANEL.label)[0])
    # A group named by a role's value, not its label, is no role.
    user.groups.add(Group.objects.create(name=Role.CABINET.value))
    assert roles_of(user) == {Role.BUILDER, Role.PANEL}


def test_a_superuser_holds_the_officers_role(make_user):
    user = make_user(None, is_superuser=True)
    assert roles_of(user) == {Role.OFFICER}
    assert can(user, Capability.MANAGE_PERSONAL_DATA)


def test_a_deactivated_user_holds_no_role(make_user):
    user = make_user(Role.OFFICER, is_active=False)
    assert roles_of(user) == frozenset()
    assert not can(user, Capability.VIEW_DASHBOARD)


def test_a_users_roles_are_read_once(make_user, django_assert_num_queries):
    user = make_user(Role.BUILDER)
    with django_assert_num_queries(1):
        roles_of(user)
        can(user, Capability.LOG_WORK)
        primary_role(user)
        navigation_for(user)


def test_group_names_read_with_the_user_need_no_query(
    make_user, django_assert_num_queries
):
    user = make_user(None)
    user.group_names = [Role.CABINET.label]  # as the sign-in backend reads them
    with django_assert_num_queries(0):
        assert roles_of(user) == {Role.CABINET}


@pytest.mark.parametrize(
    ("held", "primary"),
    [
        ({Role.CABINET, Role.OFFICER}, Role.OFFICER),
        ({Role.PANEL, Role.BUILDER}, Role.BUILDER),
        ({Role.CABINET, Role.PANEL}, Role.PANEL),
        ({Role.CABINET}, Role.CABINET),
    ],
)
def test_of_several_roles_the_first_in_precedence_decides_the_home(
    make_user, held, primary
):
    user = make_user(None)
    for role in held:
        user.groups.add(Group.objects.get_or_create(name=role.label)[0])
    assert primary_role(user) == primary
    assert navigation_for(user) == NAVIGATION[primary]


def test_every_home_and_navigation_link_is_a_real_page():
    names = set(ROLE_HOME.values()) | {
        name for links in NAVIGATION.values() for _, name in links
    }
    for name in names:
        assert reverse(name).startswith("/")
    assert set(ROLE_HOME) == set(NAVIGATION) == set(Role)

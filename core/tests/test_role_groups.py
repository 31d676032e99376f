"""core.roles.role_groups_ensure: every role's group, and the Officer
group's permissions, come with the database (on migrate and on flush), not
with the demo."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from core.roles import OFFICER_ADMIN_APPS, Role


def officer_admin_permissions() -> set[str]:
    return set(
        Permission.objects.filter(
            content_type__app_label__in=OFFICER_ADMIN_APPS
        ).values_list("content_type__app_label", "codename")
    )


def assert_groups_whole():
    assert set(Group.objects.values_list("name", flat=True)) >= {
        role.label for role in Role
    }
    officers = Group.objects.get(name=Role.OFFICER.label)
    held = set(officers.permissions.values_list("content_type__app_label", "codename"))
    # Every model of the officer's apps, each with its four permissions.
    assert ("communities", "change_site") in held
    assert ("grants", "add_fund") in held
    assert ("assets", "delete_asset") in held
    assert ("evaluation", "view_outcome") in held
    assert held == officer_admin_permissions()
    for role in (Role.BUILDER, Role.PANEL, Role.CABINET):
        assert not Group.objects.get(name=role.label).permissions.exists()


@pytest.mark.django_db
def test_the_migrated_database_has_every_role_group_and_the_officers_permissions():
    assert_groups_whole()


@pytest.mark.django_db(transaction=True)
def test_migrate_on_a_database_without_groups_or_permissions_makes_them():
    # As on a new database: Django makes the permissions on post_migrate, so
    # they do not exist until migrate has finished its migrations.
    Group.objects.all().delete()
    Permission.objects.all().delete()

    call_command("migrate", verbosity=0)

    assert_groups_whole()


@pytest.mark.django_db(transaction=True)
def test_flush_leaves_the_groups_and_their_permissions():
    Group.objects.get(name=Role.OFFICER.label).permissions.clear()
    Group.objects.filter(name=Role.PANEL.label).delete()

    call_command("flush", interactive=False, verbosity=0)

    assert_groups_whole()


@pytest.mark.django_db(transaction=True)
def test_migrate_twice_changes_nothing():
    call_command("migrate", verbosity=0)
    before = list(
        Group.objects.values_list("pk", "name", "permissions__pk").order_by(
            "pk", "permissions__pk"
        )
    )
    call_command("migrate", verbosity=0)
    after = Group.objects.values_list("pk", "name", "permissions__pk")
    assert list(after.order_by("pk", "permissions__pk")) == before

"""Signing in and reading who is signed in."""

from __future__ import annotations

from functools import cache

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group as AuthGroup
from django.core.exceptions import ValidationError
from django.db import connection

from .models import Site, User


@cache
def _user_with_roles_and_sites() -> str:
    """The user, their group names and the sites they build in (each site's
    row as JSON, in the sites' own order), as one statement. Written out
    rather than built by the ORM: the same read as ``annotate(ArrayAgg(...),
    ArraySubquery(...))`` took a millisecond of CPU to compile on every
    request, this a tenth of one."""
    q = connection.ops.quote_name
    user_id = q(User._meta.pk.column)
    groups = AuthGroup._meta
    memberships = User.groups.through._meta
    builders = Site.builders.through._meta
    sites = Site._meta
    order = ", ".join(
        f"s.{q(sites.get_field(name.removeprefix('-')).column)}"
        f"{' DESC' if name.startswith('-') else ''}"
        for name in sites.ordering
    )
    return (
        f"SELECT u.*,"
        f" ARRAY(SELECT g.{q(groups.get_field('name').column)}"
        f" FROM {q(memberships.db_table)} m"
        f" JOIN {q(groups.db_table)} g"
        f" ON g.{q(groups.pk.column)} = m.{q(memberships.get_field('group').column)}"
        f" WHERE m.{q(memberships.get_field('user').column)} = u.{user_id})"
        f" AS group_names,"
        f" ARRAY(SELECT row_to_json(s) FROM {q(builders.db_table)} b"
        f" JOIN {q(sites.db_table)} s"
        f" ON s.{q(sites.pk.column)} = b.{q(builders.get_field('site').column)}"
        f" WHERE b.{q(builders.get_field('user').column)} = u.{user_id}"
        f" ORDER BY {order})"
        f" AS built_sites"
        f" FROM {q(User._meta.db_table)} u WHERE u.{user_id} = %s"
    )


def _site_from_row(row: dict) -> Site:
    fields = Site._meta.concrete_fields
    return Site.from_db(
        connection.alias,
        [field.attname for field in fields],
        [field.to_python(row[field.column]) for field in fields],
    )


class SignInBackend(ModelBackend):
    """Django's username-and-password backend, except that the user read for
    each request brings their group names (their roles) and the sites they
    build in, in the same query: every page asks for the roles, and every
    builder's page and submission for the sites; each took a query of its
    own before this (a submission asked for the sites three times: to scope
    the form, to find the one sent, and to check the builder's access)."""

    def get_user(self, user_id):
        try:
            user_id = User._meta.pk.to_python(user_id)
        except ValidationError:  # not an id at all: nobody, not a query error
            return None
        user = next(
            iter(User._default_manager.raw(_user_with_roles_and_sites(), [user_id])),
            None,
        )
        if user is None or not self.user_can_authenticate(user):
            return None
        user.built_sites = [_site_from_row(row) for row in user.built_sites]
        return user

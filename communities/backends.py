"""Signing in and reading who is signed in."""

from __future__ import annotations

from functools import cache

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connection

from .models import Site, User

# The function the migration communities 0011 makes: a user's group names
# and the rows of the sites they build in, as JSON.
ROLES_AND_SITES = "communities_roles_and_sites"


@cache
def _user_with_roles_and_sites() -> str:
    """The user's columns, in their fields' order, and their group names and
    sites, as one statement. Written out rather than built by the ORM: the
    same read as ``annotate(ArrayAgg(...), ArraySubquery(...))`` cost more
    CPU to compile, on every request, than this to run; and the roles and
    sites come from a function whose plans PostgreSQL keeps, where the same
    subqueries in this statement were planned every time (the figures are
    in docs/scaling.md)."""
    q = connection.ops.quote_name
    meta = User._meta
    columns = ", ".join(f"u.{q(field.column)}" for field in meta.concrete_fields)
    return (
        f"SELECT {columns}, {ROLES_AND_SITES}(u.{q(meta.pk.column)})"
        f" FROM {q(meta.db_table)} u WHERE u.{q(meta.pk.column)} = %s"
    )


@cache
def _user_fields() -> tuple[list[str], list[tuple[int, object]]]:
    """The user's field names, in the statement's order, and what turns a
    column's value into the field's (for a field that says)."""
    fields = User._meta.concrete_fields
    converters = [
        (i, field.from_db_value)
        for i, field in enumerate(fields)
        if hasattr(field, "from_db_value")
    ]
    return [field.attname for field in fields], converters


def _site_from_row(row: dict) -> Site:
    fields = Site._meta.concrete_fields
    return Site.from_db(
        connection.alias,
        [field.attname for field in fields],
        [field.to_python(row[field.column]) for field in fields],
    )


def _read_user(user_id) -> User | None:
    with connection.cursor() as cursor:
        cursor.execute(_user_with_roles_and_sites(), [user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    *values, extras = row
    names, converters = _user_fields()
    for i, convert in converters:
        values[i] = convert(values[i], None, connection)
    user = User.from_db(connection.alias, names, values)
    user.group_names = extras["groups"]
    user.built_sites = [_site_from_row(site) for site in extras["sites"]]
    return user


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
        user = _read_user(user_id)
        if user is None or not self.user_can_authenticate(user):
            return None
        return user

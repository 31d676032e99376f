"""The user read of every request, chosen for the benchmark.

Production reads a signed-in user, their roles and the sites they build in
with one statement that calls a PL/pgSQL function (communities.backends,
communities migration 0011). The benchmark sets that beside the plain
reading through the ORM's public API, here, so that `make bench` can say
whether the function earns its keep: abcd.settings.bench picks one by
BENCH_USER_READ ("function", the default, or "orm").

Either is named in the settings as ``bench.backends.UserReadBackend``: a
session records the backend's path, so one path for both lets a session
signed in on one server be used on the other.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from communities.backends import SignInBackend
from communities.models import User


class OrmSignInBackend(ModelBackend):
    """Django's own ModelBackend.get_user, then the user's group names and
    the sites they build in, each read through the ORM (three queries in
    all), given to the user as production's read gives them
    (``group_names`` and ``built_sites``, which the roles and the site
    scoping use): the two reads differ in how they read, not in what the
    app then does. Of the plain ways to write it this cost the least CPU,
    less than the user with its groups and sites prefetched."""

    def get_user(self, user_id):
        try:
            user_id = User._meta.pk.to_python(user_id)
        except ValidationError:  # not an id at all: nobody, not a query error
            return None
        user = super().get_user(user_id)
        if user is None:
            return None
        user.group_names = list(user.groups.values_list("name", flat=True))
        user.built_sites = list(user.sites.all())
        return user


READS = {"function": SignInBackend, "orm": OrmSignInBackend}

# Chosen when Django first loads the backend, after the settings.
UserReadBackend = READS[getattr(settings, "BENCH_USER_READ", "function")]

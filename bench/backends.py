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
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db.models import Prefetch

from communities.backends import SignInBackend
from communities.models import User


class OrmSignInBackend(SignInBackend):
    """Django's ModelBackend.get_user with the user's groups and sites
    prefetched (three queries: the user, their groups, their sites), giving
    the user the same ``group_names`` and ``built_sites`` as production's
    read, which the roles and the site scoping use."""

    def get_user(self, user_id):
        try:
            user_id = User._meta.pk.to_python(user_id)
        except ValidationError:  # not an id at all: nobody, not a query error
            return None
        try:
            user = User._default_manager.prefetch_related(
                Prefetch("groups", queryset=Group.objects.only("name")), "sites"
            ).get(pk=user_id)
        except User.DoesNotExist:
            return None
        if not self.user_can_authenticate(user):
            return None
        user.group_names = [group.name for group in user.groups.all()]
        user.built_sites = list(user.sites.all())
        return user


READS = {"function": SignInBackend, "orm": OrmSignInBackend}

# Chosen when Django first loads the backend, after the settings.
UserReadBackend = READS[getattr(settings, "BENCH_USER_READ", "function")]

"""Signing in and reading who is signed in."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.postgres.aggregates import ArrayAgg
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, Q

from .models import Site, User


class SignInBackend(ModelBackend):
    """Django's username-and-password backend, except that the user read for
    each request brings their group names (their roles) and the sites they
    build in, in the same query: every page asks for the roles, and every
    builder's page and submission for the sites; each took a query of its
    own before this (a submission asked for the sites twice)."""

    def get_user(self, user_id):
        user = (
            User._default_manager.annotate(
                group_names=ArrayAgg(
                    "groups__name", filter=Q(groups__isnull=False), default=[]
                ),
                built_site_ids=ArraySubquery(
                    Site.builders.through.objects.filter(user=OuterRef("pk")).values(
                        "site_id"
                    )
                ),
            )
            .filter(pk=user_id)
            .first()
        )
        if user is None or not self.user_can_authenticate(user):
            return None
        return user

"""Signing in and reading who is signed in."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Q

from .models import User


class SignInBackend(ModelBackend):
    """Django's username-and-password backend, except that the user read for
    each request brings their group names (their roles) in the same query:
    every page asks for the roles, and before this it took a second query."""

    def get_user(self, user_id):
        user = (
            User._default_manager.annotate(
                group_names=ArrayAgg(
                    "groups__name", filter=Q(groups__isnull=False), default=[]
                )
            )
            .filter(pk=user_id)
            .first()
        )
        if user is None or not self.user_can_authenticate(user):
            return None
        return user

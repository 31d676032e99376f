"""How views ask for permission, and the one scoping rule.

A view names the capability it needs (CapabilityRequiredMixin or
capability_required, both reading core.roles). Rows that belong to someone's
part of the programme are read through their QuerySet's ``visible_to(user)``
(the ``VisibleTo`` protocol below): a row the user may not see is simply not
found (404), in lists, pages and services alike. Sign-in itself is enforced
for every page by Django's LoginRequiredMiddleware; these add the role check
and the scoping on top."""

from __future__ import annotations

from functools import wraps
from typing import Protocol

from django.contrib.auth.mixins import UserPassesTestMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied

from core.roles import Capability, can


class VisibleTo(Protocol):
    """A QuerySet that knows which of its rows a user may see. Every model
    whose rows are scoped (residents, conversations, introductions, groups,
    sites, assets, applications, report runs) has one."""

    def visible_to(self, user) -> VisibleTo: ...


class CapabilityRequiredMixin(UserPassesTestMixin):
    """Refuse (403) a signed-in user whose roles lack the view's capability."""

    required_capability: Capability | None = None
    raise_exception = True

    def test_func(self) -> bool:
        if self.required_capability is None:
            raise ImproperlyConfigured(
                f"{type(self).__name__} must set required_capability"
            )
        return can(self.request.user, self.required_capability)


def capability_required(capability: Capability):
    """The function-view form of CapabilityRequiredMixin."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not can(request.user, capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class SiteScopedMixin(CapabilityRequiredMixin):
    """Lists and pages of site data: the rows come from the model's
    ``visible_to(user)``, so another site's row is simply not found (404),
    and the capability is the builder's."""

    required_capability = Capability.LOG_WORK
    model = None

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user)

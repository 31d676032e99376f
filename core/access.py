"""How views ask for permission: one mixin and one decorator, both reading
core.roles. Sign-in itself is enforced for every page by Django's
LoginRequiredMiddleware; these add the role check on top."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.mixins import UserPassesTestMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied

from core.roles import Capability, can


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

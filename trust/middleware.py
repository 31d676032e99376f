"""Request-wide trust rules: two-factor sign-in for officers, who made each
change (for the audit triggers) and who opened a resident's record."""

from __future__ import annotations

from urllib.parse import urlencode

import pghistory.middleware
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from core.roles import Role, roles_of

from .services import record_access_log

# Pages an officer may reach before the second factor: the two-factor pages
# themselves and signing out.
TWO_FACTOR_EXEMPT = {"trust:two-factor", "logout"}

# Staff pages that show one resident's record, by URL name, and the action
# each one records in the access log (the resident's id is the URL's pk).
RESIDENT_RECORD_PAGES = {
    "communities:resident-detail": "viewed",
    "communities:resident-edit": "edit_opened",
}


class OfficerTwoFactorMiddleware:
    """When OFFICER_2FA_REQUIRED is on, an officer signed in with a password
    alone reaches only public pages and the two-factor page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.OFFICER_2FA_REQUIRED:
            return None
        user = request.user
        if not user.is_authenticated or Role.OFFICER not in roles_of(user):
            return None
        if user.is_verified():
            return None
        if request.content_type == "application/json":
            # The phone's outbox reads JSON and keeps the item: no redirect.
            return JsonResponse(
                {"error": "two-factor", "message": "Sign in with your code first."},
                status=403,
            )
        if not getattr(view_func, "login_required", True):
            return None
        match = request.resolver_match
        if match and match.view_name in TWO_FACTOR_EXEMPT:
            return None
        query = urlencode({"next": request.get_full_path()})
        return redirect(f"{reverse('trust:two-factor')}?{query}")


class AuditContextMiddleware(pghistory.middleware.HistoryMiddleware):
    """Attach who (user id and username) and where (the URL) to every change
    a request makes, and log who opened a resident's record."""

    def get_context(self, request):
        context = super().get_context(request)
        if getattr(request, "user", None) and request.user.is_authenticated:
            context["username"] = request.user.get_username()
        return context

    def __call__(self, request):
        response = super().__call__(request)
        match = getattr(request, "resolver_match", None)
        if (
            match
            and match.view_name in RESIDENT_RECORD_PAGES
            and request.method == "GET"
            and response.status_code == 200
            and request.user.is_authenticated
        ):
            record_access_log(
                resident_id=match.kwargs["pk"],
                user=request.user,
                action=RESIDENT_RECORD_PAGES[match.view_name],
                path=request.path,
            )
        return response

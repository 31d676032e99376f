"""Pages that belong to the whole service rather than to one app: the public
home page, the accessibility statement, the health check, the landing after
sign-in and the error pages."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.roles import ROLE_HOME, primary_role

from . import health


@login_not_required
def home(request):
    return render(request, "home.html")


@login_not_required
def accessibility(request):
    return render(request, "accessibility.html")


@login_not_required
@never_cache
@require_GET
# Not wrapped in a transaction: opening one would fail before the check runs.
@transaction.non_atomic_requests
def healthz(request):
    checks = {
        "database": "ok" if health.database_ok() else "unavailable",
        "broker": "ok" if health.broker_ok() else "unavailable",
    }
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(checks, status=200 if healthy else 503)


@login_not_required
@never_cache
@transaction.non_atomic_requests
def ping(request):
    """Liveness: the process answers (no database, no broker). /healthz says
    whether it can do its work."""
    return HttpResponse("ok", content_type="text/plain")


def role_home(request):
    """Send a signed-in person to their role's home page."""
    role = primary_role(request.user)
    if role is None:
        return render(request, "no_role.html", status=403)
    return redirect(ROLE_HOME[role])


def server_error(request):
    # Rendered without context processors: whatever failed may be one of them.
    template = loader.get_template("500.html")
    context = {
        "council_name": settings.COUNCIL_NAME,
        "service_name": settings.SERVICE_NAME,
    }
    return HttpResponseServerError(template.render(context))

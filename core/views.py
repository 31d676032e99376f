"""Views every app shares."""

from django.http import JsonResponse
from django.views.csrf import csrf_failure as django_csrf_failure


def csrf_failure(request, reason=""):
    """A failed CSRF check: JSON for a view that answers in JSON (it says so
    with ``answers_json = True``: the phone's outbox keeps the item and asks
    the builder to sign in again), Django's usual page for everyone else."""
    match = request.resolver_match
    view_class = getattr(match.func, "view_class", None) if match else None
    if getattr(view_class, "answers_json", False):
        return JsonResponse({"error": "csrf", "message": reason}, status=403)
    return django_csrf_failure(request, reason)

"""The benchmark's own yardstick views, served only under abcd.settings.bench
(bench.urls)."""

from django.contrib.admin.models import ADDITION, LogEntry
from django.http import JsonResponse
from django.views.decorators.http import require_http_methods


@require_http_methods(["PUT"])
def bare_write(request, device_id):
    """One row inserted, in the request's transaction, by a signed-in user
    through the app's middleware: what any write costs before the app does
    its own work, the floor a builder's submission is set against. Sent as
    the phone sends a submission (a PUT under a new ID, with the CSRF
    header); the row is in Django's admin log, a table no page of the app
    reads."""
    LogEntry.objects.create(
        user=request.user,
        action_flag=ADDITION,
        object_id=str(device_id),
        object_repr="benchmark write",
    )
    return JsonResponse({"id": str(device_id)}, status=201)

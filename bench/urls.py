"""The app's URLs, and the benchmark's yardsticks beside them
(abcd.settings.bench only)."""

from django.urls import path

from abcd.urls import handler500
from abcd.urls import urlpatterns as app_urlpatterns

from . import views
from .pages import BARE_WRITE

urlpatterns = [
    path(
        f"{BARE_WRITE.lstrip('/')}<uuid:device_id>/",
        views.bare_write,
        name="bench-bare-write",
    ),
    *app_urlpatterns,
]

__all__ = ["handler500", "urlpatterns"]

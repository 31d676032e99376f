"""The demo's one model: the mark that says a database is the demo's."""

from django.db import models
from django.utils import timezone


class DemoMarker(models.Model):
    """Written by the first ``seed_demo``, in the transaction that loads the
    demo: a database holding it was made by the demo. ``seed_demo`` refuses a
    database that holds records but no marker, which may be a council's own
    (demo.guard)."""

    seeded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Demo data loaded on {self.seeded_at:%Y-%m-%d}"

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone


@shared_task(ignore_result=True)
def heartbeat() -> str:
    """Record that beat and a worker are both alive (shown by /healthz)."""
    now = timezone.now().isoformat()
    cache.set("abcd:heartbeat", now, timeout=None)
    return now

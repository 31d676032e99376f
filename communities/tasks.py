from celery import shared_task

from .models import PlacesUpload
from .places import places_upload_run


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_places_upload(upload_id: int) -> str:
    """Load uploaded ward or deprivation files in the background. Safe to run
    twice: a finished load is left as it is; an interrupted one wrote
    nothing (the load is one transaction)."""
    upload = PlacesUpload.objects.filter(pk=upload_id).first()
    if upload is None:
        return "missing"
    return places_upload_run(upload=upload).status

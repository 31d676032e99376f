from celery import shared_task

from .models import AssetImport
from .services import asset_import_run


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_asset_import(asset_import_id: int) -> str:
    """Import a large file in the background. Safe to run twice: a finished
    import is left as it is, and an interrupted one wrote nothing."""
    asset_import = AssetImport.objects.filter(pk=asset_import_id).first()
    if asset_import is None:
        return "missing"
    return asset_import_run(asset_import=asset_import).status

from celery import shared_task

from . import services


@shared_task
def apply_retention() -> int:
    """Nightly: anonymise and delete what the retention schedule says is due.
    Idempotent: what was erased is not due again."""
    plan = services.retention_apply(dry_run=False)
    return len(plan.residents) + len(plan.draft_applications)

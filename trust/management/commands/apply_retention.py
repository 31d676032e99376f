from django.core.management.base import BaseCommand

from trust import services


class Command(BaseCommand):
    help = (
        "Apply the personal data retention schedule (RETENTION_* settings). "
        "With --dry-run, list what it would do and change nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would happen only."
        )

    def handle(self, *args, dry_run: bool = False, **options):
        plan = services.retention_apply(dry_run=dry_run)
        for line in plan.lines():
            self.stdout.write(line)

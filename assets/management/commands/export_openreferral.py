"""Write each public asset as an Open Referral UK 3.0 service, one JSON file
per service, after checking every one against the ORUK service schema."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assets import openreferral
from assets.models import Asset


class Command(BaseCommand):
    help = "Export public assets as Open Referral UK 3.0 services (one JSON file each)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", required=True, help="The folder to write the files into."
        )

    def handle(self, *args, output, **options):
        folder = Path(output)
        folder.mkdir(parents=True, exist_ok=True)
        services = [openreferral.service_for(a) for a in Asset.objects.published()]
        problems = {
            service["id"]: errors
            for service in services
            if (errors := openreferral.errors_in(service))
        }
        if problems:
            lines = [f"{sid}: {'; '.join(errs)}" for sid, errs in problems.items()]
            raise CommandError(
                "Nothing written: some services do not match the ORUK schema.\n"
                + "\n".join(lines)
            )
        for service in services:
            path = folder / f"{service['id']}.json"
            path.write_text(json.dumps(service, indent=2, ensure_ascii=False) + "\n")
        self.stdout.write(f"Wrote {len(services)} services to {folder}.")

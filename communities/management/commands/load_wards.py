"""Load the council's ward boundaries from an ONS/OS GeoJSON file."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from communities import places


class Command(BaseCommand):
    help = (
        "Load ward boundaries (GeoJSON in WGS 84 longitude/latitude, such as "
        "ONS's Wards boundaries). The code and name properties are found when "
        "they follow ONS's pattern (WD23CD/WD23NM); a later boundary set keeps "
        "earlier wards for the records that name them. All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The GeoJSON file.")
        parser.add_argument("--code-property", default="", help="Such as WD23CD.")
        parser.add_argument("--name-property", default="", help="Such as WD23NM.")
        parser.add_argument(
            "--vintage", type=int, help="The boundaries' year, such as 2023."
        )

    def handle(self, *args, file: Path, **options):
        started = time.monotonic()
        try:
            text = file.read_bytes()
        except OSError as error:
            raise CommandError(f"{file} could not be read: {error.strerror}.") from None
        try:
            wards = places.read_wards(
                text,
                code_property=options["code_property"],
                name_property=options["name_property"],
                vintage=options["vintage"],
            )
            report = places.load_wards(wards)
        except places.PlacesFileError as error:
            raise CommandError(
                "Nothing was loaded:\n  " + "\n  ".join(error.messages)
            ) from None
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(f"Done in {time.monotonic() - started:.1f} s.")

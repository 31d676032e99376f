"""Work out each ward's deprivation from LSOA boundaries and IMD ranks."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from communities import places


class Command(BaseCommand):
    help = (
        "Load deprivation: LSOA boundaries (2011 or 2021, GeoJSON in WGS 84) "
        "and the English Indices of Deprivation File 1 (IMD 2019 or IoD 2025, "
        "CSV), or any CSV with an LSOA code and a rank. Load the wards first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--lsoas", type=Path, required=True, help="GeoJSON.")
        parser.add_argument("--ranks", type=Path, required=True, help="CSV.")
        parser.add_argument("--code-column", default="", help="The LSOA code column.")
        parser.add_argument("--rank-column", default="", help="The IMD rank column.")
        parser.add_argument(
            "--lsoa-code-property", default="", help="Such as LSOA21CD."
        )
        parser.add_argument(
            "--lsoa-name-property", default="", help="Such as LSOA21NM."
        )
        parser.add_argument(
            "--lsoas-in-england",
            type=int,
            help="Only for a ranks file that is an extract, not all of England.",
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        texts = {}
        for key in ("lsoas", "ranks"):
            try:
                texts[key] = options[key].read_bytes()
            except OSError as error:
                raise CommandError(
                    f"{options[key]} could not be read: {error.strerror}."
                ) from None
        try:
            report = places.load_deprivation(
                places.read_lsoas(
                    texts["lsoas"],
                    code_property=options["lsoa_code_property"],
                    name_property=options["lsoa_name_property"],
                ),
                places.read_ranks(
                    texts["ranks"],
                    code_column=options["code_column"],
                    rank_column=options["rank_column"],
                    lsoas_in_england=options["lsoas_in_england"],
                ),
                lsoas_file=options["lsoas"].name,
                ranks_file=options["ranks"].name,
            )
        except places.PlacesFileError as error:
            raise CommandError(
                "Nothing was loaded:\n  " + "\n  ".join(error.messages)
            ) from None
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(f"Done in {time.monotonic() - started:.1f} s.")

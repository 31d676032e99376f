"""Load a needs measure for each ward (the Community Needs Index, a census
figure) from a CSV file of ward code and value. Loading a measure again under
the same name replaces its values; a file with any mistake changes nothing."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from communities import measures as places


class Command(BaseCommand):
    help = (
        "Load a ward-level needs measure from a CSV of ward code and value "
        "(replacing the values of a measure of the same name)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV file: a ward code and a value a row.")
        parser.add_argument(
            "--name",
            required=True,
            help="The measure's name, such as: Community Needs Index.",
        )
        parser.add_argument(
            "--source",
            required=True,
            help="Where the figures come from, and which release.",
        )
        direction = parser.add_mutually_exclusive_group(required=True)
        direction.add_argument(
            "--higher-is-more-need",
            dest="higher_is_more_need",
            action="store_true",
            help="Higher values mean more need (shaded darker).",
        )
        direction.add_argument(
            "--lower-is-more-need",
            dest="higher_is_more_need",
            action="store_false",
            help="Lower values mean more need (shaded darker).",
        )
        parser.add_argument(
            "--code-column",
            help="The column of ward codes, when it is not found by its name "
            "(WD23CD, Ward code, code...).",
        )
        parser.add_argument(
            "--value-column",
            help="The column of values, when the file has more than one column of numbers.",
        )
        parser.add_argument("--unit", default="", help="Such as: score, %%, people.")
        parser.add_argument("--description", default="", help="What the figure means.")

    def handle(self, *args, file, **options):
        path = Path(file)
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{file} cannot be read: {error.strerror}.") from error
        try:
            report = places.load_ward_measure(
                raw,
                name=options["name"],
                source=options["source"],
                higher_is_more_need=options["higher_is_more_need"],
                code_column=options["code_column"],
                value_column=options["value_column"],
                unit=options["unit"],
                description=options["description"],
            )
        except ValidationError as error:
            raise CommandError(
                f"{path.name} was not loaded.\n" + "\n".join(error.messages)
            ) from error
        for line in report.lines():
            self.stdout.write(line)

"""Write the small sparks grants as a 360Giving JSON data package."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from grants import threesixty


class Command(BaseCommand):
    help = "Export small sparks grants as a 360Giving data package (JSON)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", required=True, help="The file to write, or - for stdout."
        )

    def handle(self, *args, output: str, **options):
        problems = threesixty.identity_problems()
        if problems:
            raise CommandError(
                "Nothing written: the council's 360Giving identifiers are not "
                "ready to publish.\n" + "\n".join(problems)
            )
        package = threesixty.grants_package()
        if not package["grants"]:
            raise CommandError(
                "There are no grants to publish yet: 360Giving needs at least one."
            )
        errors = threesixty.validation_errors(package)
        if errors:
            raise CommandError(
                "The grants do not meet the 360Giving schema:\n" + "\n".join(errors)
            )
        text = threesixty.dumps(package)
        if output == "-":
            self.stdout.write(text, ending="")
            return
        Path(output).write_text(text, encoding="utf-8")
        self.stderr.write(f"Wrote {len(package['grants'])} grants to {output}.")

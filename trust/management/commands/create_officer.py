"""create_officer: the first officer of a new install, who then sets up
everything else in the product and its admin."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timeuntil

from trust import services


class Command(BaseCommand):
    help = (
        "Create an officer's account (in the Officer group, with admin access) "
        "with no password, and print a link, good for one use, at which they "
        "choose one. Refuses a username or email address already in use."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="The name they sign in with.")
        parser.add_argument("--email", required=True, help="Their email address.")
        parser.add_argument("--first-name", default="", help="Their first name.")
        parser.add_argument("--last-name", default="", help="Their last name.")

    def handle(self, *args, **options):
        try:
            user = services.officer_create(
                username=options["username"],
                email=options["email"],
                first_name=options["first_name"],
                last_name=options["last_name"],
            )
        except ValidationError as error:
            lines = [f"  {message}." for message in error.messages]
            raise CommandError("No account was made:\n" + "\n".join(lines)) from error
        now = timezone.now()
        lasts = timeuntil(
            now + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT), now
        ).replace("\xa0", " ")
        name = user.get_full_name()
        self.stdout.write(
            f'Made the officer account "{user.username}"'
            + (f" for {name}" if name else "")
            + f" ({user.email}), with no password yet.\n"
            f"Send them this link to choose their password. It works once, "
            f"for {lasts}:\n\n"
            f"  {services.set_password_link(user=user)}\n\n"
            "Then they sign in at "
            f"{settings.SITE_URL.rstrip('/')}{reverse('login')}"
            + (
                " and set up two-factor sign-in with an authenticator app."
                if settings.OFFICER_2FA_REQUIRED
                else "."
            )
        )

import re

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from communities.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",
        "my nan's allotment has the best rhubarb",
        "x" * 0 + "purple-otter-kettle-lamp",
        # ASVS: at least 64 characters must be allowed.
        "a passphrase long enough to fill a whole line of a phone screen and more",
        # No composition rules: all lower case, no digits, is fine when long.
        "quietly walking along the canal towpath",
    ],
)
def test_long_passphrases_are_accepted(password):
    assert len(password) >= 12
    validate_password(password, user=UserFactory.build(username="sam"))


GUESSABLE = "Choose a password that is harder to guess"
NAMED = "does not contain the name of the service or council"


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("passwordpassword", GUESSABLE),  # common, repeated
        ("Password2025!!", GUESSABLE),  # common word dressed up
        ("P@ssw0rd123456", GUESSABLE),  # leet swaps
        ("qwertyuiop123", GUESSABLE),  # keyboard run
        ("aaaaaaaaaaaaaaaa", GUESSABLE),  # one character
        ("iloveyou12345!", GUESSABLE),  # common with digits
        (settings.COUNCIL_NAME.split()[0] + "2026!", NAMED),  # the council's name
        ("communitybuilding", NAMED),  # the service's own name
        ("short", "too short. It must contain at least 12 characters"),
        # beyond the cap that protects the hasher
        ("x" * 129, "Enter a password of 128 characters or fewer"),
    ],
)
def test_common_breached_style_and_context_passwords_are_refused(password, message):
    with pytest.raises(ValidationError, match=re.escape(message)):
        validate_password(password, user=UserFactory.build(username="sam"))


def test_the_messages_say_what_to_do():
    with pytest.raises(ValidationError, match="three or four random words") as error:
        validate_password("Password2025!!")
    assert any("three or four random words" in m for m in error.value.messages)

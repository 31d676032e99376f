import pytest
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


@pytest.mark.parametrize(
    "password",
    [
        "passwordpassword",  # common, repeated
        "Password2025!!",  # common word dressed up
        "P@ssw0rd123456",  # leet swaps
        "qwertyuiop123",  # keyboard run
        "aaaaaaaaaaaaaaaa",  # one character
        "iloveyou12345!",  # common with digits
        "Gloucester2026!",  # the council's own name
        "communitybuilding",  # the service's own name
        "short",  # too short
        "x" * 129,  # beyond the cap that protects the hasher
    ],
)
def test_common_breached_style_and_context_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password, user=UserFactory.build(username="sam"))


def test_the_messages_say_what_to_do():
    with pytest.raises(ValidationError) as error:
        validate_password("Password2025!!")
    assert any("three or four random words" in m for m in error.value.messages)

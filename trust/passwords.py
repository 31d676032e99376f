"""Password rules per OWASP ASVS 5.0 level 2 (V6.2): long passphrases allowed,
common and breached-style passwords refused, and no composition rules (no
"one capital, one digit, one symbol"), which make passwords weaker, not
stronger."""

from __future__ import annotations

import re
from functools import cache

from django.conf import settings
from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError

# ASVS asks that at least 64 characters are allowed; the cap only guards the
# hasher against megabyte-long input.
MAX_LENGTH = 128

# The swaps people make to dress up a common word ("P@55w0rd").
LEET = str.maketrans(
    {"@": "a", "4": "a", "0": "o", "1": "l", "!": "i", "3": "e", "$": "s",
     "5": "s", "7": "t", "+": "t", "9": "g", "8": "b"}
)  # fmt: skip

KEYBOARD_RUNS = (
    "qwertyuiopasdfghjklzxcvbnm",
    "abcdefghijklmnopqrstuvwxyz",
    "01234567890",
    "1qaz2wsx3edc4rfv5tgb",
)


@cache
def common_passwords() -> frozenset[str]:
    """Django's bundled list of 20,000 passwords seen in breaches."""
    return frozenset(CommonPasswordValidator().passwords)


def core_of(password: str) -> str:
    """The word under the decoration: lower case, swaps undone, digits and
    symbols around it and repeats of it removed."""
    text = password.lower()
    text = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", text)
    text = text.translate(LEET)
    text = re.sub(r"[\W_]+", "", text)
    for size in range(1, len(text) // 2 + 1):
        unit = text[:size]
        if len(text) % size == 0 and unit * (len(text) // size) == text:
            return unit
    return text


class MaximumLengthValidator:
    def __init__(self, max_length: int = MAX_LENGTH):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(
                f"Enter a password of {self.max_length} characters or fewer.",
                code="password_too_long",
            )

    def get_help_text(self):
        return f"Your password can be up to {self.max_length} characters long."


class BreachedPatternValidator:
    """Refuse a common password dressed up with digits, symbols, swaps or
    repetition ("Password2025!", "qwertyqwerty", "aaaaaaaaaaaa")."""

    message = (
        "Choose a password that is harder to guess. It is too like a password "
        "that has been used in breaches. Try three or four random words."
    )

    def validate(self, password, user=None):
        core = core_of(password)
        lowered = password.lower()
        if (
            len(set(lowered)) <= 3
            or len(core) < 4
            or core in common_passwords()
            or any(core in run or lowered in run * 2 for run in KEYBOARD_RUNS)
        ):
            raise ValidationError(self.message, code="password_breached_pattern")

    def get_help_text(self):
        return (
            "Your password cannot be a common password with numbers or symbols added."
        )


class ContextWordsValidator:
    """Refuse a password built on the service's or the council's own name."""

    message = (
        "Choose a password that does not contain the name of the service or council."
    )

    def words(self) -> list[str]:
        names = f"{settings.COUNCIL_NAME} {settings.SERVICE_NAME} abcd community"
        return [w for w in re.findall(r"[a-z]+", names.lower()) if len(w) >= 4]

    def validate(self, password, user=None):
        core = core_of(password)
        rest = core
        for word in self.words():
            rest = rest.replace(word, "")
        if rest != core and (len(rest) < 6 or rest in common_passwords()):
            raise ValidationError(self.message, code="password_context_word")

    def get_help_text(self):
        return "Your password cannot be based on the name of the service or council."

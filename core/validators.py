"""Validators for text people type into public forms: no control characters,
and a UK phone number. Plain functions, used on model fields (so a form, a
service's ``full_clean`` and the admin all refuse the same) and on plain
form fields."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

# Characters that change how text is shown without being seen: bidirectional
# embeddings, overrides and isolates (the "Trojan Source" characters).
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Multi-line answers keep their line breaks and tabs.
_LINE_BREAKS = frozenset("\n\r\t")

CONTROL_CHARACTERS_MESSAGE = (
    "Remove the hidden control characters from your answer (they are "
    "sometimes pasted in by accident)"
)


def _is_control(character: str) -> bool:
    return unicodedata.category(character) == "Cc" or character in _BIDI_CONTROLS


@deconstructible
class NoControlCharacters:
    """Refuses control characters (the Unicode "Cc" category, NUL included,
    and bidirectional overrides). ``multiline`` allows line breaks and tabs,
    for a textarea."""

    def __init__(self, *, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, value) -> None:
        if not isinstance(value, str):
            return
        allowed = _LINE_BREAKS if self.multiline else frozenset()
        if any(_is_control(c) and c not in allowed for c in value):
            raise ValidationError(CONTROL_CHARACTERS_MESSAGE, code="control_characters")

    def __eq__(self, other) -> bool:
        return (
            isinstance(other, NoControlCharacters) and self.multiline == other.multiline
        )

    def __hash__(self) -> int:
        return hash(self.multiline)


single_line = NoControlCharacters()
multi_line = NoControlCharacters(multiline=True)


UK_PHONE_MESSAGE = (
    "Enter a UK phone number, like 01632 960 001, 07700 900 982 or +44 7700 900 982"
)
# What may separate the digits as people write them.
_SEPARATORS = re.compile(r"[\s\-().]")


def uk_phone_number(value: str) -> None:
    """A UK phone number as people write it: digits and spaces (hyphens and
    brackets too), starting 0 with 10 or 11 digits, or +44 (or 0044) and the
    number without its leading 0, which may be written as (0)."""
    if not value:
        return
    if not isinstance(value, str) or len(value) > 40:
        raise ValidationError(UK_PHONE_MESSAGE, code="phone")
    number = value.strip()
    if number.startswith("+44"):
        rest = number[3:]
    elif number.startswith("0044"):
        rest = number[4:]
    else:
        rest = None
    if rest is not None:
        rest = rest.replace("(0)", "", 1)
        digits = _SEPARATORS.sub("", rest)
        national = "0" + digits
    else:
        national = _SEPARATORS.sub("", number)
    if (
        not national.isascii()
        or not national.isdigit()
        or not national.startswith("0")
        or national.startswith("00")
        or not 10 <= len(national) <= 11
    ):
        raise ValidationError(UK_PHONE_MESSAGE, code="phone")

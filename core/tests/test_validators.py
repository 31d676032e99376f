import pytest
from django.core.exceptions import ValidationError

from core.validators import multi_line, single_line, uk_phone_number


@pytest.mark.parametrize(
    "number",
    [
        "01632 960001",
        "01632960001",
        "07700 900 982",
        "020 7946 0018",
        "0800 123 456",
        "+44 7700 900982",
        "+447700900982",
        "+44 (0)20 7946 0018",
        "0044 1632 960001",
        "(01632) 960-001",
        "",
    ],
)
def test_uk_phone_numbers_as_people_write_them(number):
    uk_phone_number(number)


@pytest.mark.parametrize(
    "number",
    [
        "12",
        "1632 960001",
        "07700 9009",
        "077009009821",
        "+1 202 555 0100",
        "+44 07700 900982",
        "0044 07700 900982",
        "00 7700 900982",
        "07700 900982 ext 4",
        "O77OO 9OO982",
        "０７７００９００９８２",
        "07700\x00900982",
        "0" * 41,
    ],
)
def test_anything_else_is_refused(number):
    with pytest.raises(ValidationError, match="Enter a UK phone number"):
        uk_phone_number(number)


@pytest.mark.parametrize(
    "text", ["a\x00b", "a\x1bb", "a\x7fb", "a\x85b", "a\u202eb", "a\u2066b"]
)
def test_control_characters_are_refused_on_one_line_or_many(text):
    with pytest.raises(ValidationError, match="hidden control characters"):
        single_line(text)
    with pytest.raises(ValidationError, match="hidden control characters"):
        multi_line(text)


def test_line_breaks_and_tabs_only_in_a_multi_line_answer():
    multi_line("One\r\n\tTwo")
    single_line("Zoë 🙂 O'Neill‍")
    for text in ("One\nTwo", "One\tTwo"):
        with pytest.raises(ValidationError, match="hidden control characters"):
            single_line(text)

import datetime

from core.dates import financial_year, financial_year_label, financial_year_of


def test_a_financial_year_runs_from_april_to_march():
    assert financial_year(2026) == (
        datetime.date(2026, 4, 1),
        datetime.date(2027, 3, 31),
    )


def test_the_last_day_of_march_belongs_to_the_year_before():
    assert financial_year_of(datetime.date(2027, 3, 31)) == 2026
    assert financial_year_of(datetime.date(2026, 4, 1)) == 2026


def test_the_label_gives_the_second_year_in_two_digits():
    assert financial_year_label(2025) == "2025/26"
    assert financial_year_label(1999) == "1999/00"
    assert financial_year_label(2009) == "2009/10"

"""The UK financial year (1 April to 31 March): the one helper for it and the
one way it is written."""

from __future__ import annotations

import datetime


def financial_year_of(day: datetime.date) -> int:
    """The year the financial year holding ``day`` starts in."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year(year: int) -> tuple[datetime.date, datetime.date]:
    """The first and last day of the financial year starting in ``year``."""
    return datetime.date(year, 4, 1), datetime.date(year + 1, 3, 31)


def financial_year_label(year: int) -> str:
    """2025/26 for the year starting on 1 April 2025."""
    return f"{year}/{(year + 1) % 100:02d}"

"""The council's places beyond their boundaries: needs measures known for each
ward (the Community Needs Index, a census figure), loaded from a CSV file of
ward code and value, and the version that tells a cached map its wards'
figures have changed.

Loading is checked in full before anything is written: every mistake is
reported by row, and a file with any mistake changes nothing."""

from __future__ import annotations

import csv
import io
import re
import time
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Area, WardMeasure, WardMeasureValue

PLACES_VERSION_KEY = "communities:places-version"
MAX_ROWS = 20_000
# The row-by-row list stops here: past it, the file needs a different fix.
MAX_ROW_ERRORS = 100
# What a value may hold (WardMeasureValue.value: 14 digits before the point).
LARGEST = Decimal("1e14")
DECIMAL_PLACES = Decimal("0.000001")

# Headers that name the ward code column, compared in lower case with spaces,
# hyphens and underscores as one space. ONS's own are WD23CD, WD19CD and so on.
CODE_HEADER = re.compile(r"^wd\d{2}cd$")
CODE_HEADERS = (
    "ward code",
    "ward ons code",
    "ward gss code",
    "ons code",
    "gss code",
    "geography code",
    "area code",
    "code",
)
GSS_CODE = re.compile(r"^[EWSN]\d{8}$")


def places_version() -> int:
    """Changes whenever wards' figures change, so that a cached map of the
    wards (assets.mapdata) is never stale. A time, not a counter, so that a
    version lost from the cache never comes back as an old one."""
    current = cache.get(PLACES_VERSION_KEY)
    if current is None:
        current = time.time_ns()
        if not cache.add(PLACES_VERSION_KEY, current, timeout=None):
            current = cache.get(PLACES_VERSION_KEY, current)
    return current


def bump_places_version() -> None:
    """Make every cached ward map out of date once the write has committed."""
    transaction.on_commit(
        lambda: cache.set(PLACES_VERSION_KEY, time.time_ns(), timeout=None)
    )


@dataclass
class MeasureLoadReport:
    measure: WardMeasure
    code_column: str
    value_column: str
    rows_read: int
    wards_with_value: int
    wards_without_value: list[str] = field(default_factory=list)
    replaced: bool = False

    def lines(self) -> list[str]:
        """The report in words, one line each."""
        without = self.wards_without_value
        lines = [
            (
                f"{self.measure.name}: {self.rows_read:,} "
                f"row{'s' if self.rows_read != 1 else ''} read (ward codes "
                f"from {self.code_column}, values from {self.value_column})."
            ),
            (
                f"{self.wards_with_value:,} "
                f"ward{'s have' if self.wards_with_value != 1 else ' has'} a value."
            ),
        ]
        if without:
            lines.append(
                f"{len(without):,} ward{'s have' if len(without) != 1 else ' has'} "
                "no value: " + ", ".join(without) + "."
            )
        else:
            lines.append("Every ward has a value.")
        if self.replaced:
            lines.append("The values loaded before under this name are replaced.")
        return lines


def _norm(header: str) -> str:
    return re.sub(r"[\s\-_]+", " ", header.strip().lower())


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(
            "The file must be a CSV saved as UTF-8. In Excel, choose Save As, "
            "then CSV UTF-8."
        ) from error


def _records(file_or_rows) -> list[list[str]]:
    """Every record of the file, the header first: from bytes, text, an open
    file (binary or text) or rows already split into cells."""
    source = file_or_rows
    if hasattr(source, "read"):
        source = source.read()
    if isinstance(source, bytes):
        source = _decode(source)
    if isinstance(source, str):
        if "\x00" in source:
            raise ValidationError("The file is not a CSV: it holds binary data.")
        try:
            return list(csv.reader(io.StringIO(source.lstrip("\ufeff"))))
        except csv.Error as error:
            raise ValidationError(
                f"The file is not a readable CSV: {error}."
            ) from error
    return [["" if cell is None else str(cell) for cell in row] for row in source]


def _find_column(headers: list[str], wanted: str | None, *, what: str) -> int | None:
    if not wanted:
        return None
    by_norm = {_norm(h): i for i, h in enumerate(headers)}
    index = by_norm.get(_norm(wanted))
    if index is None:
        raise ValidationError(
            f"The file has no column called {wanted.strip()} for the {what}. "
            f"Its columns are: {', '.join(headers)}."
        )
    return index


def _code_column(headers: list[str], rows: list[tuple[int, list[str]]]) -> int:
    """The ward code column, by its header (ONS's WDnnCD first) or, failing
    that, the one column whose every value looks like a GSS code."""
    names = [_norm(h) for h in headers]
    ons = [i for i, name in enumerate(names) if CODE_HEADER.match(name)]
    if len(ons) == 1:
        return ons[0]
    if len(ons) > 1:
        raise ValidationError(
            "The file has more than one column of ward codes ("
            + ", ".join(headers[i] for i in ons)
            + "): say which to use."
        )
    for header in CODE_HEADERS:
        if header in names:
            return names.index(header)
    looks_like_codes = [
        i
        for i in range(len(headers))
        if all(GSS_CODE.match(_cell(row, i).upper()) for _, row in rows)
    ]
    if len(looks_like_codes) == 1:
        return looks_like_codes[0]
    raise ValidationError(
        "No column of ward codes was found: name it WD23CD (or the year of your "
        'boundaries), "Ward code" or "code", or say which column holds them. '
        f"The file's columns are: {', '.join(headers)}."
    )


def _cell(row: list[str], index: int) -> str:
    return row[index].strip() if index < len(row) else ""


def _number(text: str) -> Decimal | None:
    """A figure as written in a spreadsheet (1,234.5 or 12.5%), or None."""
    cleaned = text.replace(",", "").strip()
    if cleaned.endswith("%"):
        cleaned = cleaned[:-1].strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _value_column(
    headers: list[str], rows: list[tuple[int, list[str]]], *, code: int
) -> int:
    """The column of values: the only other column; else the only one with
    any numbers in it (its other cells are then reported by row); else the
    only one whose every cell is a number (blanks allowed)."""
    others = [i for i in range(len(headers)) if i != code]
    if len(others) == 1:
        return others[0]
    some = [
        i for i in others if any(_number(_cell(row, i)) is not None for _, row in rows)
    ]
    if len(some) == 1:
        return some[0]
    every = [
        i
        for i in some
        if all(_number(_cell(row, i)) is not None for _, row in rows if _cell(row, i))
    ]
    if len(every) == 1:
        return every[0]
    if not some:
        raise ValidationError(
            "No column of numbers was found besides the ward codes: say which "
            f"column holds the values. The file's columns are: {', '.join(headers)}."
        )
    raise ValidationError(
        "The file has more than one column of numbers ("
        + ", ".join(headers[i] for i in (every or some))
        + "): say which column holds the values."
    )


def _read(
    file_or_rows, *, code_column: str | None, value_column: str | None
) -> tuple[str, str, list[tuple[int, str, str]]]:
    records = _records(file_or_rows)
    if not records or not any(cell.strip() for cell in records[0]):
        raise ValidationError("The file must start with a row of column names.")
    headers = [cell.strip() for cell in records[0]]
    rows = [
        (number, record)
        for number, record in enumerate(records[1:], start=2)
        if any(cell.strip() for cell in record)
    ]
    if not rows:
        raise ValidationError("The file has column names but no rows.")
    if len(rows) > MAX_ROWS:
        raise ValidationError(
            f"The file has {len(rows):,} rows; a council has far fewer wards "
            f"than {MAX_ROWS:,}."
        )
    code = _find_column(headers, code_column, what="ward codes")
    if code is None:
        code = _code_column(headers, rows)
    value = _find_column(headers, value_column, what="values")
    if value is None:
        value = _value_column(headers, rows, code=code)
    if value == code:
        raise ValidationError(
            "The ward codes and the values must be in different columns."
        )
    cells = [(number, _cell(row, code), _cell(row, value)) for number, row in rows]
    return headers[code], headers[value], cells


def _check_rows(
    cells: list[tuple[int, str, str]], wards: dict[str, Area]
) -> tuple[dict[int, Decimal], list[str]]:
    """Each ward's value, and every mistake by row."""
    values: dict[int, Decimal] = {}
    first_seen: dict[str, int] = {}
    errors: list[str] = []
    for number, raw_code, raw_value in cells:
        problems = []
        code = raw_code.upper()
        ward = wards.get(code)
        if not code:
            problems.append("the ward code is blank")
        elif code in first_seen:
            problems.append(
                f"{raw_code} appears again (first in row {first_seen[code]})"
            )
        elif ward is None:
            problems.append(f"{raw_code} is not the code of a ward loaded here")
        else:
            first_seen[code] = number
        amount = _number(raw_value) if raw_value else None
        if not raw_value:
            problems.append("the value is blank")
        elif amount is None:
            problems.append(f"{raw_value[:40]} is not a number")
        elif abs(amount) >= LARGEST:
            problems.append(f"{raw_value[:40]} is too large")
        if problems:
            errors.append(f"Row {number}: " + "; ".join(problems) + ".")
        elif ward is not None and amount is not None:
            values[ward.pk] = amount.quantize(DECIMAL_PLACES)
    return values, errors


def _refusal(errors: list[str]) -> ValidationError:
    shown = errors[:MAX_ROW_ERRORS]
    if len(errors) > len(shown):
        shown.append(
            f"And {len(errors) - len(shown):,} more rows have mistakes. "
            "Nothing was loaded."
        )
    else:
        shown.append("Nothing was loaded: correct these rows and load the file again.")
    return ValidationError(shown)


def load_ward_measure(
    file_or_rows,
    *,
    name: str,
    source: str,
    higher_is_more_need: bool,
    code_column: str | None = None,
    value_column: str | None = None,
    unit: str = "",
    description: str = "",
) -> MeasureLoadReport:
    """Load (or load again) a measure's value for each ward from a CSV of
    ward code and value. A measure already loaded under this name (in any
    case) has its values replaced. Any mistake in any row refuses the whole
    file with every mistake listed by row, and nothing is written."""
    name = (name or "").strip()
    source = (source or "").strip()
    unit = (unit or "").strip()
    problems = {}
    if not name:
        problems["name"] = "Enter the measure's name."
    elif len(name) > WardMeasure._meta.get_field("name").max_length:
        problems["name"] = "The name must be 120 characters or fewer."
    if not source:
        problems["source"] = "Enter where the figures come from."
    elif len(source) > WardMeasure._meta.get_field("source").max_length:
        problems["source"] = "The source must be 300 characters or fewer."
    if len(unit) > WardMeasure._meta.get_field("unit").max_length:
        problems["unit"] = "The unit must be 40 characters or fewer."
    if problems:
        raise ValidationError(problems)

    code_header, value_header, cells = _read(
        file_or_rows, code_column=code_column, value_column=value_column
    )
    wards = {
        area.ons_code.upper(): area
        for area in Area.objects.wards().for_choices()
        if area.ons_code
    }
    if not wards:
        raise ValidationError(
            "No wards are loaded yet: load the ward boundaries first."
        )
    values, errors = _check_rows(cells, wards)
    if errors:
        raise _refusal(errors)

    try:
        measure, replaced = _write(
            name=name,
            source=source,
            higher_is_more_need=higher_is_more_need,
            unit=unit,
            description=(description or "").strip(),
            values=values,
        )
    except IntegrityError as error:
        # Two loads of a new measure under one name at once: one wins.
        raise ValidationError(
            "This measure was being loaded by someone else at the same time. "
            "Load the file again."
        ) from error

    without = sorted(
        (area.name for area in wards.values() if area.pk not in values), key=str.lower
    )
    return MeasureLoadReport(
        measure=measure,
        code_column=code_header,
        value_column=value_header,
        rows_read=len(cells),
        wards_with_value=len(values),
        wards_without_value=without,
        replaced=replaced,
    )


@transaction.atomic
def _write(
    *, name, source, higher_is_more_need, unit, description, values
) -> tuple[WardMeasure, bool]:
    measure = WardMeasure.objects.select_for_update().filter(name__iexact=name).first()
    replaced = measure is not None
    if measure is None:
        measure = WardMeasure(name=name)
    measure.name = name
    measure.source = source
    measure.higher_is_more_need = higher_is_more_need
    measure.unit = unit
    measure.description = description
    measure.loaded_at = timezone.now()
    measure.save()
    measure.values.all().delete()
    WardMeasureValue.objects.bulk_create(
        WardMeasureValue(measure=measure, area_id=area_id, value=value)
        for area_id, value in values.items()
    )
    bump_places_version()
    return measure, replaced

"""Reading and checking an asset CSV, row by row, before anything is written.

These are pure functions over text (and the wards, loaded once): the service
in services.py decides what happens with the result."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email

from communities import geo
from communities.models import Area

from .models import ASSET_CATEGORIES, Asset, Category

# The documented template, in order. Only name and category are required.
TEMPLATE_COLUMNS = (
    "name",
    "category",
    "description",
    "tags",
    "address",
    "postcode",
    "latitude",
    "longitude",
    "ward",
    "email",
    "phone",
    "website",
    "opening_times",
    "visibility",
    "status",
)
REQUIRED_COLUMNS = ("name", "category")
COLUMN_HELP = {
    "name": "Required. What the asset is called.",
    "category": "Required. One of: "
    + ", ".join(value for value, _ in ASSET_CATEGORIES)
    + " (or its full name, such as Physical spaces).",
    "description": "What it is and what it offers.",
    "tags": "Words people would search for, separated by semicolons.",
    "address": "The street address.",
    "postcode": "The postcode.",
    "latitude": "Degrees north as a decimal number (WGS84, as map apps give "
    "it), between 49 and 61 in the UK. Give both or neither.",
    "longitude": "Degrees east as a decimal number (WGS84), negative west of "
    "Greenwich, between -9 and 2 in the UK. Give both or neither.",
    "ward": "The ward's name or ONS code. Leave blank to find it from the location.",
    "email": "A public contact email address.",
    "phone": "A public contact phone number.",
    "website": "The full web address, starting https:// or http://.",
    "opening_times": "When it is open, in words.",
    "visibility": "public (the default) or staff.",
    "status": "active (the default) or closed.",
}


def example_row() -> tuple[str, ...]:
    """The template's example asset: at a point inside the council's own
    most deprived ward when wards are loaded, otherwise with no location."""
    ward = Area.objects.wards().with_boundary().by_deprivation().first()
    latitude = longitude = ""
    if ward is not None:
        lon, lat = geo.inner_point(ward.boundary)
        latitude, longitude = f"{lat:.6f}", f"{lon:.6f}"
    return (
        "Community Garden",
        "physical",
        "Raised beds anyone can help with on Saturday mornings.",
        "gardening; food growing",
        "Church Lane",
        "",
        latitude,
        longitude,
        "",
        "garden@example.org",
        "",
        "https://example.org/garden",
        "Saturdays 10am to 1pm",
        "public",
        "active",
    )


def template_csv() -> str:
    """The import template: the header row and one example row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(TEMPLATE_COLUMNS)
    writer.writerow(example_row())
    return out.getvalue()


ALIASES = {
    "latitude": ("lat", "y"),
    "longitude": ("lon", "lng", "long", "x"),
    "email": ("e_mail", "contact_email", "public_email"),
    "phone": ("telephone", "tel", "contact_phone", "phone_number"),
    "website": ("url", "web", "web_site"),
    "opening_times": ("opening_hours", "hours", "opening"),
    "description": ("details", "summary"),
    "tags": ("keywords",),
    "postcode": ("post_code", "postal_code"),
}
MAX_ROWS = 20_000
VISIBILITY_WORDS = {
    "": Asset.Visibility.PUBLIC,
    "public": Asset.Visibility.PUBLIC,
    "staff": Asset.Visibility.STAFF,
    "staff only": Asset.Visibility.STAFF,
}
STATUS_WORDS = {
    "": Asset.Status.ACTIVE,
    "active": Asset.Status.ACTIVE,
    "open": Asset.Status.ACTIVE,
    "closed": Asset.Status.CLOSED,
}
_url = URLValidator(schemes=["http", "https"])


def _norm(header: str) -> str:
    return re.sub(r"[\s\-]+", "_", header.strip().lower())


def decode(raw: bytes) -> str:
    if not raw.strip():
        raise ValidationError("The selected file is empty.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(
            "The selected file must be a CSV saved as UTF-8. In Excel, choose "
            "Save As, then CSV UTF-8."
        ) from error


def read_rows(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and each non-blank row with its row number in the file
    (the header is row 1)."""
    try:
        records = list(csv.reader(io.StringIO(text)))
    except csv.Error as error:
        raise ValidationError(
            f"The selected file is not a readable CSV: {error}."
        ) from error
    if not records or not any(cell.strip() for cell in records[0]):
        raise ValidationError(
            "The selected file must start with a row of column names."
        )
    headers = [cell.strip() for cell in records[0]]
    if any(not header for header in headers):
        raise ValidationError("Every column in the first row must have a name.")
    duplicates = sorted({h for h in headers if headers.count(h) > 1})
    if duplicates:
        raise ValidationError(
            "Each column name must appear once; repeated: "
            + ", ".join(duplicates)
            + "."
        )
    rows = [
        (number, record)
        for number, record in enumerate(records[1:], start=2)
        if any(cell.strip() for cell in record)
    ]
    if not rows:
        raise ValidationError("The selected file has column names but no rows.")
    if len(rows) > MAX_ROWS:
        raise ValidationError(
            f"The selected file has {len(rows):,} rows; split it into files of "
            f"{MAX_ROWS:,} rows or fewer."
        )
    return headers, rows


def template_mapping(headers: list[str]) -> dict[str, str] | None:
    """The mapping for a file in the template's layout, or None when its
    columns need matching by hand."""
    by_norm = {_norm(h): h for h in headers}
    if not set(by_norm) <= set(TEMPLATE_COLUMNS):
        return None
    if not all(column in by_norm for column in REQUIRED_COLUMNS):
        return None
    return {column: by_norm.get(column, "") for column in TEMPLATE_COLUMNS}


def suggested_mapping(headers: list[str]) -> dict[str, str]:
    by_norm = {_norm(h): h for h in headers}
    mapping = {}
    for column in TEMPLATE_COLUMNS:
        names = (column, *ALIASES.get(column, ()))
        mapping[column] = next((by_norm[n] for n in names if n in by_norm), "")
    return mapping


def check_mapping(mapping: dict[str, str], *, headers, default_category: str) -> None:
    errors = []
    unknown = [c for c in mapping if c not in TEMPLATE_COLUMNS]
    if unknown:
        errors.append("Unknown template columns: " + ", ".join(unknown) + ".")
    missing = [v for v in mapping.values() if v and v not in headers]
    if missing:
        errors.append("The file has no column called " + ", ".join(missing) + ".")
    if not mapping.get("name"):
        errors.append("Choose the column that holds each asset's name.")
    if not mapping.get("category") and not default_category:
        errors.append(
            "Choose the column that holds each asset's category, or one "
            "category for every row."
        )
    if default_category and default_category not in dict(ASSET_CATEGORIES):
        errors.append("Choose a category from the list.")
    used = [v for v in mapping.values() if v]
    repeated = sorted({v for v in used if used.count(v) > 1})
    if repeated:
        errors.append(
            "Each column of the file can fill one field only: "
            + ", ".join(repeated)
            + "."
        )
    if errors:
        raise ValidationError(errors)


class WardLocator:
    """The wards, loaded once, for finding thousands of points' wards
    without a query each."""

    def __init__(self):
        wards = list(Area.objects.wards())
        self.located = [w for w in wards if w.boundary]
        self.by_name = {}
        for ward in wards:
            self.by_name[ward.name.lower()] = ward
            if ward.ons_code:
                self.by_name[ward.ons_code.lower()] = ward

    def locate(self, *, lon: float, lat: float) -> Area | None:
        for ward in self.located:
            if (
                ward.min_lon <= lon <= ward.max_lon
                and ward.min_lat <= lat <= ward.max_lat
                and ward.contains(lon=lon, lat=lat)
            ):
                return ward
        return None

    def named(self, text: str) -> Area | None:
        return self.by_name.get(" ".join(text.split()).lower())


@dataclass
class CheckedRow:
    fields: dict
    tag_names: list[str]


@dataclass
class Checked:
    rows: list[CheckedRow] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)

    @property
    def all_tag_names(self) -> list[str]:
        return [name for row in self.rows for name in row.tag_names]


CATEGORY_WORDS = {}
for _value, _label in Category.choices:
    CATEGORY_WORDS[_value] = _value
    CATEGORY_WORDS[_label.lower()] = _value
CATEGORY_WORDS["individuals gifts"] = Category.GIFTS
CATEGORY_WORDS["associations"] = Category.ASSOCIATIONS
CATEGORY_WORDS["groups"] = Category.ASSOCIATIONS
CATEGORY_WORDS["physical spaces"] = Category.PHYSICAL
CATEGORY_WORDS["local economy"] = Category.ECONOMY
CATEGORY_WORDS["culture and stories"] = Category.CULTURE
CATEGORY_LIST = ", ".join(value for value, _ in ASSET_CATEGORIES)


def _number(text: str, *, name: str, low: float, high: float, errors: list):
    try:
        value = float(text)
    except ValueError:
        errors.append(f"The {name} ‘{text}’ is not a number.")
        return None
    if not low <= value <= high:
        errors.append(f"The {name} must be between {low:g} and {high:g}.")
        return None
    return value


def check_row(
    values: dict[str, str], *, default_category: str, locator: WardLocator
) -> tuple[CheckedRow | None, list[str]]:
    errors: list[str] = []
    name = " ".join(values.get("name", "").split())
    if not name:
        errors.append("Enter a name.")
    elif len(name) > 200:
        errors.append("The name must be 200 characters or fewer.")

    category_text = values.get("category", "").strip()
    category = default_category
    if category_text:
        category = CATEGORY_WORDS.get(" ".join(category_text.lower().split()), "")
        if not category:
            errors.append(
                f"‘{category_text}’ is not a category. Use one of: {CATEGORY_LIST}."
            )
        elif category == Category.GIFTS:
            errors.append(
                "Individuals' gifts are counted from residents, never "
                "imported as named assets."
            )
    elif not category:
        errors.append(f"Enter a category: one of {CATEGORY_LIST}.")

    lat_text = values.get("latitude", "").strip()
    lon_text = values.get("longitude", "").strip()
    latitude = longitude = None
    if bool(lat_text) != bool(lon_text):
        errors.append("Enter both a latitude and a longitude, or neither.")
    elif lat_text:
        latitude = _number(lat_text, name="latitude", low=-90, high=90, errors=errors)
        longitude = _number(
            lon_text, name="longitude", low=-180, high=180, errors=errors
        )

    ward_text = values.get("ward", "").strip()
    area = None
    if ward_text:
        area = locator.named(ward_text)
        if area is None:
            errors.append(f"‘{ward_text}’ is not one of the council's wards.")
    elif latitude is not None and longitude is not None:
        # Outside every ward (another council's area) is not an error.
        area = locator.locate(lon=longitude, lat=latitude)

    email = values.get("email", "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(f"‘{email}’ is not an email address.")
    website = values.get("website", "").strip()
    if website:
        try:
            _url(website)
        except ValidationError:
            errors.append(
                f"‘{website}’ is not a web address starting https:// or http://."
            )

    limits = {"address": 300, "postcode": 10, "phone": 40}
    for column, limit in limits.items():
        if len(values.get(column, "").strip()) > limit:
            errors.append(f"The {column} must be {limit} characters or fewer.")

    visibility_text = values.get("visibility", "").strip().lower()
    visibility = VISIBILITY_WORDS.get(visibility_text)
    if visibility is None:
        errors.append(f"Visibility must be public or staff, not ‘{visibility_text}’.")
    status_text = values.get("status", "").strip().lower()
    status = STATUS_WORDS.get(status_text)
    if status is None:
        errors.append(f"Status must be active or closed, not ‘{status_text}’.")

    tag_names = [
        " ".join(t.split()) for t in values.get("tags", "").split(";") if t.strip()
    ]
    if any(len(t) > 60 for t in tag_names):
        errors.append("Each tag must be 60 characters or fewer.")

    if errors:
        return None, errors
    return (
        CheckedRow(
            fields={
                "name": name,
                "category": category,
                "description": values.get("description", "").strip(),
                "latitude": latitude,
                "longitude": longitude,
                "address": " ".join(values.get("address", "").split()),
                "postcode": values.get("postcode", "").strip().upper(),
                "area": area,
                "contact_email": email,
                "contact_phone": values.get("phone", "").strip(),
                "website": website,
                "opening_times": values.get("opening_times", "").strip(),
                "visibility": visibility,
                "status": status,
            },
            tag_names=tag_names,
        ),
        [],
    )


def check_rows(
    rows: list[tuple[int, list[str]]],
    *,
    mapping: dict[str, str],
    default_category: str,
    locator: WardLocator,
    progress: Callable[[int], None] | None = None,
    headers: list[str] | None = None,
) -> Checked:
    checked = Checked()
    header_count = len(headers) if headers is not None else None
    for done, (number, record) in enumerate(rows, start=1):
        row_errors = []
        if header_count is not None and len(record) != header_count:
            row_errors.append(
                f"This row has {len(record)} values but the file has "
                f"{header_count} columns."
            )
        values = {}
        for column, source in mapping.items():
            if source and headers is not None:
                index = headers.index(source)
                values[column] = record[index] if index < len(record) else ""
        if not row_errors:
            row, row_errors = check_row(
                values, default_category=default_category, locator=locator
            )
            if row is not None:
                checked.rows.append(row)
        if row_errors:
            checked.errors.append({"row": number, "errors": row_errors})
        if progress and done % 250 == 0:
            progress(done)
    if progress:
        progress(len(rows))
    return checked

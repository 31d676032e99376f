"""The council's places from its own files: ward boundaries and deprivation.

Reading a file checks all of it and raises PlacesFileError with every problem
found; loading writes inside one transaction. A file that is not right
therefore changes nothing.

Ward boundaries are ONS/OS GeoJSON of any vintage (WD13CD/WD13NM,
WD19CD/WD19NM, WD23CD/WD23NM...). Deprivation comes from LSOA boundaries
(2011 or 2021) and the English Indices of Deprivation's File 1 (IMD 2019 or
IoD 2025), or any CSV with an LSOA code and a rank.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from shapely import make_valid
from shapely.errors import GEOSException
from shapely.geometry import mapping, shape
from shapely.ops import unary_union

from core.signals import wards_changed

from . import geo
from .models import Area, DeprivationRelease, Lsoa, PlacesUpload

# Longitude and latitude that any UK council's boundaries lie within.
UK_LON = (-8.7, 2.0)
UK_LAT = (49.8, 60.9)
# Eastings and northings on the British National Grid (metres).
BNG_EASTING = (0, 700_000)
BNG_NORTHING = (0, 1_300_000)
GSS_CODE = re.compile(r"^[EWSNK]\d{8}$")
WARD_CODE_PROPERTY = re.compile(r"^wd(\d\d)cd$", re.IGNORECASE)
LSOA_CODE_PROPERTY = re.compile(r"^lsoa(\d\d)cd$", re.IGNORECASE)
MAX_ERRORS = 20

Progress = Callable[[int, int], None]  # (done, total)


class PlacesFileError(ValidationError):
    """Everything wrong with a file, one message per problem."""


def _no_progress(_done: int, _total: int) -> None:
    return None


def _refuse(problems: list[str]) -> None:
    if problems:
        shown = problems[:MAX_ERRORS]
        if len(problems) > MAX_ERRORS:
            shown.append(f"…and {len(problems) - MAX_ERRORS} more problems.")
        raise PlacesFileError(shown)


# Reading boundary files ----------------------------------------------------


@dataclass(frozen=True)
class Boundary:
    code: str
    name: str
    geometry: dict


@dataclass
class BoundaryFile:
    boundaries: list[Boundary]
    code_property: str
    name_property: str
    vintage: int | None
    notes: list[str] = field(default_factory=list)


def _features(text: str | bytes, *, what: str) -> list[dict]:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise PlacesFileError(
            [f"The {what} file is not GeoJSON: it could not be read as JSON."]
        ) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise PlacesFileError(f"The {what} file is not a GeoJSON FeatureCollection.")
    crs = json.dumps(data.get("crs") or "")
    if "27700" in crs:
        raise PlacesFileError(
            f"The {what} file is in British National Grid (EPSG:27700). "
            "Save it as WGS 84 longitude and latitude (EPSG:4326) and "
            "upload it again; ONS's Open Geography Portal offers both."
        )
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise PlacesFileError(f"The {what} file holds no features.")
    if not all(isinstance(f, dict) for f in features):
        raise PlacesFileError(f"The {what} file has features that are not objects.")
    return features


def _property_keys(features: list[dict]) -> list[str]:
    first = features[0].get("properties")
    return list(first) if isinstance(first, dict) else []


def _find_property(
    keys: list[str], pattern: re.Pattern, *, suffix: str
) -> tuple[str, str, int] | None:
    """The ONS code property (the latest year if several), its name property
    and the year, such as ("WD23CD", "WD23NM", 2023)."""
    found = []
    for key in keys:
        match = pattern.match(key)
        if match:
            stem = key[: -len("CD")]
            name = next((k for k in keys if k.lower() == (stem + suffix).lower()), "")
            found.append((2000 + int(match.group(1)), key, name))
    if not found:
        return None
    year, code_key, name_key = max(found)
    return code_key, name_key, year


def _check_coordinates(geometry: dict, *, label: str) -> str | None:
    """What is wrong with a polygon's coordinates, or None."""
    try:
        min_x, min_y, max_x, max_y = shape(geometry).bounds
    except (
        GEOSException,
        ValueError,
        TypeError,
        AttributeError,
        IndexError,
        KeyError,
        RecursionError,
    ):
        return f"{label}: its coordinates could not be read as a polygon."
    if any(math.isnan(v) for v in (min_x, min_y, max_x, max_y)):
        return f"{label}: its coordinates could not be read as a polygon."

    def within(low, high, bounds):
        return bounds[0] <= low and high <= bounds[1]

    if within(min_x, max_x, UK_LON) and within(min_y, max_y, UK_LAT):
        return None
    if within(min_x, max_x, UK_LAT) and within(min_y, max_y, UK_LON):
        return (
            f"{label}: longitude and latitude look swapped (GeoJSON gives "
            "longitude first)."
        )
    in_metres = max(abs(max_x), abs(max_y)) > 180
    if (
        in_metres
        and within(min_x, max_x, BNG_EASTING)
        and within(min_y, max_y, BNG_NORTHING)
    ):
        return (
            f"{label}: the coordinates are not longitude and latitude: they "
            "look like British National Grid eastings and northings in "
            "metres. Save the file as WGS 84 (EPSG:4326)."
        )
    return (
        f"{label}: the coordinates are not longitude and latitude in the "
        "United Kingdom."
    )


def _valid(geometry: dict) -> dict | None:
    """The polygon as it is when valid; mended when its ring crosses itself
    (as a hand-drawn or badly simplified boundary can); None when mending
    leaves no polygon."""
    polygon = shape(geometry)
    if polygon.is_valid:
        return {"type": geometry["type"], "coordinates": geometry["coordinates"]}
    mended = make_valid(polygon)
    if mended.geom_type == "GeometryCollection":
        parts = [g for g in mended.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        mended = unary_union(parts) if parts else None
    if (
        mended is None
        or mended.is_empty
        or mended.geom_type not in ("Polygon", "MultiPolygon")
    ):
        return None
    return json.loads(json.dumps(mapping(mended)))


def read_boundaries(
    text: str | bytes,
    *,
    what: str,
    pattern: re.Pattern,
    code_property: str = "",
    name_property: str = "",
    vintage: int | None = None,
    progress: Progress = _no_progress,
) -> BoundaryFile:
    """Check every feature of a boundary file; raise PlacesFileError with
    every problem, or return the boundaries."""
    features = _features(text, what=what)
    keys = _property_keys(features)
    notes = []
    found = _find_property(keys, pattern, suffix="NM")
    if not code_property:
        if found is None:
            raise PlacesFileError(
                f"The {what} file has no ONS code property (such as "
                f"{'WD23CD' if 'ward' in what else 'LSOA21CD'}). Name the "
                "property that holds the code. Its properties are: "
                + (", ".join(keys[:30]) or "none")
                + "."
            )
        code_property = found[0]
        notes.append(f"Codes read from the property {code_property}.")
        if vintage is None:
            vintage = found[2]
            notes.append(f"Boundaries taken to be of {vintage}, from {code_property}.")
    if not name_property:
        if found is not None and found[1]:
            name_property = found[1]
            notes.append(f"Names read from the property {name_property}.")
        else:
            raise PlacesFileError(
                f"The {what} file has no ONS name property to go with "
                f"{code_property}. Name the property that holds the name. "
                "Its properties are: " + (", ".join(keys[:30]) or "none") + "."
            )

    problems: list[str] = []
    boundaries: list[Boundary] = []
    seen: dict[str, int] = {}
    for number, feature in enumerate(features, start=1):
        properties = feature.get("properties")
        properties = properties if isinstance(properties, dict) else {}
        code = properties.get(code_property)
        name = properties.get(name_property)
        label = f"Feature {number}" + (f" ({code})" if isinstance(code, str) else "")
        if code is None or name is None:
            missing = [
                p
                for p, v in ((code_property, code), (name_property, name))
                if v is None
            ]
            problems.append(
                f"{label}: the property {' and '.join(missing)} is missing."
            )
            continue
        code, name = str(code).strip(), str(name).strip()
        if not GSS_CODE.match(code):
            problems.append(
                f"{label}: “{code[:20]}” is not an ONS code (a letter and eight "
                "digits, such as E05012345)."
            )
            continue
        if not name or len(name) > 120:
            problems.append(
                f"{label}: the name is empty or longer than 120 characters."
            )
            continue
        if code in seen:
            problems.append(
                f"{label}: the code {code} is also feature {seen[code]}'s; "
                "each code may appear once."
            )
            continue
        seen[code] = number
        geometry = feature.get("geometry")
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        if kind not in ("Polygon", "MultiPolygon"):
            problems.append(
                f"{label}: it is {'a ' + str(kind)[:20] if kind else 'without a geometry'}"
                ", not a polygon."
            )
            continue
        problem = _check_coordinates(geometry, label=label)
        if problem:
            problems.append(problem)
            continue
        geometry = _valid(geometry)
        if geometry is None:
            problems.append(
                f"{label}: its boundary crosses itself and cannot be mended."
            )
            continue
        boundaries.append(Boundary(code=code, name=name, geometry=geometry))
        progress(number, len(features))
    _refuse(problems)
    return BoundaryFile(boundaries, code_property, name_property, vintage, notes)


def read_wards(
    text, *, code_property="", name_property="", vintage=None, progress=_no_progress
):
    wards = read_boundaries(
        text,
        what="ward boundaries",
        pattern=WARD_CODE_PROPERTY,
        code_property=code_property,
        name_property=name_property,
        vintage=vintage,
        progress=progress,
    )
    if wards.vintage is None:
        raise PlacesFileError(
            "The year of these boundaries could not be told from the file: "
            "give it (such as 2023)."
        )
    if not 1974 <= wards.vintage <= timezone.now().year + 1:
        raise PlacesFileError(f"{wards.vintage} is not a year for ward boundaries.")
    return wards


# Loading wards ------------------------------------------------------------


@dataclass
class WardsReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    superseded: list[str] = field(default_factory=list)
    neighbour_pairs: int = 0
    moved: list[str] = field(default_factory=list)
    deprivation: str = ""
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        lines = list(self.notes)
        lines.append(
            f"{self.added} wards added, {self.updated} updated, "
            f"{self.unchanged} unchanged."
        )
        if self.superseded:
            lines.append(
                f"{len(self.superseded)} wards of earlier boundaries kept for the "
                "records that name them, no longer current: "
                + ", ".join(self.superseded)
                + "."
            )
        lines.append(f"{self.neighbour_pairs} pairs of neighbouring wards.")
        lines.extend(self.moved)
        if self.deprivation:
            lines.append(self.deprivation)
        return lines


@transaction.atomic
def load_wards(wards: BoundaryFile) -> WardsReport:
    """Make the file's wards the current boundary set. Wards of an earlier
    set that the file does not hold are kept (records name them) and marked
    as no longer current; records with a location move to the ward that now
    holds them (wards_changed); deprivation is worked out again."""
    report = WardsReport(notes=list(wards.notes))
    newest = (
        Area.objects.current()
        .exclude(vintage__isnull=True)
        .order_by("-vintage")
        .first()
    )
    if newest is not None and wards.vintage < newest.vintage:
        raise PlacesFileError(
            f"These boundaries are of {wards.vintage}, older than the wards in "
            f"use ({newest.vintage}). Load the newer set, or give the year "
            "if it is wrong."
        )
    existing = {
        area.ons_code: area
        for area in Area.objects.wards().filter(
            ons_code__in=[w.code for w in wards.boundaries]
        )
    }
    for ward in wards.boundaries:
        wanted = {
            "name": ward.name,
            "boundary": ward.geometry,
            "vintage": wards.vintage,
            "is_current": True,
        }
        area = existing.get(ward.code)
        if area is None:
            Area.objects.create(kind=Area.Kind.WARD, ons_code=ward.code, **wanted)
            report.added += 1
        elif any(getattr(area, k) != v for k, v in wanted.items()):
            for key, value in wanted.items():
                setattr(area, key, value)
            area.save()
            report.updated += 1
        else:
            report.unchanged += 1
    codes = [w.code for w in wards.boundaries]
    for area in Area.objects.current().exclude(ons_code__in=codes):
        area.is_current = False
        area.save()
        report.superseded.append(str(area))
    report.neighbour_pairs = link_neighbours()
    for _receiver, moved in wards_changed.send(sender=Area):
        if moved:
            report.moved.append(moved)
    release = DeprivationRelease.objects.latest_loaded()
    if release is not None:
        count = ward_deprivation_update(release)
        report.deprivation = (
            f"Deprivation ({release.short_name}) worked out again for {count} wards."
        )
    return report


def link_neighbours() -> int:
    """Which current wards touch, from their boundaries; re-running with the
    same boundaries changes nothing. Returns the number of pairs."""
    current = {
        a.pk: a.boundary for a in Area.objects.current().exclude(boundary__isnull=True)
    }
    pairs = geo.touching(current)
    wanted = pairs | {(b, a) for a, b in pairs}
    through = Area.neighbours.through
    existing = {
        (from_id, to_id): pk
        for pk, from_id, to_id in through.objects.values_list(
            "pk", "from_area_id", "to_area_id"
        )
    }
    through.objects.filter(
        pk__in=[pk for key, pk in existing.items() if key not in wanted]
    ).delete()
    through.objects.bulk_create(
        [through(from_area_id=a, to_area_id=b) for a, b in wanted - existing.keys()]
    )
    return len(pairs)


def link_neighbours_of(area: Area) -> None:
    """One ward's neighbours after it is saved: the current wards it touches,
    or none when it is not a current ward with a boundary."""
    if area.kind != Area.Kind.WARD or not area.is_current or not area.boundary:
        area.neighbours.clear()
        return
    others = {
        a.pk: a.boundary
        for a in Area.objects.current()
        .exclude(pk=area.pk)
        .exclude(boundary__isnull=True)
        .filter(
            min_lon__lte=area.max_lon + geo.TOUCH_TOLERANCE * 2,
            max_lon__gte=area.min_lon - geo.TOUCH_TOLERANCE * 2,
            min_lat__lte=area.max_lat + geo.TOUCH_TOLERANCE * 2,
            max_lat__gte=area.min_lat - geo.TOUCH_TOLERANCE * 2,
        )
    }
    area.neighbours.set(geo.touching_one(area.boundary, others))


# Deprivation ---------------------------------------------------------------


@dataclass(frozen=True)
class Release:
    name: str
    short_name: str
    lsoa_vintage: int


RELEASES = {
    2011: Release("English Indices of Deprivation 2019", "IMD 2019", 2011),
    2021: Release("English Indices of Deprivation 2025", "IMD 2025", 2021),
}


@dataclass
class RanksFile:
    ranks: dict[str, int]
    lsoa_vintage: int | None
    lsoas_in_england: int
    code_column: str
    rank_column: str
    notes: list[str] = field(default_factory=list)


def _normal(header: str) -> str:
    return re.sub(r"\s+", " ", header.strip().lstrip("\ufeff")).lower()


def _rank_column(headers: list[str]) -> str | None:
    """The IMD rank column: File 1's “Index of Multiple Deprivation (IMD)
    Rank…”, or a column named like imd_rank."""
    for header in headers:
        if _normal(header).startswith("index of multiple deprivation (imd) rank"):
            return header
    for header in headers:
        words = set(re.split(r"[^a-z0-9]+", _normal(header)))
        if "imd" in words and "rank" in words:
            return header
    return None


def _code_column(headers: list[str]) -> tuple[str, int | None] | None:
    """The LSOA code column and the LSOA vintage it names: File 1's “LSOA code
    (2011)” or “LSOA code (2021)”, or LSOA11CD, lsoa21_code and the like."""
    for header in headers:
        match = re.match(r"^lsoa code \((\d{4})\)$", _normal(header))
        if match:
            return header, int(match.group(1))
    for header in headers:
        match = re.match(r"^lsoa_?(\d\d)_?(cd|code)$", _normal(header))
        if match:
            return header, 2000 + int(match.group(1))
    for header in headers:
        if _normal(header) in ("lsoa code", "lsoa_code", "lsoa"):
            return header, None
    return None


def read_ranks(
    text: str | bytes,
    *,
    code_column: str = "",
    rank_column: str = "",
    lsoas_in_england: int | None = None,
    progress: Progress = _no_progress,
) -> RanksFile:
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = text.decode("cp1252")
            except UnicodeDecodeError:
                raise PlacesFileError(
                    ["The ranks file is not text: save it as CSV (UTF-8)."]
                ) from None
    text = text.lstrip("\ufeff")
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        headers = next(reader, [])
        rows = list(reader)
    except csv.Error as error:
        raise PlacesFileError(
            [f"The ranks file is not a CSV file ({error})."]
        ) from None
    if not headers:
        raise PlacesFileError("The ranks file is empty.")
    notes = []
    vintage = None
    if code_column:
        if code_column not in headers:
            raise PlacesFileError(
                [f"The ranks file has no column “{code_column[:60]}”."]
            )
        found = _code_column([code_column])
        vintage = found[1] if found else None
    else:
        found = _code_column(headers)
        if found is None:
            raise PlacesFileError(
                "The ranks file has no LSOA code column (such as “LSOA code "
                "(2021)”). Name the column that holds the code. Its columns "
                "are: " + ", ".join(h[:60] for h in headers[:30]) + "."
            )
        code_column, vintage = found
        notes.append(f"LSOA codes read from the column “{code_column}”.")
    if rank_column:
        if rank_column not in headers:
            raise PlacesFileError(
                [f"The ranks file has no column “{rank_column[:60]}”."]
            )
    else:
        rank_column = _rank_column(headers) or ""
        if not rank_column:
            raise PlacesFileError(
                "The ranks file has no IMD rank column (such as “Index of "
                "Multiple Deprivation (IMD) Rank (where 1 is most "
                "deprived)”). Name the column that holds the rank."
            )
        notes.append(f"Ranks read from the column “{rank_column}”.")
    code_at, rank_at = headers.index(code_column), headers.index(rank_column)
    problems: list[str] = []
    ranks: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(code_at, rank_at):
            problems.append(f"Row {number}: it has too few columns.")
            continue
        code, rank = row[code_at].strip(), row[rank_at].strip().replace(",", "")
        if not GSS_CODE.match(code):
            problems.append(f"Row {number}: “{code[:20]}” is not an LSOA code.")
            continue
        if not rank.isdigit() or int(rank) < 1:
            problems.append(
                f"Row {number}: the rank “{rank[:20]}” is not a whole number from 1."
            )
            continue
        if code in ranks:
            problems.append(f"Row {number}: {code} appears twice.")
            continue
        ranks[code] = int(rank)
        progress(number, len(rows) + 1)
    if not ranks and not problems:
        problems.append("The ranks file has no rows.")
    _refuse(problems)
    highest = max(ranks.values())
    if lsoas_in_england is None:
        if highest != len(ranks):
            raise PlacesFileError(
                f"The ranks file holds {len(ranks):,} LSOAs but ranks up to "
                f"{highest:,}: it looks like an extract rather than the whole of "
                "England. Give the number of LSOAs in England for this "
                "release (32,844 for IMD 2019, 33,755 for IMD 2025), or "
                "load the national File 1."
            )
        lsoas_in_england = len(ranks)
        notes.append(f"{lsoas_in_england:,} LSOAs in England, counted from the file.")
    elif highest > lsoas_in_england:
        raise PlacesFileError(
            f"A rank in the file ({highest:,}) is above the number of LSOAs "
            f"in England given ({lsoas_in_england:,})."
        )
    return RanksFile(ranks, vintage, lsoas_in_england, code_column, rank_column, notes)


def decile(rank: float, lsoas_in_england: int) -> int:
    """The national decile (1 the most deprived tenth) a rank falls in."""
    return min(10, max(1, math.ceil(rank * 10 / lsoas_in_england)))


@dataclass
class DeprivationReport:
    release: str
    lsoas_in_wards: int
    wards_with_deprivation: int
    notes: list[str]

    def lines(self) -> list[str]:
        summary = (
            f"{self.release}: {self.lsoas_in_wards} LSOAs lie in the council's "
            f"wards; deprivation worked out for {self.wards_with_deprivation} wards."
        )
        return [*self.notes, summary]


@transaction.atomic
def load_deprivation(
    lsoas: BoundaryFile,
    ranks: RanksFile,
    *,
    lsoas_file: str = "",
    ranks_file: str = "",
) -> DeprivationReport:
    """Keep the ranked LSOAs that lie in the council's current wards, and
    work out each ward's deprivation from them."""
    problems = []
    lsoa_vintage = ranks.lsoa_vintage or lsoas.vintage
    if ranks.lsoa_vintage and lsoas.vintage and ranks.lsoa_vintage != lsoas.vintage:
        problems.append(
            f"The ranks are for {ranks.lsoa_vintage} LSOAs but the boundaries are "
            f"{lsoas.vintage} LSOAs: load the boundaries the ranks were made for."
        )
    if lsoa_vintage not in RELEASES:
        problems.append(
            "Which LSOAs the ranks are for (2011 or 2021) could not be told from "
            "the files."
        )
    wards = list(Area.objects.current().exclude(boundary__isnull=True))
    if not wards:
        problems.append("Load the council's ward boundaries first.")
    _refuse(problems)
    release_facts = RELEASES[lsoa_vintage]
    kept = []
    for boundary in lsoas.boundaries:
        rank = ranks.ranks.get(boundary.code)
        if rank is None:
            continue
        lon, lat = geo.inner_point(boundary.geometry)
        if any(w.contains(lon=lon, lat=lat) for w in wards):
            kept.append((boundary, rank, lon, lat))
    if not kept:
        raise PlacesFileError(
            "None of the ranked LSOAs lies in the council's wards: check "
            "that the LSOA boundaries and the ranks cover the council's area."
        )
    notes = [*lsoas.notes, *ranks.notes]
    latest = DeprivationRelease.objects.latest_loaded()
    if (
        latest is not None
        and (latest.name, latest.lsoas_in_england)
        == (release_facts.name, ranks.lsoas_in_england)
        and set(latest.lsoas.values_list("code", "imd_rank"))
        == {(b.code, rank) for b, rank, _lon, _lat in kept}
    ):
        # The same release and ranks again: nothing to change.
        return DeprivationReport(
            release=f"{latest.short_name} ({latest.name})",
            lsoas_in_wards=len(kept),
            wards_with_deprivation=ward_deprivation_update(latest),
            notes=[*notes, "These ranks were already loaded; nothing changed."],
        )
    release = DeprivationRelease.objects.create(
        name=release_facts.name,
        short_name=release_facts.short_name,
        lsoa_vintage=lsoa_vintage,
        lsoas_in_england=ranks.lsoas_in_england,
        lsoas_file=lsoas_file[:200],
        ranks_file=ranks_file[:200],
    )
    Lsoa.objects.all().delete()
    DeprivationRelease.objects.exclude(pk=release.pk).delete()
    Lsoa.objects.bulk_create(
        Lsoa(
            code=b.code,
            name=b.name[:120],
            release=release,
            imd_rank=rank,
            longitude=lon,
            latitude=lat,
        )
        for b, rank, lon, lat in kept
    )
    count = ward_deprivation_update(release)
    return DeprivationReport(
        release=f"{release.short_name} ({release.name})",
        lsoas_in_wards=len(kept),
        wards_with_deprivation=count,
        notes=notes,
    )


def ward_deprivation_update(release: DeprivationRelease) -> int:
    """Each current ward's average rank, its decile, and how many of its LSOAs
    are in England's most deprived 10% and 20%; each LSOA counts in the ward
    that holds its inner point. Returns the wards with any LSOA."""
    total = release.lsoas_in_england
    wards = list(Area.objects.current())
    found: dict[int, list[int]] = {w.pk: [] for w in wards}
    for lsoa in Lsoa.objects.filter(release=release):
        for ward in wards:
            if ward.contains(lon=lsoa.longitude, lat=lsoa.latitude):
                found[ward.pk].append(lsoa.imd_rank)
                break
    with_any = 0
    for ward in wards:
        ranks = found[ward.pk]
        average = sum(ranks) / len(ranks) if ranks else None
        wanted = {
            "imd_average_rank": round(average, 1) if average else None,
            "imd_decile": decile(average, total) if average else None,
            "imd_lsoa_count": len(ranks),
            "imd_lsoas_most_deprived_10": sum(
                1 for r in ranks if decile(r, total) == 1
            ),
            "imd_lsoas_most_deprived_20": sum(
                1 for r in ranks if decile(r, total) <= 2
            ),
        }
        with_any += bool(ranks)
        if any(getattr(ward, k) != v for k, v in wanted.items()):
            for key, value in wanted.items():
                setattr(ward, key, value)
            ward.save(update_fields=list(wanted))
    return with_any


def read_lsoas(text, *, code_property="", name_property="", progress=_no_progress):
    return read_boundaries(
        text,
        what="LSOA boundaries",
        pattern=LSOA_CODE_PROPERTY,
        code_property=code_property,
        name_property=name_property,
        progress=progress,
    )


# Loading from the officers' page --------------------------------------------


def places_upload_start(
    *,
    kind: str,
    uploaded_by,
    file_name: str,
    content: bytes,
    second_file_name: str = "",
    second_content: bytes = b"",
    options: dict | None = None,
) -> PlacesUpload:
    """Keep the uploaded files for the background load. Files that are not
    text are refused here, before anything is kept."""
    texts = []
    for name, raw in ((file_name, content), (second_file_name, second_content)):
        try:
            texts.append(raw.decode("utf-8-sig"))
        except UnicodeDecodeError:
            try:
                texts.append(raw.decode("cp1252"))
            except UnicodeDecodeError:
                raise PlacesFileError(
                    f"{name[:80]} is not a text file: upload GeoJSON or CSV."
                ) from None
    return PlacesUpload.objects.create(
        kind=kind,
        uploaded_by=uploaded_by,
        file_name=file_name[:200],
        content=texts[0].replace("\x00", ""),
        second_file_name=second_file_name[:200],
        second_content=texts[1].replace("\x00", ""),
        options=options or {},
    )


def places_upload_run(*, upload: PlacesUpload) -> PlacesUpload:
    """Load an upload, all or nothing, and keep its report or its errors.
    A finished upload is left as it is (so running it twice is safe)."""
    if upload.is_finished:
        return upload
    upload.status = PlacesUpload.Status.RUNNING
    upload.save(update_fields=["status"])
    options = upload.options or {}

    def progress(done: int, total: int) -> None:
        if done % 50 == 0:
            cache.set(upload.progress_key, done * 100 // max(total, 1), timeout=3600)

    try:
        if upload.kind == PlacesUpload.Kind.WARDS:
            wards = read_wards(
                upload.content,
                code_property=options.get("code_property", ""),
                name_property=options.get("name_property", ""),
                vintage=options.get("vintage"),
                progress=progress,
            )
            lines = load_wards(wards).lines()
        else:
            lines = load_deprivation(
                read_lsoas(upload.content, progress=progress),
                read_ranks(
                    upload.second_content,
                    code_column=options.get("code_column", ""),
                    rank_column=options.get("rank_column", ""),
                    lsoas_in_england=options.get("lsoas_in_england"),
                ),
                lsoas_file=upload.file_name,
                ranks_file=upload.second_file_name,
            ).lines()
    except PlacesFileError as error:
        upload.status, upload.errors = PlacesUpload.Status.FAILED, error.messages
    else:
        upload.status, upload.report = PlacesUpload.Status.DONE, lines
    # The files are not needed once loaded or refused.
    upload.content = upload.second_content = ""
    upload.finished_at = timezone.now()
    upload.save()
    cache.delete(upload.progress_key)
    return upload


def places_upload_progress(upload: PlacesUpload) -> dict:
    """The load's progress in the shape every progress page follows
    (docs/frontend.md)."""
    done = upload.is_finished
    label = upload.get_status_display()
    processed = 100 if done else min(99, cache.get(upload.progress_key, 0))
    return {
        "state": upload.status,
        "state_label": label,
        "finished": done,
        "processed": processed,
        "total": 100,
        "percent": processed,
        "message": f"{label}: {upload.get_kind_display().lower()} from {upload.file_name}.",
        "url": upload.get_absolute_url(),
    }

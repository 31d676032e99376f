"""Every write to the asset inventory that is more than a form save."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from communities.models import Area, Group, Tag, User
from communities.services import tags_get_or_create

from . import importing, mapdata
from .models import Asset, AssetImport, Category, MappingSession

LOCATION_FIELDS = ("latitude", "longitude")


def _locate(asset: Asset) -> None:
    if asset.latitude is not None and asset.longitude is not None:
        asset.area = Area.objects.locate(lon=asset.longitude, lat=asset.latitude)


def assets_relocate() -> int:
    """After a boundary review: move every asset that has a location to the
    current ward that holds it (one outside every ward keeps its ward).
    Returns how many moved."""
    wards = list(Area.objects.current().exclude(boundary__isnull=True))
    moved = []
    for asset in Asset.objects.exclude(latitude__isnull=True).exclude(
        longitude__isnull=True
    ):
        area = next(
            (w for w in wards if w.contains(lon=asset.longitude, lat=asset.latitude)),
            None,
        )
        if area is not None and area.pk != asset.area_id:
            asset.area = area
            moved.append(asset)
    Asset.objects.bulk_update(moved, ["area"])
    if moved:
        mapdata.bump_version()
    return len(moved)


@transaction.atomic
def asset_create(
    *,
    name: str,
    category: str,
    mapped_by: User | None,
    description: str = "",
    tags: Sequence[str] = (),
    latitude: float | None = None,
    longitude: float | None = None,
    address: str = "",
    postcode: str = "",
    area: Area | None = None,
    contact_email: str = "",
    contact_phone: str = "",
    website: str = "",
    opening_times: str = "",
    mapping_session: MappingSession | None = None,
    visibility: str = Asset.Visibility.PUBLIC,
    status: str = Asset.Status.ACTIVE,
) -> Asset:
    """Add an asset. With no area given, the area is the ward that holds
    the asset's location (none when it lies outside every ward)."""
    if category == Category.GIFTS:
        raise ValidationError(
            "Individuals' gifts are counted from residents' gifts, "
            "never added as a named asset."
        )
    asset = Asset(
        name=name,
        category=category,
        mapped_by=mapped_by,
        description=description,
        latitude=latitude,
        longitude=longitude,
        address=address,
        postcode=postcode.strip().upper(),
        contact_email=contact_email,
        contact_phone=contact_phone,
        website=website,
        opening_times=opening_times,
        mapping_session=mapping_session,
        visibility=visibility,
        status=status,
    )
    if area is None:
        _locate(asset)
    else:
        asset.area = area
    asset.full_clean()
    asset.save()
    if tags:
        asset.tags.set(tags_get_or_create(names=tags))
    mapdata.bump_version()
    return asset


@transaction.atomic
def asset_update(
    *,
    asset: Asset,
    tags: Sequence[str] | None = None,
    **fields: object,
) -> Asset:
    """Change an asset (``fields`` are Asset fields by name). A new location finds its area again, unless the
    area was changed by hand at the same time; clearing the area finds it
    from the location."""
    before = Asset.objects.select_for_update().get(pk=asset.pk)
    for key, value in fields.items():
        setattr(asset, key, value)
    moved = any(getattr(before, f) != getattr(asset, f) for f in LOCATION_FIELDS)
    area_kept = asset.area_id == before.area_id
    if asset.area_id is None or (moved and area_kept):
        _locate(asset)
    asset.full_clean()
    asset.save()
    if tags is not None:
        asset.tags.set(tags_get_or_create(names=tags))
    mapdata.bump_version()
    return asset


@transaction.atomic
def mapping_session_record(
    *,
    name: str,
    held_on: date,
    area: Area,
    run_by: User,
    participants: int,
    notes: str = "",
) -> MappingSession:
    if held_on > timezone.localdate():
        raise ValidationError(
            "The date of a mapping session must not be in the future."
        )
    session = MappingSession(
        name=name,
        held_on=held_on,
        area=area,
        run_by=run_by,
        participants=participants,
        notes=notes,
    )
    session.full_clean()
    session.save()
    return session


@transaction.atomic
def asset_sync_group(*, group: Group) -> Asset | None:
    """Keep a group from the communities app on the map as an association.

    A new group starts staff only: it is residents' own, and an officer
    decides with them whether it goes on the public map. A group that stops
    meeting is shown as closed."""
    status = Asset.Status.ACTIVE if group.is_active else Asset.Status.CLOSED
    asset = Asset.objects.filter(group=group).first()
    if asset is None:
        asset = Asset(
            group=group,
            category=Category.ASSOCIATIONS,
            visibility=Asset.Visibility.STAFF,
            mapped_by=group.created_by,
        )
    wanted = {
        "name": group.name,
        "description": group.description,
        "area": group.area,
        "status": status,
    }
    changed = asset.pk is None or any(
        getattr(asset, key) != value for key, value in wanted.items()
    )
    if not changed:
        return asset
    for key, value in wanted.items():
        setattr(asset, key, value)
    asset.full_clean()
    asset.save()
    asset.tags.add(group.interest)
    mapdata.bump_version()
    return asset


# Imports -----------------------------------------------------------------


@transaction.atomic
def asset_import_start(*, file_name: str, raw: bytes, uploaded_by: User) -> AssetImport:
    """Read an uploaded CSV. A file in the template's layout is ready to
    import; any other layout waits for its columns to be matched."""
    text = importing.decode(raw)
    headers, rows = importing.read_rows(text)
    asset_import = AssetImport(
        file_name=file_name[:200],
        content=text,
        headers=headers,
        row_count=len(rows),
        uploaded_by=uploaded_by,
    )
    mapping = importing.template_mapping(headers)
    if mapping is not None:
        asset_import.mapping = mapping
        asset_import.status = AssetImport.Status.QUEUED
    else:
        asset_import.mapping = importing.suggested_mapping(headers)
    asset_import.full_clean()
    asset_import.save()
    return asset_import


@transaction.atomic
def asset_import_map_columns(
    *, asset_import: AssetImport, mapping: dict[str, str], default_category: str = ""
) -> AssetImport:
    if asset_import.status != AssetImport.Status.MAPPING:
        raise ValidationError("This file's columns have already been matched.")
    importing.check_mapping(
        mapping, headers=asset_import.headers, default_category=default_category
    )
    asset_import.mapping = mapping
    asset_import.default_category = default_category
    asset_import.status = AssetImport.Status.QUEUED
    asset_import.full_clean()
    asset_import.save()
    return asset_import


@transaction.atomic
def asset_import_run(*, asset_import: AssetImport) -> AssetImport:
    """Import every row or none. Each row is checked first; any error means
    nothing is written and the row-by-row report is kept on the import."""
    asset_import = AssetImport.objects.select_for_update().get(pk=asset_import.pk)
    if asset_import.is_finished:
        return asset_import
    if asset_import.status == AssetImport.Status.MAPPING:
        raise ValidationError("Match the file's columns before importing it.")
    headers, rows = importing.read_rows(asset_import.content)
    locator = importing.WardLocator()

    def report(done: int) -> None:
        cache.set(asset_import.progress_key, done, timeout=60 * 60)

    checked = importing.check_rows(
        rows,
        mapping=asset_import.mapping,
        default_category=asset_import.default_category,
        locator=locator,
        progress=report,
        headers=headers,
    )
    asset_import.finished_at = timezone.now()
    if checked.errors:
        asset_import.status = AssetImport.Status.FAILED
        asset_import.errors = checked.errors
        asset_import.save()
        return asset_import

    tags = {tag.key: tag for tag in tags_get_or_create(names=checked.all_tag_names)}
    assets = []
    for row in checked.rows:
        asset = Asset(
            **row.fields, mapped_by=asset_import.uploaded_by, imported_by=asset_import
        )
        # The wards, the uploader and the import are loaded objects: skipping
        # their existence checks saves three queries a row.
        asset.full_clean(
            exclude=["area", "mapped_by", "imported_by"],
            validate_unique=False,
            validate_constraints=False,
        )
        assets.append(asset)
    Asset.objects.bulk_create(assets, batch_size=1000)
    links = [
        Asset.tags.through(asset_id=asset.pk, tag_id=tags[Tag.normalise(name)].pk)
        for asset, row in zip(assets, checked.rows, strict=True)
        for name in row.tag_names
    ]
    Asset.tags.through.objects.bulk_create(
        links, batch_size=5000, ignore_conflicts=True
    )
    asset_import.status = AssetImport.Status.DONE
    asset_import.created_count = len(assets)
    asset_import.errors = []
    asset_import.save()
    mapdata.bump_version()
    return asset_import

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assets import mapdata
from assets.models import Asset, Category
from assets.services import (
    asset_create,
    asset_sync_group,
    asset_update,
    mapping_session_record,
)
from communities.tests.factories import GroupFactory, TagFactory, WardFactory

pytestmark = pytest.mark.django_db

# WardFactory's boundary is the unit square (lon 0..1, lat 0..1).
BOX = {
    "type": "Polygon",
    "coordinates": [[[2, 2], [3, 2], [3, 3], [2, 3], [2, 2]]],
}


def test_a_new_asset_gets_the_ward_that_holds_its_location(officer):
    ward = WardFactory()
    WardFactory(boundary=BOX)

    asset = asset_create(
        name="Community garden",
        category=Category.PHYSICAL,
        mapped_by=officer,
        latitude=0.25,
        longitude=0.75,
        tags=["Gardening", "gardening ", "food growing"],
    )

    assert asset.area == ward
    assert sorted(t.key for t in asset.tags.all()) == ["food growing", "gardening"]


def test_an_asset_outside_every_ward_has_no_ward_and_that_is_fine(officer):
    WardFactory()
    asset = asset_create(
        name="Oldham library",
        category=Category.INSTITUTIONS,
        mapped_by=officer,
        latitude=53.54,
        longitude=-2.11,
    )
    assert asset.area is None


def test_a_ward_chosen_by_hand_is_kept(officer):
    WardFactory()
    chosen = WardFactory(boundary=BOX)
    asset = asset_create(
        name="Walking group",
        category=Category.ASSOCIATIONS,
        mapped_by=officer,
        latitude=0.5,
        longitude=0.5,
        area=chosen,
    )
    assert asset.area == chosen


def test_moving_an_asset_finds_its_new_ward_unless_the_ward_was_changed_too(officer):
    first = WardFactory()
    second = WardFactory(boundary=BOX)
    asset = asset_create(
        name="Café",
        category=Category.ECONOMY,
        mapped_by=officer,
        latitude=0.5,
        longitude=0.5,
    )
    assert asset.area == first

    asset_update(asset=asset, latitude=2.5, longitude=2.5)
    assert Asset.objects.get(pk=asset.pk).area == second

    # Moved and given another ward by hand in the same change: the hand wins.
    third = WardFactory(boundary=None)
    asset_update(asset=asset, latitude=0.5, longitude=0.5, area=third)
    assert Asset.objects.get(pk=asset.pk).area == third

    asset_update(asset=asset, area=None)
    assert Asset.objects.get(pk=asset.pk).area == first


def test_gifts_cannot_be_added_as_named_assets(officer):
    with pytest.raises(ValidationError, match="counted from residents"):
        asset_create(name="Jo Bloggs", category=Category.GIFTS, mapped_by=officer)
    assert not Asset.objects.exists()


def test_bad_input_changes_nothing(officer):
    with pytest.raises(ValidationError, match="'latitude': .*less than or equal to 90"):
        asset_create(
            name="Hall",
            category=Category.PHYSICAL,
            mapped_by=officer,
            latitude=95,
            longitude=0,
            tags=["halls"],
        )
    assert not Asset.objects.exists()


def test_a_mapping_session_cannot_be_in_the_future(officer):
    with pytest.raises(ValidationError, match="future"):
        mapping_session_record(
            name="Walk",
            held_on=timezone.localdate() + datetime.timedelta(days=2),
            area=WardFactory(),
            run_by=officer,
            participants=5,
        )


def test_a_group_appears_as_a_staff_only_association_and_follows_its_changes():
    ward = WardFactory()
    group = GroupFactory(
        name="Matson Knitters", area=ward, interest=TagFactory(name="knitting")
    )

    asset = Asset.objects.get(group=group)
    assert asset.category == Category.ASSOCIATIONS
    assert asset.visibility == Asset.Visibility.STAFF
    assert asset.area == ward
    assert [t.key for t in asset.tags.all()] == ["knitting"]

    group.is_active = False
    group.name = "Matson Knitting Circle"
    group.save()
    asset.refresh_from_db()
    assert asset.status == Asset.Status.CLOSED
    assert asset.name == "Matson Knitting Circle"
    # Syncing again changes nothing and makes no second asset.
    asset_sync_group(group=group)
    assert Asset.objects.filter(group=group).count() == 1


def test_writing_an_asset_changes_the_map_version_once_committed(
    officer, django_capture_on_commit_callbacks
):
    before = mapdata.version()
    with django_capture_on_commit_callbacks(execute=True):
        asset_create(name="Hall", category=Category.PHYSICAL, mapped_by=officer)
    assert mapdata.version() != before

import pytest
from django.db import IntegrityError

from assets.models import Asset, Category, gift_counts
from communities.models import ResidentTag
from communities.tests.factories import ResidentFactory, TagFactory, WardFactory
from core.roles import Role

from .factories import AssetFactory

pytestmark = pytest.mark.django_db


def test_an_individual_can_never_be_stored_as_an_asset():
    with pytest.raises(
        IntegrityError, match='check constraint "asset_never_an_individual"'
    ):
        AssetFactory(category=Category.GIFTS)


def test_latitude_needs_a_longitude():
    with pytest.raises(
        IntegrityError, match='check constraint "asset_latitude_and_longitude_together"'
    ):
        AssetFactory(latitude=51.0, longitude=None)


def test_visitors_and_non_staff_roles_see_public_assets_only(make_user):
    public = AssetFactory(visibility=Asset.Visibility.PUBLIC)
    staff_only = AssetFactory(visibility=Asset.Visibility.STAFF)
    from django.contrib.auth.models import AnonymousUser

    for user in (AnonymousUser(), make_user(Role.CABINET), make_user(Role.PANEL)):
        assert list(Asset.objects.visible_to(user)) == [public]
    for role in (Role.OFFICER, Role.BUILDER):
        seen = set(Asset.objects.visible_to(make_user(role)))
        assert seen == {public, staff_only}


def test_filters_combine_category_tag_and_area():
    ward, other_ward = WardFactory(), WardFactory()
    wanted = AssetFactory(category=Category.PHYSICAL, area=ward, tags=["gardening"])
    AssetFactory(category=Category.ECONOMY, area=ward, tags=["gardening"])
    AssetFactory(category=Category.PHYSICAL, area=other_ward, tags=["gardening"])
    AssetFactory(category=Category.PHYSICAL, area=ward, tags=["cooking"])
    gardening = wanted.tags.get()

    found = Asset.objects.filtered(category="physical", tag=gardening, area=ward)

    assert list(found) == [wanted]


def test_gift_counts_count_residents_per_ward_without_naming_them():
    matson = WardFactory(name="Matson")
    cooking = TagFactory(name="cooking")
    for _ in range(3):
        resident = ResidentFactory(area=matson, first_name="Zebedee")
        ResidentTag.objects.create(
            resident=resident, tag=cooking, kind=ResidentTag.Kind.HANDS
        )
    # A passion is not a gift, and a resident with no ward is not counted.
    ResidentTag.objects.create(
        resident=ResidentFactory(area=matson), tag=cooking, kind="passion"
    )
    ResidentTag.objects.create(
        resident=ResidentFactory(area=None), tag=cooking, kind="hands"
    )

    rows = list(gift_counts())

    assert rows == [
        {
            "resident__area_id": matson.pk,
            "resident__area__name": "Matson",
            "tag__name": "cooking",
            "residents": 3,
        }
    ]
    assert list(gift_counts(minimum=4)) == []

import pytest
from django.core.cache import cache
from django.db import IntegrityError

from assets import services
from assets.models import Asset, AssetImport, Category, MappingSession, gift_counts
from communities.models import ResidentTag
from communities.tests.factories import ResidentFactory, TagFactory, WardFactory
from core.roles import Role

from .factories import AssetFactory, MappingSessionFactory

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


def test_the_map_shows_visitors_active_public_assets_and_staff_everything(make_user):
    from django.contrib.auth.models import AnonymousUser

    shown = AssetFactory(name="Hall")
    closed = AssetFactory(name="Old library", status=Asset.Status.CLOSED)
    staff_only = AssetFactory(name="Garden", visibility=Asset.Visibility.STAFF)
    assert list(Asset.objects.on_map_for(AnonymousUser())) == [shown]
    assert list(Asset.objects.on_map_for(make_user(Role.PANEL))) == [shown]
    for role in (Role.OFFICER, Role.BUILDER):
        seen = set(Asset.objects.on_map_for(make_user(role)))
        assert seen == {shown, closed, staff_only}


def test_each_ward_is_counted_the_most_deprived_first():
    podsmead = WardFactory(name="Podsmead", imd_decile=1)
    abbey = WardFactory(name="Abbey", imd_decile=9)
    AssetFactory.create_batch(2, area=abbey)
    AssetFactory(area=podsmead, category=Category.ECONOMY)
    AssetFactory(area=None, latitude=None, longitude=None)

    wards = Asset.objects.all().count_per_ward()
    assert [(w.name, w.asset_count) for w in wards] == [("Podsmead", 1), ("Abbey", 2)]
    economy = Asset.objects.filtered(category="economy").count_per_ward()
    assert [(w.name, w.asset_count) for w in economy] == [
        ("Podsmead", 1),
        ("Abbey", 0),
    ]


def test_only_public_assets_are_published_in_name_order():
    AssetFactory(name="Zion chapel")
    AssetFactory(name="Allotments", status=Asset.Status.CLOSED)
    AssetFactory(name="Back garden", visibility=Asset.Visibility.STAFF)
    names = [a.name for a in Asset.objects.published()]
    assert names == ["Allotments", "Zion chapel"]


def test_a_mapping_session_lists_with_how_many_assets_it_found():
    session = MappingSessionFactory()
    MappingSessionFactory(held_on=session.held_on.replace(year=2020))
    AssetFactory.create_batch(3, mapping_session=session)
    listed = list(MappingSession.objects.for_list())
    assert [s.assets_found for s in listed] == [3, 0]
    assert listed[0] == session
    assert [a.name for a in session.assets.for_list()] == sorted(
        a.name for a in session.assets.all()
    )


def test_an_imports_progress_is_read_from_the_cache_until_it_finishes(officer):
    asset_import = services.asset_import_start(
        file_name="halls.csv",
        raw=b"name,category\nHall,physical\nShop,economy\n",
        uploaded_by=officer,
    )
    assert asset_import.rows_checked() == 0
    cache.set(asset_import.progress_key, 1)
    assert AssetImport.objects.without_content().get().rows_checked() == 1
    services.asset_import_run(asset_import=asset_import)
    asset_import.refresh_from_db()
    assert asset_import.is_finished and asset_import.rows_checked() == 2
    assert list(AssetImport.objects.recent(limit=1)) == [asset_import]

import pytest

from assets.models import ASSET_CATEGORIES, Asset, MappingSession
from communities.models import Area
from demo import assets as demo
from demo import communities as communities_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def gloucester():
    communities_demo.seed_wards()
    communities_demo.seed_accounts(password="demo passphrase for tests")


def test_the_demo_maps_a_few_hundred_assets_in_every_ward_and_category(gloucester):
    count = demo.seed_assets()

    assert 200 <= count == Asset.objects.count() <= 1000
    assert set(Asset.objects.values_list("category", flat=True)) == {
        value for value, _ in ASSET_CATEGORIES
    }
    assert set(Asset.objects.values_list("area", flat=True)) == set(
        Area.objects.wards().values_list("pk", flat=True)
    )
    # Each demo asset lies inside the ward it is filed under.
    for asset in Asset.objects.select_related("area")[:60]:
        assert asset.area.contains(lon=asset.longitude, lat=asset.latitude)
    assert MappingSession.objects.count() == 3
    assert Asset.objects.filter(mapping_session__isnull=False).exists()


def test_seeding_the_demo_twice_changes_nothing(gloucester):
    demo.seed_assets()
    before = list(Asset.objects.values().order_by("pk"))
    sessions = list(MappingSession.objects.values().order_by("pk"))
    tags = list(Asset.tags.through.objects.values().order_by("pk"))

    demo.seed_assets()

    assert list(Asset.objects.values().order_by("pk")) == before
    assert list(MappingSession.objects.values().order_by("pk")) == sessions
    assert list(Asset.tags.through.objects.values().order_by("pk")) == tags


def test_no_demo_assets_without_wards():
    assert demo.seed_assets() == 0
    assert not Asset.objects.exists()

"""assets.mapdata on its own: the map's GeoJSON, its cache and the version
that keeps a cached map from ever being stale."""

import json

import pytest
from django.core.cache import cache

from assets import mapdata
from assets.models import Asset, Category
from communities import measures as places
from communities.models import Area, DeprivationRelease, Tag
from communities.tests.factories import WardFactory

from .factories import AssetFactory

pytestmark = pytest.mark.django_db


def features_by_name(queryset=None):
    collection = mapdata.asset_features(
        Asset.objects.all() if queryset is None else queryset
    )
    assert collection["type"] == "FeatureCollection"
    return {f["properties"]["name"]: f for f in collection["features"]}


# The version


def test_the_version_holds_until_something_changes():
    assert mapdata.version() == mapdata.version()


def test_a_lost_version_never_comes_back_as_an_old_one():
    first = mapdata.version()
    cache.delete(mapdata.VERSION_KEY)
    assert mapdata.version() > first


def test_two_processes_starting_a_version_at_once_agree_on_the_first(monkeypatch):
    """The version another process stored first wins over this one's."""
    add = cache.add

    def another_process_got_there_first(key, value, timeout=None):
        add(key, 42, timeout=timeout)
        return add(key, value, timeout=timeout)

    monkeypatch.setattr(cache, "add", another_process_got_there_first)
    assert mapdata.version() == 42
    assert cache.get(mapdata.VERSION_KEY) == 42


def test_a_bump_changes_the_version_only_once_the_write_is_committed(
    django_capture_on_commit_callbacks,
):
    before = mapdata.version()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        mapdata.bump_version()
        # A reader before the commit still sees the old version.
        assert mapdata.version() == before
    assert len(callbacks) == 1
    callbacks[0]()
    assert mapdata.version() > before


# The features


def test_a_feature_carries_what_the_map_shows():
    ward = WardFactory(name="Matson and Robinswood")
    asset = AssetFactory(
        name="Matson library",
        category=Category.INSTITUTIONS,
        latitude=51.83456789,
        longitude=-2.23456789,
        address="Matson Lane",
        postcode="GL4 6DX",
        area=ward,
        tags=["reading", "books", "Reading"],
    )
    feature = features_by_name()["Matson library"]
    assert feature == {
        "type": "Feature",
        "id": asset.pk,
        # GeoJSON is longitude first; six decimal places is about 10 cm.
        "geometry": {"type": "Point", "coordinates": [-2.234568, 51.834568]},
        "properties": {
            "name": "Matson library",
            "category": "institutions",
            "category_label": Category.INSTITUTIONS.label,
            "address": "Matson Lane, GL4 6DX",
            "area": "Matson and Robinswood",
            "tags": ["books", "reading"],
            "staff_only": False,
            "closed": False,
            "url": f"/assets/{asset.pk}/",
        },
    }


def test_missing_parts_leave_no_stray_commas_or_nulls():
    AssetFactory(name="Bench", address="", postcode="GL1 2AB", area=None)
    AssetFactory(name="Tree", address="By the pond", postcode="", area=None)
    features = features_by_name()
    assert features["Bench"]["properties"]["address"] == "GL1 2AB"
    assert features["Tree"]["properties"]["address"] == "By the pond"
    for feature in features.values():
        assert feature["properties"]["area"] == ""
        assert feature["properties"]["tags"] == []


def test_staff_only_and_closed_assets_say_so():
    AssetFactory(name="Store room", visibility=Asset.Visibility.STAFF)
    AssetFactory(name="Old hall", status=Asset.Status.CLOSED)
    features = features_by_name()
    assert features["Store room"]["properties"]["staff_only"] is True
    assert features["Store room"]["properties"]["closed"] is False
    assert features["Old hall"]["properties"]["closed"] is True
    assert features["Old hall"]["properties"]["staff_only"] is False


def test_only_located_assets_of_the_queryset_are_features():
    AssetFactory(name="Hall")
    AssetFactory(name="Nowhere yet", latitude=None, longitude=None)
    AssetFactory(name="Store room", visibility=Asset.Visibility.STAFF)
    assert set(features_by_name()) == {"Hall", "Store room"}
    assert set(features_by_name(Asset.objects.public())) == {"Hall"}


def test_the_features_are_read_in_one_query_however_many_assets(
    django_assert_num_queries,
):
    for n in range(30):
        AssetFactory(tags=[f"tag {n}", "shared"])
    with django_assert_num_queries(1):
        collection = mapdata.asset_features(Asset.objects.all())
    assert len(collection["features"]) == 30


def test_a_map_filtered_by_one_tag_still_lists_each_assets_every_tag():
    AssetFactory(name="Library", tags=["books", "reading", "wifi"])
    AssetFactory(name="Cafe", tags=["wifi"])
    wifi = Tag.objects.get(key="wifi")
    features = features_by_name(Asset.objects.filtered(tag=wifi))
    assert set(features) == {"Library", "Cafe"}
    assert features["Library"]["properties"]["tags"] == ["books", "reading", "wifi"]


# The cache


def test_the_map_is_served_from_the_cache_until_the_version_changes(
    django_assert_num_queries,
):
    AssetFactory(name="Hall")
    first = mapdata.cached_asset_geojson(
        Asset.objects.all(), scope="public", filters={}
    )
    assert [f["properties"]["name"] for f in json.loads(first)["features"]] == ["Hall"]
    # Written without the signals that move the version on.
    Asset.objects.bulk_create(
        [Asset(name="Shop", category=Category.ECONOMY, latitude=0.5, longitude=0.5)]
    )
    with django_assert_num_queries(0):
        assert (
            mapdata.cached_asset_geojson(
                Asset.objects.all(), scope="public", filters={}
            )
            == first
        )
    cache.set(mapdata.VERSION_KEY, mapdata.version() + 1, timeout=None)
    fresh = mapdata.cached_asset_geojson(
        Asset.objects.all(), scope="public", filters={}
    )
    names = {f["properties"]["name"] for f in json.loads(fresh)["features"]}
    assert names == {"Hall", "Shop"}


def test_each_scope_and_filter_is_cached_apart():
    AssetFactory(name="Hall", category=Category.PHYSICAL)
    AssetFactory(name="Shop", category=Category.ECONOMY)
    AssetFactory(name="Store room", visibility=Asset.Visibility.STAFF)

    def names(queryset, scope, filters):
        payload = mapdata.cached_asset_geojson(queryset, scope=scope, filters=filters)
        return sorted(f["properties"]["name"] for f in json.loads(payload)["features"])

    assert names(Asset.objects.public(), "public", {}) == ["Hall", "Shop"]
    assert names(Asset.objects.all(), "staff", {}) == ["Hall", "Shop", "Store room"]
    economy = Asset.objects.public().filter(category=Category.ECONOMY)
    assert names(economy, "public", {"category": "economy"}) == ["Shop"]
    # The same filters in another order, or with empty ones, are the same
    # map: read from the cache, whatever queryset comes with them.
    assert names(Asset.objects.none(), "public", {"tag": "", "category": ""}) == [
        "Hall",
        "Shop",
    ]
    physical = {"category": "physical", "area": 3}
    assert names(Asset.objects.filter(name="Hall"), "public", physical) == ["Hall"]
    assert names(
        Asset.objects.none(), "public", {"area": 3, "category": "physical"}
    ) == ["Hall"]


def test_the_cached_map_is_compact_json():
    AssetFactory(name="Hall", address="")  # no comma of its own
    payload = mapdata.cached_asset_geojson(
        Asset.objects.all(), scope="public", filters={}
    )
    assert ", " not in payload and ": " not in payload
    assert json.loads(payload) == mapdata.asset_features(Asset.objects.all())


# The wards


def test_the_ward_layer_has_every_ward_with_a_boundary_and_its_deprivation():
    matson = WardFactory(name="Matson", ons_code="E05010960", imd_decile=1)
    WardFactory(name="No boundary yet", boundary=None)
    Area.objects.create(kind=Area.Kind.NEIGHBOURHOOD, name="Robinswood", parent=matson)
    collection = mapdata.ward_features()
    assert collection["type"] == "FeatureCollection"
    assert collection["features"] == [
        {
            "type": "Feature",
            "id": matson.pk,
            "geometry": matson.boundary,
            "properties": {
                "name": "Matson",
                "ons_code": "E05010960",
                "imd_decile": 1,
                "fills": {"deprivation": mapdata.NEED_COLOURS[0]},
                "figures": {"deprivation": "IMD decile 1"},
            },
        }
    ]


def test_the_ward_layer_is_cached(django_assert_num_queries):
    WardFactory(name="Matson")
    first = mapdata.cached_ward_geojson()
    WardFactory(name="Tuffley")
    with django_assert_num_queries(0):
        assert mapdata.cached_ward_geojson() == first
    assert [f["properties"]["name"] for f in json.loads(first)["features"]] == [
        "Matson"
    ]


# Shading: deprivation and the needs measures, from one palette


def square(x: float, y: float) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [
            [[x, y], [x + 0.1, y], [x + 0.1, y + 0.1], [x, y + 0.1], [x, y]]
        ],
    }


@pytest.fixture
def council():
    """A second council: five wards with made-up codes, one with no decile."""
    return [
        WardFactory(
            name=name,
            ons_code=f"E0590000{n}",
            imd_decile=decile,
            boundary=square(-1.5 + n / 10, 53.5),
        )
        for n, (name, decile) in enumerate(
            [("Almond", 1), ("Birch", 4), ("Cedar", 10), ("Damson", None), ("Elm", 7)],
            start=1,
        )
    ]


def load_measure(higher_is_more_need=True, rows=None, name="Community Needs Index"):
    rows = rows or [
        ("E05900001", 120),
        ("E05900002", 90),
        ("E05900003", 60),
        ("E05900004", 30),
    ]
    return places.load_ward_measure(
        [["code", "Score"], *rows],
        name=name,
        source="OCSI, 2023",
        higher_is_more_need=higher_is_more_need,
    ).measure


def test_deprivation_shades_decile_one_darkest_and_says_what_is_not_known(council):
    DeprivationRelease.objects.create(
        name="English Indices of Deprivation 2025",
        short_name="IMD 2025",
        lsoa_vintage=2021,
        lsoas_in_england=33_755,
    )
    shading = mapdata.ward_shadings()[0]
    almond, birch, cedar, damson, _ = council
    assert shading.key == mapdata.DEPRIVATION
    assert shading.label == "Deprivation (IMD 2025 decile)"
    assert shading.note.startswith(
        "From the English Indices of Deprivation 2025, which ranks England's "
        "33,755 neighbourhoods (LSOAs). A ward's decile is the tenth of England "
        "its average neighbourhood rank falls in: 1 is the most deprived tenth"
    )
    assert shading.fills[almond.pk] == mapdata.NEED_COLOURS[0]
    assert shading.fills[birch.pk] == mapdata.NEED_COLOURS[3]
    assert shading.fills[cedar.pk] == mapdata.NEED_COLOURS[9]
    assert shading.fills[damson.pk] == mapdata.NO_FIGURE_COLOUR
    assert shading.legend[0] == (mapdata.NEED_COLOURS[0], "1: most deprived")
    assert shading.legend[-1] == (mapdata.NO_FIGURE_COLOUR, "Not known")


def test_a_measure_where_higher_is_more_need_shades_the_highest_darkest(council):
    measure = load_measure(higher_is_more_need=True)
    shading = mapdata.ward_shadings()[1]
    almond, birch, cedar, damson, elm = council
    assert shading.key == f"measure-{measure.pk}"
    assert shading.label == "Community Needs Index"
    fills = [shading.fills[w.pk] for w in (almond, birch, cedar, damson)]
    assert fills == mapdata._spread(4)
    assert fills[0] == mapdata.NEED_COLOURS[0]
    assert shading.fills[elm.pk] == mapdata.NO_FIGURE_COLOUR
    assert shading.figures[almond.pk] == "Community Needs Index 120"
    assert shading.figures[elm.pk] == "Community Needs Index not known"
    assert [words for _, words in shading.legend] == [
        "120 (most need)",
        "90",
        "60",
        "30 (least need)",
        "No figure",
    ]
    assert "higher values mean more need" in shading.note


def test_a_measure_where_lower_is_more_need_shades_the_lowest_darkest(council):
    load_measure(higher_is_more_need=False)
    shading = mapdata.ward_shadings()[1]
    almond, _, _, damson, _ = council
    assert shading.fills[damson.pk] == mapdata.NEED_COLOURS[0]
    assert shading.fills[almond.pk] == mapdata.NEED_COLOURS[-1]
    assert shading.legend[0][1] == "30 (most need)"


def test_many_wards_fall_into_five_groups_and_equal_values_share_one():
    wards = [WardFactory(ons_code=f"E059{n:05d}", imd_decile=5) for n in range(20)]
    rows = [(w.ons_code, n // 2) for n, w in enumerate(wards)]  # pairs of equal values
    load_measure(rows=rows)
    shading = mapdata.ward_shadings()[1]
    assert len(shading.legend) == mapdata.MEASURE_CLASSES
    assert [colour for colour, _ in shading.legend] == mapdata._spread(5)
    assert shading.legend[0][1] == "8 to 9 (most need)"
    assert shading.legend[-1][1] == "0 to 1 (least need)"
    for a, b in zip(wards[::2], wards[1::2], strict=True):
        assert shading.fills[a.pk] == shading.fills[b.pk]


def test_every_fill_drawn_is_a_colour_its_legend_shows(council):
    """The map's data and the page's legend come from one Shading: no ward
    is drawn in a colour its legend lacks."""
    load_measure()
    load_measure(name="Older residents", higher_is_more_need=False)
    collection = mapdata.ward_features()
    for shading in mapdata.ward_shadings():
        swatches = {colour for colour, _ in shading.legend}
        drawn = {f["properties"]["fills"][shading.key] for f in collection["features"]}
        assert drawn <= swatches, shading.key
        assert drawn <= set(mapdata.NEED_COLOURS) | {mapdata.NO_FIGURE_COLOUR}


def test_the_palette_is_the_only_place_ward_colours_are_written():
    """One source: the map's script and the style sheet hold no ward colour."""
    from django.conf import settings

    for path in ("static/assets/map.js", "static/scss/abcd/_components.scss"):
        text = (settings.BASE_DIR / path).read_text().lower()
        for colour in mapdata.NEED_COLOURS:
            assert colour not in text, (path, colour)


def test_loading_a_measure_refreshes_the_cached_wards(
    council, django_capture_on_commit_callbacks
):
    before = json.loads(mapdata.cached_ward_geojson())
    assert set(before["features"][0]["properties"]["fills"]) == {"deprivation"}
    with django_capture_on_commit_callbacks(execute=True):
        measure = load_measure()
    after = json.loads(mapdata.cached_ward_geojson())
    assert set(after["features"][0]["properties"]["fills"]) == {
        "deprivation",
        f"measure-{measure.pk}",
    }


# Where the map opens


def test_the_map_opens_on_the_councils_wards(council):
    assert mapdata.map_extent() == ((53.5, -1.4), (53.6, -0.9))


def test_with_no_wards_the_map_has_no_extent_of_its_own():
    WardFactory(boundary=None)
    assert mapdata.map_extent() is None

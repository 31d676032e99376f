import gzip
import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from assets import mapdata
from assets.models import Asset, AssetImport, Category
from communities.models import ResidentTag, Tag
from communities.tests.factories import ResidentFactory, TagFactory, WardFactory
from core.roles import Role

from .factories import AssetFactory, MappingSessionFactory
from .test_imports import OLDHAM

pytestmark = pytest.mark.django_db


def many_assets(count: int) -> None:
    """Assets with tags, made in bulk (the factory would take minutes)."""
    ward = WardFactory()
    tags = [TagFactory(name=f"tag {n}") for n in range(3)]
    assets = Asset.objects.bulk_create(
        Asset(
            name=f"Asset {n}",
            category=Category.PHYSICAL,
            latitude=0.5,
            longitude=0.5,
            area=ward,
            visibility=Asset.Visibility.STAFF if n % 5 == 0 else "public",
        )
        for n in range(count)
    )
    Asset.tags.through.objects.bulk_create(
        Asset.tags.through(asset_id=a.pk, tag_id=t.pk) for a in assets for t in tags
    )


def geojson(client, url="/assets/map/assets.geojson"):
    return json.loads(client.get(url).content)


@pytest.mark.parametrize("role", [None, Role.OFFICER])
def test_the_map_data_query_count_does_not_grow_with_the_assets(
    client, make_user, django_assert_num_queries, role
):
    if role:
        client.force_login(make_user(role))
    many_assets(10)
    cache.clear()
    with CaptureQueriesContext(connection) as small:
        assert len(geojson(client)["features"]) == (8 if role is None else 10)

    many_assets(990)
    cache.clear()
    with django_assert_num_queries(len(small.captured_queries)):
        assert len(geojson(client)["features"]) == (800 if role is None else 1000)


def test_the_map_data_is_cached_until_an_asset_changes(
    client, django_assert_num_queries, django_capture_on_commit_callbacks
):
    AssetFactory(name="Park")
    assert len(geojson(client)["features"]) == 1
    with django_assert_num_queries(0):
        assert len(geojson(client)["features"]) == 1

    with django_capture_on_commit_callbacks(execute=True):
        AssetFactory(name="Hall")
    names = {f["properties"]["name"] for f in geojson(client)["features"]}
    assert names == {"Park", "Hall"}


def test_the_map_data_is_compressed(client):
    AssetFactory.create_batch(20)
    response = client.get("/assets/map/assets.geojson", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(gzip.decompress(response.content))
    assert len(data["features"]) == 20


def test_the_map_data_follows_the_filters(client):
    ward = WardFactory()
    AssetFactory(name="Park", category=Category.PHYSICAL, area=ward, tags=["dogs"])
    AssetFactory(name="Café", category=Category.ECONOMY, area=ward, tags=["food"])
    AssetFactory(name="Shop", category=Category.ECONOMY, tags=["food"])

    def names(query):
        url = f"/assets/map/assets.geojson?{query}"
        return sorted(f["properties"]["name"] for f in geojson(client, url)["features"])

    assert names("category=economy") == ["Café", "Shop"]
    assert names("tag=food") == ["Café", "Shop"]
    assert names(f"category=economy&area={ward.pk}") == ["Café"]
    # An unknown filter value filters nothing rather than failing.
    assert names("category=nonsense") == ["Café", "Park", "Shop"]


def test_the_map_table_pages_with_the_shared_pagination_keeping_the_filters(client):
    many_assets(70)  # every fifth is staff only: 56 public, two pages of 50

    page = client.get("/assets/map/?category=physical").content.decode()

    assert '<nav class="govuk-pagination" aria-label="Pages of assets">' in page
    assert 'aria-label="Page 1 of 2" aria-current="page">1</a>' in page
    assert 'href="?category=physical&amp;page=2#asset-table" rel="next"' in page
    assert 'rel="prev"' not in page
    second = client.get("/assets/map/?category=physical&page=2").content.decode()
    assert 'aria-label="Page 2 of 2" aria-current="page">2</a>' in second
    assert 'href="?category=physical&amp;page=1#asset-table" rel="prev"' in second


def test_visitors_see_public_assets_and_staff_see_staff_only_ones_too(
    client, make_user
):
    AssetFactory(name="Park")
    AssetFactory(name="Hidden hut", visibility=Asset.Visibility.STAFF)

    page = client.get("/assets/map/")
    assert page.status_code == 200
    assert "Park" in page.content.decode()
    assert "Hidden hut" not in page.content.decode()
    assert [f["properties"]["name"] for f in geojson(client)["features"]] == ["Park"]

    client.force_login(make_user(Role.BUILDER))
    page = client.get("/assets/map/").content.decode()
    assert "Hidden hut" in page
    assert len(geojson(client)["features"]) == 2


def test_a_staff_only_asset_page_is_not_found_for_visitors(client, officer):
    hidden = AssetFactory(visibility=Asset.Visibility.STAFF)
    assert client.get(f"/assets/{hidden.pk}/").status_code == 404
    client.force_login(officer)
    assert client.get(f"/assets/{hidden.pk}/").status_code == 200


def test_small_gift_counts_are_shown_to_staff_but_not_the_public(client, officer):
    ward = WardFactory(name="Podsmead")
    rare = TagFactory(name="bookbinding")
    resident = ResidentFactory(area=ward)
    ResidentTag.objects.create(resident=resident, tag=rare, kind="head")

    assert "bookbinding" not in client.get("/assets/map/").content.decode()
    client.force_login(officer)
    assert "bookbinding" in client.get("/assets/map/").content.decode()


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.OFFICER, 200), (Role.BUILDER, 200), (Role.PANEL, 403), (Role.CABINET, 403)],
)
def test_who_may_add_assets(client, make_user, role, status):
    client.force_login(make_user(role))
    assert client.get("/assets/new/").status_code == status


def test_visitors_are_asked_to_sign_in_to_add_assets(client):
    response = client.get("/assets/new/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


@pytest.mark.parametrize(
    ("role", "status"), [(Role.OFFICER, 200), (Role.BUILDER, 403), (Role.PANEL, 403)]
)
def test_only_officers_import(client, make_user, role, status):
    client.force_login(make_user(role))
    assert client.get("/assets/import/").status_code == status


def test_adding_an_asset_finds_its_ward(client, make_user):
    ward = WardFactory(name="Matson")
    builder = make_user(Role.BUILDER)
    session = MappingSessionFactory(area=ward)
    client.force_login(builder)

    response = client.post(
        "/assets/new/",
        {
            "name": "Matson Community Garden",
            "category": "physical",
            "tag_names": "gardening, food growing",
            "latitude": "0.5",
            "longitude": "0.5",
            "area": "",
            "mapping_session": session.pk,
            "visibility": "public",
            "status": "active",
        },
    )

    asset = Asset.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/assets/{asset.pk}/"
    assert asset.area == ward
    assert asset.mapped_by == builder
    assert asset.mapping_session == session
    assert Tag.objects.filter(key="food growing").exists()


def test_a_form_with_mistakes_says_so_in_the_title_and_saves_nothing(client, officer):
    client.force_login(officer)
    response = client.post(
        "/assets/new/",
        {"name": "", "category": "gifts", "latitude": "51.8", "visibility": "public"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Add an asset" in page
    assert "Enter both the latitude and the longitude" in page
    assert not Asset.objects.exists()


def test_a_mapping_session_is_recorded_and_lists_its_assets(client, officer):
    ward = WardFactory(name="Kingsholm")
    client.force_login(officer)
    response = client.post(
        "/assets/mapping-sessions/new/",
        {
            "name": "Kingsholm walk",
            "held_on": "2026-03-07",
            "area": ward.pk,
            "participants": "14",
        },
    )
    assert response.status_code == 302
    session_url = response["Location"]
    AssetFactory(
        name="Kingsholm Rugby Club", mapping_session_id=int(session_url.split("/")[-2])
    )
    page = client.get(session_url).content.decode()
    assert "Kingsholm Rugby Club" in page
    assert "14" in page
    assert "Kingsholm walk" in client.get("/assets/mapping-sessions/").content.decode()


def test_importing_the_oldham_file_through_the_pages(client, officer):
    client.force_login(officer)
    with OLDHAM.open("rb") as handle:
        response = client.post("/assets/import/", {"file": handle})
    asset_import = AssetImport.objects.get()
    assert response["Location"] == f"/assets/import/{asset_import.pk}/columns/"

    page = client.get(response["Location"]).content.decode()
    assert "Match the file" in page
    form = {f"col_{k}": v for k, v in asset_import.mapping.items()}
    response = client.post(
        f"/assets/import/{asset_import.pk}/columns/",
        {**form, "default_category": "institutions"},
    )
    assert response["Location"] == f"/assets/import/{asset_import.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Import complete" in page
    assert Asset.objects.count() == 12


def test_a_failed_import_shows_each_row_to_fix(client, officer):
    client.force_login(officer)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "assets.csv", b"name,category\nHall,physical\n,physical\nShop,pub\n"
    )
    response = client.post("/assets/import/", {"file": upload}, follow=True)
    page = response.content.decode()
    assert "Nothing was imported" in page
    assert "Enter a name." in page
    assert "‘pub’ is not a category" in page
    assert not Asset.objects.exists()


def test_a_file_that_is_not_csv_is_refused_on_the_form(client, officer):
    client.force_login(officer)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        "/assets/import/", {"file": SimpleUploadedFile("assets.xlsx", b"PK\x03\x04")}
    )
    assert "<title>Error: Import assets" in response.content.decode()
    assert not AssetImport.objects.exists()


@override_settings(ASSETS_IMPORT_INLINE_ROWS=2)
def test_a_large_file_imports_in_the_background_with_a_progress_page(
    client, officer, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    from django.core.files.uploadedfile import SimpleUploadedFile

    rows = "".join(f"Hall {n},physical\n" for n in range(5))
    upload = SimpleUploadedFile("big.csv", f"name,category\n{rows}".encode())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/assets/import/", {"file": upload})
    asset_import = AssetImport.objects.get()
    assert len(callbacks) == 1
    # Before the worker runs, the progress page and its status say so.
    page = client.get(response["Location"]).content.decode()
    assert "Importing your file" in page
    response = client.get(f"/assets/import/{asset_import.pk}/status.json")
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {
        "state": "queued",
        "state_label": "Waiting to start",
        "finished": False,
        "processed": 0,
        "total": 5,
        "percent": 0,
        "message": "Waiting to start: 0 of 5 rows checked.",
        "url": f"/assets/import/{asset_import.pk}/",
    }
    # The page shows the same message before it first asks, and follows it
    # with the one script every progress page uses.
    assert "Waiting to start: 0 of 5 rows checked." in page
    assert f'data-progress-url="/assets/import/{asset_import.pk}/status.json"' in page
    assert "abcd/progress.js" in page
    callbacks[0]()  # The task runs (eagerly in tests).
    status = client.get(f"/assets/import/{asset_import.pk}/status.json").json()
    assert status["finished"]
    assert (status["state"], status["processed"], status["percent"]) == ("done", 5, 100)
    assert status["message"] == "Imported: 5 of 5 rows checked."
    assert Asset.objects.count() == 5


def test_the_template_downloads(client, officer):
    client.force_login(officer)
    response = client.get("/assets/import/template.csv")
    assert response["Content-Type"] == "text/csv"
    assert response.content.decode().startswith("name,category,description,tags")


def test_the_ward_boundaries_carry_their_deprivation(client):
    WardFactory(name="Westgate", imd_decile=2)
    data = json.loads(client.get("/assets/map/wards.geojson").content)
    assert data["features"][0]["properties"]["imd_decile"] == 2
    assert data["features"][0]["geometry"]["type"] == "Polygon"


def test_closed_assets_are_left_off_the_public_map_but_staff_see_them(client, officer):
    AssetFactory(name="Open hall")
    AssetFactory(name="Old library", status=Asset.Status.CLOSED)

    assert [f["properties"]["name"] for f in geojson(client)["features"]] == [
        "Open hall"
    ]
    client.force_login(officer)
    features = {
        f["properties"]["name"]: f["properties"] for f in geojson(client)["features"]
    }
    assert features["Old library"]["closed"] is True


def test_the_ward_table_puts_deprivation_beside_the_assets(client):
    deprived = WardFactory(name="Westgate", imd_decile=1)
    WardFactory(name="Abbeymead", imd_decile=9)
    AssetFactory.create_batch(2, area=deprived)

    response = client.get("/assets/map/")
    wards = response.context["wards"]

    assert [(w.name, w.imd_decile, w.asset_count) for w in wards] == [
        ("Westgate", 1, 2),
        ("Abbeymead", 9, 0),
    ]


def test_the_map_data_url_changes_when_the_assets_do(
    client, django_capture_on_commit_callbacks
):
    first = client.get("/assets/map/").context["map_config"]["assets"]
    with django_capture_on_commit_callbacks(execute=True):
        AssetFactory()
    second = client.get("/assets/map/").context["map_config"]["assets"]
    assert first != second
    assert second.startswith("/assets/map/assets.geojson?v=")


def test_an_unknown_filter_is_ignored_and_the_others_still_apply(client):
    AssetFactory(name="Park", category=Category.PHYSICAL)
    AssetFactory(name="Café", category=Category.ECONOMY)
    url = "/assets/map/assets.geojson?category=economy&tag=no-such-tag"
    assert [f["properties"]["name"] for f in geojson(client, url)["features"]] == [
        "Café"
    ]


# Needs measures on the map and in the ward table


def load_needs(rows, *, higher_is_more_need=True, name="Community Needs Index"):
    from communities import measures as places

    return places.load_ward_measure(
        [["WD23CD", "Score"], *rows],
        name=name,
        source="OCSI, 2023",
        higher_is_more_need=higher_is_more_need,
        unit="score",
    ).measure


def test_the_ward_table_puts_each_measure_beside_deprivation(client):
    WardFactory(name="Almond", ons_code="E05900001", imd_decile=1)
    WardFactory(name="Birch", ons_code="E05900002", imd_decile=9)
    load_needs([("E05900001", "1234.5")])

    response = client.get("/assets/map/")
    wards = response.context["wards"]
    assert [(w.name, w.measure_cells) for w in wards] == [
        ("Almond", ["1,234.5"]),
        ("Birch", [""]),
    ]
    text = response.content.decode()
    assert "Community Needs Index (score)" in text
    assert "Community Needs Index, OCSI, 2023 (higher values mean more need)" in text


def test_the_map_offers_each_measure_as_a_shading(client):
    WardFactory(name="Almond", ons_code="E05900001")
    measure = load_needs([("E05900001", 3)])
    key = f"measure-{measure.pk}"

    response = client.get("/assets/map/")
    choices = response.context["form"].fields["shading"].choices
    assert choices == [
        ("deprivation", "Deprivation (IMD decile)"),
        (key, "Community Needs Index (score)"),
    ]
    assert response.context["map_config"]["shading"] == "deprivation"
    assert '<select name="shading"' in response.content.decode()

    chosen = client.get(f"/assets/map/?shading={key}")
    assert chosen.context["map_config"]["shading"] == key
    text = chosen.content.decode()
    assert f'data-shading="{key}">' in text  # its legend is shown
    assert 'data-shading="deprivation" hidden>' in text

    # An old link to a measure no longer loaded falls back to deprivation.
    stale = client.get("/assets/map/?shading=measure-999")
    assert stale.status_code == 200
    assert stale.context["map_config"]["shading"] == "deprivation"


def test_the_ward_data_carries_each_wards_colour_for_every_shading(client):
    almond = WardFactory(name="Almond", ons_code="E05900001", imd_decile=2)
    measure = load_needs([("E05900001", 3)])
    properties = geojson(client, "/assets/map/wards.geojson")["features"][0][
        "properties"
    ]
    assert properties["fills"] == {
        "deprivation": mapdata.NEED_COLOURS[1],
        f"measure-{measure.pk}": mapdata.NEED_COLOURS[0],
    }
    assert properties["figures"][f"measure-{measure.pk}"] == (
        "Community Needs Index 3 score"
    )
    assert (
        almond.pk == geojson(client, "/assets/map/wards.geojson")["features"][0]["id"]
    )


def test_the_legend_swatches_are_the_colours_the_map_draws(client):
    """Each legend on the page shows exactly the colours (and opacity) of its
    shading, the same that colour the wards in the map's data."""
    import re

    for n, decile in enumerate([1, 5, None], start=1):
        WardFactory(ons_code=f"E0590000{n}", imd_decile=decile)
    load_needs([("E05900001", 1), ("E05900002", 2)])
    text = client.get("/assets/map/").content.decode()
    drawn = geojson(client, "/assets/map/wards.geojson")["features"]
    for shading in mapdata.ward_shadings():
        block = text.split(f'data-shading="{shading.key}"')[1].split("</ul>")[0]
        swatches = re.findall(r'fill="(#[0-9a-f]{6})" fill-opacity="([0-9.]+)"', block)
        assert [c for c, _ in swatches] == [c for c, _ in shading.legend]
        assert {float(o) for _, o in swatches} == {mapdata.FILL_OPACITY}
        used = {f["properties"]["fills"][shading.key] for f in drawn}
        assert used <= {c for c, _ in swatches}


def test_the_map_opens_on_the_wards_and_the_ward_data_url_follows_them(
    client, django_capture_on_commit_callbacks
):
    WardFactory(
        boundary={
            "type": "Polygon",
            "coordinates": [[[-2.3, 53.4], [-2.0, 53.4], [-2.0, 53.7], [-2.3, 53.4]]],
        },
        ons_code="E05900001",
    )
    config = client.get("/assets/map/").context["map_config"]
    assert config["bounds"] == ((53.4, -2.3), (53.7, -2.0))
    with django_capture_on_commit_callbacks(execute=True):
        load_needs([("E05900001", 1)])
    again = client.get("/assets/map/").context["map_config"]
    assert again["wards"] != config["wards"]
    assert (
        "No ward boundaries are loaded"
        not in client.get("/assets/map/").content.decode()
    )


def test_with_no_wards_the_map_opens_on_england_and_says_why(client):
    response = client.get("/assets/map/")
    assert response.context["map_config"]["bounds"] == mapdata.ENGLAND
    text = response.content.decode()
    assert "No ward boundaries are loaded yet, so the map shows all of England." in text
    assert "No wards are loaded yet." in text

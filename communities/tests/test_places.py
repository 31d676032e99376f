"""A second council's places, from files made here in the official layouts:
ward boundaries of 2023 (WD23CD/WD23NM) and a 2025 review, LSOAs of 2021
(LSOA21CD) and the IoD 2025 File 1's headers."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from communities import places
from communities.models import Area, DeprivationRelease, Lsoa

pytestmark = pytest.mark.django_db

WEST, SOUTH, CELL = -2.20, 53.50, 0.02  # a northern borough, 2 x 2 wards
FILE_1_2025 = (
    "LSOA code (2021)",
    "LSOA name (2021)",
    "Local Authority District code (2024)",
    "Local Authority District name (2024)",
    "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)",
    "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)",
)


def square(x: float, y: float, size: float = CELL) -> dict:
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def feature(properties: dict, geometry: dict) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def collection(features: list[dict]) -> str:
    return json.dumps({"type": "FeatureCollection", "features": features})


def wards_2023(overrides: dict | None = None) -> str:
    """Four wards in a 2 x 2 grid, E05900001 to E05900004."""
    features = []
    for i in range(4):
        x, y = WEST + (i % 2) * CELL, SOUTH + (i // 2) * CELL
        props = {
            "WD23CD": f"E0590000{i + 1}",
            "WD23NM": f"Ward {i + 1}",
            "LAD23CD": "E08000099",
        }
        props.update((overrides or {}).get(i, {}))
        features.append(feature(props, square(x, y)))
    return collection(features)


def lsoas_2021() -> str:
    """Four LSOAs in each ward (a 4 x 4 grid of half-ward squares)."""
    half = CELL / 2
    features = [
        feature(
            {"LSOA21CD": f"E0190{i:04d}", "LSOA21NM": f"Borough {i:03d}A"},
            square(WEST + (i % 4) * half, SOUTH + (i // 4) * half, half),
        )
        for i in range(16)
    ]
    return collection(features)


def file_1(ranks: dict[str, int], total: int) -> str:
    """The IoD 2025 File 1 for all of England: the given ranks, and the
    rest of England's LSOAs made up so that the file has ``total`` rows."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(FILE_1_2025)
    used = set(ranks.values())
    others = (r for r in range(1, total + 1) if r not in used)
    for code, rank in ranks.items():
        writer.writerow([code, "x", "E08000099", "Borough", rank, 0])
    for n, rank in enumerate(others):
        writer.writerow([f"E0199{n:04d}", "y", "E06000001", "Elsewhere", rank, 0])
    return out.getvalue()


def load_wards(text: str, **options) -> places.WardsReport:
    return places.load_wards(places.read_wards(text, **options))


# Wards ---------------------------------------------------------------------


def test_wards_load_with_ons_properties_found_vintage_boxes_and_neighbours():
    report = load_wards(wards_2023())

    assert "Codes read from the property WD23CD." in report.notes
    assert "Names read from the property WD23NM." in report.notes
    assert report.added == 4
    wards = {a.ons_code: a for a in Area.objects.current()}
    assert set(wards) == {f"E0590000{i}" for i in range(1, 5)}
    one = wards["E05900001"]
    assert (one.name, one.vintage) == ("Ward 1", 2023)
    assert (one.min_lon, one.min_lat) == pytest.approx((WEST, SOUTH))
    assert (one.max_lon, one.max_lat) == pytest.approx((WEST + CELL, SOUTH + CELL))
    # Ward 1 touches 2 (east), 3 (north) and 4 (at a corner).
    assert {a.ons_code for a in one.neighbours.all()} == {
        "E05900002",
        "E05900003",
        "E05900004",
    }
    assert report.neighbour_pairs == 6
    inside = Area.objects.locate(lon=WEST + CELL * 1.5, lat=SOUTH + CELL * 0.5)
    assert inside.ons_code == "E05900002"
    assert Area.objects.locate(lon=WEST - 0.5, lat=SOUTH) is None
    assert Area.objects.current().extent() == pytest.approx(
        (WEST, SOUTH, WEST + 2 * CELL, SOUTH + 2 * CELL)
    )


def test_loading_the_same_file_again_changes_nothing():
    load_wards(wards_2023())
    again = load_wards(wards_2023())
    assert (again.added, again.updated, again.unchanged) == (0, 0, 4)


def test_named_properties_and_a_given_vintage():
    text = collection(
        [feature({"code": "E05900011", "label": "Riverside"}, square(WEST, SOUTH))]
    )
    with pytest.raises(places.PlacesFileError, match="no ONS code property"):
        places.read_wards(text)
    with pytest.raises(places.PlacesFileError, match="year of these boundaries"):
        places.read_wards(text, code_property="code", name_property="label")
    load_wards(text, code_property="code", name_property="label", vintage=2022)
    ward = Area.objects.get(ons_code="E05900011")
    assert (ward.name, ward.vintage) == ("Riverside", 2022)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ward,code\n", "not GeoJSON"),
        ('{"type": "Feature"}', "not a GeoJSON FeatureCollection"),
        ('{"type": "FeatureCollection", "features": []}', "holds no features"),
        (
            collection(
                [
                    feature(
                        {"WD23CD": "E05900001", "WD23NM": "A"},
                        {"type": "Point", "coordinates": [-2.1, 53.5]},
                    )
                ]
            ),
            "a Point, not a polygon",
        ),
        (wards_2023({1: {"WD23CD": "E05900001"}}), "also feature 1's"),
        (wards_2023({2: {"WD23NM": None}}), "WD23NM is missing"),
        (wards_2023({3: {"WD23CD": "Ward four"}}), "is not an ONS code"),
        (
            collection(
                [
                    feature(
                        {"WD23CD": "E05900001", "WD23NM": "A"},
                        square(383_000, 403_000, 2_000),
                    )
                ]
            ),
            "British National Grid",
        ),
        (
            collection(
                [feature({"WD23CD": "E05900001", "WD23NM": "A"}, square(53.5, -2.2))]
            ),
            "longitude and latitude look swapped",
        ),
        (
            collection(
                [feature({"WD23CD": "E05900001", "WD23NM": "A"}, square(10.0, 45.0))]
            ),
            "not longitude and latitude in the United Kingdom",
        ),
        (
            json.dumps(
                {
                    "type": "FeatureCollection",
                    "crs": {
                        "type": "name",
                        "properties": {"name": "urn:ogc:def:crs:EPSG::27700"},
                    },
                    "features": [
                        feature(
                            {"WD23CD": "E05900001", "WD23NM": "A"}, square(WEST, SOUTH)
                        )
                    ],
                }
            ),
            "EPSG:27700",
        ),
    ],
)
def test_a_bad_ward_file_is_refused_with_its_reason_and_nothing_written(text, message):
    load_wards(wards_2023())
    before = list(Area.objects.values_list("ons_code", "name", "vintage", "is_current"))
    with pytest.raises(places.PlacesFileError, match=message):
        load_wards(text)
    assert (
        list(Area.objects.values_list("ons_code", "name", "vintage", "is_current"))
        == before
    )


def test_an_older_boundary_set_is_refused():
    load_wards(wards_2023())
    older = wards_2023().replace("WD23", "WD19")
    with pytest.raises(places.PlacesFileError, match="older than the wards in use"):
        load_wards(older)


def test_a_boundary_review_keeps_old_wards_and_moves_located_records():
    from assets.tests.factories import AssetFactory

    load_wards(wards_2023())
    old_one = Area.objects.get(ons_code="E05900001")
    # An asset in the south-west corner, and one with no location.
    placed = AssetFactory(latitude=SOUTH + 0.001, longitude=WEST + 0.001, area=old_one)
    unplaced = AssetFactory(latitude=None, longitude=None, area=old_one)
    # 2025: wards 1 and 2 merge into one new ward; 3 and 4 are unchanged.
    merged = feature(
        {"WD25CD": "E05900005", "WD25NM": "Ward 1 and 2"},
        {
            "type": "Polygon",
            "coordinates": [
                [
                    [WEST, SOUTH],
                    [WEST + 2 * CELL, SOUTH],
                    [WEST + 2 * CELL, SOUTH + CELL],
                    [WEST, SOUTH + CELL],
                    [WEST, SOUTH],
                ]
            ],
        },
    )
    kept = [
        feature(
            {"WD25CD": f"E0590000{i + 1}", "WD25NM": f"Ward {i + 1}"},
            square(WEST + (i % 2) * CELL, SOUTH + CELL),
        )
        for i in (2, 3)
    ]

    report = load_wards(collection([merged, *kept]))

    assert (report.added, report.updated) == (1, 2)
    old_one.refresh_from_db()
    assert not old_one.is_current and old_one.vintage == 2023
    assert str(old_one) == "Ward 1 (2023 boundaries)"
    assert set(Area.objects.current().values_list("ons_code", flat=True)) == {
        "E05900003",
        "E05900004",
        "E05900005",
    }
    assert Area.objects.wards().count() == 5
    placed.refresh_from_db()
    unplaced.refresh_from_db()
    assert placed.area.ons_code == "E05900005"
    assert unplaced.area == old_one
    assert "1 assets moved to the ward that now holds them." in report.lines()
    # Old wards are nobody's neighbour; the new ward neighbours 3 and 4.
    assert not old_one.neighbours.exists()
    new = Area.objects.get(ons_code="E05900005")
    assert {a.ons_code for a in new.neighbours.all()} == {"E05900003", "E05900004"}
    assert Area.objects.locate(lon=WEST + 0.001, lat=SOUTH + 0.001) == new


def test_every_path_derives_the_box_and_neighbours_admin_and_fixtures_too(tmp_path):
    """A ward saved by hand (as the admin does) or from a fixture (loaddata
    saves raw, without Area.save) gets its box and its neighbours."""
    a = Area.objects.create(
        name="A", ons_code="E05900021", boundary=square(WEST, SOUTH)
    )
    assert a.max_lon == pytest.approx(WEST + CELL)
    fixture = tmp_path / "wards.json"
    fixture.write_text(
        json.dumps(
            [
                {
                    "model": "communities.area",
                    "pk": a.pk + 100,
                    "fields": {
                        "kind": "ward",
                        "name": "B",
                        "ons_code": "E05900022",
                        "boundary": square(WEST + CELL, SOUTH),
                    },
                }
            ]
        )
    )
    call_command("loaddata", str(fixture), verbosity=0)
    b = Area.objects.get(ons_code="E05900022")
    assert b.min_lon == pytest.approx(WEST + CELL)
    assert list(a.neighbours.all()) == [b]
    b.boundary = square(WEST + 5 * CELL, SOUTH)
    b.save(update_fields=["boundary"])
    b.refresh_from_db()
    assert b.min_lon == pytest.approx(WEST + 5 * CELL)
    assert not a.neighbours.exists()


# Deprivation ----------------------------------------------------------------

# LSOA i of the 4 x 4 grid lies in ward 1 + (i % 4) // 2 + 2 * (i // 8).
TOTAL = 400  # a small "England"
RANKS = {
    # ward 1: two in the most deprived 10% (ranks <= 40), one more in 20%
    "E01900000": 5, "E01900001": 30, "E01900004": 70, "E01900005": 390,
    # ward 2: none in the most deprived 20%
    "E01900002": 200, "E01900003": 210, "E01900006": 220, "E01900007": 230,
    # ward 3: one LSOA ranked, three not in the file (another council's)
    "E01900008": 41,
}  # fmt: skip


def load_deprivation(ranks_text: str, **options):
    return places.load_deprivation(
        places.read_lsoas(lsoas_2021()), places.read_ranks(ranks_text, **options)
    )


def test_deprivation_from_the_iod_2025_file_1():
    load_wards(wards_2023())
    report = load_deprivation(file_1(RANKS, TOTAL))

    release = DeprivationRelease.objects.get()
    assert (release.short_name, release.lsoa_vintage) == ("IMD 2025", 2021)
    assert release.lsoas_in_england == TOTAL
    assert f"{TOTAL:,} LSOAs in England, counted from the file." in report.lines()
    assert report.lsoas_in_wards == 9
    one = Area.objects.get(ons_code="E05900001")
    assert one.imd_lsoa_count == 4
    assert one.imd_average_rank == 123.8  # (5 + 30 + 70 + 390) / 4, to one place
    assert one.imd_decile == 4  # 123.75 of 400: the fourth tenth
    assert (one.imd_lsoas_most_deprived_10, one.imd_lsoas_most_deprived_20) == (2, 3)
    assert one.share_most_deprived_10 == 0.5
    two = Area.objects.get(ons_code="E05900002")
    assert (two.imd_decile, two.imd_lsoas_most_deprived_20) == (6, 0)
    three = Area.objects.get(ons_code="E05900003")
    assert (
        three.imd_lsoa_count,
        three.imd_decile,
        three.imd_lsoas_most_deprived_10,
    ) == (1, 2, 0)
    four = Area.objects.get(ons_code="E05900004")
    assert (four.imd_lsoa_count, four.imd_decile) == (0, None)
    assert four.share_most_deprived_10 is None


def test_the_same_deprivation_twice_changes_nothing():
    load_wards(wards_2023())
    load_deprivation(file_1(RANKS, TOTAL))
    first = DeprivationRelease.objects.get()
    report = load_deprivation(file_1(RANKS, TOTAL))
    assert "These ranks were already loaded; nothing changed." in report.lines()
    assert DeprivationRelease.objects.get() == first


def test_an_extract_needs_the_number_of_lsoas_in_england():
    load_wards(wards_2023())
    extract = "lsoa21cd,imd_rank\n" + "".join(f"{c},{r}\n" for c, r in RANKS.items())
    with pytest.raises(places.PlacesFileError, match="looks like an extract"):
        load_deprivation(extract)
    load_deprivation(extract, lsoas_in_england=TOTAL)
    assert Area.objects.get(ons_code="E05900001").imd_decile == 4


def test_named_columns_read_any_csv():
    load_wards(wards_2023())
    text = "area,score,position\n" + "".join(f"{c},1.5,{r}\n" for c, r in RANKS.items())
    with pytest.raises(places.PlacesFileError, match="no LSOA code column"):
        load_deprivation(text, lsoas_in_england=TOTAL)
    load_deprivation(
        text, code_column="area", rank_column="position", lsoas_in_england=TOTAL
    )
    assert Area.objects.get(ons_code="E05900001").imd_lsoas_most_deprived_10 == 2


def test_a_boundary_review_works_deprivation_out_again():
    load_wards(wards_2023())
    load_deprivation(file_1(RANKS, TOTAL))
    merged = feature(
        {"WD25CD": "E05900005", "WD25NM": "Everything"},
        square(WEST, SOUTH, 2 * CELL),
    )
    report = load_wards(collection([merged]))
    assert "Deprivation (IMD 2025) worked out again for 1 wards." in report.lines()
    ward = Area.objects.get(ons_code="E05900005")
    assert (ward.imd_lsoa_count, ward.imd_lsoas_most_deprived_10) == (9, 2)


@pytest.mark.parametrize(
    ("ranks", "options", "message"),
    [
        ("", {}, "ranks file is empty"),
        (
            "LSOA code (2021),Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)\n",
            {},
            "has no rows",
        ),
        (
            file_1(RANKS, TOTAL).replace("LSOA code (2021)", "LSOA code (2011)"),
            {},
            "ranks are for 2011 LSOAs but the boundaries are 2021",
        ),
        (
            "LSOA code (2021),Index of Multiple Deprivation (IMD) Rank\nE01900000,first\n",
            {},
            "Row 2: the rank “first”",
        ),
        (
            "LSOA code (2021),Index of Multiple Deprivation (IMD) Rank\nE01900000,1\nE01900000,2\n",
            {},
            "Row 3: E01900000 appears twice",
        ),
        (
            "LSOA code (2021),Index of Multiple Deprivation (IMD) Rank\nnot a code,1\n",
            {},
            "is not an LSOA code",
        ),
        (
            "LSOA code (2021),Index of Multiple Deprivation (IMD) Rank\nE01900000,401\n",
            {"lsoas_in_england": 400},
            "above the number of LSOAs",
        ),
        (
            "LSOA code (2021),Index of Multiple Deprivation (IMD) Rank\nE01999999,1\n",
            {},
            "None of the ranked LSOAs lies in the council's wards",
        ),
    ],
)
def test_bad_deprivation_files_are_refused_and_nothing_changes(ranks, options, message):
    load_wards(wards_2023())
    load_deprivation(file_1(RANKS, TOTAL))
    before = list(Area.objects.values_list("imd_decile", "imd_lsoas_most_deprived_10"))
    with pytest.raises(places.PlacesFileError, match=message):
        load_deprivation(ranks, **options)
    assert (
        list(Area.objects.values_list("imd_decile", "imd_lsoas_most_deprived_10"))
        == before
    )
    assert Lsoa.objects.count() == 9


def test_deprivation_needs_wards_first():
    with pytest.raises(
        places.PlacesFileError, match="Load the council's ward boundaries first"
    ):
        load_deprivation(file_1(RANKS, TOTAL))


# Commands ------------------------------------------------------------------


def test_the_commands_load_a_council_and_refuse_a_bad_file(tmp_path, capsys):
    wards = tmp_path / "wards.geojson"
    wards.write_text(wards_2023())
    call_command("load_wards", str(wards))
    out = capsys.readouterr().out
    assert "Codes read from the property WD23CD." in out
    assert "4 wards added, 0 updated, 0 unchanged." in out
    lsoas, ranks = tmp_path / "lsoas.geojson", tmp_path / "File_1.csv"
    lsoas.write_text(lsoas_2021())
    ranks.write_text(file_1(RANKS, TOTAL))
    call_command("load_deprivation", "--lsoas", str(lsoas), "--ranks", str(ranks))
    assert "deprivation worked out for 3 wards" in capsys.readouterr().out
    bad = tmp_path / "bad.geojson"
    bad.write_text("not json")
    with pytest.raises(
        CommandError,
        match="Nothing was loaded:\n  The ward boundaries file is not GeoJSON",
    ):
        call_command("load_wards", str(bad))
    with pytest.raises(CommandError, match="could not be read"):
        call_command("load_wards", str(tmp_path / "missing.geojson"))


# Anything at all ------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
features_ish = st.fixed_dictionaries(
    {
        "type": st.just("FeatureCollection"),
        "features": st.lists(
            st.fixed_dictionaries(
                {
                    "type": st.just("Feature"),
                    "properties": st.dictionaries(
                        st.sampled_from(["WD23CD", "WD23NM", "x"]),
                        st.text(max_size=12) | st.just("E05900001"),
                    ),
                    "geometry": st.fixed_dictionaries(
                        {
                            "type": st.sampled_from(
                                ["Polygon", "MultiPolygon", "Point"]
                            ),
                            "coordinates": json_values,
                        }
                    ),
                }
            ),
            max_size=3,
        ),
    }
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    text=st.one_of(
        st.binary(max_size=200),
        st.builds(json.dumps, json_values),
        st.builds(json.dumps, features_ish),
    )
)
def test_any_ward_file_is_loaded_or_refused_with_a_message(text):
    messages = []
    try:
        load_wards(text)
    except places.PlacesFileError as error:
        messages = error.messages
        assert messages
    assert all(messages)


@settings(max_examples=150, deadline=None)
@given(text=st.one_of(st.binary(max_size=200), st.text(max_size=300)))
def test_any_ranks_file_is_read_or_refused_with_a_message(text):
    messages = []
    try:
        places.read_ranks(text, lsoas_in_england=TOTAL)
    except places.PlacesFileError as error:
        messages = error.messages
        assert messages
    assert all(messages)


def test_a_boundary_that_crosses_itself_is_mended_not_refused():
    # A bow tie: the ring crosses itself in the middle of the square.
    x, y = WEST, SOUTH
    bow_tie = {
        "type": "Polygon",
        "coordinates": [
            [[x, y], [x + CELL, y + CELL], [x + CELL, y], [x, y + CELL], [x, y]]
        ],
    }
    load_wards(collection([feature({"WD23CD": "E05900031", "WD23NM": "Bow"}, bow_tie)]))
    ward = Area.objects.get(ons_code="E05900031")
    assert ward.boundary["type"] == "MultiPolygon"
    assert ward.contains(lon=x + CELL * 0.1, lat=y + CELL * 0.5)

"""Imports are all or nothing: these tests check each kind of mistake leaves
the inventory exactly as it was, and that good files import completely."""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from assets import importing, services, tasks
from assets.models import Asset, AssetImport, Category
from communities.models import Tag
from communities.tests.factories import WardFactory

pytestmark = pytest.mark.django_db

OLDHAM = Path(__file__).parent / "data" / "oldham_libraries.csv"
HEADER = "name,category,tags,latitude,longitude,ward,email,website,visibility,status"


def start(officer, text: str, name="assets.csv") -> AssetImport:
    return services.asset_import_start(
        file_name=name, raw=text.encode(), uploaded_by=officer
    )


def run(asset_import) -> AssetImport:
    return services.asset_import_run(asset_import=asset_import)


def test_a_file_in_the_template_layout_imports_every_row(officer):
    ward = WardFactory(name="Matson")
    text = (
        f"{HEADER}\n"
        "Matson Allotments,physical,gardening; food growing,0.5,0.5,,,,,\n"
        "Robinswood Hill,Physical spaces,walking,,,matson,,https://example.org,"
        "staff,closed\n"
    )

    asset_import = run(start(officer, text))

    assert asset_import.status == AssetImport.Status.DONE
    assert asset_import.created_count == 2
    allotments = Asset.objects.get(name="Matson Allotments")
    assert allotments.area == ward  # found from the location
    assert sorted(t.key for t in allotments.tags.all()) == ["food growing", "gardening"]
    assert allotments.mapped_by == officer
    hill = Asset.objects.get(name="Robinswood Hill")
    assert hill.area == ward  # named in the file
    assert hill.visibility == Asset.Visibility.STAFF
    assert hill.status == Asset.Status.CLOSED


def test_the_oldham_libraries_file_imports_cleanly_after_matching_columns(officer):
    WardFactory()  # the factory's wards hold none of Oldham's libraries.
    asset_import = start(officer, OLDHAM.read_text(), name="oldham_libraries.csv")

    assert asset_import.status == AssetImport.Status.MAPPING
    assert asset_import.row_count == 12
    suggested = asset_import.mapping
    assert suggested["latitude"] == "lat"
    assert suggested["longitude"] == "lon"
    assert suggested["category"] == ""

    mapping = {**suggested, "description": "type"}
    services.asset_import_map_columns(
        asset_import=asset_import,
        mapping=mapping,
        default_category=Category.INSTITUTIONS,
    )
    asset_import = run(asset_import)

    assert asset_import.status == AssetImport.Status.DONE, asset_import.errors
    assert Asset.objects.count() == 12
    delph = Asset.objects.get(name="Delph Library")
    assert delph.area is None
    assert delph.category == Category.INSTITUTIONS
    assert delph.postcode == "OL3 5JG"
    assert delph.contact_email == "delph.library@oldham.gov.uk"
    assert delph.description == "Community run library"
    assert (delph.longitude, delph.latitude) == (-2.022852, 53.566674)


ROW_MISTAKES = [
    (",physical,,,,,,,,", "Enter a name."),
    ("Hall,,,,,,,,,", "Enter a category"),
    ("Hall,pub,,,,,,,,", "‘pub’ is not a category"),
    ("Hall,gifts,,,,,,,,", "never imported as named assets"),
    ("Hall,physical,,51.8,,,,,,", "Enter both a latitude and a longitude"),
    ("Hall,physical,,north,-2.2,,,,,", "The latitude ‘north’ is not a number."),
    ("Hall,physical,,95,-2.2,,,,,", "The latitude must be between -90 and 90."),
    ("Hall,physical,,51.8,-200,,,,,", "The longitude must be between -180 and 180"),
    ("Hall,physical,,,,Narnia,,,,", "‘Narnia’ is not one of the council's wards."),
    ("Hall,physical,,,,,not-an-email,,,", "is not an email address"),
    ("Hall,physical,,,,,,www example,,", "is not a web address"),
    ("Hall,physical,,,,,,,secret,", "Visibility must be public or staff"),
    ("Hall,physical,,,,,,,,gone", "Status must be active or closed"),
    ("Hall,physical", "This row has 2 values but the file has 10 columns."),
]


@pytest.mark.parametrize(
    ("bad_row", "message"), ROW_MISTAKES, ids=[m for _, m in ROW_MISTAKES]
)
def test_one_bad_row_means_nothing_is_imported(officer, bad_row, message):
    WardFactory()
    tags_before = Tag.objects.count()
    text = f"{HEADER}\nGood hall,physical,halls,0.5,0.5,,,,,\n{bad_row}\n"

    asset_import = run(start(officer, text))

    assert asset_import.status == AssetImport.Status.FAILED
    assert asset_import.created_count == 0
    assert len(asset_import.errors) == 1
    assert asset_import.errors[0]["row"] == 3
    assert any(message in error for error in asset_import.errors[0]["errors"])
    assert not Asset.objects.exists()
    assert Tag.objects.count() == tags_before


def test_the_report_lists_every_bad_row_with_its_row_number(officer):
    text = f"{HEADER}\nGood,physical,,,,,,,,\n,physical,,,,,,,,\nOk,,,,,,,,,\n\nX,pub,,,,,,,,\n"
    asset_import = run(start(officer, text))
    # A blank line still counts as a row of the file.
    assert [item["row"] for item in asset_import.errors] == [3, 4, 6]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "The selected file is empty."),
        ("name,category\nCaf\xe9,economy\n".encode("latin-1"), "UTF-8"),
        (b"name,category,name\nA,physical,B\n", "repeated: name"),
        (b"name,category\n", "no rows"),
        (b"name,,category\nA,,physical\n", "Every column"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_before_anything(officer, raw, message):
    with pytest.raises(ValidationError, match=message):
        services.asset_import_start(file_name="x.csv", raw=raw, uploaded_by=officer)
    assert not AssetImport.objects.exists()


def test_a_mapping_without_a_name_or_a_category_is_refused(officer):
    asset_import = start(officer, "title,kind\nHall,physical\n")
    with pytest.raises(
        ValidationError, match="Choose the column that holds each asset's name"
    ) as refused:
        services.asset_import_map_columns(
            asset_import=asset_import,
            mapping={"name": "", "category": ""},
            default_category="",
        )
    messages = " ".join(refused.value.messages)
    assert "name" in messages
    assert "category" in messages
    asset_import.refresh_from_db()
    assert asset_import.status == AssetImport.Status.MAPPING


def test_an_import_waiting_for_its_columns_cannot_run(officer):
    asset_import = start(officer, "title\nHall\n")
    with pytest.raises(ValidationError, match="Match the file's columns"):
        run(asset_import)


def test_the_task_is_safe_to_run_twice(officer):
    asset_import = start(officer, f"{HEADER}\nHall,physical,,,,,,,,\n")
    assert tasks.run_asset_import(asset_import.pk) == AssetImport.Status.DONE
    assert tasks.run_asset_import(asset_import.pk) == AssetImport.Status.DONE
    assert Asset.objects.count() == 1
    assert tasks.run_asset_import(999_999) == "missing"


def test_the_template_is_itself_a_file_that_imports(officer):
    asset_import = run(start(officer, importing.template_csv()))
    assert asset_import.status == AssetImport.Status.DONE, asset_import.errors
    asset = Asset.objects.get()
    assert asset.name == "Community Garden"
    assert asset.latitude is None  # no wards loaded: no place to suggest


def test_the_templates_example_is_in_the_councils_own_ward(officer):
    def square(west):
        ring = [[west, 50], [west + 1, 50], [west + 1, 51], [west, 51], [west, 50]]
        return {"type": "Polygon", "coordinates": [ring]}

    WardFactory(name="Ward with less need", imd_decile=8, boundary=square(-3))
    most_deprived = WardFactory(
        name="Ward with most need", imd_decile=1, boundary=square(-1)
    )
    asset_import = run(start(officer, importing.template_csv()))
    assert asset_import.status == AssetImport.Status.DONE, asset_import.errors
    assert Asset.objects.get().area == most_deprived

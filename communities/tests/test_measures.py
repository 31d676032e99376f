"""communities.places: loading a needs measure for each ward from a CSV, with
every mistake reported by row and nothing written unless the whole file is
right; and the places version that keeps a cached ward map current."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from communities import measures as places
from communities.models import Area, WardMeasure, WardMeasureValue

from .factories import WardFactory

pytestmark = pytest.mark.django_db

# A second council's wards, with made-up codes nobody else uses.
CODES = ("E05900001", "E05900002", "E05900003")


@pytest.fixture
def wards():
    return [
        WardFactory(name=name, ons_code=code)
        for name, code in zip(("Almond", "Birch", "Cedar"), CODES, strict=True)
    ]


def load(text, **options):
    return places.load_ward_measure(
        text.encode(),
        name=options.pop("name", "Community Needs Index"),
        source=options.pop("source", "OCSI, 2023"),
        higher_is_more_need=options.pop("higher_is_more_need", True),
        **options,
    )


def stored():
    return {
        (v.measure.name, v.area.ons_code): v.value
        for v in WardMeasureValue.objects.select_related("measure", "area")
    }


# Loading


def test_a_measure_is_loaded_with_its_columns_found_by_their_names(wards):
    report = load(
        "WD19CD,WD19NM,Score\n"
        "E05900001,Almond,101.5\n"
        'E05900002,Birch,"1,234"\n'
        "e05900003,Cedar,87\n"
    )
    assert report.code_column == "WD19CD"
    assert report.value_column == "Score"
    assert (report.rows_read, report.wards_with_value) == (3, 3)
    assert report.wards_without_value == []
    assert not report.replaced
    assert stored() == {
        ("Community Needs Index", "E05900001"): Decimal("101.5"),
        ("Community Needs Index", "E05900002"): Decimal(1234),
        ("Community Needs Index", "E05900003"): Decimal(87),
    }
    measure = WardMeasure.objects.get()
    assert (measure.source, measure.higher_is_more_need) == ("OCSI, 2023", True)
    assert "Every ward has a value." in report.lines()


@pytest.mark.parametrize(
    "header", ["WD23CD", "wd13cd", "Ward code", "ward_code", "code", "Geography code"]
)
def test_the_code_column_is_found_by_any_usual_name(wards, header):
    report = load(f"Ward name,{header},Percent\nAlmond,E05900001,12.5%\n")
    assert report.code_column == header
    assert stored() == {("Community Needs Index", "E05900001"): Decimal("12.5")}


def test_a_code_column_with_another_name_is_found_by_its_codes(wards):
    report = load("Where,Value\nE05900001,3\nE05900002,4\n")
    assert (report.code_column, report.value_column) == ("Where", "Value")


def test_wards_without_a_value_are_reported(wards):
    report = load("WD23CD,Score\nE05900002,4\n")
    assert report.wards_without_value == ["Almond", "Cedar"]
    assert "2 wards have no value: Almond, Cedar." in report.lines()


def test_columns_can_be_named_when_the_file_has_more_than_one_of_numbers(wards):
    text = "code,Score,Rank\nE05900001,101.5,3\nE05900002,99,7\n"
    with pytest.raises(
        ValidationError, match=r"more than one column of numbers \(Score, Rank\)"
    ):
        load(text)
    assert not WardMeasure.objects.exists()
    report = load(text, value_column="rank")
    assert report.value_column == "Rank"
    assert stored()[("Community Needs Index", "E05900001")] == Decimal(3)


def test_a_named_column_must_exist(wards):
    with pytest.raises(ValidationError, match="no column called Score for the values"):
        load("code,Value\nE05900001,1\n", value_column="Score")
    with pytest.raises(
        ValidationError, match="no column called Area for the ward codes"
    ):
        load("code,Value\nE05900001,1\n", code_column="Area")


def test_rows_from_python_are_read_as_well_as_files(wards):
    report = places.load_ward_measure(
        [["WD23CD", "People"], ["E05900001", 1200], ["E05900002", 980]],
        name="Residents aged 65 and over",
        source="Census 2021, TS007",
        higher_is_more_need=True,
        unit="people",
    )
    assert report.wards_with_value == 2
    assert WardMeasure.objects.get().heading == "Residents aged 65 and over (people)"


def test_loading_the_same_name_again_replaces_its_values(wards):
    load("code,Score\nE05900001,1\nE05900002,2\n")
    report = load(
        "code,Score\nE05900003,30\n",
        name="community needs index",
        source="OCSI, 2024",
        higher_is_more_need=False,
    )
    assert report.replaced
    assert "The values loaded before under this name are replaced." in report.lines()
    assert stored() == {("community needs index", "E05900003"): Decimal(30)}
    measure = WardMeasure.objects.get()
    assert (measure.source, measure.higher_is_more_need) == ("OCSI, 2024", False)


def test_loading_the_same_file_twice_changes_nothing_but_the_date(wards):
    text = "code,Score\nE05900001,1\nE05900002,2\n"
    load(text)
    first = stored()
    load(text)
    assert stored() == first
    assert WardMeasure.objects.count() == 1


def test_another_measure_keeps_its_own_values(wards):
    load("code,Score\nE05900001,1\n")
    load("code,People\nE05900001,500\n", name="Older residents")
    assert len(stored()) == 2


# Refusals: each listed by row, and nothing written


def refused(text, **options) -> list[str]:
    load("code,Score\nE05900001,5\n", name="Already loaded")
    before = stored()
    with pytest.raises(ValidationError, match="Nothing was loaded") as caught:
        load(text, **options)
    assert stored() == before
    assert WardMeasure.objects.count() == 1
    return caught.value.messages


def test_unknown_ward_codes_are_refused_by_row(wards):
    messages = refused("code,Score\nE05900001,1\nE05999999,2\n")
    assert messages[0] == "Row 3: E05999999 is not the code of a ward loaded here."


def test_duplicate_ward_codes_are_refused_by_row(wards):
    messages = refused("code,Score\nE05900001,1\nE05900002,2\nE05900001,3\n")
    assert messages[0] == "Row 4: E05900001 appears again (first in row 2)."


def test_values_that_are_not_numbers_are_refused_by_row(wards):
    messages = refused(
        "code,Score\nE05900001,1\nE05900002,n/a\nE05900003,NaN\n", value_column="Score"
    )
    assert messages[:2] == [
        "Row 3: n/a is not a number.",
        "Row 4: NaN is not a number.",
    ]


def test_blank_values_and_codes_are_refused_by_row(wards):
    messages = refused(
        "code,Score\nE05900001,\n,4\nE05900002,2\n", value_column="Score"
    )
    assert messages[:2] == [
        "Row 2: the value is blank.",
        "Row 3: the ward code is blank.",
    ]


def test_a_row_with_several_mistakes_lists_them_all(wards):
    messages = refused("code,Score\nE05999999,x\nE05900001,1\n", value_column="Score")
    assert messages[0] == (
        "Row 2: E05999999 is not the code of a ward loaded here; x is not a number."
    )


def test_a_value_too_large_to_keep_is_refused(wards):
    messages = refused("code,Score\nE05900001,1e20\n")
    assert messages[0] == "Row 2: 1e20 is too large."


def test_the_row_list_stops_at_a_hundred(wards):
    rows = "".join(f"E0599{n:04d},1\n" for n in range(150))
    messages = refused("code,Score\n" + rows)
    assert len(messages) == places.MAX_ROW_ERRORS + 1
    assert messages[-1] == "And 50 more rows have mistakes. Nothing was loaded."


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "must start with a row of column names"),
        (b"code,Score\n", "column names but no rows"),
        (b"\xff\xfe\x00junk", "saved as UTF-8"),
        (b"code,Score\nE05900001,1\x00\n", "holds binary data"),
        (b"Name,Notes\nAlmond,big\n", "No column of ward codes was found"),
        (b"code,Name,Notes\nE05900001,Almond,big\n", "No column of numbers was found"),
        (
            b"WD19CD,WD23CD,Score\nE05900001,E05900001,1\n",
            "more than one column of ward codes",
        ),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_a_reason(wards, raw, message):
    with pytest.raises(ValidationError, match=message):
        places.load_ward_measure(
            raw, name="Index", source="Somewhere", higher_is_more_need=True
        )
    assert not WardMeasure.objects.exists()


def test_the_same_column_cannot_hold_codes_and_values(wards):
    with pytest.raises(ValidationError, match="must be in different columns"):
        load("code,Score\nE05900001,1\n", code_column="code", value_column="code")


def test_a_name_and_a_source_are_needed(wards):
    with pytest.raises(ValidationError) as caught:
        load("code,Score\nE05900001,1\n", name="  ", source="")
    assert caught.value.message_dict == {
        "name": ["Enter the measure's name."],
        "source": ["Enter where the figures come from."],
    }
    assert not WardMeasure.objects.exists()


def test_no_measure_can_be_loaded_before_the_wards():
    with pytest.raises(ValidationError, match="load the ward boundaries first"):
        load("code,Score\nE05900001,1\n")


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(raw=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_any_bytes_are_loaded_or_refused_with_a_reason(wards, raw):
    """Never anything but a load or a ValidationError with a message, and a
    refusal writes nothing."""
    messages = []
    try:
        places.load_ward_measure(
            raw, name="Anything", source="Anywhere", higher_is_more_need=True
        )
    except ValidationError as error:
        messages = error.messages
    loaded = WardMeasure.objects.filter(name="Anything").exists()
    assert loaded != bool(messages)
    WardMeasure.objects.all().delete()


# The places version


def test_loading_a_measure_moves_the_places_version(
    wards, django_capture_on_commit_callbacks
):
    before = places.places_version()
    assert places.places_version() == before
    with django_capture_on_commit_callbacks(execute=True):
        load("code,Score\nE05900001,1\n")
    assert places.places_version() != before


def test_a_refused_file_leaves_the_places_version_alone(
    wards, django_capture_on_commit_callbacks
):
    before = places.places_version()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValidationError, match="Row 2"),
    ):
        load("code,Score\nE05999999,1\n")
    assert callbacks == []
    assert places.places_version() == before


def test_the_extent_of_the_wards_is_the_box_around_their_boundaries():
    WardFactory(
        boundary={
            "type": "Polygon",
            "coordinates": [[[-2.0, 53.5], [-1.9, 53.5], [-1.9, 53.6], [-2.0, 53.5]]],
        }
    )
    WardFactory(
        boundary={
            "type": "Polygon",
            "coordinates": [[[-2.2, 53.4], [-2.1, 53.4], [-2.1, 53.45], [-2.2, 53.4]]],
        }
    )
    WardFactory(boundary=None)
    assert Area.objects.wards().extent() == (-2.2, 53.4, -1.9, 53.6)
    Area.objects.all().delete()
    assert Area.objects.wards().extent() is None

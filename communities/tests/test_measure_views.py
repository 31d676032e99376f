"""The officer's needs measure pages: the list of measures loaded, and the
upload that loads one (junk thrown at it never breaks it)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from communities import measures as places
from communities.models import WardMeasure, WardMeasureValue
from core.roles import Role

from .factories import WardFactory

pytestmark = pytest.mark.django_db

LIST = "/communities/places/measures/"
LOAD = "/communities/places/measures/load/"


@pytest.fixture
def wards():
    return [
        WardFactory(name="Almond", ons_code="E05900001"),
        WardFactory(name="Birch", ons_code="E05900002"),
    ]


def upload(content: bytes, name="needs.csv"):
    return SimpleUploadedFile(name, content, content_type="text/csv")


def form(content: bytes, **fields):
    return {
        "file": upload(content, fields.pop("file_name", "needs.csv")),
        "name": "Community Needs Index",
        "source": "OCSI, 2023",
        "higher_is_more_need": "true",
        **fields,
    }


def test_the_pages_are_where_the_places_hub_links_to_them():
    assert reverse("communities:measures") == LIST
    assert reverse("communities:measure_load") == LOAD


@pytest.mark.parametrize("role", [Role.BUILDER, Role.PANEL, Role.CABINET])
def test_only_officers_may_load_measures(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get(LIST).status_code == 403
    assert client.get(LOAD).status_code == 403
    assert client.post(LOAD, {}).status_code == 403


def test_an_officer_loads_a_measure_and_sees_it_listed(client, officer, wards):
    client.force_login(officer)
    assert client.get(LOAD).status_code == 200
    response = client.post(
        LOAD,
        form(b"WD23CD,Score\nE05900001,101.5\n", unit="score"),
        follow=True,
    )
    assert response.redirect_chain == [(LIST, 302)]
    text = response.content.decode()
    assert "Community Needs Index: 1 row read" in text
    assert "1 ward has no value: Birch." in text
    assert "Community Needs Index (score)" in text
    assert "OCSI, 2023" in text
    measure = WardMeasure.objects.get()
    assert measure.higher_is_more_need is True
    assert [v.shown for v in measure.values.all()] == ["101.5"]


def test_lower_values_can_mean_more_need(client, officer, wards):
    client.force_login(officer)
    client.post(LOAD, form(b"code,Score\nE05900001,1\n", higher_is_more_need="false"))
    assert WardMeasure.objects.get().higher_is_more_need is False


def test_a_file_with_mistakes_is_shown_again_row_by_row(client, officer, wards):
    client.force_login(officer)
    response = client.post(LOAD, form(b"code,Score\nE05900001,1\nE05999999,2\n"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "There is a problem" in text
    assert "Row 3: E05999999 is not the code of a ward loaded here." in text
    assert response.context["form"].errors["file"]
    assert not WardMeasure.objects.exists()


def test_a_file_that_is_not_a_csv_is_refused(client, officer, wards):
    client.force_login(officer)
    response = client.post(LOAD, form(b"%PDF-1.7", file_name="needs.pdf"))
    assert "The selected file must be a CSV." in response.content.decode()
    assert not WardMeasure.objects.exists()


def test_a_second_column_of_numbers_is_named_on_the_form(client, officer, wards):
    client.force_login(officer)
    raw = b"code,Score,Rank\nE05900001,101.5,3\n"
    response = client.post(LOAD, form(raw))
    assert "more than one column of numbers (Score, Rank)" in response.content.decode()
    client.post(LOAD, form(raw, value_column="Rank"))
    assert [v.shown for v in WardMeasureValue.objects.all()] == ["3"]


def test_the_list_says_when_nothing_is_loaded(client, officer):
    client.force_login(officer)
    assert "No measures are loaded yet." in client.get(LIST).content.decode()


cells = st.one_of(
    st.sampled_from(["E05900001", "E05900002", "E05999999", "", "1.5", "x", "1e400"]),
    st.text(max_size=12),
)
headers = st.lists(
    st.sampled_from(["code", "WD23CD", "Ward code", "Score", "Rank", "", "x"]),
    min_size=1,
    max_size=4,
)
junk_csv = st.tuples(
    headers, st.lists(st.lists(cells, min_size=1, max_size=4), max_size=6)
).map(lambda file: "\n".join(",".join(row) for row in [file[0], *file[1]]).encode())


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    raw=st.binary(max_size=200) | junk_csv,
    name=st.text(max_size=150),
    value_column=st.text(max_size=20),
    direction=st.sampled_from(["true", "false", "", "maybe"]),
)
def test_junk_uploads_never_break_the_page(
    client, officer, wards, raw, name, value_column, direction
):
    client.force_login(officer)
    before = list(
        WardMeasureValue.objects.values_list("measure__name", "area", "value")
    )
    response = client.post(
        LOAD,
        form(raw, name=name, value_column=value_column, higher_is_more_need=direction),
    )
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert response.context["form"].errors
        after = WardMeasureValue.objects.values_list("measure__name", "area", "value")
        assert list(after) == before
    WardMeasure.objects.all().delete()


def test_the_command_and_the_page_load_the_same_way(client, officer, wards):
    raw = b"WD23CD,Score\nE05900001,7\nE05900002,8\n"
    places.load_ward_measure(
        raw, name="From the command", source="S", higher_is_more_need=True
    )
    client.force_login(officer)
    client.post(LOAD, form(raw, name="From the page"))
    by_name = {
        m.name: sorted(v.value for v in m.values.all())
        for m in WardMeasure.objects.all()
    }
    assert by_name["From the command"] == by_name["From the page"]

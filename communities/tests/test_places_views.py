"""The officers' places pages: load wards and deprivation by upload, follow
the load, read the report; nobody else may."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from communities.models import Area, PlacesUpload
from core.roles import Role

from .test_places import RANKS, TOTAL, file_1, lsoas_2021, wards_2023

pytestmark = pytest.mark.django_db


def upload(name: str, text: str | bytes) -> SimpleUploadedFile:
    raw = text.encode() if isinstance(text, str) else text
    return SimpleUploadedFile(name, raw)


def test_only_officers_reach_the_places_pages(client, make_user):
    for role in (Role.BUILDER, Role.PANEL, Role.CABINET):
        client.force_login(make_user(role))
        for path in (
            "/communities/places/",
            "/communities/places/wards/",
            "/communities/places/deprivation/",
        ):
            assert client.get(path).status_code == 403, (role, path)


def test_an_officer_loads_wards_then_deprivation_and_reads_each_report(
    client, officer, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    page = client.get("/communities/places/")
    assert "None loaded yet." in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/communities/places/wards/",
            {"file": upload("wards.geojson", wards_2023())},
        )
    loaded = PlacesUpload.objects.get()
    assert response.url == f"/communities/places/uploads/{loaded.pk}/"
    report = client.get(response.url).content.decode()
    assert "Ward boundaries loaded" in report
    assert "Codes read from the property WD23CD." in report
    assert "4 wards added, 0 updated, 0 unchanged." in report
    assert Area.objects.current().count() == 4
    loaded.refresh_from_db()
    assert loaded.content == ""  # the file is not kept once loaded

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/communities/places/deprivation/",
            {
                "lsoas": upload("lsoas.geojson", lsoas_2021()),
                "ranks": upload("File_1.csv", file_1(RANKS, TOTAL)),
            },
        )
    assert (
        "deprivation worked out for 3 wards"
        in client.get(response.url).content.decode()
    )

    page = client.get("/communities/places/").content.decode()
    assert "4 wards, boundaries of 2023." in page
    assert "English Indices of Deprivation 2025" in page
    assert "1 is the most deprived tenth" in page
    assert "2 of 4" in page  # ward 1: two of its four LSOAs in the most deprived 10%

    status = client.get(f"/communities/places/uploads/{loaded.pk}/status.json").json()
    assert status["finished"] and status["state"] == "done"
    assert status["percent"] == 100


def test_a_bad_file_shows_what_to_fix_and_changes_nothing(
    client, officer, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/communities/places/wards/",
            {"file": upload("wards.geojson", wards_2023({1: {"WD23CD": "E05900001"}}))},
        )
    page = client.get(response.url).content.decode()
    assert "Nothing was loaded" in page
    assert "the code E05900001 is also feature 1&#x27;s" in page
    assert not Area.objects.exists()


def test_the_form_refuses_wrong_kinds_of_file_at_the_edge(client, officer):
    client.force_login(officer)
    response = client.post(
        "/communities/places/wards/", {"file": upload("wards.csv", "a,b\n")}
    )
    assert response.status_code == 200
    assert "The selected file must be GeoJSON" in response.content.decode()
    response = client.post(
        "/communities/places/wards/",
        {"file": upload("wards.geojson", b"\xff\xfe\x00\x81")},
    )
    assert response.status_code == 200
    assert not PlacesUpload.objects.exists()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    raw=st.binary(max_size=300),
    name=st.sampled_from(["w.geojson", "w.json", "w.csv", "w"]),
    vintage=st.one_of(st.none(), st.text(max_size=6)),
    prop=st.text(max_size=70),
)
def test_any_upload_gets_a_page_never_a_server_error(
    client, officer, django_capture_on_commit_callbacks, raw, name, vintage, prop
):
    client.force_login(officer)
    data = {"file": upload(name, raw), "code_property": prop}
    if vintage is not None:
        data["vintage"] = vintage
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/communities/places/wards/", data)
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert client.get(response.url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/communities/places/deprivation/",
            {
                "lsoas": upload("l.geojson", raw),
                "ranks": upload("r.csv", raw),
                "lsoas_in_england": prop[:6],
            },
        )
    assert response.status_code in (200, 302)

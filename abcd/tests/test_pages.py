import pytest
from django.conf import settings
from django.test import Client, override_settings

from core.roles import Role

pytestmark = pytest.mark.django_db

HOMES = {
    Role.OFFICER: "/evaluation/dashboard/",
    Role.BUILDER: "/communities/my-work/",
    Role.PANEL: "/grants/review/",
    Role.CABINET: "/evaluation/reports/",
}
STAFF_PAGES = list(HOMES.values())


def test_the_public_home_page_explains_the_programme(client):
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert settings.COUNCIL_NAME in body
    assert "what is strong" in body
    assert "govuk-generic-header" in body
    # The council's own header: no GOV.UK crown, no GDS Transport font.
    assert "govuk-logo" not in body
    assert "GDS Transport" not in body


def test_the_accessibility_statement_is_public(client):
    response = client.get("/accessibility/")
    assert response.status_code == 200
    assert "WCAG" in response.content.decode() or "2.2 AA" in response.content.decode()


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_every_staff_page_needs_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/sign-in/?next={path}"


@pytest.mark.parametrize("role", list(Role))
def test_each_role_lands_on_its_own_home_page(client, make_user, role):
    client.force_login(make_user(role))
    response = client.get("/home/")
    assert response.status_code == 302
    assert response["Location"] == HOMES[role]
    assert client.get(HOMES[role]).status_code == 200


ALLOWED = {
    Role.OFFICER: set(STAFF_PAGES),
    Role.BUILDER: {"/communities/my-work/"},
    Role.PANEL: {"/grants/review/"},
    Role.CABINET: {"/evaluation/reports/"},
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("path", STAFF_PAGES)
def test_a_role_sees_only_the_pages_it_is_allowed(client, make_user, role, path):
    client.force_login(make_user(role))
    expected = 200 if path in ALLOWED[role] else 403
    assert client.get(path).status_code == expected


def test_a_signed_in_person_without_a_role_is_told_so(client, make_user):
    client.force_login(make_user(None))
    response = client.get("/home/")
    assert response.status_code == 403
    assert "no role yet" in response.content.decode()
    assert client.get("/evaluation/dashboard/").status_code == 403


def test_navigation_is_per_role(client, make_user):
    client.force_login(make_user(Role.BUILDER))
    body = client.get("/communities/my-work/").content.decode()
    assert 'href="/communities/my-work/"' in body
    assert 'href="/evaluation/dashboard/"' not in body

    client.force_login(make_user(Role.OFFICER))
    body = client.get("/evaluation/dashboard/").content.decode()
    assert 'href="/evaluation/reports/"' in body
    assert 'aria-current="page"' in body


def test_sign_out_is_a_post_and_ends_the_session(client, make_user):
    client.force_login(make_user(Role.OFFICER))
    assert client.get("/sign-out/").status_code == 405
    response = client.post("/sign-out/")
    assert response.status_code == 302
    assert client.get("/evaluation/dashboard/").status_code == 302


def test_an_unknown_page_gets_the_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_a_failing_page_gets_the_500_page(make_user):
    client = Client(raise_request_exception=False)
    with override_settings(ROOT_URLCONF="abcd.tests.failing_urls"):
        response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Sorry, there is a problem with the service" in body
    assert settings.COUNCIL_NAME in body

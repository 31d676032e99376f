import pytest
from django.conf import settings
from playwright.sync_api import expect

from core.roles import Role

from .conftest import AccessibilityError, check_accessibility, fits_a_phone, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

HOMES = [
    (Role.OFFICER, "/evaluation/dashboard/", "Programme dashboard"),
    (Role.BUILDER, "/communities/my-work/", "My work"),
    (Role.PANEL, "/grants/review/", "Applications to review"),
    (Role.CABINET, "/evaluation/reports/", "Reports"),
]


@pytest.mark.parametrize(
    ("role", "path", "heading"), HOMES, ids=[h[0].value for h in HOMES]
)
def test_each_role_signs_in_lands_on_its_home_and_signs_out(
    page, live_server, make_user, role, path, heading
):
    make_user(role, username=f"{role.value}-person")

    page.goto(live_server.url + "/")
    page.axe()
    page.get_by_role("link", name="Sign in").first.click()
    sign_in(page, live_server, f"{role.value}-person")

    expect(page).to_have_url(live_server.url + path)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    page.axe()

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("link", name="Sign in").first).to_be_visible()
    page.axe()

    page.goto(live_server.url + path)
    expect(page).to_have_url(f"{live_server.url}/sign-in/?next={path}")
    page.axe()


def test_a_wrong_password_shows_the_error_summary(page, live_server, make_user):
    make_user(Role.OFFICER, username="olivia")
    sign_in(page, live_server, "olivia", password="not the password")

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Enter a correct username and password")
    expect(page).to_have_title(
        f"Error: Sign in – Community Building – {settings.COUNCIL_NAME}"
    )
    page.axe()


def test_a_builder_on_a_phone_can_open_the_menu(phone_page, live_server, make_user):
    make_user(Role.BUILDER, username="ben")
    sign_in(phone_page, live_server, "ben")
    expect(phone_page.get_by_role("heading", level=1)).to_have_text("My work")
    phone_page.axe()
    # The page fits a 375 px screen without sideways scrolling.
    fits_a_phone(phone_page)


def test_public_pages_are_accessible(page, live_server):
    for path in ("/", "/accessibility/", "/no-such-page/"):
        page.goto(live_server.url + path)
        page.axe()
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")


def test_the_axe_helper_reports_violations(page):
    """The harness itself: a page with known failures must not pass."""
    page.set_content('<html><body><img src="x.png"><a href="#"></a></body></html>')
    with pytest.raises(AccessibilityError, match=r"axe violation\(s\) on") as failure:
        check_accessibility(page)
    assert "image-alt" in str(failure.value)
    assert "html-has-lang" in str(failure.value)

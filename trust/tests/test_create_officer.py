"""create_officer and the set-password page its link opens: the first
officer of a new install, with no password until they choose one."""

import io
import re
import time

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from communities.models import User
from core.roles import Role, roles_of
from trust import services

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https://abcd\.council\.example(/trust/set-password/\S+/\S+/)")
GOOD_PASSWORD = "heron kettle orbit lantern"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "https://abcd.council.example/"


def create_officer(*args) -> str:
    out = io.StringIO()
    call_command("create_officer", *args, stdout=out)
    return out.getvalue()


def link_of(output: str) -> str:
    found = LINK.search(output)
    assert found, output
    return found.group(1)


def test_the_command_makes_an_officer_with_no_password_and_prints_a_link():
    output = create_officer(
        "jo", "--email", " Jo.Bloggs@COUNCIL.example ", "--first-name", "Jo",
        "--last-name", "Bloggs",
    )  # fmt: skip

    user = User.objects.get(username="jo")
    assert roles_of(user) == {Role.OFFICER}
    assert user.is_staff and not user.is_superuser
    assert not user.has_usable_password()
    assert user.email == "Jo.Bloggs@council.example"
    assert user.get_full_name() == "Jo Bloggs"
    assert output.startswith(
        'Made the officer account "jo" for Jo Bloggs (Jo.Bloggs@council.example)'
    )
    assert "It works once, for 3 days:" in output
    # Built from SITE_URL, with no doubled slash.
    assert f"https://abcd.council.example{link_of(output)}" in output
    assert "https://abcd.council.example/sign-in/" in output


def test_the_officer_reaches_every_page_the_readme_sets_up_with(client):
    create_officer("jo", "--email", "jo@council.example")
    client.force_login(User.objects.get(username="jo"))
    for path in (
        "/admin/communities/organisation/add/",
        "/admin/communities/user/add/",
        "/admin/communities/site/add/",
        reverse("communities:site-list"),
        reverse("grants:fund-new"),
    ):
        assert client.get(path).status_code == 200, path


def test_production_mentions_the_second_factor(settings):
    settings.OFFICER_2FA_REQUIRED = True
    output = create_officer("jo", "--email", "jo@council.example")
    assert "set up two-factor sign-in" in output


@pytest.mark.parametrize(
    ("username", "email", "message"),
    [
        ("JO", "new@council.example", 'an account with the username "jo"'),
        ("sam", "JO@Council.Example", 'already the email address of the account "jo"'),
        ("two words", "sam@council.example", "letters, digits and @ . \\+ - or _"),
        ("sam", "not an address", "Enter an email address like name@example.org"),
        ("  ", "sam@council.example", "Enter a username"),
        ("s" * 151, "sam@council.example", "150 characters or fewer"),
    ],
)
def test_the_command_refuses_what_is_taken_or_wrong_and_writes_nothing(
    make_user, username, email, message
):
    make_user(username="jo", email="jo@council.example")
    before = list(User.objects.values().order_by("pk"))

    with pytest.raises(CommandError, match=f"No account was made:\n.*{message}"):
        create_officer(username, "--email", email)

    assert list(User.objects.values().order_by("pk")) == before


def test_a_name_too_long_is_refused():
    with pytest.raises(CommandError, match="A name must be 150 characters or fewer"):
        create_officer("sam", "--email", "s@c.example", "--first-name", "x" * 151)
    assert not User.objects.exists()


def test_without_the_officer_group_nothing_is_made():
    Group.objects.filter(name=Role.OFFICER.label).delete()
    with pytest.raises(CommandError, match="run python manage.py migrate first"):
        create_officer("sam", "--email", "sam@council.example")
    assert not User.objects.exists()


def set_password(client, link: str, password: str, again: str | None = None):
    """Open the link, then send the form the page it leads to shows."""
    opened = client.get(link)
    assert opened.status_code == 302  # the token moves into the session
    form_url = opened.url
    assert "/set-password/" in form_url and link not in form_url
    return client.post(
        form_url,
        {"new_password1": password, "new_password2": password if again is None else again},
    )  # fmt: skip


def test_the_link_sets_the_password_once_then_sends_the_officer_to_sign_in(client):
    link = link_of(create_officer("jo", "--email", "jo@council.example"))

    page = client.get(link, follow=True)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Set your password" in text and "<strong>jo</strong>" in text

    done = set_password(client, link, GOOD_PASSWORD)
    assert done.status_code == 302 and done.url == reverse("login")
    assert User.objects.get(username="jo").check_password(GOOD_PASSWORD)
    sign_in = client.get(done.url)
    assert "Your password is set" in sign_in.content.decode()

    # Used once: the same link now only says so, and changes nothing.
    again = client.get(link, follow=True)
    assert "This link does not work" in again.content.decode()
    assert "<form" not in again.content.decode().split("<main", 1)[1]
    signed_in = client.post(
        reverse("login"), {"username": "jo", "password": GOOD_PASSWORD}
    )
    assert signed_in.status_code == 302 and signed_in.url == reverse("role-home")


def test_a_second_use_cannot_set_another_password(client):
    link = link_of(create_officer("jo", "--email", "jo@council.example"))
    opened = client.get(link)
    form_url = opened.url
    client.post(
        form_url, {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD}
    )

    # Someone who kept the link (another browser) tries it after.
    other = client.__class__()
    assert other.get(link).status_code == 200
    answer = other.post(
        form_url, {"new_password1": "x" * 20, "new_password2": "x" * 20}
    )
    assert "This link does not work" in answer.content.decode()
    assert User.objects.get(username="jo").check_password(GOOD_PASSWORD)


def test_an_expired_link_is_refused(client, settings):
    settings.PASSWORD_RESET_TIMEOUT = 1
    link = link_of(create_officer("jo", "--email", "jo@council.example"))
    time.sleep(2.1)  # token timestamps are in whole seconds

    page = client.get(link, follow=True)
    assert page.status_code == 200
    assert "This link does not work" in page.content.decode()
    assert "has expired" in page.content.decode()
    assert not User.objects.get(username="jo").has_usable_password()


def test_a_link_for_another_password_hash_does_not_work(client):
    link = link_of(create_officer("jo", "--email", "jo@council.example"))
    user = User.objects.get(username="jo")
    user.set_password(GOOD_PASSWORD)  # set meanwhile, by other means
    user.save()
    assert "This link does not work" in client.get(link, follow=True).content.decode()


@pytest.mark.parametrize(
    ("password", "again", "message"),
    [
        ("short", "short", "at least 12 characters"),
        ("password1234", "password1234", "too common"),
        (GOOD_PASSWORD, GOOD_PASSWORD + "x", "The two passwords are not the same"),
        ("", "", "Enter a new password"),
    ],
)
def test_a_refused_password_says_why_and_changes_nothing(
    client, password, again, message
):
    link = link_of(create_officer("jo", "--email", "jo@council.example"))
    answer = set_password(client, link, password, again)
    assert answer.status_code == 200
    text = answer.content.decode()
    assert "govuk-error-summary" in text and message in text
    assert not User.objects.get(username="jo").has_usable_password()


junk = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["", " ", "\x00", "a" * 5000, "🙂" * 20, "\ud7ff", GOOD_PASSWORD]),
)


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(first=junk, second=junk, same=st.booleans())
def test_no_set_password_post_is_a_server_error(client, first, second, same):
    user, _ = User.objects.get_or_create(username="jo", email="jo@council.example")
    user.set_unusable_password()
    user.save()
    link = services.set_password_link(user=user).removeprefix(
        "https://abcd.council.example"
    )
    form_url = client.get(link).url
    answer = client.post(
        form_url, {"new_password1": first, "new_password2": first if same else second}
    )
    assert answer.status_code in (200, 302)
    user.refresh_from_db()
    if answer.status_code == 200:
        assert not user.has_usable_password()

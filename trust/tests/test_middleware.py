"""trust.middleware on its own: which requests an officer without a second
factor may make, what the audit context carries, and which responses log
that a resident's record was opened."""

import json
from urllib.parse import parse_qs, urlsplit

import django_otp
import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.urls import resolve, reverse
from django_otp.middleware import OTPMiddleware
from django_otp.plugins.otp_totp.models import TOTPDevice

from communities.models import Resident
from communities.tests.factories import ResidentFactory
from core.roles import Role
from trust.middleware import AuditContextMiddleware, OfficerTwoFactorMiddleware
from trust.models import RecordAccess, event_model

pytestmark = pytest.mark.django_db


def as_signed_in(request, user, *, verified=False):
    """The request as the middleware before ours leave it: a session, the
    user, and django-otp's ``is_verified()``."""
    SessionMiddleware(lambda r: None).process_request(request)
    request.user = user
    OTPMiddleware(lambda r: None)(request)
    if verified:
        device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
        django_otp.login(request, device)
    return request


def two_factor_check(request):
    """What OfficerTwoFactorMiddleware does with the request's view."""
    match = resolve(request.path)
    request.resolver_match = match
    middleware = OfficerTwoFactorMiddleware(lambda r: HttpResponse())
    return middleware.process_view(request, match.func, match.args, match.kwargs)


@pytest.fixture
def two_factor_required(settings):
    settings.OFFICER_2FA_REQUIRED = True


# Two-factor sign-in for officers


def test_an_officer_without_a_second_factor_is_sent_to_set_one_up(
    rf, officer, two_factor_required
):
    request = as_signed_in(rf.get("/communities/residents/?q=Gwen&page=2"), officer)
    response = two_factor_check(request)
    assert response.status_code == 302
    location = urlsplit(response.url)
    assert location.path == reverse("trust:two-factor")
    # They come back to the page they asked for, query and all.
    assert parse_qs(location.query) == {
        "next": ["/communities/residents/?q=Gwen&page=2"]
    }


def test_an_officer_with_a_verified_second_factor_passes(
    rf, officer, two_factor_required
):
    request = as_signed_in(rf.get("/communities/residents/"), officer, verified=True)
    assert two_factor_check(request) is None


def test_with_the_setting_off_an_officer_passes_on_a_password_alone(
    rf, officer, settings
):
    settings.OFFICER_2FA_REQUIRED = False
    request = as_signed_in(rf.get("/communities/residents/"), officer)
    assert two_factor_check(request) is None


def test_an_officer_who_holds_another_role_too_is_still_asked(
    rf, make_user, two_factor_required
):
    both = make_user(Role.BUILDER, username="both")
    make_user(Role.OFFICER, username="both")  # the same user, a second role
    request = as_signed_in(rf.get("/communities/residents/"), both)
    assert two_factor_check(request).status_code == 302


@pytest.mark.parametrize("role", [Role.BUILDER, Role.PANEL, Role.CABINET, None])
def test_no_other_role_is_asked_for_a_second_factor(
    rf, make_user, two_factor_required, role
):
    user = make_user(role, username="someone")
    request = as_signed_in(rf.get("/communities/residents/"), user)
    assert two_factor_check(request) is None


def test_an_anonymous_visitor_is_left_to_the_sign_in_rules(rf, two_factor_required):
    request = as_signed_in(rf.get("/communities/residents/"), AnonymousUser())
    assert two_factor_check(request) is None


@pytest.mark.parametrize("name", ["trust:two-factor", "logout"])
def test_the_two_factor_page_and_signing_out_stay_open(
    rf, officer, two_factor_required, name
):
    request = as_signed_in(rf.post(reverse(name)), officer)
    assert two_factor_check(request) is None


def test_public_pages_stay_open(rf, officer, two_factor_required):
    request = as_signed_in(rf.get(reverse("trust:privacy")), officer)
    assert two_factor_check(request) is None


def test_the_phones_outbox_is_answered_in_json_not_sent_to_a_page(
    rf, officer, two_factor_required
):
    request = as_signed_in(
        rf.put(
            reverse(
                "communities:sync-item", args=["6f1c1f9e-3d5e-4a47-9a35-1a2b3c4d5e6f"]
            ),
            "{}",
            content_type="application/json",
        ),
        officer,
    )
    response = two_factor_check(request)
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {
        "error": "two-factor",
        "message": "Sign in with your code first.",
    }


# Who made each change


def test_the_audit_context_names_the_signed_in_user_and_the_page(rf, builder):
    request = rf.post("/communities/residents/7/edit/")
    request.user = builder
    context = AuditContextMiddleware(lambda r: HttpResponse()).get_context(request)
    assert context == {
        "user": builder.pk,
        "url": "/communities/residents/7/edit/",
        "username": "builder",
    }


def test_an_anonymous_change_carries_no_username(rf):
    request = rf.post("/grants/apply/")
    request.user = AnonymousUser()
    context = AuditContextMiddleware(lambda r: HttpResponse()).get_context(request)
    assert context == {"user": None, "url": "/grants/apply/"}


def test_a_change_made_during_the_request_is_stamped_with_that_context(rf, builder):
    resident = ResidentFactory(first_name="Gwen")
    path = reverse("communities:resident-edit", args=[resident.pk])

    def view(request):
        Resident.objects.filter(pk=resident.pk).update(first_name="Gwendolen")
        return HttpResponse()

    request = rf.post(path)
    request.user = builder
    AuditContextMiddleware(view)(request)
    update = event_model("Resident").objects.get(
        pgh_obj_id=resident.pk, pgh_label="update"
    )
    assert update.first_name == "Gwendolen"
    assert update.pgh_context.metadata["username"] == "builder"
    assert update.pgh_context.metadata["url"] == path


# Who opened a resident's record


def answered(request, user, status=200):
    """Send the request through AuditContextMiddleware to a view that answers
    with ``status``, resolved as Django's handler resolves it."""

    def view(request):
        request.resolver_match = resolve(request.path)
        return HttpResponse(status=status)

    request.user = user
    return AuditContextMiddleware(view)(request)


@pytest.mark.parametrize(
    ("name", "action"),
    [
        ("communities:resident-detail", RecordAccess.Action.VIEWED),
        ("communities:resident-edit", RecordAccess.Action.EDIT_OPENED),
    ],
)
def test_opening_a_residents_record_is_logged(rf, builder, name, action):
    resident = ResidentFactory()
    path = reverse(name, args=[resident.pk])
    answered(rf.get(path), builder)
    entry = RecordAccess.objects.get()
    assert (entry.resident_id, entry.user, entry.action, entry.path) == (
        resident.pk,
        builder,
        action,
        path,
    )


def test_a_record_refused_or_not_found_is_not_logged(rf, builder):
    resident = ResidentFactory()
    path = reverse("communities:resident-detail", args=[resident.pk])
    for status in (302, 403, 404):
        answered(rf.get(path), builder, status=status)
    assert not RecordAccess.objects.exists()


def test_sending_the_edit_form_is_not_logged_as_opening_it(rf, builder):
    resident = ResidentFactory()
    answered(rf.post(reverse("communities:resident-edit", args=[resident.pk])), builder)
    assert not RecordAccess.objects.exists()


def test_other_pages_and_anonymous_visitors_are_not_logged(rf, builder):
    resident = ResidentFactory()
    answered(rf.get(reverse("communities:resident-list")), builder)
    answered(
        rf.get(reverse("communities:resident-detail", args=[resident.pk])),
        AnonymousUser(),
    )
    assert not RecordAccess.objects.exists()

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from communities.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client, username, password=TEST_PASSWORD):
    return client.post(
        reverse("login"), {"username": username, "password": password}, follow=False
    )


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_repeated_failures_lock_the_account_even_with_the_right_password(
    client, builder, settings
):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        response = sign_in(client, "builder", "wrong password entirely")
    assert response.status_code == 429
    assert "You cannot sign in for now" in response.content.decode()

    response = sign_in(client, "builder")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_success_before_the_limit_resets_the_count(client, builder, settings):
    settings.AXES_FAILURE_LIMIT = 3
    sign_in(client, "builder", "wrong password entirely")
    sign_in(client, "builder", "wrong password entirely")
    assert sign_in(client, "builder").status_code == 302
    client.logout()
    sign_in(client, "builder", "wrong password entirely")
    assert sign_in(client, "builder").status_code == 302


def test_with_two_factor_off_an_officer_signs_in_with_a_password(client, officer):
    response = sign_in(client, "officer")
    assert response.status_code == 302
    assert client.get(reverse("trust:requests")).status_code == 200


def test_officers_must_set_up_and_use_two_factor_when_required(
    client, officer, settings
):
    settings.OFFICER_2FA_REQUIRED = True
    # No back-off after a wrong code here (it has its own test).
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    sign_in(client, "officer")

    # Every staff page sends them to set up two-factor sign-in first.
    response = client.get(reverse("communities:resident-list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("trust:two-factor"))
    # Public pages still work.
    assert client.get(reverse("trust:privacy")).status_code == 200

    page = client.get(response.url)
    assert "Set up two-factor sign-in" in page.content.decode()
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    assert page.context["secret"]

    wrong = client.post(response.url, {"token": "000000"})
    assert wrong.status_code == 200
    assert "Error: " in wrong.content.decode()
    junk = client.post(response.url, {"token": "12ab"})
    assert "numbers only" in junk.content.decode()

    done = client.post(response.url, {"token": code_for(device)})
    assert done.status_code == 302
    assert done.url == reverse("communities:resident-list")
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("communities:resident-list")).status_code == 200

    # Next time they are asked for a code, not to set up again.
    client.logout()
    sign_in(client, "officer")
    page = client.get(reverse("trust:two-factor"))
    assert "Enter your sign-in code" in page.content.decode()
    assert client.get(reverse("trust:requests")).status_code == 302


def test_two_factor_never_redirects_off_site(client, officer, settings):
    settings.OFFICER_2FA_REQUIRED = True
    client.force_login(officer)
    device = TOTPDevice.objects.create(user=officer, name="app", confirmed=True)
    response = client.post(
        reverse("trust:two-factor") + "?next=https://evil.example/",
        {"token": code_for(device)},
    )
    assert response.url == reverse("role-home")


def test_builders_are_not_asked_for_a_second_factor(client, builder, settings):
    settings.OFFICER_2FA_REQUIRED = True
    sign_in(client, "builder")
    assert client.get(reverse("communities:my-work")).status_code == 200


def test_wrong_codes_make_the_next_try_wait(client, officer, settings):
    settings.OFFICER_2FA_REQUIRED = True
    client.force_login(officer)
    device = TOTPDevice.objects.create(user=officer, name="app", confirmed=True)
    client.post(reverse("trust:two-factor"), {"token": "000000"})
    response = client.post(reverse("trust:two-factor"), {"token": code_for(device)})
    assert "Wait a minute" in response.content.decode()
    assert client.get(reverse("trust:requests")).status_code == 302


def test_an_unverified_officer_sending_json_gets_json_not_a_redirect(
    client, officer, settings
):
    settings.OFFICER_2FA_REQUIRED = True
    client.force_login(officer)
    response = client.put(
        reverse("communities:sync-item", args=["6f1c1f9e-3d5e-4a47-9a35-1a2b3c4d5e6f"]),
        "{}",
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["error"] == "two-factor"

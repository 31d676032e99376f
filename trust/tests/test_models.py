"""The reads this app makes of residents and erasures, and the device a
user sets up for two-factor sign-in."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from trust import services
from trust.models import AuditedResident, Erasure

from .factories import make_site

pytestmark = pytest.mark.django_db


def test_residents_are_found_by_name_with_whether_they_were_erased(officer):
    a = make_site("A")
    b = make_site("B")
    services.resident_erase(resident=a.bob, erased_by=officer, confirm_name=str(a.bob))
    found = list(AuditedResident.objects.found_by("quartermaina"))
    assert found == [a.alice]
    assert found[0].site == a.site
    erased = list(AuditedResident.objects.found_by("erased"))
    assert erased == [a.bob]
    assert erased[0].erasure.erased_by == officer
    # In name order, and no more than asked for.
    cooks = AuditedResident.objects.found_by("cooking")
    assert list(cooks) == [a.alice, b.alice, b.bob, a.bob]
    assert list(AuditedResident.objects.found_by("cooking", limit=2)) == [
        a.alice,
        b.alice,
    ]


def test_a_residents_erasure_and_the_latest_erasures(officer):
    a = make_site("A")
    b = make_site("B")
    assert Erasure.objects.of(a.alice).first() is None
    services.resident_erase(
        resident=a.alice, erased_by=officer, confirm_name=str(a.alice)
    )
    services.resident_erase(
        resident=b.alice, erased_by=officer, confirm_name=str(b.alice)
    )
    assert Erasure.objects.of(a.alice).get().erased_by == officer
    recent = list(Erasure.objects.recent(limit=1))
    assert [e.resident_id for e in recent] == [b.alice.pk]


def test_setting_up_an_authenticator_app_keeps_to_one_unconfirmed_device(officer):
    device = services.totp_device_start(user=officer)
    assert not device.confirmed
    assert services.totp_device_start(user=officer) == device
    device.confirmed = True
    device.save()
    assert services.totp_device_start(user=officer) != device
    assert TOTPDevice.objects.filter(user=officer).count() == 2

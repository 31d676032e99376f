import pytest

from core.roles import Role, primary_role

from .factories import TEST_PASSWORD, UserFactory, WardFactory

pytestmark = pytest.mark.django_db


def test_user_factory_makes_a_user_who_can_sign_in_with_a_role():
    user = UserFactory(role=Role.BUILDER)
    assert user.check_password(TEST_PASSWORD)
    assert primary_role(user) == Role.BUILDER


def test_ward_factory_derives_the_bounding_box():
    ward = WardFactory()
    assert (ward.min_lon, ward.min_lat, ward.max_lon, ward.max_lat) == (0, 0, 1, 1)


def test_resident_factory_records_consents_and_passions():
    from communities.models import Resident

    from .factories import ResidentFactory

    resident = ResidentFactory(consents=["introduce"], passions=["Cooking", "cooking "])
    assert Resident.objects.consented("introduce").filter(pk=resident.pk).exists()
    assert not Resident.objects.consented("contact").filter(pk=resident.pk).exists()
    assert resident.tags.count() == 1

import pytest
from django.db import IntegrityError

from communities.backends import SignInBackend
from communities.models import Area, Site

from .factories import SiteFactory, WardFactory

pytestmark = pytest.mark.django_db


def test_a_point_is_located_in_the_ward_that_holds_it():
    west = WardFactory(name="West")
    east = WardFactory(
        name="East",
        boundary={
            "type": "Polygon",
            "coordinates": [[[1, 0], [2, 0], [2, 1], [1, 1], [1, 0]]],
        },
    )
    assert Area.objects.locate(lon=0.5, lat=0.5) == west
    assert Area.objects.locate(lon=1.5, lat=0.2) == east
    assert Area.objects.locate(lon=5, lat=5) is None


def test_a_point_in_the_bounding_box_but_outside_the_shape_is_not_in_the_ward():
    WardFactory(
        boundary={
            "type": "Polygon",
            "coordinates": [[[0, 0], [1, 0], [0, 1], [0, 0]]],  # a triangle
        }
    )
    assert Area.objects.locate(lon=0.9, lat=0.9) is None
    assert Area.objects.locate(lon=0.1, lat=0.1) is not None


def test_ons_codes_are_unique():
    WardFactory(ons_code="E05010950")
    with pytest.raises(
        IntegrityError, match='unique constraint "area_unique_ons_code"'
    ):
        WardFactory(ons_code="E05010950")


def test_a_neighbourhood_must_sit_inside_a_ward():
    with pytest.raises(
        IntegrityError,
        match='check constraint "area_ward_has_no_parent_neighbourhood_has_one"',
    ):
        Area.objects.create(kind=Area.Kind.NEIGHBOURHOOD, name="Orphan")


def test_imd_decile_is_between_1_and_10():
    with pytest.raises(
        IntegrityError, match='check constraint "area_imd_decile_1_to_10"'
    ):
        WardFactory(imd_decile=11)


@pytest.mark.parametrize("read_by_the_backend", [False, True])
def test_a_site_is_visible_to_whom_the_site_list_shows_it(
    read_by_the_backend, officer, builder, panel_member
):
    """Site.is_visible_to (the services' check) agrees with
    Site.objects.visible_to (what the screens list), for a user read for a
    request (with their sites) and for one read any other way."""
    theirs = SiteFactory(builders=[builder])
    other = SiteFactory()
    for user in (officer, builder, panel_member):
        if read_by_the_backend:
            user = SignInBackend().get_user(user.pk)
        listed = set(Site.objects.visible_to(user))
        for site in (theirs, other):
            assert site.is_visible_to(user) == (site in listed), (user, site)
    assert theirs.is_visible_to(builder) and not other.is_visible_to(builder)
    assert other.is_visible_to(officer) and not theirs.is_visible_to(panel_member)

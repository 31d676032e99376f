import io

import pytest
from django.core.management import call_command

from communities import places
from communities.models import Area, User
from core.roles import Role, primary_role
from demo import communities as demo

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("rank", "decile"),
    [(1, 1), (3284, 1), (3285, 2), (16422, 5), (16423, 6), (32844, 10)],
)
def test_national_decile_of_a_rank(rank, decile):
    assert places.decile(rank, demo.LSOAS_IN_ENGLAND_2019) == decile


def test_seed_demo_loads_the_18_gloucester_wards_with_deprivation(
    monkeypatch, tmp_path
):
    monkeypatch.setenv("DEMO_PASSWORD", "demo passphrase for tests")
    call_command("seed_demo", stdout=io.StringIO())

    wards = Area.objects.wards()
    assert wards.count() == 18
    assert all(w.boundary["type"] == "MultiPolygon" for w in wards)
    # Every one of Gloucester's 78 LSOAs lands in exactly one ward.
    assert sum(w.imd_lsoa_count for w in wards) == 78
    matson = wards.get(ons_code="E05010961")
    assert matson.name == "Matson and Robinswood"
    assert matson.imd_decile == 2
    assert wards.get(name="Longlevens").imd_decile == 9


def test_seed_demo_creates_the_demo_accounts_with_the_given_password(
    monkeypatch, tmp_path
):
    monkeypatch.setenv("DEMO_PASSWORD", "demo passphrase for tests")
    out = io.StringIO()
    call_command("seed_demo", stdout=out)

    for account in demo.DEMO_ACCOUNTS:
        user = User.objects.get(username=account.username)
        assert user.check_password("demo passphrase for tests")
        assert primary_role(user) == account.role
    assert "demo passphrase for tests" in out.getvalue()
    assert {a.username for a in demo.DEMO_ACCOUNTS} == {
        "officer",
        "builder",
        "builder2",
        "panel",
        "cabinet",
    }
    assert primary_role(User.objects.get(username="builder2")) == Role.BUILDER


def test_seed_demo_twice_changes_nothing(monkeypatch, tmp_path):
    monkeypatch.setenv("DEMO_PASSWORD", "demo passphrase for tests")
    call_command("seed_demo", stdout=io.StringIO())
    before_areas = list(Area.objects.values().order_by("pk"))
    before_users = list(User.objects.values().order_by("pk"))

    call_command("seed_demo", stdout=io.StringIO())

    assert list(Area.objects.values().order_by("pk")) == before_areas
    assert list(User.objects.values().order_by("pk")) == before_users


def test_a_generated_password_is_kept_for_the_next_run(monkeypatch, tmp_path):
    from demo.management.commands import seed_demo

    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    monkeypatch.setattr(seed_demo, "PASSWORD_FILE", tmp_path / ".demo-password")
    first, _ = seed_demo.demo_password()
    second, source = seed_demo.demo_password()
    assert first == second
    assert len(first) >= 20
    assert source == ".demo-password"
    assert (tmp_path / ".demo-password").stat().st_mode & 0o077 == 0


def test_seed_demo_loads_sites_with_people_in_realistic_proportions(monkeypatch):
    from communities.models import Conversation, Group, Introduction, Resident, Site

    monkeypatch.setenv("DEMO_PASSWORD", "demo passphrase for tests")
    call_command("seed_demo", stdout=io.StringIO())

    sites = Site.objects.all()
    assert sites.count() == 3
    builder_sites = set(Site.objects.filter(builders__username="builder"))
    builder2_sites = set(Site.objects.filter(builders__username="builder2"))
    assert builder_sites
    assert builder2_sites
    assert not builder_sites & builder2_sites
    for site in sites:
        assert 18_000 <= site.finances.get(financial_year=2025).budget_total <= 25_000
        assert site.areas.exists()
    residents = Resident.objects.count()
    assert 300 <= residents <= 500
    assert Conversation.objects.count() > residents  # people are met more than once
    assert residents / 5 < Introduction.objects.count() < residents
    assert 10 <= Group.objects.count() <= 40
    assert Resident.objects.consented().count() < residents  # not everyone agrees
    # Every introduction the demo makes would pass the service's rules.
    for intro in Introduction.objects.select_related("resident", "to_resident"):
        assert intro.resident.site_id == intro.to_resident.site_id == intro.site_id
        assert (
            Resident.objects.consented()
            .filter(pk__in=[intro.resident_id, intro.to_resident_id])
            .count()
            == 2
        )

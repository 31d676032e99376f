import json

import pytest
from django.urls import reverse
from django.utils import timezone

from communities import services
from communities.models import Resident
from trust.models import Erasure, RecordAccess

from .factories import make_site

pytestmark = pytest.mark.django_db


def test_an_officer_finds_a_resident_and_sees_everything_held(client, officer):
    a = make_site("A")
    client.force_login(officer)
    page = client.get(reverse("trust:requests"), {"q": "QuartermainA"})
    assert page.status_code == 200
    assert reverse("trust:subject-access", args=[a.alice.pk]) in page.content.decode()

    page = client.get(reverse("trust:subject-access", args=[a.alice.pk]))
    text = page.content.decode()
    assert "Everything held about AliciaA QuartermainA" in text
    assert a.alice.phone in text and "bus stop" in text
    assert "BarnabyA" not in text
    assert RecordAccess.objects.filter(
        resident=a.alice, user=officer, action="subject_access"
    ).exists()


def test_the_subject_access_page_takes_a_fixed_number_of_queries(
    client, officer, django_assert_max_num_queries
):
    a = make_site("A")
    client.force_login(officer)
    client.get(reverse("trust:subject-access", args=[a.alice.pk]))
    with django_assert_max_num_queries(40) as first:
        client.get(reverse("trust:subject-access", args=[a.alice.pk]))
    # More of everything about the resident costs no more queries.
    for _ in range(3):
        a.alice.consents.filter(purpose="contact").update(withdrawn_at=timezone.now())
        services.consent_give(
            resident=a.alice, purpose="contact", recorded_by=a.builder
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(reverse("trust:subject-access", args=[a.alice.pk]))


def test_the_json_export_is_machine_readable_and_logged(client, officer):
    a = make_site("A")
    client.force_login(officer)
    response = client.get(reverse("trust:subject-access-json", args=[a.alice.pk]))
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["resident"]["id"] == a.alice.pk
    assert {"consents", "conversations", "introductions", "changes"} <= data.keys()
    assert data["changes"]
    assert RecordAccess.objects.filter(resident=a.alice, action="exported").exists()


def test_an_officer_erases_a_resident_after_typing_their_name(client, officer):
    a = make_site("A")
    client.force_login(officer)
    url = reverse("trust:erase", args=[a.alice.pk])
    wrong = client.post(url, {"confirm_name": "Someone Else"})
    assert wrong.status_code == 200
    assert "Error: " in wrong.content.decode()
    assert not Erasure.objects.exists()

    done = client.post(url, {"confirm_name": "AliciaA QuartermainA"})
    assert done.status_code == 302
    assert Resident.objects.get(pk=a.alice.pk).first_name == "Erased resident"
    page = client.get(reverse("trust:requests"))
    assert "has been erased" in page.content.decode()


@pytest.mark.parametrize("who", ["builder", "panel_member", "cabinet_member"])
def test_only_officers_handle_personal_data_requests(client, who, request):
    a = make_site("A")
    client.force_login(request.getfixturevalue(who))
    for url in (
        reverse("trust:requests"),
        reverse("trust:subject-access", args=[a.alice.pk]),
        reverse("trust:subject-access-json", args=[a.alice.pk]),
        reverse("trust:erase", args=[a.alice.pk]),
        reverse("trust:retention"),
    ):
        assert client.get(url).status_code == 403
    assert (
        client.post(
            reverse("trust:erase", args=[a.alice.pk]),
            {"confirm_name": "AliciaA QuartermainA"},
        ).status_code
        == 403
    )
    assert not Erasure.objects.exists()


def test_the_retention_page_is_a_dry_run(client, officer, settings):
    settings.RETENTION_RESIDENT_INACTIVE_DAYS = 1
    make_site("A")
    quiet = Resident.objects.create(
        first_name="Quiet",
        site=Resident.objects.first().site,
        created_by=officer,
    )
    Resident.objects.filter(pk=quiet.pk).update(updated_at="2020-01-01T00:00:00Z")
    client.force_login(officer)
    page = client.get(reverse("trust:retention"))
    assert f"Would anonymise resident {quiet.pk} " in page.content.decode()
    assert not Erasure.objects.exists()

"""The offline outbox's server side: idempotent on the phone's ID."""

import json
import random
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from communities.models import (
    Conversation,
    Introduction,
    Resident,
    SyncConflict,
    SyncItem,
)

from .factories import ResidentFactory, SiteFactory, WardFactory, site_records

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate().isoformat()


@pytest.fixture
def site(builder):
    return SiteFactory(builders=[builder], areas=[WardFactory()])


@pytest.fixture
def phone(client, builder):
    client.force_login(builder)
    return client


def put(client, device_id, kind, payload):
    return client.put(
        f"/communities/sync/{device_id}/",
        json.dumps({"kind": kind, "payload": payload}),
        content_type="application/json",
    )


def resident_payload(site, name="Aisha", **extra):
    return {
        "site": str(site.pk),
        "first_name": name,
        "passions": "allotments",
        "consents": ["introduce"],
        **extra,
    }


def test_an_item_is_stored_once_and_the_same_item_again_gets_the_same_answer(
    phone, site
):
    device_id = uuid.uuid4()
    first = put(phone, device_id, "resident", resident_payload(site))
    assert first.status_code == 201
    record = first.json()["record"]
    again = put(phone, device_id, "resident", resident_payload(site))
    assert again.status_code == 200
    assert again.json()["record"] == record
    assert Resident.objects.count() == 1
    assert SyncItem.objects.count() == 1


@pytest.mark.parametrize(
    ("met", "new", "goes_to"),
    [
        (0, False, "my-work"),
        (1, False, "resident"),
        (0, True, "resident"),
        (2, False, "my-work"),
    ],
)
def test_a_conversation_takes_the_builder_to_the_one_resident_met(
    phone, site, builder, met, new, goes_to
):
    """After saving, the builder goes to the resident they met, or to their
    work when they met nobody or several; the same item sent again answers
    the same way (read back from what was stored)."""
    known = [ResidentFactory(site=site, created_by=builder) for _ in range(met)]
    payload = {
        "site": str(site.pk),
        "held_on": TODAY,
        "residents": [str(r.pk) for r in known],
    }
    if new:
        payload.update(add_new_resident="on", first_name="Nia")
    device_id = uuid.uuid4()
    first = put(phone, device_id, "conversation", payload)
    assert first.status_code == 201, first.json()
    conversation = Conversation.objects.get(pk=first.json()["record"]["id"])
    people = list(conversation.residents.all())
    assert len(people) == met + new
    expected = (
        people[0].get_absolute_url()
        if goes_to == "resident"
        else "/communities/my-work/"
    )
    assert first.json()["record"]["url"] == expected
    again = put(phone, device_id, "conversation", payload)
    assert again.status_code == 200
    assert again.json()["record"] == first.json()["record"]


def test_a_different_item_under_a_used_id_is_409_and_kept_for_an_officer(
    phone, site, builder
):
    device_id = uuid.uuid4()
    put(phone, device_id, "resident", resident_payload(site))
    response = put(phone, device_id, "resident", resident_payload(site, name="Bob"))
    assert response.status_code == 409
    conflict = SyncConflict.objects.get(resolved_at__isnull=True)
    assert conflict.device_id == device_id
    assert conflict.payload["first_name"] == "Bob"
    assert conflict.user == builder
    assert list(Resident.objects.values_list("first_name", flat=True)) == ["Aisha"]


def test_validation_errors_come_back_per_field_and_store_nothing(phone, site):
    response = put(
        phone,
        uuid.uuid4(),
        "conversation",
        {"site": str(site.pk), "held_on": "2999-01-01", "add_new_resident": "on"},
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert "first_name" in errors
    assert Conversation.objects.count() == 0
    assert SyncItem.objects.count() == 0


def test_a_corrected_item_can_be_sent_again_under_the_same_id(phone, site):
    device_id = uuid.uuid4()
    bad = put(phone, device_id, "resident", {"site": str(site.pk), "first_name": ""})
    assert bad.status_code == 422
    good = put(phone, device_id, "resident", resident_payload(site))
    assert good.status_code == 201


def test_a_resident_made_offline_can_be_used_by_an_introduction_made_offline(
    phone, site
):
    gwen = Resident.objects.get(
        pk=put(
            phone, uuid.uuid4(), "resident", resident_payload(site, name="Gwen")
        ).json()["record"]["id"]
    )
    aisha_id = uuid.uuid4()
    introduction = {
        "resident": f"device:{aisha_id}",
        "to_resident": str(gwen.pk),
        "interest": "allotments",
        "made_by": "builder",
        "introduced_on": TODAY,
    }
    intro_id = uuid.uuid4()
    # Sent before the resident it names: kept waiting, nothing stored.
    early = put(phone, intro_id, "introduction", introduction)
    assert early.status_code == 424
    assert Introduction.objects.count() == 0

    assert put(phone, aisha_id, "resident", resident_payload(site)).status_code == 201
    assert put(phone, intro_id, "introduction", introduction).status_code == 201
    intro = Introduction.objects.get()
    assert intro.resident.first_name == "Aisha"
    assert intro.to_resident == gwen
    # The conversation naming her resolves too.
    conversation = {
        "site": str(site.pk),
        "held_on": TODAY,
        "residents": [f"device:{aisha_id}", str(gwen.pk)],
    }
    assert put(phone, uuid.uuid4(), "conversation", conversation).status_code == 201
    assert set(Conversation.objects.get().residents.all()) == {intro.resident, gwen}


def test_another_builders_device_ids_do_not_resolve(client, site, make_user):
    from core.roles import Role

    other = make_user(Role.BUILDER, username="other")
    site.builders.add(other)
    client.force_login(other)
    made = uuid.uuid4()
    put(client, made, "resident", resident_payload(site))
    builder_client = Client()
    builder_client.force_login(site.builders.exclude(pk=other.pk).get())
    response = put(
        builder_client,
        uuid.uuid4(),
        "conversation",
        {"site": str(site.pk), "held_on": TODAY, "residents": [f"device:{made}"]},
    )
    assert response.status_code == 424


def test_a_signed_out_phone_gets_401_json_not_a_sign_in_page(client, site):
    response = put(client, uuid.uuid4(), "resident", resident_payload(site))
    assert response.status_code == 401
    assert response.json()["error"] == "signed-out"
    assert Resident.objects.count() == 0


def test_a_csrf_failure_is_403_json(builder, site):
    client = Client(enforce_csrf_checks=True)
    client.force_login(builder)
    response = put(client, uuid.uuid4(), "resident", resident_payload(site))
    assert response.status_code == 403
    assert response.json()["error"] == "csrf"


def test_another_sites_records_cannot_be_sent(phone):
    other = SiteFactory()
    response = put(phone, uuid.uuid4(), "resident", resident_payload(other))
    assert response.status_code == 422
    assert Resident.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        json.dumps([1, 2]),
        json.dumps({"kind": "spaceship", "payload": {}}),
        json.dumps({"kind": "resident", "payload": "x"}),
        json.dumps({"kind": "resident", "payload": {"first_name": {"a": 1}}}),
    ],
)
def test_junk_is_refused_with_400(phone, body):
    response = phone.put(
        f"/communities/sync/{uuid.uuid4()}/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert SyncItem.objects.count() == 0


def test_a_thousand_items_through_a_client_that_drops_repeats_and_reorders(phone, site):
    """Exactly 1,000 stored, none doubled, whatever the network does."""
    rng = random.Random(4)
    outbox = {}
    residents = []
    for i in range(200):
        device_id = uuid.uuid4()
        residents.append(device_id)
        outbox[device_id] = ("resident", resident_payload(site, name=f"R{i}"))
    for i in range(700):
        named = rng.sample(residents, 2)
        outbox[uuid.uuid4()] = (
            "conversation",
            {
                "site": str(site.pk),
                "held_on": TODAY,
                "residents": [f"device:{d}" for d in named],
                "what_matters": f"conversation {i}",
            },
        )
    for i in range(100):
        a, b = residents[2 * i], residents[2 * i + 1]
        outbox[uuid.uuid4()] = (
            "introduction",
            {
                "resident": f"device:{a}",
                "to_resident": f"device:{b}",
                "interest": "allotments",
                "made_by": "builder",
                "introduced_on": TODAY,
            },
        )
    assert len(outbox) == 1000

    rounds = 0
    while outbox:
        rounds += 1
        batch = list(outbox)
        rng.shuffle(batch)  # reordered
        for device_id in batch:
            kind, payload = outbox[device_id]
            if rng.random() < 0.2:
                continue  # dropped before it reached the server
            response = put(phone, device_id, kind, payload)
            if rng.random() < 0.2:
                response = put(phone, device_id, kind, payload)  # repeated
            if rng.random() < 0.2:
                continue  # the answer was lost: the phone keeps it
            assert response.status_code in (200, 201, 424), response.content
            if response.status_code in (200, 201):
                del outbox[device_id]  # acknowledged: only now deleted
    assert rounds > 1
    assert SyncItem.objects.count() == 1000
    assert Resident.objects.count() == 200
    assert Conversation.objects.count() == 700
    assert Introduction.objects.count() == 100
    assert SyncConflict.objects.count() == 0


def test_the_service_worker_lists_the_builder_pages_and_their_files(client):
    response = client.get("/communities/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    for path in (
        "/communities/my-work/",
        "/communities/conversations/new/",
        "/communities/residents/new/",
        "/communities/introductions/new/",
        "/communities/groups/new/",
        "/communities/outbox/",
        "/static/build/abcd.css",
        "/static/vendor/idb/idb.js",
        "/static/abcd/outbox.js",
        "/static/abcd/outbox/storage.js",
        "/static/abcd/outbox/sync.js",
        "/static/abcd/outbox/page.js",
    ):
        assert path in body, path


def test_builder_forms_are_marked_for_the_outbox_and_still_post(phone, site):
    for url, kind in (
        ("/communities/conversations/new/", "conversation"),
        ("/communities/residents/new/", "resident"),
        ("/communities/introductions/new/", "introduction"),
        ("/communities/groups/new/", "group"),
    ):
        body = phone.get(url).content.decode()
        assert f'data-outbox-kind="{kind}"' in body
        assert 'method="post"' in body  # with no JavaScript, a plain form
    page = phone.get("/communities/my-work/").content.decode()
    assert 'id="outbox-status"' in page
    assert "abcd/outbox.js" in page


def test_a_submission_makes_the_same_number_of_queries_at_10_and_1000_rows(
    phone, site, builder
):
    """The benchmark's hot path: what one conversation from the phone costs
    does not grow with what the site has recorded."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        payload = {"site": str(site.pk), "held_on": TODAY, "what_matters": "x"}
        with CaptureQueriesContext(connection) as captured:
            assert put(phone, uuid.uuid4(), "conversation", payload).status_code == 201
        return len(captured)

    site_records(site, 10, builder)
    queries()  # the session's first use
    small = queries()
    site_records(site, 990, builder)
    assert queries() == small
    # In a test, the request's savepoint and its release; who is signed in
    # (with their roles and sites); the item's lock and look-up; the
    # conversation; the item.
    assert small <= 6, small


@pytest.mark.django_db(transaction=True)
def test_the_same_item_sent_twice_at_once_is_stored_once(site, builder):
    """A phone that retries while its first send is still in flight: the two
    requests wait for each other on the item's ID, so one stores it and the
    other gets "already stored", never an error or a second conversation."""
    import threading

    from django.db import connection

    payload = {"site": str(site.pk), "held_on": TODAY, "what_matters": "x"}

    def send(device_id, ready, answers):
        phone = Client()
        phone.force_login(builder)
        ready.wait(timeout=10)
        answers.append(put(phone, device_id, "conversation", payload).status_code)
        connection.close()

    for _attempt in range(5):
        device_id, ready, answers = uuid.uuid4(), threading.Barrier(2), []
        threads = [
            threading.Thread(target=send, args=(device_id, ready, answers))
            for _ in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(answers) == [200, 201]
        assert SyncItem.objects.filter(device_id=device_id).count() == 1
    assert Conversation.objects.filter(site=site).count() == 5

import json
import uuid

import pytest
from django.contrib.auth.models import Group as AuthGroup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communities.backends import ROLES_AND_SITES, SignInBackend
from communities.models import Conversation, Site, User
from core.roles import Role, roles_of

from .factories import SiteFactory

pytestmark = pytest.mark.django_db


def test_a_page_reads_the_user_and_their_roles_in_one_query(client, builder):
    client.force_login(builder)
    client.get("/communities/my-work/")  # the session is warm
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/communities/my-work/").status_code == 200
    reads_of_users = [q["sql"] for q in queries if '"communities_user"' in q["sql"]]
    assert len(reads_of_users) == 1
    assert ROLES_AND_SITES in reads_of_users[0]  # the roles, in the same query
    assert not [q for q in queries if '"auth_group"' in q["sql"]]


def test_a_role_taken_away_is_gone_on_the_next_request(client, builder):
    client.force_login(builder)
    assert client.get("/communities/my-work/").status_code == 200
    builder.groups.remove(AuthGroup.objects.get(name=Role.BUILDER.label))
    assert client.get("/communities/my-work/").status_code == 403


def test_a_user_with_no_roles_is_still_signed_in(client, make_user):
    nobody = make_user(None, username="nobody")
    client.force_login(nobody)
    response = client.get("/communities/my-work/")
    assert response.status_code == 403
    assert response.wsgi_request.user == nobody


def test_a_deactivated_user_is_signed_out(client, builder):
    client.force_login(builder)
    builder.is_active = False
    builder.save()
    response = client.get("/communities/my-work/")
    assert response.status_code == 302
    assert "/sign-in/" in response["Location"]


def test_a_builders_sites_are_read_with_the_user(client, builder):
    """A builder's pages and submissions scope by the sites they build in;
    those come with the user, not from a query of their own."""
    site = SiteFactory(builders=[builder])
    client.force_login(builder)
    client.get("/communities/my-work/")  # the session is warm
    payload = {"site": str(site.pk), "held_on": str(timezone.localdate())}
    with CaptureQueriesContext(connection) as queries:
        response = client.put(
            f"/communities/sync/{uuid.uuid4()}/",
            json.dumps({"kind": "conversation", "payload": payload}),
            content_type="application/json",
        )
    assert response.status_code == 201
    # The sites came with the user (ROLES_AND_SITES), and the site sent is
    # found among them: no query reads the sites or who builds in them.
    (read_of_user,) = [q["sql"] for q in queries if ROLES_AND_SITES in q["sql"]]
    assert '"communities_user"' in read_of_user
    assert not [q for q in queries if '"communities_site' in q["sql"]]


def test_a_site_taken_away_is_gone_on_the_next_request(client, builder):
    site = SiteFactory(builders=[builder])
    client.force_login(builder)
    payload = {"site": str(site.pk), "held_on": str(timezone.localdate())}

    def send():
        return client.put(
            f"/communities/sync/{uuid.uuid4()}/",
            json.dumps({"kind": "conversation", "payload": payload}),
            content_type="application/json",
        )

    assert send().status_code == 201
    site.builders.remove(builder)
    refused = send()
    assert refused.status_code == 422
    assert "site" in refused.json()["errors"]
    assert Conversation.objects.filter(site=site).count() == 1


@pytest.mark.parametrize("user_id", ["not-a-number", None, "", 10**30])
def test_a_session_naming_no_user_is_nobody(user_id):
    from communities.backends import SignInBackend

    assert SignInBackend().get_user(user_id) is None


def test_the_user_read_for_a_request_is_the_user_as_stored(builder):
    """Every field as the ORM reads it, their roles, and their sites in the
    sites' own order, each as stored."""
    later = SiteFactory(name="Tuffley", builders=[builder])
    first = SiteFactory(name="Matson", builders=[builder])
    SiteFactory(name="Kingsholm")  # not theirs
    builder.last_login = timezone.now()
    builder.first_name = "Ben"
    builder.save()
    read = SignInBackend().get_user(builder.pk)
    stored = User.objects.get(pk=builder.pk)
    for field in User._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(stored, field.attname), field
    assert not read._state.adding and read._state.db == "default"
    assert roles_of(read) == {Role.BUILDER}
    assert read.built_sites == [first, later]
    for site in read.built_sites:
        stored_site = Site.objects.get(pk=site.pk)
        for field in Site._meta.concrete_fields:
            assert getattr(site, field.attname) == getattr(stored_site, field.attname)

import json
import uuid

import pytest
from django.contrib.auth.models import Group as AuthGroup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communities.models import Conversation
from communities.roles import Role

from .factories import SiteFactory

pytestmark = pytest.mark.django_db


def test_a_page_reads_the_user_and_their_roles_in_one_query(client, builder):
    client.force_login(builder)
    client.get("/communities/my-work/")  # the session is warm
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/communities/my-work/").status_code == 200
    reads_of_roles = [q["sql"] for q in queries if '"auth_group"' in q["sql"]]
    assert len(reads_of_roles) == 1
    assert '"communities_user"' in reads_of_roles[0]


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
    reads_of_sites = [
        q["sql"] for q in queries if '"communities_site_builders"' in q["sql"]
    ]
    assert len(reads_of_sites) == 1
    assert '"auth_group"' in reads_of_sites[0]  # the user's own query
    # The site sent is found among those rows: the sites are not read again.
    assert [q["sql"] for q in queries if '"communities_site"' in q["sql"]] == (
        reads_of_sites
    )


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

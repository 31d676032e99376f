import pytest
from django.contrib.auth.models import Group as AuthGroup
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communities.roles import Role

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

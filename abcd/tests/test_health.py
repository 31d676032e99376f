import pytest
from django.db import connection


@pytest.mark.django_db
def test_healthz_is_ok_when_postgresql_and_redis_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_names_the_broker_when_redis_does_not_answer(client, settings):
    # Nothing listens on port 1: a real refused connection, not a mock.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "unavailable"}


@pytest.mark.django_db(transaction=True)
def test_healthz_names_the_database_when_postgresql_does_not_answer(client):
    original = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = original
    assert response.status_code == 503
    assert response.json() == {"database": "unavailable", "broker": "ok"}


def test_healthz_needs_no_sign_in_and_refuses_post(client, db):
    assert client.post("/healthz").status_code == 405

"""core.views.csrf_failure: JSON for the views that answer in JSON (the
phone's outbox), Django's page for every other."""

import json

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import ResolverMatch, reverse
from django.views import View

from core.views import csrf_failure

REASON = "CSRF cookie not set."


class AnswersJson(View):
    answers_json = True


class AnswersHtml(View):
    pass


def a_page(request):
    return HttpResponse()


def refused(rf, view=None):
    request = rf.post("/somewhere/")
    request.resolver_match = ResolverMatch(view, (), {}) if view else None
    return csrf_failure(request, reason=REASON)


def test_a_view_that_answers_json_gets_json_it_can_act_on(rf):
    response = refused(rf, AnswersJson.as_view())
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"error": "csrf", "message": REASON}


@pytest.mark.parametrize(
    "view",
    [AnswersHtml.as_view(), a_page, None],
    ids=["a class view", "a function view", "no view found"],
)
def test_every_other_request_gets_djangos_page(rf, view):
    response = refused(rf, view)
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    assert "CSRF verification failed" in response.content.decode()


@pytest.mark.django_db
def test_the_site_uses_it_for_a_form_sent_without_its_token():
    response = Client(enforce_csrf_checks=True).post(
        reverse("login"), {"username": "x", "password": "y"}
    )
    assert response.status_code == 403
    assert "CSRF verification failed" in response.content.decode()

"""Junk thrown at every form and JSON endpoint (hypothesis): never a server
error, and a refused submission writes nothing at all. The forms are found
by walking the authorization matrix as each role (evaluation's framework,
story and survey forms included, and the survey residents answer through a
link), and the builders' outbox forms are also sent as the phone sends them.

"Nothing written" is measured by the audit trail as well as by row counts:
every change to a resident, consent, introduction, application, award or
payment leaves an event, so an update that should not have happened shows.
"""

from __future__ import annotations

import json
import re
import uuid

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .test_authorization import build_world, cases

pytestmark = pytest.mark.django_db

JUNK_WORDS = [
    "", " ", "0", "-1", "1.5", "99999999999999999999999", "1e309", "NaN",
    "2026-02-30", "31/12/1899", "<script>alert(1)</script>", "' OR 1=1 --",
    "\u202e", "🙂", "a" * 5000, "null", "[]", "{}", "\ud7ff", "0x10",
]  # fmt: skip
junk = st.one_of(
    st.sampled_from(JUNK_WORDS),
    st.text(max_size=200),
    st.integers().map(str),
)
EXAMPLES = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
FIELD = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')
CHECKBOX = re.compile(r'<input[^>]*\btype="checkbox"[^>]*\bname="([^"]+)"')
OUTBOX_KIND = re.compile(r'data-outbox-kind="([^"]+)"')
SKIP = {"csrfmiddlewaretoken", "submit"}
# Pages that answer a successful submission with 200 rather than a redirect:
# the survey's thank-you page (the resident has no page to be sent on to).
DONE_TEMPLATES = {"evaluation/survey_thanks.html"}


def _tables() -> list[str]:
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if (
            meta.app_label in {"communities", "assets", "grants", "evaluation", "trust"}
            and not meta.proxy
            and meta.label != "trust.RecordAccess"
        ):
            tables.add(meta.db_table)
    return sorted(tables)


def snapshot() -> dict[str, int]:
    """Rows in every table of the product (and its audit trail), in one query."""
    tables = _tables()
    sql = "SELECT " + ", ".join(f'(SELECT count(*) FROM "{table}")' for table in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(zip(tables, cursor.fetchone(), strict=True))


def form_pages(client, world):
    """(URL, field names) of every page with a POST form this user reaches."""
    pages = []
    for case in cases(world):
        url = reverse(case.name, kwargs=case.kwargs)
        if case.name.startswith(("admin:", "login", "logout")):
            continue
        response = client.get(url)
        if response.status_code != 200 or response.streaming:
            continue
        html = response.content.decode()
        if 'method="post"' not in html:
            continue
        fields = sorted(set(FIELD.findall(html)) - SKIP)
        if fields:
            pages.append((url, fields))
    return pages


@pytest.mark.parametrize("role", ["officer", "builder_a", "panel", "anonymous"])
def test_junk_in_every_form_never_breaks_or_half_writes(client, role):
    world, users = build_world()
    if users[role]:
        client.force_login(users[role])
    pages = form_pages(client, world)
    assert pages or role == "anonymous"

    for url, fields in pages:
        throw_junk_at(client, url, fields)


def throw_junk_at(client, url: str, fields: list[str]) -> None:
    @EXAMPLES
    @given(data=st.fixed_dictionaries({}, optional=dict.fromkeys(fields, junk)))
    def post_junk(data):
        before = snapshot()
        response = client.post(url, data)
        assert response.status_code < 500, url
        done = {t.name for t in response.templates} & DONE_TEMPLATES
        if response.status_code == 200 and not done:
            # Shown again with errors: nothing stored.
            assert snapshot() == before, url

    post_junk()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=50),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)


def test_junk_sent_to_the_sync_endpoint_never_breaks_or_half_writes(client):
    world, users = build_world()
    client.force_login(users["builder_a"])
    site = world["a"].site

    @EXAMPLES
    @given(
        kind=st.sampled_from(
            ["resident", "conversation", "introduction", "group", "x"]
        ),
        payload=st.one_of(
            json_values,
            st.fixed_dictionaries(
                {},
                optional={
                    "site": st.sampled_from([site.pk, world["b"].site.pk, -1, "x"]),
                    "first_name": junk,
                    "held_on": junk,
                    "residents": st.lists(st.one_of(st.integers(), junk), max_size=3),
                    "interest": junk,
                    "resident": st.one_of(st.integers(), junk),
                    "to_resident": st.one_of(st.integers(), junk),
                    "name": junk,
                    "founded_on": junk,
                },
            ),
        ),
        raw=st.one_of(st.none(), st.binary(max_size=40)),
    )
    def send(kind, payload, raw):
        before = snapshot()
        body = (
            raw if raw is not None else json.dumps({"kind": kind, "payload": payload})
        )
        response = client.put(
            reverse("communities:sync-item", args=[uuid.uuid4()]),
            body,
            content_type="application/json",
        )
        assert response.status_code < 500
        assert response["Content-Type"] == "application/json"
        if response.status_code >= 400:
            after = snapshot()
            # A refused item may be kept for an officer (a conflict), never
            # partly applied.
            for table in ("communities_syncconflict",):
                after.pop(table, None)
                before.pop(table, None)
            assert after == before

    send()


def test_junk_in_every_outbox_form_sent_as_the_phone_sends_it(client):
    """The builder's outbox sends each form's fields as JSON to the sync
    endpoint (ticked boxes as lists): junk in exactly those fields is
    refused whole, in JSON, never with a server error."""
    world, users = build_world()
    client.force_login(users["builder_a"])
    forms = {}
    for case in cases(world):
        response = client.get(reverse(case.name, kwargs=case.kwargs))
        if response.status_code != 200 or response.streaming:
            continue
        html = response.content.decode()
        kind = OUTBOX_KIND.search(html)
        if kind:
            lists = set(CHECKBOX.findall(html))
            fields = set(FIELD.findall(html)) - SKIP
            forms[kind.group(1)] = {
                name: st.lists(junk, max_size=3) if name in lists else junk
                for name in sorted(fields)
            }
    assert set(forms) == {"resident", "conversation", "introduction", "group"}

    for kind, fields in forms.items():
        send_junk_as_the_outbox(client, kind, fields)


def send_junk_as_the_outbox(client, kind: str, fields: dict) -> None:
    @EXAMPLES
    @given(payload=st.fixed_dictionaries({}, optional=fields))
    def send(payload):
        before = snapshot()
        response = client.put(
            reverse("communities:sync-item", args=[uuid.uuid4()]),
            json.dumps({"kind": kind, "payload": payload}),
            content_type="application/json",
        )
        assert response.status_code < 500, kind
        assert response["Content-Type"] == "application/json"
        if response.status_code >= 400:
            after = snapshot()
            after.pop("communities_syncconflict", None)
            before.pop("communities_syncconflict", None)
            assert after == before, kind

    send()

"""Receiving what builders' phones recorded offline.

Each item carries an ID the phone made (a UUID). Receiving is idempotent on
that ID: the same item sent again gets the same answer and stores nothing
new; a different item under a used ID is kept as a conflict for an officer
(409). Items are validated by the same forms, and written by the same
services, as the screens, so a record made offline is held to the same rules.
An item may name a resident that the phone also created offline as
"device:<uuid>"; that resolves to the resident once that item has arrived.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.datastructures import MultiValueDict

from core.forms import add_service_errors

from .forms.conversations import ConversationForm
from .forms.groups import GroupForm
from .forms.introductions import IntroductionForm
from .forms.residents import ResidentForm
from .models import SyncConflict, SyncItem, User

FORMS = {
    SyncItem.Kind.RESIDENT: ResidentForm,
    SyncItem.Kind.CONVERSATION: ConversationForm,
    SyncItem.Kind.INTRODUCTION: IntroductionForm,
    SyncItem.Kind.GROUP: GroupForm,
}
# Fields whose values may name a resident made on the phone.
RESIDENT_FIELDS = {
    SyncItem.Kind.CONVERSATION: ("residents",),
    SyncItem.Kind.INTRODUCTION: ("resident", "to_resident", "connector"),
    SyncItem.Kind.GROUP: ("members",),
}
DEVICE_PREFIX = "device:"


@dataclass
class Answer:
    status: int
    body: dict = field(default_factory=dict)
    message: str = ""


def _stored(item: SyncItem, status: int, made=None) -> Answer:
    """The answer for a stored item: what it made, where to see it, and what
    to tell the builder (the same as the screens say)."""
    if made is None:
        made = item.record()
    message, url = FORMS[item.kind].done(made)
    return Answer(
        status,
        {"record": {"kind": item.kind, "id": item.object_id, "url": url}},
        message,
    )


def _payload_errors(payload) -> str | None:
    if not isinstance(payload, dict):
        return "The payload must be an object of form fields."
    for name, value in payload.items():
        values = value if isinstance(value, list) else [value]
        if not isinstance(name, str) or not all(isinstance(v, str) for v in values):
            return f"The field {name!r} must be text or a list of text."
    return None


def _resolve_device_ids(
    *, user: User, kind: str, payload: dict
) -> tuple[dict, dict[str, list[str]]]:
    """Replace "device:<uuid>" with the id of the resident it made."""
    resolved, waiting = dict(payload), {}
    for name in RESIDENT_FIELDS.get(kind, ()):
        value = payload.get(name)
        values = value if isinstance(value, list) else [value]
        out = []
        for v in values:
            if isinstance(v, str) and v.startswith(DEVICE_PREFIX):
                try:
                    device_id = uuid.UUID(v.removeprefix(DEVICE_PREFIX))
                except ValueError:
                    waiting.setdefault(name, []).append("That resident is not known.")
                    continue
                made = SyncItem.objects.sent(
                    device_id=device_id, user=user, kind=SyncItem.Kind.RESIDENT
                )
                if made is None:
                    waiting.setdefault(name, []).append(
                        "A resident recorded on this phone has not been sent yet."
                    )
                    continue
                out.append(str(made.object_id))
            else:
                out.append(v)
        if value is not None:
            resolved[name] = out if isinstance(value, list) else (out[0] if out else "")
    return resolved, waiting


def _conflict(*, user: User, device_id, kind: str, payload: dict) -> Answer:
    SyncConflict.objects.create(
        device_id=device_id, kind=kind, payload=payload, user=user
    )
    return Answer(
        409,
        {
            "error": "conflict",
            "message": "Something different was already sent under this ID. "
            "It has been kept for an officer to check.",
        },
    )


def _same(item: SyncItem, *, user: User, kind: str, payload: dict) -> bool:
    return item.user_id == user.pk and item.kind == kind and item.payload == payload


def _lock_and_find(device_id: uuid.UUID) -> SyncItem | None:
    """What was stored under this ID, if anything, once the ID's lock is held.

    Requests for the same ID (a phone retrying while the first is still in
    flight) wait for each other at the lock, so the second sees what the
    first stored instead of tripping over the same rows. The lock and the
    look-up go in one round trip, written out: every submission makes it,
    and as two ORM queries it cost more (docs/scaling.md)."""
    q = connection.ops.quote_name
    meta = SyncItem._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s); "
            f"SELECT {q(meta.pk.column)} FROM {q(meta.db_table)}"
            f" WHERE {q(meta.get_field('device_id').column)} = %s",
            [device_id.int & 0x7FFF_FFFF_FFFF_FFFF, device_id],
        )
        # psycopg2 sends both statements at once and gives the last one's
        # rows (the lock's come first and are dropped).
        found = cursor.fetchone()
    return SyncItem.objects.get(pk=found[0]) if found else None


# No savepoint of its own: inside a request's transaction, a failure here
# fails the request, and each service below keeps its own writes together.
@transaction.atomic(savepoint=False)
def sync_receive(*, user: User, device_id: uuid.UUID, kind: str, payload) -> Answer:
    if kind not in FORMS:
        return Answer(
            400, {"error": "bad-request", "message": f"Unknown kind {kind!r}."}
        )
    problem = _payload_errors(payload)
    if problem:
        return Answer(400, {"error": "bad-request", "message": problem})

    existing = _lock_and_find(device_id)
    if existing is not None:
        if _same(existing, user=user, kind=kind, payload=payload):
            return _stored(existing, 200)
        return _conflict(user=user, device_id=device_id, kind=kind, payload=payload)

    resolved, waiting = _resolve_device_ids(user=user, kind=kind, payload=payload)
    if waiting:
        return Answer(424, {"error": "waiting", "errors": waiting})

    data = MultiValueDict(
        {k: v if isinstance(v, list) else [v] for k, v in resolved.items()}
    )
    form = FORMS[kind](data=data, user=user)
    if not form.is_valid():
        return Answer(422, {"error": "invalid", "errors": _errors(form)})
    try:
        # The service writes all or nothing (it is atomic), so a refusal
        # leaves nothing behind.
        made = form.save(user)
    except ValidationError as error:
        add_service_errors(form, error)
        return Answer(422, {"error": "invalid", "errors": _errors(form)})
    item = SyncItem.objects.create(
        device_id=device_id, kind=kind, payload=payload, user=user, object_id=made.pk
    )
    return _stored(item, 201, made)


def _errors(form) -> dict[str, list[str]]:
    return {
        (name if name != "__all__" else "form"): [e["message"] for e in errors]
        for name, errors in form.errors.get_json_data().items()
    }

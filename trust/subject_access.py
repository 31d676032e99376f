"""Everything held about one resident, for a subject access request: their
record, gifts and interests, consents, conversations, introductions, groups,
grant applications made with their email address, and the audit trail about
them (changes, and who viewed or exported the record).

Other residents are third parties: they are never named here."""

from __future__ import annotations

import re

from django.db.models import Q

from communities.models import Introduction, Resident
from core.signals import personal_data_requested
from grants.models import Application

from .models import RecordAccess, event_model

RESIDENT_FIELDS = (
    "first_name",
    "last_name",
    "phone",
    "email",
    "street",
    "postcode",
    "cares_about",
    "would_like_to_do",
    "is_connector",
    "connector_gift",
)
EVENT_WORDS = {"insert": "created", "update": "changed", "delete": "deleted"}


def _redact(text: str, others: list[Resident]) -> str:
    """Free text with other residents' names taken out (they are third
    parties to this request)."""
    names = {n for o in others for n in (o.first_name, o.last_name) if len(n) > 1}
    for name in sorted(names, key=len, reverse=True):
        text = re.sub(
            rf"\b{re.escape(name)}\b", "[another resident]", text, flags=re.IGNORECASE
        )
    return text


def _others(people, resident: Resident) -> list[Resident]:
    return [p for p in people if p is not None and p.pk != resident.pk]


def _label(resident_field: str) -> str:
    return str(Resident._meta.get_field(resident_field).verbose_name).capitalize()


def _who(event) -> str:
    context = event.pgh_context
    if context is None:
        return "The system"
    metadata = context.metadata or {}
    return metadata.get("username") or metadata.get("reason") or "The system"


def _audit_entries(resident: Resident) -> list[dict]:
    involving = (
        Q(resident_id=resident.pk)
        | Q(to_resident_id=resident.pk)
        | Q(connector_id=resident.pk)
    )
    sources = (
        ("Their record", event_model("Resident").objects.filter(pgh_obj_id=resident.pk)),
        ("A gift or interest", event_model("ResidentTag").objects.filter(resident_id=resident.pk)),
        ("A consent", event_model("Consent").objects.filter(resident_id=resident.pk)),
        ("An introduction", event_model("Introduction").objects.filter(involving)),
    )  # fmt: skip
    entries = []
    for what, events in sources:
        for event in events.select_related("pgh_context"):
            entries.append(
                {
                    "when": event.pgh_created_at,
                    "what": f"{what} {EVENT_WORDS.get(event.pgh_label, event.pgh_label)}",
                    "by": _who(event),
                }
            )
    entries.sort(key=lambda entry: entry["when"])
    return entries


def subject_access_report(*, resident: Resident) -> dict:
    """A dict of plain values (dates stay dates), for the page and for JSON."""
    introductions = (
        Introduction.objects.involving(resident)
        | Introduction.objects.filter(connector=resident)
    ).select_related(
        "interest",
        "to_group",
        "builder",
        "site",
        "resident",
        "to_resident",
        "connector",
    )
    conversations = resident.conversations.select_related(
        "builder", "site", "area"
    ).prefetch_related("residents")
    return {
        "resident": {
            "id": resident.pk,
            "site": str(resident.site),
            "ward": str(resident.area) if resident.area_id else "",
            "recorded_by": str(resident.created_by),
            "recorded_at": resident.created_at,
            "last_changed_at": resident.updated_at,
            "details": [
                {"field": _label(name), "value": getattr(resident, name)}
                for name in RESIDENT_FIELDS
            ],
        },
        "gifts_and_interests": [
            {"kind": rt.get_kind_display(), "name": rt.tag.name}
            for rt in resident.tags.select_related("tag").order_by("kind", "tag__key")
        ],
        "consents": [
            {
                "purpose": c.get_purpose_display(),
                "wording": c.wording,
                "given_at": c.given_at,
                "recorded_by": str(c.recorded_by),
                "withdrawn_at": c.withdrawn_at,
            }
            for c in resident.consents.select_related("recorded_by").order_by(
                "given_at"
            )
        ],
        "conversations": [
            {
                "held_on": c.held_on,
                "site": str(c.site),
                "place": c.place,
                "builder": str(c.builder),
                "what_matters": _redact(
                    c.what_matters, _others(c.residents.all(), resident)
                ),
                "follow_up": _redact(c.follow_up, _others(c.residents.all(), resident)),
            }
            for c in conversations
        ],
        "introductions": [
            {
                "introduced_on": i.introduced_on,
                "role": (
                    "Introduced"
                    if i.resident_id == resident.pk
                    else "Was introduced to"
                    if i.to_resident_id == resident.pk
                    else "Made the introduction as a Community Connector"
                ),
                "to": str(i.to_group) if i.to_group_id else "Another resident",
                "interest": i.interest.name,
                "status": i.get_status_display(),
                "builder": str(i.builder),
                "notes": _redact(
                    i.notes, _others((i.resident, i.to_resident, i.connector), resident)
                ),
            }
            for i in introductions
        ],
        "groups": [
            {"name": g.name, "interest": g.interest.name}
            for g in resident.groups.select_related("interest")
        ],
        "grant_applications": [
            {
                "reference": a.reference,
                "fund": str(a.fund),
                "status": a.get_status_display(),
                "contact_name": a.contact_name,
                "email": a.email,
                "phone": a.phone,
                "title": a.title,
                "idea": a.idea,
                "amount_requested": a.amount_requested,
                "created_at": a.created_at,
            }
            for a in Application.objects.made_with_email(resident.email).select_related(
                "fund"
            )
        ],
        "other_records": [
            section
            for _receiver, section in personal_data_requested.send(
                sender=Resident, resident=resident
            )
            if section and section.get("items")
        ],
        "changes": _audit_entries(resident),
        "record_accesses": [
            {"when": a.at, "who": str(a.user), "what": a.get_action_display()}
            for a in RecordAccess.objects.about(resident).select_related("user")
        ],
    }

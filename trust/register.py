"""The data register: what personal data the product holds, why, for how
long and who sees it. The privacy notice is rendered from it, and field
labels come from the models themselves; trust/tests/test_register.py fails
when a model gains a text field that the register does not account for, so
the notice stays true as the product grows."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.conf import settings

LAWFUL_BASIS = (
    "Public task (UK GDPR Article 6(1)(e)): the council's duty to promote the "
    "wellbeing of its area. Separately, we record what each resident agreed "
    "to: to be contacted, to be introduced to others, and to be named in stories."
)


@dataclass(frozen=True)
class Entry:
    model: str  # "app_label.ModelName"
    title: str
    purpose: str
    who_sees: str
    retention: str
    personal: tuple[str, ...]  # fields holding personal data
    not_personal: tuple[str, ...] = ()  # text fields that hold none

    @property
    def model_class(self):
        return apps.get_model(self.model)

    def fields(self) -> list[str]:
        """The personal fields, by the labels people see on the forms."""
        meta = self.model_class._meta
        return [str(meta.get_field(name).verbose_name) for name in self.personal]


def _years(days: int) -> str:
    if not days:
        return "until an officer erases it"
    years, rest = divmod(days, 365)
    return f"{years} years" if not rest else f"{days} days"


def entries() -> list[Entry]:
    resident_days = settings.RETENTION_RESIDENT_INACTIVE_DAYS
    draft_days = settings.RETENTION_DRAFT_APPLICATION_DAYS
    resident_retention = (
        f"Anonymised after {_years(resident_days)} with no activity, or sooner "
        "if the resident asks. Counts (of conversations, introductions, gifts "
        "and interests) are kept without their name."
    )
    builders_and_officers = (
        "The Community Builders of the resident's site and council officers. "
        "Grant panel members and cabinet members never see it."
    )
    return [
        Entry(
            "communities.Resident",
            "Residents a Community Builder has met",
            "To connect residents with others who share their interests, and "
            "to contact them when they agreed to it.",
            builders_and_officers,
            resident_retention,
            personal=(
                "first_name",
                "last_name",
                "phone",
                "email",
                "street",
                "postcode",
                "area",
                "cares_about",
                "would_like_to_do",
                "is_connector",
                "connector_gift",
            ),
        ),
        Entry(
            "communities.ResidentTag",
            "Residents' gifts and interests",
            "To suggest introductions between residents who share an interest.",
            builders_and_officers,
            "Kept with the resident's record; after erasure only as an "
            "anonymous count.",
            personal=("tag", "kind"),
            not_personal=("kind",),
        ),
        Entry(
            "communities.Consent",
            "What each resident agreed to",
            "To show what a resident agreed to, with the words they were shown, "
            "and when they withdrew.",
            builders_and_officers,
            resident_retention,
            personal=("purpose", "given_at", "withdrawn_at"),
            not_personal=("purpose", "wording"),
        ),
        Entry(
            "communities.Conversation",
            "Conversations Community Builders log",
            "To remember what matters to residents and follow up.",
            builders_and_officers,
            "Notes are removed when a resident who took part is erased; the "
            "conversation is still counted.",
            personal=("residents", "what_matters", "follow_up", "place"),
        ),
        Entry(
            "communities.Introduction",
            "Introductions between residents",
            "To record who was introduced to whom, and whether they met.",
            builders_and_officers,
            "Notes are removed when either resident is erased; the "
            "introduction is still counted.",
            personal=("resident", "to_resident", "connector", "notes"),
            not_personal=("made_by", "status"),
        ),
        Entry(
            "communities.Group",
            "Groups that formed, and their members",
            "To count groups formed around an interest and who joined.",
            builders_and_officers,
            "Members who are erased stay as anonymous members.",
            personal=("members",),
            not_personal=("name", "description"),
        ),
        Entry(
            "grants.Application",
            "Small sparks grant applications",
            "To decide on, pay and follow up a grant.",
            "Council officers. Grant panel members see the applicant's name and "
            "idea, never how to contact them. Cabinet members never see it.",
            f"Unsent applications are deleted after {_years(draft_days)}. Sent "
            "applications are kept as grant records.",
            personal=("contact_name", "email", "phone", "group_name"),
            not_personal=(
                "reference",
                "status",
                "resume_nonce",
                "applicant_type",
                "title",
                "idea",
                "who_it_helps",
                "spending_plan",
                "screening_notes",
                "decision_maker",
                "decision_reason",
            ),
        ),
        Entry(
            "communities.User",
            "Staff and panel accounts",
            "To let builders, officers, panel and cabinet members sign in, and "
            "to record who did what.",
            "Council officers.",
            "Kept while the account is in use.",
            personal=("username", "first_name", "last_name", "email"),
            not_personal=("password",),
        ),
        Entry(
            "trust.RecordAccess",
            "Who viewed or exported a resident's record",
            "To let the council show who has seen a resident's record.",
            "Council officers, and the resident through a subject access request.",
            "Kept with the resident's record.",
            personal=("resident", "user", "action", "at"),
            not_personal=("action", "path"),
        ),
    ]

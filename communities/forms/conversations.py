"""Logging a conversation, with someone already known or someone new."""

from crispy_forms_gds.layout import Field, Fieldset, Layout, Size
from django import forms
from django.urls import reverse

from core.forms import GovUKFormMixin, ScopedChoiceField, ScopedMultipleChoiceField

from .. import services
from ..models import (
    Area,
    Conversation,
    Resident,
    Site,
)
from .shared import (
    TAGS_HINT,
    OffersRecentMixin,
    ResidentFieldsMixin,
    SiteChoiceField,
    SiteChoiceMixin,
    date_field,
)


class ConversationForm(
    OffersRecentMixin, SiteChoiceMixin, GovUKFormMixin, ResidentFieldsMixin
):
    """Log a conversation, and record a resident met for the first time, on
    one screen."""

    submit_text = "Save conversation"
    outbox_kind = "conversation"

    site = SiteChoiceField(label="Site", queryset=Site.objects.none())
    held_on = date_field("Date of the conversation", "of the conversation")
    area = ScopedChoiceField(
        label="Ward (optional)", queryset=Area.objects.none(), required=False
    )
    place = forms.CharField(
        label="Where (optional)",
        help_text="For example: outside the Co-op on the high street",
        max_length=200,
        required=False,
    )
    residents = ScopedMultipleChoiceField(
        label="Residents you met recently who were there (optional)",
        queryset=Resident.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    add_new_resident = forms.BooleanField(
        label="I met someone new and want to record them", required=False
    )
    what_matters = forms.CharField(
        label="What matters to them",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    gifts_discovered = forms.CharField(
        label="Gifts and passions you discovered (optional)",
        help_text=TAGS_HINT,
        required=False,
    )
    follow_up = forms.CharField(
        label="Follow-up (optional)",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_site(user)
        self.fields["residents"].scope(lambda: Resident.objects.visible_to(user))
        for name in self.RESIDENT_FIELDS:
            self.fields[name].required = False

    def prepare_to_draw(self):
        super().prepare_to_draw()
        self.offer_recent_residents("residents")

    def clean_residents(self) -> list[Resident]:
        # None ticked: nothing to read (even an empty queryset is compiled
        # when read, docs/scaling.md); the ones ticked were read when they
        # were checked.
        if not self["residents"].data:
            return []
        return list(self.cleaned_data["residents"])

    def save(self, user) -> Conversation:
        data = self.cleaned_data
        return services.conversation_log(
            builder=user,
            site=data["site"],
            held_on=data["held_on"],
            area=data["area"],
            place=data["place"],
            residents=data["residents"],
            new_resident=self.new_resident(),
            what_matters=data["what_matters"],
            gifts_discovered=[
                p for p in (data["gifts_discovered"] or "").split(",") if p.strip()
            ],
            follow_up=data["follow_up"],
        )

    def clean(self):
        data = super().clean()
        if data.get("add_new_resident") and not (data.get("first_name") or "").strip():
            self.add_error("first_name", "Enter the new resident's first name.")
        return data

    def new_resident(self) -> dict | None:
        if not self.cleaned_data.get("add_new_resident"):
            return None
        return self.resident_kwargs()

    @staticmethod
    def done(conversation) -> tuple[str, str]:
        met = getattr(conversation, "residents_met", None)
        if met is None:  # read back, not just logged
            met = list(conversation.residents.all()[:2])
        url = (
            met[0].get_absolute_url()
            if len(met) == 1
            else reverse("communities:my-work")
        )
        return "Your conversation has been saved.", url

    def get_layout(self):
        return Layout(
            Field.select("site"),
            Field("held_on"),
            Field.select("area"),
            Field.text("place"),
            Field.checkboxes("residents", legend_size=Size.SMALL, small=True),
            Field.checkbox("add_new_resident"),
            Fieldset(
                *self.resident_layout(),
                legend="The new resident",
                legend_size=Size.MEDIUM,
                css_class="abcd-new-resident",
            ),
            Field.textarea("what_matters"),
            Field.text("gifts_discovered", list="tag-vocabulary"),
            Field.textarea("follow_up"),
        )

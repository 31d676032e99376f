"""Making an introduction and following it up."""

from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.db.models import Q

from core.forms import GovUKFormMixin

from .. import services
from ..models import (
    Consent,
    Group,
    Introduction,
    Resident,
)
from .shared import (
    RECENT_HINT,
    FindsResidentsMixin,
    date_field,
)


class IntroductionForm(FindsResidentsMixin, GovUKFormMixin, forms.Form):
    submit_text = "Save introduction"
    outbox_kind = "introduction"

    resident = forms.ModelChoiceField(
        label="Who are you introducing",
        help_text=RECENT_HINT,
        queryset=Resident.objects.none(),
        error_messages={"required": "Choose who you are introducing"},
    )
    to_resident = forms.ModelChoiceField(
        label="Introduce them to a resident",
        help_text=RECENT_HINT,
        queryset=Resident.objects.none(),
        required=False,
    )
    to_group = forms.ModelChoiceField(
        label="Or to a group", queryset=Group.objects.none(), required=False
    )
    interest = forms.CharField(label="The interest or gift they share", max_length=60)
    made_by = forms.ChoiceField(
        label="Who made the introduction",
        choices=Introduction.MadeBy.choices,
        initial=Introduction.MadeBy.BUILDER,
        widget=forms.RadioSelect,
    )
    connector = forms.ModelChoiceField(
        label="The Community Connector who made it",
        queryset=Resident.objects.none(),
        required=False,
    )
    introduced_on = date_field("Date of the introduction", "of the introduction")
    notes = forms.CharField(
        label="Notes (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    find = forms.CharField(
        label="Find other residents by name (optional)",
        help_text="Anyone found is offered above. What you have chosen stays chosen.",
        max_length=100,
        required=False,
    )

    find_in = "resident"

    def __init__(self, *args, user, resident=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.resident = resident
        willing = (
            Resident.objects.visible_to(user)
            .consented(Consent.Purpose.INTRODUCE)
            .order_by("first_name", "last_name")
        )
        self.fields["resident"].queryset = willing
        self.fields["to_resident"].queryset = willing
        self.fields["to_group"].queryset = Group.objects.visible_to(user).active()
        self.fields["connector"].queryset = willing.connectors()
        if resident is not None:
            # Reached from the resident's own page: who is already known.
            self.fields["resident"].initial = resident.pk
            self.fields["resident"].widget = forms.HiddenInput()
            self.fields["to_resident"].queryset = willing.exclude(pk=resident.pk)

    def prepare_to_draw(self):
        super().prepare_to_draw()
        self.offer_recent_residents("resident", "to_resident", also=self.found())
        # Groups and Community Connectors: those of the chosen resident's
        # site, or of the sites of the residents on offer (an officer's city
        # has thousands of groups). Any the user may see is still accepted.
        sites = self._sites_on_offer()
        for name in ("to_group", "connector"):
            field = self.fields[name]
            field.queryset = field.queryset.filter(
                Q(site__in=sites) | Q(pk__in=self.chosen(name))
            )

    def _sites_on_offer(self) -> set[int]:
        """The chosen resident's site, or else the sites of the residents on
        offer."""
        if self.resident is not None:
            return {self.resident.site_id}
        residents = self.fields["resident"].queryset
        chosen = residents.filter(pk__in=self.chosen("resident"))
        return set(chosen.values_list("site_id", flat=True)) or set(
            residents.values_list("site_id", flat=True).distinct()
        )

    def clean(self):
        data = super().clean()
        if bool(data.get("to_resident")) == bool(data.get("to_group")):
            raise forms.ValidationError("Choose one resident or one group.")
        if data.get("made_by") == "connector" and not data.get("connector"):
            self.add_error("connector", "Choose the Community Connector who made it.")
        return data

    def save(self, user) -> Introduction:
        data = self.cleaned_data
        return services.introduction_make(
            resident=data["resident"],
            to_resident=data["to_resident"],
            to_group=data["to_group"],
            interest=data["interest"],
            builder=user,
            made_by=data["made_by"],
            connector=data["connector"],
            introduced_on=data["introduced_on"],
            notes=data["notes"],
        )

    @staticmethod
    def done(introduction) -> tuple[str, str]:
        return (
            "Your introduction has been saved.",
            introduction.resident.get_absolute_url(),
        )

    def get_layout(self):
        return Layout(
            Field.select("resident"),
            Field.select("to_resident"),
            Field.text("find"),
            self.find_button(),
            Field.select("to_group"),
            Field.text("interest", list="tag-vocabulary"),
            Field.radios("made_by", legend_size=Size.SMALL, small=True),
            Field.select("connector"),
            Field("introduced_on"),
            Field.textarea("notes"),
        )


class IntroductionStatusForm(GovUKFormMixin, forms.Form):
    submit_text = "Update"

    status = forms.ChoiceField(
        label="What happened",
        choices=Introduction.Status.choices,
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(
        label="Notes (optional)",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def get_layout(self):
        return Layout(
            Field.radios("status", legend_size=Size.SMALL, small=True),
            Field.textarea("notes"),
        )

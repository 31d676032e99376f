"""Recording a group that formed, and its celebration events."""

import datetime

from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core.forms import GovUKFormMixin, ScopedChoiceField

from .. import services
from ..models import (
    Area,
    Group,
    Introduction,
    Resident,
    Site,
)
from .shared import (
    FindsResidentsMixin,
    SiteChoiceField,
    SiteChoiceMixin,
    date_field,
)


class IntroductionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        target = obj.to_resident or obj.to_group
        return f"{obj.resident} and {target}, through {obj.interest} ({obj.introduced_on:%-d %b})"


class GroupForm(FindsResidentsMixin, SiteChoiceMixin, GovUKFormMixin, forms.Form):
    submit_text = "Save group"
    outbox_kind = "group"

    name = forms.CharField(label="Name of the group", max_length=200)
    interest = forms.CharField(label="The interest it formed around", max_length=60)
    site = SiteChoiceField(label="Site", queryset=Site.objects.none())
    area = ScopedChoiceField(
        label="Ward (optional)", queryset=Area.objects.none(), required=False
    )
    founded_on = date_field("When it started", "the group started")
    description = forms.CharField(
        label="What the group does (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    members = forms.ModelMultipleChoiceField(
        label="Members (optional)",
        help_text="Residents you met recently. To add anyone else, find them below.",
        queryset=Resident.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    find = forms.CharField(
        label="Find other members by name (optional)",
        help_text="Finding needs a signal. Anyone you have ticked stays ticked.",
        max_length=100,
        required=False,
    )
    grew_from = IntroductionChoiceField(
        label="The introductions it grew from (optional)",
        help_text="The latest introductions of the last year.",
        queryset=Introduction.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_site(user)
        since = timezone.localdate() - datetime.timedelta(days=365)
        self.fields["members"].queryset = Resident.objects.visible_to(user).order_by(
            "first_name", "last_name"
        )
        self.fields["grew_from"].queryset = (
            Introduction.objects.visible_to(user)
            .open()
            .filter(introduced_on__gte=since)
            .with_parties()
        )

    find_in = "members"

    def prepare_to_draw(self):
        super().prepare_to_draw()
        self.offer_recent_residents("members", also=self.found())
        field = self.fields["grew_from"]
        latest = field.queryset.order_by("-introduced_on", "-pk").values("pk")
        field.queryset = field.queryset.filter(
            Q(pk__in=latest[: self.OFFERED]) | Q(pk__in=self.chosen("grew_from"))
        )

    def save(self, user) -> Group:
        data = self.cleaned_data
        return services.group_record(
            name=data["name"],
            interest=data["interest"],
            site=data["site"],
            area=data["area"],
            founded_on=data["founded_on"],
            description=data["description"],
            members=data["members"],
            grew_from=data["grew_from"],
            created_by=user,
        )

    @staticmethod
    def done(group) -> tuple[str, str]:
        return (
            f"{group.name} has been recorded.",
            reverse("communities:group-detail", args=[group.pk]),
        )

    def get_layout(self):
        return Layout(
            Field.text("name"),
            Field.text("interest", list="tag-vocabulary"),
            Field.select("site"),
            Field.select("area"),
            Field("founded_on"),
            Field.textarea("description"),
            Field.checkboxes("members", legend_size=Size.SMALL, small=True),
            Field.text("find"),
            self.find_button(),
            Field.checkboxes("grew_from", legend_size=Size.SMALL, small=True),
        )


class CelebrationForm(GovUKFormMixin, forms.Form):
    submit_text = "Save celebration"

    name = forms.CharField(label="What was celebrated", max_length=200)
    held_on = date_field("Date", "of the celebration")
    attendance = forms.IntegerField(label="How many people came", min_value=0)

    def get_layout(self):
        return Layout(
            Field.text("name"),
            Field("held_on"),
            Field.text("attendance", field_width=4, inputmode="numeric"),
        )

"""Recording a resident, and the filters of the residents list."""

from crispy_forms_gds.layout import Field, Layout
from django import forms

from core.forms import GovUKFormMixin, ScopedChoiceField

from .. import services
from ..models import (
    Area,
    Resident,
    Site,
    Tag,
)
from .shared import (
    ResidentFieldsMixin,
    SiteChoiceField,
    SiteChoiceMixin,
)


class ResidentForm(SiteChoiceMixin, GovUKFormMixin, ResidentFieldsMixin):
    submit_text = "Save resident"
    outbox_kind = "resident"

    site = SiteChoiceField(label="Site", queryset=Site.objects.none())
    area = ScopedChoiceField(
        label="Ward (optional)", queryset=Area.objects.none(), required=False
    )

    def __init__(self, *args, user, editing: bool = False, **kwargs):
        # Read by get_layout, which the GOV.UK mixin calls during __init__.
        self.editing = editing
        super().__init__(*args, **kwargs)
        self.setup_site(user)
        if editing:
            # A resident's site stays, and consent is changed on their page,
            # with its own record of who and when.
            del self.fields["consents"]
            self.fields["site"].disabled = True

    def save(self, user) -> Resident:
        return services.resident_create(
            site=self.cleaned_data["site"],
            area=self.cleaned_data["area"],
            created_by=user,
            **self.resident_kwargs(),
        )

    @staticmethod
    def done(resident) -> tuple[str, str]:
        """What to tell the builder, and where to take them, once saved."""
        return f"{resident.first_name} has been added.", resident.get_absolute_url()

    def get_layout(self):
        fields = self.resident_layout()
        if self.editing:
            fields = [f for f in fields if "consents" not in f.fields]
        return Layout(
            Field.select("site"),
            *fields[:6],
            Field.select("area"),
            *fields[6:],
        )


class ResidentFilterForm(GovUKFormMixin, forms.Form):
    """The filters on the staff lists (GET, so results can be bookmarked)."""

    submit_text = "Apply filters"
    form_method = "get"

    q = forms.CharField(label="Name, postcode or interest", required=False)
    site = forms.ModelChoiceField(
        label="Site",
        queryset=Site.objects.none(),
        required=False,
        empty_label="All sites",
    )
    ward = forms.ModelChoiceField(
        label="Ward",
        queryset=Area.objects.none(),
        required=False,
        empty_label="All wards",
    )
    interest = forms.ModelChoiceField(
        label="Interest or gift",
        queryset=Tag.objects.all(),
        to_field_name="key",
        required=False,
        empty_label="Any",
    )
    since = forms.DateField(
        label="From",
        required=False,
        widget=forms.DateInput(
            attrs={"type": "date", "class": "govuk-input govuk-input--width-10"},
            format="%Y-%m-%d",
        ),
    )
    until = forms.DateField(
        label="To",
        required=False,
        widget=forms.DateInput(
            attrs={"type": "date", "class": "govuk-input govuk-input--width-10"},
            format="%Y-%m-%d",
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        sites = Site.objects.visible_to(user)
        self.fields["site"].queryset = sites
        self.fields["ward"].queryset = (
            Area.objects.wards().filter(sites__in=sites).distinct().for_choices()
        )

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error(
                "until", "The 'to' date must be the same as or after the 'from' date."
            )
        return data

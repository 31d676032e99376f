from crispy_forms_gds.layout import Field, Fieldset, Fluid, Layout, Size
from django import forms
from django.utils import timezone

from communities.models import Area, Tag
from core.forms import GovUKFormMixin

from . import importing
from .models import ASSET_CATEGORIES, Asset, MappingSession

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class MapFilterForm(GovUKFormMixin, forms.Form):
    """The map's and the table's filters, sent as a GET query."""

    submit_text = "Apply filters"

    category = forms.ChoiceField(
        required=False, choices=[("", "All categories"), *ASSET_CATEGORIES]
    )
    tag = forms.ModelChoiceField(
        required=False,
        queryset=Tag.objects.filter(assets__isnull=False).distinct(),
        empty_label="All tags",
        to_field_name="key",
    )
    area = forms.ModelChoiceField(
        label="Ward",
        required=False,
        queryset=Area.objects.wards(),
        empty_label="All wards",
    )

    def __init__(self, *args, shadings=None, **kwargs):
        """``shadings``, (key, label) pairs, adds the choice of how the
        wards are shaded (the map's page; its data ignores it)."""
        super().__init__(*args, **kwargs)
        if shadings:
            self.fields["shading"] = forms.ChoiceField(
                label="Shade wards by", required=False, choices=shadings
            )
        self.helper.form_method = "get"

    def get_layout(self):
        fields = [Field.select("category"), Field.select("tag"), Field.select("area")]
        if "shading" in self.fields:
            fields.append(Field.select("shading"))
        return Layout(*fields)

    def filters(self) -> dict:
        """The valid filters; a value that matches nothing (an old link to a
        tag no longer used, say) is ignored rather than failing the map."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "category": data.get("category") or "",
            "tag": data.get("tag"),
            "area": data.get("area"),
        }

    def shading(self) -> str:
        """The chosen shading's key, or the first when none (or an unknown
        one) is chosen."""
        self.is_valid()
        chosen = getattr(self, "cleaned_data", {}).get("shading")
        return chosen or self.fields["shading"].choices[0][0]


class AssetForm(GovUKFormMixin, forms.ModelForm):
    submit_text = "Save asset"

    website = forms.URLField(required=False, assume_scheme="https", max_length=200)
    tag_names = forms.CharField(
        label="Tags",
        required=False,
        help_text="Words people would search for, separated by commas.",
    )

    class Meta:
        model = Asset
        fields = [
            "name",
            "category",
            "description",
            "tag_names",
            "address",
            "postcode",
            "latitude",
            "longitude",
            "area",
            "contact_email",
            "contact_phone",
            "website",
            "opening_times",
            "mapping_session",
            "visibility",
            "status",
        ]
        labels = {"area": "Ward"}
        widgets = {
            "category": forms.RadioSelect,
            "visibility": forms.RadioSelect,
            "status": forms.RadioSelect,
        }
        help_texts = {
            "latitude": "Decimal degrees, such as 51.8642.",
            "longitude": "Decimal degrees, such as -2.2382.",
            "area": "Leave blank to find the ward from the location.",
            "mapping_session": "The mapping session that found it, if any.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.wards()
        self.fields["area"].empty_label = "Find it from the location"
        self.fields["category"].choices = ASSET_CATEGORIES
        self.fields["mapping_session"].empty_label = "None"
        if self.instance.pk:
            self.fields["tag_names"].initial = ", ".join(
                tag.name for tag in self.instance.tags.all()
            )

    def get_layout(self):
        return Layout(
            Field.text("name"),
            Field.radios("category", legend_size=Size.SMALL),
            Field.textarea("description", rows=3),
            Field.text("tag_names"),
            Fieldset(
                Field.text("address"),
                Field.text("postcode", field_width=10),
                Field.text("latitude", field_width=10),
                Field.text("longitude", field_width=10),
                Field.select("area"),
                legend="Where it is",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.text("contact_email", field_width=Fluid.TWO_THIRDS),
                Field.text("contact_phone", field_width=20),
                Field.text("website", field_width=Fluid.TWO_THIRDS),
                Field.textarea("opening_times", rows=2),
                legend="Public contact details",
                legend_size=Size.MEDIUM,
            ),
            Field.select("mapping_session"),
            Field.radios("visibility", legend_size=Size.SMALL),
            Field.radios("status", legend_size=Size.SMALL, inline=True),
        )

    def clean(self):
        data = super().clean()
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error(
                "longitude", "Enter both the latitude and the longitude, or neither."
            )
        return data

    def tag_list(self) -> list[str]:
        return [
            t for t in self.cleaned_data.get("tag_names", "").split(",") if t.strip()
        ]


class MappingSessionForm(GovUKFormMixin, forms.ModelForm):
    submit_text = "Save mapping session"

    class Meta:
        model = MappingSession
        fields = ["name", "held_on", "area", "participants", "notes"]
        labels = {"area": "Ward", "name": "Name of the session"}
        widgets = {"held_on": forms.DateInput(attrs={"type": "date"})}
        help_texts = {"held_on": "For example, 27 3 2026."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.wards()

    def get_layout(self):
        return Layout(
            Field.text("name"),
            Field.text("held_on", field_width=10),
            Field.select("area"),
            Field.text("participants", field_width=5),
            Field.textarea("notes", rows=3),
        )

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise forms.ValidationError("The date must be today or in the past.")
        return held_on


class ImportUploadForm(GovUKFormMixin, forms.Form):
    submit_text = "Upload file"

    file = forms.FileField(
        label="Upload a CSV file",
        help_text="Use the template's columns, or match your own on the next page.",
    )

    def get_layout(self):
        return Layout(Field("file"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The selected file must be smaller than 10 MB.")
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError("The selected file must be a CSV.")
        return upload


class ColumnMappingForm(GovUKFormMixin, forms.Form):
    """For each template column, which of the file's columns holds it."""

    submit_text = "Check and import"

    default_category = forms.ChoiceField(
        label="Category for rows without one",
        required=False,
        choices=[("", "None: every row must have a category"), *ASSET_CATEGORIES],
        help_text="Used when the file has no category column, or a row leaves "
        "it blank.",
    )

    def __init__(self, *args, headers, initial_mapping, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "Not in this file"), *[(h, h) for h in headers]]
        for column in importing.TEMPLATE_COLUMNS:
            self.fields[f"col_{column}"] = forms.ChoiceField(
                label=column.replace("_", " ").capitalize(),
                choices=choices,
                required=False,
                initial=initial_mapping.get(column, ""),
                help_text=importing.COLUMN_HELP[column],
            )
        self.helper.layout = Layout(
            *[Field.select(f"col_{c}") for c in importing.TEMPLATE_COLUMNS],
            Field.select("default_category"),
        )

    def get_layout(self):
        return None

    def mapping(self) -> dict[str, str]:
        return {
            column: self.cleaned_data.get(f"col_{column}", "")
            for column in importing.TEMPLATE_COLUMNS
        }

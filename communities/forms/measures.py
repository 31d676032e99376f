"""The officer's forms for the council's places: loading a needs measure."""

from crispy_forms_gds.layout import Field, Fieldset, Fluid, Layout, Size
from django import forms

from core.forms import GovUKFormMixin

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class WardMeasureLoadForm(GovUKFormMixin, forms.Form):
    submit_text = "Check and load"

    file = forms.FileField(
        label="Upload a CSV file",
        help_text="One row for each ward: its ward code and its value.",
    )
    name = forms.CharField(
        label="Name of the measure",
        max_length=120,
        help_text="Such as: Community Needs Index. Loading a measure with the "
        "name of one already loaded replaces its values.",
    )
    source = forms.CharField(
        label="Source",
        max_length=300,
        help_text="Who publishes the figures, and which release or year.",
    )
    higher_is_more_need = forms.TypedChoiceField(
        label="Which values mean more need?",
        choices=[
            ("true", "Higher values mean more need"),
            ("false", "Lower values mean more need"),
        ],
        coerce=lambda value: value == "true",
        widget=forms.RadioSelect,
        help_text="Wards with more need are shaded darker on the map.",
        error_messages={
            "required": "Say whether higher or lower values mean more need."
        },
    )
    unit = forms.CharField(
        label="Unit (optional)",
        max_length=40,
        required=False,
        help_text="Such as: score, %, people.",
    )
    description = forms.CharField(
        label="What the figure means (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    code_column = forms.CharField(
        label="Column of ward codes (optional)",
        max_length=100,
        required=False,
        help_text="Found by its name when it is WD23CD (or another year), "
        "Ward code or code.",
    )
    value_column = forms.CharField(
        label="Column of values (optional)",
        max_length=100,
        required=False,
        help_text="Needed only when the file has more than one column of numbers.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The selected file must be smaller than 5 MB.")
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError("The selected file must be a CSV.")
        return upload

    def get_layout(self):
        return Layout(
            Field("file"),
            Field.text("name", field_width=Fluid.TWO_THIRDS),
            Field.text("source", field_width=Fluid.FULL),
            Field.radios("higher_is_more_need", legend_size=Size.SMALL),
            Field.text("unit", field_width=Fluid.ONE_THIRD),
            Field.textarea("description"),
            Fieldset(
                Field.text("code_column", field_width=Fluid.ONE_THIRD),
                Field.text("value_column", field_width=Fluid.ONE_THIRD),
                legend="If the columns are not found",
                legend_size=Size.SMALL,
            ),
        )

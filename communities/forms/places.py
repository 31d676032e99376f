"""The officers' forms for the council's places: ward boundaries and
deprivation files."""

from __future__ import annotations

from crispy_forms_gds.layout import Field, Fieldset, Layout
from django import forms

from core.forms import GovUKFormMixin

# Generalised ward boundaries for a whole council are a few megabytes; LSOA
# boundaries for a large council, clipped to its area, a few tens.
MAX_BOUNDARY_BYTES = 60 * 1024 * 1024
MAX_RANKS_BYTES = 20 * 1024 * 1024


def _checked(upload, *, suffixes: tuple[str, ...], kind: str, limit: int):
    if upload.size > limit:
        raise forms.ValidationError(
            f"The selected file must be smaller than {limit // (1024 * 1024)} MB."
        )
    if not upload.name.lower().endswith(suffixes):
        raise forms.ValidationError(f"The selected file must be {kind}.")
    return upload


class WardsUploadForm(GovUKFormMixin, forms.Form):
    submit_text = "Load the wards"

    file = forms.FileField(
        label="Ward boundaries (GeoJSON)",
        help_text="In longitude and latitude (WGS 84), such as ONS's “Wards "
        "(December 2023) Boundaries UK BGC” downloaded as GeoJSON.",
    )
    code_property = forms.CharField(
        label="Property holding the ward code (optional)",
        required=False,
        max_length=60,
        help_text="Leave blank when it follows ONS's pattern, such as WD23CD.",
    )
    name_property = forms.CharField(
        label="Property holding the ward name (optional)",
        required=False,
        max_length=60,
        help_text="Leave blank when it follows ONS's pattern, such as WD23NM.",
    )
    vintage = forms.IntegerField(
        label="Year of the boundaries (optional)",
        required=False,
        min_value=1974,
        max_value=2100,
        help_text="Leave blank when the code property says it (WD23CD is 2023).",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def get_layout(self):
        return Layout(
            Field("file"),
            Fieldset(
                Field.text("code_property", field_width=10),
                Field.text("name_property", field_width=10),
                Field.text("vintage", field_width=4),
                legend="If the file does not follow ONS's names",
                legend_size="s",
            ),
        )

    def clean_file(self):
        return _checked(
            self.cleaned_data["file"],
            suffixes=(".geojson", ".json"),
            kind="GeoJSON (.geojson or .json)",
            limit=MAX_BOUNDARY_BYTES,
        )


class DeprivationUploadForm(GovUKFormMixin, forms.Form):
    submit_text = "Load deprivation"

    lsoas = forms.FileField(
        label="LSOA boundaries (GeoJSON)",
        help_text="2011 LSOAs for IMD 2019, 2021 LSOAs for IMD 2025, in "
        "longitude and latitude (WGS 84). A file of your council's area is "
        "enough.",
    )
    ranks = forms.FileField(
        label="Deprivation ranks (CSV)",
        help_text="The English Indices of Deprivation File 1 (IMD 2019 or "
        "IoD 2025) saved as CSV, or any CSV with an LSOA code and an IMD rank.",
    )
    code_column = forms.CharField(
        label="Column holding the LSOA code (optional)",
        required=False,
        max_length=120,
        help_text="Leave blank for File 1, such as “LSOA code (2021)”.",
    )
    rank_column = forms.CharField(
        label="Column holding the IMD rank (optional)",
        required=False,
        max_length=120,
        help_text="Leave blank for File 1.",
    )
    lsoas_in_england = forms.IntegerField(
        label="LSOAs in England (only for an extract)",
        required=False,
        min_value=1,
        max_value=100_000,
        help_text="Leave blank for the whole File 1: the number is counted "
        "from it. 32,844 for IMD 2019, 33,755 for IMD 2025.",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def get_layout(self):
        return Layout(
            Field("lsoas"),
            Field("ranks"),
            Fieldset(
                Field.text("code_column", field_width=20),
                Field.text("rank_column", field_width=20),
                Field.text("lsoas_in_england", field_width=5),
                legend="If the ranks file is not File 1",
                legend_size="s",
            ),
        )

    def clean_lsoas(self):
        return _checked(
            self.cleaned_data["lsoas"],
            suffixes=(".geojson", ".json"),
            kind="GeoJSON (.geojson or .json)",
            limit=MAX_BOUNDARY_BYTES,
        )

    def clean_ranks(self):
        return _checked(
            self.cleaned_data["ranks"],
            suffixes=(".csv",),
            kind="a CSV",
            limit=MAX_RANKS_BYTES,
        )

from __future__ import annotations

import datetime

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.layout import HTML, Field, Fieldset, Fixed, Fluid, Layout, Size
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from communities.models import Area, Group, Resident, Site
from core.dates import financial_year_label, financial_year_of
from core.forms import GovUKFormMixin

from . import indicators, instruments
from .models import (
    AGREEMENT,
    CohesionQuestion,
    Indicator,
    Outcome,
    ReportRun,
    Story,
    SurveyResponse,
)

# Filters --------------------------------------------------------------------


class ScopeForm(GovUKFormMixin, forms.Form):
    """The dashboard's filter: the whole programme, one site or one ward."""

    submit_text = "Apply filter"
    form_method = "get"

    site = forms.ModelChoiceField(
        label="Site",
        queryset=Site.objects.all(),
        required=False,
        empty_label="All sites",
    )
    ward = forms.ModelChoiceField(
        label="Ward",
        queryset=Area.objects.wards().for_choices(),
        required=False,
        empty_label="All wards",
    )

    def get_layout(self):
        return Layout(Field.select("site"), Field.select("ward"))

    def clean(self):
        data = super().clean()
        if data.get("site") and data.get("ward"):
            raise ValidationError("Choose a site or a ward, not both.")
        return data

    def scope(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {"site": None, "area": None}
        return {"site": self.cleaned_data["site"], "area": self.cleaned_data["ward"]}


# The framework --------------------------------------------------------------


class OutcomeForm(GovUKFormMixin, forms.ModelForm):
    submit_text = "Save outcome"

    class Meta:
        model = Outcome
        fields = ["title", "description", "position"]
        labels = {"title": "Outcome", "position": "Order on the page"}
        help_texts = {"position": "Lower numbers come first."}
        error_messages = {"title": {"required": "Enter the outcome"}}

    def get_layout(self):
        return Layout(
            Field.text("title"),
            Field.textarea("description", rows=3),
            Field.text("position", field_width=Fixed.FIVE, inputmode="numeric"),
        )


class IndicatorForm(GovUKFormMixin, forms.ModelForm):
    submit_text = "Save indicator"

    class Meta:
        model = Indicator
        fields = ["name", "outcome", "position", "is_headline"]
        labels = {
            "name": "Name",
            "outcome": "The outcome it measures",
            "position": "Order under its outcome",
        }
        error_messages = {"name": {"required": "Enter the indicator's name"}}

    def get_layout(self):
        return Layout(
            Field.text("name"),
            Field.select("outcome"),
            Field.text("position", field_width=Fixed.FIVE, inputmode="numeric"),
            Field.checkbox("is_headline"),
        )


class CohesionQuestionForm(GovUKFormMixin, forms.ModelForm):
    submit_text = "Save question"

    outcome = forms.ModelChoiceField(
        label="The outcome it measures",
        queryset=Outcome.objects.all(),
        error_messages={"required": "Choose the outcome it measures"},
    )

    class Meta:
        model = CohesionQuestion
        fields = ["text", "position", "is_active"]
        labels = {"text": "Statement", "position": "Order in the survey"}
        help_texts = {
            "text": "Residents say how much they agree, such as "
            "“I know my neighbours' names”."
        }
        error_messages = {"text": {"required": "Enter the statement"}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # An existing question keeps its indicator's outcome, which is
            # changed on the indicator.
            del self.fields["outcome"]
            self.helper.layout = self.get_layout()

    def get_layout(self):
        parts = [Field.text("text")]
        if "outcome" in self.fields:
            parts.append(Field.select("outcome"))
        parts += [
            Field.text("position", field_width=Fixed.FIVE, inputmode="numeric"),
            Field.checkbox("is_active"),
        ]
        return Layout(*parts)

    def validate_unique(self):
        # The service says so in plain English.
        pass


# Surveys --------------------------------------------------------------------


def _choice(label, choices, **kwargs):
    return forms.TypedChoiceField(
        label=label,
        choices=choices,
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
        **kwargs,
    )


class SurveyForm(GovUKFormMixin, forms.Form):
    """The survey itself: SWEMWBS, ONS4 and the cohesion questions. Staff
    also say where and when it was completed; a resident answering through a
    link does not (the link says)."""

    submit_text = "Send answers"

    def __init__(self, *args, staff: bool = False, user=None, **kwargs):
        self.staff = staff
        self.questions = list(CohesionQuestion.objects.active())
        self.submit_text = "Save survey" if staff else "Send answers"
        super().__init__(*args, **kwargs)
        if staff:
            self.fields["area"] = forms.ModelChoiceField(
                label="Ward",
                queryset=Area.objects.wards(),
                error_messages={"required": "Choose the ward the resident lives in"},
            )
            # A builder records surveys for their own sites only.
            sites = Site.objects.visible_to(user) if user else Site.objects.none()
            self.fields["site"] = forms.ModelChoiceField(
                label="Site (optional)", queryset=sites, required=False
            )
            self.fields["wave"] = forms.ChoiceField(
                label="Is this a baseline or a follow-up survey?",
                choices=SurveyResponse.Wave.choices,
                widget=forms.RadioSelect,
                error_messages={"required": "Choose baseline or follow-up"},
            )
            self.fields["completed_on"] = DateInputField(
                label="Date completed", help_text="For example, 27 3 2026"
            )
        for item in instruments.swemwbs_items():
            self.fields[f"swemwbs_{item['number']}"] = _choice(
                item["text"], instruments.swemwbs_options()
            )
        for question in instruments.ons4_questions():
            anchors = question["anchors"]
            self.fields[question["key"]] = _choice(
                question["text"],
                [(n, str(n)) for n in range(11)],
                help_text=f"0 is {anchors['0']}, 10 is {anchors['10']}.",
            )
        for question in self.questions:
            self.fields[f"cohesion_{question.pk}"] = _choice(question.text, AGREEMENT)
        self.helper.layout = self.get_layout()

    def get_layout(self):
        if not hasattr(self, "questions"):
            return None
        parts = []
        if self.staff:
            parts += [
                Field.select("area"),
                Field.select("site"),
                Field.radios("wave", legend_size=Size.SMALL),
                Field("completed_on"),
            ]
        parts.append(
            Fieldset(
                HTML(
                    '<p class="govuk-body">'
                    + instruments.instruments()["swemwbs"]["stem"]
                    + " Answer all seven, or leave them all blank.</p>"
                ),
                *(
                    Field.radios(f"swemwbs_{item['number']}", small=True)
                    for item in instruments.swemwbs_items()
                ),
                legend="How you have been feeling",
                legend_size=Size.MEDIUM,
                legend_tag="h2",
            )
        )
        parts.append(
            Fieldset(
                HTML(
                    '<p class="govuk-body">For each question, choose a number '
                    "from 0 to 10.</p>"
                ),
                *(
                    Field.radios(q["key"], inline=True, small=True)
                    for q in instruments.ons4_questions()
                ),
                legend="Your life and yesterday",
                legend_size=Size.MEDIUM,
                legend_tag="h2",
            )
        )
        if self.questions:
            parts.append(
                Fieldset(
                    *(
                        Field.radios(f"cohesion_{q.pk}", small=True)
                        for q in self.questions
                    ),
                    legend="Your neighbourhood",
                    legend_size=Size.MEDIUM,
                    legend_tag="h2",
                )
            )
        return Layout(*parts)

    def clean(self):
        data = super().clean()
        swemwbs = [data.get(f"swemwbs_{n}") for n in range(1, 8)]
        given = [a for a in swemwbs if a is not None]
        if given and len(given) != 7:
            for n, answer in enumerate(swemwbs, start=1):
                if answer is None:
                    self.add_error(
                        f"swemwbs_{n}",
                        "Answer all seven statements about how you have been "
                        "feeling, or leave them all blank",
                    )
        completed_on = data.get("completed_on")
        if completed_on and completed_on > timezone.localdate():
            self.add_error("completed_on", "The date cannot be in the future")
        return data

    def answers(self) -> dict:
        data = self.cleaned_data
        return {
            "swemwbs": [data.get(f"swemwbs_{n}") for n in range(1, 8)],
            "ons4": {key: data.get(key) for key in instruments.ONS4_KEYS},
            "cohesion": {q.pk: data.get(f"cohesion_{q.pk}") for q in self.questions},
        }


class SurveyLinkForm(GovUKFormMixin, forms.Form):
    submit_text = "Make a link"

    area = forms.ModelChoiceField(
        label="Ward",
        queryset=Area.objects.wards(),
        error_messages={"required": "Choose the ward the link is for"},
    )
    site = forms.ModelChoiceField(
        label="Site (optional)", queryset=Site.objects.all(), required=False
    )
    wave = forms.ChoiceField(
        label="Baseline or follow-up?",
        choices=SurveyResponse.Wave.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose baseline or follow-up"},
    )

    def get_layout(self):
        return Layout(
            Field.select("area"),
            Field.select("site"),
            Field.radios("wave", legend_size=Size.SMALL),
        )


# Stories --------------------------------------------------------------------


class StoryForm(GovUKFormMixin, forms.ModelForm):
    submit_text = "Save story"

    told_on = DateInputField(
        label="When it was told", help_text="For example, 27 3 2026"
    )
    outcomes = forms.ModelMultipleChoiceField(
        label="Which outcomes does it speak to?",
        queryset=Outcome.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one outcome the story speaks to"},
    )
    is_anonymous = forms.TypedChoiceField(
        label="Should the story name who told it?",
        choices=[(True, "No, tell it without their name"), (False, "Yes, name them")],
        coerce=lambda value: value in (True, "True"),
        widget=forms.RadioSelect,
        initial=True,
    )

    class Meta:
        model = Story
        fields = [
            "title",
            "text",
            "told_by",
            "teller",
            "told_on",
            "outcomes",
            "consent_to_publish",
            "is_anonymous",
            "site",
            "area",
            "resident",
            "group",
        ]
        error_messages = {
            "title": {"required": "Give the story a title"},
            "text": {"required": "Enter the story"},
            "told_by": {"required": "Enter who told the story"},
            "teller": {"required": "Choose who told the story"},
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.wards()
        self.fields["resident"].queryset = Resident.objects.visible_to(user).order_by(
            "first_name", "last_name"
        )
        self.fields["resident"].label = "Resident it is about (optional, kept private)"
        self.fields["group"].queryset = Group.objects.visible_to(user)
        self.fields["group"].label = "Group it is about (optional)"
        self.fields["site"].label = "Site (optional)"
        self.fields["area"].label = "Ward (optional)"
        if self.instance.pk:
            self.initial["is_anonymous"] = self.instance.is_anonymous

    def get_layout(self):
        return Layout(
            Field.text("title"),
            Field.textarea("text", rows=8),
            Field.text("told_by", field_width=Fluid.TWO_THIRDS),
            Field.radios("teller", legend_size=Size.SMALL),
            Field("told_on"),
            Field.checkboxes("outcomes", legend_size=Size.SMALL),
            Field.checkbox("consent_to_publish"),
            Field.radios("is_anonymous", legend_size=Size.SMALL),
            Field.select("site"),
            Field.select("area"),
            Field.select("resident"),
            Field.select("group"),
        )


class StoryFromReportForm(GovUKFormMixin, forms.Form):
    submit_text = "Make it a story"

    outcomes = forms.ModelMultipleChoiceField(
        label="Which outcomes does it speak to?",
        queryset=Outcome.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one outcome the story speaks to"},
    )

    def get_layout(self):
        return Layout(Field.checkboxes("outcomes", legend_size=Size.SMALL))


# Reports --------------------------------------------------------------------


def _year_choices():
    this_year = financial_year_of(timezone.localdate())
    return [("", "Choose the year")] + [
        (
            str(year),
            f"{financial_year_label(year)} (1 April {year} to 31 March {year + 1})",
        )
        for year in range(this_year, this_year - 6, -1)
    ]


def _month_choices():
    months = indicators.months_ending(timezone.localdate(), 24)[::-1]
    return [("", "Choose the month")] + [(m.isoformat(), f"{m:%B %Y}") for m in months]


class ReportRequestForm(GovUKFormMixin, forms.Form):
    submit_text = "Build the report"

    kind = forms.ChoiceField(
        label="Which report?",
        choices=ReportRun.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the annual review or a monthly report"},
    )
    year = forms.TypedChoiceField(
        label="Financial year (for the annual review)",
        coerce=int,
        empty_value=None,
        required=False,
    )
    month = forms.TypedChoiceField(
        label="Month (for a monthly report)",
        coerce=datetime.date.fromisoformat,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _year_choices()
        self.fields["month"].choices = _month_choices()

    def get_layout(self):
        return Layout(
            Field.radios("kind", legend_size=Size.SMALL),
            Field.select("year"),
            Field.select("month"),
        )

    def period(self):
        data = self.cleaned_data
        if data["kind"] == ReportRun.Kind.ANNUAL:
            return data["year"]
        return data["month"]

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == ReportRun.Kind.ANNUAL and data.get("year") in (None, ""):
            self.add_error("year", "Choose the financial year")
        if kind == ReportRun.Kind.MONTHLY and data.get("month") in (None, ""):
            self.add_error("month", "Choose the month")
        return data


class RecommendationsForm(GovUKFormMixin, forms.Form):
    submit_text = "Save recommendations"

    recommendations = forms.CharField(
        label="Recommendations",
        help_text="Start each recommendation on a new line. Cabinet reads them "
        "as a numbered list.",
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=10_000,
        error_messages={"required": "Enter the recommendations"},
    )

    def get_layout(self):
        return Layout(Field.textarea("recommendations", label_size=Size.SMALL))

from __future__ import annotations

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.layout import Field, Fieldset, Fixed, Fluid, Layout, Size
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from communities.models import Area
from core.forms import GovUKFormMixin
from core.roles import Role, holders
from core.validators import multi_line, single_line

from .models import Application, Fund, GrantReport, Payment

MONEY_HINT = "In pounds, like 250 or 249.50."
MAX_PHOTO_BYTES = 5 * 1024 * 1024


def money_field(label: str, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=10,
        decimal_places=2,
        min_value=0,
        help_text=kwargs.pop("help_text", MONEY_HINT),
        error_messages={
            "required": f"Enter {label[0].lower() + label[1:]}",
            "invalid": "Enter an amount in pounds, like 250 or 249.50",
            "max_decimal_places": "Enter pounds and pence only, like 249.50",
            "min_value": "The amount must be £0 or more",
        },
        **kwargs,
    )


def money(field: str) -> Field:
    return Field.text(field, field_width=Fixed.TEN, prefix="£", inputmode="decimal")


def counted(form: forms.Form, field: str, rows: int) -> Field:
    """A text box with the GOV.UK character count, counting to the field's
    own maximum (the model's, for a model form)."""
    return Field.textarea(
        field, rows=rows, max_characters=form.fields[field].max_length
    )


def max_length_of(model, field: str) -> int:
    return model._meta.get_field(field).max_length


class PlainLimitsMixin:
    """Says a text's limit in plain words: "Your name must be 200 characters
    or fewer" ("Your answer", where the label is a question)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            limit = getattr(field, "max_length", None)
            if limit and isinstance(field, forms.CharField):
                label = str(field.label or "").split(" (")[0]
                if not label or label.endswith("?"):
                    label = "Your answer"
                field.error_messages["max_length"] = (
                    f"{label} must be {limit:,} characters or fewer"
                )


# The public application -----------------------------------------------------


class AboutForm(PlainLimitsMixin, GovUKFormMixin, forms.ModelForm):
    submit_text = "Save and continue"

    class Meta:
        model = Application
        fields = ["applicant_type", "contact_name", "group_name", "email", "phone"]
        widgets = {"applicant_type": forms.RadioSelect}
        labels = {"applicant_type": "Who is applying?"}
        help_texts = {
            "group_name": "Only if a group of you is applying. Your group does "
            "not need to be a charity or have a bank account.",
            "email": "We will email you a link so you can come back to your "
            "application, and tell you our decision.",
            "phone": "Optional. A UK phone number, in case we need to talk "
            "about your idea.",
        }
        error_messages = {
            "applicant_type": {"required": "Say whether it is just you or a group"},
            "contact_name": {"required": "Enter your name"},
            "email": {
                "required": "Enter your email address",
                "invalid": "Enter an email address like name@example.com",
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applicant_type"].choices = Application.ApplicantType.choices
        self.fields["contact_name"].label = "Your name"
        self.fields["group_name"].label = "Your group's name (if you are a group)"

    def get_layout(self):
        return Layout(
            Field.radios("applicant_type", legend_size=Size.MEDIUM),
            Field.text(
                "contact_name", field_width=Fluid.TWO_THIRDS, autocomplete="name"
            ),
            Field.text("group_name", field_width=Fluid.TWO_THIRDS),
            Field.text(
                "email",
                field_width=Fluid.TWO_THIRDS,
                autocomplete="email",
                spellcheck="false",
            ),
            Field.text("phone", field_width=Fixed.TWENTY, autocomplete="tel"),
        )


class IdeaForm(PlainLimitsMixin, GovUKFormMixin, forms.ModelForm):
    submit_text = "Save and continue"

    class Meta:
        model = Application
        fields = ["title", "idea", "who_it_helps", "people_expected"]
        # GOV.UK asks for whole numbers in a text input with a numeric
        # keyboard, not a number input.
        widgets = {"people_expected": forms.TextInput}
        help_texts = {
            "title": "A few words, like “Saturday gardening club”.",
            "idea": "Tell us in your own words. A few sentences is enough.",
            "who_it_helps": "For example, neighbours on your street, young "
            "people, or older people who live alone.",
        }
        error_messages = {
            "title": {"required": "Enter a name for your idea"},
            "idea": {"required": "Tell us what you want to do"},
            "who_it_helps": {"required": "Tell us who it will help"},
            "people_expected": {
                "invalid": "Enter a number, like 20",
                "min_value": "Enter a number, like 20",
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("title", "idea", "who_it_helps"):
            self.fields[name].required = True

    def get_layout(self):
        return Layout(
            Field.text("title", field_width=Fluid.TWO_THIRDS),
            counted(self, "idea", rows=5),
            counted(self, "who_it_helps", rows=3),
            Field.text("people_expected", field_width=Fixed.FIVE, inputmode="numeric"),
        )


class WhereForm(GovUKFormMixin, forms.ModelForm):
    submit_text = "Save and continue"

    class Meta:
        model = Application
        fields = ["area"]
        labels = {"area": "Which ward will your idea happen in?"}
        help_texts = {
            "area": "If you are not sure, choose the ward you live in.",
        }
        error_messages = {"area": {"required": "Choose a ward"}}

    def __init__(self, *args, fund: Fund, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].required = True
        self.fields["area"].queryset = fund.eligible_wards()
        self.fields["area"].empty_label = "Choose a ward"

    def get_layout(self):
        return Layout(Field.select("area"))


class MoneyForm(PlainLimitsMixin, GovUKFormMixin, forms.ModelForm):
    submit_text = "Save and continue"

    class Meta:
        model = Application
        fields = ["amount_requested", "spending_plan"]
        help_texts = {
            "spending_plan": "For example, £120 for seeds and tools, £80 for "
            "tea and cake at the first meeting.",
        }
        error_messages = {"spending_plan": {"required": "Tell us what you will buy"}}

    def __init__(self, *args, fund: Fund, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount_requested"] = money_field(
            "How much do you need?",
            help_text=f"You can ask for between £{fund.minimum_award:,.0f} and "
            f"£{fund.maximum_award:,.0f}. {MONEY_HINT}",
        )
        self.fields["spending_plan"].required = True

    def get_layout(self):
        return Layout(money("amount_requested"), counted(self, "spending_plan", rows=4))


class SubmitForm(GovUKFormMixin, forms.Form):
    submit_text = "Send application"


# Funds ------------------------------------------------------------------------


class FundForm(GovUKFormMixin, forms.ModelForm):
    submit_text = "Save fund"
    criteria = forms.CharField(
        label="What the panel scores each application against",
        help_text="One on each line, like “Brings neighbours together”. "
        "Each is scored from 1 to 5.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter at least one thing to score against"},
    )
    opens_on = DateInputField(label="Opens on", help_text="For example, 1 4 2026")
    closes_on = DateInputField(label="Closes on", help_text="For example, 31 3 2027")

    class Meta:
        model = Fund
        fields = [
            "name",
            "description",
            "site",
            "areas",
            "financial_year",
            "budget",
            "minimum_award",
            "maximum_award",
            "decision_method",
            "anonymous_review",
        ]
        widgets = {
            "decision_method": forms.RadioSelect,
            "areas": forms.CheckboxSelectMultiple,
        }
        labels = {
            "anonymous_review": "Hide applicants' names from the panel",
            "areas": "Wards",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["areas"].queryset = Area.objects.wards()
        self.fields["budget"] = money_field("Budget")
        self.fields["minimum_award"] = money_field("Smallest award")
        self.fields["maximum_award"] = money_field("Largest award")
        self.fields["decision_method"].choices = Fund.DecisionMethod.choices
        self.fields["decision_method"].label = "Who decides?"
        self.fields["site"].empty_label = "No site (council-wide)"
        if self.instance.pk:
            self.fields["criteria"].initial = "\n".join(
                c.title for c in self.instance.criteria.all()
            )
            self.fields["opens_on"].initial = self.instance.opens_on
            self.fields["closes_on"].initial = self.instance.closes_on

    def get_layout(self):
        return Layout(
            Field.text("name", field_width=Fluid.TWO_THIRDS),
            Field.textarea("description", rows=3),
            Field.select("site"),
            Field.checkboxes("areas", small=True),
            Field.text("financial_year", field_width=Fixed.FOUR, inputmode="numeric"),
            money("budget"),
            money("minimum_award"),
            money("maximum_award"),
            Field("opens_on"),
            Field("closes_on"),
            Field.radios("decision_method"),
            Field.checkbox("anonymous_review"),
            Field.textarea("criteria", rows=4),
        )

    def _post_clean(self):
        # Dates come from the GOV.UK date inputs, which the model form does
        # not know about.
        for name in ("opens_on", "closes_on"):
            if name in self.cleaned_data:
                setattr(self.instance, name, self.cleaned_data[name])
        super()._post_clean()

    def criteria_lines(self) -> list[str]:
        return self.cleaned_data["criteria"].splitlines()


# Review -----------------------------------------------------------------------


class QueueFilterForm(GovUKFormMixin, forms.Form):
    """An officer's filters on the review queue, sent as a GET query. A value
    that matches nothing (an old link to a fund since removed, say) is
    ignored rather than failing the page."""

    fund = forms.ModelChoiceField(
        label="Fund",
        queryset=Fund.objects.all(),
        required=False,
        empty_label="All funds",
        widget=forms.Select(attrs={"class": "govuk-select govuk-!-width-full"}),
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[
            ("", "Any status"),
            *(
                choice
                for choice in Application.Status.choices
                if choice[0] != Application.Status.DRAFT
            ),
        ],
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )

    def __init__(self, data, **kwargs):
        # The ids the page's labels point at: "fund" and "status".
        super().__init__(data, auto_id="%s", **kwargs)

    def filters(self) -> dict:
        """Keyword arguments for ApplicationQuerySet.filtered."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {"fund": data.get("fund"), "status": data.get("status") or ""}


class ScreenForm(PlainLimitsMixin, GovUKFormMixin, forms.Form):
    submit_text = "Save"
    eligible = forms.TypedChoiceField(
        label="Can this application be funded?",
        choices=[
            ("yes", "Yes, it is eligible: send it for review"),
            ("no", "No, it is not eligible"),
        ],
        widget=forms.RadioSelect,
        coerce=lambda v: v == "yes",
        error_messages={"required": "Say whether the application is eligible"},
    )
    notes = forms.CharField(
        label="Notes",
        required=False,
        max_length=max_length_of(Application, "screening_notes"),
        validators=[multi_line],
        help_text="If it is not eligible, say why: the applicant will see this.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def get_layout(self):
        return Layout(
            Field.radios("eligible", legend_size=Size.MEDIUM),
            counted(self, "notes", rows=3),
        )


class AssignForm(GovUKFormMixin, forms.Form):
    submit_text = "Ask them to score"
    members = forms.ModelMultipleChoiceField(
        label="Panel members",
        queryset=get_user_model().objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one panel member"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = (
            get_user_model()
            .objects.filter(holders(Role.PANEL), is_active=True)
            .order_by("first_name", "last_name")
        )

    def get_layout(self):
        return Layout(Field.checkboxes("members", legend_size=Size.MEDIUM))


SCORE_CHOICES = [
    ("1", "1 (poor)"),
    ("2", "2"),
    ("3", "3"),
    ("4", "4"),
    ("5", "5 (excellent)"),
]


class ScoreForm(GovUKFormMixin, forms.Form):
    """A 1 to 5 score and a comment for each of the fund's criteria."""

    submit_text = "Save scores"

    def __init__(self, *args, criteria, existing=None, member_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        existing = existing or {}
        self.has_member = member_choices is not None
        if self.has_member:
            self.fields["member"] = forms.ModelChoiceField(
                label="Whose scores are these?",
                queryset=member_choices,
                empty_label="Choose a panel member",
                error_messages={"required": "Choose the panel member"},
            )
        for criterion in self.criteria:
            score, comment = existing.get(criterion.pk, (None, ""))
            self.fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
                label=f"Score for “{criterion.title}”",
                choices=SCORE_CHOICES,
                coerce=int,
                widget=forms.RadioSelect,
                initial=str(score) if score else None,
                error_messages={"required": f"Score “{criterion.title}” from 1 to 5"},
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label="Comments (optional)",
                required=False,
                initial=comment,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.helper.layout = self.get_layout()

    def get_layout(self):
        if not hasattr(self, "criteria"):
            return None
        parts = []
        if self.has_member:
            parts.append(Field.select("member"))
        for criterion in self.criteria:
            parts.append(
                Fieldset(
                    Field.radios(f"score_{criterion.pk}", inline=True, small=True),
                    Field.textarea(f"comment_{criterion.pk}", rows=2),
                    legend=criterion.title,
                    legend_size=Size.MEDIUM,
                )
            )
        return Layout(*parts)

    def scores(self) -> dict[int, tuple[int, str]]:
        return {
            c.pk: (
                self.cleaned_data[f"score_{c.pk}"],
                self.cleaned_data[f"comment_{c.pk}"],
            )
            for c in self.criteria
        }


class ConflictForm(GovUKFormMixin, forms.Form):
    submit_text = "Declare a conflict of interest"
    reason = forms.CharField(
        label="What is your conflict of interest?",
        help_text="For example, “the applicant is my neighbour” or “I am in this group”.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what your conflict of interest is"},
    )


class DecisionForm(PlainLimitsMixin, GovUKFormMixin, forms.Form):
    submit_text = "Record the decision"
    outcome = forms.ChoiceField(
        label="Decision",
        choices=[("award", "Fund it"), ("decline", "Do not fund it")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to fund the application"},
    )
    amount = forms.DecimalField(required=False)
    reason = forms.CharField(
        label="Why?",
        help_text="The applicant will see this.",
        max_length=max_length_of(Application, "decision_reason"),
        validators=[multi_line],
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why. The applicant will see this"},
    )

    def __init__(self, *args, application: Application, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"] = money_field(
            "Amount to award, if funded",
            required=False,
            help_text=f"At most £{min(application.amount_requested, application.fund.maximum_award):,}. "
            + MONEY_HINT,
        )
        self.fields["amount"].initial = min(
            application.amount_requested, application.fund.maximum_award
        )

    def get_layout(self):
        return Layout(
            Field.radios("outcome", legend_size=Size.MEDIUM),
            money("amount"),
            counted(self, "reason", rows=4),
        )

    def clean(self):
        data = super().clean()
        if data.get("outcome") == "award" and data.get("amount") is None:
            self.add_error("amount", "Enter the amount to award")
        return data


class PaymentForm(GovUKFormMixin, forms.Form):
    submit_text = "Record payment"
    amount = money_field("Amount paid")
    paid_on = DateInputField(label="Date paid", help_text="For example, 27 3 2026")
    method = forms.ChoiceField(
        label="How was it paid?",
        choices=Payment.Method.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how it was paid"},
    )

    def get_layout(self):
        return Layout(money("amount"), Field("paid_on"), Field.radios("method"))


class RepaymentForm(GovUKFormMixin, forms.Form):
    submit_text = "Record money returned"
    amount = money_field("Amount returned")
    returned_on = DateInputField(
        label="Date returned", help_text="For example, 27 3 2026"
    )
    reason = forms.CharField(
        label="Why was it returned?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def get_layout(self):
        return Layout(money("amount"), Field("returned_on"), Field.textarea("reason"))


class WithdrawForm(GovUKFormMixin, forms.Form):
    submit_text = "Withdraw the grant"
    reason = forms.CharField(
        label="Why is the grant withdrawn?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the grant is withdrawn"},
    )


class ReportForm(PlainLimitsMixin, GovUKFormMixin, forms.Form):
    submit_text = "Save what happened"
    what_happened = forms.CharField(
        label="What happened?",
        help_text="A few sentences: what you did, and what difference it made.",
        max_length=max_length_of(GrantReport, "what_happened"),
        validators=[multi_line],
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Tell us what happened"},
    )
    people_taken_part = forms.IntegerField(
        label="How many people took part?",
        min_value=0,
        error_messages={
            "required": "Enter how many people took part, like 12",
            "invalid": "Enter a number, like 12",
            "min_value": "Enter a number, like 12",
        },
    )
    photo = forms.ImageField(
        label="A photo (optional)",
        required=False,
        help_text="A JPEG or PNG. Only share photos of people who agreed.",
    )
    photo_description = forms.CharField(
        label="Describe the photo (if you added one)",
        required=False,
        max_length=max_length_of(GrantReport, "photo_description"),
        validators=[single_line],
        help_text="For people who cannot see it, like “Neighbours planting bulbs”.",
    )
    may_share = forms.BooleanField(
        label="The grant holder agreed this may be shared as a story",
        required=False,
    )

    def get_layout(self):
        return Layout(
            counted(self, "what_happened", rows=6),
            Field.text(
                "people_taken_part", field_width=Fixed.FIVE, inputmode="numeric"
            ),
            Field("photo"),
            Field.text("photo_description", field_width=Fluid.TWO_THIRDS),
            Field.checkbox("may_share"),
        )

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and photo.size > MAX_PHOTO_BYTES:
            raise ValidationError("The photo must be smaller than 5 MB")
        return photo

    def clean(self):
        data = super().clean()
        if data.get("photo") and not data.get("photo_description", "").strip():
            self.add_error("photo_description", "Describe the photo in a few words")
        return data


class ApplicantReportForm(ReportForm):
    """The same report, in the grant holder's own words."""

    submit_text = "Send"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people_taken_part"].label = "About how many people took part?"
        self.fields[
            "may_share"
        ].label = "The council may share this as a story, without my name"

"""What the flows' forms share: the site a builder works in and its wards,
the residents on offer and found by typing, a resident's own fields."""

from crispy_forms_gds.layout import Button, Field, Fluid, Size
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.forms import ScopedChoiceField

from ..models import (
    Area,
    Consent,
    Site,
    sites_read_with,
)
from ..services import CONSENT_WORDING


class SiteChoiceField(ScopedChoiceField):
    """A site among those the user may see. A builder's own sites come read
    with the user (``sites_read_with``), so the one sent is found among
    them, with no query; anyone else's choice is checked by a query."""

    rows: list[Site] | None = None

    def to_python(self, value):
        if self.rows is None or value in self.empty_values:
            return super().to_python(value)
        self.validate_no_null_characters(value)
        if isinstance(value, Site):
            value = value.pk
        try:
            pk = Site._meta.pk.to_python(value)
        except ValidationError:
            pk = None
        for site in self.rows:
            if site.pk == pk:
                return site
        raise ValidationError(
            self.error_messages["invalid_choice"],
            code="invalid_choice",
            params={"value": value},
        )


RECENT_HINT = "Residents you met recently. For anyone else, start from their own page."
TAGS_HINT = "Separate each with a comma, for example: baking, fixing bikes"


def date_field(label, what, **kwargs):
    # <input type="date"> only accepts ISO dates, whatever the locale.
    return forms.DateField(
        label=label,
        initial=timezone.localdate,
        widget=forms.DateInput(
            attrs={"type": "date", "class": "govuk-input govuk-input--width-10"},
            format="%Y-%m-%d",
        ),
        error_messages={
            "required": f"Enter the date {what}",
            "invalid": f"The date {what} must be a real date",
        },
        **kwargs,
    )


class ResidentFieldsMixin(forms.Form):
    """The fields that describe a resident, used when adding one alone and
    when adding one while logging a conversation."""

    first_name = forms.CharField(label="First name", max_length=100)
    last_name = forms.CharField(
        label="Last name (optional)", max_length=100, required=False
    )
    phone = forms.CharField(label="Phone (optional)", max_length=40, required=False)
    email = forms.EmailField(label="Email (optional)", required=False)
    street = forms.CharField(label="Street (optional)", max_length=200, required=False)
    postcode = forms.CharField(
        label="Postcode (optional)", max_length=10, required=False
    )
    gifts_head = forms.CharField(
        label="Gifts of the head: what they know about",
        help_text=TAGS_HINT,
        required=False,
    )
    gifts_hands = forms.CharField(
        label="Gifts of the hands: what they can do or make",
        help_text=TAGS_HINT,
        required=False,
    )
    gifts_heart = forms.CharField(
        label="Gifts of the heart: what they care about doing for others",
        help_text=TAGS_HINT,
        required=False,
    )
    passions = forms.CharField(
        label="Passions and interests", help_text=TAGS_HINT, required=False
    )
    cares_about = forms.CharField(
        label="What they care about",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    would_like_to_do = forms.CharField(
        label="What they would like to do more of",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    consents = forms.MultipleChoiceField(
        label="What they agreed to",
        help_text="Read each statement to them. Tick only what they agree to.",
        choices=[(p, CONSENT_WORDING[p]) for p in Consent.Purpose.values],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    is_connector = forms.BooleanField(
        label="They are a Community Connector: they share a gift or passion with others",
        required=False,
    )
    connector_gift = forms.CharField(
        label="The gift they share (for connectors)", max_length=200, required=False
    )

    RESIDENT_FIELDS = (
        "first_name", "last_name", "phone", "email", "street", "postcode",
        "gifts_head", "gifts_hands", "gifts_heart", "passions", "cares_about",
        "would_like_to_do", "consents", "is_connector", "connector_gift",
    )  # fmt: skip

    def clean(self):
        data = super().clean()
        if data.get("is_connector") and not (data.get("connector_gift") or "").strip():
            self.add_error(
                "connector_gift", "Enter the gift this Community Connector shares."
            )
        return data

    def resident_kwargs(self, prefix: str = "") -> dict:
        """The cleaned fields as arguments for services.resident_create."""
        data = {
            name: self.cleaned_data.get(prefix + name) for name in self.RESIDENT_FIELDS
        }

        def split(text):
            return [part for part in (text or "").split(",") if part.strip()]

        return {
            "first_name": data["first_name"] or "",
            "last_name": data["last_name"] or "",
            "phone": data["phone"] or "",
            "email": data["email"] or "",
            "street": data["street"] or "",
            "postcode": data["postcode"] or "",
            "cares_about": data["cares_about"] or "",
            "would_like_to_do": data["would_like_to_do"] or "",
            "is_connector": bool(data["is_connector"]),
            "connector_gift": data["connector_gift"] or "",
            "gifts": {
                "head": split(data["gifts_head"]),
                "hands": split(data["gifts_hands"]),
                "heart": split(data["gifts_heart"]),
            },
            "passions": split(data["passions"]),
            **(
                {"consents": data["consents"] or []}
                if prefix + "consents" in self.fields
                else {}
            ),
        }

    def resident_layout(self):
        return [
            Field.text("first_name", field_width=Fluid.TWO_THIRDS, autocomplete="off"),
            Field.text("last_name", field_width=Fluid.TWO_THIRDS, autocomplete="off"),
            Field.text(
                "phone", field_width=Fluid.ONE_HALF, type="tel", autocomplete="off"
            ),
            Field.text(
                "email", field_width=Fluid.TWO_THIRDS, type="email", autocomplete="off"
            ),
            Field.text("street", field_width=Fluid.TWO_THIRDS, autocomplete="off"),
            Field.text("postcode", field_width=Fluid.ONE_QUARTER, autocomplete="off"),
            Field.text("gifts_head", list="tag-vocabulary"),
            Field.text("gifts_hands", list="tag-vocabulary"),
            Field.text("gifts_heart", list="tag-vocabulary"),
            Field.text("passions", list="tag-vocabulary"),
            Field.textarea("cares_about"),
            Field.textarea("would_like_to_do"),
            Field.checkboxes("consents", legend_size=Size.SMALL),
            Field.checkbox("is_connector"),
            Field.text("connector_gift"),
        ]


class SiteChoiceMixin:
    """A builder with one site never has to choose it."""

    def setup_site(self, user, site_field="site"):
        """The site (a SiteChoiceField) and the ward (a ScopedChoiceField)
        among those the user may see."""
        self.site_field = site_field
        site = self.fields[site_field]
        site.rows = sites_read_with(user)
        site.scope(lambda: Site.objects.visible_to(user))
        self.fields["area"].scope(
            lambda: (
                Area.objects.wards()
                .filter(sites__in=site.queryset)
                .distinct()
                .for_choices()
            )
        )

    def prepare_to_draw(self):
        # Counted only when the form is drawn: a form sent from the phone is
        # validated without drawing, and this saves it a query.
        super().prepare_to_draw()
        field = self.fields[self.site_field]
        sites = field.rows[:2] if field.rows is not None else field.queryset[:2]
        sites = list(sites)
        if len(sites) == 1:
            field.initial = sites[0]
            field.widget = forms.HiddenInput()


class OffersRecentMixin:
    """A city's site knows thousands of residents and makes thousands of
    introductions a year: as choices, every one made a page of over a second
    to draw and too long to scan on a phone. The page offers the latest few
    (and any already chosen); any the user may see is still accepted, as the
    phone's outbox may name one the page no longer offers."""

    OFFERED = 25

    def chosen(self, name) -> list[int]:
        """The ids already chosen (sent back, or given as initial), so that a
        page drawn again keeps them on offer."""
        value = self[name].value() or []
        values = value if isinstance(value, list | tuple) else [value]
        ids = (str(getattr(v, "pk", v)) for v in values)
        return [int(v) for v in ids if v.isdecimal()]

    def offer_recent_residents(self, *names, also=()) -> None:
        """Offer the residents met most recently, any already chosen, and
        ``also`` (ids), in each of these fields (drawn from the same
        residents)."""
        fields = {
            name: self.fields[name]
            for name in names
            if not isinstance(self.fields[name].widget, forms.HiddenInput)
        }
        if not fields:
            return
        recent = next(iter(fields.values())).queryset.recently_met(limit=self.OFFERED)
        for name, field in fields.items():
            field.queryset = field.queryset.filter(
                pk__in=[*recent, *self.chosen(name), *also]
            )


class FindsResidentsMixin(OffersRecentMixin):
    """A "find" box and a Find residents button: the page comes back with
    the residents whose name (or postcode, or gift) has the words typed also
    on offer, keeping everything typed and chosen, and saving nothing. A
    form names the field whose residents are searched (``find_in``) and
    declares a ``find`` field; its view posts with FindResidentsViewMixin."""

    FIND = "find_residents"
    find_in = ""

    def find_button(self):
        return Button.secondary(self.FIND, "Find residents", data_outbox_skip="true")

    holding = False

    def hold_errors(self) -> None:
        """Draw the form as sent, refusing nothing (Find was pressed, not
        Save)."""
        self.holding = True

    def full_clean(self):
        super().full_clean()
        if self.holding:
            self.errors.clear()

    def found(self) -> list[int]:
        """The residents whose name (or postcode, or gift) has the words
        typed in "find", the first few by name."""
        text = (self["find"].value() or "").strip()
        if not text:
            return []
        matching = self.fields[self.find_in].queryset.search(text)
        ids = matching.values_list("pk", flat=True)[: self.OFFERED * 4]
        return list(dict.fromkeys(ids))[: self.OFFERED]

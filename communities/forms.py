import datetime

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Fieldset, Fluid, Layout, Size, Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from . import services
from .models import (
    Area,
    Consent,
    Conversation,
    Group,
    Introduction,
    Resident,
    Site,
    Tag,
    sites_read_with,
)
from .services import CONSENT_WORDING


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's refusal on the form it came from."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            for item in errors:
                form.add_error(name if name in form.fields else None, item)
    else:
        for message in error.messages:
            form.add_error(None, message)


class ReadOnceChoiceIterator(forms.models.ModelChoiceIterator):
    """A choice field's options read in one plain query, once per form.

    Django's iterator reads them through a server-side cursor (declare,
    fetch and close: three round trips, every time the options are drawn)
    and counts them with a query of its own, for each of a list's filters
    (sites, wards, every interest) on every page. This one reads the
    field's queryset, which keeps its rows for the rest of the request, and
    counts what it read. It asks the field for its queryset when the options
    are drawn, not when it is made, so that a field's queryset can wait
    until it is needed (ScopedChoiceMixin)."""

    def __init__(self, field):
        self.field = field

    @property
    def queryset(self):
        return self.field.queryset

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)

    def __len__(self):
        return len(self.queryset) + (self.field.empty_label is not None)


class ScopedChoiceMixin:
    """For a model choice field whose choices depend on who is asking: its
    queryset is made by the function given to ``scope``, the first time it
    is needed, not when the form is made. A form the phone sends is checked
    and never drawn, and a field sent empty needs no choices at all: making
    a builder's conversation form's querysets (the sites, their wards and
    the residents) on every submission was work thrown away."""

    _make_queryset = None

    def scope(self, make) -> None:
        self._make_queryset = make

    def _scoped_queryset(self):
        if self._make_queryset is not None:
            make, self._make_queryset = self._make_queryset, None
            self._set_queryset(make())
        return self._queryset

    def _set_scoped_queryset(self, queryset):
        self._make_queryset = None
        self._set_queryset(queryset)

    queryset = property(_scoped_queryset, _set_scoped_queryset)


class ScopedChoiceField(ScopedChoiceMixin, forms.ModelChoiceField):
    pass


class ScopedMultipleChoiceField(ScopedChoiceMixin, forms.ModelMultipleChoiceField):
    def clean(self, value):
        if not value and not self.required and self._make_queryset is not None:
            # Nothing chosen: no choices are read to say so. The field's
            # queryset until scoped is none() of the same model.
            return self._queryset.none()
        return super().clean(value)


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


class GovUKFormMixin:
    """Attach a GOV.UK form helper once: a form sets submit_text and, when it
    needs one, a layout; templates render it with {% crispy form %}. Its
    choice fields read their options once (ReadOnceChoiceIterator)."""

    submit_text = "Continue"
    form_tag = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                # Set before a subclass narrows the queryset, which then
                # gives the widget options from this iterator.
                field.iterator = ReadOnceChoiceIterator
                field.widget.choices = field.choices

    @cached_property
    def helper(self) -> FormHelper:
        # Built when the form is drawn, not when it is made: a form that is
        # only validated (the phone's outbox sends the same forms as JSON)
        # never pays for its layout.
        self.prepare_to_draw()
        helper = FormHelper()
        helper.form_tag = self.form_tag
        helper.form_method = getattr(self, "form_method", "post")
        if getattr(self, "outbox_kind", None):
            # With JavaScript, the builder's outbox sends this form (and keeps
            # it on the phone until the server has it); without, it posts.
            helper.attrs = {"data-outbox-kind": self.outbox_kind}
        layout = self.get_layout()
        if layout is not None:
            helper.layout = layout
        if self.submit_text:
            helper.add_input(Submit("submit", self.submit_text))
        return helper

    def prepare_to_draw(self) -> None:
        """Last changes to fields that only matter on the page."""

    def get_layout(self):
        return None


class SignInForm(GovUKFormMixin, AuthenticationForm):
    submit_text = "Sign in"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Username"
        self.error_messages["invalid_login"] = (
            "Enter a correct username and password. Both are case-sensitive."
        )

    def get_layout(self):
        return Layout(
            Field.text(
                "username", field_width=Fluid.TWO_THIRDS, autocomplete="username"
            ),
            Field.text(
                "password",
                field_width=Fluid.TWO_THIRDS,
                autocomplete="current-password",
            ),
        )


RECENT_HINT = "Residents you met recently. For anyone else, start from their own page."
TAGS_HINT = "Separate each with a comma, for example: baking, fixing bikes"


def _date_field(label, what, **kwargs):
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

    def hold_errors(self) -> None:
        """Draw the form as sent, without checking it (Find was pressed, not
        Save)."""
        self._errors = forms.utils.ErrorDict()

    def found(self) -> list[int]:
        """The residents whose name (or postcode, or gift) has the words
        typed in "find", the first few by name."""
        text = (self["find"].value() or "").strip()
        if not text:
            return []
        matching = self.fields[self.find_in].queryset.search(text)
        ids = matching.values_list("pk", flat=True)[: self.OFFERED * 4]
        return list(dict.fromkeys(ids))[: self.OFFERED]


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


class ConversationForm(
    OffersRecentMixin, SiteChoiceMixin, GovUKFormMixin, ResidentFieldsMixin
):
    """Log a conversation, and record a resident met for the first time, on
    one screen."""

    submit_text = "Save conversation"
    outbox_kind = "conversation"

    site = SiteChoiceField(label="Site", queryset=Site.objects.none())
    held_on = _date_field("Date of the conversation", "of the conversation")
    area = ScopedChoiceField(
        label="Ward (optional)", queryset=Area.objects.none(), required=False
    )
    place = forms.CharField(
        label="Where (optional)",
        help_text="For example: outside the Co-op, Tuffley Lane",
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
        # None ticked comes back as an empty queryset, and reading even that
        # compiles a query (a twelfth of a submission's CPU); the ones ticked
        # were read when they were checked.
        chosen = self.cleaned_data["residents"]
        return [] if chosen.query.is_empty() else list(chosen)

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
    introduced_on = _date_field("Date of the introduction", "of the introduction")
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
    founded_on = _date_field("When it started", "the group started")
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
    held_on = _date_field("Date", "of the celebration")
    attendance = forms.IntegerField(label="How many people came", min_value=0)

    def get_layout(self):
        return Layout(
            Field.text("name"),
            Field("held_on"),
            Field.text("attendance", field_width=4, inputmode="numeric"),
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

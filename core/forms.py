"""The form base every app uses: GOV.UK markup through crispy-forms-gds, the
one way a service's refusal reaches a form, choice fields that read their
options once and only when needed, and the sign-in form."""

from __future__ import annotations

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fluid, Layout, Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.functional import cached_property


def add_service_errors(
    form: forms.Form, error: ValidationError, *, field: str | None = None
) -> None:
    """Show a service's refusal on the form it came from: each message on the
    field it names when the form has that field, otherwise on ``field`` (the
    top of the form unless given). Never raises for a field the form lacks."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            target = name if name in form.fields else field
            for item in errors:
                form.add_error(target, item)
    else:
        for message in error.messages:
            form.add_error(field, message)


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


# Django's own ``queryset`` property of a model choice field, read and set
# through its public descriptor: a scoped field puts its own in front of it.
_QUERYSET = forms.ModelChoiceField.queryset


class ScopedChoiceMixin:
    """For a model choice field whose choices depend on who is asking: its
    queryset is made by the function given to ``scope``, the first time it
    is needed, not when the form is made. A form the phone sends is checked
    and never drawn, and a field sent empty needs no choices at all, so
    neither pays for querysets it never reads (docs/scaling.md)."""

    make_queryset = None

    def scope(self, make) -> None:
        self.make_queryset = make

    @property
    def queryset(self):
        if self.make_queryset is not None:
            make, self.make_queryset = self.make_queryset, None
            _QUERYSET.__set__(self, make())
        return _QUERYSET.__get__(self)

    @queryset.setter
    def queryset(self, queryset):
        self.make_queryset = None
        _QUERYSET.__set__(self, queryset)


class ScopedChoiceField(ScopedChoiceMixin, forms.ModelChoiceField):
    pass


class ScopedMultipleChoiceField(ScopedChoiceMixin, forms.ModelMultipleChoiceField):
    def clean(self, value):
        if not value and not self.required and self.make_queryset is not None:
            # Nothing chosen: no choices are read to say so. The field's
            # queryset until scoped is none() of the same model.
            return _QUERYSET.__get__(self).none()
        return super().clean(value)


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

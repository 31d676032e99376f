from crispy_forms_gds.layout import Field, Fluid, Layout
from django import forms
from django.contrib.auth import forms as auth_forms

from core.forms import GovUKFormMixin


class TokenForm(GovUKFormMixin, forms.Form):
    """The six-digit code from an authenticator app."""

    submit_text = "Continue"
    token = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6-digit code, for example 123456",
        max_length=12,
        error_messages={"required": "Enter the code from your authenticator app"},
    )

    def get_layout(self):
        return Layout(
            Field.text(
                "token",
                field_width=5,
                autocomplete="one-time-code",
                inputmode="numeric",
                spellcheck="false",
            )
        )

    def clean_token(self):
        token = "".join(self.cleaned_data["token"].split())
        if not (token.isascii() and token.isdigit()) or len(token) != 6:
            raise forms.ValidationError("Enter the 6-digit code, using numbers only")
        return token


class ResidentSearchForm(GovUKFormMixin, forms.Form):
    submit_text = "Search"
    form_method = "get"
    q = forms.CharField(
        label="Find a resident",
        help_text="Their name, postcode or an interest",
        required=False,
        max_length=100,
    )

    def get_layout(self):
        return Layout(Field.text("q", field_width=Fluid.TWO_THIRDS))


class EraseForm(GovUKFormMixin, forms.Form):
    submit_text = "Erase this resident's personal data"
    confirm_name = forms.CharField(
        label="Type the resident's full name to confirm",
        max_length=210,
        error_messages={"required": "Enter the resident's name to confirm"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.inputs[0].field_classes = "govuk-button govuk-button--warning"

    def get_layout(self):
        return Layout(
            Field.text("confirm_name", field_width=Fluid.TWO_THIRDS, autocomplete="off")
        )


class SetPasswordForm(GovUKFormMixin, auth_forms.SetPasswordForm):
    """A new account's first password, from the link create_officer prints.
    The rules are the password validators' (trust.passwords)."""

    submit_text = "Set password"
    error_messages = {
        "password_mismatch": "The two passwords are not the same. Type the "
        "same password in both boxes"
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        first, second = self.fields["new_password1"], self.fields["new_password2"]
        first.label = "New password"
        first.help_text = (
            "At least 12 characters. Three or four words that have nothing to "
            "do with each other make a long password you can remember"
        )
        first.error_messages["required"] = "Enter a new password"
        second.label = "Type the new password again"
        second.help_text = ""
        second.error_messages["required"] = "Type the new password again"

    def get_layout(self):
        return Layout(
            Field.text(
                "new_password1",
                field_width=Fluid.TWO_THIRDS,
                autocomplete="new-password",
                spellcheck="false",
            ),
            Field.text(
                "new_password2",
                field_width=Fluid.TWO_THIRDS,
                autocomplete="new-password",
                spellcheck="false",
            ),
        )

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fluid, Layout, Submit
from django.contrib.auth.forms import AuthenticationForm


class GovUKFormMixin:
    """Attach a GOV.UK form helper once: a form sets submit_text and, when it
    needs one, a layout; templates render it with {% crispy form %}."""

    submit_text = "Continue"
    form_tag = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = self.form_tag
        layout = self.get_layout()
        if layout is not None:
            self.helper.layout = layout
        if self.submit_text:
            self.helper.add_input(Submit("submit", self.submit_text))

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

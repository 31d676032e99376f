"""The public small sparks form cannot be used to spam: starting an
application is rate limited by client address and by email address, every
text keeps to its column's length, control characters are refused, the
phone is a UK number, and the first email never repeats what a stranger
typed as a name. Junk thrown at the form (hypothesis) never breaks it and
never writes half an application."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from core.validators import multi_line, single_line
from grants.forms import AboutForm, ApplicantReportForm, IdeaForm, MoneyForm
from grants.models import Application, GrantReport

from .factories import ApplicationFactory, AwardFactory, FundFactory

pytestmark = pytest.mark.django_db

ABOUT = {
    "applicant_type": "individual",
    "contact_name": "Ada Lovelace",
    "email": "ada@example.com",
    "phone": "",
    "group_name": "",
}


def start(client, fund, address="192.0.2.10", **fields):
    return client.post(
        reverse("grants:apply", args=[fund.pk]),
        {**ABOUT, **fields},
        REMOTE_ADDR=address,
    )


# Rate limits ------------------------------------------------------------------


def test_starting_is_limited_per_client_address(client, settings):
    settings.GRANTS_START_LIMIT_PER_ADDRESS = 2
    settings.GRANTS_START_LIMIT_MINUTES = 60
    fund = FundFactory()
    assert start(client, fund, email="one@example.com").status_code == 302
    # A refused attempt counts too: the limit is on what one address sends.
    assert start(client, fund, email="not an email").status_code == 200

    response = start(client, fund, email="three@example.com")

    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert "Sorry, there have been too many applications started" in response.text
    assert "Wait 60 minutes and try again." in response.text
    assert Application.objects.count() == 1
    # Another address is not held up.
    assert (
        start(client, fund, "192.0.2.99", email="four@example.com").status_code == 302
    )


def test_starting_is_limited_per_email_address_whatever_the_address(
    client, settings, django_capture_on_commit_callbacks
):
    settings.GRANTS_START_LIMIT_PER_EMAIL = 2
    fund = FundFactory()
    with django_capture_on_commit_callbacks(execute=True):
        for address in ("192.0.2.1", "192.0.2.2"):
            assert (
                start(client, fund, address, email="victim@example.com").status_code
                == 302
            )
        response = start(client, fund, "192.0.2.3", email=" Victim@Example.COM ")
    assert response.status_code == 429
    assert Application.objects.count() == 2
    assert len(mail.outbox) == 2


def test_a_limit_of_nought_is_off(client, settings):
    settings.GRANTS_START_LIMIT_PER_ADDRESS = 0
    settings.GRANTS_START_LIMIT_PER_EMAIL = 0
    fund = FundFactory()
    for _ in range(4):
        assert start(client, fund).status_code == 302


# Lengths ----------------------------------------------------------------------

PUBLIC_FORMS = [AboutForm, IdeaForm, MoneyForm]


def text_fields(model):
    return [
        f
        for f in model._meta.get_fields()
        # What people type: not a choice, not a generated reference.
        if isinstance(f, models.CharField | models.TextField)
        and not f.choices
        and f.editable
    ]


@pytest.mark.parametrize("model", [Application, GrantReport])
def test_every_text_column_has_a_bound_the_model_enforces(model):
    for field in text_fields(model):
        assert field.max_length, f"{model.__name__}.{field.name} has no maximum"
        assert any(
            isinstance(v, MaxLengthValidator) and v.limit_value == field.max_length
            for v in field.validators
        ), field.name
        assert single_line in field.validators or multi_line in field.validators, (
            field.name
        )


def test_each_public_forms_maximum_is_its_columns():
    fund = FundFactory()
    application = ApplicationFactory(fund=fund, status=Application.Status.DRAFT)
    for form_class in PUBLIC_FORMS:
        kwargs = {"fund": fund} if form_class in (MoneyForm,) else {}
        form = form_class(instance=application, **kwargs)
        for name, field in form.fields.items():
            column = Application._meta.get_field(name)
            if column in text_fields(Application):
                assert field.max_length == column.max_length, name
    report_form = ApplicantReportForm()
    for name in ("what_happened", "photo_description"):
        assert (
            report_form.fields[name].max_length
            == GrantReport._meta.get_field(name).max_length
        )


def test_a_long_answer_is_refused_on_the_form_and_by_the_database(client):
    application = ApplicationFactory(status=Application.Status.DRAFT)
    token = application.resume_token()
    response = client.post(
        reverse("grants:apply-step", args=[token, "idea"]),
        {"title": "Repair café", "idea": "x" * 4001, "who_it_helps": "Everyone"},
    )
    assert response.status_code == 200
    assert "Your answer must be 4,000 characters or fewer" in response.text
    assert 'data-maxlength="4000"' in response.text  # the GOV.UK character count
    application.refresh_from_db()
    assert application.title != "Repair café"
    bound = "application_idea_within_4000"
    with pytest.raises(IntegrityError, match=bound), transaction.atomic():
        Application.objects.filter(pk=application.pk).update(idea="x" * 4001)


# Control characters -----------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["Ada\x1b[31mLovelace", "Ada\u202eecalevoL", "Ada\nLovelace", "Ada\x00"]
)
def test_control_characters_in_a_name_are_refused(client, name):
    fund = FundFactory()
    response = start(client, fund, contact_name=name)
    assert response.status_code == 200
    assert (
        "Remove the hidden control characters from your answer" in response.text
        or "Null characters are not allowed" in response.text
    )
    assert not Application.objects.exists()


def test_a_multi_line_answer_keeps_its_line_breaks_but_no_other_control_characters(
    client,
):
    application = ApplicationFactory(status=Application.Status.DRAFT)
    token = application.resume_token()
    url = reverse("grants:apply-step", args=[token, "idea"])
    idea = {"title": "Repair café", "who_it_helps": "Everyone"}
    response = client.post(url, {**idea, "idea": "Fix\x07 things"})
    assert response.status_code == 200
    assert "Remove the hidden control characters" in response.text
    response = client.post(url, {**idea, "idea": "Fix things.\r\n\tTogether."})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.idea == "Fix things.\r\n\tTogether."


# The phone number -------------------------------------------------------------


def test_the_phone_must_be_a_uk_number(client):
    fund = FundFactory()
    response = start(client, fund, phone="call me maybe")
    assert response.status_code == 200
    assert "Enter a UK phone number, like 01632 960 001" in response.text
    assert not Application.objects.exists()
    assert start(client, fund, phone="+44 (0)1632 960001").status_code == 302
    assert Application.objects.get().phone == "+44 (0)1632 960001"


# The first email --------------------------------------------------------------


def test_the_first_email_does_not_repeat_the_name_typed(
    client, django_capture_on_commit_callbacks
):
    fund = FundFactory()
    bait = "You won £500 claim at prize.example"
    with django_capture_on_commit_callbacks(execute=True):
        assert start(client, fund, contact_name=bait).status_code == 302
    [email] = mail.outbox
    html = email.alternatives[0][0]
    assert bait not in email.body
    assert bait not in html
    assert "prize.example" not in email.subject
    assert email.body.startswith("Hello,\n")
    assert "<p>Hello,</p>" in html


# Junk -----------------------------------------------------------------------

JUNK = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "\x1b",
            "\u202e",
            "a" * 5000,
            "+44 7700 900982",
            "07700 900982",
            "individual",
            "group",
            "name@example.com",
            "🙂" * 300,
        ]
    ),
    st.text(max_size=300),
)
EXAMPLES = hypothesis_settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def test_junk_in_the_public_form_never_breaks_it_or_writes_half(client, settings):
    settings.GRANTS_START_LIMIT_PER_ADDRESS = 0
    settings.GRANTS_START_LIMIT_PER_EMAIL = 0
    fund = FundFactory()
    draft = ApplicationFactory(fund=fund, status=Application.Status.DRAFT)
    token = draft.resume_token()
    pages = {
        reverse("grants:apply", args=[fund.pk]): list(ABOUT),
        reverse("grants:apply-step", args=[token, "about"]): list(ABOUT),
        reverse("grants:apply-step", args=[token, "idea"]): [
            "title",
            "idea",
            "who_it_helps",
            "people_expected",
        ],
        reverse("grants:apply-step", args=[token, "money"]): [
            "amount_requested",
            "spending_plan",
        ],
    }

    @EXAMPLES
    @given(
        url=st.sampled_from(sorted(pages)),
        data=st.data(),
    )
    def post_junk(url, data):
        fields = data.draw(
            st.fixed_dictionaries({}, optional=dict.fromkeys(pages[url], JUNK))
        )
        before = set(Application.objects.values_list("pk", "updated_at"))
        response = client.post(url, fields)
        assert response.status_code < 500
        after = set(Application.objects.values_list("pk", "updated_at"))
        if response.status_code != 302:
            assert after == before, "a refused form wrote something"
            return
        # What was stored holds to every rule the form promised.
        for application in Application.objects.all():
            application.full_clean()

    post_junk()


def test_every_rule_holds_on_the_grant_holders_report(client):
    award = AwardFactory()
    token = award.application.resume_token()
    response = client.post(
        reverse("grants:apply-report", args=[token]),
        {"what_happened": "We\x0bmet.", "people_taken_part": "3"},
    )
    assert response.status_code == 200
    assert "Remove the hidden control characters" in response.text
    assert not GrantReport.objects.exists()


def test_the_model_refuses_what_the_form_refuses():
    application = ApplicationFactory(phone="12", contact_name="A\x1bB")
    with pytest.raises(ValidationError, match="Enter a UK phone number") as caught:
        application.full_clean()
    assert set(caught.value.message_dict) == {"phone", "contact_name"}

"""core.forms: a service's refusal shown on its form, choices read once,
choice fields scoped to who is asking, and the GOV.UK form helper."""

import pytest
from django import forms
from django.contrib.auth.models import Group
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.forms import (
    GovUKFormMixin,
    ScopedChoiceField,
    ScopedMultipleChoiceField,
    add_service_errors,
)

pytestmark = pytest.mark.django_db


# A service's refusal on the form


class NameForm(forms.Form):
    name = forms.CharField()
    town = forms.CharField(required=False)


def checked(**data):
    form = NameForm({"name": "Aisha", **data})
    assert form.is_valid(), form.errors
    return form


def test_an_error_for_one_of_the_forms_fields_is_shown_on_that_field():
    form = checked()
    add_service_errors(form, ValidationError({"name": "That name is taken."}))
    assert form.errors == {"name": ["That name is taken."]}
    assert not form.is_valid()
    assert "name" not in form.cleaned_data


def test_an_error_for_a_field_the_form_lacks_goes_to_the_top_and_never_raises():
    form = checked()
    add_service_errors(
        form,
        ValidationError(
            {"held_on": "The date cannot be in the future.", "name": "Too long."}
        ),
    )
    assert form.non_field_errors() == ["The date cannot be in the future."]
    assert form.errors["name"] == ["Too long."]
    assert "held_on" not in form.errors
    assert not form.is_valid()


def test_every_message_for_a_field_is_shown():
    form = checked()
    add_service_errors(
        form, ValidationError({"name": ["Too long.", "Use letters, not digits."]})
    )
    assert form.errors == {"name": ["Too long.", "Use letters, not digits."]}


def test_an_error_for_the_whole_form_goes_to_the_top():
    form = checked()
    add_service_errors(
        form, ValidationError({NON_FIELD_ERRORS: ["Already recorded today."]})
    )
    assert form.errors == {NON_FIELD_ERRORS: ["Already recorded today."]}


def test_a_refusal_naming_no_field_puts_every_message_at_the_top():
    form = checked()
    add_service_errors(
        form,
        ValidationError(
            [
                ValidationError("%(who)s is not known here.", params={"who": "Gwen"}),
                "Choose a site.",
            ]
        ),
    )
    assert form.non_field_errors() == ["Gwen is not known here.", "Choose a site."]
    assert set(form.errors) == {NON_FIELD_ERRORS}


def test_a_fields_message_keeps_its_details():
    form = checked()
    add_service_errors(
        form,
        ValidationError(
            {
                "town": ValidationError(
                    "%(town)s is not in the district.", params={"town": "Leeds"}
                ),
                "ward": ValidationError(
                    "%(ward)s is not one of the site's wards.",
                    params={"ward": "Hucclecote"},
                ),
            }
        ),
    )
    assert form.errors["town"] == ["Leeds is not in the district."]
    assert form.non_field_errors() == ["Hucclecote is not one of the site's wards."]


# Choices read once


class TeamForm(GovUKFormMixin, forms.Form):
    # Not every group: the role groups may be there too.
    team = forms.ModelChoiceField(
        queryset=Group.objects.filter(name__startswith="Team ").order_by("name")
    )


def test_a_forms_options_are_read_once_in_one_plain_query():
    Group.objects.create(name="Team gardeners")
    Group.objects.create(name="Team singers")
    form = TeamForm()
    with CaptureQueriesContext(connection) as queries:
        first = str(form["team"])
        again = str(form["team"])
        counted = len(form.fields["team"].choices)
    assert first == again
    assert ">Team gardeners</option>" in first and ">Team singers</option>" in first
    assert '<option value="" selected>---------</option>' in first
    assert counted == 3  # the empty choice and the two teams
    # One query: no count of its own, no server-side cursor.
    assert len(queries) == 1
    assert queries[0]["sql"].startswith("SELECT")


# Choice fields scoped to who is asking


class ScopedForm(GovUKFormMixin, forms.Form):
    team = ScopedChoiceField(queryset=Group.objects.none())
    others = ScopedMultipleChoiceField(queryset=Group.objects.none(), required=False)

    def __init__(self, *args, allowed=(), made=None, **kwargs):
        super().__init__(*args, **kwargs)
        made = [] if made is None else made

        def scoped(field):
            def make():
                made.append(field)
                return Group.objects.filter(name__in=allowed).order_by("name")

            return make

        self.fields["team"].scope(scoped("team"))
        self.fields["others"].scope(scoped("others"))


@pytest.fixture
def teams():
    return {
        name: Group.objects.create(name=name)
        for name in ("Gardeners", "Singers", "Far away")
    }


def test_a_scoped_form_reads_no_choices_when_it_is_made(teams):
    made = []
    with CaptureQueriesContext(connection) as queries:
        ScopedForm(allowed=["Gardeners"], made=made)
    assert made == []
    assert len(queries) == 0


def test_a_scoped_choice_is_checked_against_the_scope(teams):
    made = []
    ok = ScopedForm(
        {"team": teams["Gardeners"].pk}, allowed=["Gardeners", "Singers"], made=made
    )
    assert ok.is_valid(), ok.errors
    assert ok.cleaned_data["team"] == teams["Gardeners"]
    refused = ScopedForm({"team": teams["Far away"].pk}, allowed=["Gardeners"])
    assert not refused.is_valid()
    assert refused.errors["team"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    # Made when the field was checked, and only the one field that was sent.
    assert made == ["team"]


def test_a_scoped_field_drawn_twice_makes_its_choices_once(teams):
    made = []
    form = ScopedForm(allowed=["Singers"], made=made)
    first, again = str(form["team"]), str(form["team"])
    assert first == again
    assert ">Singers</option>" in first
    assert "Gardeners" not in first and "Far away" not in first
    assert made.count("team") == 1


def test_a_queryset_set_on_a_scoped_field_replaces_the_scope(teams):
    made = []
    form = ScopedForm({"team": teams["Far away"].pk}, allowed=["Gardeners"], made=made)
    form.fields["team"].queryset = Group.objects.filter(name="Far away")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["team"] == teams["Far away"]
    assert "team" not in made


def test_several_choices_sent_empty_need_no_choices_read(teams):
    made = []
    form = ScopedForm({"team": teams["Gardeners"].pk}, allowed=["Gardeners"], made=made)
    assert form.is_valid(), form.errors
    others = form.cleaned_data["others"]
    assert others.model is Group
    with CaptureQueriesContext(connection) as queries:
        assert list(others) == []
    assert len(queries) == 0  # none(): nothing to ask the database
    assert "others" not in made


def test_several_choices_sent_are_checked_against_the_scope(teams):
    data = {"team": teams["Gardeners"].pk}
    allowed = ["Gardeners", "Singers"]
    ok = ScopedForm(
        {**data, "others": [teams["Gardeners"].pk, teams["Singers"].pk]},
        allowed=allowed,
    )
    assert ok.is_valid(), ok.errors
    assert set(ok.cleaned_data["others"]) == {teams["Gardeners"], teams["Singers"]}
    refused = ScopedForm({**data, "others": [teams["Far away"].pk]}, allowed=allowed)
    assert not refused.is_valid()
    assert list(refused.errors) == ["others"]


# The GOV.UK form helper


class OutboxForm(GovUKFormMixin, forms.Form):
    submit_text = "Save conversation"
    outbox_kind = "conversation"
    what = forms.CharField()

    def prepare_to_draw(self):
        self.drawn = True


def test_the_helper_is_built_only_when_the_form_is_drawn():
    form = OutboxForm({"what": "Allotments"})
    assert form.is_valid()
    assert not hasattr(form, "drawn")
    helper = form.helper
    assert form.drawn
    assert helper.form_tag is True
    assert helper.form_method == "post"
    assert helper.attrs == {"data-outbox-kind": "conversation"}
    assert [button.value for button in helper.inputs] == ["Save conversation"]


def test_a_form_without_a_submit_text_or_outbox_has_neither():
    class Filters(GovUKFormMixin, forms.Form):
        submit_text = ""
        form_tag = False
        form_method = "get"

    helper = Filters().helper
    assert helper.inputs == []
    assert helper.attrs == {}
    assert helper.form_tag is False
    assert helper.form_method == "get"

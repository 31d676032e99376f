import pytest
from django.core.management import call_command
from django.db import models
from django.urls import reverse

from trust import register

pytestmark = pytest.mark.django_db


def text_fields(model) -> list[str]:
    """Fields of a model that can hold free text or contact details."""
    kinds = (models.CharField, models.TextField, models.EmailField)
    return [
        f.name
        for f in model._meta.get_fields()
        if isinstance(f, kinds) and f.concrete and not f.auto_created
    ]


def test_every_text_field_of_a_registered_model_is_accounted_for():
    """A new field holding text or contact details must be added to the data
    register (as personal or not) before this passes, so the privacy notice
    stays true."""
    for entry in register.entries():
        known = set(entry.personal) | set(entry.not_personal)
        missing = set(text_fields(entry.model_class)) - known
        assert not missing, f"{entry.model}: say whether {missing} hold personal data"
        entry.fields()  # every named field exists


def test_every_model_holding_resident_data_is_in_the_register():
    from django.apps import apps

    registered = {e.model_class for e in register.entries()}
    for model in apps.get_models():
        if model._meta.app_label not in {"communities", "grants"}:
            continue
        points_at_a_resident = any(
            getattr(f, "related_model", None) is not None
            and f.related_model._meta.label == "communities.Resident"
            for f in model._meta.get_fields()
            if f.concrete
        )
        if points_at_a_resident:
            assert model in registered, f"{model._meta.label} holds resident data"


def test_the_privacy_notice_is_public_and_drawn_from_the_models(client, settings):
    settings.RETENTION_RESIDENT_INACTIVE_DAYS = 3 * 365
    page = client.get(reverse("trust:privacy"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Public task" in text
    assert "What they care about" in text  # the field's own label
    assert "3 years" in text
    assert "never see it" in text


def test_the_retention_command_dry_run_changes_nothing(capsys):
    call_command("apply_retention", "--dry-run")
    assert "Nothing is due" in capsys.readouterr().out

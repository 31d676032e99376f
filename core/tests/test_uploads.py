"""Uploaded and built files: unguessable names, served only to whoever the
calling view let through, never by a public address."""

import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models.fields.files import FieldFile
from django.http import Http404
from django.urls import Resolver404, resolve
from hypothesis import given
from hypothesis import strategies as st

from core.uploads import private_file_response, unguessable_name
from grants.models import GrantReport


@given(st.text(max_size=80))
def test_a_stored_name_is_random_and_keeps_only_a_safe_extension(filename):
    name = unguessable_name("reports", filename)
    assert re.fullmatch(r"reports/[0-9a-f]{32}(\.(pdf|jpe?g|png|gif|webp))?", name)
    assert name != unguessable_name("reports", filename)


def test_the_uploaded_name_never_reaches_the_stored_one():
    assert unguessable_name("x", "Winifred Quartermaine.PNG").endswith(".png")
    assert "Winifred" not in unguessable_name("x", "Winifred Quartermaine.PNG")
    assert not unguessable_name("x", "page.html").endswith(".html")
    assert not unguessable_name("x", "no-extension").count(".")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def field_file(name: str) -> FieldFile:
    return FieldFile(GrantReport(), GrantReport._meta.get_field("photo"), name)


def test_a_file_is_sent_privately_and_never_sniffed(media):
    stored = default_storage.save("grants/reports/a.png", ContentFile(b"\x89PNG"))
    response = private_file_response(field_file(stored))
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content) == b"\x89PNG"


def test_a_file_of_another_type_is_only_ever_downloaded(media):
    stored = default_storage.save("grants/reports/a.html", ContentFile(b"<script>"))
    response = private_file_response(field_file(stored))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")


def test_no_file_or_a_missing_one_is_not_found(media):
    with pytest.raises(Http404, match="No file"):
        private_file_response(field_file(""))
    with pytest.raises(Http404, match="missing"):
        private_file_response(field_file("grants/reports/gone.png"))


def test_no_address_serves_the_media_folder():
    with pytest.raises(Resolver404, match="media"):
        resolve("/media/reports/annual-review-2025-2026.pdf")

"""Uploaded and built files (report PDFs, grant report photos): stored under
names nobody can guess and served only by views that check who asks.

No URL serves MEDIA_ROOT: a file leaves the server only through a view that
first finds its row with the model's ``visible_to(user)`` (or the capability
that owns it), then answers with ``private_file_response``.
"""

from __future__ import annotations

import mimetypes
import uuid
from pathlib import PurePath

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

# The only extensions kept from an uploaded file's name; any other is
# dropped, so a stored name never tells a browser to treat it as a page.
KEPT_EXTENSIONS = frozenset({".pdf", ".jpg", ".jpeg", ".png", ".gif", ".webp"})


def unguessable_name(folder: str, filename: str) -> str:
    """``folder/<32 random hex digits><ext>``: the uploaded name (which may
    hold a person's name, and for a report is its period) is never part of
    the stored one."""
    extension = PurePath(filename).suffix.lower()
    if extension not in KEPT_EXTENSIONS:
        extension = ""
    return f"{folder}/{uuid.uuid4().hex}{extension}"


def private_file_response(
    file: FieldFile, *, filename: str = "", as_attachment: bool = False
) -> FileResponse:
    """The file, for the one person whose right the calling view checked:
    never kept by a shared cache, never sniffed as another type. A file
    missing from storage is not found, not a server error."""
    if not file:
        raise Http404("No file")
    content_type, _ = mimetypes.guess_type(file.name)
    if content_type not in {
        "application/pdf",
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
    }:
        content_type, as_attachment = "application/octet-stream", True
    try:
        handle = file.open("rb")
    except FileNotFoundError as error:
        raise Http404("The file is missing") from error
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=as_attachment,
        filename=filename or PurePath(file.name).name,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response

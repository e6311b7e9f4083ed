"""The one way a document leaves the service: as an attachment (sessions/uploads.py). Whoever
calls this has checked the rules (the pages and the API by rules.py; a signed link, later, by
its own check), so the answer never depends on who asks."""

from django.http import FileResponse

from sessions.packs.models import Document
from sessions.packs.selectors import NOT_FOUND
from sessions.uploads import attachment_response


def document_download(document: Document) -> FileResponse:
    return attachment_response(
        document.file, name=document.name, content_type=document.content_type, missing=NOT_FOUND
    )

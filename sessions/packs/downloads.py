"""The one way a document leaves the service: as an attachment, with the type its content
showed and `nosniff`, so no browser renders it in the service's origin. Whoever calls this
has checked the rules (the pages and the API by rules.py; a signed link, later, by its own
check), so the answer never depends on who asks."""

from django.http import FileResponse, Http404

from sessions.packs.models import Document
from sessions.packs.selectors import NOT_FOUND


def document_download(document: Document) -> FileResponse:
    try:
        opened = document.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404(NOT_FOUND) from None
    response = FileResponse(
        opened,
        as_attachment=True,
        filename=document.name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response

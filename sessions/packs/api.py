"""The pre-reading's API: a booking's documents, listed, added (multipart), removed and
downloaded. Anyone who may not read a booking's pack is answered 404, as if it did not exist;
the rules are in rules.py."""

from datetime import datetime

from django.http import HttpResponse
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from peers.selectors import caller_for
from sessions.packs import selectors, services
from sessions.packs.downloads import document_download
from sessions.packs.formats import ACCEPTED

router = Router(tags=["pre-reading"])


class DocumentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    uploaded_at: datetime
    uploaded_by: str
    url: str
    may_remove: bool


def _out(document, caller) -> dict:
    return {
        **selectors.document_out(document, caller=caller),
        "url": f"/api/bookings/{document.booking_id}/documents/{document.pk}/file",
    }


@router.get(
    "/bookings/{int:booking_id}/documents",
    response=list[DocumentOut],
    summary="A booking's pre-reading (its peers, the council's bookers and adviser, staff)",
)
def document_list(request, booking_id: int):
    caller = caller_for(request.user)
    booking = selectors.pack_booking(caller=caller, booking_id=booking_id)
    return [_out(d, caller) for d in selectors.pack_documents(booking)]


@router.post(
    "/bookings/{int:booking_id}/documents",
    response={201: DocumentOut, 409: None},
    summary="Add a document to a booking's pre-reading (the council's bookers, staff); its "
    "peers are told",
    description="A PDF, Word, Excel, PowerPoint or OpenDocument file, its kind read from its "
    "content. 422 (`type: rule`), the rules the schema cannot state: not empty, at most "
    "`PACK_FILE_MAX_MB` (10 MB) a file and `PACK_BOOKING_MAX_MB` (30 MB) a booking; a refused "
    "file is not kept. 403: a reader who may not add; 409: the booking is over or closed.",
)
def document_add(request, booking_id: int, file: File[UploadedFile]):
    caller = caller_for(request.user)
    booking = selectors.pack_booking(caller=caller, booking_id=booking_id)
    document = services.document_add(caller=caller, booking=booking, upload=file, name=file.name)
    return Status(201, _out(document, caller))


@router.delete(
    "/bookings/{int:booking_id}/documents/{int:document_id}",
    response={204: None},
    summary="Remove a document from a booking's pre-reading (whoever added it, or staff)",
)
def document_remove(request, booking_id: int, document_id: int):
    caller = caller_for(request.user)
    document = selectors.document_get(caller=caller, booking_id=booking_id, document_id=document_id)
    services.document_remove(caller=caller, document=document)
    return Status(204, None)


@router.get(
    "/bookings/{int:booking_id}/documents/{int:document_id}/file",
    response={200: None},
    summary="Download a document, as an attachment (checked against the rules each time)",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, with its content type as its content showed it.",
                "content": {
                    kind: {"schema": {"type": "string", "format": "binary"}} for kind in ACCEPTED
                },
            }
        }
    },
)
def document_file(request, booking_id: int, document_id: int) -> HttpResponse:
    caller = caller_for(request.user)
    document = selectors.document_get(caller=caller, booking_id=booking_id, document_id=document_id)
    return document_download(document)

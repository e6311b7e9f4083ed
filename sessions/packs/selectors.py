"""Reads of the pre-reading: a booking's pack as its reader may see it, one document, and the
counts that My sessions and the invites give ("Pre-reading: 3 documents")."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Sum
from django.http import Http404
from django.urls import reverse

from peers.selectors import Caller
from scheduling.engine.plurals import counted
from sessions.models import Booking
from sessions.packs.models import Document
from sessions.packs.rules import may_read_pack, may_remove_document

NOT_FOUND = "No such booking or document."
MB = 1024 * 1024


def file_limit() -> int:
    return settings.PACK_FILE_MAX_MB * MB


def booking_limit() -> int:
    return settings.PACK_BOOKING_MAX_MB * MB


def pack_booking(*, caller: Caller, booking_id: int) -> Booking:
    """The booking whose pack the caller may read; anyone else is told it does not exist."""
    booking = Booking.objects.select_related("council", "offer").filter(pk=booking_id).first()
    if booking is None or not may_read_pack(caller, booking):
        raise Http404(NOT_FOUND)
    return booking


def pack_documents(booking: Booking):
    return booking.documents.select_related("uploaded_by").order_by("uploaded_at", "id")


def document_get(*, caller: Caller, booking_id: int, document_id: int) -> Document:
    """One document, checked against the rules now (every download asks again)."""
    booking = pack_booking(caller=caller, booking_id=booking_id)
    document = booking.documents.filter(pk=document_id).first()
    if document is None:
        raise Http404(NOT_FOUND)
    document.booking = booking
    return document


def pack_size(booking: Booking) -> int:
    return booking.documents.aggregate(total=Sum("size"))["total"] or 0


def document_counts(booking_ids) -> dict[int, int]:
    rows = (
        Document.objects.filter(booking_id__in=set(booking_ids))
        .values("booking_id")
        .annotate(n=Count("id"))
    )
    return {row["booking_id"]: row["n"] for row in rows}


def documents_text(n: int) -> str:
    return counted(n, "1 document", "{n} documents")


def size_text(size: int) -> str:
    if size >= MB:
        return f"{size / MB:.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def pack_path(booking_id: int) -> str:
    return reverse("pack-detail", args=[booking_id])


def document_path(document: Document) -> str:
    return reverse("document-file", args=[document.booking_id, document.pk])


@dataclass(frozen=True)
class PackSummary:
    """What a peer's page says of a pack: 'Pre-reading: 3 documents', and where it is."""

    text: str
    url: str


def pack_summaries(booking_ids) -> dict[int, PackSummary]:
    """By booking, for the bookings that have any pre-reading."""
    return {
        booking_id: PackSummary(text=documents_text(n), url=pack_path(booking_id))
        for booking_id, n in document_counts(booking_ids).items()
        if n
    }


def uploader_name(document: Document) -> str:
    user = document.uploaded_by
    return (user.get_full_name() or user.username) if user is not None else ""


def document_out(document: Document, *, caller: Caller) -> dict:
    return {
        "id": document.pk,
        "name": document.name,
        "content_type": document.content_type,
        "size": document.size,
        "uploaded_at": document.uploaded_at,
        "uploaded_by": uploader_name(document),
        "url": document_path(document),
        "may_remove": may_remove_document(caller, document),
    }

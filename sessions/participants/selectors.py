"""Reads of the council's participants: a booking's list as the booker, the panel and the API
see it, and what a participant's signed pre-reading link opens."""

from datetime import datetime

from django.http import Http404

from sessions.models import BookingStatus, SessionStatus
from sessions.packs.models import Document
from sessions.packs.selectors import NOT_FOUND, pack_documents
from sessions.participants.links import ReadingTicket
from sessions.participants.models import Participant
from sessions.session_words import session_participants_text

__all__ = ["participants_names_text", "participants_out", "reading_until"]

participants_names_text = session_participants_text  # names and roles, never addresses


def participants_current(booking):
    return booking.participants.filter(removed_at__isnull=True).order_by("id")


def participants_out(booking, *, with_addresses: bool) -> list[dict]:
    """The list with each answer; addresses only for whoever manages the booking."""
    return [
        {
            "id": p.pk,
            "name": p.name,
            "role": p.role,
            "email": p.email if with_addresses else "",
            "answer": p.answer,
            "answer_text": p.get_answer_display(),
            "answered_at": p.answered_at,
        }
        for p in participants_current(booking)
    ]


def reading_until(booking) -> datetime | None:
    """When a participant's pre-reading link stops working: the end of the booking's last
    session still scheduled (None: nothing left to read for)."""
    last = (
        booking.sessions.filter(status=SessionStatus.SCHEDULED)
        .order_by("-end")
        .values_list("end", flat=True)
        .first()
    )
    return last


def reading_participant(ticket: ReadingTicket, *, now: datetime) -> Participant:
    """The participant a pre-reading link names, checked now: still on the list of a booking
    that stands, before its last session ends. Otherwise nothing is there (404)."""
    participant = (
        Participant.objects.select_related("booking__council", "booking__offer")
        .filter(pk=ticket.participant_id, booking_id=ticket.booking_id, removed_at__isnull=True)
        .first()
    )
    if participant is None or participant.booking.status != BookingStatus.CONFIRMED:
        raise Http404(NOT_FOUND)
    until = reading_until(participant.booking)
    if until is None or until <= now:
        raise Http404(NOT_FOUND)
    return participant


def reading_documents(participant: Participant):
    return pack_documents(participant.booking)


def reading_document(participant: Participant, document_id: int) -> Document:
    document = participant.booking.documents.filter(pk=document_id).first()
    if document is None:
        raise Http404(NOT_FOUND)
    return document


def participants_brief(booking) -> list[dict]:
    """Who the panel will meet: names, roles and answers, never addresses."""
    return [
        {
            "name": p["name"],
            "role": p["role"],
            "answer": p["answer"],
            "answer_text": p["answer_text"],
        }
        for p in participants_out(booking, with_addresses=False)
    ]


def participants_by_booking(booking_ids) -> dict[int, list[dict]]:
    """`participants_brief` for several bookings at once (My sessions)."""
    found: dict[int, list[dict]] = {}
    for p in Participant.objects.filter(
        booking_id__in=set(booking_ids) - {None}, removed_at__isnull=True
    ).order_by("booking_id", "id"):
        found.setdefault(p.booking_id, []).append(
            {
                "name": p.name,
                "role": p.role,
                "answer": p.answer,
                "answer_text": p.get_answer_display(),
            }
        )
    return found

"""The letter that tells a panel's peers a document was added to their pre-reading: one to
each peer invited to or sitting on a session of the booking, for each document, sent once.

Queued on commit of the upload (services.document_add) and sent by the task worker; the
document's `panel_told_at` is claimed by a conditional UPDATE first, so two workers never
both send it, and freed again if sending fails so a retry can.
"""

from django.utils import timezone

from sessions.mail.letters import Letter
from sessions.mail.links import absolute_url
from sessions.models import Seat, SeatStatus, SessionStatus
from sessions.packs.formats import ACCEPTED
from sessions.packs.models import Document
from sessions.packs.selectors import pack_path, size_text
from sessions.session_words import session_contact, session_title, session_when

# Told of a new document: peers who know of the panel (a seat only proposed on a request
# waiting for approval has not been invited yet).
TOLD_STATUSES = (SeatStatus.INVITED, SeatStatus.ACCEPTED)


def panel_letters(document: Document) -> list[tuple[str, str, Letter]]:
    """(address, name, letter) for each peer to tell, once each however many sessions."""
    booking = document.booking
    seats = (
        Seat.objects.filter(
            session__booking=booking,
            session__status=SessionStatus.SCHEDULED,
            status__in=TOLD_STATUSES,
            peer__isnull=False,
        )
        .select_related("peer", "session__offer", "session__booking__council")
        .order_by("session__start", "id")
    )
    first_seat = {}
    for seat in seats:
        first_seat.setdefault(seat.peer_id, seat)
    kind = ACCEPTED.get(document.content_type)
    letters = []
    for seat in first_seat.values():
        session, peer = seat.session, seat.peer
        title = session_title(session)
        letters.append(
            (
                peer.email,
                peer.name,
                Letter(
                    subject=f"Pre-reading added: {title}",
                    greeting=f"Dear {peer.name},",
                    paragraphs=(
                        f"{booking.council.name} has added a document to the pre-reading for "
                        f"the {title}, where you have the {seat.role_name} seat.",
                    ),
                    facts=(
                        ("Document", document.name),
                        (
                            "Kind and size",
                            f"{kind.label if kind else document.extension}, "
                            f"{size_text(document.size)}",
                        ),
                        ("When", session_when(session, zone=peer.time_zone)),
                        ("Booking reference", booking.reference),
                    ),
                    actions=(("Read the pre-reading", absolute_url(pack_path(booking.pk))),),
                    notes=("You will be asked to sign in to open the documents.",),
                    contact=session_contact(session),
                ),
            )
        )
    return letters


def panel_tell(*, document_id: int) -> int:
    """Tell the panel of one added document, once; returns the letters sent."""
    claimed = Document.objects.filter(pk=document_id, panel_told_at__isnull=True).update(
        panel_told_at=timezone.now()
    )
    if not claimed:
        return 0
    document = Document.objects.select_related("booking__council").get(pk=document_id)
    letters = panel_letters(document)
    try:
        for address, name, letter in letters:
            letter.message(address, name).send()
    except Exception:
        Document.objects.filter(pk=document_id).update(panel_told_at=None)
        raise
    return len(letters)

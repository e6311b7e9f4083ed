"""A session in a letter's words: named, dated, its contact and its panel listed the same way
in every letter and page that speaks of it (`session_title`, `session_when`,
`session_panel_lines`, ...). The letters themselves are `sessions.mail.letters`."""

from datetime import datetime

from django.conf import settings
from django.urls import reverse

from scheduling.engine.plurals import counted
from scheduling.engine.uk_time import day_text, when_text
from sessions.mail.letters import Contact, letter_contact
from sessions.models import HOLDING_SEAT_STATUSES, Seat, Session
from sessions.pool import offer_format

# A session in a letter's words ------------------------------------------------------------------


def session_title(session: Session) -> str:
    title = session.title or session.offer.title
    if session.booking is not None:
        title = f"{title} for {session.booking.council.name}"
    if session.offer.session_count > 1:
        title += f" (session {session.number} of {session.offer.session_count})"
    return title


def session_when(
    session: Session, *, at: tuple[datetime, datetime] | None = None, zone: str | None = None
) -> str:
    """The session's time in UK time, and in `zone` beside it where that shows other times."""
    start, end = at or (session.start, session.end)
    return when_text(start, end, zone)


def session_day(session: Session, *, at: tuple[datetime, datetime] | None = None) -> str:
    return day_text((at or (session.start, session.end))[0])


def session_contact(session: Session) -> Contact:
    return letter_contact(
        offer=session.offer, council=session.booking.council if session.booking else None
    )


def session_focus(session: Session) -> str:
    """The council's notes for the panel, as the booker wrote them."""
    return session.booking.notes.strip() if session.booking is not None else ""


def session_panel(session: Session) -> list[Seat]:
    """The latest row for each place on the panel (declined and moved rows stay as history)."""
    order = {role.name: i for i, role in enumerate(offer_format(session.offer).roles)}
    latest: dict[tuple[str, int], Seat] = {}
    for seat in Seat.objects.filter(session=session).select_related("peer").order_by("id"):
        latest[(seat.role_name, seat.position)] = seat
    return sorted(latest.values(), key=lambda s: (order.get(s.role_name, 99), s.position))


def session_panel_lines(session: Session, *, with_status: bool) -> tuple[tuple[str, str], ...]:
    lines = []
    for seat in session_panel(session):
        if seat.peer is None:
            # A dash, not brackets: the matcher's reason often ends in its own brackets.
            who = "not filled" + (f" – {seat.unfilled_reason}" if seat.unfilled_reason else "")
        elif seat.status not in HOLDING_SEAT_STATUSES:
            continue
        else:
            who = seat.peer.name + (
                f" ({seat.get_status_display().lower()})" if with_status else ""
            )
        lines.append((seat.role_name, who))
    return tuple(lines)


REFERENCE_LABEL = "Booking reference"


def with_reference(facts: tuple[tuple[str, str], ...], booking) -> tuple[tuple[str, str], ...]:
    """A letter's facts with the booking's reference among them (once): every letter and
    calendar text about a booking gives the reference a person quotes."""
    if booking is None or any(label == REFERENCE_LABEL for label, _ in facts):
        return facts
    return (*facts, (REFERENCE_LABEL, booking.reference))


def session_joining_fact(session: Session) -> tuple[str, str]:
    return ("Joining link", session.joining_url or "to follow (you will be sent an update)")


def session_participants_text(booking) -> str:
    """Who from the council the panel will meet, by name and role and never by address:
    "Jo Bloggs (Leader), Sam Smith (Chief executive)", or "" when the booker named nobody."""
    if booking is None:
        return ""
    # Through the booking's own relation: the participants' room is above this layer.
    named = booking.participants.filter(removed_at__isnull=True).order_by("id")
    return ", ".join(f"{p.name} ({p.role})" if p.role else p.name for p in named)


def session_participants_fact(session: Session) -> tuple[str, str]:
    """("From the council", names and roles), or an empty value (left out) for nobody."""
    return ("From the council", session_participants_text(session.booking))


def _pre_reading_count(session: Session) -> int:
    # Through the booking's own relation: the pre-reading room is above this layer.
    return session.booking.documents.count() if session.booking is not None else 0


def session_pre_reading_fact(session: Session) -> tuple[str, str]:
    """("Pre-reading", "3 documents"), or an empty value (left out) when there is none."""
    n = _pre_reading_count(session)
    return ("Pre-reading", counted(n, "1 document", "{n} documents") if n else "")


def session_pre_reading_actions(session: Session) -> tuple[tuple[str, str], ...]:
    """The link to the pre-reading, when the session's booking has any."""
    if not _pre_reading_count(session):
        return ()
    path = reverse("pack-detail", args=[session.booking_id])
    return (("Read the pre-reading", settings.SITE_URL + path),)


def _reviewed_panel(session: Session):
    # Through the booking's own relation: the room after the panel is above this layer.
    review = getattr(session.booking, "review_of", None) if session.booking is not None else None
    return review.panel if review is not None else None


def session_review_fact(session: Session) -> tuple[str, str]:
    """("Reviews", "the panel of 3 March 2026 (RRP-26-0001)") for a progress review, or an
    empty value (left out) for any other session."""
    panel = _reviewed_panel(session)
    if panel is None:
        return ("Reviews", "")
    return ("Reviews", f"the panel of {day_text(panel.start)} ({panel.reference})")


def session_review_actions(session: Session) -> tuple[tuple[str, str], ...]:
    """A progress review's panel reads the earlier panel's feedback note and action plan."""
    panel = _reviewed_panel(session)
    if panel is None:
        return ()
    path = reverse("feedback-note", args=[panel.pk])
    return (("Read the earlier panel's feedback note and actions", settings.SITE_URL + path),)

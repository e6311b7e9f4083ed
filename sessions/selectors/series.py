"""The sessions of a series (a coaching series, days of support: the sessions of one
booking), read: which are still to come, the lines that list them in an invitation, and the
seats a peer holds on them."""

from datetime import datetime

from django.utils import timezone

from scheduling.engine.uk_time import when_text
from sessions.models import HOLDING_SEAT_STATUSES, Seat, Session, SessionStatus


def series_sessions(booking_id: int | None) -> list[Session]:
    """The scheduled sessions of a booking, in order; [] for a session without a booking."""
    if booking_id is None:
        return []
    return list(
        Session.objects.filter(booking_id=booking_id, status=SessionStatus.SCHEDULED).order_by(
            "number", "start"
        )
    )


def series_sessions_ahead(booking_id: int | None, *, now: datetime | None = None) -> list[Session]:
    """The scheduled sessions of a booking that have not ended yet, in order."""
    now = now or timezone.now()
    return [s for s in series_sessions(booking_id) if s.end > now]


def series_lines(session: Session, *, zone: str | None = None) -> tuple[str, ...]:
    """Every session of the series `session` belongs to, one line each ('Session 2 of 3:
    <when>', in UK time and `zone` beside it where it differs); () when it stands alone."""
    sessions = series_sessions(session.booking_id)
    if len(sessions) < 2:
        return ()
    count = session.offer.session_count or len(sessions)
    return tuple(
        f"Session {s.number} of {count}: {when_text(s.start, s.end, zone)}"
        + (" (this session)" if s.pk == session.pk else "")
        for s in sessions
    )


def series_seats(seat: Seat, *, now: datetime | None = None) -> list[Seat]:
    """The seats the seat's peer holds on the sessions of its booking still to come, `seat`
    among them, in session order: what "answer every session" answers."""
    now = now or timezone.now()
    if seat.peer_id is None or seat.session.booking_id is None:
        return [seat]
    return list(
        Seat.objects.filter(
            peer_id=seat.peer_id,
            status__in=HOLDING_SEAT_STATUSES,
            session__booking_id=seat.session.booking_id,
            session__status=SessionStatus.SCHEDULED,
            session__start__gt=now,
        )
        .select_related("peer", "session__offer", "session__booking__council")
        .order_by("session__number", "session__start", "id")
    )

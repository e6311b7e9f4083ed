"""Reads of attendance: the session whose attendance a caller may record, each person on it
with what was recorded, and the programme's figures (attendance and no-shows by offer and
month, and each peer's no-shows)."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.http import Http404
from django.urls import reverse

from peers.selectors import Caller
from scheduling.engine.uk_time import month_of
from sessions.attendance.models import Attendance, AttendanceStatus
from sessions.attendance.rules import may_record_attendance, require
from sessions.models import HOLDING_SEAT_STATUSES, Seat, Session

NOT_FOUND = "No such session."
WHO_MAY = "Only the session's LGA lead and LGA staff can record who attended."


def attendance_session(*, caller: Caller, session_id: int) -> Session:
    """A booked session whose attendance the caller may record (a webinar has none)."""
    session = (
        Session.objects.select_related("offer", "booking__council")
        .filter(pk=session_id, booking__isnull=False)
        .first()
    )
    if session is None:
        raise Http404(NOT_FOUND)
    require(may_record_attendance(caller, session), WHO_MAY)
    return session


def people_of(session: Session) -> list[Seat]:
    """The seats whose attendance is recorded: each filled place still held, and any seat
    recorded already (a peer who withdrew afterwards stays recorded)."""
    recorded = Attendance.objects.filter(session=session, seat__isnull=False).values("seat_id")
    return list(
        session.seats.filter(
            Q(peer__isnull=False, status__in=HOLDING_SEAT_STATUSES) | Q(id__in=recorded)
        )
        .select_related("peer")
        .order_by("id")
    )


def person_text(seat: Seat) -> str:
    """'Lead Labour (Lead member peer)': who a seat's row is about, in sentences and labels."""
    return f"{seat.peer.name if seat.peer else 'Nobody'} ({seat.role_name})"


@dataclass(frozen=True)
class AttendanceRow:
    seat: int
    role: str
    name: str
    status: str  # "" while nothing is recorded
    status_text: str
    stand_in_name: str
    recorded_at: datetime | None
    recorded_by: str


def attendance_rows(session: Session) -> list[AttendanceRow]:
    records = {
        record.seat_id: record
        for record in Attendance.objects.filter(session=session).select_related("recorded_by")
    }
    rows = []
    for seat in people_of(session):
        record = records.get(seat.id)
        user = record.recorded_by if record else None
        rows.append(
            AttendanceRow(
                seat=seat.id,
                role=seat.role_name,
                name=seat.peer.name if seat.peer else "",
                status=record.status if record else "",
                status_text=record.get_status_display() if record else "Not recorded",
                stand_in_name=record.stand_in_name if record else "",
                recorded_at=record.recorded_at if record else None,
                recorded_by=(user.get_full_name() or user.username) if user else "",
            )
        )
    return rows


def attendance_path(session_id: int) -> str:
    return reverse("attendance", args=[session_id])


# The programme's figures ----------------------------------------------------------------------


def attendance_figures(sessions: list[Session], *, now: datetime, with_peers: bool) -> dict:
    """Over the sessions given (going ahead, in the caller's councils) that have started: by
    offer and UK month, the people who attended, were covered by a stand-in, were absent (the
    no-shows) and are not recorded yet; and, when `with_peers`, each peer's no-shows."""
    started = {s.id: s for s in sessions if s.start <= now}
    seats = list(
        Seat.objects.filter(session_id__in=started)
        .filter(
            Q(peer__isnull=False, status__in=HOLDING_SEAT_STATUSES) | Q(attendance__isnull=False)
        )
        .select_related("peer")
        .distinct()
    )
    status_of = dict(
        Attendance.objects.filter(session_id__in=started, seat__isnull=False).values_list(
            "seat_id", "status"
        )
    )
    counts: dict[tuple, Counter] = defaultdict(Counter)
    recorded_sessions: dict[tuple, set] = defaultdict(set)
    peers: dict[int, Counter] = defaultdict(Counter)
    names: dict[int, str] = {}
    for session in started.values():
        counts[(session.offer.title, month_of(session.start))]["sessions"] += 1
    for seat in seats:
        session = started[seat.session_id]
        key = (session.offer.title, month_of(session.start))
        status = status_of.get(seat.id, "")
        counts[key][status or "not_recorded"] += 1
        if status:
            recorded_sessions[key].add(session.id)
            if seat.peer_id:
                peers[seat.peer_id][status] += 1
                names[seat.peer_id] = seat.peer.name
    rows = [
        {
            "offer": offer,
            "month": f"{year:04d}-{month:02d}",
            "sessions": tally["sessions"],
            "sessions_recorded": len(recorded_sessions[(offer, (year, month))]),
            "attended": tally[AttendanceStatus.ATTENDED],
            "stand_ins": tally[AttendanceStatus.STAND_IN],
            "no_shows": tally[AttendanceStatus.ABSENT],
            "not_recorded": tally["not_recorded"],
        }
        for (offer, (year, month)), tally in sorted(counts.items())
    ]
    no_shows = sorted(
        (
            {
                "peer": peer_id,
                "name": names[peer_id],
                "no_shows": tally[AttendanceStatus.ABSENT],
                "recorded": sum(tally.values()),
            }
            for peer_id, tally in peers.items()
            if tally[AttendanceStatus.ABSENT]
        ),
        key=lambda row: (-row["no_shows"], row["name"]),
    )
    return {
        "by_offer_month": rows,
        **{
            key: sum(row[key] for row in rows)
            for key in ("sessions", "sessions_recorded", "attended", "stand_ins", "no_shows")
        },
        "not_recorded": sum(row["not_recorded"] for row in rows),
        "peer_no_shows": no_shows if with_peers else [],
    }


def seat_attendance(seat_ids) -> dict[int, Attendance]:
    """What was recorded of each seat, by seat id (the programme's export shows it)."""
    return {
        record.seat_id: record for record in Attendance.objects.filter(seat_id__in=set(seat_ids))
    }

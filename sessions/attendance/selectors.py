"""Reads of attendance: the session whose attendance a caller may record, each person on it
(its seats and the booking's participants) with what was recorded, and the programme's figures
(attendance and no-shows by offer and month, the participants' apart, and each peer's
no-shows)."""

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
from sessions.participants.models import Participant

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


def people_of(session: Session) -> list[Seat | Participant]:
    """The people whose attendance is recorded: the seats (each filled place still held) and
    then the booking's current participants, with anyone recorded already (a peer who withdrew
    or a participant taken off the list afterwards stays recorded)."""
    recorded = Attendance.objects.filter(session=session)
    seats = (
        session.seats.filter(
            Q(peer__isnull=False, status__in=HOLDING_SEAT_STATUSES)
            | Q(id__in=recorded.filter(seat__isnull=False).values("seat_id"))
        )
        .select_related("peer")
        .order_by("id")
    )
    participants = Participant.objects.filter(
        Q(removed_at__isnull=True)
        | Q(id__in=recorded.filter(participant__isnull=False).values("participant_id")),
        booking_id=session.booking_id,
    ).order_by("id")
    return [*seats, *participants]


def person_key(*, seat: int | None = None, participant: int | None = None) -> str:
    """'seat-12' or 'participant-3': whose a mark or a row is, in field names and refusals."""
    return f"seat-{seat}" if seat is not None else f"participant-{participant}"


def key_of(person: Seat | Participant) -> str:
    if isinstance(person, Participant):
        return person_key(participant=person.id)
    return person_key(seat=person.id)


def person_text(person: Seat | Participant) -> str:
    """'Lead Labour (Lead member peer)', 'Jo Bloggs (Leader)': who a row is about, in sentences
    and labels."""
    if isinstance(person, Participant):
        return str(person)
    return f"{person.peer.name if person.peer else 'Nobody'} ({person.role_name})"


@dataclass(frozen=True)
class AttendanceRow:
    seat: int | None  # exactly one of seat and participant
    participant: int | None
    role: str
    name: str
    status: str  # "" while nothing is recorded
    status_text: str
    stand_in_name: str
    recorded_at: datetime | None
    recorded_by: str

    @property
    def person(self) -> str:
        return person_key(seat=self.seat, participant=self.participant)


def attendance_rows(session: Session) -> list[AttendanceRow]:
    records = {
        person_key(seat=record.seat_id, participant=record.participant_id): record
        for record in Attendance.objects.filter(session=session).select_related("recorded_by")
    }
    rows = []
    for person in people_of(session):
        record = records.get(key_of(person))
        user = record.recorded_by if record else None
        if isinstance(person, Participant):
            seat, participant, role, name = None, person.id, person.role, person.name
        else:
            seat, participant = person.id, None
            role, name = person.role_name, person.peer.name if person.peer else ""
        rows.append(
            AttendanceRow(
                seat=seat,
                participant=participant,
                role=role,
                name=name,
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
    offer and UK month, the panel's people (peers and LGA lead) who attended, were covered by a
    stand-in, were absent (the no-shows) and are not recorded yet; the council's participants
    recorded attended, stood in for and absent, counted apart (their absence is no peer's
    no-show); and, when `with_peers`, each peer's no-shows."""
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
    participants = Attendance.objects.filter(
        session_id__in=started, participant__isnull=False
    ).values_list("session_id", "status")
    counts: dict[tuple, Counter] = defaultdict(Counter)
    council_counts: dict[tuple, Counter] = defaultdict(Counter)  # the participants'

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
    for session_id, status in participants:
        session = started[session_id]
        key = (session.offer.title, month_of(session.start))
        council_counts[key][status] += 1
        recorded_sessions[key].add(session_id)
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
            "participants_attended": council[AttendanceStatus.ATTENDED],
            "participants_stand_ins": council[AttendanceStatus.STAND_IN],
            "participants_absent": council[AttendanceStatus.ABSENT],
        }
        for (offer, (year, month)), tally in sorted(counts.items())
        for council in [council_counts[(offer, (year, month))]]
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
            for key in (
                "sessions",
                "sessions_recorded",
                "attended",
                "stand_ins",
                "no_shows",
                "not_recorded",
                "participants_attended",
                "participants_stand_ins",
                "participants_absent",
            )
        },
        "peer_no_shows": no_shows if with_peers else [],
    }


def seat_attendance(seat_ids) -> dict[int, Attendance]:
    """What was recorded of each seat, by seat id (the programme's export shows it)."""
    return {
        record.seat_id: record for record in Attendance.objects.filter(seat_id__in=set(seat_ids))
    }

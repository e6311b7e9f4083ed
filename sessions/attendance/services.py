"""Recording who attended a session: each person attended, was absent, or was covered by a
named stand-in. Every mark is checked before anything is written, so a refused request changes
nothing; a mark that changes nothing writes nothing (the history shows only real changes)."""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from peers.selectors import Caller
from scheduling.engine.refusals import Refusal
from scheduling.engine.uk_time import clock_text, day_text
from sessions.attendance.models import STAND_IN_NAME_MAX, Attendance, AttendanceStatus
from sessions.attendance.rules import attendance_open, may_record_attendance, require
from sessions.attendance.selectors import WHO_MAY, key_of, people_of, person_key, person_text
from sessions.models import BookingStatus, Session, SessionStatus
from sessions.participants.models import Participant

STATUS_WORDS = "attended, absent or stand_in"


class AttendanceNotOpen(Refusal):
    status = 409


@dataclass(frozen=True, kw_only=True)
class Mark:
    """What the recorder says of one person, their seat or (for the council's participant)
    their participant, exactly one of the two; a status and, for a stand-in, who."""

    seat: int | None = None
    participant: int | None = None
    status: str
    stand_in_name: str = ""

    @property
    def person(self) -> str:
        return person_key(seat=self.seat, participant=self.participant)


def status_key(person: str) -> str:
    """The name a mark's status is refused under (the page's radios have the same name), for
    a person's key (`seat-<id>` or `participant-<id>`)."""
    return f"{person}-status"


def stand_in_key(person: str) -> str:
    return f"{person}-stand_in_name"


def _refuse_closed(session: Session, now: datetime) -> None:
    if session.status == SessionStatus.CANCELLED or (
        session.booking and session.booking.status == BookingStatus.CANCELLED
    ):
        raise AttendanceNotOpen("This session was cancelled, so there is no attendance to record.")
    if not attendance_open(session, now=now):
        raise AttendanceNotOpen(
            "Attendance can be recorded once the session has started: it starts at "
            f"{clock_text(session.start)} on {day_text(session.start)} (UK time)."
        )


def _whom(mark: Mark) -> str:
    """A mark that names both a seat and a participant, or neither, as the refusal says it."""
    if mark.seat is not None:
        return (
            f"Seat {mark.seat} and participant {mark.participant} are given together: give "
            "each person by their seat or, for the council's participants, by their "
            "participant, not both."
        )
    return (
        "A person is given without a seat or a participant: give each person by their seat "
        "or, for the council's participants, by their participant."
    )


def _checked(session: Session, marks: list[Mark]) -> list[tuple]:
    """Each mark with its person (a seat or a participant), or a ValidationError naming every
    mark refused and why."""
    people = people_of(session)
    seats = {p.id: p for p in people if not isinstance(p, Participant)}
    participants = {p.id: p for p in people if isinstance(p, Participant)}
    errors: dict[str, list[str]] = {}
    checked, seen = [], set()
    if not marks:
        raise ValidationError({"attendance": "Give the attendance of at least one person."})
    for mark in marks:
        if (mark.seat is None) == (mark.participant is None):
            errors.setdefault("attendance", []).append(_whom(mark))
            continue
        if mark.seat is not None:
            person = seats.get(mark.seat)
            missing = (
                f"Seat {mark.seat} is not on this session's panel: record only the people of "
                "this session."
            )
        else:
            person = participants.get(mark.participant)
            missing = (
                f"Participant {mark.participant} is not among this booking's participants: "
                "record only the people of this session."
            )
        if person is None:
            errors[mark.person] = [missing]
            continue
        key = key_of(person)
        if key in seen:
            errors[key] = [f"{person_text(person)} is given more than once: give each person once."]
            continue
        seen.add(key)
        name = " ".join((mark.stand_in_name or "").split())
        if mark.status not in AttendanceStatus.values:
            errors[status_key(key)] = [
                f"Choose whether {person_text(person)} attended, was absent or was covered by a "
                f"stand-in (give the status as {STATUS_WORDS})."
            ]
        elif mark.status == AttendanceStatus.STAND_IN and not name:
            errors[stand_in_key(key)] = [
                f"Give the name of the stand-in who covered for {person_text(person)}."
            ]
        elif mark.status == AttendanceStatus.STAND_IN and len(name) > STAND_IN_NAME_MAX:
            errors[stand_in_key(key)] = [
                f"The stand-in's name for {person_text(person)} must be {STAND_IN_NAME_MAX} "
                "characters or fewer."
            ]
        status = mark.status
        checked.append((person, status, name if status == AttendanceStatus.STAND_IN else ""))
    if errors:
        raise ValidationError(errors)
    return checked


def attendance_record(
    *, caller: Caller, session: Session, marks: list[Mark], now: datetime | None = None
) -> list[Attendance]:
    """Record (or change) the attendance of the people marked; the rest stay as they were.
    Returns the session's attendance rows."""
    require(may_record_attendance(caller, session), WHO_MAY)
    now = now or timezone.now()
    with transaction.atomic():
        # One recorder at a time per session, so two answers cannot both create a row.
        session = (
            Session.objects.select_for_update(of=("self",))
            .select_related("booking")
            .get(pk=session.pk)
        )
        _refuse_closed(session, now)
        existing = {
            person_key(seat=a.seat_id, participant=a.participant_id): a
            for a in Attendance.objects.filter(session=session)
        }
        user = caller.user if caller.user.is_authenticated else None
        for person, status, name in _checked(session, marks):
            record = existing.get(key_of(person))
            if record is None:
                whom = "participant" if isinstance(person, Participant) else "seat"
                Attendance.objects.create(
                    session=session,
                    status=status,
                    stand_in_name=name,
                    recorded_by=user,
                    **{whom: person},
                )
            elif (record.status, record.stand_in_name) != (status, name):
                record.status, record.stand_in_name, record.recorded_by = status, name, user
                record.save()
    return list(Attendance.objects.filter(session=session).order_by("id"))

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
from sessions.attendance.selectors import WHO_MAY, people_of, person_text
from sessions.models import BookingStatus, Session, SessionStatus

STATUS_WORDS = "attended, absent or stand_in"


class AttendanceNotOpen(Refusal):
    status = 409


@dataclass(frozen=True)
class Mark:
    """What the recorder says of one person: their seat, a status and, for a stand-in, who."""

    seat: int
    status: str
    stand_in_name: str = ""


def status_key(seat_id: int) -> str:
    """The name a mark's status is refused under (the page's radios have the same name)."""
    return f"seat-{seat_id}-status"


def stand_in_key(seat_id: int) -> str:
    return f"seat-{seat_id}-stand_in_name"


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


def _checked(session: Session, marks: list[Mark]) -> list[tuple]:
    """Each mark with its seat, or a ValidationError naming every mark refused and why."""
    people = {seat.id: seat for seat in people_of(session)}
    errors: dict[str, list[str]] = {}
    checked, seen = [], set()
    if not marks:
        raise ValidationError({"attendance": "Give the attendance of at least one person."})
    for mark in marks:
        seat = people.get(mark.seat)
        if seat is None:
            errors[f"seat-{mark.seat}"] = [
                f"Seat {mark.seat} is not on this session's panel: record only the people of "
                "this session."
            ]
            continue
        if mark.seat in seen:
            errors[f"seat-{mark.seat}"] = [
                f"{person_text(seat)} is given more than once: give each person once."
            ]
            continue
        seen.add(mark.seat)
        name = " ".join((mark.stand_in_name or "").split())
        if mark.status not in AttendanceStatus.values:
            errors[status_key(seat.id)] = [
                f"Choose whether {person_text(seat)} attended, was absent or was covered by a "
                f"stand-in (give the status as {STATUS_WORDS})."
            ]
        elif mark.status == AttendanceStatus.STAND_IN and not name:
            errors[stand_in_key(seat.id)] = [
                f"Give the name of the stand-in who covered for {person_text(seat)}."
            ]
        elif mark.status == AttendanceStatus.STAND_IN and len(name) > STAND_IN_NAME_MAX:
            errors[stand_in_key(seat.id)] = [
                f"The stand-in's name for {person_text(seat)} must be {STAND_IN_NAME_MAX} "
                "characters or fewer."
            ]
        status = mark.status
        checked.append((seat, status, name if status == AttendanceStatus.STAND_IN else ""))
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
        existing = {a.seat_id: a for a in Attendance.objects.filter(session=session)}
        user = caller.user if caller.user.is_authenticated else None
        for seat, status, name in _checked(session, marks):
            record = existing.get(seat.id)
            if record is None:
                Attendance.objects.create(
                    session=session, seat=seat, status=status, stand_in_name=name, recorded_by=user
                )
            elif (record.status, record.stand_in_name) != (status, name):
                record.status, record.stand_in_name, record.recorded_by = status, name, user
                record.save()
    return list(Attendance.objects.filter(session=session).order_by("id"))

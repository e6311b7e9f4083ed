"""The programme's CSV export: a row per booked session and per webinar in the period, over the
councils the caller may see (see `figures` for the period and who sees what). Each seat's row
says what was recorded of its peer's attendance, and a row per offer and UK month counts
attendance and no-shows, the council's participants apart (`record` "attendance")."""

import csv
import io
from datetime import datetime

from django.utils import timezone

from peers.models import CouncilType, Region
from peers.selectors import Caller
from scheduling.engine.uk_time import LONDON
from sessions.attendance.selectors import seat_attendance
from sessions.models import (
    Seat,
)
from sessions.programme.figures import Period, attendance_in, bookings_in, programme_scope
from sessions.webinars.models import Registration
from sessions.webinars.selectors.webinars import webinar_sessions

EXPORT_COLUMNS = [
    "record",
    "id",
    "booking",
    "reference",
    "offer",
    "council",
    "region",
    "council_type",
    "session",
    "session_number",
    "session_start_uk",
    "status",
    "role",
    "peer",
    "name",
    "email",
    "registered_council",
    "created_at_uk",
    "attendance",
    "stand_in",
    "month",
    "sessions",
    "attended",
    "stand_ins",
    "no_shows",
    "not_recorded",
    "participants_attended",
    "participants_stand_ins",
    "participants_absent",
]
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """A value as a spreadsheet will read it; text that would run as a formula is quoted."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(LONDON).strftime("%Y-%m-%d %H:%M")
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def programme_export(*, caller: Caller, period: Period) -> str:
    """The period's bookings, seats and webinar registrations as one CSV (a `record` column
    says which each row is)."""
    scope = programme_scope(caller)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS)
    writer.writeheader()

    def write(**row):
        writer.writerow({key: _cell(row.get(key)) for key in EXPORT_COLUMNS})

    regions, types = dict(Region.choices), dict(CouncilType.choices)
    for booking in bookings_in(scope, period).order_by("first_start", "id"):
        council = booking.council
        write(
            record="booking",
            id=booking.id,
            booking=booking.id,
            reference=booking.reference,
            offer=booking.offer.title,
            council=council.name,
            region=regions.get(council.region, council.region),
            council_type=types.get(council.council_type, council.council_type),
            session_start_uk=booking.first_start,
            status=booking.get_status_display(),
            name=booking.booked_by.get_full_name() or booking.booked_by.username
            if booking.booked_by
            else "",
            created_at_uk=booking.created_at,
        )
    seats = (
        Seat.objects.filter(
            scope.councils("session__booking__council"),
            session__booking__isnull=False,
            session__start__gte=period.start,
            session__start__lt=period.end,
        )
        .select_related("peer", "session__offer", "session__booking__council")
        .order_by("session__start", "session_id", "role_name", "position", "id")
    )
    seats = list(seats)
    attended = seat_attendance(seat.id for seat in seats)
    for seat in seats:
        session, council = seat.session, seat.session.booking.council
        record = attended.get(seat.id)
        write(
            record="seat",
            id=seat.id,
            booking=session.booking_id,
            reference=session.booking.reference,
            offer=session.offer.title,
            council=council.name,
            region=regions.get(council.region, council.region),
            council_type=types.get(council.council_type, council.council_type),
            session=session.id,
            session_number=session.number,
            session_start_uk=session.start,
            status=seat.get_status_display() if seat.peer_id else "Unfilled",
            role=seat.role_name,
            peer=seat.peer.name if seat.peer else "",
            attendance=record.get_status_display() if record else "",
            stand_in=record.stand_in_name if record else "",
        )
    for row in attendance_in(scope, period, timezone.now())["by_offer_month"]:
        write(record="attendance", **row)
    registrations = (
        Registration.objects.filter(
            session__in=webinar_sessions(),
            session__start__gte=period.start,
            session__start__lt=period.end,
        )
        .filter(scope.councils())
        .select_related("session__offer", "council")
        .order_by("session__start", "session_id", "created_at", "id")
    )
    for registration in registrations:
        session = registration.session
        write(
            record="registration",
            id=registration.id,
            offer=session.title or session.offer.title,
            session=session.id,
            session_start_uk=session.start,
            status=registration.get_status_display(),
            role=registration.role,
            name=registration.name,
            email=registration.email,
            registered_council=registration.council.name
            if registration.council
            else registration.council_name,
            created_at_uk=registration.created_at,
        )
    return out.getvalue()

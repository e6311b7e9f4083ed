"""Reads of attendance: a webinar's report matched against its registrations (for staff),
the webinars a councillor attended (My webinars: a record for their own development), and
attendance against places by webinar and topic (the programme dashboard)."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, Q
from django.utils import timezone

from scheduling.engine.uk_time import when_text
from sessions.models import Session, SessionStatus
from sessions.webinars.models import AttendanceSource, RegistrationStatus, WebinarAttendance
from sessions.webinars.selectors.webinars import capacity_of, webinar_sessions


@dataclass(frozen=True)
class AttendanceRow:
    name: str
    email: str
    minutes: int


@dataclass(frozen=True)
class AttendanceReport:
    matched: tuple[AttendanceRow, ...]  # registrants the report names
    unmatched: tuple[AttendanceRow, ...]  # people it names whom no registration matches
    absent: tuple[AttendanceRow, ...]  # registrants with a place it does not name
    source: str  # e.g. "Microsoft Teams", or "" before any upload
    uploaded_at: datetime | None


def webinar_attendance(session: Session) -> AttendanceReport:
    rows = list(
        WebinarAttendance.objects.filter(session=session)
        .select_related("registration")
        .order_by("name", "email", "id")
    )
    matched = tuple(
        AttendanceRow(r.registration.name, r.registration.email, r.minutes)
        for r in rows
        if r.registration_id is not None
    )
    unmatched = tuple(
        AttendanceRow(r.name, r.email, r.minutes) for r in rows if r.registration_id is None
    )
    seen = {r.registration_id for r in rows}
    absent = tuple(
        AttendanceRow(r.name, r.email, 0)
        for r in session.registrations.filter(status=RegistrationStatus.REGISTERED).order_by(
            "name", "id"
        )
        if r.pk not in seen
    )
    return AttendanceReport(
        matched=matched,
        unmatched=unmatched,
        absent=absent if rows else (),
        source=AttendanceSource(rows[0].source).label if rows else "",
        uploaded_at=max((r.uploaded_at for r in rows), default=None),
    )


@dataclass(frozen=True)
class Attended:
    """A webinar someone attended, for their own record."""

    session_id: int
    title: str
    when_text: str
    minutes: int
    recording_url: str


def attended_webinars(*, email: str, now: datetime | None = None) -> list[Attended]:
    """The webinars the address attended (as the platform's report says), latest first."""
    now = now or timezone.now()
    email = (email or "").strip().lower()
    if not email:
        return []
    rows = (
        WebinarAttendance.objects.filter(
            registration__email=email, session__start__lte=now, minutes__gt=0
        )
        .select_related("session__offer")
        .order_by("-session__start", "id")
    )
    return [
        Attended(
            session_id=row.session_id,
            title=row.session.title or row.session.offer.title,
            when_text=when_text(row.session.start, row.session.end),
            minutes=row.minutes,
            recording_url=row.session.recording_url,
        )
        for row in rows
    ]


def attendance_figures(*, start: datetime, end: datetime) -> dict:
    """Attendance against places for the webinars that started in [start, end) and had a
    report: by webinar and by topic. `attended` counts registrants the report names."""
    sessions = (
        webinar_sessions()
        .filter(start__gte=start, start__lt=end, status=SessionStatus.SCHEDULED)
        .select_related("offer")
        .annotate(
            registered=Count(
                "registrations",
                filter=Q(registrations__status=RegistrationStatus.REGISTERED),
                distinct=True,
            ),
            attended=Count(
                "webinar_attendance",
                filter=Q(
                    webinar_attendance__registration__isnull=False,
                    webinar_attendance__minutes__gt=0,
                ),
                distinct=True,
            ),
            reported=Count("webinar_attendance", distinct=True),
            last_report=Max("webinar_attendance__uploaded_at"),
        )
        .filter(reported__gt=0)
        .order_by("start", "id")
    )
    by_webinar, by_topic = [], {}
    for session in sessions:
        capacity = capacity_of(session)
        row = {
            "session": session.id,
            "title": session.title or session.offer.title,
            "topic": session.offer.get_topic_display() if session.offer.topic else "",
            "start": session.start,
            "capacity": capacity,
            "registered": session.registered,
            "attended": session.attended,
            "rate": round(session.attended / capacity, 3) if capacity else None,
        }
        by_webinar.append(row)
        topic = by_topic.setdefault(
            row["topic"],
            {
                "topic": row["topic"] or "No topic",
                "webinars": 0,
                "capacity": 0,
                "registered": 0,
                "attended": 0,
            },
        )
        topic["webinars"] += 1
        for key in ("capacity", "registered", "attended"):
            topic[key] += row[key]
    for topic in by_topic.values():
        topic["rate"] = (
            round(topic["attended"] / topic["capacity"], 3) if topic["capacity"] else None
        )
    return {
        "by_webinar": by_webinar,
        "by_topic": sorted(by_topic.values(), key=lambda t: t["topic"]),
        "attended": sum(r["attended"] for r in by_webinar),
        "capacity": sum(r["capacity"] for r in by_webinar),
    }

"""Demo webinar sessions: a few upcoming sessions of every available webinar offer, one of
them nearly full, with videos and reading to watch before, and the demo councillor registered
for one; and a past one with its recording, slides and attendance (one row matching nobody),
which the councillor attended. Deterministic and idempotent:
a session is found by its UID and left alone if it exists (running it again never moves a
webinar people may have registered for)."""

from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from scheduling.engine.uk_time import LONDON as UK
from scheduling.engine.uk_time import bank_holidays
from sessions.models import UID_DOMAIN, Delivery, Offer, OfferStatus, Session
from sessions.webinars.models import (
    AttendanceSource,
    Material,
    MaterialKind,
    Registration,
    RegistrationStatus,
    WebinarAttendance,
)

SESSIONS_PER_OFFER = 3
# (weekday, UK start time): councillors' evenings and officers' lunchtimes.
SLOTS = [(1, time(18, 30)), (3, time(12, 30)), (2, time(10, 0)), (4, time(14, 0))]
NEARLY_FULL = 8  # places on the first session of the first offer, with six taken
VIDEOS = "https://www.local.gov.uk/our-support/councillor-development/videos"
BEFORE = [
    ("Part 1: what the role involves (8 minutes)", f"{VIDEOS}/part-1"),
    ("Part 2: working with your community (6 minutes)", f"{VIDEOS}/part-2"),
    ("Reading: the councillor workbook", f"{VIDEOS}/workbook"),
]
DEMO_PEOPLE = [
    ("Aisha Khan", "Bolton Council", "Ward councillor"),
    ("Gareth Evans", "Cardiff Council", "Cabinet member for finance"),
    ("Helen Clarke", "Leeds City Council", "Opposition group leader"),
    ("Tom Briggs", "Cornwall Council", "Ward councillor"),
    ("Nia Roberts", "Swansea Council", "Scrutiny chair"),
    ("Priya Shah", "Leicester City Council", "Cabinet member"),
]


def _working_day_from(day: date, weekday: int) -> date:
    day += timedelta(days=(weekday - day.weekday()) % 7)
    while day in bank_holidays("england", day.year):
        day += timedelta(days=7)
    return day


@transaction.atomic
def seed_webinars(*, today: date | None = None) -> dict:
    """Schedule the demo webinars; returns how many sessions and registrations were added."""
    today = today or timezone.localdate()
    offers = [
        offer
        for offer in Offer.objects.filter(delivery=Delivery.WEBINAR).order_by("order", "title")
        if offer.current_status == OfferStatus.AVAILABLE
    ]
    added_sessions = added_registrations = 0
    first_sessions = []
    for index, offer in enumerate(offers):
        for number in range(SESSIONS_PER_OFFER):
            weekday, at = SLOTS[(index + number) % len(SLOTS)]
            day = _working_day_from(today + timedelta(days=7 + 4 * index + 21 * number), weekday)
            start = datetime.combine(day, at, UK)
            session, created = Session.objects.get_or_create(
                uid=f"demo-{offer.slug}-{number + 1}@{UID_DOMAIN}",
                defaults={
                    "offer": offer,
                    "start": start,
                    "end": start + timedelta(minutes=offer.duration_minutes),
                    "capacity": NEARLY_FULL if index == number == 0 else offer.seats,
                    "joining_url": f"https://meet.example.org/lga/{offer.slug}-{number + 1}",
                },
            )
            added_sessions += created
            if number == 0:
                first_sessions.append(session)
            for title, url in BEFORE:
                Material.objects.get_or_create(
                    session=session, title=title, defaults={"kind": MaterialKind.BEFORE, "url": url}
                )
    if first_sessions:
        for name, council_name, role in DEMO_PEOPLE:
            email = name.lower().replace(" ", ".") + "@councillors.example.org"
            _, created = Registration.objects.get_or_create(
                session=first_sessions[0],
                email=email,
                defaults={"name": name, "council_name": council_name, "role": role},
            )
            added_registrations += created
        councillor = get_user_model().objects.filter(username="councillor").first()
        if councillor is not None and councillor.email:
            target = first_sessions[1] if len(first_sessions) > 1 else first_sessions[0]
            _, created = Registration.objects.get_or_create(
                session=target,
                email=councillor.email.lower(),
                defaults={
                    "name": councillor.get_full_name() or councillor.username,
                    "council": getattr(getattr(councillor, "councillor", None), "council", None),
                    "role": getattr(getattr(councillor, "councillor", None), "role", ""),
                    "status": RegistrationStatus.REGISTERED,
                },
            )
            added_registrations += created
    past = _seed_past_webinar(offers[0], today) if offers else 0
    return {
        "webinar_sessions": added_sessions,
        "registrations": added_registrations,
        "past_webinars": past,
    }


def _seed_past_webinar(offer: Offer, today: date) -> int:
    """A webinar three weeks ago with its recording, slides and attendance report; 1 if
    added now."""
    start = datetime.combine(_working_day_from(today - timedelta(days=21), 1), time(18, 30), UK)
    session, created = Session.objects.get_or_create(
        uid=f"demo-{offer.slug}-past@{UID_DOMAIN}",
        defaults={
            "offer": offer,
            "start": start,
            "end": start + timedelta(minutes=offer.duration_minutes),
            "capacity": offer.seats,
            "sequence": 1,
            "recording_url": f"{VIDEOS}/{offer.slug}-recording",
        },
    )
    if not created:
        return 0
    Material.objects.create(
        session=session, kind=MaterialKind.SLIDES, title="Slides", url=f"{VIDEOS}/slides"
    )
    people = [
        (name, name.lower().replace(" ", ".") + "@councillors.example.org")
        for name, *_ in DEMO_PEOPLE[:3]
    ]
    councillor = get_user_model().objects.filter(username="councillor").first()
    if councillor is not None and councillor.email:
        people.append((councillor.get_full_name() or councillor.username, councillor.email.lower()))
    for index, (name, email) in enumerate(people):
        registration = Registration.objects.create(
            session=session, email=email, name=name, role="Ward councillor"
        )
        if index != 1:  # the second did not come
            WebinarAttendance.objects.create(
                session=session,
                registration=registration,
                name=name,
                email=email,
                minutes=55 - index,
                source=AttendanceSource.TEAMS,
            )
    WebinarAttendance.objects.create(
        session=session, name="Guest (phone)", minutes=40, source=AttendanceSource.TEAMS
    )
    return 1

"""Small factories for tests: real rows in the real database, named in the domain's words."""

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import factory
from django.contrib.auth import get_user_model
from django.db import connections
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from peers.models import Booker, Council, Councillor, Peer, PeerKind, Region, Skill
from peers.selectors import caller_for
from peers.services import (
    api_token_issue,
    availability_replace,
    busy_calendar_refresh,
    busy_calendar_upload,
)
from scheduling.engine.uk_time import LONDON, bank_holidays
from sessions.models import HOLDING_SEAT_STATUSES, Booking, Invite, Offer, Seat, Session
from sessions.services import booking_create
from sessions.webinars.services import registrations as webinar_services

_sequence = itertools.count(1)


# The model factories (factory_boy): each makes a real, valid row with the fewest words. The
# make_* functions below are their short forms for the common cases.


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.LazyFunction(lambda: f"user{next(_sequence)}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def saved(user, create, extracted, **kwargs):
        if create:
            user.save()


class CouncilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Council

    name = factory.LazyFunction(lambda: f"Test Borough Council {next(_sequence)}")
    slug = factory.LazyFunction(lambda: f"test-council-{next(_sequence)}")
    council_type = "district"
    region = Region.NORTH_WEST
    leader_group = "labour"


class PeerFactory(factory.django.DjangoModelFactory):
    """A peer: a Labour member peer unless told otherwise; an officer is a chief executive, a
    facilitator has neither group nor profession (the model's constraint)."""

    class Meta:
        model = Peer
        skip_postgeneration_save = True

    kind = PeerKind.MEMBER
    name = factory.LazyFunction(lambda: f"Peer {next(_sequence)}")
    email = factory.LazyFunction(lambda: f"peer{next(_sequence)}@example.org")
    political_group = factory.LazyAttribute(
        lambda peer: "labour" if peer.kind == PeerKind.MEMBER else ""
    )
    profession = factory.LazyAttribute(
        lambda peer: "chief-executive" if peer.kind == PeerKind.OFFICER else ""
    )
    home_council = factory.SubFactory(CouncilFactory)

    @factory.post_generation
    def skills(peer, create, extracted, **kwargs):
        if create and extracted:
            peer.skills.set(Skill.objects.filter(slug__in=extracted))


class BookerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Booker

    user = factory.SubFactory(UserFactory)
    council = factory.SubFactory(CouncilFactory)


class CouncillorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Councillor

    user = factory.SubFactory(UserFactory)
    council = factory.SubFactory(CouncilFactory)
    role = "Ward councillor"


def make_user(username: str | None = None, *, password: str = "correct horse battery", **fields):
    if username is not None:
        fields["username"] = username
    return UserFactory(password=password, **fields)


def make_council(name: str | None = None, **fields) -> Council:
    return CouncilFactory(**({"name": name} if name else {}), **fields)


def make_peer(*, kind: str = PeerKind.MEMBER, skills=(), **fields) -> Peer:
    if fields.get("home_council") is None:
        fields.pop("home_council", None)
    return PeerFactory(kind=kind, skills=list(skills), **fields)


def make_booker(council: Council, username: str | None = None):
    return BookerFactory(council=council, user=make_user(username)).user


def make_councillor(council: Council, username: str | None = None):
    return CouncillorFactory(council=council, user=make_user(username)).user


def bearer(user) -> dict:
    """Headers that sign a script in as `user` with a freshly issued API token."""
    return {"Authorization": f"Bearer {api_token_issue(user=user, name='tests').secret}"}


WEEKDAYS_9_TO_5 = [{"weekday": d, "start": "09:00", "end": "17:00"} for d in range(5)]


def make_available(peer: Peer, weekly=None) -> Peer:
    availability_replace(
        peer=peer,
        time_zone="Europe/London",
        weekly=weekly if weekly is not None else WEEKDAYS_9_TO_5,
        overrides=[],
        leave=[],
        monthly_session_cap=6,
        monthly_hours_cap=30,
        buffer_minutes=30,
        bank_holidays_block=True,
        nation="england",
    )
    return peer


def bookable_day(weekday: int = 1, weeks_ahead: int = 3) -> date:
    """A working day (not a bank holiday in England) at least `weeks_ahead` weeks from today."""
    day = date.today() + timedelta(weeks=weeks_ahead)
    day += timedelta(days=(weekday - day.weekday()) % 7)
    while day in bank_holidays("england", day.year):
        day += timedelta(days=7)
    return day


def london(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def at_once(calls: list[Callable[[], object]]) -> list:
    """Run each call in its own thread, all released at the same instant; return the results.

    Each thread has its own database connection, closed when it is done.
    """
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=30)
            results[i] = call()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(not thread.is_alive() for thread in threads), "a thread did not finish"
    return results


def import_calendar(peer: Peer, data: bytes, filename: str = "busy.ics"):
    """Upload a peer's calendar and read it as the worker does; returns the calendar."""
    calendar = busy_calendar_upload(peer=peer, data=data, filename=filename)
    return busy_calendar_refresh(calendar_id=calendar.id)


# Bookings, made through the booking service (or the API) as a booker makes them ------------


@dataclass
class Pool:
    council: Council
    other_council: Council
    lead: Peer  # the only Labour member peer
    member: Peer
    officer: Peer  # the only officer peer with recovery planning
    facilitator: Peer  # the only LGA facilitator, who leads the panel
    booker: object
    other_booker: object
    day: date = field(default_factory=bookable_day)  # a bookable Tuesday three weeks ahead


PANEL = "recovery-and-renewal-panel"


@dataclass
class SignedInPanel:
    council: Council  # Wigan: Labour-led, metropolitan, in the North West
    booker: object
    peers: dict[str, Peer]  # "lead", "member", "officer", "facilitator": each with a sign-in
    reserve: Peer  # a member peer also free, of a group the lead seat does not want


def a_signed_in_panel(*, adviser=None, booker: str = "booker1") -> SignedInPanel:
    """Wigan, its booker, the three peers and the LGA facilitator who can sit on its panel, each with a sign-in (the pages
    they answer on need one), and a reserve member peer: what the browser journeys start from."""
    council = make_council(
        "Wigan Council",
        region=Region.NORTH_WEST,
        leader_group="labour",
        council_type="metropolitan",
        principal_adviser=adviser,
    )
    home = make_council("Cardiff Council", region=Region.WALES, leader_group="labour")
    peers = {
        "lead": make_peer(
            name="Ann Lead", political_group="labour", home_council=home, user=make_user("ann")
        ),
        "member": make_peer(
            name="Gwen Member", political_group="green", home_council=home, user=make_user("gwen")
        ),
        "officer": make_peer(
            kind="officer",
            name="Owen Officer",
            home_council=home,
            skills=["recovery-planning"],
            user=make_user("owen"),
        ),
        "facilitator": make_peer(
            kind="facilitator", name="Fay Facilitator", home_council=home, user=make_user("fay")
        ),
    }
    for peer in peers.values():
        make_available(peer)
    reserve = make_available(
        make_peer(name="Rhys Reserve", political_group="conservative", home_council=home)
    )
    return SignedInPanel(council, make_booker(council, booker), peers, reserve)


def a_booking(
    pool, start: datetime, *, capture, booker=None, council=None, offer=PANEL, notes=""
) -> Booking:
    """Book an offer through the booking service, as the API does for the booker, and run the
    transaction's on-commit work (the queueing)."""
    with capture(execute=True):
        return booking_create(
            caller=caller_for(booker or pool.booker),
            offer=Offer.objects.get(slug=offer),
            council=council or pool.council,
            start=start,
            notes=notes,
        )


def book(
    api_client, pool, start: datetime, *, capture, booker=None, council=None, offer=PANEL
) -> dict:
    """Book an offer through the API and run the transaction's on-commit work (the queueing);
    for tests about the API. Returns the API's answer."""
    with capture(execute=True):
        response = api_client.post(
            "/bookings",
            json={
                "offer": offer,
                "council": (council or pool.council).id,
                "start": start.isoformat(),
                "notes": "",
            },
            headers=bearer(booker or pool.booker),
        )
    assert response.status_code == 201, response.json()
    return response.json()


def assert_no_peer_double_booked():
    holds = {}
    for seat in Seat.objects.filter(status__in=HOLDING_SEAT_STATUSES, peer__isnull=False).order_by(
        "held_from"
    ):
        for other_from, other_until in holds.get(seat.peer_id, []):
            assert not (seat.held_from < other_until and other_from < seat.held_until), (
                f"peer {seat.peer_id} double-booked"
            )
        holds.setdefault(seat.peer_id, []).append((seat.held_from, seat.held_until))


# Webinars, scheduled and registered for through the services ---------------------------------

WARD = "webinar-role-of-the-ward-councillor"
OPPOSITION = "webinar-importance-of-opposition"
JOIN = "https://meet.example.org/j/ward-councillor"


def in_days(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


def a_webinar(slug: str = WARD, *, days: int = 14, hour: int = 10, **fields) -> Session:
    fields.setdefault("joining_url", JOIN)
    return webinar_services.webinar_schedule(
        offer=Offer.objects.get(slug=slug), start=london(in_days(days), hour), **fields
    )


def register(session: Session, email: str, **fields) -> webinar_services.RegistrationResult:
    values = {
        "name": "Sam Okafor",
        "council_name": "Anytown Borough Council",
        "role": "Ward councillor",
    }
    values.update(fields)
    return webinar_services.registration_create(session=session, email=email, **values)


def invites(session: Session) -> list[tuple[str, str, int]]:
    """(method, recipient, SEQUENCE) of every invite queued for the session, oldest first."""
    return list(
        Invite.objects.filter(session=session)
        .order_by("created_at", "id")
        .values_list("method", "recipient_email", "sequence")
    )


# Calendar feeds, as a client is served them ----------------------------------------------------


def events_of(body: bytes) -> dict[str, dict]:
    """UID → the VEVENT's properties as text, read back with icalendar."""
    calendar = Calendar.from_ical(body)
    return {
        str(event["UID"]): {
            "summary": str(event["SUMMARY"]),
            "status": str(event["STATUS"]),
            "sequence": int(event["SEQUENCE"]),
            "location": str(event.get("LOCATION", "")),
            "description": str(event.get("DESCRIPTION", "")),
            "start": event.decoded("DTSTART").astimezone(UTC),
            "dtstamp": event.decoded("DTSTAMP").astimezone(UTC),
        }
        for event in calendar.walk("VEVENT")
    }


class FeedCheckingClient(Client):
    """The test client, keeping every calendar it is served so the parsers can read them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.calendars: list[bytes] = []

    def request(self, **request):
        response = super().request(**request)
        served = response.get("Content-Type", "").startswith("text/calendar")
        if response.status_code == 200 and served and response.content:
            self.calendars.append(response.content)
        return response

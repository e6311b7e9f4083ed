"""Reads about webinars: what is on and how many places are left, the signed links in
registrants' e-mails, and the subscribable calendar feeds.

Feeds (docs/architecture.md, "Calendars") keep their bytes stable while nothing changes: each event's DTSTAMP is
its row's last change. A public feed's ETag is computed from one aggregate query (how many
rows it shows, their last change, the newest row), so a conditional request is answered
without building anything; the built body is kept per process under that ETag. Each event's
VEVENT text is also kept (keyed by the event itself), so a feed after one change rebuilds
only that event.
"""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urlencode

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from peers.selectors import caller_for
from scheduling.engine.uk_time import LONDON as UK
from scheduling.engine.uk_time import when_text
from sessions.models import Delivery, OfferStatus, Session, SessionStatus, Topic
from sessions.webinars import rules
from sessions.webinars.models import (
    FeedToken,
    Registration,
    RegistrationRequest,
    RegistrationStatus,
)

# Webinars and places ---------------------------------------------------------------------------


def webinar_sessions() -> QuerySet[Session]:
    """Every webinar session: a session of a webinar offer, not part of a booking."""
    return Session.objects.filter(offer__delivery=Delivery.WEBINAR, booking__isnull=True)


def _with_counts(sessions: QuerySet[Session]) -> QuerySet[Session]:
    return sessions.select_related("offer").annotate(
        registered_count=Count(
            "registrations", filter=Q(registrations__status=RegistrationStatus.REGISTERED)
        ),
        waiting_count=Count(
            "registrations", filter=Q(registrations__status=RegistrationStatus.WAITING)
        ),
    )


def capacity_of(session: Session) -> int:
    return session.capacity if session.capacity is not None else (session.offer.seats or 0)


def registered_count(session: Session) -> int:
    return session.registrations.filter(status=RegistrationStatus.REGISTERED).count()


def closed_reason(session: Session, *, now: datetime | None = None) -> str:
    """Why nobody can register for this webinar now, or "" if they can."""
    now = now or timezone.now()
    if session.status == SessionStatus.CANCELLED:
        return "This webinar is cancelled."
    if session.end <= now:
        return "This webinar has already taken place."
    if session.start <= now:
        return "Registration closed when the webinar started."
    state = session.offer.state()
    if state.status == OfferStatus.COMING_SOON:
        return "Registration has not opened yet."
    if state.status != OfferStatus.AVAILABLE:
        return f"Registration is closed: {state.text.lower()}."
    return ""


@dataclass(frozen=True)
class Webinar:
    """One webinar session as councillors see it: what, when (UK time), places."""

    session: Session
    title: str
    start: datetime  # Europe/London
    end: datetime  # Europe/London
    capacity: int
    registered: int
    waiting: int
    closed_reason: str

    @property
    def id(self) -> int:
        return self.session.pk

    @property
    def offer(self):
        return self.session.offer

    @property
    def path(self) -> str:
        return reverse("webinar-detail", kwargs={"webinar_id": self.session.pk})

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.registered, 0)

    @property
    def is_open(self) -> bool:
        return not self.closed_reason

    @property
    def is_full(self) -> bool:
        return self.places_left == 0

    @property
    def is_cancelled(self) -> bool:
        return self.session.status == SessionStatus.CANCELLED

    @property
    def duration_minutes(self) -> int:
        return round((self.session.end - self.session.start).total_seconds() / 60)

    @property
    def when_text(self) -> str:
        """e.g. 'Tuesday 8 December 2026, 10:00 to 11:00 (UK time)'."""
        return when_text(self.start, self.end)

    @property
    def places_text(self) -> str:
        if self.is_cancelled:
            return "Cancelled"
        if self.places_left:
            return f"{self.places_left} place{'s' if self.places_left != 1 else ''} left"
        waiting = f" ({self.waiting} waiting)" if self.waiting else ""
        return f"Full: you can join the waiting list{waiting}"


def webinar_view(session: Session, *, now: datetime) -> Webinar:
    registered = getattr(session, "registered_count", None)
    waiting = getattr(session, "waiting_count", None)
    if registered is None or waiting is None:
        counts = session.registrations.aggregate(
            registered=Count("id", filter=Q(status=RegistrationStatus.REGISTERED)),
            waiting=Count("id", filter=Q(status=RegistrationStatus.WAITING)),
        )
        registered, waiting = counts["registered"], counts["waiting"]
    return Webinar(
        session=session,
        title=session.title or session.offer.title,
        start=session.start.astimezone(UK),
        end=session.end.astimezone(UK),
        capacity=capacity_of(session),
        registered=registered,
        waiting=waiting,
        closed_reason=closed_reason(session, now=now),
    )


def topic_or_404(topic: str) -> str:
    """A known topic ("" for all of them); anything else is not found."""
    topic = (topic or "").strip()
    if topic and topic not in Topic.values:
        raise Http404("No such topic.")
    return topic


def webinar_list(*, topic: str = "", now: datetime | None = None) -> list[Webinar]:
    """Upcoming (or running) scheduled webinars, soonest first, optionally of one topic."""
    now = now or timezone.now()
    sessions = webinar_sessions().filter(status=SessionStatus.SCHEDULED, end__gt=now)
    if topic:
        sessions = sessions.filter(offer__topic=topic)
    return [webinar_view(s, now=now) for s in _with_counts(sessions).order_by("start", "id")]


def webinar_get(*, webinar_id: int, now: datetime | None = None) -> Webinar:
    session = _with_counts(webinar_sessions()).filter(pk=webinar_id).first()
    if session is None:
        raise Http404("No such webinar.")
    return webinar_view(session, now=now or timezone.now())


def waiting_position(registration: Registration) -> int | None:
    """1 for the first person on the waiting list; None if not waiting."""
    if registration.status != RegistrationStatus.WAITING:
        return None
    ahead = registration.session.registrations.filter(
        Q(updated_at__lt=registration.updated_at)
        | Q(updated_at=registration.updated_at, id__lt=registration.pk),
        status=RegistrationStatus.WAITING,
    ).count()
    return ahead + 1


def registration_of(request: RegistrationRequest) -> Registration | None:
    """The address's live registration (a place or the waiting list) for the request's webinar."""
    return (
        Registration.objects.filter(session_id=request.session_id, email=request.email)
        .exclude(status=RegistrationStatus.CANCELLED)
        .select_related("session__offer")
        .first()
    )


def place_came_from_waiting_list(registration: Registration, *, by: datetime) -> bool:
    """Whether the registration's last change up to `by` gave it a place it was waiting for
    (the place freed and went to it), as its history records."""
    statuses = list(
        registration.history.filter(history_date__lte=by)
        .order_by("-history_date", "-history_id")
        .values_list("status", flat=True)[:2]
    )
    return statuses == [RegistrationStatus.REGISTERED, RegistrationStatus.WAITING]


def latest_registration(email: str) -> Registration | None:
    return Registration.objects.filter(email=email.strip().lower()).order_by("-created_at").first()


def feed_link_state(email: str) -> str:
    """ "live" (a link works), "off" (every link it had is turned off) or "none" (never had one)."""
    revoked = list(
        FeedToken.objects.filter(email=email.strip().lower()).values_list("revoked_at", flat=True)
    )
    if None in revoked:
        return "live"
    return "off" if revoked else "none"


@dataclass(frozen=True)
class PrivateCalendar:
    """Where a person's private calendar link stands, as every page says it
    (templates/sessions/private_calendar.html)."""

    state: str  # feed_link_state: "live", "off" or "none"
    links: "SubscribeLinks | None" = None  # a link issued in this response, shown this once
    replaced: bool = False  # the link issued now replaced one that worked until now


def private_calendar(email: str) -> PrivateCalendar:
    return PrivateCalendar(state=feed_link_state(email))


# A councillor's own webinars ---------------------------------------------------------------------


@dataclass(frozen=True)
class MyRegistration:
    """One of a person's places (or waiting-list places), as "My webinars" shows it."""

    registration: Registration
    webinar: Webinar
    position: int | None  # on the waiting list; None with a place

    @property
    def id(self) -> int:
        return self.registration.pk

    @property
    def status(self) -> str:
        return self.registration.status

    @property
    def status_text(self) -> str:
        if self.registration.status == RegistrationStatus.CANCELLED:
            return "You gave up this place"
        if self.webinar.is_cancelled:
            return "Cancelled by the LGA"
        if self.position is not None:
            return f"Waiting list: number {self.position}"
        return "You have a place"

    @property
    def joining_url(self) -> str:
        holding = self.registration.status == RegistrationStatus.REGISTERED
        return self.webinar.session.joining_url if holding and not self.webinar.is_cancelled else ""

    @property
    def can_cancel(self) -> bool:
        return (
            self.registration.status != RegistrationStatus.CANCELLED
            and not self.webinar.is_cancelled
            and self.webinar.session.end > timezone.now()
        )


def my_registration_view(
    registration: Registration, *, now: datetime | None = None
) -> MyRegistration:
    return MyRegistration(
        registration=registration,
        webinar=webinar_view(registration.session, now=now or timezone.now()),
        position=waiting_position(registration),
    )


def councillor_email(user) -> str:
    """The address a signed-in councillor's webinars are found by; PermissionDenied for anyone
    else (their account's address is set by LGA staff, so it is theirs)."""
    rules.require(
        rules.may_see_own_webinars(caller_for(user)),
        "Only councillors have webinars of their own here.",
    )
    rules.require(bool(user.email), "Your account has no e-mail address to find your webinars by.")
    return user.email


def my_registrations(*, email: str, now: datetime | None = None) -> list[MyRegistration]:
    """The address's places and waiting-list places on webinars that have not ended, soonest
    first (a webinar the LGA cancelled stays, marked, until its time has passed)."""
    now = now or timezone.now()
    email = (email or "").strip().lower()
    if not email:
        return []
    registrations = (
        Registration.objects.filter(
            email=email,
            status__in=[RegistrationStatus.REGISTERED, RegistrationStatus.WAITING],
            session__end__gt=now,
            session__booking__isnull=True,
            session__offer__delivery=Delivery.WEBINAR,
        )
        .select_related("session__offer")
        .order_by("session__start", "id")
    )
    return [my_registration_view(registration, now=now) for registration in registrations]


def my_place(*, email: str, session: Session, now: datetime | None = None) -> MyRegistration | None:
    """The address's place (or waiting-list place) on this webinar, or None."""
    registration = (
        Registration.objects.select_related("session__offer")
        .filter(
            session=session,
            email=(email or "").strip().lower(),
            status__in=[RegistrationStatus.REGISTERED, RegistrationStatus.WAITING],
        )
        .first()
        if email
        else None
    )
    return my_registration_view(registration, now=now) if registration else None


def my_registration_get(*, email: str, registration_id: int) -> Registration:
    """One of the address's registrations; anyone else's is not found (404)."""
    registration = (
        Registration.objects.select_related("session__offer")
        .filter(pk=registration_id, email=(email or "").strip().lower())
        .first()
    )
    if registration is None or not email:
        raise Http404("No such registration.")
    return registration


# Subscribing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubscribeLinks:
    """The ways to add one feed to a calendar."""

    name: str
    https: str  # the feed itself, to copy
    webcal: str  # Apple Calendar, Outlook on the desktop, most phones
    google: str  # Google Calendar's "add by URL"
    outlook: str  # Outlook.com's "add from web" (personal Microsoft accounts)
    microsoft365: str  # Outlook on the web for Microsoft 365 work and school accounts


def subscribe_links(url: str, name: str) -> SubscribeLinks:
    """`url` is the feed's absolute http(s) URL."""
    webcal = "webcal://" + url.split("://", 1)[1]
    add_from_web = urlencode({"url": url, "name": name}, quote_via=quote)
    return SubscribeLinks(
        name=name,
        https=url,
        webcal=webcal,
        google="https://calendar.google.com/calendar/r?cid=" + quote(webcal, safe=""),
        outlook="https://outlook.live.com/calendar/0/addfromweb?" + add_from_web,
        microsoft365="https://outlook.office.com/calendar/0/addfromweb?" + add_from_web,
    )

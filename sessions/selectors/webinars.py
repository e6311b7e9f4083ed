"""Reads about webinars: what is on and how many places are left, the signed links in
registrants' e-mails, and the subscribable calendar feeds.

Feeds (docs/architecture.md, "Calendars") keep their bytes stable while nothing changes: each event's DTSTAMP is
its row's last change. A public feed's ETag is computed from one aggregate query (how many
rows it shows, their last change, the newest row), so a conditional request is answered
without building anything; the built body is kept per process under that ETag. Each event's
VEVENT text is also kept (keyed by the event itself), so a feed after one change rebuilds
only that event.
"""

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlencode

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.signals import post_delete, post_save
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from peers.models import Peer
from peers.selectors import COUNCILLOR, caller_for
from scheduling.engine.calendar import CANCELLED, CONFIRMED, TENTATIVE, CalendarEvent, build_feed
from scheduling.engine.uk_time import LONDON as UK
from scheduling.engine.uk_time import when_text
from sessions.models import (
    HOLDING_SEAT_STATUSES,
    Delivery,
    FeedToken,
    Offer,
    OfferStatus,
    Registration,
    RegistrationRequest,
    RegistrationStatus,
    Seat,
    SeatStatus,
    Session,
    SessionStatus,
    Topic,
)
from sessions.selectors import absolute_url
from sessions.selectors.feeds import feed_token_owner

PAST_KEPT = timedelta(days=90)  # past webinars stay in feeds this long
CANCELLED_KEPT = timedelta(days=30)  # cancelled ones stay (as STATUS:CANCELLED) this long
MANAGE_LINK_AGE = timedelta(days=180)  # how long a "manage your calendar link" link works
CONFIRM_LINK_AGE = timedelta(hours=48)  # how long a "confirm your registration" link works
CANCEL_LINK_AGE = timedelta(days=400)  # a cancel link's longest life (it ends with the webinar)
FEED_FORMAT = "1"  # part of every public feed's key: raise it when the feed's content changes
CANCEL_SALT = "webinar-registration-cancel"
MANAGE_SALT = "webinar-calendar-manage"
CONFIRM_SALT = "webinar-registration-confirm"
PUBLIC_LOCATION = "Online: the joining link is sent to people who register"


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


# Links in registrants' e-mails -------------------------------------------------------------------


def _address_digest(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:16]


def registration_cancel_key(registration: Registration) -> str:
    """The signed, dated part of a registration's cancel link (no address in it). It works
    until the webinar ends (see `cancel_link_state`), and never longer than CANCEL_LINK_AGE."""
    return signing.dumps([registration.pk, _address_digest(registration.email)], salt=CANCEL_SALT)


def registration_for_cancel_key(key: str) -> Registration | None:
    """The registration a cancel link names, or None (tampered, too old or unknown alike)."""
    try:
        pk, digest = signing.loads(key, salt=CANCEL_SALT, max_age=CANCEL_LINK_AGE.total_seconds())
    except (signing.BadSignature, ValueError, TypeError):
        return None
    registration = (
        Registration.objects.select_related("session__offer").filter(pk=pk).first()
        if isinstance(pk, int)
        else None
    )
    if registration is None or _address_digest(registration.email) != digest:
        return None
    return registration


def cancel_link_expired(registration: Registration, *, now: datetime | None = None) -> bool:
    """A cancel link stops working when its webinar has ended: there is nothing left to give up."""
    return registration.session.end <= (now or timezone.now())


def registration_confirm_key(request: RegistrationRequest) -> str:
    """The signed, dated part of the link that confirms a registration request."""
    return signing.dumps([request.pk, _address_digest(request.email)], salt=CONFIRM_SALT)


@dataclass(frozen=True)
class ConfirmLink:
    """What a confirmation link leads to: the request, or why it does not."""

    request: RegistrationRequest | None
    expired: bool = False  # genuine but too old


def registration_request_for_key(key: str) -> ConfirmLink:
    """The request behind a confirmation link. A genuine link older than CONFIRM_LINK_AGE is
    expired; anything else that does not check out is not valid."""
    try:
        pk, digest = signing.loads(key, salt=CONFIRM_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return ConfirmLink(request=None)
    request = (
        RegistrationRequest.objects.select_related("session__offer").filter(pk=pk).first()
        if isinstance(pk, int)
        else None
    )
    if request is None or _address_digest(request.email) != digest:
        return ConfirmLink(request=None)
    try:
        signing.loads(key, salt=CONFIRM_SALT, max_age=CONFIRM_LINK_AGE.total_seconds())
    except signing.SignatureExpired:
        return ConfirmLink(request=None, expired=True)
    return ConfirmLink(request=request)


def registration_of(request: RegistrationRequest) -> Registration | None:
    """The address's live registration (a place or the waiting list) for the request's webinar."""
    return (
        Registration.objects.filter(session_id=request.session_id, email=request.email)
        .exclude(status=RegistrationStatus.CANCELLED)
        .select_related("session__offer")
        .first()
    )


def calendar_manage_key(registration: Registration) -> str:
    """The signed, dated part of a link to manage the private calendar link of the
    registration's address. It names a registration, not the address, so no address is
    written into URLs (and server logs)."""
    return signing.dumps([registration.pk, _address_digest(registration.email)], salt=MANAGE_SALT)


def email_for_manage_key(key: str) -> str | None:
    try:
        pk, digest = signing.loads(key, salt=MANAGE_SALT, max_age=MANAGE_LINK_AGE.total_seconds())
    except (signing.BadSignature, ValueError, TypeError):
        return None
    email = (
        Registration.objects.filter(pk=pk).values_list("email", flat=True).first()
        if isinstance(pk, int)
        else None
    )
    if email is None or _address_digest(email) != digest:
        return None
    return email


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


def has_live_feed(email: str) -> bool:
    return FeedToken.objects.filter(email=email.strip().lower(), revoked_at__isnull=True).exists()


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
    if COUNCILLOR not in caller_for(user).roles:
        raise PermissionDenied("Only councillors have webinars of their own here.")
    if not user.email:
        raise PermissionDenied("Your account has no e-mail address to find your webinars by.")
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


def public_feed_name(topic: str = "") -> str:
    return f"LGA webinars: {Topic(topic).label}" if topic else "LGA webinars"


def public_feed_path(topic: str = "") -> str:
    if topic:
        return reverse("feed-webinars-topic", kwargs={"topic": topic})
    return reverse("feed-webinars")


# Feeds -----------------------------------------------------------------------------------------


class _Kept:
    """A small thread-safe least-recently-used store, per process."""

    def __init__(self, size: int):
        self.size = size
        self.items: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


_VEVENTS = _Kept(20_000)
_FEED_HEADS = _Kept(256)
_FEED_BODIES = _Kept(24)
_FEED_STATES = _Kept(64)
STATE_SECONDS = 1.0
_VEVENT_START = b"BEGIN:VEVENT\r\n"
_CALENDAR_END = b"END:VCALENDAR\r\n"


def feed_state_forget(**_signal) -> None:
    """Forget the kept answers to "what is in each public feed now?"."""
    _FEED_STATES.clear()


def feed_memory_clear(*, keep_vevents: bool = False) -> None:
    """Forget what is kept: feed bodies and states, and unless told otherwise the VEVENTs
    too (a cold start)."""
    if not keep_vevents:
        _VEVENTS.clear()
        _FEED_HEADS.clear()
    _FEED_BODIES.clear()
    _FEED_STATES.clear()


for _model in (Session, Offer):
    post_save.connect(feed_state_forget, sender=_model, weak=False, dispatch_uid=f"feed-{_model}")
    post_delete.connect(
        feed_state_forget, sender=_model, weak=False, dispatch_uid=f"feed-gone-{_model}"
    )


def _built_vevents(events: list[CalendarEvent]) -> list[bytes]:
    """Each event's VEVENT text, in the order given, from one build_feed call.

    Events have distinct UIDs. A line that is exactly BEGIN:VEVENT starts a component
    (values are escaped and folded lines start with a space), so the feed splits there.
    """
    if not events:
        return []
    ordered = sorted(events, key=lambda e: (e.start, e.end, e.uid))
    body = build_feed("-", ordered)
    # The head's last line break and each VEVENT's go with the separator; put them back.
    chunks = body[: -len(_CALENDAR_END)].split(b"\r\n" + _VEVENT_START)[1:]
    if len(chunks) != len(ordered):
        raise ValueError("a feed's text did not split into one VEVENT per event")
    built = {
        event.uid: _VEVENT_START + chunk.removesuffix(b"\r\n") + b"\r\n"
        for event, chunk in zip(ordered, chunks, strict=True)
    }
    return [built[event.uid] for event in events]


def _vevents(events: list[CalendarEvent]) -> list[bytes]:
    """The VEVENT text of each event (distinct UIDs), kept or built in one go."""
    pieces = [_VEVENTS.get(event) for event in events]
    missing = [event for event, piece in zip(events, pieces, strict=True) if piece is None]
    built = iter(_built_vevents(missing))
    for index, piece in enumerate(pieces):
        if piece is None:
            pieces[index] = next(built)
            _VEVENTS.put(events[index], pieces[index])
    return pieces


def feed_bytes(name: str, events: Iterable[CalendarEvent], *, description: str = "") -> bytes:
    """Exactly `build_feed(name, events, description=...)`, from kept VEVENTs where it can.

    build_feed writes the calendar's properties and VTIMEZONE, then each event in (start,
    end, uid) order, then END:VCALENDAR; a VEVENT's text depends on the event alone (its
    DTSTAMP is its last change). So the feed is the empty feed's head, the events' kept
    VEVENTs in that order, and the end. A test holds this equal to build_feed's output.
    """
    ordered = sorted(events, key=lambda e: (e.start, e.end, e.uid))
    uids = [event.uid for event in ordered]
    if len(set(uids)) != len(uids):
        return build_feed(name, ordered, description=description)  # it says which repeat
    return b"".join([_feed_head(name, description), *_vevents(ordered), _CALENDAR_END])


def _feed_head(name: str, description: str) -> bytes:
    """The feed's text before its first VEVENT: properties and VTIMEZONE."""
    head = _FEED_HEADS.get((name, description))
    if head is None:
        empty = build_feed(name, [], description=description)
        head = empty[: -len(_CALENDAR_END)]
        _FEED_HEADS.put((name, description), head)
    return head


@dataclass(frozen=True)
class FeedAnswer:
    """What a feed request needs before any body is built."""

    etag: str  # quoted
    last_modified: datetime | None
    build: Callable[[], bytes]


def _last_change(*moments: datetime | None) -> datetime:
    return max(m for m in moments if m is not None)


def _webinar_description(session: Session, *lines: str) -> str:
    offer = session.offer
    parts = [offer.summary, offer.description, *[line for line in lines if line]]
    return "\n\n".join(part.strip() for part in parts if part and part.strip())


TOPIC_LABELS = dict(Topic.choices)


def _topic_category(session: Session) -> tuple[str, ...]:
    label = TOPIC_LABELS.get(session.offer.topic)
    return (label,) if label else ()


def _webinar_url(webinar_id: int) -> str:
    return absolute_url() + reverse("webinar-detail", kwargs={"webinar_id": webinar_id})


# The columns of a session that its public VEVENT shows (with its offer's words).
_PUBLIC_COLUMNS = ("pk", "uid", "start", "end", "title", "status", "sequence", "updated_at")


def _public_event(row: tuple, offer: Offer, page: str) -> CalendarEvent:
    _pk, uid, start, end, title, status, sequence, updated_at = row
    label = TOPIC_LABELS.get(offer.topic)
    parts = (offer.summary, offer.description, f"Register: {page}")
    return CalendarEvent(
        uid=uid,
        start=start,
        end=end,
        summary=title or offer.title,
        description="\n\n".join(part.strip() for part in parts if part and part.strip()),
        location=PUBLIC_LOCATION,
        url=page,
        status=CANCELLED if status == SessionStatus.CANCELLED else CONFIRMED,
        sequence=sequence,
        last_modified=_last_change(updated_at, offer.updated_at),
        categories=(label,) if label else (),
    )


def webinar_public_event(session: Session) -> CalendarEvent:
    """A webinar as the public feeds show it: no joining link."""
    row = tuple(getattr(session, column) for column in _PUBLIC_COLUMNS)
    return _public_event(row, session.offer, _webinar_url(session.pk))


def _public_pieces(sessions: QuerySet[Session]) -> list[tuple[tuple, bytes]]:
    """((start, end, uid), VEVENT bytes) of each session, in no particular order.

    A VEVENT is kept under everything it shows: the session's columns, its offer's words
    and the site's address; so only sessions that changed are built anew.
    """
    rows = list(sessions.values_list(*_PUBLIC_COLUMNS, "offer_id"))
    offers = {offer.pk: offer for offer in Offer.objects.filter(pk__in={r[-1] for r in rows})}
    shown = {
        pk: (o.title, o.summary, o.description, o.topic, o.updated_at) for pk, o in offers.items()
    }
    site = absolute_url()
    page_prefix = reverse("webinar-list")  # a webinar's page is this plus "<id>/"
    pieces, missing = [], []
    for *values, offer_id in rows:
        row = tuple(values)
        key = ("public", site, row, shown[offer_id])
        piece = _VEVENTS.get(key)
        if piece is None:
            page = f"{site}{page_prefix}{row[0]}/"
            missing.append((key, _public_event(row, offers[offer_id], page)))
        else:
            pieces.append(((row[2], row[3], row[1]), piece))
    built = _built_vevents([event for _, event in missing])
    for (key, event), piece in zip(missing, built, strict=True):
        _VEVENTS.put(key, piece)
        pieces.append(((event.start, event.end, event.uid), piece))
    return pieces


def _public_window(now: datetime) -> Q:
    kept_since = now - PAST_KEPT
    return Q(status=SessionStatus.SCHEDULED, end__gte=kept_since) | Q(
        status=SessionStatus.CANCELLED,
        updated_at__gte=now - CANCELLED_KEPT,
        end__gte=kept_since,
    )


def public_feed(*, topic: str = "", now: datetime | None = None) -> FeedAnswer:
    """All webinars, or one topic's: upcoming, past for 90 days, cancelled for 30.

    The answer for now is kept for up to STATE_SECONDS, so a busy feed asks the database
    once a second, not once a request; saving a session or an offer in this process
    forgets it at once (other processes catch up within the second).
    """
    if now is not None:
        return _public_feed(topic, now)
    key = (topic, absolute_url())
    kept = _FEED_STATES.get(key)
    if kept is not None and time.monotonic() - kept[0] < STATE_SECONDS:
        return kept[1]
    answer = _public_feed(topic, timezone.now())
    _FEED_STATES.put(key, (time.monotonic(), answer))
    return answer


def _moment(value) -> datetime | None:
    # SQLite hands back its stored text (naive UTC); PostgreSQL an aware datetime.
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _public_state(topic: str, now: datetime) -> dict:
    """What a public feed holds now, in one aggregate over the webinar sessions: how many
    rows it shows, the newest, their last change and their offers', and when a row last
    left it (the body changed then, with no row left to show it).

    Plain SQL: this runs for every conditional request that is not answered from memory,
    and the ORM takes several times longer to compile it than the database to answer it.
    """
    ops = connection.ops
    end = ops.quote_name("end")
    past = ops.adapt_datetimefield_value(now - PAST_KEPT)
    dropped = ops.adapt_datetimefield_value(now - CANCELLED_KEPT)
    shown = (
        f"((s.status = %s AND s.{end} >= %s) "
        f"OR (s.status = %s AND s.updated_at >= %s AND s.{end} >= %s))"
    )
    shown_params = [
        SessionStatus.SCHEDULED.value,
        past,
        SessionStatus.CANCELLED.value,
        dropped,
        past,
    ]
    # Only quoted table and column names are put into the text; every value is a parameter.
    sql = (
        f"SELECT COUNT(CASE WHEN {shown} THEN 1 END), MAX(CASE WHEN {shown} THEN s.id END), "  # noqa: S608
        f"MAX(CASE WHEN {shown} THEN s.updated_at END), "
        f"MAX(CASE WHEN {shown} THEN o.updated_at END), "
        f"MAX(CASE WHEN s.status = %s AND s.{end} < %s THEN s.{end} END), "
        f"MAX(CASE WHEN s.status = %s AND s.updated_at < %s THEN s.updated_at END) "
        f"FROM {ops.quote_name(Session._meta.db_table)} s "
        f"JOIN {ops.quote_name(Offer._meta.db_table)} o ON o.id = s.offer_id "
        "WHERE s.booking_id IS NULL AND o.delivery = %s"
    )
    params = [
        *shown_params * 4,
        SessionStatus.SCHEDULED.value,
        past,
        SessionStatus.CANCELLED.value,
        dropped,
        Delivery.WEBINAR.value,
    ]
    if topic:
        sql += " AND o.topic = %s"
        params.append(topic)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        count, newest, changed, offer_changed, ended, left = cursor.fetchone()
    return {
        "count": count or 0,
        "newest": newest,
        "changed": _moment(changed),
        "offer_changed": _moment(offer_changed),
        "ended": _moment(ended),
        "dropped": _moment(left),
    }


def _public_feed(topic: str, now: datetime) -> FeedAnswer:
    sessions = webinar_sessions()
    if topic:
        sessions = sessions.filter(offer__topic=topic)
    window = _public_window(now)
    state = _public_state(topic, now)
    departures = [
        state["ended"] + PAST_KEPT if state["ended"] else None,
        state["dropped"] + CANCELLED_KEPT if state["dropped"] else None,
    ]
    moments = [state["changed"], state["offer_changed"], *departures]
    last_modified = max((m for m in moments if m is not None), default=None)
    key = "|".join(
        str(part)
        for part in (
            FEED_FORMAT,
            absolute_url(),
            topic,
            state["count"],
            state["newest"],
            state["changed"] and state["changed"].isoformat(),
            state["offer_changed"] and state["offer_changed"].isoformat(),
        )
    )
    etag = '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'
    name = public_feed_name(topic)
    description = (
        "Webinars for councillors from the Local Government Association. Times are UK time. "
        f"Register at {absolute_url()}{reverse('webinar-list')}"
    )

    def build() -> bytes:
        kept = _FEED_BODIES.get(etag)
        if kept is None:
            pieces = sorted(_public_pieces(sessions.filter(window)), key=lambda p: p[0])
            kept = b"".join([_feed_head(name, description), *(p[1] for p in pieces), _CALENDAR_END])
            _FEED_BODIES.put(etag, kept)
        return kept

    return FeedAnswer(etag=etag, last_modified=last_modified, build=build)


def _registration_event(registration: Registration) -> CalendarEvent:
    session = registration.session
    page = _webinar_url(session.pk)
    cancelled = (
        session.status == SessionStatus.CANCELLED
        or registration.status == RegistrationStatus.CANCELLED
    )
    waiting = registration.status == RegistrationStatus.WAITING and not cancelled
    registered = registration.status == RegistrationStatus.REGISTERED and not cancelled
    if session.status == SessionStatus.CANCELLED:
        note = "The LGA has cancelled this webinar."
    elif registration.status == RegistrationStatus.CANCELLED:
        note = "You cancelled your place."
    elif waiting:
        note = (
            "You are on the waiting list. If a place frees, it is yours and you are sent an "
            "invitation with the joining link."
        )
    else:
        note = f"Joining link: {session.joining_url}" if session.joining_url else ""
    recording = f"Recording: {session.recording_url}" if session.recording_url else ""
    title = session.title or session.offer.title
    return CalendarEvent(
        uid=session.uid,
        start=session.start,
        end=session.end,
        summary=f"{title} (waiting list)" if waiting else title,
        description=_webinar_description(session, note, recording, f"About it: {page}"),
        location=(session.joining_url if registered and session.joining_url else "Online"),
        url=page,
        status=CANCELLED if cancelled else TENTATIVE if waiting else CONFIRMED,
        sequence=session.sequence,
        last_modified=_last_change(
            session.updated_at, session.offer.updated_at, registration.updated_at
        ),
        categories=_topic_category(session),
    )


def _kept_in_private_feed(active: bool, changed: datetime, now: datetime) -> bool:
    return active or changed >= now - CANCELLED_KEPT


def registration_events(email: str, *, now: datetime) -> list[CalendarEvent]:
    registrations = Registration.objects.filter(
        email=email, session__end__gte=now - PAST_KEPT
    ).select_related("session__offer")
    events = []
    for registration in registrations:
        session = registration.session
        if session.booking_id is not None or session.offer.delivery != Delivery.WEBINAR:
            continue
        active = (
            session.status == SessionStatus.SCHEDULED
            and registration.status != RegistrationStatus.CANCELLED
        )
        changed = max(session.updated_at, registration.updated_at)
        if _kept_in_private_feed(active, changed, now):
            events.append(_registration_event(registration))
    return events


def _seat_event(seat: Seat, *, holding: bool) -> CalendarEvent:
    session = seat.session
    council = session.booking.council.name if session.booking_id else ""
    title = session.title or session.offer.title
    if council:
        title = f"{title} for {council}"
    if session.offer.session_count > 1:  # as the peer's invites name it
        title += f" (session {session.number} of {session.offer.session_count})"
    cancelled = not holding or session.status == SessionStatus.CANCELLED
    state = "cancelled" if cancelled else seat.get_status_display().lower()
    lines = [
        f"Your seat: {seat.role_name} ({state}).",
        f"Council: {council}" if council else "",
        f"Joining link: {session.joining_url}" if session.joining_url and not cancelled else "",
    ]
    return CalendarEvent(
        uid=session.uid,
        start=session.start,
        end=session.end,
        summary=title,
        description="\n".join(line for line in lines if line),
        location=session.joining_url if session.joining_url and not cancelled else "Online",
        status=CANCELLED
        if cancelled
        else CONFIRMED
        if seat.status == SeatStatus.ACCEPTED
        else TENTATIVE,
        sequence=session.sequence,
        last_modified=_last_change(session.updated_at, session.offer.updated_at, seat.updated_at),
    )


def seat_events(peer: Peer, *, now: datetime) -> list[CalendarEvent]:
    """A peer's sessions: seats they hold, and for 30 days those they no longer hold."""
    seats = (
        Seat.objects.filter(peer=peer, session__end__gte=now - PAST_KEPT)
        .select_related("session__offer", "session__booking__council")
        .order_by("session_id", "updated_at", "id")
    )
    held: dict[int, Seat] = {}
    released: dict[int, Seat] = {}
    for seat in seats:
        if seat.status in HOLDING_SEAT_STATUSES:
            held[seat.session_id] = seat
        else:
            released[seat.session_id] = seat  # the latest one, by the ordering
    events = []
    for seat in held.values():
        session = seat.session
        active = session.status == SessionStatus.SCHEDULED
        if _kept_in_private_feed(active, session.updated_at, now):
            events.append(_seat_event(seat, holding=True))
    for session_id, seat in released.items():
        if session_id not in held and seat.updated_at >= now - CANCELLED_KEPT:
            events.append(_seat_event(seat, holding=False))
    return events


def private_feed(*, token: str, now: datetime | None = None) -> FeedAnswer | None:
    """The feed behind a private token, or None (unknown, revoked or malformed alike).

    A peer's token lists their seats; an address's lists its webinar registrations, with
    the joining links the public feeds do not show. The body is small, so it is built
    here and its ETag is its hash.
    """
    owner = feed_token_owner(token)
    if owner is None:
        return None
    now = now or timezone.now()
    if owner.peer_id is not None:
        events = seat_events(owner.peer, now=now)
        name = "LGA peer support: your sessions"
    else:
        events = registration_events(owner.email, now=now)
        name = "LGA webinars: your registrations"
    body = feed_bytes(name, events)
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    last_modified = max((e.last_modified for e in events), default=owner.created_at)
    return FeedAnswer(etag=etag, last_modified=last_modified, build=lambda: body)

"""Calendar feeds, read: the public feeds of webinars (all, or a topic) built once and kept
while unchanged, and a person's private feed of their places and seats behind its token."""

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from peers.models import Peer
from scheduling.engine.calendar import CANCELLED, CONFIRMED, TENTATIVE, CalendarEvent, build_feed
from sessions.mail.links import absolute_url
from sessions.models import (
    HOLDING_SEAT_STATUSES,
    Delivery,
    Offer,
    Seat,
    SeatStatus,
    Session,
    SessionStatus,
    Topic,
)
from sessions.webinars.models import Registration, RegistrationStatus
from sessions.webinars.selectors.feed_tokens import feed_token_owner
from sessions.webinars.selectors.webinars import webinar_sessions

PAST_KEPT = timedelta(days=90)  # past webinars stay in feeds this long
CANCELLED_KEPT = timedelta(days=30)  # cancelled ones stay (as STATUS:CANCELLED) this long
FEED_FORMAT = "1"  # part of every public feed's key: raise it when the feed's content changes
PUBLIC_LOCATION = "Online: the joining link is sent to people who register"


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
_PUBLIC_COLUMNS = (
    "pk",
    "uid",
    "start",
    "end",
    "title",
    "status",
    "sequence",
    "updated_at",
    "recording_url",
)


def _public_event(row: tuple, offer: Offer, page: str) -> CalendarEvent:
    _pk, uid, start, end, title, status, sequence, updated_at, recording = row
    label = TOPIC_LABELS.get(offer.topic)
    parts = (
        offer.summary,
        offer.description,
        f"Recording: {recording}" if recording else "",
        f"Register: {page}" if not recording else f"About it: {page}",
    )
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

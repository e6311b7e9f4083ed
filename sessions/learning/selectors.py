"""Reads of learning points: one point as its reader may see it, a booking's points, a peer's
tasks on My sessions, and the library (`library_search`, the one search every page, the API
and the benchmark go through). A point the caller may not read does not exist for them."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from peers.models import PeerKind
from peers.rules import require
from peers.selectors import Caller
from scheduling.engine.plurals import counted
from scheduling.engine.uk_time import LONDON
from sessions.learning import search
from sessions.learning.models import SHARED_VISIBILITIES, LearningPoint, Visibility
from sessions.learning.rules import may_read_library, may_read_point
from sessions.models import Booking, BookingStatus, Seat, SeatStatus, SessionStatus

NOT_FOUND = "No such learning point."
TASK_DAYS = 28  # how long after a session My sessions asks for its learning points
LIBRARY_PAGE = 20


def points_with_context() -> QuerySet:
    return LearningPoint.objects.select_related(
        "seat__peer", "seat__session__offer", "booking__council", "booking__offer"
    )


def point_get(*, caller: Caller, point_id: int) -> LearningPoint:
    point = points_with_context().filter(pk=point_id).first()
    if point is None or not may_read_point(caller, point):
        raise Http404(NOT_FOUND)
    return point


def booking_points(*, caller: Caller, booking: Booking) -> list[LearningPoint]:
    """The booking's points the caller may read, newest first."""
    points = points_with_context().filter(booking=booking)
    return [point for point in points if may_read_point(caller, point)]


def seat_points(seat: Seat) -> list[LearningPoint]:
    return list(points_with_context().filter(seat=seat).order_by("created_at", "id"))


def awaiting_agreement(point: LearningPoint) -> bool:
    return point.visibility == Visibility.NAMED and point.published_at is None


def awaiting_check(point: LearningPoint) -> bool:
    return point.visibility == Visibility.ANONYMOUS and point.published_at is None


def status_text(point: LearningPoint) -> str:
    if point.published_at is not None:
        return "In the learning library"
    if awaiting_check(point):
        return "Waiting for the LGA lead to check it names no council"
    if awaiting_agreement(point):
        return "Waiting for the council to agree to be named"
    return point.get_visibility_display()


@dataclass(frozen=True)
class LearningSummary:
    text: str  # "3 learning points from the panel"
    waiting: str  # "1 is waiting for the council to agree to be named."
    url: str


def learning_summary(*, caller: Caller, booking: Booking) -> LearningSummary | None:
    """What the booking page says of the panel's points the caller may read, if any."""
    points = booking_points(caller=caller, booking=booking)
    if not points:
        return None
    waiting = sum(1 for point in points if awaiting_agreement(point))
    return LearningSummary(
        text=counted(len(points), "1 learning point", "{n} learning points") + " from the panel.",
        waiting=counted(waiting, "1 is", "{n} are")
        + " waiting for the council to agree to be named."
        if waiting
        else "",
        url=reverse("booking-learning", args=[booking.pk]),
    )


# My sessions --------------------------------------------------------------------------------


def learning_open(seat: Seat, *, now: datetime | None = None) -> bool:
    """Points are given for an accepted seat once its session has taken place."""
    now = now or timezone.now()
    session = seat.session
    booking = session.booking
    return (
        seat.status == SeatStatus.ACCEPTED
        and booking is not None
        and booking.status == BookingStatus.CONFIRMED
        and session.status == SessionStatus.SCHEDULED
        and session.end <= now
    )


def seats_to_ask(*, now: datetime, within: timedelta) -> QuerySet:
    """Accepted seats of confirmed bookings whose sessions ended in the last `within`."""
    return Seat.objects.filter(
        status=SeatStatus.ACCEPTED,
        peer__isnull=False,
        session__status=SessionStatus.SCHEDULED,
        session__booking__status=BookingStatus.CONFIRMED,
        session__end__lte=now,
        session__end__gt=now - within,
    )


@dataclass(frozen=True)
class LearningTask:
    seat: Seat
    title: str
    given: int
    url: str


def learning_tasks(*, peer, now: datetime | None = None) -> list[LearningTask]:
    """A peer's panels of the last TASK_DAYS days that ask for their learning points."""
    now = now or timezone.now()
    seats = (
        seats_to_ask(now=now, within=timedelta(days=TASK_DAYS))
        .filter(peer=peer)
        .select_related("session__offer", "session__booking__council")
        .annotate(given=Count("learning_points"))
        .order_by("-session__end")
    )
    return [
        LearningTask(
            seat=seat,
            title=f"{seat.session.offer.title} for {seat.session.booking.council.name}",
            given=seat.given,
            url=reverse("learning-seat", args=[seat.pk]),
        )
        for seat in seats
    ]


def points_to_check(*, peer) -> list[LearningPoint]:
    """Anonymous points waiting for the wording check of the LGA lead `peer` (their panels)."""
    if peer.kind != PeerKind.FACILITATOR:
        return []
    led = Seat.objects.filter(peer=peer, status=SeatStatus.ACCEPTED).values("session__booking")
    return list(
        points_with_context()
        .filter(booking__in=led, visibility=Visibility.ANONYMOUS, published_at__isnull=True)
        .order_by("created_at", "id")
    )


# The library ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LibraryFilters:
    q: str = ""
    theme: str = ""
    council_type: str = ""
    region: str = ""
    start: date | None = None  # panels on or after
    end: date | None = None  # panels on or before


def published() -> QuerySet:
    return LearningPoint.objects.filter(
        visibility__in=SHARED_VISIBILITIES, published_at__isnull=False
    )


def _day_start(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=LONDON)


def library_search(*, caller: Caller, filters: LibraryFilters) -> QuerySet:
    """The library's points matching the filters, newest panel first: only points shared with
    the sector and published, whoever asks."""
    require(
        may_read_library(caller),
        "The learning library is for councils' bookers, peers, advisers and LGA staff.",
    )
    points = published()
    if filters.theme:
        points = points.filter(theme=filters.theme)
    if filters.council_type:
        points = points.filter(booking__council__council_type=filters.council_type)
    if filters.region:
        points = points.filter(booking__council__region=filters.region)
    if filters.start:
        points = points.filter(seat__session__start__gte=_day_start(filters.start))
    if filters.end:
        points = points.filter(seat__session__start__lt=_day_start(filters.end + timedelta(days=1)))
    points = search.matching(points, filters.q)
    return points.select_related("booking__council", "booking__offer", "seat__session").order_by(
        "-seat__session__start", "-id"
    )


def library_item(point: LearningPoint) -> dict:
    """A point as the library shows it: the council named only when it agreed to be."""
    council = point.booking.council
    named = point.visibility == Visibility.NAMED
    return {
        "id": point.pk,
        "theme": point.theme,
        "theme_text": point.get_theme_display(),
        "doing": point.doing,
        "why": point.why,
        "elsewhere": point.elsewhere,
        "elsewhere_text": point.get_elsewhere_display(),
        "offer": point.booking.offer.title,
        "offer_slug": point.booking.offer.slug,
        "council": council.name if named else None,
        "council_type": council.council_type,
        "council_type_text": council.get_council_type_display(),
        "region": council.region,
        "region_text": council.get_region_display(),
        "panel_date": point.seat.session.start.astimezone(LONDON).date(),
        "published_at": point.published_at,
    }

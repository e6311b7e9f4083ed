"""Reads about the catalogue, bookings, sessions and seats."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from peers.held_time import HeldTime
from peers.models import Accreditation, BusyCalendar, BusyEvent, Council, Peer, PeerKind
from peers.selectors import Caller, availability_rules, check_range, councils_for
from scheduling.engine.availability import BusyBlock
from scheduling.engine.grid import TimeGrid, availability_matrix, busy_mask
from scheduling.engine.matching import HeldSeat
from scheduling.engine.panels import (
    CouncilProfile,
    MonthLoad,
    OfferFormat,
    PeerProfile,
    RoleRequirement,
)
from scheduling.engine.staffing import (
    StaffableStart,
    StartExplanation,
    explain_start,
    find_staffable_starts,
)
from scheduling.engine.uk_time import LONDON, month_of
from sessions.models import (
    HOLDING_SEAT_STATUSES,
    Booking,
    Delivery,
    Offer,
    PoliticalRule,
    RoleSlot,
    Seat,
    SeatStatus,
    Session,
    SessionStatus,
)


def offer_list(
    *, programme: str = "", status: str = "", delivery: str = "", topic: str = ""
) -> QuerySet[Offer]:
    offers = Offer.objects.prefetch_related(
        Prefetch("role_slots", queryset=RoleSlot.objects.select_related("skill"))
    )
    if programme:
        offers = offers.filter(programme=programme)
    if status:
        offers = offers.filter(status=status)
    if delivery:
        offers = offers.filter(delivery=delivery)
    if topic:
        offers = offers.filter(topic=topic)
    return offers


def offer_get(*, slug: str) -> Offer:
    return get_object_or_404(offer_list(), slug=slug)


def seat_held_times(*, peer_id: int, start: datetime, end: datetime) -> list[HeldTime]:
    """The seats a peer holds on scheduled sessions between start and end, as held time (the
    engine adds the peer's buffer). Registered with peers.held_time when the app starts."""
    seats = (
        Seat.objects.filter(
            peer_id=peer_id,
            status__in=HOLDING_SEAT_STATUSES,
            session__status=SessionStatus.SCHEDULED,
            session__start__lt=end,
            session__end__gt=start,
        )
        .select_related("session__offer", "session__booking__council")
        .order_by("session__start", "id")
    )
    return [
        HeldTime(
            key=seat.pk,
            start=seat.session.start,
            end=seat.session.end,
            label=f"{seat.session.offer.title}"
            + (f" for {seat.session.booking.council.name}" if seat.session.booking else ""),
        )
        for seat in seats
    ]


# Addresses ---------------------------------------------------------------------------------------


def absolute_url(path: str = "") -> str:
    """This site's public address for `path`, as e-mails and feeds give it (SITE_URL has no
    trailing slash)."""
    return settings.SITE_URL + path


def private_feed_path(token: str) -> str:
    return reverse("feed-private", kwargs={"token": token})


# The engine's view of the pool -----------------------------------------------------------------

SENIORITY = {
    "chief-executive": 3,
    "s151-finance": 2,
    "childrens-services": 2,
    "adult-social-services": 2,
    "public-health": 2,
    "monitoring-officer": 1,
    "communications": 1,
    "planning": 1,
}
MEMBER_SENIORITY = 2
MAX_SLOT_RANGE = timedelta(weeks=26)


def offer_format(offer: Offer) -> OfferFormat:
    return OfferFormat(
        slug=offer.slug,
        duration_minutes=offer.duration_minutes,
        session_count=offer.session_count,
        spacing_days=offer.spacing_days,
        roles=tuple(
            RoleRequirement(
                name=slot.name,
                count=slot.count,
                kind=slot.kind,
                political_rule=slot.political_rule,
                political_group=slot.political_group,
                profession=slot.profession,
                skill=slot.skill.slug if slot.skill else "",
                lead=slot.political_rule == PoliticalRule.SAME_AS_LEADER,
            )
            for slot in offer.role_slots.all()
        ),
        conflict_same_region=offer.conflict_same_region,
        min_notice_days=offer.min_notice_days,
        horizon_days=offer.horizon_days,
        series_same_peers=offer.delivery in (Delivery.SERIES, Delivery.MULTI_DAY),
    )


def council_profile(council: Council) -> CouncilProfile:
    return CouncilProfile(
        id=council.id,
        name=council.name,
        region=council.region,
        leader_group=council.leader_group,
        council_type=council.council_type,
    )


@dataclass(frozen=True)
class PeerPool:
    """Every active peer as the engine sees them over a window: profiles, a free matrix, loads."""

    peers: list[Peer]
    profiles: tuple[PeerProfile, ...]
    grid: TimeGrid
    matrix: np.ndarray  # (peers, slots): free to take a seat
    loads: dict[int, dict[tuple[int, int], MonthLoad]]
    held: tuple[HeldSeat, ...]

    def free_for(self, start: datetime, end: datetime) -> set[int]:
        """Ids of peers free for the whole of [start, end)."""
        first, last = self.grid.index_of(start), self.grid.index_of(end)
        free = self.matrix[:, first:last].all(axis=1)
        return {self.profiles[i].id for i in np.flatnonzero(free)}


def peer_pool(
    *, start: datetime, end: datetime, council_type: str = "", ignore_booking_id: int | None = None
) -> PeerPool:
    """Load the active pool over [start, end) in a handful of queries.

    `ignore_booking_id`: that booking's seats do not count (it is the one being moved).
    """
    peers = list(
        Peer.objects.filter(is_active=True)
        .select_related("home_council")
        .prefetch_related(
            "skills", "declared_interests", "weekly_windows", "date_overrides", "leave"
        )
        .order_by("id")
    )
    grid = TimeGrid.covering(start, end)
    index = {peer.id: i for i, peer in enumerate(peers)}
    busy: list[list[BusyBlock]] = [[] for _ in peers]
    held = []
    for seat in _holding_seats(
        grid.start - timedelta(days=1), grid.end + timedelta(days=1), ignore_booking_id
    ):
        if seat["peer_id"] in index:
            busy[index[seat["peer_id"]]].append(
                BusyBlock(
                    start=seat["session__start"],
                    end=seat["session__end"],
                    reason="seat",
                    label="Session",
                )
            )
            held.append(
                HeldSeat(
                    peer_id=seat["peer_id"], start=seat["session__start"], end=seat["session__end"]
                )
            )
    matrix = availability_matrix(grid, [availability_rules(peer) for peer in peers], busy)
    matrix &= ~_imported_busy(grid, index)
    experience = _experience(council_type) if council_type else {}
    profiles = tuple(
        PeerProfile(
            id=peer.id,
            name=peer.name,
            kind=peer.kind,
            home_council_id=peer.home_council_id,
            home_region=peer.home_council.region,
            political_group=peer.political_group,
            profession=peer.profession,
            skills=frozenset(skill.slug for skill in peer.skills.all()),
            declared_interest_council_ids=frozenset(c.id for c in peer.declared_interests.all()),
            accredited=peer.accreditation == Accreditation.ACCREDITED,
            monthly_session_cap=peer.monthly_session_cap,
            monthly_minutes_cap=peer.monthly_hours_cap * 60,
            experience=experience.get(peer.id, 0),
            seniority=MEMBER_SENIORITY
            if peer.kind == PeerKind.MEMBER
            else SENIORITY.get(peer.profession, 1),
        )
        for peer in peers
    )
    return PeerPool(
        peers=peers,
        profiles=profiles,
        grid=grid,
        matrix=matrix,
        loads=_loads(grid.start, grid.end, ignore_booking_id),
        held=tuple(held),
    )


def _imported_busy(grid: TimeGrid, index: dict[int, int]) -> np.ndarray:
    """Peers' imported calendar events over the grid, fetched as POSIX seconds in one query.

    Hundreds of thousands of events: they go straight from SQL into arrays (see grid.busy_mask)
    rather than through model instances and datetimes.
    """
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        epoch = "EXTRACT(EPOCH FROM e.{})"
    else:
        epoch = "CAST(strftime('%%s', e.{}) AS REAL)"
    # Only quoted identifiers from model metadata are formatted in; values are parameters.
    sql = (
        f"SELECT c.peer_id, {epoch.format(quote('start'))}, {epoch.format(quote('end'))} "  # noqa: S608
        f"FROM {quote(BusyEvent._meta.db_table)} e "
        f"JOIN {quote(BusyCalendar._meta.db_table)} c ON c.id = e.calendar_id "
        f"WHERE e.{quote('start')} < %s AND e.{quote('end')} > %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [grid.end, grid.start])
        rows = np.array(cursor.fetchall(), dtype=np.float64).reshape(-1, 3)
    lookup = np.full(max(index, default=0) + 1, -1, dtype=np.int64)
    lookup[list(index)] = list(index.values())
    peer_ids = rows[:, 0].astype(np.int64)
    known = peer_ids < len(lookup)
    rows = rows[known]
    peer_rows = lookup[peer_ids[known]]
    keep = peer_rows >= 0  # events of inactive peers
    return busy_mask(grid, len(index), peer_rows[keep], rows[keep, 1], rows[keep, 2])


def _holding_seats(start: datetime, end: datetime, ignore_booking_id: int | None = None):
    seats = Seat.objects.filter(
        peer__isnull=False,
        status__in=HOLDING_SEAT_STATUSES,
        session__status=SessionStatus.SCHEDULED,
        session__start__lt=end,
        session__end__gt=start,
    )
    if ignore_booking_id is not None:
        seats = seats.exclude(session__booking_id=ignore_booking_id)
    return seats.values("peer_id", "session__start", "session__end")


def _loads(
    start: datetime, end: datetime, ignore_booking_id: int | None = None
) -> dict[int, dict[tuple[int, int], MonthLoad]]:
    """Sessions and minutes each peer already holds in every London month the window touches."""
    first = start.astimezone(LONDON).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    last = (end.astimezone(LONDON) + timedelta(days=32)).replace(
        day=1, hour=0, minute=0, second=0, microsecond=0
    )
    loads: dict[int, dict[tuple[int, int], list[int]]] = {}
    for seat in _holding_seats(first, last, ignore_booking_id):
        month = month_of(seat["session__start"])
        minutes = round((seat["session__end"] - seat["session__start"]).total_seconds() / 60)
        entry = loads.setdefault(seat["peer_id"], {}).setdefault(month, [0, 0])
        entry[0] += 1
        entry[1] += minutes
    return {
        peer_id: {month: MonthLoad(sessions=s, minutes=m) for month, (s, m) in months.items()}
        for peer_id, months in loads.items()
    }


def _experience(council_type: str) -> dict[int, int]:
    """How many past sessions each peer has sat with councils of this type."""
    rows = (
        Seat.objects.filter(
            status=SeatStatus.ACCEPTED,
            session__status=SessionStatus.SCHEDULED,
            session__end__lt=timezone.now(),
            session__booking__council__council_type=council_type,
        )
        .values("peer_id")
        .annotate(n=Count("id"))
    )
    return {row["peer_id"]: row["n"] for row in rows}


def staffable_starts(
    *,
    offer: Offer,
    council: Council,
    range_start: datetime,
    range_end: datetime,
    limit: int | None = None,
    ignore_booking_id: int | None = None,
) -> tuple[list[StaffableStart], PeerPool]:
    """The starts in [range_start, range_end) at which a whole panel can be staffed."""
    check_range(range_start, range_end, longest=MAX_SLOT_RANGE)
    fmt = offer_format(offer)
    span = timedelta(days=(fmt.session_count - 1) * fmt.spacing_days, minutes=fmt.duration_minutes)
    pool = peer_pool(
        start=range_start,
        end=range_end + span + timedelta(hours=1),
        council_type=council.council_type,
        ignore_booking_id=ignore_booking_id,
    )
    starts = find_staffable_starts(
        fmt,
        council_profile(council),
        pool.profiles,
        pool.matrix,
        pool.grid.start,
        pool.grid.step_minutes,
        now=timezone.now(),
        range_start=range_start,
        range_end=range_end,
        loads=pool.loads,
        limit=limit,
    )
    return starts, pool


def start_explanation(
    *, offer: Offer, council: Council, start: datetime
) -> tuple[StartExplanation, PeerPool]:
    """Whether `start` can be booked and staffed now, and if not, why."""
    fmt = offer_format(offer)
    span = timedelta(days=(fmt.session_count - 1) * fmt.spacing_days, minutes=fmt.duration_minutes)
    pool = peer_pool(
        start=start - timedelta(hours=1),
        end=start + span + timedelta(hours=1),
        council_type=council.council_type,
    )
    explanation = explain_start(
        fmt,
        council_profile(council),
        pool.profiles,
        pool.matrix,
        pool.grid.start,
        pool.grid.step_minutes,
        start=start,
        now=timezone.now(),
        loads=pool.loads,
    )
    return explanation, pool


# Bookings ------------------------------------------------------------------------------------


def _bookings() -> QuerySet[Booking]:
    return Booking.objects.select_related("offer", "council").prefetch_related(
        Prefetch(
            "sessions",
            queryset=Session.objects.prefetch_related(
                Prefetch(
                    "seats",
                    queryset=Seat.objects.select_related("peer__home_council").order_by("id"),
                )
            ),
        )
    )


def booking_list(*, caller: Caller) -> QuerySet[Booking]:
    """The bookings a caller may see: staff all; advisers their councils'; bookers their council's."""
    bookings = _bookings()
    if caller.is_staff:
        return bookings
    return bookings.filter(council__in=councils_for(caller))


def booking_get(*, caller: Caller, booking_id: int) -> Booking:
    booking = get_object_or_404(_bookings(), pk=booking_id)
    if not caller.may_act_for(booking.council):
        raise PermissionDenied("You cannot see this booking.")
    return booking


def peer_brief(peer: Peer) -> dict:
    return {
        "id": peer.id,
        "name": peer.name,
        "kind": peer.kind,
        "political_group": peer.political_group,
        "profession": peer.profession,
        "home_council": peer.home_council.name,
    }


def booking_out(booking: Booking) -> dict:
    return {
        "id": booking.id,
        "offer": booking.offer.slug,
        "offer_title": booking.offer.title,
        "council": booking.council_id,
        "council_name": booking.council.name,
        "status": booking.status,
        "notes": booking.notes,
        "cancel_reason": booking.cancel_reason,
        "created_at": booking.created_at,
        "sessions": [
            {
                "id": session.id,
                "number": session.number,
                "start": session.start,
                "end": session.end,
                "status": session.status,
                "uid": session.uid,
                "sequence": session.sequence,
                "joining_url": session.joining_url,
                "seats": [
                    {
                        "id": seat.id,
                        "role": seat.role_name,
                        "position": seat.position,
                        "status": seat.status,
                        "peer": peer_brief(seat.peer) if seat.peer else None,
                        "why": seat.fit
                        or ({"unfilled": seat.unfilled_reason} if seat.unfilled_reason else {}),
                        "runner_up": seat.runner_up,
                    }
                    for seat in session.seats.all()
                ],
            }
            for session in booking.sessions.all()
        ],
    }


def slot_out(start: StaffableStart, pool: PeerPool) -> dict:
    by_id = {peer.id: peer for peer in pool.peers}
    return {
        "start": start.start,
        "end": start.sessions[0].end,
        "sessions": [{"start": s.start, "end": s.end} for s in start.sessions],
        "panel": [
            {"role": role, "peer": peer_brief(by_id[peer_id])}
            for role, peer_ids in start.panel.items()
            for peer_id in peer_ids
        ],
    }

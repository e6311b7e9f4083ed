"""The pool of peers as the engine sees it, and the questions asked of it.

`peer_pool` loads every active peer over a window (profiles, free time with the seats they
hold laid over it, monthly loads, recent work) in a few queries; `engine_answer` is the one
way a pool is handed to the engine, so the slot search (`staffable_starts`), "why not this
time" (`start_explanation`), booking (through `seat_plan.panel_plan`) and the benchmarks ask
the same question the same way.

The buffer between a peer's sessions has one statement, `held_range` in the engine: a seat
holds [start, end + the peer's buffer), availability keeps new sessions out of
`clash_interval`, the matcher compares held ranges, and on PostgreSQL an exclusion constraint
refuses two overlapping held ranges of one peer.
"""

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from django.conf import settings
from django.db.models import Count, Max
from django.utils import timezone
from prometheus_client import Histogram

from peers.free_time import free_time_matrix
from peers.models import Council, PeerKind
from peers.selectors import PeerRecord, active_peer_records, check_range
from scheduling.engine.grid import TimeGrid, busy_mask
from scheduling.engine.matching import HeldSeat
from scheduling.engine.panels import (
    FAIRNESS_WINDOW,
    CouncilProfile,
    MonthLoad,
    OfferFormat,
    PeerProfile,
    RecentWork,
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
    Delivery,
    Offer,
    PoliticalRule,
    Seat,
    SeatStatus,
    SessionStatus,
)
from sessions.policy import MAX_SLOT_RANGE, MEMBER_SENIORITY, SENIORITY

# Models into engine data ----------------------------------------------------------------------


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

    peers: tuple[PeerRecord, ...]
    profiles: tuple[PeerProfile, ...]
    grid: TimeGrid
    matrix: np.ndarray  # (peers, slots): free to take a seat
    loads: dict[int, dict[tuple[int, int], MonthLoad]]
    held: tuple[HeldSeat, ...]
    workload: RecentWork = field(default_factory=RecentWork)

    def free_for(self, start: datetime, end: datetime) -> set[int]:
        """Ids of peers free for the whole of [start, end)."""
        first, last = self.grid.index_of(start), self.grid.index_of(end)
        free = self.matrix[:, first:last].all(axis=1)
        return {self.profiles[i].id for i in np.flatnonzero(free)}


def peer_pool(
    *, start: datetime, end: datetime, council_type: str = "", ignore_booking_id: int | None = None
) -> PeerPool:
    """The active pool over [start, end): a few queries of plain rows and the kept free time.

    Each peer's own free time is read from `peers.free_time` (kept current as it changes);
    the seats they hold, widened by their buffer (`clash_interval`), are laid over it here.
    `ignore_booking_id`: that booking's seats do not count (it is the one being moved).
    """
    peers = active_peer_records()
    grid = TimeGrid.covering(start, end)
    index = {peer.id: i for i, peer in enumerate(peers)}
    matrix = free_time_matrix(peer_ids=list(index), grid=grid)
    # One read of the seats held around the window: the holds laid over the free time, the
    # months of the caps and the fairness window each take their part of it.
    months = _months(grid.start, grid.end)
    around = _fairness_span(grid.start, grid.end)
    seats = _holding_seats(
        min(months[0], around[0], grid.start - timedelta(days=1)),
        max(months[1], around[1], grid.end + timedelta(days=1)),
        ignore_booking_id,
    )
    held = [
        HeldSeat(peer_id=seat["peer_id"], start=seat["session__start"], end=seat["session__end"])
        for seat in _overlapping(
            seats, grid.start - timedelta(days=1), grid.end + timedelta(days=1)
        )
        if seat["peer_id"] in index
    ]
    if held:
        rows = np.array([index[seat.peer_id] for seat in held], dtype=np.int64)
        buffers = np.array([peers[i].buffer_minutes * 60 for i in rows], dtype=np.float64)
        matrix &= ~busy_mask(
            grid,
            len(peers),
            rows,
            np.array([seat.start.timestamp() for seat in held]) - buffers,
            np.array([seat.end.timestamp() for seat in held]) + buffers,
        )
    experience = _experience(council_type) if council_type else {}
    return PeerPool(
        peers=peers,
        profiles=_profiles(peers, experience),
        grid=grid,
        matrix=matrix,
        loads=_loads(_overlapping(seats, *months)),
        held=tuple(held),
        workload=_workload(_overlapping(seats, *around)),
    )


_profiles_kept: tuple = (None, None, ())


def _profiles(peers: tuple[PeerRecord, ...], experience: dict[int, int]) -> tuple[PeerProfile, ...]:
    """The engine's profiles of the pool (built again only when the peers or experience differ
    from the last pool this process built)."""
    global _profiles_kept
    kept_peers, kept_experience, kept = _profiles_kept
    if peers is kept_peers and experience == kept_experience:
        return kept
    profiles = tuple(
        PeerProfile(
            id=peer.id,
            name=peer.name,
            kind=peer.kind,
            home_council_id=peer.home_council.id,
            home_region=peer.home_region,
            political_group=peer.political_group,
            profession=peer.profession,
            skills=peer.skills,
            declared_interest_council_ids=peer.declared_interest_council_ids,
            accredited=peer.accredited,
            monthly_session_cap=peer.monthly_session_cap,
            monthly_minutes_cap=peer.monthly_hours_cap * 60,
            experience=experience.get(peer.id, 0),
            seniority=MEMBER_SENIORITY
            if peer.kind == PeerKind.MEMBER
            else SENIORITY.get(peer.profession, 1),
            buffer_minutes=peer.buffer_minutes,
        )
        for peer in peers
    )
    _profiles_kept = (peers, experience, profiles)
    return profiles


def _holding_seats(
    start: datetime, end: datetime, ignore_booking_id: int | None = None
) -> list[dict]:
    seats = Seat.objects.filter(
        peer__isnull=False,
        status__in=HOLDING_SEAT_STATUSES,
        session__status=SessionStatus.SCHEDULED,
        session__start__lt=end,
        session__end__gt=start,
    )
    if ignore_booking_id is not None:
        seats = seats.exclude(session__booking_id=ignore_booking_id)
    return list(seats.values("peer_id", "session__start", "session__end"))


def _overlapping(seats: list[dict], start: datetime, end: datetime) -> list[dict]:
    """The seats whose sessions overlap [start, end), as `_holding_seats` reads them."""
    return [s for s in seats if s["session__start"] < end and s["session__end"] > start]


def _months(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """From the start of the London month `start` falls in to the start of the month after
    the one `end` falls in (what the monthly caps count)."""
    first = start.astimezone(LONDON).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    last = (end.astimezone(LONDON) + timedelta(days=32)).replace(
        day=1, hour=0, minute=0, second=0, microsecond=0
    )
    return first, last


def _fairness_span(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """Where sessions may count towards the fairness of a start in [start, end)."""
    margin = FAIRNESS_WINDOW + timedelta(days=1)
    return start - margin, end + margin


def _loads(seats: list[dict]) -> dict[int, dict[tuple[int, int], MonthLoad]]:
    """Sessions and minutes each peer already holds in every London month of `seats` (the
    seats held in the months the window touches, for the monthly caps)."""
    loads: dict[int, dict[tuple[int, int], list[int]]] = {}
    for seat in seats:
        month = month_of(seat["session__start"])
        minutes = round((seat["session__end"] - seat["session__start"]).total_seconds() / 60)
        entry = loads.setdefault(seat["peer_id"], {}).setdefault(month, [0, 0])
        entry[0] += 1
        entry[1] += minutes
    return {
        peer_id: {month: MonthLoad(sessions=s, minutes=m) for month, (s, m) in months.items()}
        for peer_id, months in loads.items()
    }


def _workload(seats: list[dict]) -> RecentWork:
    """Sessions held within the fairness window of the grid (`seats`), and who was seated
    most recently."""
    seated: dict[int, list[datetime]] = {}
    for seat in seats:
        seated.setdefault(seat["peer_id"], []).append(seat["session__start"])
    last = (
        Seat.objects.filter(peer__isnull=False)
        .values("peer_id")
        .annotate(last=Max("id"))
        .order_by()
    )
    return RecentWork(seated=seated, last_seated={row["peer_id"]: row["last"] for row in last})


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


def _span(fmt: OfferFormat) -> timedelta:
    return timedelta(days=(fmt.session_count - 1) * fmt.spacing_days, minutes=fmt.duration_minutes)


def _keep_by_role(keep: Mapping[tuple[str, int], int] | None) -> dict[str, set[int]]:
    by_role: dict[str, set[int]] = {}
    for (role, _), peer_id in (keep or {}).items():
        by_role.setdefault(role, set()).add(peer_id)
    return by_role


# Asking the engine ----------------------------------------------------------------------------


# A search is CPU-bound for tens of milliseconds. A process runs at most SEARCHES_AT_ONCE at a
# time; the others wait their turn without holding the interpreter, so a threaded worker's
# other threads go on answering other requests however many searches arrive together.
_searching = threading.BoundedSemaphore(settings.SEARCHES_AT_ONCE)
# How long each slot search takes once its turn comes (served at /metrics).
SLOT_SEARCH_SECONDS = Histogram(
    "lga_slot_search_seconds", "Time to find the staffable starts of one search."
)


def engine_answer[T](
    question: Callable[..., T],
    *,
    pool: PeerPool,
    fmt: OfferFormat,
    council: Council,
    keep: Mapping[tuple[str, int], int] | None = None,
    **asked,
) -> T:
    """The engine's answer to `question` (`find_staffable_starts` or `explain_start`) for an
    offer of format `fmt` and `council`, over `pool`: the one place a pool is handed to the
    engine. `keep`: (role, position) -> peer of a booking being moved; `asked`: the question's
    own arguments (`range_start`, `range_end`, `limit`; or `start`)."""
    return question(
        fmt,
        council_profile(council),
        pool.profiles,
        pool.matrix,
        pool.grid.start,
        pool.grid.step_minutes,
        now=timezone.now(),
        loads=pool.loads,
        workload=pool.workload,
        keep=_keep_by_role(keep),
        **asked,
    )


def staffable_starts(
    *,
    offer: Offer,
    council: Council,
    range_start: datetime,
    range_end: datetime,
    limit: int | None = None,
    ignore_booking_id: int | None = None,
    keep: Mapping[tuple[str, int], int] | None = None,
) -> tuple[list[StaffableStart], PeerPool]:
    """The starts in [range_start, range_end) at which a whole panel can be staffed, each with
    the panel booking it seats (`keep`: (role, position) -> peer of the booking being moved)."""
    check_range(range_start, range_end, longest=MAX_SLOT_RANGE)
    fmt = offer_format(offer)
    with _searching, SLOT_SEARCH_SECONDS.time():
        pool = peer_pool(
            start=range_start,
            end=range_end + _span(fmt) + timedelta(hours=1),
            council_type=council.council_type,
            ignore_booking_id=ignore_booking_id,
        )
        starts = engine_answer(
            find_staffable_starts,
            pool=pool,
            fmt=fmt,
            council=council,
            keep=keep,
            range_start=range_start,
            range_end=range_end,
            limit=limit,
        )
    return starts, pool


def start_explanation(
    *,
    offer: Offer,
    council: Council,
    start: datetime,
    ignore_booking_id: int | None = None,
    keep: Mapping[tuple[str, int], int] | None = None,
) -> tuple[StartExplanation, PeerPool]:
    """Whether `start` can be booked and staffed now, and if not, why; if so, with the panel."""
    fmt = offer_format(offer)
    pool = peer_pool(
        start=start - timedelta(hours=1),
        end=start + _span(fmt) + timedelta(hours=1),
        council_type=council.council_type,
        ignore_booking_id=ignore_booking_id,
    )
    explanation = engine_answer(
        explain_start, pool=pool, fmt=fmt, council=council, keep=keep, start=start
    )
    return explanation, pool

"""One panel plan: the one place that turns models into engine data and engine answers into seats.

The slot search (`staffable_starts`), "why not this time" (`start_explanation`), booking and
moving (`panel_plan` then `seats_write`) and re-staffing after a decline (`restaff_plan` then
`plan_seat_rows`) all load the pool here and ask the engine the same question, so the panel a
time shows is the panel that booking it seats: for one booking the engine's proposal is the
optimum of the matcher's objective (fit, the keep bonus of a move, fairness over the rolling
window, ties to the least recently seated peer), computed the same way for the search and the
booking. Re-staffing, which keeps seats and honours declines across a booking's remaining
sessions, is solved by the matcher with the same inputs, ties included (the pool's
`last_seated`).

The buffer between a peer's sessions has one statement, `held_range` in the engine: a seat
holds [start, end + the peer's buffer), availability keeps new sessions out of
`clash_interval`, the matcher compares held ranges, and on PostgreSQL an exclusion constraint
refuses two overlapping held ranges of one peer.
"""

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import Count, Max
from django.utils import timezone
from prometheus_client import Histogram
from simple_history.utils import bulk_create_with_history

from peers.free_time import free_time_matrix
from peers.models import Council, PeerKind
from peers.selectors import PeerRecord, active_peer_records, check_range
from scheduling.engine.grid import TimeGrid, busy_mask
from scheduling.engine.matching import (
    HeldSeat,
    MatchProblem,
    SeatKey,
    SessionToStaff,
    match,
    seat_fit,
)
from scheduling.engine.panels import (
    FAIRNESS_WINDOW,
    CouncilProfile,
    MonthLoad,
    OfferFormat,
    PeerProfile,
    RecentWork,
    RoleRequirement,
    held_range,
    tie_break_ranks,
)
from scheduling.engine.staffing import (
    SessionTime,
    StaffableStart,
    StartExplanation,
    explain_start,
    find_staffable_starts,
)
from scheduling.engine.uk_time import LONDON, clock_text, day_text, month_of
from sessions.models import (
    HOLDING_SEAT_STATUSES,
    Booking,
    Delivery,
    Offer,
    PoliticalRule,
    Seat,
    SeatStatus,
    Session,
    SessionStatus,
)

BOOKING_LOCK = 7_401_001  # PostgreSQL advisory lock key that serialises seat writes

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


def seat_writes_serialise() -> None:
    """Serialise every transaction that plans and writes seats (booking, moving, re-staffing).

    SQLite: the transaction began with BEGIN IMMEDIATE and already holds the write lock.
    PostgreSQL: an advisory lock for the rest of the transaction.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [BOOKING_LOCK])


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


# The questions: which times, why not this one, which panel ------------------------------------


def booking_keep(booking: Booking) -> dict[tuple[str, int], int]:
    """(role, position) -> peer of the seats a booking holds in its first session: the seats a
    move keeps where it can (the same for every session of a series)."""
    first = booking.sessions.order_by("number").first()
    if first is None:
        return {}
    return {
        (seat.role_name, seat.position): seat.peer_id
        for seat in first.seats.all()
        if seat.status in HOLDING_SEAT_STATUSES and seat.peer_id
    }


# A search is CPU-bound for tens of milliseconds. A process runs at most SEARCHES_AT_ONCE at a
# time; the others wait their turn without holding the interpreter, so a threaded worker's
# other threads go on answering other requests however many searches arrive together.
_searching = threading.BoundedSemaphore(settings.SEARCHES_AT_ONCE)
# How long each slot search takes once its turn comes (served at /metrics).
SLOT_SEARCH_SECONDS = Histogram(
    "lga_slot_search_seconds", "Time to find the staffable starts of one search."
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
            workload=pool.workload,
            keep=_keep_by_role(keep),
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
        workload=pool.workload,
        keep=_keep_by_role(keep),
    )
    return explanation, pool


def start_fits(
    *, offer: Offer, council: Council, start: StaffableStart, pool: PeerPool
) -> dict[tuple[str, int], dict]:
    """The fit breakdown of each seat of the panel a start shows ((role, peer id) -> fit), as
    booking it would record them: what a page explains the panel with."""
    fmt = offer_format(offer)
    profiles = {profile.id: profile for profile in pool.profiles}
    roles = {role.name: role for role in fmt.roles}
    first = start.sessions[0]
    session = SessionToStaff(
        id=0, start=first.start, end=first.end, council=council_profile(council), roles=fmt.roles
    )
    return {
        (role, peer_id): _fit_json(seat_fit(profiles[peer_id], roles[role], session))
        for role, peer_ids in start.panel.items()
        for peer_id in peer_ids
        if peer_id in profiles and role in roles
    }


@dataclass(frozen=True)
class PlannedSeat:
    """One seat of a plan: which session (0-based), role and position, and who, or why nobody."""

    session: int
    role: str
    position: int
    peer_id: int | None
    fit: dict = field(default_factory=dict)
    runner_up: dict = field(default_factory=dict)
    unfilled_reason: str = ""
    kept: bool = False


@dataclass(frozen=True)
class PanelPlan:
    """The seats a booking (or a move, or a re-staffing) would take, and why."""

    times: tuple[SessionTime, ...]
    seats: tuple[PlannedSeat, ...]
    buffers: Mapping[int, int]  # peer id -> buffer minutes: the held range of each seat
    explanation: StartExplanation | None = None
    pool: PeerPool | None = None

    @property
    def staffable(self) -> bool:
        return self.explanation is None or self.explanation.staffable

    @property
    def start(self) -> datetime:
        return self.times[0].start

    def panel(self) -> list[tuple[str, int]]:
        """(role, peer id) of each filled seat of the first session, in role and seat order."""
        return [(s.role, s.peer_id) for s in self.seats if s.session == 0 and s.peer_id]

    def seats_of(self, session: int) -> list[PlannedSeat]:
        return [s for s in self.seats if s.session == session]


def _fit_json(fit) -> dict:
    return {
        "skill": fit.skill,
        "seniority": fit.seniority,
        "experience": fit.experience,
        "lead": fit.lead,
        "total": fit.total,
    }


def _positions(
    role: RoleRequirement, peer_ids: tuple[int, ...], keep: Mapping[tuple[str, int], int]
) -> dict[int, int]:
    """Seat position per peer: a kept peer keeps theirs, the rest fill the others in order."""
    position_of = {
        peer_id: position
        for (name, position), peer_id in keep.items()
        if name == role.name and peer_id in peer_ids and position < role.count
    }
    spare = iter(p for p in range(role.count) if p not in position_of.values())
    for peer_id in peer_ids:
        if peer_id not in position_of:
            position_of[peer_id] = next(spare)
    return position_of


def panel_plan(
    *,
    offer: Offer,
    council: Council,
    start: datetime,
    keep: Mapping[tuple[str, int], int] | None = None,
    ignore_booking_id: int | None = None,
) -> PanelPlan:
    """The panel booking `offer` for `council` at `start` seats: the one the slot search shows
    for that start (the same pool, the same engine question). `keep` and `ignore_booking_id`
    describe a booking being moved: its current seats ((role, position) -> peer id), which
    earn the keep bonus, and its own holds, which do not block it."""
    keep = dict(keep or {})
    explanation, pool = start_explanation(
        offer=offer, council=council, start=start, ignore_booking_id=ignore_booking_id, keep=keep
    )
    fmt = offer_format(offer)
    times = explanation.sessions
    buffers = {peer.id: peer.buffer_minutes for peer in pool.peers}
    if not explanation.staffable:
        return PanelPlan(times, (), buffers, explanation, pool)
    profiles = {profile.id: profile for profile in pool.profiles}
    seats = []
    for k, (t, panel) in enumerate(zip(times, explanation.panels, strict=True)):
        session = SessionToStaff(
            id=k, start=t.start, end=t.end, council=council_profile(council), roles=fmt.roles
        )
        for role in fmt.roles:
            peer_ids = tuple(panel.get(role.name, ()))
            positions = _positions(role, peer_ids, keep)
            runner = explanation.runners_up.get(role.name)
            runner_up = (
                {"peer_id": runner, "fit": _fit_json(seat_fit(profiles[runner], role, session))}
                if runner is not None
                else {}
            )
            for peer_id in sorted(peer_ids, key=positions.__getitem__):
                seats.append(
                    PlannedSeat(
                        session=k,
                        role=role.name,
                        position=positions[peer_id],
                        peer_id=peer_id,
                        fit=_fit_json(seat_fit(profiles[peer_id], role, session)),
                        runner_up=runner_up,
                        kept=keep.get((role.name, positions[peer_id])) == peer_id,
                    )
                )
    return PanelPlan(times, tuple(seats), buffers, explanation, pool)


@dataclass(frozen=True)
class SeatChange:
    """A seat whose peer differs from the one shown, and why."""

    role: str
    shown_peer_id: int | None
    peer_id: int | None
    why: str


def plan_changes(plan: PanelPlan, shown: list[tuple[str, int]]) -> list[SeatChange]:
    """How the fresh plan differs from the panel a client was shown ((role, peer id) pairs).

    Seats of one role are interchangeable, so each role is compared as a set of peers. Empty
    when they agree."""
    fresh: dict[str, list[int]] = {}
    for role, peer_id in plan.panel():
        fresh.setdefault(role, []).append(peer_id)
    was: dict[str, list[int]] = {}
    for role, peer_id in shown:
        was.setdefault(role, []).append(peer_id)
    changes = []
    for role in list(dict.fromkeys([*fresh, *was])):
        gone = sorted(set(was.get(role, ())) - set(fresh.get(role, ())))
        new = sorted(set(fresh.get(role, ())) - set(was.get(role, ())))
        for k in range(max(len(gone), len(new))):
            old = gone[k] if k < len(gone) else None
            now = new[k] if k < len(new) else None
            changes.append(SeatChange(role, old, now, _why_changed(plan, role, old)))
    return changes


def _why_changed(plan: PanelPlan, role_name: str, peer_id: int | None) -> str:
    """Why `peer_id`, shown for a seat of `role_name`, is not in it now, in plain words."""
    pool = plan.pool
    if peer_id is None or pool is None:
        return "the panel now has a seat it did not have"
    profile = next((p for p in pool.profiles if p.id == peer_id), None)
    if profile is None:
        return "the peer shown is no longer in the pool"
    explanation = plan.explanation
    for t in plan.times:
        if peer_id not in pool.free_for(t.start, t.end):
            return (
                f"{profile.name} is no longer free then "
                f"({day_text(t.start)}, {clock_text(t.start)})"
            )
    for t in plan.times:
        load = pool.loads.get(peer_id, {}).get(month_of(t.start))
        minutes = round((t.end - t.start).total_seconds() / 60)
        if load and (
            load.sessions + 1 > profile.monthly_session_cap
            or load.minutes + minutes > profile.monthly_minutes_cap
        ):
            return f"{profile.name} has reached their monthly cap"
    if explanation is not None and any(
        peer_id in ids for panel in explanation.panels for ids in panel.values()
    ):
        return f"{profile.name} now sits in another seat of the panel"
    return (
        f"{profile.name} is still free, but the panel was planned again with the latest "
        "bookings and another peer now suits the seat better or has had less work"
    )


# Engine answers into seats --------------------------------------------------------------------


def plan_seat_rows(plan: PanelPlan, session: Session, number: int) -> list[Seat]:
    """Unsaved seat rows of the plan for `session` (the plan's `number`-th, from 0): filled
    seats hold [start, end + the peer's buffer); unfilled ones say why."""
    rows = []
    for seat in plan.seats_of(number):
        held_from = held_until = None
        if seat.peer_id is not None:
            held_from, held_until = held_range(
                session.start, session.end, plan.buffers[seat.peer_id]
            )
        rows.append(
            Seat(
                session=session,
                role_name=seat.role,
                position=seat.position,
                peer_id=seat.peer_id,
                status=SeatStatus.PROPOSED,
                held_from=held_from,
                held_until=held_until,
                fit=seat.fit,
                runner_up=seat.runner_up,
                unfilled_reason=seat.unfilled_reason,
            )
        )
    return rows


def seats_write(
    *, plan: PanelPlan, sessions: list[Session], previous: Mapping[Seat, str] | None = None
) -> None:
    """Seat the plan on `sessions` (in order). `previous`: the seats the sessions held before a
    move (already withdrawn) with the status each had; a seat kept by the same peer gets that
    status back (so an answer stands) at the new held range, the rest stay withdrawn as
    history."""
    previous = previous or {}
    old_by_key = {(s.session_id, s.role_name, s.position): s for s in previous}
    new_rows, kept = [], set()
    for number, session in enumerate(sessions):
        for row in plan_seat_rows(plan, session, number):
            old = old_by_key.get((session.id, row.role_name, row.position))
            if old is not None and old.peer_id is not None and old.peer_id == row.peer_id:
                old.status = previous[old]
                old.held_from, old.held_until = row.held_from, row.held_until
                old.fit, old.runner_up = row.fit, row.runner_up
                old.save()
                kept.add(old.pk)
            else:
                new_rows.append(row)
    bulk_create_with_history(new_rows, Seat)
    # The history records as withdrawn only the seats the move left out: the kept ones were
    # released for the search alone.
    left_out = [seat for seat in previous if seat.pk not in kept]
    for seat in left_out:
        seat.status = SeatStatus.WITHDRAWN
    Seat.history.bulk_history_create(left_out, update=True)


# Re-staffing -----------------------------------------------------------------------------------


def _seated_peers_free(pool: PeerPool, sessions: list[Session], holding: list[Seat]) -> PeerPool:
    """The pool with each seated peer free for their own session.

    A peer's imported busy calendar often holds the very session they were invited to; that
    must not push them off it. Everyone else keeps their seat unless the re-solve must move them.
    """
    index = {profile.id: i for i, profile in enumerate(pool.profiles)}
    by_id = {session.id: session for session in sessions}
    matrix = pool.matrix.copy()
    for seat in holding:
        session = by_id.get(seat.session_id)
        if session is None or seat.peer_id not in index:
            continue
        first, last = pool.grid.index_of(session.start), pool.grid.index_of(session.end)
        matrix[index[seat.peer_id], first:last] = True
    return replace(pool, matrix=matrix)


def booking_problem(
    *,
    offer: Offer,
    council: Council,
    booking_id: int,
    sessions: list[Session],
    holding: list[Seat],
    declined: frozenset[tuple[SeatKey, int]],
) -> tuple[MatchProblem, PeerPool]:
    """The matcher's problem for a booking's remaining `sessions`: the pool over their time
    (the booking's own seats not counted as holds, each seated peer free for their own
    session), the seats held now (`holding`) and the declines. Re-staffing solves it; staff
    choosing a peer by hand have it checked (`seat_candidates`)."""
    fmt = offer_format(offer)
    pool = peer_pool(
        start=min(s.start for s in sessions) - timedelta(hours=1),
        end=max(s.end for s in sessions) + timedelta(hours=1),
        council_type=council.council_type,
        ignore_booking_id=booking_id,
    )
    pool = _seated_peers_free(pool, sessions, holding)
    profile = council_profile(council)
    to_staff = tuple(
        SessionToStaff(
            id=s.id,
            start=s.start,
            end=s.end,
            council=profile,
            roles=fmt.roles,
            conflict_same_region=fmt.conflict_same_region,
            series_id=str(booking_id) if fmt.series_same_peers else None,
        )
        for s in sessions
    )
    first = min(s.start for s in sessions)
    problem = MatchProblem(
        peers=pool.profiles,
        sessions=to_staff,
        availability={s.id: pool.free_for(s.start, s.end) for s in to_staff},
        existing_load=pool.loads,
        held=pool.held,
        current={
            SeatKey(s.session_id, s.role_name, s.position): s.peer_id for s in holding if s.peer_id
        },
        declined=declined,
        fairness_load={p.id: pool.workload.around(p.id, first) for p in pool.profiles},
        last_seated=pool.workload.last_seated,
    )
    return problem, pool


# The hard rules the checker names, in words for staff choosing a peer by hand.
RULE_WORDS = {
    "declined": "has declined this seat",
    "availability": "is not free then",
    "overlap": "holds another session too close to this one (their buffer included)",
    "session cap": "has reached their monthly cap of sessions",
    "minutes cap": "has reached their monthly cap of hours",
    "same session": "already sits on this panel",
    "series": "cannot take every session of the series",
}


@dataclass(frozen=True)
class Candidate:
    """A peer for one seat, as the plan sees them: the fit and recent load when eligible, or
    every hard rule they would break (the checker's rule names, and in words)."""

    peer: PeerRecord
    fit: dict
    load: int
    rules: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def eligible(self) -> bool:
        return not self.rules


def _violation_words(violation) -> str:
    if violation.rule == "eligibility":
        return violation.message.rsplit(": ", 1)[-1]
    return RULE_WORDS.get(violation.rule, violation.message)


def seat_candidates(
    *,
    problem: MatchProblem,
    pool: PeerPool,
    seat_keys: list[SeatKey],
) -> list[Candidate]:
    """Every active peer for the seats `seat_keys` (one place, in each remaining session of a
    series), checked by the engine's checker against every hard rule with everyone else kept
    where they sit: the eligible first, by fit, then the least work, then the tie-break every
    plan uses (least recently seated first), then the rest with why not."""
    from scheduling.engine.checker import check

    targets = set(seat_keys)
    others = [(key, peer_id) for key, peer_id in problem.current.items() if key not in targets]
    by_id = {peer.id: peer for peer in pool.peers}
    sessions = {s.id: s for s in problem.sessions}
    first = sessions[seat_keys[0].session_id]
    candidates = []
    for profile in problem.peers:
        pairs = others + [(key, profile.id) for key in seat_keys]
        broken = [
            v
            for v in check(problem, pairs)
            if v.peer_id == profile.id or (v.seat is not None and v.seat in targets)
        ]
        role = next(r for r in first.roles if r.name == seat_keys[0].role)
        candidates.append(
            Candidate(
                peer=by_id[profile.id],
                fit=_fit_json(seat_fit(profile, role, first)),
                load=problem.fairness_load.get(profile.id, 0),
                rules=tuple(dict.fromkeys(v.rule for v in broken)),
                problems=tuple(dict.fromkeys(_violation_words(v) for v in broken)),
            )
        )
    ranks = tie_break_ranks([c.peer.id for c in candidates], pool.workload.last_seated)
    order = dict(zip((c.peer.id for c in candidates), ranks.tolist(), strict=True))
    return sorted(
        candidates, key=lambda c: (not c.eligible, -c.fit["total"], c.load, order[c.peer.id])
    )


def candidates_runner_up(candidates: list[Candidate], *, chosen: int) -> dict:
    """The runner-up a seat filled by hand records, as a planned seat records the matcher's:
    the best eligible candidate other than the peer chosen, in `seat_candidates`' order
    (empty when nobody else could take the seat)."""
    runner = next((c for c in candidates if c.eligible and c.peer.id != chosen), None)
    return {"peer_id": runner.peer.id, "fit": runner.fit} if runner is not None else {}


def assignment_plan(
    *, problem: MatchProblem, pool: PeerPool, sessions: list[Session], seats: list[PlannedSeat]
) -> PanelPlan:
    """The plan that seats `seats` by hand on the booking's `sessions` (write it with
    `plan_seat_rows`)."""
    times = tuple(SessionTime(s.start, s.end) for s in sessions)
    buffers = {peer.id: peer.buffer_minutes for peer in pool.peers}
    return PanelPlan(times, tuple(seats), buffers, None, pool)


def restaff_plan(
    *,
    offer: Offer,
    council: Council,
    booking_id: int,
    sessions: list[Session],
    holding: list[Seat],
    declined: frozenset[tuple[SeatKey, int]],
) -> PanelPlan:
    """The plan for a booking's remaining `sessions` after declines: everyone in `holding`
    kept where the rules allow (the keep bonus), no declined peer back in their role slot,
    the booking's own seats not counted as holds. Solved by the matcher over all the
    sessions at once (a series keeps one peer per seat)."""
    fmt = offer_format(offer)
    problem, pool = booking_problem(
        offer=offer,
        council=council,
        booking_id=booking_id,
        sessions=sessions,
        holding=holding,
        declined=declined,
    )
    result = match(problem)
    number = {s.id: k for k, s in enumerate(sessions)}
    seats = [
        PlannedSeat(
            session=number[a.seat.session_id],
            role=a.seat.role,
            position=a.seat.index,
            peer_id=a.peer_id,
            fit=_fit_json(a.fit),
            runner_up=(
                {"peer_id": a.runner_up.peer_id, "fit": _fit_json(a.runner_up.fit)}
                if a.runner_up
                else {}
            ),
            kept=a.kept,
        )
        for a in result.assignments
    ] + [
        PlannedSeat(
            session=number[u.seat.session_id],
            role=u.seat.role,
            position=u.seat.index,
            peer_id=None,
            unfilled_reason=u.reason,
        )
        for u in result.unfilled
    ]
    order = {role.name: i for i, role in enumerate(fmt.roles)}
    seats.sort(key=lambda s: (s.session, order.get(s.role, 0), s.position))
    times = tuple(SessionTime(s.start, s.end) for s in sessions)
    buffers = {peer.id: peer.buffer_minutes for peer in pool.peers}
    return PanelPlan(times, tuple(seats), buffers, None, pool)

"""One panel plan: the one place that turns the engine's answers into seats.

Booking and moving (`panel_plan` then `seats_write`), re-staffing after a decline
(`restaff_plan` then `plan_seat_rows`) and staff seating a peer by hand (`booking_problem`,
`assignment_plan`) load the pool and ask the engine through `sessions.pool`, as the slot search
and "why not this time" do, so the panel a time shows is the panel that booking it seats: for
one booking the engine's proposal is the optimum of the matcher's objective (fit, the keep bonus
of a move, fairness over the rolling window, ties to the least recently seated peer), computed
the same way for the search and the booking. Re-staffing, which keeps seats and honours
declines across a booking's remaining sessions, is solved by the matcher with the same inputs,
ties included (the pool's `last_seated`).

Writing seats is serialised by `seat_writes_serialise` (the database lock).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from django.db import connection
from simple_history.utils import bulk_create_with_history

from peers.models import Council
from scheduling.engine.matching import (
    MatchProblem,
    SeatKey,
    SessionToStaff,
    match,
    seat_fit,
)
from scheduling.engine.panels import RoleRequirement, held_range
from scheduling.engine.staffing import SessionTime, StaffableStart, StartExplanation
from scheduling.engine.uk_time import clock_text, day_text, month_of
from sessions.models import (
    HOLDING_SEAT_STATUSES,
    Booking,
    Offer,
    Seat,
    SeatStatus,
    Session,
)
from sessions.pool import PeerPool, council_profile, offer_format, peer_pool, start_explanation

BOOKING_LOCK = 7_401_001  # PostgreSQL advisory lock key that serialises seat writes


def seat_writes_serialise() -> None:
    """Serialise every transaction that plans and writes seats (booking, moving, re-staffing).

    SQLite: the transaction began with BEGIN IMMEDIATE and already holds the write lock.
    PostgreSQL: an advisory lock for the rest of the transaction.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [BOOKING_LOCK])


# The panel a time seats -----------------------------------------------------------------------


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
        (role, peer_id): fit_json(seat_fit(profiles[peer_id], roles[role], session))
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


def fit_json(fit) -> dict:
    """A seat's fit breakdown (the engine's `SeatFit`) as a seat row stores it."""
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
                {"peer_id": runner, "fit": fit_json(seat_fit(profiles[runner], role, session))}
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
                        fit=fit_json(seat_fit(profiles[peer_id], role, session)),
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
            fit=fit_json(a.fit),
            runner_up=(
                {"peer_id": a.runner_up.peer_id, "fit": fit_json(a.runner_up.fit)}
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

"""Staff step in: who could take a seat, and seating a peer of their choosing.

Both go through the panel plan (`seat_plan.booking_problem`, `candidates.seat_candidates`): the
candidates are the pool the re-staffing would solve over, each checked by the engine's
checker against every hard rule with the rest of the panel kept; seating one writes its row
with `seat_plan.plan_seat_rows`, under the booking lock, and tells everyone as a re-staffing does
(a REQUEST to the peer seated, a CANCEL to the peer moved off, an update to the booker and, while
they follow it, the adviser).
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from peers.selectors import Caller
from scheduling.engine.matching import SeatKey
from scheduling.engine.refusals import Refusal
from sessions import rules
from sessions.models import (
    HOLDING_SEAT_STATUSES,
    BookingStatus,
    Seat,
    SeatStatus,
    Session,
    SessionStatus,
)
from sessions.pool import offer_format
from sessions.seat_plan import (
    PlannedSeat,
    assignment_plan,
    booking_problem,
    plan_seat_rows,
    seat_writes_serialise,
)
from sessions.selectors.candidates import Candidate, candidates_runner_up, seat_candidates
from sessions.services.invites import session_restaffed_invites_queue


class RuleBroken(Refusal):
    """Seating the peer would break a hard rule (422, on the field `peer`): which, in words."""

    def __init__(self, candidate: Candidate):
        super().__init__(
            f"{candidate.peer.name} cannot take this seat: {'; '.join(candidate.problems)}.",
            status=422,
            field="peer",
            rules=list(candidate.rules),
            problems=list(candidate.problems),
        )


@dataclass
class SeatChoice:
    """A seat and the peers who could take it (see `candidates.seat_candidates`)."""

    seat: Seat
    candidates: list[Candidate]
    seat_keys: list[SeatKey] = field(default_factory=list)


def _remaining(seat: Seat, now: datetime, *, lock: bool = False) -> list[Session]:
    sessions = Session.objects.filter(
        booking_id=seat.session.booking_id, status=SessionStatus.SCHEDULED, start__gt=now
    ).select_related("offer")
    if lock:
        sessions = sessions.select_for_update(of=("self",))
    return list(sessions.order_by("number"))


def _choice(seat: Seat, now: datetime, *, lock: bool = False) -> tuple[SeatChoice, tuple]:
    """The seat's candidates, and what seating one needs: (problem, pool, sessions, holding)."""
    booking = seat.session.booking
    if booking is None:
        raise Refusal("This seat is not on a booked session.", status=409)
    if booking.status in (BookingStatus.REJECTED, BookingStatus.EXPIRED, BookingStatus.CANCELLED):
        raise Refusal(f"This booking is {booking.get_status_display().lower()}.", status=409)
    if seat.session.status != SessionStatus.SCHEDULED or seat.session.start <= now:
        raise Refusal("This session is cancelled or has already started.", status=409)
    if seat.status not in HOLDING_SEAT_STATUSES:
        raise Refusal(
            "This row is history (the place was given up or moved): choose the seat as the "
            "booking page shows it now.",
            status=409,
        )
    sessions = _remaining(seat, now, lock=lock)
    series = offer_format(booking.offer).series_same_peers
    targets = sessions if series else [s for s in sessions if s.pk == seat.session_id]
    seat_keys = [SeatKey(s.pk, seat.role_name, seat.position) for s in targets]
    rows = list(Seat.objects.filter(session__in=sessions).order_by("id"))
    holding = [r for r in rows if r.status in HOLDING_SEAT_STATUSES]
    declined = frozenset(
        (SeatKey(r.session_id, r.role_name, r.position), r.peer_id)
        for r in rows
        if r.status == SeatStatus.DECLINED and r.peer_id
    )
    problem, pool = booking_problem(
        offer=booking.offer,
        council=booking.council,
        booking_id=booking.pk,
        sessions=sessions,
        holding=holding,
        declined=declined,
    )
    return SeatChoice(
        seat=seat,
        candidates=seat_candidates(problem=problem, pool=pool, seat_keys=seat_keys),
        seat_keys=seat_keys,
    ), (problem, pool, sessions, holding)


def _seat(seat_id: int) -> Seat:
    return Seat.objects.select_related(
        "peer", "session__offer", "session__booking__offer", "session__booking__council"
    ).get(pk=seat_id)


def seat_choice(*, caller: Caller, seat: Seat, now: datetime | None = None) -> SeatChoice:
    """The peers who could take `seat` (staff, and the council's adviser, may read it)."""
    seat = _seat(seat.pk)
    rules.require(
        seat.session.booking is not None and rules.may_see_candidates(caller, seat.session.booking),
        "Only LGA staff and the council's Principal Adviser see this.",
    )
    choice, _ = _choice(seat, now or timezone.now())
    return choice


def seat_assign(*, caller: Caller, seat: Seat, peer_id: int) -> Seat:
    """Seat the peer `peer_id` in `seat` (staff only), through the same plan and hard rules:
    a broken rule is a RuleBroken (422) naming it. A peer there before is withdrawn (sent a
    CANCEL); the peer seated is invited. Returns the new seat row (of the seat's session)."""
    rules.require(rules.may_assign_seat(caller), "Only LGA staff choose a peer by hand.")
    now = timezone.now()
    with transaction.atomic():
        seat_writes_serialise()
        seat = _seat(seat.pk)
        booking = seat.session.booking
        if booking is not None and booking.status == BookingStatus.REQUESTED:
            raise Refusal(
                "This booking is a request waiting for approval: approve it first.", status=409
            )
        choice, (problem, pool, sessions, holding) = _choice(seat, now, lock=True)
        candidate = next((c for c in choice.candidates if c.peer.id == peer_id), None)
        if candidate is None:
            raise Refusal(
                "There is no active peer with that id.", status=422, field="peer", rules=[]
            )
        if seat.peer_id == peer_id:
            raise Refusal(f"{candidate.peer.name} already holds this seat.", status=409)
        if not candidate.eligible:
            raise RuleBroken(candidate)
        number = {s.pk: k for k, s in enumerate(sessions)}
        runner_up = candidates_runner_up(choice.candidates, chosen=peer_id)
        plan = assignment_plan(
            problem=problem,
            pool=pool,
            sessions=sessions,
            seats=[
                PlannedSeat(
                    session=number[key.session_id],
                    role=key.role,
                    position=key.index,
                    peer_id=peer_id,
                    fit=candidate.fit,
                    runner_up=runner_up,
                )
                for key in choice.seat_keys
            ],
        )
        at = {(r.session_id, r.role_name, r.position): r for r in holding}
        created_here = None
        for key in choice.seat_keys:
            session = sessions[number[key.session_id]]
            old = at.get((key.session_id, key.role, key.index))
            withdrawn = []
            if old is not None:
                old.status = SeatStatus.WITHDRAWN
                old.save(update_fields=["status", "updated_at"])
                withdrawn.append(old)
            (row,) = [
                r
                for r in plan_seat_rows(plan, session, number[key.session_id])
                if (r.role_name, r.position) == (key.role, key.index)
            ]
            row.status = SeatStatus.INVITED
            row.save()
            session.sequence += 1
            session.save(update_fields=["sequence", "updated_at"])
            session_restaffed_invites_queue(session=session, created=[row], withdrawn=withdrawn)
            if session.pk == seat.session_id:
                created_here = row
    return created_here

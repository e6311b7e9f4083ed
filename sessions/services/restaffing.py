"""Re-staffing: filling the places on a booked panel that a peer has given up.

A peer gives up a seat by declining it (a link, their sessions page, the API or a calendar
reply) or by making themselves unavailable over it (leave, a date override or new hours). The
answer or the availability change only records that, in the peer's own request, and queues
`booking_restaff` for the booking; the worker runs it (`sessions.tasks.restaff_booking`), so a
peer never waits for the matcher and never holds the booking lock.

`booking_restaff` is the one way a booking is re-staffed. It takes the booking lock inside its
own transaction (as booking and moving do), re-reads the booking, and re-solves its sessions
still to come when a place on them is open; everyone else is kept where the rules allow. It is
idempotent: a retried task, or a second task for the same booking, finds no place open and
changes nothing, so no one is invited or told twice.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from peers.held_time import HeldTime
from peers.models import Peer
from scheduling.engine.matching import SeatKey
from sessions.models import (
    HOLDING_SEAT_STATUSES,
    Booking,
    BookingStatus,
    Seat,
    SeatStatus,
    Session,
    SessionStatus,
)
from sessions.pool import offer_format
from sessions.seat_plan import plan_seat_rows, restaff_plan, seat_writes_serialise
from sessions.selectors.invites import latest_request_sequence
from sessions.services.invites import seat_released_invites_queue, session_restaffed_invites_queue
from sessions.services.restaff_queue import booking_restaff_queue
from sessions.services.session_changes import NO_LONGER_FREE


@dataclass
class RestaffOutcome:
    invited: list[Seat] = field(default_factory=list)
    removed: list[Seat] = field(default_factory=list)
    unfilled: list[Seat] = field(default_factory=list)
    changed_sessions: list[Session] = field(default_factory=list)


def seats_release_for_unavailable(
    sender, *, peer: Peer, held: tuple[HeldTime, ...], **kwargs
) -> list[Seat]:
    """A peer's new availability no longer covers seats they hold: they give those seats up.

    Connected to peers.held_time.held_time_released; runs inside the availability change's
    transaction. The seats count as declined (so the re-solve does not offer them back to the
    peer), the peer is sent a CANCEL for each (at a raised SEQUENCE), and each booking
    concerned is re-staffed in the worker, which tells the booker.
    """

    # Sessions before seats, the order re-staffing locks them in (so neither waits on the other).
    session_ids = Seat.objects.filter(pk__in=[h.key for h in held]).values("session_id")
    sessions = {
        session.pk: session
        for session in Session.objects.select_for_update()
        .filter(pk__in=session_ids, status=SessionStatus.SCHEDULED)
        .order_by("id")
    }
    seats = list(
        Seat.objects.select_for_update()
        .filter(
            pk__in=[h.key for h in held],
            peer=peer,
            status__in=HOLDING_SEAT_STATUSES,
            session_id__in=list(sessions),
        )
        .order_by("id")
    )
    for seat in seats:
        seat.status, seat.updated_at = SeatStatus.DECLINED, timezone.now()
    bulk_update_with_history(
        seats, Seat, ["status", "updated_at"], default_change_reason=NO_LONGER_FREE
    )
    for seat in seats:
        session = seat.session = sessions[seat.session_id]
        session.sequence += 1
        session.save(update_fields=["sequence", "updated_at"])
        if latest_request_sequence(seat) is not None:
            # (A seat pencilled in for a request was never sent: nothing to take back.)
            seat_released_invites_queue(seat=seat)
    for booking_id in sorted({s.session.booking_id for s in seats if s.session.booking_id}):
        booking_restaff_queue(booking_id=booking_id)
    return seats


def _open_places(sessions: list[Session], seats: list[Seat]) -> bool:
    """Whether any role slot of these sessions lacks a seated peer."""
    seated = {
        (s.session_id, s.role_name, s.position)
        for s in seats
        if s.status in HOLDING_SEAT_STATUSES and s.peer_id is not None
    }
    for session in sessions:
        for role in offer_format(session.offer).roles:
            for position in range(role.count):
                if (session.id, role.name, position) not in seated:
                    return True
    return False


def booking_restaff(*, booking_id: int, now: datetime | None = None) -> RestaffOutcome:
    """Fill the open places of a booking's sessions still to come; a no-op when none is open.

    Re-plans through the panel plan (`seat_plan.restaff_plan`, the matcher): the current seats
    kept where the rules allow, every decline honoured, the booking's own seats not counted as
    holds, so they cannot block themselves. The replacement gets a REQUEST, a peer the
    re-solve moved off gets a CANCEL, the booker an update saying what changed, and the
    adviser the session when a place stays empty.
    """
    now = now or timezone.now()
    outcome = RestaffOutcome()
    with transaction.atomic():
        seat_writes_serialise()  # the booking writes' lock: the same holds are read and written
        booking = (
            Booking.objects.select_related("offer", "council__principal_adviser", "booked_by")
            .filter(pk=booking_id)
            .first()
        )
        if booking is None or booking.status != BookingStatus.CONFIRMED:
            # A request is planned again when it is approved; a closed booking needs no one.
            return outcome
        sessions = list(
            Session.objects.filter(booking=booking, status=SessionStatus.SCHEDULED, start__gt=now)
            .select_related("offer", "booking__council__principal_adviser", "booking__booked_by")
            .select_for_update(of=("self",))
            .order_by("number")
        )
        if not sessions:
            return outcome
        seats = list(
            Seat.objects.filter(session__in=sessions).select_related("peer").order_by("id")
        )
        if not _open_places(sessions, seats):
            return outcome
        _restaff(booking, sessions, seats, now=now, outcome=outcome)
    return outcome


def _restaff(
    booking: Booking,
    sessions: list[Session],
    seats: list[Seat],
    *,
    now: datetime,
    outcome: RestaffOutcome,
) -> None:

    holding = [s for s in seats if s.status in HOLDING_SEAT_STATUSES]
    declined = frozenset(
        (SeatKey(s.session_id, s.role_name, s.position), s.peer_id)
        for s in seats
        if s.status == SeatStatus.DECLINED and s.peer_id
    )
    plan = restaff_plan(
        offer=booking.offer,
        council=booking.council,
        booking_id=booking.pk,
        sessions=sessions,
        holding=holding,
        declined=declined,
    )
    now_at = {(s.session_id, s.role_name, s.position): s for s in holding}
    roles = offer_format(booking.offer).roles
    withdraw: list[Seat] = []
    create: list[Seat] = []
    changed: set[int] = set()
    for number, session in enumerate(sessions):
        rows = plan_seat_rows(plan, session, number)
        planned = {(row.role_name, row.position): row for row in rows if row.peer_id}
        reasons = {(row.role_name, row.position): row.unfilled_reason for row in rows}
        for role in roles:
            for position in range(role.count):
                old = now_at.get((session.id, role.name, position))
                new = planned.get((role.name, position))
                if new is not None:
                    if old is not None and old.peer_id == new.peer_id:
                        continue
                    new.status = SeatStatus.INVITED
                else:
                    reason = reasons.get((role.name, position)) or "no eligible peer is left"
                    if old is not None and old.peer_id is None:
                        if old.unfilled_reason != reason:
                            old.unfilled_reason = reason
                            old.save(update_fields=["unfilled_reason", "updated_at"])
                        continue
                    new = Seat(
                        session=session,
                        role_name=role.name,
                        position=position,
                        peer=None,
                        status=SeatStatus.PROPOSED,
                        unfilled_reason=reason,
                    )
                if old is not None:
                    withdraw.append(old)
                create.append(new)
                changed.add(session.id)
    # Old rows go first, so a peer moving to another seat of the same session is never held
    # twice. A row the peer has declined since it was read keeps their answer.
    still_held = set(
        Seat.objects.select_for_update(of=("self",))
        .filter(pk__in=[s.pk for s in withdraw], status__in=HOLDING_SEAT_STATUSES)
        .values_list("pk", flat=True)
    )
    withdrawn_now = [s for s in withdraw if s.pk in still_held]
    for seat in withdrawn_now:
        seat.status, seat.updated_at = SeatStatus.WITHDRAWN, now
    bulk_update_with_history(withdrawn_now, Seat, ["status", "updated_at"])
    for row in create:
        row.save()
    for session in sessions:
        if session.id not in changed:
            continue
        session.sequence += 1
        session.save(update_fields=["sequence", "updated_at"])
        outcome.changed_sessions.append(session)
        told = session_restaffed_invites_queue(
            session=session,
            created=[s for s in create if s.session_id == session.id],
            withdrawn=[s for s in withdraw if s.session_id == session.id],
        )
        outcome.invited += told.invited
        outcome.removed += told.removed
        outcome.unfilled += told.unfilled

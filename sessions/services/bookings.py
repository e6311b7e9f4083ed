"""Writes about bookings: book, move, cancel, and a session's joining link (deciding a request
for approval is `approval`).

Booking and moving seat exactly the panel the slot search showed for the time (`panels`:
`panel_plan`, then `seats_write`). A client that sends the panel it was shown learns when the
world changed in between: a 409 with the fresh panel and, per changed seat, why; nothing is
swapped silently. Without it the fresh plan is booked.

Booking is safe under concurrency: every transaction that plans seats and then writes them
(booking, moving, approving a request, re-staffing, staff seating a peer by hand) is
serialised (`seat_plan.seat_writes_serialise`: SQLite's BEGIN IMMEDIATE, PostgreSQL's advisory
lock) and plans inside the lock. Transactions that only withdraw seats (cancelling, declining
or expiring a request, a peer's decline, hours that no longer cover a seat) do not take it:
giving up a hold cannot make two holds overlap or pass a cap, and a plan made meanwhile
at worst still counted the hold. PostgreSQL also refuses overlapping held ranges of one peer
in the database (an exclusion constraint). One live booking per offer, council and start: checked
here and enforced by a conditional unique constraint.
"""

import uuid
from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from peers.models import Council
from peers.selectors import Caller
from scheduling.engine.refusals import Refusal
from scheduling.engine.staffing import StartExplanation, booking_rule_problems
from scheduling.engine.uk_time import clock_text, day_text
from sessions import rules
from sessions.models import (
    CLOSED_BOOKING_STATUSES,
    HOLDING_SEAT_STATUSES,
    LIVE_BOOKING_STATUSES,
    UID_DOMAIN,
    Booking,
    BookingStatus,
    Offer,
    OfferStatus,
    Seat,
    SeatStatus,
    Session,
    SessionStatus,
)
from sessions.pool import offer_format, staffable_starts
from sessions.references import booking_reference_new
from sessions.seat_plan import (
    PanelPlan,
    SeatChange,
    booking_keep,
    panel_plan,
    plan_changes,
    seat_writes_serialise,
    seats_write,
)
from sessions.selectors.series import series_sessions_ahead
from sessions.services import invites
from sessions.services.approval_letters import (
    ASKED,
    WITHDRAWN,
    request_expiry,
    request_letter_queue,
)
from sessions.services.restaff_queue import booking_restaff_queue, unfilled_bookings_near

ALTERNATIVES = 5


class BookingConflict(Refusal):
    """The time can no longer be staffed (409): why, and other times that can (its body is
    shaped by sessions/api/presenters.py)."""

    def __init__(self, detail: str, *, reasons: list[str] = (), alternatives: list[datetime] = ()):
        super().__init__(detail, status=409)
        self.reasons = list(reasons)
        self.alternatives = list(alternatives)


class PanelChanged(Refusal):
    """The panel the client was shown is not the one booking the time would now seat (409):
    the start, the panel now as (role, peer id) pairs and the changed seats, as data (its body
    is shaped by sessions/api/presenters.py)."""

    def __init__(self, plan: PanelPlan, changes: list[SeatChange]):
        super().__init__(
            "The panel for that time has changed since it was shown: check the new panel and "
            "book again to accept it.",
            status=409,
        )
        self.start = plan.start
        self.panel = plan.panel()
        self.changes = changes


class AlreadyBooked(Refusal):
    """The council already has a live booking of the offer at that start (409)."""

    def __init__(self, booking: Booking):
        start = booking.start
        super().__init__(
            f"{booking.council.name} already has {booking.offer.title} booked at "
            f"{clock_text(start)} on {day_text(start)} (booking {booking.reference}).",
            status=409,
            booking=booking.pk,
            reference=booking.reference,
        )
        self.booking = booking


def _check_bookable(*, caller: Caller, offer: Offer, council: Council, start: datetime) -> None:
    rules.require(rules.may_book_for(caller, council), f"You cannot book for {council.name}.")
    if offer.is_webinar:
        raise ValidationError({"offer": "Webinars are not booked: councillors register for them."})
    if offer.current_status != OfferStatus.AVAILABLE:
        raise ValidationError(
            {"offer": f"{offer.title} cannot be booked: {offer.status_text.lower()}."}
        )
    if start.tzinfo is None:
        raise ValidationError(
            {"start": "Give the start with a UTC offset, e.g. 2026-12-01T10:00:00+00:00."}
        )
    if start <= timezone.now():
        raise ValidationError({"start": "The start is in the past."})
    problems = booking_rule_problems(offer_format(offer), start, now=timezone.now())
    if problems:
        raise ValidationError({"start": "; ".join(problems)})


def _alternatives(*, offer: Offer, council: Council, near: datetime) -> list[datetime]:
    starts, _ = staffable_starts(
        offer=offer,
        council=council,
        range_start=max(near - timedelta(days=7), timezone.now()),
        range_end=near + timedelta(days=21),
    )
    return sorted((s.start for s in starts), key=lambda t: abs(t - near))[:ALTERNATIVES]


def conflict_for(
    explanation: StartExplanation, *, offer: Offer, council: Council
) -> BookingConflict:
    return BookingConflict(
        detail="That time can no longer be staffed.",
        reasons=[reason.text for reason in explanation.reasons],
        alternatives=sorted(_alternatives(offer=offer, council=council, near=explanation.start)),
    )


def _taken_meanwhile(*, offer: Offer, council: Council, start: datetime) -> BookingConflict:
    """The database refused an overlapping hold: someone else took a peer's time first."""
    return BookingConflict(
        detail="That time can no longer be staffed.",
        reasons=["a peer on the proposed panel was booked by someone else a moment ago"],
        alternatives=_alternatives(offer=offer, council=council, near=start),
    )


def _live_duplicate(
    *, offer: Offer, council: Council, start: datetime, other_than: int | None = None
) -> Booking | None:
    found = Booking.objects.filter(
        offer=offer, council=council, start=start, status__in=LIVE_BOOKING_STATUSES
    ).select_related("offer", "council")
    if other_than is not None:
        found = found.exclude(pk=other_than)
    return found.first()


class Unstaffable(Exception):
    def __init__(self, plan: PanelPlan):
        super().__init__()
        self.plan = plan


def planned_for_booking(
    *,
    offer: Offer,
    council: Council,
    start: datetime,
    shown: list[tuple[str, int]] | None,
    keep: dict | None = None,
    ignore_booking_id: int | None = None,
) -> PanelPlan:
    """The fresh plan for `start`; refused when it cannot be staffed or differs from `shown`."""
    plan = panel_plan(
        offer=offer, council=council, start=start, keep=keep, ignore_booking_id=ignore_booking_id
    )
    if not plan.staffable:
        raise Unstaffable(plan)
    if shown is not None:
        changes = plan_changes(plan, shown)
        if changes:
            raise PanelChanged(plan, changes)
    return plan


def booking_create(
    *,
    caller: Caller,
    offer: Offer,
    council: Council,
    start: datetime,
    notes: str = "",
    panel: list[tuple[str, int]] | None = None,
    prefer: dict[tuple[str, int], int] | None = None,
) -> Booking:
    """Book `offer` for `council` at `start`, seating the panel the slot search shows for it.

    `prefer`: (role, position) -> peer of an earlier panel to keep where the rules allow (a
    progress review's continuity), weighed as a move keeps its seats (the keep bonus).

    `panel`: the (role, peer id) seats the client was shown; when the fresh plan differs,
    PanelChanged (409) says how and why, and nothing is booked. Raises BookingConflict when
    the time can no longer be staffed and AlreadyBooked for a second live booking of the same
    offer, council and start.

    An offer that needs approval makes the booking a request (`approval`): the seats are
    written as for any booking, so the panel's time is pencilled in, but no peer is invited;
    the council's Principal Adviser is asked to approve it instead.
    """
    _check_bookable(caller=caller, offer=offer, council=council, start=start)
    start = start.astimezone(UTC)
    try:
        with transaction.atomic():
            seat_writes_serialise()
            existing = _live_duplicate(offer=offer, council=council, start=start)
            if existing is not None:
                raise AlreadyBooked(existing)
            plan = planned_for_booking(
                offer=offer, council=council, start=start, shown=panel, keep=prefer
            )
            booking = Booking.objects.create(
                offer=offer,
                council=council,
                reference=booking_reference_new(offer=offer, at=timezone.now()),
                booked_by=caller.user,
                notes=notes.strip(),
                start=plan.start,
                status=BookingStatus.REQUESTED if offer.needs_approval else BookingStatus.CONFIRMED,
                request_expires_at=request_expiry(timezone.now()) if offer.needs_approval else None,
            )
            sessions = [
                Session.objects.create(
                    offer=offer,
                    booking=booking,
                    number=number,
                    start=t.start,
                    end=t.end,
                    uid=f"{uuid.uuid4()}@{UID_DOMAIN}",
                )
                for number, t in enumerate(plan.times, start=1)
            ]
            seats_write(plan=plan, sessions=sessions)
            if booking.status == BookingStatus.REQUESTED:
                request_letter_queue(booking_id=booking.pk, kind=ASKED)
            else:
                invites.booking_invites_queue(booking=booking)
    except Unstaffable as unstaffable:
        raise conflict_for(unstaffable.plan.explanation, offer=offer, council=council) from None
    except IntegrityError:
        existing = _live_duplicate(offer=offer, council=council, start=start)
        if existing is not None:
            raise AlreadyBooked(existing) from None
        raise _taken_meanwhile(offer=offer, council=council, start=start) from None
    return booking


def _check_manageable(caller: Caller, booking: Booking) -> None:
    rules.require(rules.may_manage_booking(caller, booking), "You cannot change this booking.")
    if booking.status in CLOSED_BOOKING_STATUSES:
        raise ValidationError(
            {"booking": f"This booking is {booking.get_status_display().lower()}."}
        )


def booking_cancel(*, caller: Caller, booking: Booking, reason: str) -> Booking:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the booking is cancelled; the peers are told."})
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        _check_manageable(caller, booking)
        was_requested = booking.status == BookingStatus.REQUESTED
        booking.status = BookingStatus.CANCELLED
        booking.cancel_reason = reason
        booking.save()
        released = booking_time_release(booking)
        invites.booking_cancelled_invites_queue(booking=booking)
        if was_requested:
            request_letter_queue(booking_id=booking.pk, kind=WITHDRAWN)
        others_restaff_queue(released, but=booking.pk)
    return booking


def booking_time_release(booking: Booking) -> list[Seat]:
    """Cancel the booking's sessions (SEQUENCE raised) and withdraw its seats: the peers'
    time is free again. Returns the seats released."""
    for session in booking.sessions.select_for_update():
        session.status = SessionStatus.CANCELLED
        session.sequence += 1
        session.save()
    seats = list(Seat.objects.filter(session__booking=booking, status__in=HOLDING_SEAT_STATUSES))
    for seat in seats:
        seat.status, seat.updated_at = SeatStatus.WITHDRAWN, timezone.now()
    bulk_update_with_history(seats, Seat, ["status", "updated_at"])
    return seats


def others_restaff_queue(released: list[Seat], *, but: int) -> None:
    """Peers released by a cancelled or ended booking may fill another booking's unfilled seat
    at a time near theirs: re-staff those bookings in the worker (`booking_restaff`)."""
    times = [(s.session.start, s.session.end) for s in released if s.peer_id is not None]
    if not times:
        return
    for booking_id in unfilled_bookings_near(times=times, but=but):
        booking_restaff_queue(booking_id=booking_id)


def booking_seats_replace(*, booking: Booking, plan: PanelPlan, sessions: list[Session]) -> None:
    """Seat a fresh plan on a booking's sessions (moving it, approving it): its holding seats
    are withdrawn, then the plan written, a peer kept on a seat keeping their answer."""
    seats = list(Seat.objects.filter(session__booking=booking, status__in=HOLDING_SEAT_STATUSES))
    previous = {seat: seat.status for seat in seats}
    Seat.objects.filter(pk__in=[s.pk for s in seats]).update(status=SeatStatus.WITHDRAWN)
    seats_write(plan=plan, sessions=sessions, previous=previous)


def _refuse_same_time(booking: Booking, start: datetime) -> None:
    first = booking.sessions.order_by("number").first()
    if first is not None and first.start == start:
        raise ValidationError({"start": "The booking is already at that time."})


def booking_reschedule(
    *,
    caller: Caller,
    booking: Booking,
    start: datetime,
    panel: list[tuple[str, int]] | None = None,
) -> Booking:
    """Move a booking to `start`, seating the panel the slot search shows for the move (its
    current peers kept where the new time allows). `panel` as for `booking_create`."""
    _check_manageable(caller, booking)
    if start.tzinfo is not None:
        _refuse_same_time(booking, start)
    offer, council = booking.offer, booking.council
    _check_bookable(caller=caller, offer=offer, council=council, start=start)
    start = start.astimezone(UTC)
    try:
        with transaction.atomic():
            seat_writes_serialise()
            booking = Booking.objects.select_for_update().get(pk=booking.pk)
            _check_manageable(caller, booking)
            _refuse_same_time(booking, start)
            existing = _live_duplicate(
                offer=offer, council=council, start=start, other_than=booking.pk
            )
            if existing is not None:
                raise AlreadyBooked(existing)
            sessions = list(booking.sessions.order_by("number"))
            plan = planned_for_booking(
                offer=offer,
                council=council,
                start=start,
                shown=panel,
                keep=booking_keep(booking),
                ignore_booking_id=booking.pk,
            )
            for session, t in zip(sessions, plan.times, strict=True):
                session.start, session.end = t.start, t.end
                session.sequence += 1
                session.save()
            booking.start = plan.start
            booking.save(update_fields=["start", "updated_at"])
            booking_seats_replace(booking=booking, plan=plan, sessions=sessions)
            if booking.status == BookingStatus.CONFIRMED:
                invites.booking_invites_queue(booking=booking)
            # A request moved stays a request: its new time is pencilled in, still uninvited.
    except Unstaffable as unstaffable:
        raise conflict_for(unstaffable.plan.explanation, offer=offer, council=council) from None
    except IntegrityError:
        existing = _live_duplicate(offer=offer, council=council, start=start)
        if existing is not None and existing.pk != booking.pk:
            raise AlreadyBooked(existing) from None
        raise _taken_meanwhile(offer=offer, council=council, start=start) from None
    return booking


def session_joining_url_set(*, caller: Caller, session: Session, joining_url: str) -> Session:
    """Set (or clear) the online meeting's joining link; everyone concerned is sent an update."""
    joining_url = (joining_url or "").strip()
    if joining_url:
        try:
            URLValidator(schemes=["https", "http"])(joining_url)
        except ValidationError:
            raise ValidationError(
                {"joining_url": "Enter the full link, starting https://"}
            ) from None
    with transaction.atomic():
        session = (
            Session.objects.select_for_update(of=("self",))
            .select_related("booking__council")
            .get(pk=session.pk)
        )
        rules.require(rules.may_change_session(caller, session), "You cannot change this session.")
        if session.status == SessionStatus.CANCELLED:
            raise ValidationError({"joining_url": "This session is cancelled."})
        if session.joining_url == joining_url:
            return session
        session.joining_url = joining_url
        session.sequence += 1
        session.save(update_fields=["joining_url", "sequence", "updated_at"])
        invites.session_updated_invites_queue(session=session)
    return session


def booking_joining_url_set(*, caller: Caller, booking: Booking, joining_url: str) -> list[Session]:
    """One joining link for every session of the booking still to come, each set (and its
    update sent) by `session_joining_url_set`; all or none."""
    sessions = series_sessions_ahead(booking.pk)
    if not sessions:
        raise ValidationError({"joining_url": "This booking has no session still to come."})
    with transaction.atomic():
        return [
            session_joining_url_set(caller=caller, session=session, joining_url=joining_url)
            for session in sessions
        ]

"""Writes about bookings: book, move, cancel, and a session's joining link.

Booking and moving seat exactly the panel the slot search showed for the time (`panels`:
`panel_plan`, then `seats_write`). A client that sends the panel it was shown learns when the
world changed in between: a 409 with the fresh panel and, per changed seat, why; nothing is
swapped silently. Without it the fresh plan is booked.

Booking is safe under concurrency: every transaction that writes seats is serialised
(`panels.seat_writes_serialise`: SQLite's BEGIN IMMEDIATE, PostgreSQL's advisory lock), plans
inside the lock, and PostgreSQL also refuses overlapping held ranges of one peer in the
database (an exclusion constraint). One live booking per offer, council and start: checked
here and enforced by a conditional unique constraint.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from peers.models import Council, Peer
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
from sessions.panels import (
    PanelPlan,
    SeatChange,
    booking_keep,
    offer_format,
    panel_plan,
    plan_changes,
    seat_writes_serialise,
    seats_write,
    staffable_starts,
)
from sessions.references import booking_reference_new
from sessions.selectors import panel_out, peer_brief
from sessions.selectors.series import series_sessions_ahead
from sessions.services import invites
from sessions.services.approval import (
    ASKED,
    EXPIRED,
    REJECTED,
    WITHDRAWN,
    request_expiry,
    request_letter_queue,
)
from sessions.services.restaff_queue import booking_restaff_queue, unfilled_bookings_near

ALTERNATIVES = 5


class BookingConflict(Refusal):
    """The time can no longer be staffed (409): why, and other times that can."""

    def __init__(self, detail: str, *, reasons: list[str] = (), alternatives: list[datetime] = ()):
        super().__init__(detail, status=409)
        self.reasons = list(reasons)
        self.alternatives = list(alternatives)

    def body(self) -> dict:
        return {
            "detail": self.detail,
            "reasons": self.reasons,
            "alternatives": [t.isoformat() for t in self.alternatives],
        }


class PanelChanged(Refusal):
    """The panel the client was shown is not the one booking the time would now seat (409)."""

    def __init__(self, plan: PanelPlan, changes: list[SeatChange]):
        super().__init__(
            "The panel for that time has changed since it was shown: check the new panel and "
            "book again to accept it.",
            status=409,
        )
        self.start = plan.start
        self.changes = changes
        peers = {peer.id: peer for peer in plan.pool.peers} if plan.pool else {}
        wanted = {c.shown_peer_id for c in changes} - set(peers) - {None}
        peers |= {
            p.id: p for p in Peer.objects.filter(pk__in=wanted).select_related("home_council")
        }
        self.panel = panel_out(plan.panel(), peers)
        self.change_rows = seat_change_rows(plan, changes)

    def body(self) -> dict:
        return {
            "detail": self.detail,
            "start": self.start.isoformat(),
            "panel": self.panel,
            "changes": self.change_rows,
        }


def seat_change_rows(plan: PanelPlan, changes: list[SeatChange]) -> list[dict]:
    """Each changed seat as the API shows it: role, the peer shown, the peer now, and why."""
    peers = {peer.id: peer for peer in plan.pool.peers} if plan.pool else {}
    wanted = {c.shown_peer_id for c in changes} | {c.peer_id for c in changes}
    wanted -= set(peers) | {None}
    peers |= {p.id: p for p in Peer.objects.filter(pk__in=wanted).select_related("home_council")}
    return [
        {
            "role": change.role,
            "shown": peer_brief(peers[change.shown_peer_id]) if change.shown_peer_id else None,
            "now": peer_brief(peers[change.peer_id]) if change.peer_id else None,
            "why": change.why,
        }
        for change in changes
    ]


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


def _conflict(explanation: StartExplanation, *, offer: Offer, council: Council) -> BookingConflict:
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


class _Unstaffable(Exception):
    def __init__(self, plan: PanelPlan):
        super().__init__()
        self.plan = plan


def _planned(
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
        raise _Unstaffable(plan)
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
) -> Booking:
    """Book `offer` for `council` at `start`, seating the panel the slot search shows for it.

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
            plan = _planned(offer=offer, council=council, start=start, shown=panel)
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
    except _Unstaffable as unstaffable:
        raise _conflict(unstaffable.plan.explanation, offer=offer, council=council) from None
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
        released = _time_release(booking)
        invites.booking_cancelled_invites_queue(booking=booking)
        if was_requested:
            request_letter_queue(booking_id=booking.pk, kind=WITHDRAWN)
        _others_restaff_queue(released, but=booking.pk)
    return booking


def _time_release(booking: Booking) -> list[Seat]:
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


def _others_restaff_queue(released: list[Seat], *, but: int) -> None:
    """Peers released by a cancelled or ended booking may fill another booking's unfilled seat
    at a time near theirs: re-staff those bookings in the worker (`booking_restaff`)."""
    times = [(s.session.start, s.session.end) for s in released if s.peer_id is not None]
    if not times:
        return
    for booking_id in unfilled_bookings_near(times=times, but=but):
        booking_restaff_queue(booking_id=booking_id)


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
            plan = _planned(
                offer=offer,
                council=council,
                start=start,
                shown=panel,
                keep=booking_keep(booking),
                ignore_booking_id=booking.pk,
            )
            seats = list(
                Seat.objects.filter(session__booking=booking, status__in=HOLDING_SEAT_STATUSES)
            )
            previous = {seat: seat.status for seat in seats}
            Seat.objects.filter(pk__in=[s.pk for s in seats]).update(status=SeatStatus.WITHDRAWN)
            for session, t in zip(sessions, plan.times, strict=True):
                session.start, session.end = t.start, t.end
                session.sequence += 1
                session.save()
            booking.start = plan.start
            booking.save(update_fields=["start", "updated_at"])
            seats_write(plan=plan, sessions=sessions, previous=previous)
            if booking.status == BookingStatus.CONFIRMED:
                invites.booking_invites_queue(booking=booking)
            # A request moved stays a request: its new time is pencilled in, still uninvited.
    except _Unstaffable as unstaffable:
        raise _conflict(unstaffable.plan.explanation, offer=offer, council=council) from None
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


# Requests for approval -------------------------------------------------------------------------


class RequestClosed(Refusal):
    """The request was decided already, or has ended (409): nothing is changed."""

    def __init__(self, booking: Booking):
        done = {
            BookingStatus.CONFIRMED: "already approved",
            BookingStatus.REJECTED: "already declined",
            BookingStatus.EXPIRED: "expired: its time was released",
            BookingStatus.CANCELLED: "cancelled",
        }.get(booking.status, booking.get_status_display().lower())
        super().__init__(f"This request is {done}.", status=409, booking_status=booking.status)


def _check_decidable(caller: Caller | None, booking: Booking, *, now: datetime) -> None:
    if caller is not None:
        rules.require(
            rules.may_decide_request(caller, booking),
            f"Only {booking.council.name}'s Principal Adviser or the LGA can decide this request.",
        )
    if booking.status != BookingStatus.REQUESTED:
        raise RequestClosed(booking)
    if booking.request_expires_at is not None and booking.request_expires_at <= now:
        raise Refusal(
            "This request has run out of time: its time is being released. The council can "
            "ask again.",
            status=409,
            booking_status=BookingStatus.EXPIRED,
        )


def _decided(booking: Booking, caller: Caller | None, by: str, now: datetime) -> None:
    if caller is not None and caller.user.is_authenticated:
        by = caller.user.get_full_name() or caller.user.get_username()
    else:
        booking._history_actor = by
    booking.decided_at, booking.decided_by = now, by[:200]


@dataclass(frozen=True)
class Approval:
    booking: Booking
    changes: list[dict]  # the seats planned again, each with why (see seat_change_rows)


def booking_approve(*, caller: Caller | None, booking: Booking, by: str = "") -> Approval:
    """Approve a request: plan its panel again (the pencilled seats kept where their peers are
    still free and eligible; any other seat planned afresh, and said why), then invite the
    peers as for any booking. `caller` None: a signed link from the approval e-mail, `by`
    saying whose. Raises RequestClosed (409) unless it is waiting, BookingConflict (409) when
    the time can no longer be staffed, PermissionDenied for anyone but the council's adviser
    or staff."""
    now = timezone.now()
    with transaction.atomic():
        seat_writes_serialise()
        booking = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("offer", "council")
            .get(pk=booking.pk)
        )
        _check_decidable(caller, booking, now=now)
        keep = booking_keep(booking)
        pencilled = [(role, peer_id) for (role, _), peer_id in sorted(keep.items())]
        try:
            plan = _planned(
                offer=booking.offer,
                council=booking.council,
                start=booking.start,
                shown=None,
                keep=keep,
                ignore_booking_id=booking.pk,
            )
        except _Unstaffable as unstaffable:
            raise _conflict(
                unstaffable.plan.explanation, offer=booking.offer, council=booking.council
            ) from None
        changes = seat_change_rows(plan, plan_changes(plan, pencilled))
        sessions = list(booking.sessions.order_by("number"))
        seats = list(
            Seat.objects.filter(session__booking=booking, status__in=HOLDING_SEAT_STATUSES)
        )
        previous = {seat: seat.status for seat in seats}
        Seat.objects.filter(pk__in=[s.pk for s in seats]).update(status=SeatStatus.WITHDRAWN)
        seats_write(plan=plan, sessions=sessions, previous=previous)
        booking.status = BookingStatus.CONFIRMED
        _decided(booking, caller, by, now)
        booking.save()
        invites.booking_invites_queue(booking=booking)
    return Approval(booking=booking, changes=changes)


def booking_reject(
    *, caller: Caller | None, booking: Booking, reason: str, by: str = ""
) -> Booking:
    """Decline a request: its time is released and the booker is told why. `caller` and `by`
    as for `booking_approve`."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the request is declined; the council is told."})
    now = timezone.now()
    with transaction.atomic():
        booking = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("council")
            .get(pk=booking.pk)
        )
        _check_decidable(caller, booking, now=now)
        booking.status = BookingStatus.REJECTED
        booking.decision_reason = reason
        _decided(booking, caller, by, now)
        booking.save()
        released = _time_release(booking)
        request_letter_queue(booking_id=booking.pk, kind=REJECTED)
        _others_restaff_queue(released, but=booking.pk)
    return booking


def requests_expire(*, now: datetime | None = None) -> list[int]:
    """Release the time of every request not decided by its expiry, and tell the booker and
    the adviser. Safe to repeat: an expired request is no longer waiting."""
    now = now or timezone.now()
    due = list(
        Booking.objects.filter(
            status=BookingStatus.REQUESTED, request_expires_at__lte=now
        ).values_list("pk", flat=True)
    )
    expired = []
    for booking_id in due:
        with transaction.atomic():
            booking = Booking.objects.select_for_update().filter(pk=booking_id).first()
            if booking is None or booking.status != BookingStatus.REQUESTED:
                continue
            booking.status = BookingStatus.EXPIRED
            booking._history_actor = "The service (the request ran out of time)"
            booking.save()
            released = _time_release(booking)
            request_letter_queue(booking_id=booking.pk, kind=EXPIRED)
            _others_restaff_queue(released, but=booking.pk)
        expired.append(booking_id)
    return expired


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

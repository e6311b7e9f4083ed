"""Deciding requests for approval: approve (the plan checked again, the peers invited),
decline, and expire the requests not decided in time. Each releases or seats the request's time
as a booking does (`bookings`); the links and letters about requests are `approval_letters`.
Approving plans and writes seats, so it takes the seat writes' lock; declining and expiring only
withdraw seats (see `bookings`)."""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from peers.selectors import Caller
from scheduling.engine.refusals import Refusal
from sessions import rules
from sessions.models import Booking, BookingStatus
from sessions.seat_plan import SeatChange, booking_keep, plan_changes, seat_writes_serialise
from sessions.services import invites
from sessions.services.approval_letters import EXPIRED, REJECTED, request_letter_queue
from sessions.services.bookings import (
    Unstaffable,
    booking_seats_replace,
    booking_time_release,
    conflict_for,
    others_restaff_queue,
    planned_for_booking,
)


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
    changes: list[SeatChange]  # the seats planned again, each with why


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
            plan = planned_for_booking(
                offer=booking.offer,
                council=booking.council,
                start=booking.start,
                shown=None,
                keep=keep,
                ignore_booking_id=booking.pk,
            )
        except Unstaffable as unstaffable:
            raise conflict_for(
                unstaffable.plan.explanation, offer=booking.offer, council=booking.council
            ) from None
        changes = plan_changes(plan, pencilled)
        sessions = list(booking.sessions.order_by("number"))
        booking_seats_replace(booking=booking, plan=plan, sessions=sessions)
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
        released = booking_time_release(booking)
        request_letter_queue(booking_id=booking.pk, kind=REJECTED)
        others_restaff_queue(released, but=booking.pk)
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
            released = booking_time_release(booking)
            request_letter_queue(booking_id=booking.pk, kind=EXPIRED)
            others_restaff_queue(released, but=booking.pk)
        expired.append(booking_id)
    return expired

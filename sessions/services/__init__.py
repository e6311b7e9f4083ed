"""Writes about bookings, sessions and seats.

Booking is safe under concurrency: every booking transaction is serialised (SQLite takes its
write lock at BEGIN IMMEDIATE; PostgreSQL takes an advisory lock), re-checks staffability
inside the lock, and PostgreSQL also refuses overlapping holds of one peer in the database
(an exclusion constraint on each seat's held time range).
"""

import uuid
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from peers.models import Council
from peers.selectors import Caller
from scheduling.engine.matching import MatchProblem, MatchResult, SeatKey, SessionToStaff, match
from scheduling.engine.refusals import Refusal
from scheduling.engine.staffing import StartExplanation, booking_rule_problems, session_times
from sessions.models import (
    HOLDING_SEAT_STATUSES,
    Booking,
    BookingStatus,
    Offer,
    OfferStatus,
    Seat,
    SeatStatus,
    Session,
    SessionStatus,
)
from sessions.selectors import (
    PeerPool,
    council_profile,
    offer_format,
    staffable_starts,
    start_explanation,
)
from sessions.services import invites

BOOKING_LOCK = 7_401_001  # PostgreSQL advisory lock key that serialises booking writes
UID_DOMAIN = "peers.local.gov.uk"
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


def _serialise_bookings() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [BOOKING_LOCK])
    # SQLite: the transaction began with BEGIN IMMEDIATE and already holds the write lock.


def _check_bookable(*, caller: Caller, offer: Offer, council: Council, start: datetime) -> None:
    if not caller.may_act_for(council):
        raise PermissionDenied(f"You cannot book for {council.name}.")
    if offer.is_webinar:
        raise ValidationError({"offer": "Webinars are not booked: councillors register for them."})
    if offer.status != OfferStatus.AVAILABLE:
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


def _match(
    *,
    offer: Offer,
    council: Council,
    pool: PeerPool,
    times,
    series_id: str,
    session_ids: list,
    current: dict | None = None,
    declined: frozenset = frozenset(),
) -> MatchResult:
    fmt = offer_format(offer)
    sessions = tuple(
        SessionToStaff(
            id=session_id,
            start=t.start,
            end=t.end,
            council=council_profile(council),
            roles=fmt.roles,
            conflict_same_region=fmt.conflict_same_region,
            series_id=series_id if fmt.series_same_peers else None,
        )
        for session_id, t in zip(session_ids, times, strict=True)
    )
    problem = MatchProblem(
        peers=pool.profiles,
        sessions=sessions,
        availability={s.id: pool.free_for(s.start, s.end) for s in sessions},
        existing_load=pool.loads,
        held=pool.held,
        current=current or {},
        declined=declined,
    )
    return match(problem)


def _seat_rows(
    session: Session, result: MatchResult, buffers: dict[int, int], session_key
) -> list[Seat]:
    by_seat = {a.seat: a for a in result.assignments}
    rows = []
    for role in offer_format(session.offer).roles:
        for position in range(role.count):
            key = SeatKey(session_key, role.name, position)
            assignment = by_seat.get(key)
            if assignment is None:
                continue
            rows.append(
                Seat(
                    session=session,
                    role_name=role.name,
                    position=position,
                    peer_id=assignment.peer_id,
                    status=SeatStatus.PROPOSED,
                    held_from=session.start,
                    held_until=session.end + timedelta(minutes=buffers[assignment.peer_id]),
                    fit=_fit_json(assignment.fit),
                    runner_up=(
                        {
                            "peer_id": assignment.runner_up.peer_id,
                            "fit": _fit_json(assignment.runner_up.fit),
                        }
                        if assignment.runner_up
                        else {}
                    ),
                )
            )
    return rows


def _fit_json(fit) -> dict:
    return {
        "skill": fit.skill,
        "seniority": fit.seniority,
        "experience": fit.experience,
        "lead": fit.lead,
        "total": fit.total,
    }


def booking_create(
    *, caller: Caller, offer: Offer, council: Council, start: datetime, notes: str = ""
) -> Booking:
    """Book `offer` for `council` at `start` with an optimal panel, or raise BookingConflict."""
    _check_bookable(caller=caller, offer=offer, council=council, start=start)
    explanation = None
    try:
        with transaction.atomic():
            _serialise_bookings()
            explanation, pool = start_explanation(offer=offer, council=council, start=start)
            if not explanation.staffable:
                raise _Unstaffable()
            times = session_times(offer_format(offer), start)
            keys = list(range(len(times)))
            result = _match(
                offer=offer,
                council=council,
                pool=pool,
                times=times,
                series_id="new",
                session_ids=keys,
            )
            if result.unfilled:
                raise _Unstaffable()
            booking = Booking.objects.create(
                offer=offer, council=council, booked_by=caller.user, notes=notes.strip()
            )
            buffers = {peer.id: peer.buffer_minutes for peer in pool.peers}
            for number, (key, t) in enumerate(zip(keys, times, strict=True), start=1):
                session = Session.objects.create(
                    offer=offer,
                    booking=booking,
                    number=number,
                    start=t.start,
                    end=t.end,
                    uid=f"{uuid.uuid4()}@{UID_DOMAIN}",
                )
                Seat.objects.bulk_create(_seat_rows(session, result, buffers, key))
            invites.booking_invites_queue(booking=booking)
    except _Unstaffable:
        raise _conflict(explanation, offer=offer, council=council) from None
    except IntegrityError:
        raise _taken_meanwhile(offer=offer, council=council, start=start) from None
    return booking


class _Unstaffable(Exception):
    pass


def _check_manageable(caller: Caller, booking: Booking) -> None:
    if not caller.may_act_for(booking.council):
        raise PermissionDenied("You cannot change this booking.")
    if booking.status == BookingStatus.CANCELLED:
        raise ValidationError({"booking": "This booking is cancelled."})


def booking_cancel(*, caller: Caller, booking: Booking, reason: str) -> Booking:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the booking is cancelled; the peers are told."})
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        _check_manageable(caller, booking)
        booking.status = BookingStatus.CANCELLED
        booking.cancel_reason = reason
        booking.save()
        for session in booking.sessions.select_for_update():
            session.status = SessionStatus.CANCELLED
            session.sequence += 1
            session.save()
        Seat.objects.filter(session__booking=booking, status__in=HOLDING_SEAT_STATUSES).update(
            status=SeatStatus.WITHDRAWN, updated_at=timezone.now()
        )
        invites.booking_cancelled_invites_queue(booking=booking)
    return booking


def booking_reschedule(*, caller: Caller, booking: Booking, start: datetime) -> Booking:
    """Move a booking to `start`, keeping as many of its peers as the new time allows."""
    _check_manageable(caller, booking)
    offer, council = booking.offer, booking.council
    _check_bookable(caller=caller, offer=offer, council=council, start=start)
    explanation = None
    try:
        with transaction.atomic():
            _serialise_bookings()
            booking = Booking.objects.select_for_update().get(pk=booking.pk)
            _check_manageable(caller, booking)
            sessions = list(booking.sessions.order_by("number"))
            seats = list(
                Seat.objects.filter(session__booking=booking, status__in=HOLDING_SEAT_STATUSES)
            )
            current = {
                SeatKey(s.session_id, s.role_name, s.position): s.peer_id
                for s in seats
                if s.peer_id
            }
            # The booking's own seats must not block its new time: release them first.
            previous_status = {s.pk: s.status for s in seats}
            Seat.objects.filter(pk__in=[s.pk for s in seats]).update(status=SeatStatus.WITHDRAWN)
            explanation, pool = start_explanation(offer=offer, council=council, start=start)
            if not explanation.staffable:
                raise _Unstaffable()
            times = session_times(offer_format(offer), start)
            result = _match(
                offer=offer,
                council=council,
                pool=pool,
                times=times,
                series_id=str(booking.pk),
                session_ids=[s.id for s in sessions],
                current=current,
            )
            if result.unfilled:
                raise _Unstaffable()
            buffers = {peer.id: peer.buffer_minutes for peer in pool.peers}
            old_by_key = {(s.session_id, s.role_name, s.position): s for s in seats}
            for session, t in zip(sessions, times, strict=True):
                session.start, session.end = t.start, t.end
                session.sequence += 1
                session.save()
                for row in _seat_rows(session, result, buffers, session.id):
                    old = old_by_key.get((session.id, row.role_name, row.position))
                    if old is not None and old.peer_id == row.peer_id:
                        # Kept: the same peer, at the new time.
                        old.status = previous_status[old.pk]
                        old.held_from, old.held_until = row.held_from, row.held_until
                        old.fit, old.runner_up = row.fit, row.runner_up
                        old.save()
                    else:
                        row.save()  # the old seat, if any, stays withdrawn as history
            invites.booking_invites_queue(booking=booking)
    except _Unstaffable:
        raise _conflict(explanation, offer=offer, council=council) from None
    except IntegrityError:
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
        if session.booking is None or not caller.may_act_for(session.booking.council):
            raise PermissionDenied("You cannot change this session.")
        if session.status == SessionStatus.CANCELLED:
            raise ValidationError({"joining_url": "This session is cancelled."})
        if session.joining_url == joining_url:
            return session
        session.joining_url = joining_url
        session.sequence += 1
        session.save(update_fields=["joining_url", "sequence", "updated_at"])
        invites.session_updated_invites_queue(session=session)
    return session

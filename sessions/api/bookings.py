from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status

from peers.models import Council
from peers.selectors import caller_for
from sessions import rules, seat_plan, selectors, services
from sessions.api import presenters
from sessions.feedback import selectors as feedback_selectors
from sessions.feedback import services as feedback_services
from sessions.models import Session
from sessions.participants.services import booking_with_participants_create
from sessions.pool import staffable_starts, start_explanation
from sessions.schemas import (
    ApprovalOut,
    BookingFilter,
    BookingIn,
    BookingOut,
    CancelIn,
    ConflictOut,
    ExplainQuery,
    ExplanationOut,
    JoiningLinkIn,
    OfferDetailOut,
    OfferFilter,
    OfferOut,
    ProgressReviewIn,
    RejectIn,
    RescheduleIn,
    SessionOut,
    SlotOut,
    SlotQuery,
)
from sessions.services.bookings import booking_joining_url_set

router = Router(tags=["catalogue"])
JSON = "application/json; charset=utf-8"  # as the API's renderer answers


@router.get("/offers", response=list[OfferOut], auth=None, summary="The catalogue of remote offers")
def offer_list(request, filters: Query[OfferFilter]):
    return selectors.offer_list(
        programme=filters.programme or "",
        status=filters.status or "",
        delivery=filters.delivery or "",
        topic=filters.topic or "",
    )


@router.get("/offers/{slug:slug}", response=OfferDetailOut, auth=None, summary="One offer")
def offer_detail(request, slug: str):
    return selectors.offer_get(slug=slug)


def _caller(request):
    return caller_for(request.user)


def _council(council_id: int) -> Council:
    return get_object_or_404(Council, pk=council_id)


def _shown(panel) -> list[tuple[str, int]] | None:
    return None if panel is None else [(seat.role, seat.peer) for seat in panel]


def _created(caller, booking) -> Status:
    """201 with the booking as its booker reads it (its panel, participants and state)."""
    return Status(
        201,
        presenters.booking_out(
            selectors.booking_get(caller=caller, booking_id=booking.pk), caller=caller
        ),
    )


def _bookable_offer(slug: str):
    return selectors.offer_get(slug=slug)


@router.get(
    "/offers/{slug:slug}/slots",
    response=list[SlotOut],
    summary="Start times at which a complete panel can be staffed, each with a proposed panel",
    description="422 (`type: rule`), the rules the schema cannot state: the end is after the start, within the search's longest range; "
    "a booking to move, or a panel to review, is of this offer and council (and its review is offered).",
)
def slot_list(request, slug: str, query: Query[SlotQuery]):
    offer, council = _bookable_offer(slug), _council(query.council)
    rules.require(
        rules.may_book_for(_caller(request), council), f"You cannot book for {council.name}."
    )
    move = {}
    if query.booking is not None and query.review is not None:
        raise ValidationError({"review": "Give a booking to move or a panel to review, not both."})
    if query.review is not None:
        move = {"keep": _review_prefers(request, query.review, offer=offer, council=council)}
    if query.booking is not None:
        moving = selectors.booking_get(caller=_caller(request), booking_id=query.booking)
        if (moving.offer_id, moving.council_id) != (offer.id, council.id):
            raise ValidationError({"booking": "That booking is of another offer or council."})
        move = {"ignore_booking_id": moving.pk, "keep": seat_plan.booking_keep(moving)}
    starts, pool = staffable_starts(
        offer=offer,
        council=council,
        range_start=query.start,
        range_end=query.end,
        limit=query.limit,
        **move,
    )
    # Hundreds of times: encoded straight from plain text and numbers (as `SlotOut` documents
    # them) rather than validated and converted item by item.
    return JsonResponse(presenters.slots_out(starts, pool), safe=False, content_type=JSON)


def _review_prefers(request, panel_id: int, *, offer, council) -> dict:
    panel = feedback_selectors.review_panel_for(caller=_caller(request), booking_id=panel_id)
    if (panel.offer_id, panel.council_id) != (offer.id, council.id):
        raise ValidationError({"review": "That panel is of another offer or council."})
    if not feedback_selectors.review_offered(panel):
        raise ValidationError(
            {"review": "That panel's progress review is booked already, or not yet offered."}
        )
    return feedback_selectors.review_prefers(panel)


@router.get(
    "/offers/{slug:slug}/slots/explain",
    response=ExplanationOut,
    summary="Whether one start can be staffed, and if not which role slot fails and why",
)
def slot_explain(request, slug: str, query: Query[ExplainQuery]):
    offer, council = _bookable_offer(slug), _council(query.council)
    rules.require(
        rules.may_book_for(_caller(request), council), f"You cannot book for {council.name}."
    )
    explanation, pool = start_explanation(offer=offer, council=council, start=query.start)
    peers = {peer.id: peer for peer in pool.peers}
    return {
        "panel": presenters.panel_out(
            [(role, peer) for role, ids in (explanation.panels or [{}])[0].items() for peer in ids],
            peers,
        ),
        "start": explanation.start,
        "staffable": explanation.staffable,
        "status": explanation.status,
        "reasons": [reason.text for reason in explanation.reasons],
        "sessions": [{"start": s.start, "end": s.end} for s in explanation.sessions],
    }


@router.post(
    "/bookings",
    response={201: BookingOut, 404: None, 409: ConflictOut},
    summary="Book an offer (404: an unknown offer or council)",
    description="422 (`type: rule`), the rules the schema cannot state: the offer can be booked (not a webinar, available today); the "
    "start is to come and keeps the offer's booking rules (notice, horizon, days and hours).",
)
def booking_create(request, payload: BookingIn):
    offer, council = _bookable_offer(payload.offer), _council(payload.council)
    caller = _caller(request)
    booking = booking_with_participants_create(
        caller=caller,
        offer=offer,
        council=council,
        start=payload.start,
        notes=payload.notes,
        panel=_shown(payload.panel),
        participants=[p.dict() for p in payload.participants or ()],
    )
    return _created(caller, booking)


@router.get(
    "/bookings",
    response=list[BookingOut],
    summary="Bookings the caller may see, found by reference or searched with q",
)
def booking_list(request, filters: Query[BookingFilter]):
    caller = _caller(request)
    found = selectors.booking_list(caller=caller, reference=filters.reference, q=filters.q)
    return [presenters.booking_out(b, caller=caller) for b in found]


@router.get("/bookings/{int:booking_id}", response=BookingOut, summary="One booking")
def booking_detail(request, booking_id: int):
    caller = _caller(request)
    return presenters.booking_out(
        selectors.booking_get(caller=caller, booking_id=booking_id), caller=caller
    )


@router.post(
    "/bookings/{int:booking_id}/reschedule",
    response={200: BookingOut, 409: ConflictOut},
    summary="Move a booking; invites follow",
    description="422 (`type: rule`), the rules the schema cannot state: the start is to come, is not the booking's present time, "
    "and keeps the offer's booking rules (notice, horizon, days and hours).",
)
def booking_reschedule(request, booking_id: int, payload: RescheduleIn):
    caller = _caller(request)
    booking = selectors.booking_get(caller=caller, booking_id=booking_id)
    services.booking_reschedule(
        caller=caller, booking=booking, start=payload.start, panel=_shown(payload.panel)
    )
    return presenters.booking_out(
        selectors.booking_get(caller=caller, booking_id=booking_id), caller=caller
    )


@router.post(
    "/bookings/{int:booking_id}/cancel",
    response=BookingOut,
    summary="Cancel a booking; invites follow",
)
def booking_cancel(request, booking_id: int, payload: CancelIn):
    caller = _caller(request)
    booking = selectors.booking_get(caller=caller, booking_id=booking_id)
    services.booking_cancel(caller=caller, booking=booking, reason=payload.reason)
    return presenters.booking_out(
        selectors.booking_get(caller=caller, booking_id=booking_id), caller=caller
    )


@router.get(
    "/requests",
    response=list[BookingOut],
    summary="Requests waiting for approval that the caller decides, oldest first",
)
def request_list(request):
    caller = _caller(request)
    return [
        presenters.booking_out(b, caller=caller) for b in selectors.requests_waiting(caller=caller)
    ]


@router.post(
    "/bookings/{int:booking_id}/approve",
    response={200: ApprovalOut, 409: ConflictOut},
    summary="Approve a request (the council's Principal Adviser, or staff); the peers are invited",
)
def booking_approve(request, booking_id: int):
    caller = _caller(request)
    booking = selectors.booking_get(caller=caller, booking_id=booking_id)
    approval = services.booking_approve(caller=caller, booking=booking)
    out = presenters.booking_out(
        selectors.booking_get(caller=caller, booking_id=booking_id), caller=caller
    )
    return {**out, "changes": presenters.seat_change_rows(approval.changes)}


@router.post(
    "/bookings/{int:booking_id}/reject",
    response={200: BookingOut, 409: None},
    summary="Decline a request (the council's Principal Adviser, or staff); its time is released",
    description="409 when it is no longer a request waiting for a decision (approved, declined, "
    "expired or cancelled), or has run out of time; `booking_status` says which.",
)
def booking_reject(request, booking_id: int, payload: RejectIn):
    caller = _caller(request)
    booking = selectors.booking_get(caller=caller, booking_id=booking_id)
    services.booking_reject(caller=caller, booking=booking, reason=payload.reason)
    return presenters.booking_out(
        selectors.booking_get(caller=caller, booking_id=booking_id), caller=caller
    )


@router.put(
    "/bookings/{int:booking_id}/joining-link",
    response=BookingOut,
    summary="Set or clear one joining link for every session of a booking still to come (a "
    "series); everyone concerned is sent an update for each session",
)
def booking_joining_link(request, booking_id: int, payload: JoiningLinkIn):
    caller = _caller(request)
    booking = selectors.booking_get(caller=caller, booking_id=booking_id)
    booking_joining_url_set(caller=caller, booking=booking, joining_url=payload.joining_url)
    return presenters.booking_out(
        selectors.booking_get(caller=caller, booking_id=booking_id), caller=caller
    )


@router.put(
    "/sessions/{int:session_id}/joining-link",
    response=SessionOut,
    summary="Set or clear a booked session's joining link; everyone concerned is sent an update",
    description="422 (`type: rule`), the rules the schema cannot state: a full http(s) link; the session is not cancelled.",
)
def session_joining_link(request, session_id: int, payload: JoiningLinkIn):
    caller = _caller(request)
    session = get_object_or_404(Session.objects.select_related("booking__council"), pk=session_id)
    services.session_joining_url_set(
        caller=caller, session=session, joining_url=payload.joining_url
    )
    booking = presenters.booking_out(
        selectors.booking_get(caller=caller, booking_id=session.booking_id), caller=caller
    )
    return next(s for s in booking["sessions"] if s["id"] == session_id)


@router.post(
    "/bookings/{int:booking_id}/progress-review",
    response={201: BookingOut, 403: None, 404: None, 409: ConflictOut},
    summary="Book the progress review of a panel: the same offer for the same council, about "
    "ten months on, seating the panel's peers and LGA lead where they are free "
    "(`GET /offers/{slug}/slots?review=` shows the times)",
    description="409: the review is booked already, not yet offered (from nine months after "
    "the panel), or the time can no longer be staffed (with alternatives). 422 (`type: rule`): "
    "the start keeps the offer's booking rules, as `POST /bookings` says.",
)
def progress_review_book(request, booking_id: int, body: ProgressReviewIn):
    caller = _caller(request)
    panel = feedback_selectors.review_panel_for(caller=caller, booking_id=booking_id)
    review = feedback_services.progress_review_book(
        caller=caller,
        panel=panel,
        start=body.start,
        notes=body.notes,
        shown=_shown(body.panel),
        participants=[p.dict() for p in body.participants or ()],
    )
    return _created(caller, review)

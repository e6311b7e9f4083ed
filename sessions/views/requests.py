"""Requests waiting for approval: the adviser's list, deciding from the booking page, and the
page behind the e-mailed approve and decline links (opening it changes nothing; its button
POSTs, as for seat answers)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from peers.forms import add_service_errors, form_write
from peers.selectors import caller_for
from scheduling.engine.refusals import Refusal
from sessions import rules, selectors, services
from sessions.api import presenters
from sessions.forms import DeclineRequestForm
from sessions.models import HOLDING_SEAT_STATUSES, Booking, BookingStatus
from sessions.services import approval_letters as approval
from sessions.services.approval import Approval
from sessions.views.bookings import booking_page


@login_required
def request_list(request):
    caller = caller_for(request.user)
    rules.require(
        rules.may_list_requests(caller), "Only Principal Advisers and LGA staff decide requests."
    )
    waiting = [
        {"booking": booking, "state": selectors.booking_state(booking)}
        for booking in selectors.requests_waiting(caller=caller)
    ]
    return render(request, "sessions/request_list.html", {"requests": waiting})


def _approved_message(outcome: Approval) -> str:
    text = "The request is approved and the peers are invited."
    if outcome.changes:
        text += " Seats planned again: " + "; ".join(
            f"{c['role']}: {c['now']['name'] if c['now'] else 'nobody'} ({c['why']})"
            for c in presenters.seat_change_rows(outcome.changes)
        )
    return text


@login_required
@require_POST
def booking_approve(request, booking_id: int):
    caller = caller_for(request.user)
    booking = selectors.booking_get(caller=caller, booking_id=booking_id)
    try:
        outcome = services.booking_approve(caller=caller, booking=booking)
    except Refusal as refusal:
        messages.error(request, refusal.detail)
    else:
        messages.success(request, _approved_message(outcome))
    return redirect("booking-detail", booking_id=booking_id)


@login_required
@require_POST
def booking_reject(request, booking_id: int):
    caller = caller_for(request.user)
    booking = selectors.booking_get(caller=caller, booking_id=booking_id)
    form = DeclineRequestForm(request.POST)
    if form.is_valid():
        written = form_write(
            form,
            lambda: services.booking_reject(
                caller=caller, booking=booking, reason=form.cleaned_data["reason"]
            ),
        )
        if written.refusal is not None:  # decided meanwhile: the booking page says how
            messages.error(request, written.refusal.detail)
            return redirect("booking-detail", booking_id=booking_id)
        if written.done:
            messages.success(
                request, "The request is declined, its time released; the council is told."
            )
            return redirect("booking-detail", booking_id=booking_id)
    return booking_page(request, booking, decline_form=form)


def request_decide(request, token: str):
    """The page behind an approve or decline link in the adviser's e-mail. The approve link's
    page can decline instead (with the reason a decline needs): the link proves who is
    deciding either way."""
    try:
        ticket = approval.decision_ticket(token)
    except approval.DecisionLinkInvalid as invalid:
        return _decide_page(request, None, None, problem=invalid.message, status=400)
    booking = (
        Booking.objects.select_related("offer", "council__principal_adviser", "booked_by")
        .filter(pk=ticket.booking_id)
        .first()
    )
    if booking is None:
        return _decide_page(request, ticket, None, problem="There is no such request.", status=404)
    form = DeclineRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        approver = approval.request_approver(booking)
        by = f"{approver[1] if approver else 'The approver'}{approval.BY_LINK}"
        declining = not ticket.approve or request.POST.get("decision") == approval.DECLINE
        try:
            if not declining:
                outcome = services.booking_approve(caller=None, booking=booking, by=by)
                return _decide_page(
                    request, ticket, outcome.booking, done=_approved_message(outcome)
                )
            if form.is_valid():
                services.booking_reject(
                    caller=None, booking=booking, reason=form.cleaned_data["reason"], by=by
                )
                return _decide_page(
                    request,
                    ticket,
                    booking,
                    done="The request is declined and its time released; the council is told.",
                    declined=True,
                )
        except ValidationError as error:
            add_service_errors(form, error)
        except Refusal as refusal:
            return _decide_page(request, ticket, booking, problem=refusal.detail, status=409)
        return _decide_page(request, ticket, booking, form=form, status=200)
    if booking.status != BookingStatus.REQUESTED:
        problem = services.RequestClosed(booking).detail
        return _decide_page(request, ticket, booking, problem=problem, status=409)
    return _decide_page(request, ticket, booking, form=form)


def _decide_page(
    request,
    ticket,
    booking: Booking | None,
    *,
    problem="",
    done="",
    form=None,
    status=200,
    declined=False,
):
    if problem:
        heading = "This request cannot be decided here"
    elif done:
        heading = "Request declined" if declined else "Request approved"
    else:
        heading = "Approve this request?" if ticket.approve else "Decline this request?"
    sessions = list(booking.sessions.order_by("number")) if booking is not None else []
    response = render(
        request,
        "sessions/request_decide.html",
        {
            "heading": heading,
            "ticket": ticket,
            "booking": booking,
            "state": selectors.booking_state(booking) if booking is not None else "",
            "sessions": sessions,
            "panel": [
                seat
                for seat in (
                    sessions[0].seats.select_related("peer").order_by("id") if sessions else []
                )
                if seat.status in HOLDING_SEAT_STATUSES
            ],
            "problem": problem,
            "done": done,
            "form": form,
            "invalid": form if form is not None and form.errors else None,
        },
        status=status,
    )
    add_never_cache_headers(response)
    return response


urlpatterns = [
    path("requests/", request_list, name="request-list"),
    path("requests/decide/<str:token>/", request_decide, name="request-decide"),
    path("bookings/<int:booking_id>/approve/", booking_approve, name="booking-approve"),
    path("bookings/<int:booking_id>/reject/", booking_reject, name="booking-reject"),
]

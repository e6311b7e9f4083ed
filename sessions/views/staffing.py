"""Staff step in from the booking page: choose the peer for a seat."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path

from peers.selectors import caller_for
from scheduling.engine.refusals import Refusal
from sessions import selectors
from sessions.models import Seat
from sessions.services import seat_assignment


class AssignForm(forms.Form):
    peer = forms.TypedChoiceField(
        coerce=int,
        label="Who takes the seat?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a peer for the seat."},
    )


@login_required
def seat_assign(request, seat_id: int):
    caller = caller_for(request.user)
    if not caller.is_staff:
        raise PermissionDenied("Only LGA staff choose a peer by hand.")
    seat = get_object_or_404(Seat.objects.select_related("session__booking"), pk=seat_id)
    try:
        choice = seat_assignment.seat_choice(caller=caller, seat=seat)
    except Refusal as refusal:
        messages.error(request, refusal.detail)
        return redirect("booking-detail", booking_id=seat.session.booking_id)
    rows = [selectors.candidate_out(c) for c in choice.candidates]
    form = AssignForm(request.POST if request.method == "POST" else None)
    form.fields["peer"].choices = [
        (r["peer"]["id"], r["peer"]["name"]) for r in rows if r["eligible"]
    ]
    if request.method == "POST" and form.is_valid():
        try:
            seat_assignment.seat_assign(caller=caller, seat=seat, peer_id=form.cleaned_data["peer"])
        except Refusal as refusal:
            form.add_error("peer", refusal.detail)
        else:
            name = next(
                r["peer"]["name"] for r in rows if r["peer"]["id"] == form.cleaned_data["peer"]
            )
            messages.success(request, f"{name} is seated and invited.")
            return redirect("booking-detail", booking_id=seat.session.booking_id)
    return render(
        request,
        "sessions/seat_assign.html",
        {
            "seat": choice.seat,
            "booking": choice.seat.session.booking,
            "eligible": [r for r in rows if r["eligible"]],
            "not_eligible": [r for r in rows if not r["eligible"]],
            "form": form,
            "invalid": form if form.errors else None,
        },
    )


urlpatterns = [path("seats/<int:seat_id>/assign/", seat_assign, name="seat-assign")]

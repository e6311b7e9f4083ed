"""Staff step in from the booking page: choose the peer for a seat."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path

from peers.selectors import caller_for
from scheduling.engine.refusals import Refusal
from sessions import rules
from sessions.api import presenters
from sessions.models import Seat
from sessions.selectors.candidates import candidates_matching
from sessions.services import seat_assignment


class AssignForm(forms.Form):
    peer = forms.TypedChoiceField(
        coerce=int,
        label="Who takes the seat?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a peer for the seat."},
    )


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search peers by name, council or skill",
        required=False,
        max_length=100,
        strip=True,
        error_messages={"max_length": "Search must be 100 characters or fewer."},
    )


# Without a search, the page lists the best eligible peers first and links to the rest, so it
# stays a few screens long on a phone.
FIRST_SHOWN = 15


@login_required
def seat_assign(request, seat_id: int):
    caller = caller_for(request.user)
    rules.require(rules.may_assign_seat(caller), "Only LGA staff choose a peer by hand.")
    seat = get_object_or_404(Seat.objects.select_related("session__booking"), pk=seat_id)
    try:
        choice = seat_assignment.seat_choice(caller=caller, seat=seat)
    except Refusal as refusal:
        messages.error(request, refusal.detail)
        return redirect("booking-detail", booking_id=seat.session.booking_id)
    search = SearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    eligible = [c for c in choice.candidates if c.eligible]
    form = AssignForm(request.POST if request.method == "POST" else None)
    # Every eligible peer may be chosen, whether or not the search shows them.
    form.fields["peer"].choices = [(c.peer.id, c.peer.name) for c in eligible]
    found = candidates_matching(choice.candidates, query)
    shown = [presenters.candidate_out(c) for c in found if c.eligible]
    showing_all = bool(query) or request.GET.get("all") == "1"
    if not showing_all:
        shown = shown[:FIRST_SHOWN]
    if request.method == "POST" and form.is_valid():
        try:
            seat_assignment.seat_assign(caller=caller, seat=seat, peer_id=form.cleaned_data["peer"])
        except Refusal as refusal:
            form.add_error("peer", refusal.detail)
        else:
            name = next(c.peer.name for c in eligible if c.peer.id == form.cleaned_data["peer"])
            messages.success(request, f"{name} is seated and invited.")
            return redirect("booking-detail", booking_id=seat.session.booking_id)
    return render(
        request,
        "sessions/seat_assign.html",
        {
            "seat": choice.seat,
            "booking": choice.seat.session.booking,
            "eligible": shown,
            "eligible_count": len(eligible),
            "eligible_found": sum(1 for c in found if c.eligible),
            "not_eligible": [presenters.candidate_out(c) for c in found if not c.eligible],
            "not_eligible_count": sum(1 for c in choice.candidates if not c.eligible),
            "query": query,
            "search": search,
            "showing_all": showing_all,
            "first_shown": FIRST_SHOWN,
            "form": form,
            "invalid": form if form.errors else (search if search.errors else None),
        },
    )


urlpatterns = [path("seats/<int:seat_id>/assign/", seat_assign, name="seat-assign")]

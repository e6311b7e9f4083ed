"""The learning pages: a seat's peer gives points (signed in from My sessions, or by the signed
link of their ask), a point's page (changed by whoever gave it, its wording checked by the
LGA lead), the booker's agreement to be named, a booking's points, and the library. Every read
asks the rules (rules.py); a point the reader may not read is answered 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from peers.forms import form_write
from peers.selectors import caller_for
from scheduling.engine.refusals import Refusal
from sessions.learning import links, selectors, services
from sessions.learning.forms import VISIBILITY_HINTS, LibraryForm, PointForm
from sessions.learning.models import Visibility
from sessions.learning.rules import (
    may_agree_to_naming,
    may_check_wording,
    may_give_learning,
    may_read_panel_points,
    may_see_council,
    require,
)
from sessions.models import Booking, Seat
from sessions.session_words import session_title, session_when


def _seat(seat_id: int) -> Seat:
    return get_object_or_404(
        Seat.objects.select_related("peer", "session__offer", "session__booking__council"),
        pk=seat_id,
    )


def _give_page(request, seat: Seat, *, caller=None, token: str = ""):
    form = PointForm(request.POST or None)
    is_open = selectors.learning_open(seat)
    if (
        request.method == "POST"
        and form.is_valid()
        and form_write(
            form,
            lambda: services.point_give(
                seat=seat, words=form.words(), caller=caller, actor="" if caller else seat.peer.name
            ),
        ).done
    ):
        messages.success(request, "Your learning point is saved. You can add another.")
        here = (
            reverse("learning-ask", args=[token])
            if token
            else reverse("learning-seat", args=[seat.pk])
        )
        return redirect(here)
    response = render(
        request,
        "sessions/learning/give.html",
        {
            "seat": seat,
            "title": session_title(seat.session),
            "when": session_when(seat.session, zone=seat.peer.time_zone if seat.peer else None),
            "points": [
                (point, selectors.status_text(point)) for point in selectors.seat_points(seat)
            ],
            "form": form,
            "hints": VISIBILITY_HINTS,
            "is_open": is_open,
            "signed_in": caller is not None,
        },
    )
    if token:
        add_never_cache_headers(response)  # the link is the peer's proof: keep it out of caches
    return response


@login_required
def seat_learning(request, seat_id: int):
    caller = caller_for(request.user)
    seat = _seat(seat_id)
    if not may_give_learning(caller, seat):
        raise Http404("No such seat.")
    return _give_page(request, seat, caller=caller)


def ask_learning(request, token: str):
    try:
        seat_id = links.ask_seat_id(token)
    except links.LinkInvalid as invalid:
        return render(
            request,
            "sessions/learning/link_problem.html",
            {"problem": invalid.message},
            status=410 if invalid.expired else 400,
        )
    return _give_page(request, _seat(seat_id), token=token)


@login_required
def point_detail(request, point_id: int):
    caller = caller_for(request.user)
    point = selectors.point_get(caller=caller, point_id=point_id)
    is_author = may_give_learning(caller, point.seat)
    form = None
    if is_author:
        form = PointForm(
            request.POST or None,
            initial={
                f: getattr(point, f) for f in ("theme", "doing", "why", "elsewhere", "visibility")
            },
        )
        if (
            request.method == "POST"
            and form.is_valid()
            and form_write(
                form, lambda: services.point_change(point=point, words=form.words(), caller=caller)
            ).done
        ):
            messages.success(request, "Your learning point is changed.")
            return redirect("learning-point", point_id=point.pk)
    elif request.method == "POST":
        require(False, "Only whoever gave a point can change it.")
    return render(
        request,
        "sessions/learning/point.html",
        {
            "point": point,
            "status": selectors.status_text(point),
            # The council is named only to those who may know it (not the library's readers
            # of an anonymous point).
            "title": session_title(point.seat.session) if may_see_council(caller, point) else "",
            "form": form,
            "hints": VISIBILITY_HINTS,
            "may_check": selectors.awaiting_check(point) and may_check_wording(caller, point),
            "may_agree": selectors.awaiting_agreement(point) and may_agree_to_naming(caller, point),
            "may_see_booking": may_see_council(caller, point)
            and may_read_panel_points(caller, point.booking),
        },
    )


@login_required
@require_POST
def point_check(request, point_id: int):
    caller = caller_for(request.user)
    point = selectors.point_get(caller=caller, point_id=point_id)
    try:
        services.point_check(point=point, caller=caller)
    except Refusal as refused:
        messages.error(request, refused.detail)
    else:
        messages.success(request, "The wording is checked: the point is in the learning library.")
    return redirect("learning-point", point_id=point.pk)


@login_required
def point_agree(request, point_id: int):
    """The page that shows the booker exactly what the library would publish, and their
    agreement to it."""
    caller = caller_for(request.user)
    point = selectors.point_get(caller=caller, point_id=point_id)
    require(
        may_agree_to_naming(caller, point),
        "Only the council's bookers can agree to the council being named.",
    )
    if request.method == "POST":
        try:
            services.point_agree(point=point, caller=caller)
        except Refusal as refused:
            messages.error(request, refused.detail)
        else:
            messages.success(request, "Thank you: the point is in the learning library.")
        return redirect("learning-point", point_id=point.pk)
    return render(
        request,
        "sessions/learning/agree.html",
        {
            "point": point,
            "item": selectors.library_item(point),
            "waiting": selectors.awaiting_agreement(point),
        },
    )


@login_required
def booking_learning(request, booking_id: int):
    caller = caller_for(request.user)
    booking = get_object_or_404(Booking.objects.select_related("council", "offer"), pk=booking_id)
    if not may_read_panel_points(caller, booking):
        raise Http404("No such booking.")
    points = selectors.booking_points(caller=caller, booking=booking)
    return render(
        request,
        "sessions/learning/booking_points.html",
        {
            "booking": booking,
            "points": [
                (
                    point,
                    selectors.status_text(point),
                    selectors.awaiting_agreement(point) and may_agree_to_naming(caller, point),
                )
                for point in points
            ],
        },
    )


@login_required
def library(request):
    caller = caller_for(request.user)
    form = LibraryForm(request.GET or None)
    filters = (
        selectors.LibraryFilters(**form.cleaned_data)
        if form.is_bound and form.is_valid()
        else selectors.LibraryFilters()
    )
    found = selectors.library_search(caller=caller, filters=filters)
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    start = (page - 1) * selectors.LIBRARY_PAGE
    rows = list(found[start : start + selectors.LIBRARY_PAGE + 1])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "sessions/learning/library.html",
        {
            "form": form if form.is_bound else LibraryForm(),
            "items": [selectors.library_item(p) for p in rows[: selectors.LIBRARY_PAGE]],
            "page": page,
            "previous": page > 1,
            "next": len(rows) > selectors.LIBRARY_PAGE,
            "query": query.urlencode(),
            "filtered": any(v for v in filters.__dict__.values()),
            "named": Visibility.NAMED,
        },
    )


urlpatterns = [
    path("learning/", library, name="learning-library"),
    path("learning/sessions/<int:seat_id>/", seat_learning, name="learning-seat"),
    path("learning/ask/<str:token>/", ask_learning, name="learning-ask"),
    path("learning/points/<int:point_id>/", point_detail, name="learning-point"),
    path("learning/points/<int:point_id>/check/", point_check, name="learning-point-check"),
    path("learning/points/<int:point_id>/agree/", point_agree, name="learning-point-agree"),
    path("bookings/<int:booking_id>/learning/", booking_learning, name="booking-learning"),
]

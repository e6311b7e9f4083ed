"""Pages for peers' sessions and answers to invites.

An answer link only ever shows a page: mail scanners and link previews open links, so only the
page's button (a POST) changes anything.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from peers.forms import add_service_errors, form_write
from peers.selectors import caller_for
from sessions import rules, services, session_words
from sessions.attendance.pages import attendance_link
from sessions.forms import DeclineForm
from sessions.learning.selectors import learning_tasks, points_to_check
from sessions.mail.links import absolute_url
from sessions.models import Seat, Session
from sessions.packs.selectors import pack_summaries
from sessions.participants.selectors import participants_by_booking
from sessions.selectors import peer_seats
from sessions.selectors.series import series_sessions_ahead
from sessions.services import answers, series
from sessions.services.bookings import booking_joining_url_set
from sessions.webinars.selectors.feed_tokens import feed_is_live, private_feed_path
from sessions.webinars.selectors.webinars import subscribe_links
from sessions.webinars.services import feed_tokens


class JoiningLinkForm(forms.Form):
    joining_url = forms.URLField(
        label="Joining link",
        required=False,
        max_length=1000,
        assume_scheme="https",
        help_text="The link to the online meeting (Teams, Zoom or similar). Leave it empty to "
        "remove it. Everyone on the panel is sent an updated invitation.",
    )

    def __init__(self, *args, series_count: int = 1, **kwargs):
        super().__init__(*args, **kwargs)
        if series_count > 1:
            # A series often meets on one standing link: set it once for every session.
            self.fields["every"] = forms.BooleanField(
                required=False,
                initial=True,
                label=f"Use this link for all {series_count} sessions of this booking still "
                "to come",
            )


def _peer(request):
    caller = caller_for(request.user)
    rules.require(rules.may_answer_seats(caller), "Only peers have sessions to answer.")
    return caller.peer


@login_required
def my_sessions(request):
    return _my_sessions_page(request, _peer(request))


def _my_sessions_page(request, peer, *, new_feed_url: str = "", feed_replaced: bool = False):
    rows = peer_seats.peer_seats(peer=peer)
    caller = caller_for(request.user)
    packs = pack_summaries(row.session.booking_id for row in rows)
    attending = participants_by_booking(row.session.booking_id for row in rows)
    response = render(
        request,
        "sessions/my_sessions.html",
        {
            # Each seat with its booking's pre-reading, if it has any, who from the council will
            # attend (names and roles), and for the lead of a session that has started, where
            # they record who attended.
            "rows": [
                (
                    row,
                    packs.get(row.session.booking_id),
                    attending.get(row.session.booking_id),
                    attendance_link(caller, row.session),
                )
                for row in rows
            ],
            "learning_tasks": learning_tasks(peer=peer),
            "points_to_check": points_to_check(peer=peer),
            "feed_is_live": feed_is_live(peer=peer),
            "new_feed": subscribe_links(new_feed_url, "Your LGA peer sessions")
            if new_feed_url
            else None,
            "feed_replaced": feed_replaced,
        },
    )
    if new_feed_url:
        add_never_cache_headers(response)  # the secret is in this page: keep it out of caches
    return response


ACCEPT_ALL, DECLINE_ALL = "accept-all", "decline-all"  # every session of the series


@login_required
def my_session_answer(request, seat_id: int, answer: str):
    """Accept at once (a POST from My sessions); decline or withdraw only after a page that
    asks "Are you sure?", says what will happen and takes an optional reason. The "-all"
    answers do the same for every session of the seat's series the peer sits on."""
    peer = _peer(request)
    if answer not in (answers.ACCEPT, answers.DECLINE, ACCEPT_ALL, DECLINE_ALL):
        raise Http404("No such answer.")
    seat = get_object_or_404(
        Seat.objects.select_related("peer", "session__offer", "session__booking__council"),
        pk=seat_id,
    )
    rules.require(rules.may_answer_seat(peer, seat), "This is not your seat.")
    if answer in (answers.DECLINE, DECLINE_ALL):
        return _my_seat_decline(request, seat, peer, every=answer == DECLINE_ALL)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    title = session_words.session_title(seat.session)
    try:
        if answer == ACCEPT_ALL:
            done = series.seat_answer_series(seat_id=seat.pk, accept=True, peer=peer)
        else:
            answers.seat_answer(seat_id=seat.pk, accept=True, peer=peer)
    except answers.AnswerRefused as refused:
        messages.error(request, refused.message)
    else:
        if answer == ACCEPT_ALL:
            messages.success(
                request,
                f"You have accepted the {seat.role_name} seat on {_sessions(done.answered)} of "
                "the series.",
            )
        else:
            messages.success(request, f"You have accepted the {seat.role_name} seat: {title}.")
    return redirect("my-sessions")


def _sessions(seats) -> str:
    count = len(seats)
    return "1 session" if count == 1 else f"all {count} sessions"


def _my_seat_decline(request, seat: Seat, peer, *, every: bool = False):
    row = peer_seats.peer_seat(seat)
    form = DeclineForm(request.POST if request.method == "POST" else None, accepted=row.withdrawing)
    problem = "" if row.can_decline else _decline_problem(seat)
    if every and not problem and row.series_open < 2:
        every = False  # nothing else of the series is left to answer: this session alone
    if request.method == "POST" and not problem and form.is_valid():
        reason = form.cleaned_data["reason"]
        try:
            if every:
                done = series.seat_answer_series(
                    seat_id=seat.pk, accept=False, peer=peer, reason=reason
                )
            else:
                answers.seat_answer(seat_id=seat.pk, accept=False, peer=peer, reason=reason)
        except answers.AnswerRefused as refused:
            problem = refused.message
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            verb = "withdrawn from" if row.withdrawing else "declined"
            what = (
                f"the {seat.role_name} seat on {_sessions(done.answered)} of the series"
                if every
                else f"the {seat.role_name} seat: {row.title}"
            )
            messages.success(
                request,
                f"You have {verb} {what}. The LGA is finding a replacement and will tell the "
                "council.",
            )
            return redirect("my-sessions")
    return render(
        request,
        "sessions/seat_decline.html",
        {
            "row": row,
            "every": every,
            "form": form,
            "invalid": form if form.errors else None,
            "heading": peer_seats.decline_question(row, every=every),
            "problem": problem,
        },
        status=409 if problem else 200,
    )


def _decline_problem(seat: Seat) -> str:
    problem = answers.seat_answer_problem(seat)
    return problem.message if problem else "This seat cannot be declined now."


@login_required
@require_POST
def my_feed(request):
    peer = _peer(request)
    action = request.POST.get("action")
    if action == "issue":
        replaced = feed_is_live(peer=peer)
        token = feed_tokens.feed_token_issue(peer=peer)
        # The secret is stored only as a hash: show it now, once, in this response.
        return _my_sessions_page(
            request,
            peer,
            new_feed_url=absolute_url(private_feed_path(token)),
            feed_replaced=replaced,
        )
    if action == "revoke":
        feed_tokens.feed_token_revoke(peer=peer)
        messages.success(request, "Your calendar feed is turned off: its link no longer works.")
        return redirect("my-sessions")
    raise Http404("No such action.")


def answer(request, token: str):
    """The page behind an answer link: what the seat is, and one button to confirm."""
    try:
        ticket = answers.answer_ticket(token)
    except answers.AnswerLinkInvalid as invalid:
        return render(
            request,
            "sessions/answer.html",
            {"problem": invalid.message, "heading": "This link cannot be used"},
            status=410 if invalid.expired else 400,
        )
    try:
        problem = answers.answer_problem(ticket)
    except answers.AnswerRefused as refused:
        problem = refused
    if problem is not None:
        return _answer_page(request, ticket, problem=problem.message, status=409)
    form = (
        None
        if ticket.accept
        else DeclineForm(request.POST if request.method == "POST" else None, accepted=False)
    )
    if request.method == "POST" and (form is None or form.is_valid()):
        answer = series.seat_answer_series if ticket.every else answers.seat_answer
        try:
            answer(
                seat_id=ticket.seat_id,
                accept=ticket.accept,
                sequence=ticket.sequence,
                reason=form.cleaned_data["reason"] if form is not None else "",
            )
        except answers.AnswerRefused as refused:
            return _answer_page(request, ticket, problem=refused.message, status=409)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _answer_page(request, ticket, done=True)
    return _answer_page(request, ticket, form=form)


def _answer_page(
    request,
    ticket,
    *,
    problem: str = "",
    done: bool = False,
    status: int = 200,
    form: DeclineForm | None = None,
):
    seat = (
        Seat.objects.select_related("peer", "session__offer", "session__booking__council")
        .filter(pk=ticket.seat_id)
        .first()
    )
    row = peer_seats.peer_seat(seat) if seat is not None else None
    if problem:
        heading = "This invitation cannot be answered here"
    elif done and ticket.every:
        heading = "Thank you: series accepted" if ticket.accept else "Thank you: series declined"
    elif done:
        heading = "Thank you: seat accepted" if ticket.accept else "Thank you: seat declined"
    elif ticket.accept and ticket.every and row is not None:
        heading = f"Accept all {row.series_open} sessions of this series?"
    elif ticket.accept:
        heading = "Accept this seat?"
    else:
        heading = peer_seats.decline_question(row, every=ticket.every)
    return render(
        request,
        "sessions/answer.html",
        {
            "ticket": ticket,
            "row": row,
            "problem": problem,
            "done": done,
            "heading": heading,
            "form": form,
            "invalid": form if form is not None and form.errors else None,
        },
        status=status,
    )


@login_required
def session_joining_link(request, session_id: int):
    """Set the online meeting's joining link (staff, and those who manage the booking)."""
    caller = caller_for(request.user)
    session = get_object_or_404(
        Session.objects.select_related("offer", "booking__council"), pk=session_id
    )
    rules.require(rules.may_change_session(caller, session), "You cannot change this session.")
    count = len(series_sessions_ahead(session.booking_id))
    form = JoiningLinkForm(
        request.POST if request.method == "POST" else None,
        initial={"joining_url": session.joining_url},
        series_count=count,
    )
    if request.method == "POST" and form.is_valid():
        joining_url = form.cleaned_data["joining_url"]
        if form.cleaned_data.get("every"):
            written = form_write(
                form,
                lambda: booking_joining_url_set(
                    caller=caller, booking=session.booking, joining_url=joining_url
                ),
            )
        else:
            written = form_write(
                form,
                lambda: services.session_joining_url_set(
                    caller=caller, session=session, joining_url=joining_url
                ),
            )
        if written.done:
            where = f" for all {count} sessions" if form.cleaned_data.get("every") else ""
            messages.success(
                request,
                f"The joining link is saved{where}; everyone concerned is sent an update.",
            )
            return redirect("booking-detail", booking_id=session.booking_id)
    return render(
        request,
        "sessions/joining_link.html",
        {
            "session": session,
            "title": session_words.session_title(session),
            "form": form,
            "invalid": form if form.errors else None,
        },
    )


urlpatterns = [
    path("my-sessions/", my_sessions, name="my-sessions"),
    path(
        "my-sessions/seats/<int:seat_id>/<str:answer>/",
        my_session_answer,
        name="my-session-answer",
    ),
    path("my-sessions/feed/", my_feed, name="my-feed"),
    path("answer/<str:token>/", answer, name="answer"),
    path("sessions/<int:session_id>/joining-link/", session_joining_link, name="joining-link"),
]

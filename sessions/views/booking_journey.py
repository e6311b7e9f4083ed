"""Choosing a time and booking it: a month of days with times, one day's times with their
panels in plain words, a check of the answers, then a confirmation with what happens next.

Every panel shown comes from the one panel plan (`sessions.seat_plan`, over the pool of `sessions.pool`): the month and the day
from its slot search, the check page from `panel_plan`, and booking seats exactly the panel
the check page showed (or answers with the changed panel and why, to accept or not).
"""

import calendar
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.http import require_POST

from peers.models import Council
from peers.selectors import Caller, caller_for, councils_for
from scheduling.engine.panels import lga_lead_roles
from scheduling.engine.staffing import NOT_BOOKABLE
from scheduling.engine.uk_time import LONDON as UK
from scheduling.engine.uk_time import clock_text, day_text
from sessions import rules, seat_plan, selectors, services
from sessions.api import presenters
from sessions.feedback import selectors as feedback_selectors
from sessions.feedback import services as feedback_services
from sessions.forms import BookForm, JourneyCouncilForm, StartQuestionForm
from sessions.mail.letters import letter_contact
from sessions.models import HOLDING_SEAT_STATUSES, Booking, Offer, Seat
from sessions.participants.forms import participant_rows, participants_posted
from sessions.participants.services import booking_with_participants_create
from sessions.pool import offer_format, staffable_starts, start_explanation
from sessions.views.booking_choices import (
    CalendarDay,
    TimeChoice,
    in_uk,
    month_start,
    next_month,
    parse_day,
    parse_month,
    seat_line,
    shown_panel,
    uk_midnight,
)

NOT_CHOSEN = "Choose a time."


class _Journey:
    """Who books what for which council; the pages of the journey share it."""

    def __init__(self, request, *, caller: Caller, offer: Offer, councils, moving, reviewing):
        self.request, self.caller, self.offer, self.moving = request, caller, offer, moving
        self.reviewing = reviewing  # the earlier panel, when booking its progress review
        self.today = timezone.now().astimezone(UK).date()
        self.earliest = self.today + timedelta(days=offer.min_notice_days)
        self.latest = self.today + timedelta(days=offer.horizon_days)
        if reviewing is not None:
            opens = feedback_selectors.review_opens_at(reviewing)
            self.earliest = max(self.earliest, opens.astimezone(UK).date())
        fixed = moving or reviewing
        if fixed is not None:
            councils = Council.objects.filter(pk=fixed.council_id)
        self.councils = councils
        self.fixed_council = (
            councils.first()
            if (fixed is not None or not caller.is_staff) and councils.count() == 1
            else None
        )
        data = request.POST if request.method == "POST" else request.GET
        self.council_form = JourneyCouncilForm(
            data if self.fixed_council is None and data.get("council") else None,
            councils=councils,
        )
        if self.fixed_council is not None:
            self.council = self.fixed_council
        elif self.council_form.is_valid():
            self.council = self.council_form.cleaned_data["council"]
        else:
            self.council = None
        # Who the booker names to attend: carried from the day page to the check and the booking.
        self.participants = participants_posted(request.POST) if moving is None else []

    # Links ------------------------------------------------------------------------------------

    def url(self, **params) -> str:
        query = {}
        if self.council is not None and self.fixed_council is None:
            query["council"] = self.council.pk
        if self.moving is not None:
            query["booking"] = self.moving.pk
        if self.reviewing is not None:
            query["review"] = self.reviewing.pk
        query |= {key: value for key, value in params.items() if value}
        path = reverse("booking-new", args=[self.offer.slug])
        return f"{path}?{urlencode(query)}" if query else path

    def day_url(self, day: date, **params) -> str:
        return self.url(day=day.isoformat(), **params) + "#times"

    def _move(self) -> dict:
        """What the slot search keeps: a moved booking's seats, or the reviewed panel's."""
        if self.reviewing is not None:
            return {"keep": self.prefers}
        if self.moving is None:
            return {}
        return {"ignore_booking_id": self.moving.pk, "keep": seat_plan.booking_keep(self.moving)}

    @cached_property
    def prefers(self) -> dict[tuple[str, int], int]:
        if self.reviewing is None:
            return {}
        return feedback_selectors.review_prefers(self.reviewing)

    def render(self, template: str, context: dict, status: int = 200):
        return render(
            self.request,
            template,
            {
                "offer": self.offer,
                "moving": self.moving,
                "moving_start": _first_start(self.moving),
                "reviewing": self.reviewing,
                "reviewed_start": _first_start(self.reviewing),
                "council": self.council,
                "fixed_council": self.fixed_council,
                "council_form": self.council_form,
                "journey": self,
                "participants": self.participants,
                "participant_rows": participant_rows(self.participants),
                **context,
            },
            status=status,
        )

    def _starts(self, first: date, last: date):
        """The slot search over the UK days [first, last]."""
        return staffable_starts(
            offer=self.offer,
            council=self.council,
            range_start=uk_midnight(first),
            range_end=uk_midnight(last + timedelta(days=1)),
            **self._move(),
        )

    # The month --------------------------------------------------------------------------------

    def month_page(self, problem: str = ""):
        month = parse_month(self.request.GET.get("month")) or month_start(self.earliest)
        month = min(max(month, month_start(self.earliest)), month_start(self.latest))
        following = next_month(month)
        context = {
            "month": month,
            "problem": problem,
            "previous_url": self.url(month=f"{month - timedelta(days=1):%Y-%m}")
            if month > month_start(self.earliest)
            else "",
            "next_url": self.url(month=f"{following:%Y-%m}") if following <= self.latest else "",
            "earliest": self.earliest,
            "weeks": None,
        }
        if self.council is None:
            return self.render("sessions/booking_month.html", context)
        first = max(month, self.earliest)
        last = min(following - timedelta(days=1), self.latest)
        starts, _ = self._starts(first, last)
        counts: dict[date, int] = {}
        for start in starts:
            day = in_uk(start.start).date()
            counts[day] = counts.get(day, 0) + 1
        weeks = [
            [
                CalendarDay(
                    day=day,
                    in_month=day.month == month.month,
                    count=counts.get(day, 0) if day.month == month.month else 0,
                    href=self.day_url(day) if day.month == month.month and counts.get(day) else "",
                )
                for day in week
            ]
            for week in calendar.Calendar(firstweekday=0).monthdatescalendar(
                month.year, month.month
            )
        ]
        context |= {
            "weeks": weeks,
            "count": sum(counts.values()),
            "day_count": len(counts),
            "first_day_with_times": min(counts) if counts else None,
        }
        return self.render("sessions/booking_month.html", context)

    # One day ----------------------------------------------------------------------------------

    def day_choices(self, day: date) -> list[TimeChoice]:
        starts, pool = self._starts(day, day)
        peers = {peer.id: peer for peer in pool.peers}
        choices: list[TimeChoice] = []
        first_with: dict[tuple, datetime] = {}
        earlier = set(self.prefers.values())  # who sat on the panel a review looks back on
        for start in sorted(starts, key=lambda s: s.start):
            fits = seat_plan.start_fits(
                offer=self.offer, council=self.council, start=start, pool=pool
            )
            first = start.sessions[0]
            seats = [
                seat_line(
                    role,
                    peers[peer_id],
                    self.council,
                    fits.get((role, peer_id)),
                    caller=self.caller,
                    earlier=peer_id in earlier,
                )
                for role, peer_ids in start.panel.items()
                for peer_id in peer_ids
            ]
            # A panel already described for an earlier time of the day is named, not repeated.
            key = tuple(seats)
            choices.append(
                TimeChoice(
                    start=in_uk(first.start),
                    end=in_uk(first.end),
                    value=in_uk(first.start).isoformat(),
                    later_sessions=[(in_uk(s.start), in_uk(s.end)) for s in start.sessions[1:]],
                    seats=seats,
                    same_as=first_with.get(key),
                    earlier_size=len(earlier) if self.reviewing is not None else None,
                )
            )
            first_with.setdefault(key, in_uk(first.start))
        return choices

    def day_page(self, day: date, *, problem: str = "", chosen: str = "", notes: str = ""):
        if self.council is None or not (self.earliest <= day <= self.latest):
            return self.month_page(
                problem=f"Choose a day from {day_text(self.earliest)} to {day_text(self.latest)}."
            )
        asked = any(key.startswith("why-") for key in self.request.GET)
        why_form = StartQuestionForm(
            self.request.GET if asked else None, initial={"date": day.isoformat()}
        )
        explanation = self._explain(why_form) if asked and why_form.is_valid() else None
        times = self.day_choices(day)
        book_form = BookForm(
            initial={
                "council": self.council.pk,
                "notes": notes or self.request.GET.get("notes", ""),
                "booking": self.moving.pk if self.moving else None,
            }
        )
        return self.render(
            "sessions/booking_day.html",
            {
                "day": day,
                "times": times,
                "chosen": chosen or self.request.GET.get("start", ""),
                "problem": problem,
                "book_form": book_form,
                "why_form": why_form,
                "invalid_why": why_form if why_form.errors else None,
                "explanation": explanation,
                "month_url": self.url(month=f"{day:%Y-%m}"),
            },
            status=422 if problem else 200,
        )

    def _explain(self, why_form: StartQuestionForm) -> dict:
        when = datetime.combine(why_form.cleaned_data["date"], why_form.cleaned_data["time"], UK)
        explanation, _ = start_explanation(
            offer=self.offer, council=self.council, start=when.astimezone(UTC), **self._move()
        )
        return {
            "start": when,
            "day_url": self.day_url(when.date(), start=when.isoformat())
            if explanation.staffable
            else "",
            "staffable": explanation.staffable,
            "not_bookable": explanation.status == NOT_BOOKABLE,
            "reasons": [reason.text for reason in explanation.reasons],
        }

    # Check your answers -----------------------------------------------------------------------

    def check_page(self, *, start: datetime, notes: str, shown, problems=(), status: int = 200):
        """What booking `start` would do: the panel the plan seats, in plain words, and what
        changed since `shown` was shown, if anything."""
        start = in_uk(start)
        plan = seat_plan.panel_plan(
            offer=self.offer, council=self.council, start=start.astimezone(UTC), **self._move()
        )
        context = {
            "start": start,
            "value": start.isoformat(),
            "notes": notes,
            "problems": list(problems),
            "day_url": self.day_url(start.date(), start=start.isoformat(), notes=notes),
            "notes_url": self.day_url(start.date(), start=start.isoformat(), notes=notes).replace(
                "#times", "#id_notes"
            ),
            "month_url": self.url(month=f"{start:%Y-%m}"),
            "changed": None,
            "unstaffable": None,
            "move": None,
            "seats": [],
            "times": [],
        }
        if not plan.staffable:
            context["unstaffable"] = {
                "reasons": [reason.text for reason in plan.explanation.reasons],
            }
            return self.render("sessions/booking_check.html", context, status=409)
        peers = {peer.id: peer for peer in plan.pool.peers}
        context["seats"] = [
            seat_line(seat.role, peers[seat.peer_id], self.council, seat.fit, caller=self.caller)
            for seat in plan.seats_of(0)
            if seat.peer_id is not None
        ]
        context["times"] = [(in_uk(t.start), in_uk(t.end)) for t in plan.times]
        if self.moving is not None:
            context["move"] = _panel_comparison(self.moving, plan, peers)
        if self.reviewing is not None:
            context["review"] = _panel_comparison(self.reviewing, plan, peers)
        changes = seat_plan.plan_changes(plan, shown) if shown else []
        if changes:
            changed = services.PanelChanged(plan, changes)
            context["changed"] = {
                "detail": changed.detail,
                "rows": [
                    {
                        "role": row["role"],
                        "shown": row["shown"]["name"] if row["shown"] else "",
                        "now": row["now"]["name"] if row["now"] else "",
                        "why": row["why"],
                    }
                    for row in presenters.panel_changed_out(changed)["changes"]
                ],
            }
            status = 409
        return self.render("sessions/booking_check.html", context, status=status)

    # Booking ----------------------------------------------------------------------------------

    def book(self, form: BookForm):
        if not form.is_valid():
            return self.back_to_day(form)
        council, start = form.cleaned_data["council"], form.cleaned_data["start"]
        notes = form.cleaned_data["notes"]
        shown = shown_panel(self.request.POST, self.request.POST.get("start", ""))
        try:
            if self.moving is not None:
                booking = services.booking_reschedule(
                    caller=self.caller, booking=self.moving, start=start, panel=shown
                )
            elif self.reviewing is not None:
                booking = feedback_services.progress_review_book(
                    caller=self.caller,
                    panel=self.reviewing,
                    start=start,
                    notes=notes,
                    shown=shown,
                    participants=self.participants,
                )
            else:
                booking = booking_with_participants_create(
                    caller=self.caller,
                    offer=self.offer,
                    council=council,
                    start=start,
                    notes=notes,
                    panel=shown,
                    participants=self.participants,
                )
        except services.PanelChanged:
            return self.check_page(start=start, notes=notes, shown=shown)
        except services.BookingConflict as conflict:
            return self._conflict(start, notes, conflict)
        except services.AlreadyBooked as booked:
            return self._already_booked(start, notes, booked)
        except ValidationError as error:
            problems = [text for texts in error.message_dict.values() for text in texts]
            return self.check_page(start=start, notes=notes, shown=None, problems=problems)
        except feedback_services.FeedbackRefused as refusal:  # the review, booked meanwhile
            return self.check_page(
                start=start, notes=notes, shown=None, problems=[refusal.detail], status=409
            )
        if self.moving is not None:
            first = in_uk(start)
            messages.success(
                self.request,
                f"The booking is moved to {clock_text(first)} on {day_text(first)} (UK time). "
                "The proposed panel is below.",
            )
            return redirect("booking-detail", booking_id=booking.pk)
        return redirect("booking-confirmation", booking_id=booking.pk)

    def _conflict(self, start: datetime, notes: str, conflict):
        return self._refused(
            start,
            notes,
            unstaffable={
                "detail": conflict.detail,
                "reasons": conflict.reasons,
                "alternatives": [
                    {
                        "start": in_uk(t),
                        "url": self.day_url(in_uk(t).date(), start=in_uk(t).isoformat()),
                    }
                    for t in conflict.alternatives
                ],
            },
        )

    def _already_booked(self, start: datetime, notes: str, refusal: services.AlreadyBooked):
        """The council already holds this offer at this start (a panel or a series, booked
        or moved to): one refusal, linking to the booking it holds. Said before any plan,
        which that booking's own seats would make look unstaffable."""
        booking = refusal.booking
        return self._refused(
            start,
            notes,
            already={
                "council": booking.council.name,
                "detail": refusal.detail,
                "reference": booking.reference,
                "url": reverse("booking-detail", kwargs={"booking_id": booking.pk}),
            },
        )

    def _refused(self, start: datetime, notes: str, *, unstaffable=None, already=None):
        start = in_uk(start)
        return self.render(
            "sessions/booking_check.html",
            {
                "start": start,
                "value": start.isoformat(),
                "notes": notes,
                "problems": [],
                "unstaffable": unstaffable,
                "already": already,
                "month_url": self.url(month=f"{start:%Y-%m}"),
                "day_url": self.day_url(start.date()),
                "changed": None,
                "seats": [],
                "times": [],
            },
            status=409,
        )

    def back_to_day(self, form: BookForm):
        """A check asked without a time (or with one not offered): back to the day's times."""
        day = parse_day(self.request.POST.get("day"))
        problem = NOT_CHOSEN if "start" in form.errors else ""
        if not problem:
            problem = " ".join(text for texts in form.errors.values() for text in texts)
        if day is None:
            return self.month_page(problem=problem)
        return self.day_page(day, problem=problem, notes=self.request.POST.get("notes", ""))


def _names_text(names: list[str]) -> str:
    return " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)


def _panel_comparison(booking: Booking, plan: seat_plan.PanelPlan, peers: dict) -> dict:
    """A booking beside the panel a new time seats (a move of it, or the progress review of
    it): its times and panel, who leaves and who joins (over every session of the booking)."""
    sessions = list(booking.sessions.order_by("number"))
    holding = [
        seat
        for seat in Seat.objects.filter(
            session__booking=booking, status__in=HOLDING_SEAT_STATUSES, peer__isnull=False
        )
        .select_related("peer")
        .order_by("session__number", "id")
    ]
    first = sessions[0].pk if sessions else None
    order = {role.name: k for k, role in enumerate(offer_format(booking.offer).roles)}
    now_ids = {seat.peer_id: seat.peer.name for seat in holding}
    new_ids = {seat.peer_id for seat in plan.seats if seat.peer_id is not None}
    return {
        "times": [(in_uk(s.start), in_uk(s.end)) for s in sessions],
        "panel": [
            (seat.role_name, seat.peer.name)
            for seat in sorted(
                (s for s in holding if s.session_id == first),
                key=lambda s: (order.get(s.role_name, 99), s.position),
            )
        ],
        "leaving": _names_text(sorted(name for id_, name in now_ids.items() if id_ not in new_ids)),
        "leaving_count": len(set(now_ids) - new_ids),
        "joining": _names_text(
            sorted(peers[id_].name for id_ in new_ids if id_ not in now_ids and id_ in peers)
        ),
    }


def _first_start(booking: Booking | None) -> datetime | None:
    if booking is None:
        return None
    sessions = list(booking.sessions.all())
    return in_uk(sessions[0].start) if sessions else None


def _refuse_other_council(caller: Caller, raw_council_id) -> None:
    """A council named in a request that the caller cannot act for is refused, not just invalid."""
    if raw_council_id and str(raw_council_id).isdigit():
        council = Council.objects.filter(pk=int(raw_council_id)).first()
        if council is not None:
            rules.require(
                rules.may_book_for(caller, council), f"You cannot book for {council.name}."
            )


def _panel_to_review(caller: Caller, offer: Offer, raw_booking_id) -> Booking | None:
    """The earlier panel whose progress review is being booked (`review=`), if any."""
    if not raw_booking_id:
        return None
    if not str(raw_booking_id).isdigit():
        raise Http404("No such booking.")
    panel = feedback_selectors.review_panel_for(caller=caller, booking_id=int(raw_booking_id))
    if panel.offer_id != offer.id:
        raise Http404("That booking is for another offer.")
    return panel


def _booking_to_move(caller: Caller, offer: Offer, raw_booking_id) -> Booking | None:
    if not raw_booking_id:
        return None
    if not str(raw_booking_id).isdigit():
        raise Http404("No such booking.")
    booking = selectors.booking_get(caller=caller, booking_id=int(raw_booking_id))
    if booking.offer_id != offer.id:
        raise Http404("That booking is for another offer.")
    return booking


def _journey(request, slug: str):
    """The journey for this request, or the page saying the offer cannot be booked."""
    caller = caller_for(request.user)
    offer = selectors.offer_get(slug=slug)
    if not offer.is_bookable:
        return None, render(request, "sessions/booking_closed.html", {"offer": offer})
    councils = councils_for(caller)
    rules.require(councils.exists(), "Your account does not book for a council.")
    data = request.POST if request.method == "POST" else request.GET
    _refuse_other_council(caller, data.get("council"))
    moving = _booking_to_move(caller, offer, data.get("booking"))
    reviewing = _panel_to_review(caller, offer, data.get("review"))
    if moving is not None and reviewing is not None:
        raise Http404("Move a booking or book a progress review, not both at once.")
    if reviewing is not None and not feedback_selectors.review_offered(reviewing):
        return None, redirect("progress-review", booking_id=reviewing.pk)
    journey = _Journey(
        request, caller=caller, offer=offer, councils=councils, moving=moving, reviewing=reviewing
    )
    return journey, None


@login_required
def booking_new(request, slug: str):
    """GET: the month of days with times (`month=YYYY-MM`) or one day's times (`day=`).
    POST: book the time checked on the check page."""
    journey, closed = _journey(request, slug)
    if closed is not None:
        return closed
    if request.method == "POST":
        return journey.book(BookForm(request.POST))
    day = parse_day(request.GET.get("day"))
    if day is not None:
        return journey.day_page(day)
    return journey.month_page()


@login_required
@require_POST
def booking_check(request, slug: str):
    """Check your answers: the chosen time, its panel in plain words and the notes."""
    journey, closed = _journey(request, slug)
    if closed is not None:
        return closed
    form = BookForm(request.POST)
    if not form.is_valid():
        return journey.back_to_day(form)
    return journey.check_page(
        start=form.cleaned_data["start"],
        notes=form.cleaned_data["notes"],
        shown=shown_panel(request.POST, request.POST.get("start", "")),
    )


@login_required
def booking_confirmation(request, booking_id: int):
    """The booking is made: its reference and what happens next."""
    caller = caller_for(request.user)
    booking = selectors.booking_get(caller=caller, booking_id=booking_id)
    sessions = list(booking.sessions.all())
    first = sessions[0] if sessions else None
    seated = [seat for seat in first.seats.all() if seat.peer_id] if first else []
    leads = lga_lead_roles(offer_format(booking.offer).roles)
    return render(
        request,
        "sessions/booking_confirmation.html",
        {
            "booking": booking,
            "state": selectors.booking_state(booking),
            "requested": booking.status == "requested",
            "adviser": booking.council.principal_adviser,
            "contact": letter_contact(offer=booking.offer, council=booking.council),
            "times": [(in_uk(s.start), in_uk(s.end)) for s in sessions],
            "peer_count": sum(1 for seat in seated if seat.role_name not in leads),
            "lead": next((seat.peer for seat in seated if seat.role_name in leads), None),
        },
    )

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from peers.forms import add_service_errors
from peers.models import Council, Peer, PeerKind, PoliticalGroup, Profession
from peers.selectors import Caller, caller_for, councils_for
from scheduling.engine.matching import EXPERIENCE_LIMIT, SKILL_POINTS
from scheduling.engine.staffing import NOT_BOOKABLE
from scheduling.engine.uk_time import LONDON as UK
from scheduling.engine.uk_time import clock_text, day_text
from sessions import panels, selectors, services
from sessions.forms import (
    BookForm,
    CancelForm,
    CatalogueFilterForm,
    StartQuestionForm,
    TimeSearchForm,
)
from sessions.models import Booking, BookingStatus, Delivery, Offer
from sessions.selectors.history import booking_history, history_rows, history_visible

DEFAULT_WEEKS = 4


def offer_list(request):
    form = CatalogueFilterForm(request.GET or None)
    programme = form.cleaned_data["programme"] if form.is_valid() else ""
    offers = list(selectors.offer_list(programme=programme))
    return render(
        request,
        "sessions/offer_list.html",
        {
            "form": form,
            "support_offers": [o for o in offers if o.delivery != Delivery.WEBINAR],
            "webinar_offers": [o for o in offers if o.delivery == Delivery.WEBINAR],
        },
    )


def offer_detail(request, slug: str):
    offer = selectors.offer_get(slug=slug)
    can_book = request.user.is_authenticated and councils_for(caller_for(request.user)).exists()
    return render(request, "sessions/offer_detail.html", {"offer": offer, "can_book": can_book})


# What the pages show -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PanelSeat:
    role: str
    name: str
    description: str
    shown: str = ""  # "peer id|role": sent back with the chosen time (see _shown_panel)


@dataclass(frozen=True)
class TimeOption:
    """One start time that can be booked, in UK time, with its proposed panel."""

    start: datetime
    end: datetime
    value: str  # ISO 8601 with the UK offset, sent back when the time is chosen
    later_sessions: list[tuple[datetime, datetime]] = field(default_factory=list)
    panel: list[PanelSeat] = field(default_factory=list)


@dataclass(frozen=True)
class DayOfTimes:
    day: date
    times: list[TimeOption]

    @property
    def anchor(self) -> str:
        return f"day-{self.day.isoformat()}"


@dataclass(frozen=True)
class SeatView:
    role: str
    status: str
    status_text: str
    peer_name: str = ""
    description: str = ""
    why: list[str] = field(default_factory=list)
    fit_total: int | None = None
    runner_up: str = ""
    unfilled_reason: str = ""


def peer_description(brief: dict) -> str:
    """'Member peer (Labour), Cardiff Council' from a selectors.peer_brief() dict."""
    if brief["kind"] == PeerKind.MEMBER:
        kind, detail = "Member peer", _label(PoliticalGroup, brief["political_group"])
    else:
        kind, detail = "Officer peer", _label(Profession, brief["profession"])
    return f"{kind}{f' ({detail})' if detail else ''}, {brief['home_council']}"


def _label(choices, value: str) -> str:
    try:
        return choices(value).label
    except ValueError:
        return value


def _uk(moment: datetime) -> datetime:
    return moment.astimezone(UK)


def _time_option(slot: dict) -> TimeOption:
    start = _uk(slot["start"])
    return TimeOption(
        start=start,
        end=_uk(slot["end"]),
        value=start.isoformat(),
        later_sessions=[(_uk(s["start"]), _uk(s["end"])) for s in slot["sessions"][1:]],
        panel=[_panel_seat(seat) for seat in slot["panel"]],
    )


def _panel_seat(seat: dict) -> PanelSeat:
    return PanelSeat(
        role=seat["role"],
        name=seat["peer"]["name"],
        description=peer_description(seat["peer"]),
        shown=f"{seat['peer']['id']}|{seat['role']}",
    )


def _shown_panel(data, start_value: str) -> list[tuple[str, int]] | None:
    """The panel the page showed with the chosen time: hidden fields named after the time."""
    shown = []
    for value in data.getlist(f"panel@{start_value}"):
        peer_id, _, role = value.partition("|")
        if not peer_id.isdigit() or not role:
            return None
        shown.append((role, int(peer_id)))
    return shown or None


def _days_of_times(starts, pool) -> list[DayOfTimes]:
    days: dict[date, list[TimeOption]] = {}
    for start in sorted(starts, key=lambda s: s.start):
        option = _time_option(selectors.slot_out(start, pool))
        days.setdefault(option.start.date(), []).append(option)
    return [DayOfTimes(day, times) for day, times in days.items()]


def fit_in_words(fit: dict) -> list[str]:
    """A seat's fit breakdown (points per part) as short phrases."""
    if not fit or "total" not in fit:
        return []
    words = []
    skills = fit.get("skill", 0) // SKILL_POINTS
    words.append(
        f"has {skills} of the skills wanted (+{fit['skill']})"
        if skills
        else "no particular skill matched (+0)"
    )
    words.append(f"seniority +{fit.get('seniority', 0)}")
    experience = fit.get("experience", 0)
    if experience:
        times = f"{experience} or more" if experience >= EXPERIENCE_LIMIT else str(experience)
        words.append(
            f"has sat with councils of this type {times} time{'s' if experience != 1 else ''} (+{experience})"
        )
    else:
        words.append("no earlier sessions with councils of this type (+0)")
    if fit.get("lead"):
        words.append(f"senior enough to lead the panel (+{fit['lead']})")
    return words


def _seat_views(session, runner_up_names: dict[int, str]) -> list[SeatView]:
    # A seat that was declined or moved stays as history; show the latest row for each place.
    latest = {}
    for seat in session.seats.all():
        latest[(seat.role_name, seat.position)] = seat
    views = []
    for seat in latest.values():
        runner = seat.runner_up or {}
        runner_up = ""
        if runner.get("peer_id") in runner_up_names:
            total = (runner.get("fit") or {}).get("total")
            runner_up = runner_up_names[runner["peer_id"]] + (
                f" (fit {total})" if total is not None else ""
            )
        views.append(
            SeatView(
                role=seat.role_name,
                status=seat.status,
                status_text=seat.get_status_display(),
                peer_name=seat.peer.name if seat.peer else "",
                description=peer_description(selectors.peer_brief(seat.peer)) if seat.peer else "",
                why=fit_in_words(seat.fit),
                fit_total=(seat.fit or {}).get("total"),
                runner_up=runner_up,
                unfilled_reason=seat.unfilled_reason,
            )
        )
    return views


def _runner_up_names(booking: Booking) -> dict[int, str]:
    ids = {
        seat.runner_up.get("peer_id")
        for session in booking.sessions.all()
        for seat in session.seats.all()
        if seat.runner_up
    }
    ids.discard(None)
    return dict(Peer.objects.filter(id__in=ids).values_list("id", "name")) if ids else {}


# Who may book for which councils -------------------------------------------------------------


def _refuse_other_council(caller: Caller, raw_council_id) -> None:
    """A council named in a request that the caller cannot act for is refused, not just invalid."""
    if raw_council_id and str(raw_council_id).isdigit():
        council = Council.objects.filter(pk=int(raw_council_id)).first()
        if council is not None and not caller.may_act_for(council):
            raise PermissionDenied(f"You cannot book for {council.name}.")


def _booking_to_move(caller: Caller, offer: Offer, raw_booking_id) -> Booking | None:
    if not raw_booking_id:
        return None
    if not str(raw_booking_id).isdigit():
        raise Http404("No such booking.")
    booking = selectors.booking_get(caller=caller, booking_id=int(raw_booking_id))
    if booking.offer_id != offer.id:
        raise Http404("That booking is for another offer.")
    return booking


def _uk_today() -> date:
    return timezone.now().astimezone(UK).date()


def _uk_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), UK).astimezone(UTC)


# Booking -------------------------------------------------------------------------------------


@login_required
def booking_new(request, slug: str):
    """Choose a time for an offer (GET lists staffable times) and book it (POST)."""
    caller = caller_for(request.user)
    offer = selectors.offer_get(slug=slug)
    if not offer.is_bookable:
        return render(request, "sessions/booking_closed.html", {"offer": offer})
    councils = councils_for(caller)
    if not councils.exists():
        raise PermissionDenied("Your account does not book for a council.")
    data = request.POST if request.method == "POST" else request.GET
    _refuse_other_council(caller, data.get("council"))
    moving = _booking_to_move(caller, offer, data.get("booking"))
    page = _BookingPage(request, caller=caller, offer=offer, councils=councils, moving=moving)
    if request.method == "POST":
        return page.book(BookForm(request.POST))
    return page.search()


class _BookingPage:
    """The page of times: the search form, the times found, a question about one time."""

    def __init__(self, request, *, caller: Caller, offer: Offer, councils, moving: Booking | None):
        self.request, self.caller, self.offer, self.moving = request, caller, offer, moving
        self.today = today = _uk_today()
        self.earliest = today + timedelta(days=offer.min_notice_days)
        self.latest = today + timedelta(days=offer.horizon_days)
        if moving is not None:
            councils = Council.objects.filter(pk=moving.council_id)
        self.councils = councils
        self.fixed_council = (
            councils.first()
            if (moving is not None or not caller.is_staff) and councils.count() == 1
            else None
        )

    def _search_form(self, data=None, *, council=None, start: date | None = None) -> TimeSearchForm:
        if data is not None and self.fixed_council is not None:
            data = data.copy()
            data["council"] = str(self.fixed_council.pk)
        return TimeSearchForm(
            data,
            councils=self.councils,
            today=self.today,
            earliest=self.earliest,
            latest=self.latest,
            fixed_council=self.fixed_council is not None,
            initial={
                "council": council or self.fixed_council,
                "start": max(start or self.earliest, self.earliest),
                "weeks": DEFAULT_WEEKS,
            },
        )

    def render(self, context: dict, status: int = 200):
        return render(
            self.request,
            "sessions/booking_new.html",
            {
                "offer": self.offer,
                "moving": self.moving,
                "moving_start": _first_start(self.moving),
                "fixed_council": self.fixed_council,
                "problems": [],
                "why_form": None,
                "explanation": None,
                "days": None,
                **context,
            },
            status=status,
        )

    def search(self):
        submitted = "start" in self.request.GET or "weeks" in self.request.GET
        form = self._search_form(self.request.GET if submitted else None)
        if not submitted or not form.is_valid():
            return self.render({"search_form": form, "invalid": form if form.errors else None})
        council = form.cleaned_data["council"]
        first_day, weeks = form.cleaned_data["start"], form.cleaned_data["weeks"]
        last_day = first_day + timedelta(weeks=weeks)
        starts, pool = panels.staffable_starts(
            offer=self.offer,
            council=council,
            range_start=_uk_midnight(first_day),
            range_end=_uk_midnight(last_day),
            **self._move(),
        )
        asked = any(key.startswith("why-") for key in self.request.GET)
        why_form = StartQuestionForm(self.request.GET if asked else None)
        explanation = self._explain(why_form, council) if asked and why_form.is_valid() else None
        days = _days_of_times(starts, pool)
        return self.render(
            {
                "search_form": form,
                "invalid": why_form if why_form.errors else None,
                "council": council,
                "first_day": first_day,
                "last_day": last_day - timedelta(days=1),
                "weeks": weeks,
                "days": days,
                "count": sum(len(day.times) for day in days),
                "book_form": BookForm(
                    initial={
                        "council": council.pk,
                        "booking": self.moving.pk if self.moving else None,
                    }
                ),
                "why_form": why_form,
                "explanation": explanation,
            }
        )

    def _move(self) -> dict:
        """What a move asks of the plan: its own seats neither block nor count, and are kept."""
        if self.moving is None:
            return {}
        return {"ignore_booking_id": self.moving.pk, "keep": panels.booking_keep(self.moving)}

    def _explain(self, why_form: StartQuestionForm, council: Council) -> dict:
        when = datetime.combine(why_form.cleaned_data["date"], why_form.cleaned_data["time"], UK)
        explanation, pool = panels.start_explanation(
            offer=self.offer, council=council, start=when.astimezone(UTC), **self._move()
        )
        peers = {peer.id: peer for peer in pool.peers}
        panel = [
            (role, peer_id)
            for role, peer_ids in (explanation.panels or [{}])[0].items()
            for peer_id in peer_ids
        ]
        return {
            "start": when,
            "value": when.isoformat(),
            "staffable": explanation.staffable,
            "not_bookable": explanation.status == NOT_BOOKABLE,
            "reasons": [reason.text for reason in explanation.reasons],
            "panel": [_panel_seat(seat) for seat in selectors.panel_out(panel, peers)],
        }

    def book(self, book_form: BookForm):
        if book_form.is_valid():
            council, start = book_form.cleaned_data["council"], book_form.cleaned_data["start"]
            shown = _shown_panel(self.request.POST, self.request.POST.get("start", ""))
            try:
                if self.moving is not None:
                    booking = services.booking_reschedule(
                        caller=self.caller, booking=self.moving, start=start, panel=shown
                    )
                    done = "The booking is moved to"
                else:
                    booking = services.booking_create(
                        caller=self.caller,
                        offer=self.offer,
                        council=council,
                        start=start,
                        notes=book_form.cleaned_data["notes"],
                        panel=shown,
                    )
                    done = f"{self.offer.title} is booked for {council.name}:"
            except services.BookingConflict as conflict:
                return self._conflict(book_form, council, start, conflict)
            except services.PanelChanged as changed:
                return self._panel_changed(book_form, council, start, changed)
            except services.AlreadyBooked as booked:
                return self.render(
                    {
                        "search_form": self._search_form(council=council, start=_uk(start).date()),
                        "problems": [booked.detail],
                        "existing": booked.booking,
                    },
                    status=409,
                )
            except ValidationError as error:
                problems = [
                    message for messages_ in error.message_dict.values() for message in messages_
                ]
            else:
                first = _uk(start)
                messages.success(
                    self.request,
                    f"{done} {clock_text(first)} on {day_text(first)} (UK time). "
                    "The proposed panel is below.",
                )
                return redirect("booking-detail", booking_id=booking.pk)
        else:
            problems = [message for messages_ in book_form.errors.values() for message in messages_]
        council = book_form.cleaned_data.get("council")
        start = book_form.cleaned_data.get("start")
        return self.render(
            {
                "search_form": self._search_form(
                    council=council, start=_uk(start).date() if start else None
                ),
                "problems": problems,
            }
        )

    def _panel_changed(self, book_form: BookForm, council: Council, start: datetime, changed):
        """The panel shown is no longer the one booking would seat: show both, and why."""
        start = _uk(start)
        return self.render(
            {
                "search_form": self._search_form(council=council, start=start.date()),
                "panel_changed": {
                    "detail": changed.detail,
                    "start": start,
                    "value": start.isoformat(),
                    "changes": [
                        {
                            "role": row["role"],
                            "shown": row["shown"]["name"] if row["shown"] else "",
                            "now": row["now"]["name"] if row["now"] else "",
                            "why": row["why"],
                        }
                        for row in changed.change_rows
                    ],
                    "panel": [_panel_seat(seat) for seat in changed.panel],
                },
                "council": council,
                "book_form": BookForm(
                    initial={
                        "council": council.pk,
                        "notes": book_form.cleaned_data.get("notes", ""),
                        "booking": self.moving.pk if self.moving else None,
                    }
                ),
            },
            status=409,
        )

    def _conflict(self, book_form: BookForm, council: Council, start: datetime, conflict):
        alternatives = [_uk(moment) for moment in conflict.alternatives]
        return self.render(
            {
                "search_form": self._search_form(council=council, start=_uk(start).date()),
                "conflict": {
                    "detail": conflict.detail,
                    "start": _uk(start),
                    "reasons": conflict.reasons,
                },
                "alternatives": [
                    {"start": moment, "value": moment.isoformat()} for moment in alternatives
                ],
                "council": council,
                "book_form": BookForm(
                    initial={
                        "council": council.pk,
                        "notes": book_form.cleaned_data.get("notes", ""),
                        "booking": self.moving.pk if self.moving else None,
                    }
                ),
            },
            status=409,
        )


def _first_start(booking: Booking | None) -> datetime | None:
    if booking is None:
        return None
    sessions = list(booking.sessions.all())
    return _uk(sessions[0].start) if sessions else None


@login_required
def booking_list(request):
    caller = caller_for(request.user)
    bookings = [
        {
            "booking": booking,
            "first_start": _first_start(booking),
            "state": selectors.booking_state(booking),
        }
        for booking in selectors.booking_list(caller=caller)
    ]
    return render(
        request,
        "sessions/booking_list.html",
        {"bookings": bookings, "can_book": councils_for(caller).exists()},
    )


@login_required
def booking_detail(request, booking_id: int):
    caller = caller_for(request.user)
    booking = selectors.booking_get(caller=caller, booking_id=booking_id)
    return _booking_page(request, booking, CancelForm())


@login_required
@require_POST
def booking_cancel(request, booking_id: int):
    caller = caller_for(request.user)
    booking = selectors.booking_get(caller=caller, booking_id=booking_id)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.booking_cancel(
                caller=caller, booking=booking, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The booking is cancelled and the peers' seats are released.")
            return redirect("booking-detail", booking_id=booking.pk)
    return _booking_page(request, booking, form)


def _booking_page(request, booking: Booking, cancel_form: CancelForm):
    names = _runner_up_names(booking)
    sessions = [
        {
            "session": session,
            "start": _uk(session.start),
            "end": _uk(session.end),
            "seats": _seat_views(session, names),
        }
        for session in booking.sessions.all()
    ]
    caller = caller_for(request.user)
    return render(
        request,
        "sessions/booking_detail.html",
        {
            "booking": booking,
            "state": selectors.booking_state(booking),
            "sessions": sessions,
            "cancel_form": cancel_form,
            "invalid": cancel_form if cancel_form.errors else None,
            "is_open": booking.status == BookingStatus.CONFIRMED,
            "history": history_rows(booking_history(caller=caller, booking=booking))
            if history_visible(caller, booking.council)
            else None,
        },
    )

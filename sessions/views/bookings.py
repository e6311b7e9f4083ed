from dataclasses import dataclass, field
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from peers.forms import form_write
from peers.models import Peer, PeerKind, PoliticalGroup, Profession
from peers.selectors import caller_for, councils_for
from scheduling.engine.uk_time import LONDON as UK
from sessions import rules, selectors, services
from sessions.api import presenters
from sessions.attendance.pages import attendance_link
from sessions.feedback.pages import feedback_section
from sessions.forms import BookingSearchForm, CancelForm, CatalogueFilterForm, DeclineRequestForm
from sessions.learning.selectors import learning_summary
from sessions.mail.letters import letter_contact
from sessions.models import LIVE_BOOKING_STATUSES, Booking, BookingStatus, Delivery
from sessions.packs import selectors as pack_selectors
from sessions.packs import services as pack_services
from sessions.packs.forms import DocumentForm
from sessions.packs.pages import pack_section
from sessions.participants.selectors import participants_out
from sessions.seat_words import fit_in_words, seat_in_words, speaks_to_council
from sessions.selectors.history import booking_history, history_rows
from sessions.selectors.mailbox import undelivered_invites
from sessions.services.approval_letters import request_approver


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
    words: str = ""  # why the peer suits the seat, for the council (the scores are for staff)
    id: int = 0
    undelivered: bool = False  # the latest invite to the seat came back (a bounce)


def peer_description(brief: dict) -> str:
    """'Member peer (Labour), Cardiff Council' from a presenters.peer_brief() dict."""
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


def _seat_views(
    session, runner_up_names: dict[int, str], council, *, to_the_council: bool
) -> list[SeatView]:
    # A seat that was declined or moved stays as history; show the latest row for each place.
    latest = {}
    for seat in session.seats.all():
        latest[(seat.role_name, seat.position)] = seat
    views = []
    undelivered = undelivered_invites(s.id for s in latest.values() if s.peer_id is not None)
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
                description=peer_description(presenters.peer_brief(seat.peer)) if seat.peer else "",
                why=fit_in_words(seat.fit),
                fit_total=(seat.fit or {}).get("total"),
                runner_up=runner_up,
                unfilled_reason=seat.unfilled_reason,
                words=seat_in_words(
                    peer=presenters.peer_brief(seat.peer),
                    council_leader_group=council.leader_group,
                    council_type=council.council_type,
                    fit=seat.fit,
                    to_the_council=to_the_council,
                )
                if seat.peer
                else "",
                id=seat.pk,
                undelivered=seat.pk in undelivered,
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


def _first_start(booking: Booking | None) -> datetime | None:
    if booking is None:
        return None
    sessions = list(booking.sessions.all())
    return _uk(sessions[0].start) if sessions else None


@login_required
def booking_list(request):
    caller = caller_for(request.user)
    search = BookingSearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    bookings = [
        {
            "booking": booking,
            "first_start": _first_start(booking),
            "state": selectors.booking_state(booking),
        }
        for booking in selectors.booking_list(caller=caller, q=query)
    ]
    return render(
        request,
        "sessions/booking_list.html",
        {
            "bookings": bookings,
            "search": search,
            "query": query,
            "invalid": search if search.errors else None,
            "can_book": councils_for(caller).exists(),
        },
    )


@login_required
def booking_detail(request, booking_id: int):
    caller = caller_for(request.user)
    booking = selectors.booking_get(caller=caller, booking_id=booking_id)
    return booking_page(request, booking)


@login_required
@require_POST
def booking_cancel(request, booking_id: int):
    caller = caller_for(request.user)
    booking = selectors.booking_get(caller=caller, booking_id=booking_id)
    form = CancelForm(request.POST)
    if (
        form.is_valid()
        and form_write(
            form,
            lambda: services.booking_cancel(
                caller=caller, booking=booking, reason=form.cleaned_data["reason"]
            ),
        ).done
    ):
        messages.success(request, "The booking is cancelled and the peers' seats are released.")
        return redirect("booking-detail", booking_id=booking.pk)
    return booking_page(request, booking, cancel_form=form)


def booking_page(
    request,
    booking: Booking,
    *,
    cancel_form: CancelForm | None = None,
    decline_form: DeclineRequestForm | None = None,
    pack_form=None,
):
    """The booking page, with the forms that change it (and their errors, if any)."""
    cancel_form = cancel_form or CancelForm()
    names = _runner_up_names(booking)
    caller = caller_for(request.user)
    to_the_council = speaks_to_council(caller, booking.council)
    sessions = [
        {
            "session": session,
            "start": _uk(session.start),
            "end": _uk(session.end),
            "seats": _seat_views(session, names, booking.council, to_the_council=to_the_council),
            "attendance_url": attendance_link(caller, session),
        }
        for session in booking.sessions.all()
    ]
    return render(
        request,
        "sessions/booking_detail.html",
        {
            "booking": booking,
            "state": selectors.booking_state(booking),
            "sessions": sessions,
            "cancel_form": cancel_form,
            "decline_form": decline_form or DeclineRequestForm(),
            "invalid": next(
                (f for f in (cancel_form, decline_form, pack_form) if f and f.errors), None
            ),
            "pack": pack_section(caller, booking, form=pack_form),
            "feedback": feedback_section(caller, booking),
            "participants": participants_out(
                booking, with_addresses=rules.may_manage_booking(caller, booking)
            ),
            "learning": learning_summary(caller=caller, booking=booking),
            "is_open": booking.status in LIVE_BOOKING_STATUSES,
            # Move and cancel: the council's side; the LGA lead reads and sets the link only.
            "may_manage": rules.may_manage_booking(caller, booking),
            "is_request": booking.status == BookingStatus.REQUESTED,
            "may_decide": booking.status == BookingStatus.REQUESTED
            and rules.may_decide_request(caller, booking),
            "approver": (request_approver(booking) or ("", "the LGA"))[1],
            # Who the council's booker writes to; advisers and staff are that contact's side.
            "contact": letter_contact(offer=booking.offer, council=booking.council)
            if to_the_council
            else None,
            "may_assign": rules.may_assign_seat(caller)
            and booking.status == BookingStatus.CONFIRMED,
            "history": history_rows(booking_history(caller=caller, booking=booking))
            if rules.may_read_history(caller, booking)
            else None,
        },
    )


@login_required
@require_POST
def booking_document_add(request, booking_id: int):
    caller = caller_for(request.user)
    booking = pack_selectors.pack_booking(caller=caller, booking_id=booking_id)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        added = form_write(
            form,
            lambda: pack_services.document_add(
                caller=caller, booking=booking, upload=upload, name=upload.name
            ),
        )
        if added.done:
            messages.success(
                request, f"{added.value.name} is added to the pre-reading; the peers are told."
            )
            return redirect(reverse("booking-detail", args=[booking.pk]) + "#pre-reading")
    return booking_page(request, booking, pack_form=form)

"""The participants' pages: the booker's list on its own page (reached from the booking page),
and, without signing in, a participant's answer page and pre-reading behind their signed links.
Opening a link only shows a page: only its buttons (POSTs) change anything."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone

from peers.selectors import caller_for
from scheduling.engine.refusals import Refusal
from sessions import rules, selectors
from sessions.packs.downloads import document_download
from sessions.packs.selectors import size_text
from sessions.participants import links, services
from sessions.participants import selectors as participant_selectors
from sessions.participants.forms import participant_rows, participants_posted
from sessions.participants.links import LinkInvalid
from sessions.session_words import session_title


@login_required
def booking_participants(request, booking_id: int):
    """Who will attend from the council: the list to change (add, remove, correct)."""
    caller = caller_for(request.user)
    booking = selectors.booking_get(caller=caller, booking_id=booking_id)
    rules.require(rules.may_manage_booking(caller, booking), "You cannot change this booking.")
    current = list(participant_selectors.participants_current(booking))
    people = current
    problems: list[str] = []
    if request.method == "POST":
        people = participants_posted(request.POST)
        try:
            services.participants_set(caller=caller, booking=booking, people=people)
        except ValidationError as error:
            problems = [text for texts in error.message_dict.values() for text in texts]
        except Refusal as refusal:
            problems = [refusal.detail]
        else:
            messages.success(
                request,
                "The list of who will attend is saved. Anyone added is sent the invitation; "
                "anyone removed is told they are no longer expected.",
            )
            return redirect(reverse("booking-detail", args=[booking.pk]) + "#participants")
    return render(
        request,
        "sessions/participants/booking_participants.html",
        {
            "booking": booking,
            "rows": participant_rows(people, extra=1 if people else 2),
            "filled": len(people),
            "problems": problems,
        },
        status=422 if problems else 200,
    )


def participant_answer(request, token: str):
    """The page behind a participant's answer link: the session, and a button per answer."""
    try:
        ticket = links.answer_ticket(token)
        participant, session = services.participant_for_answer(ticket)
    except LinkInvalid as invalid:
        return render(
            request,
            "sessions/participants/answer.html",
            {"heading": "This link cannot be used", "problem": invalid.message},
            status=410 if invalid.expired else 400,
        )
    except services.ParticipantAnswerRefused as refused:
        return render(
            request,
            "sessions/participants/answer.html",
            {"heading": "This link cannot be used", "problem": refused.detail},
            status=409,
        )
    context = {
        "participant": participant,
        "session": session,
        "title": session_title(session),
        "heading": "Will you attend?",
    }
    problem = services.participant_answer_problem(ticket)
    if problem is None and request.method == "POST":
        try:
            participant = services.participant_answer(
                ticket=ticket, answer=request.POST.get("answer", "")
            )
        except ValidationError as error:
            context["problem"] = " ".join(error.messages)
            return render(request, "sessions/participants/answer.html", context, status=422)
        except services.ParticipantAnswerRefused as refused:
            problem = refused
        else:
            context |= {
                "participant": participant,
                "done": True,
                "heading": f"Thank you: {participant.get_answer_display().lower()}",
            }
    if problem is not None:
        context |= {"heading": "This invitation cannot be answered here", "problem": problem.detail}
        return render(request, "sessions/participants/answer.html", context, status=409)
    return render(request, "sessions/participants/answer.html", context)


def _reading(token: str):
    ticket = links.reading_ticket(token)
    return participant_selectors.reading_participant(ticket, now=timezone.now())


def participant_pre_reading(request, token: str):
    """The booking's pre-reading for a participant, behind their signed link."""
    try:
        participant = _reading(token)
    except LinkInvalid as invalid:
        return render(
            request,
            "sessions/participants/answer.html",
            {"heading": "This link cannot be used", "problem": invalid.message},
            status=410 if invalid.expired else 400,
        )
    documents = [
        {
            "name": document.name,
            "size": size_text(document.size),
            "url": reverse("participant-document", args=[token, document.pk]),
        }
        for document in participant_selectors.reading_documents(participant)
    ]
    return render(
        request,
        "sessions/participants/pre_reading.html",
        {"participant": participant, "booking": participant.booking, "documents": documents},
    )


def participant_document(request, token: str, document_id: int):
    """One document for a participant, checked against their link each time."""
    try:
        participant = _reading(token)
    except LinkInvalid as invalid:
        return render(
            request,
            "sessions/participants/answer.html",
            {"heading": "This link cannot be used", "problem": invalid.message},
            status=410 if invalid.expired else 400,
        )
    return document_download(participant_selectors.reading_document(participant, document_id))


urlpatterns = [
    path(
        "bookings/<int:booking_id>/participants/",
        booking_participants,
        name="booking-participants",
    ),
    path("attend/<str:token>/", participant_answer, name="participant-answer"),
    path("pre-reading/<str:token>/", participant_pre_reading, name="participant-pre-reading"),
    path(
        "pre-reading/<str:token>/<int:document_id>/",
        participant_document,
        name="participant-document",
    ),
]

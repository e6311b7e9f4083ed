"""The pages after the panel: the feedback note (printable once final) with its forms and
the action plan, the progress review's booking, and the survey a peer answers from the link
in their letter (no sign-in: the link is the proof). Anyone who may not read a booking's note
is answered 404."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from peers.forms import form_write
from peers.selectors import caller_for
from scheduling.engine.refusals import Refusal
from sessions.feedback import selectors, services
from sessions.feedback.forms import ActionForm, ActionStatusForm, CheckForm, NoteForm
from sessions.feedback.models import review_of_panel
from sessions.feedback.pages import note_page
from sessions.feedback.selectors import review_offered

TEMPLATE = "sessions/feedback/note.html"


def _back(booking_id: int, anchor: str = ""):
    return redirect(reverse("feedback-note", args=[booking_id]) + anchor)


def _page(request, booking, status: int = 200, **forms):
    caller = caller_for(request.user)
    return render(request, TEMPLATE, note_page(caller, booking, **forms), status=status)


@login_required
def feedback_note(request, booking_id: int):
    caller = caller_for(request.user)
    return _page(request, selectors.feedback_booking(caller=caller, booking_id=booking_id))


@login_required
@require_POST
def note_save(request, booking_id: int):
    caller = caller_for(request.user)
    booking = selectors.feedback_booking(caller=caller, booking_id=booking_id)
    form = NoteForm(request.POST)
    send = "send" in request.POST
    if (
        form.is_valid()
        and form_write(
            form,
            lambda: services.note_save(
                caller=caller, booking=booking, send=send, **form.cleaned_data
            ),
        ).done
    ):
        messages.success(
            request, "The note is sent to the council to check." if send else "The note is saved."
        )
        return _back(booking.pk)
    return _page(request, booking, note_form=form)


@login_required
@require_POST
def note_check(request, booking_id: int):
    caller = caller_for(request.user)
    booking = selectors.feedback_booking(caller=caller, booking_id=booking_id)
    form = CheckForm(request.POST)
    if (
        form.is_valid()
        and form_write(
            form, lambda: services.note_check(caller=caller, booking=booking, **form.cleaned_data)
        ).done
    ):
        messages.success(request, "Thank you: the LGA lead is told of your answer.")
        return _back(booking.pk)
    return _page(request, booking, check_form=form)


@login_required
@require_POST
def note_final(request, booking_id: int):
    caller = caller_for(request.user)
    booking = selectors.feedback_booking(caller=caller, booking_id=booking_id)
    try:
        services.note_finalise(caller=caller, booking=booking)
    except Refusal as refusal:
        messages.error(request, refusal.detail)
    else:
        messages.success(request, "The note is final.")
    return _back(booking.pk)


@login_required
@require_POST
def action_add(request, booking_id: int):
    caller = caller_for(request.user)
    booking = selectors.feedback_booking(caller=caller, booking_id=booking_id)
    form = ActionForm(request.POST)
    if (
        form.is_valid()
        and form_write(
            form, lambda: services.action_add(caller=caller, booking=booking, **form.cleaned_data)
        ).done
    ):
        messages.success(request, "The action is added to the plan.")
        return _back(booking.pk, "#actions")
    return _page(request, booking, action_form=form)


@login_required
@require_POST
def action_status(request, action_id: int):
    caller = caller_for(request.user)
    action = selectors.action_get(caller=caller, action_id=action_id)
    form = ActionStatusForm(request.POST)
    if form.is_valid():
        services.action_change(caller=caller, action=action, status=form.cleaned_data["status"])
        messages.success(request, "The action's status is changed.")
    return _back(action.booking_id, "#actions")


@login_required
def progress_review(request, booking_id: int):
    """Booking the progress review is the booking journey, with the panel's peers preferred;
    this page says when it cannot be booked (not yet, or already)."""
    caller = caller_for(request.user)
    panel = selectors.review_panel_for(caller=caller, booking_id=booking_id)
    if review_offered(panel):
        query = urlencode({"review": panel.pk})
        return redirect(f"{reverse('booking-new', args=[panel.offer.slug])}?{query}")
    return render(
        request,
        "sessions/feedback/progress_review.html",
        {
            "booking": panel,
            "review": review_of_panel(panel),
            "opens_at": selectors.review_opens_at(panel),
        },
    )


def survey_answer(request, token: str):
    answered = services.survey_invitation_answered(token)
    if answered is None:
        return render(request, "sessions/feedback/survey.html", {"gone": True}, status=404)
    errors, done = {}, answered
    if request.method == "POST" and not answered:
        useful = request.POST.get("useful", "")
        recommend = request.POST.get("recommend", "")
        if useful not in {"1", "2", "3", "4", "5"}:
            errors["useful"] = "Choose how useful the session was, from 1 to 5."
        if recommend not in {"yes", "no"}:
            errors["recommend"] = "Say whether you would recommend it."
        if not errors:
            try:
                services.survey_answer(
                    token=token,
                    useful=int(useful),
                    recommend=recommend == "yes",
                    improve=request.POST.get("improve", ""),
                )
            except ValidationError as error:
                errors.update({k: " ".join(v) for k, v in error.message_dict.items()})
            except Refusal:
                pass  # answered meanwhile
            if not errors:
                done = True
    return render(
        request,
        "sessions/feedback/survey.html",
        {"done": done, "errors": errors, "posted": request.POST, "scores": range(1, 6)},
        status=422 if errors else 200,
    )


urlpatterns = [
    path("bookings/<int:booking_id>/feedback-note/", feedback_note, name="feedback-note"),
    path("bookings/<int:booking_id>/feedback-note/save/", note_save, name="feedback-note-save"),
    path("bookings/<int:booking_id>/feedback-note/check/", note_check, name="feedback-note-check"),
    path("bookings/<int:booking_id>/feedback-note/final/", note_final, name="feedback-note-final"),
    path("bookings/<int:booking_id>/actions/add/", action_add, name="action-add"),
    path("actions/<int:action_id>/status/", action_status, name="action-status"),
    path("bookings/<int:booking_id>/progress-review/", progress_review, name="progress-review"),
    path("survey/<str:token>/", survey_answer, name="survey-answer"),
]

"""What the pages show after the panel: the booking page's section (the note's stage, its
due date, the progress review), and the note's own page with what the reader may do."""

from django.urls import reverse

from peers.selectors import Caller
from sessions.feedback import selectors
from sessions.feedback.forms import ActionForm, CheckForm, NoteForm
from sessions.feedback.models import ActionStatus, NoteStatus, review_of_panel
from sessions.feedback.rules import (
    may_book_progress_review,
    may_check_note,
    may_draft_note,
    may_keep_actions,
    may_read_note,
    may_read_survey,
)
from sessions.models import Booking


def feedback_section(caller: Caller, booking: Booking) -> dict | None:
    """The booking page's "After the panel": None for whoever may not read the note, and
    before the panel has met (unless the booking is a progress review)."""
    if not may_read_note(caller, booking):
        return None
    reviewed = selectors.reviewed_panel(booking)
    if not selectors.panel_over(booking) and reviewed is None:
        return None
    drafter = may_draft_note(caller, booking)
    note = selectors.note_of(booking)
    readable = selectors.note_readable_by(note, drafter=drafter)
    return {
        "url": selectors.note_path(booking.pk),
        "note": note if readable else None,
        "over": selectors.panel_over(booking),
        "due_on": selectors.note_due_on(booking),
        "drafter": drafter,
        "open_actions": selectors.open_actions(booking).count(),
        "reviewed": reviewed,
        "reviewed_url": selectors.note_path(reviewed.pk) if reviewed else "",
        "review_url": reverse("progress-review", args=[booking.pk])
        if selectors.review_offered(booking) and may_book_progress_review(caller, booking)
        else "",
        "review": review_of_panel(booking),
    }


def note_page(caller: Caller, booking: Booking, **forms) -> dict:
    drafter = may_draft_note(caller, booking)
    note = selectors.note_of(booking)
    readable = selectors.note_readable_by(note, drafter=drafter)
    status = note.status if note else NoteStatus.DRAFT
    return {
        "booking": booking,
        "note": note if readable else None,
        "due_on": selectors.note_due_on(booking),
        "check_due_on": selectors.check_due_on(note) if note else None,
        "versions": list(note.versions.all()) if note and drafter else [],
        "may_write": drafter
        and status in (NoteStatus.DRAFT, NoteStatus.CHECKED)
        and selectors.panel_over(booking),
        "may_send": drafter and status == NoteStatus.DRAFT,
        "may_check": may_check_note(caller, booking) and status == NoteStatus.SENT and readable,
        "may_finalise": drafter and status in (NoteStatus.SENT, NoteStatus.CHECKED),
        "actions": list(selectors.booking_actions(booking)),
        "statuses": ActionStatus.choices,
        "may_keep_actions": may_keep_actions(caller, booking) and status == NoteStatus.FINAL,
        "survey": selectors.survey_figures(selectors.booking_sessions(booking))
        if may_read_survey(caller, booking)
        else None,
        "fewest_answers": selectors.FEWEST_ANSWERS,
        "note_form": forms.get("note_form")
        or NoteForm(
            initial={"heard": note.heard, "strengths": note.strengths, "consider": note.consider}
            if note
            else None
        ),
        "check_form": forms.get("check_form") or CheckForm(),
        "action_form": forms.get("action_form") or ActionForm(),
        "invalid": next((f for f in forms.values() if f is not None and f.errors), None),
    }

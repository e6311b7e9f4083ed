"""Writes after the panel: the note drafted, checked and finalised (a version kept at every
save), the council's actions added and changed, and the progress review booked.

Every refusal is made before anything is written; the letters go on commit, by the task
worker (letters.py), so nothing is sent for a change that rolled back.
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_q.tasks import async_task

from peers.selectors import Caller
from scheduling.engine.refusals import Refusal
from scheduling.engine.uk_time import LONDON
from sessions.feedback.letters import survey_invitation_of
from sessions.feedback.models import (
    Action,
    ActionStatus,
    FeedbackNote,
    NoteStatus,
    NoteVersion,
    ProgressReview,
    SurveyAnswer,
    SurveyInvitation,
)
from sessions.feedback.rules import (
    may_book_progress_review,
    may_check_note,
    may_draft_note,
    may_keep_actions,
    require,
)
from sessions.feedback.selectors import check_due_on, panel_over, review_offered, review_prefers
from sessions.models import Booking
from sessions.participants.services import booking_with_participants_create

REVIEW_BOOKED = "This panel's progress review is already booked."
COUNCIL_TASK = "sessions.feedback.tasks.tell_council"
LEAD_TASK = "sessions.feedback.tasks.tell_lead"
TEXT_MAX = 5000
NOTE_PARTS = {
    "heard": "what the panel heard",
    "strengths": "the strengths",
    "consider": "the things to consider",
}


class FeedbackRefused(Refusal):
    """The note or the plan is not at a stage where that can be done: nothing is changed."""

    status = 409


def _today(now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(LONDON).date()


def _who(caller: Caller) -> str:
    user = caller.user
    return (user.get_full_name() or user.username) if user.is_authenticated else ""


def _text(value: str, field: str, label: str, *, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: f"Enter {label}."})
    if len(value) > TEXT_MAX:
        raise ValidationError({field: f"Keep {label} to {TEXT_MAX:,} characters."})
    return value


def _version(note: FeedbackNote, caller: Caller, now: datetime | None) -> None:
    number = note.versions.count() + 1
    version = NoteVersion.objects.create(
        note=note,
        number=number,
        status=note.status,
        heard=note.heard,
        strengths=note.strengths,
        consider=note.consider,
        check_comments=note.check_comments,
        saved_by=_who(caller),
    )
    if now is not None:  # the insert stamps its own time
        NoteVersion.objects.filter(pk=version.pk).update(saved_at=now)


def _save(note: FeedbackNote, caller: Caller, now: datetime | None) -> None:
    """Save the note and keep the version; `now` dates both (and the history) when the
    caller says when the save happened (the demo's past panels)."""
    note._history_actor = _who(caller)
    if now is not None:
        note._history_date = now
    note.save()
    _version(note, caller, now)


# The note ---------------------------------------------------------------------------------


def note_save(
    *,
    caller: Caller,
    booking: Booking,
    heard: str,
    strengths: str,
    consider: str,
    send: bool = False,
    now: datetime | None = None,
) -> FeedbackNote:
    """The lead saves the note; `send` sends it to the council's bookers to check (all three
    parts written). Refused once it is with the council or final. The first save makes the
    note, so its history starts with what was written."""
    require(
        may_draft_note(caller, booking),
        "Only the panel's LGA lead and LGA staff can write the feedback note.",
    )
    if not panel_over(booking, now=now):
        raise FeedbackRefused("The feedback note is written once the panel has met.")
    parts = {
        field: _text(value, field, NOTE_PARTS[field], required=send)
        for field, value in (("heard", heard), ("strengths", strengths), ("consider", consider))
    }
    with transaction.atomic():
        # The booking's row is locked so that two first saves cannot both make the note; a
        # new note is made by its first save, so its history starts with what was written.
        Booking.objects.select_for_update().only("pk").get(pk=booking.pk)
        note = FeedbackNote.objects.filter(booking=booking).first() or FeedbackNote(booking=booking)
        if note.status == NoteStatus.FINAL:
            raise FeedbackRefused("The feedback note is final: it can no longer be changed.")
        if note.status == NoteStatus.SENT:
            raise FeedbackRefused(
                "The council is checking the feedback note: it can be changed once they answer."
            )
        for field, value in parts.items():
            setattr(note, field, value)
        # Sent again after the council's comments, it is final once the lead says so.
        if send and note.status == NoteStatus.DRAFT:
            note.status = NoteStatus.SENT
            note.sent_on = _today(now)
            transaction.on_commit(lambda: async_task(COUNCIL_TASK, note.pk), robust=True)
        _save(note, caller, now)
    return note


def note_check(
    *,
    caller: Caller,
    booking: Booking,
    comments: str = "",
    no_corrections: bool = False,
    now: datetime | None = None,
) -> FeedbackNote:
    """The council's booker answers the accuracy check: comments, or no corrections."""
    require(
        may_check_note(caller, booking),
        "Only the council's bookers can check the feedback note for accuracy.",
    )
    comments = _text(comments, "comments", "your comments", required=False)
    if bool(comments) == bool(no_corrections):
        raise ValidationError(
            {"comments": "Enter your comments on the note, or say it needs no corrections."}
        )
    with transaction.atomic():
        note = FeedbackNote.objects.select_for_update().filter(booking=booking).first()
        if note is None or note.status != NoteStatus.SENT:
            raise FeedbackRefused("The feedback note is not waiting for the council's check.")
        note.status = NoteStatus.CHECKED
        note.check_comments = comments
        note.checked_by = caller.user
        note.checked_at = now or timezone.now()
        _save(note, caller, now)
        transaction.on_commit(lambda: async_task(LEAD_TASK, note.pk), robust=True)
    return note


def note_finalise(*, caller: Caller, booking: Booking, now: datetime | None = None) -> FeedbackNote:
    """The lead makes the note final: once the council has checked it, or once its five
    working days to check have passed without an answer."""
    require(
        may_draft_note(caller, booking),
        "Only the panel's LGA lead and LGA staff can finalise the feedback note.",
    )
    with transaction.atomic():
        note = FeedbackNote.objects.select_for_update().filter(booking=booking).first()
        if note is None or note.status in (NoteStatus.DRAFT, NoteStatus.FINAL):
            raise FeedbackRefused("Only a note the council has been sent can be made final.")
        if note.status == NoteStatus.SENT and _today(now) <= check_due_on(note):
            raise FeedbackRefused(
                "The council has until the end of its check (five working days) to answer."
            )
        note.status = NoteStatus.FINAL
        note.finalised_at = now or timezone.now()
        _save(note, caller, now)
    return note


# The actions ------------------------------------------------------------------------------


def _action_fields(data: dict, *, partial: bool) -> dict:
    cleaned = {}
    if "what" in data or not partial:
        cleaned["what"] = _text(data.get("what", ""), "what", "the action", required=True)
    if "owner_name" in data or not partial:
        cleaned["owner_name"] = _text(
            data.get("owner_name", ""), "owner_name", "the owner's name", required=True
        )[:200]
    if "owner_email" in data or not partial:
        email = _text(
            data.get("owner_email", ""), "owner_email", "the owner's e-mail address", required=True
        )
        if "@" not in email.strip("@"):
            raise ValidationError(
                {"owner_email": "Enter the owner's e-mail address, like name@council.gov.uk."}
            )
        cleaned["owner_email"] = email.lower()
    if "due_on" in data or not partial:
        due = data.get("due_on")
        if not isinstance(due, date) or isinstance(due, datetime):
            raise ValidationError({"due_on": "Enter the date the action is due."})
        cleaned["due_on"] = due
    if "status" in data:
        if data["status"] not in ActionStatus.values:
            raise ValidationError({"status": "Choose open, in progress or done."})
        cleaned["status"] = data["status"]
    return cleaned


def _check_plan_open(booking: Booking) -> None:
    if not FeedbackNote.objects.filter(booking=booking, status=NoteStatus.FINAL).exists():
        raise FeedbackRefused("Actions are recorded from the final feedback note.")


def _keep(action: Action, caller: Caller, now: datetime | None) -> None:
    action._history_actor = _who(caller)
    if now is not None:  # the caller says when (the demo's past panels)
        action._history_date = now
    action.save()


@transaction.atomic
def action_add(*, caller: Caller, booking: Booking, now: datetime | None = None, **data) -> Action:
    require(
        may_keep_actions(caller, booking),
        "Only the council's bookers and LGA staff can record its actions.",
    )
    fields = _action_fields(data, partial=False)
    _check_plan_open(booking)
    action = Action(booking=booking, **fields)
    _keep(action, caller, now)
    return action


@transaction.atomic
def action_change(*, caller: Caller, action: Action, now: datetime | None = None, **data) -> Action:
    require(
        may_keep_actions(caller, action.booking),
        "Only the council's bookers and LGA staff can change its actions.",
    )
    fields = _action_fields(data, partial=True)
    action = Action.objects.select_for_update().get(pk=action.pk)
    if "due_on" in fields and fields["due_on"] != action.due_on:
        action.owner_reminded_at = None  # a new date is worth a new reminder
    for name, value in fields.items():
        setattr(action, name, value)
    _keep(action, caller, now)
    return action


# The progress review ----------------------------------------------------------------------


def progress_review_book(
    *,
    caller: Caller,
    panel: Booking,
    start: datetime,
    notes: str = "",
    shown: list[tuple[str, int]] | None = None,
    participants=(),
) -> Booking:
    """Book the panel's progress review at `start`: the same offer for the same council,
    seating the panel's own peers and lead where they are free and the rules allow
    (`review_prefers`). `shown` is the panel the booker was shown, as a booking takes it;
    `participants`, the council's people to invite, as the booking journey names them."""
    require(
        may_book_progress_review(caller, panel),
        "Only whoever manages the council's bookings can book its progress review.",
    )
    if ProgressReview.objects.filter(panel=panel).exists():
        raise FeedbackRefused(REVIEW_BOOKED)
    if not review_offered(panel):
        raise FeedbackRefused(
            "A progress review is booked about ten months after the panel (from nine months)."
        )
    said = f"Progress review of the panel {panel.reference}."
    try:
        with transaction.atomic():
            review = booking_with_participants_create(
                caller=caller,
                participants=participants,
                offer=panel.offer,
                council=panel.council,
                start=start,
                notes=f"{said}\n{notes}".strip() if notes else said,
                panel=shown,
                prefer=review_prefers(panel),
            )
            ProgressReview.objects.create(panel=panel, review=review)
    except IntegrityError:  # booked meanwhile by someone else: this booking rolled back
        raise FeedbackRefused(REVIEW_BOOKED) from None
    return review


# The survey -------------------------------------------------------------------------------

SURVEY_GONE = "This survey link has expired or does not work."


class SurveyAnswered(Refusal):
    status = 409


def survey_answer(*, token: str, useful: int, recommend: bool, improve: str = "") -> None:
    """Keep one anonymous answer and mark its invitation answered, in one transaction that
    stores nothing linking them: the answer has a random key and only the day."""
    invitation_id = survey_invitation_of(token)
    if invitation_id is None or not SurveyInvitation.objects.filter(pk=invitation_id).exists():
        raise FeedbackRefused(SURVEY_GONE)
    if useful not in range(1, 6):
        raise ValidationError({"useful": "Choose how useful the session was, from 1 to 5."})
    if recommend is None:
        raise ValidationError({"recommend": "Say whether you would recommend it."})
    improve = _text(improve, "improve", "one thing to improve", required=False)
    with transaction.atomic():
        claimed = SurveyInvitation.objects.filter(pk=invitation_id, answered=False).update(
            answered=True
        )
        if not claimed:
            raise SurveyAnswered("You have already answered this survey: thank you.")
        session_id = SurveyInvitation.objects.values_list("session_id", flat=True).get(
            pk=invitation_id
        )
        SurveyAnswer.objects.create(
            session_id=session_id,
            useful=useful,
            recommend=bool(recommend),
            improve=improve,
            answered_on=_today(),
        )


def survey_invitation_answered(token: str) -> bool | None:
    """Whether a link's survey is answered (None for a bad or expired link)."""
    invitation_id = survey_invitation_of(token)
    found = SurveyInvitation.objects.filter(pk=invitation_id).values_list("answered", flat=True)
    return found.first() if invitation_id is not None else None

"""The API after the panel: a booking's feedback note (read, saved, checked, finalised) and
its action plan. Anyone who may not read the booking's note is answered 404, as if it did not
exist; the rules are in rules.py."""

from datetime import date, datetime

from django.http import Http404
from ninja import Router, Schema, Status

from peers.schemas import BodyIn, Day
from peers.selectors import caller_for
from sessions.feedback import selectors, services
from sessions.feedback.models import Action, FeedbackNote
from sessions.feedback.rules import may_draft_note

router = Router(tags=["after the panel"])
REFUSED = {403: None, 404: None, 409: None}


class NoteOut(Schema):
    status: str
    heard: str
    strengths: str
    consider: str
    check_comments: str
    due_on: date | None
    check_due_on: date | None
    sent_on: date | None
    checked_at: datetime | None
    finalised_at: datetime | None
    versions: int


class NoteIn(BodyIn):
    heard: str = ""
    strengths: str = ""
    consider: str = ""
    send_for_check: bool = False


class CheckIn(BodyIn):
    comments: str = ""
    no_corrections: bool = False


class ActionIn(BodyIn):
    what: str
    owner_name: str
    owner_email: str
    due_on: Day


class ActionPatch(BodyIn):
    what: str | None = None
    owner_name: str | None = None
    owner_email: str | None = None
    due_on: Day | None = None
    status: str | None = None


class ActionOut(Schema):
    id: int
    booking: int
    what: str
    owner_name: str
    owner_email: str
    due_on: date
    status: str


def _note_out(booking, note: FeedbackNote) -> dict:
    return {
        "status": note.status,
        "heard": note.heard,
        "strengths": note.strengths,
        "consider": note.consider,
        "check_comments": note.check_comments,
        "due_on": selectors.note_due_on(booking),
        "check_due_on": selectors.check_due_on(note),
        "sent_on": note.sent_on,
        "checked_at": note.checked_at,
        "finalised_at": note.finalised_at,
        "versions": note.versions.count(),
    }


def _action_out(action: Action) -> dict:
    return {
        "id": action.pk,
        "booking": action.booking_id,
        "what": action.what,
        "owner_name": action.owner_name,
        "owner_email": action.owner_email,
        "due_on": action.due_on,
        "status": action.status,
    }


@router.get(
    "/bookings/{int:booking_id}/feedback-note",
    response={200: NoteOut},
    summary="A booking's feedback note (its panel, the council, its adviser, staff); the "
    "council and the peers see it once it is sent to be checked (404 before)",
)
def note_get(request, booking_id: int):
    caller = caller_for(request.user)
    booking = selectors.feedback_booking(caller=caller, booking_id=booking_id)
    note = selectors.note_of(booking)
    if not selectors.note_readable_by(note, drafter=may_draft_note(caller, booking)):
        raise Http404("No feedback note yet.")
    return _note_out(booking, note)


@router.put(
    "/bookings/{int:booking_id}/feedback-note",
    response={200: NoteOut, **REFUSED},
    summary="Save the feedback note (the panel's LGA lead, staff); `send_for_check` sends it "
    "to the council's bookers to check for factual accuracy",
    description="422 (`type: rule`): to send it, all three parts are written; each at most "
    "5,000 characters. 409: the panel has not met, the council is checking it, or it is final.",
)
def note_put(request, booking_id: int, body: NoteIn):
    caller = caller_for(request.user)
    booking = selectors.feedback_booking(caller=caller, booking_id=booking_id)
    note = services.note_save(
        caller=caller,
        booking=booking,
        heard=body.heard,
        strengths=body.strengths,
        consider=body.consider,
        send=body.send_for_check,
    )
    return _note_out(booking, note)


@router.post(
    "/bookings/{int:booking_id}/feedback-note/check",
    response={200: NoteOut, **REFUSED},
    summary="The council's answer to the accuracy check (its bookers): comments, or no "
    "corrections; the lead is told",
    description="422 (`type: rule`): comments or `no_corrections`, not both and not neither. "
    "409: the note is not waiting for the council's check.",
)
def note_check(request, booking_id: int, body: CheckIn):
    caller = caller_for(request.user)
    booking = selectors.feedback_booking(caller=caller, booking_id=booking_id)
    note = services.note_check(
        caller=caller, booking=booking, comments=body.comments, no_corrections=body.no_corrections
    )
    return _note_out(booking, note)


@router.post(
    "/bookings/{int:booking_id}/feedback-note/final",
    response={200: NoteOut, **REFUSED},
    summary="Make the feedback note final (the panel's LGA lead, staff)",
    description="409: the council has not answered and its five working days have not passed, "
    "or the note is a draft or already final.",
)
def note_final(request, booking_id: int):
    caller = caller_for(request.user)
    booking = selectors.feedback_booking(caller=caller, booking_id=booking_id)
    return _note_out(booking, services.note_finalise(caller=caller, booking=booking))


@router.get(
    "/bookings/{int:booking_id}/actions",
    response=list[ActionOut],
    summary="A booking's action plan (whoever may read its feedback note)",
)
def action_list(request, booking_id: int):
    caller = caller_for(request.user)
    booking = selectors.feedback_booking(caller=caller, booking_id=booking_id)
    return [_action_out(a) for a in selectors.booking_actions(booking)]


@router.post(
    "/bookings/{int:booking_id}/actions",
    response={201: ActionOut, **REFUSED},
    summary="Record an action from the final note (the council's bookers, staff)",
    description="422 (`type: rule`): every field written, an e-mail address. 409: the note is "
    "not final.",
)
def action_add(request, booking_id: int, body: ActionIn):
    caller = caller_for(request.user)
    booking = selectors.feedback_booking(caller=caller, booking_id=booking_id)
    action = services.action_add(caller=caller, booking=booking, **body.dict())
    return Status(201, _action_out(action))


@router.patch(
    "/actions/{int:action_id}",
    response={200: ActionOut, 403: None, 404: None},
    summary="Change an action: its words, owner, due date or status (`open`, `in_progress`, "
    "`done`) (the council's bookers, staff)",
    description="422 (`type: rule`): as when it is recorded; a status of those three.",
)
def action_patch(request, action_id: int, body: ActionPatch):
    caller = caller_for(request.user)
    action = selectors.action_get(caller=caller, action_id=action_id)
    data = {k: v for k, v in body.dict(exclude_unset=True).items() if v is not None}
    return _action_out(services.action_change(caller=caller, action=action, **data))

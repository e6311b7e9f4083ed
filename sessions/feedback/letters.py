"""The letters after the panel, each sent once: the council's bookers told a draft note is
ready to check, the lead told the council has answered, an action's owner reminded before its
due date, the bookers told at six weeks and three months what is still open, and the panel's
peers and the council's participants asked for the survey.

Each is queued on commit (services.py) or found by the hourly task (tasks.py), and claimed by
a conditional UPDATE or a unique row before it is sent, so two workers never both send it;
a claim is freed again if sending fails, so a retry can.
"""

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from scheduling.engine.uk_time import LONDON, day_text
from sessions.attendance.models import Attendance, AttendanceStatus
from sessions.feedback.models import (
    OPEN_ACTION_STATUSES,
    Action,
    FeedbackNote,
    FollowUp,
    FollowUpKind,
    NoteStatus,
    SurveyInvitation,
)
from sessions.feedback.selectors import check_due_on, note_path, open_actions
from sessions.mail.letters import Letter, letter_contact
from sessions.mail.links import absolute_url
from sessions.models import (
    Booking,
    BookingStatus,
    Seat,
    SeatStatus,
    Session,
    SessionStatus,
)
from sessions.participants.models import Participant, ParticipantAnswer
from sessions.rules import booking_leads

REMIND_BEFORE = timedelta(days=7)  # an action's owner is reminded a week before it is due
FOLLOW_UPS = (  # the latest due is sent; an earlier one not yet sent is then never sent
    (FollowUpKind.THREE_MONTHS, timedelta(weeks=13)),
    (FollowUpKind.SIX_WEEKS, timedelta(weeks=6)),
)
SURVEY_SALT = "sessions.feedback.survey"
SURVEY_DAYS = 14  # a survey link works for this long
SURVEY_WITHIN = timedelta(days=2)  # sessions that ended longer ago are not surveyed late


def _bookers(booking: Booking) -> list:
    return list(
        get_user_model()
        .objects.filter(booker__council_id=booking.council_id, is_active=True)
        .exclude(email="")
        .order_by("pk")
    )


def _name(user) -> str:
    return user.get_full_name() or user.username


def _title(booking: Booking) -> str:
    return f"{booking.offer.title} for {booking.council.name}"


def _claimed(model, pk: int, field: str) -> bool:
    return bool(
        model.objects.filter(pk=pk, **{f"{field}__isnull": True}).update(**{field: timezone.now()})
    )


def _send_or_free(model, pk: int, field: str, letters: list) -> int:
    try:
        for address, name, letter in letters:
            letter.message(address, name).send()
    except Exception:
        model.objects.filter(pk=pk).update(**{field: None})
        raise
    return len(letters)


def council_tell(*, note_id: int) -> int:
    """Tell the council's bookers that the draft note is ready to check, once."""
    if not _claimed(FeedbackNote, note_id, "council_told_at"):
        return 0
    note = FeedbackNote.objects.select_related("booking__council", "booking__offer").get(pk=note_id)
    booking = note.booking
    letters = [
        (
            user.email,
            _name(user),
            Letter(
                subject=f"Feedback note to check: {_title(booking)}",
                greeting=f"Dear {_name(user)},",
                paragraphs=(
                    f"The LGA lead of the {_title(booking)} has written the panel's feedback "
                    "note. Please check it for factual accuracy: send your comments, or say it "
                    "needs no corrections.",
                ),
                facts=(
                    ("Check it by", day_text(check_due_on(note))),
                    ("Booking reference", booking.reference),
                ),
                actions=(("Check the feedback note", absolute_url(note_path(booking.pk))),),
                contact=letter_contact(offer=booking.offer, council=booking.council),
            ),
        )
        for user in _bookers(booking)
    ]
    return _send_or_free(FeedbackNote, note_id, "council_told_at", letters)


def lead_tell(*, note_id: int) -> int:
    """Tell the panel's LGA lead that the council has answered the check, once."""
    if not _claimed(FeedbackNote, note_id, "lead_told_at"):
        return 0
    note = FeedbackNote.objects.select_related("booking__council", "booking__offer").get(pk=note_id)
    booking = note.booking
    answer = (
        "The council has sent comments on the note: please read them, change the note if "
        "they are right, and make it final."
        if note.check_comments
        else "The council says the note needs no corrections: you can make it final."
    )
    letters = [
        (
            peer.email,
            peer.name,
            Letter(
                subject=f"The council has checked the feedback note: {_title(booking)}",
                greeting=f"Dear {peer.name},",
                paragraphs=(answer,),
                facts=(("Booking reference", booking.reference),),
                actions=(("Read the council's answer", absolute_url(note_path(booking.pk))),),
                contact=letter_contact(offer=booking.offer, council=booking.council),
            ),
        )
        for peer in booking_leads(booking)
        if peer.email
    ]
    return _send_or_free(FeedbackNote, note_id, "lead_told_at", letters)


def notes_tell_unsent() -> int:
    """Send the note's letters that a lost task did not (a broker down when the note was sent
    or checked, a mail server refusing): each is claimed once, so never twice."""
    told = 0
    for note_id in FeedbackNote.objects.filter(
        status=NoteStatus.SENT, council_told_at__isnull=True
    ).values_list("pk", flat=True):
        told += council_tell(note_id=note_id)
    for note_id in FeedbackNote.objects.filter(
        status=NoteStatus.CHECKED, lead_told_at__isnull=True
    ).values_list("pk", flat=True):
        told += lead_tell(note_id=note_id)
    return told


def owners_remind(*, now: datetime | None = None) -> int:
    """Remind each open action's owner once, a week before the action is due."""
    now = now or timezone.now()
    today = now.astimezone(LONDON).date()
    due = Action.objects.filter(
        status__in=OPEN_ACTION_STATUSES,
        owner_reminded_at__isnull=True,
        due_on__gte=today,
        due_on__lte=today + REMIND_BEFORE,
    ).values_list("pk", flat=True)
    sent = 0
    for action_id in list(due):
        if not _claimed(Action, action_id, "owner_reminded_at"):
            continue
        action = Action.objects.select_related("booking__council", "booking__offer").get(
            pk=action_id
        )
        booking = action.booking
        letter = Letter(
            subject=f"An action is due on {day_text(action.due_on)}: {booking.council.name}",
            greeting=f"Dear {action.owner_name},",
            paragraphs=(
                f"{booking.council.name} named you as the owner of an action from the "
                f"feedback note of its {booking.offer.title}. It is due on "
                f"{day_text(action.due_on)}.",
            ),
            facts=(("Action", action.what), ("Status", action.get_status_display())),
            notes=("Ask the council's booker to mark it done once it is.",),
            contact=letter_contact(offer=booking.offer, council=booking.council),
        )
        sent += _send_or_free(
            Action, action_id, "owner_reminded_at", [(action.owner_email, "", letter)]
        )
    return sent


def _follow_up_letter(booking: Booking, kind: FollowUpKind, actions: list, user) -> Letter:
    when = "six weeks" if kind == FollowUpKind.SIX_WEEKS else "three months"
    return Letter(
        subject=f"Actions still open {when} after the panel: {_title(booking)}",
        greeting=f"Dear {_name(user)},",
        paragraphs=(
            f"It is {when} since the {_title(booking)}. These actions from its feedback note "
            "are still open:",
        ),
        facts=tuple(
            (f"Due {day_text(action.due_on)}", f"{action.what} ({action.owner_name})")
            for action in actions
        ),
        actions=(("See the action plan", absolute_url(note_path(booking.pk) + "#actions")),),
        contact=letter_contact(offer=booking.offer, council=booking.council),
    )


def follow_ups_send(*, now: datetime | None = None) -> int:
    """At six weeks and three months after the panel, tell the council's bookers what is
    still open: each once (a FollowUp row claims it), and only the latest one due."""
    now = now or timezone.now()
    sent = 0
    bookings = Booking.objects.filter(
        status=BookingStatus.CONFIRMED,
        actions__status__in=OPEN_ACTION_STATUSES,
    ).distinct()
    for booking in bookings.select_related("council", "offer"):
        ends = [s.end for s in booking.sessions.all() if s.status == SessionStatus.SCHEDULED]
        if not ends:
            continue
        end = max(ends)
        due = [kind for kind, after in FOLLOW_UPS if end + after <= now]
        if not due or FollowUp.objects.filter(booking=booking, kind=due[0]).exists():
            continue
        try:
            with transaction.atomic():
                for kind in due:
                    FollowUp.objects.get_or_create(booking=booking, kind=kind)
                claim = FollowUp.objects.get(booking=booking, kind=due[0])
        except IntegrityError:
            continue  # another worker claimed it
        actions = list(open_actions(booking))
        try:
            for user in _bookers(booking):
                _follow_up_letter(booking, due[0], actions, user).message(
                    user.email, _name(user)
                ).send()
                sent += 1
        except Exception:
            claim.delete()
            raise
    return sent


# The survey -------------------------------------------------------------------------------


def survey_token(invitation: SurveyInvitation) -> str:
    return signing.dumps(invitation.pk, salt=SURVEY_SALT)


def survey_invitation_of(token: str) -> int | None:
    """The invitation a link names, while it works; None for a bad or old link."""
    try:
        return int(signing.loads(token, salt=SURVEY_SALT, max_age=timedelta(days=SURVEY_DAYS)))
    except (signing.BadSignature, ValueError, TypeError):
        return None


def survey_people(session: Session) -> list[tuple[object, str, str]]:
    """(peer or None, address, name) of everyone asked, each address once: the session's
    seated peers and its LGA lead, then the booking's participants (those still on its list)
    but for anyone who was not there: recorded absent or covered by a stand-in, or who
    declined the invitation and was not recorded as attending after all."""
    seats = Seat.objects.filter(
        session=session, status=SeatStatus.ACCEPTED, peer__isnull=False
    ).select_related("peer")
    people = [(seat.peer, seat.peer.email, seat.peer.name) for seat in seats if seat.peer.email]
    recorded = dict(
        Attendance.objects.filter(session=session, participant__isnull=False).values_list(
            "participant_id", "status"
        )
    )
    for participant in Participant.objects.filter(
        booking_id=session.booking_id, removed_at__isnull=True
    ).exclude(email=""):
        status = recorded.get(participant.pk)
        if status in (AttendanceStatus.ABSENT, AttendanceStatus.STAND_IN):
            continue
        if status is None and participant.answer == ParticipantAnswer.DECLINED:
            continue
        people.append((None, participant.email, participant.name))
    # A participant who also holds a seat is asked once, as the peer.
    by_address: dict[str, tuple[object, str, str]] = {}
    for person in people:
        by_address.setdefault(person[1].lower(), person)
    return list(by_address.values())


def surveys_send(*, now: datetime | None = None) -> int:
    """Ask everyone on each panel session that has just ended for the survey, once each."""
    now = now or timezone.now()
    sessions = Session.objects.filter(
        booking__status=BookingStatus.CONFIRMED,
        status=SessionStatus.SCHEDULED,
        end__lte=now,
        end__gt=now - SURVEY_WITHIN,
    ).select_related("booking__council", "offer")
    sent = 0
    for session in sessions:
        for peer, email, name in survey_people(session):
            invitation, created = SurveyInvitation.objects.get_or_create(
                session=session, email=email.lower(), defaults={"peer": peer, "name": name}
            )
            if not created:
                continue
            url = absolute_url(reverse("survey-answer", args=[survey_token(invitation)]))
            booking = session.booking
            letter = Letter(
                subject=f"Three questions about the {_title(booking)}",
                greeting=f"Dear {name},",
                paragraphs=(
                    f"Thank you for taking part in the {_title(booking)}. Three short "
                    "questions help the LGA improve its panels. Your answers are anonymous: "
                    "the service records that you answered, not what you answered.",
                ),
                actions=((("Answer the survey"), url),),
                notes=(f"The link works for {SURVEY_DAYS} days.",),
                contact=letter_contact(offer=booking.offer, council=booking.council),
            )
            try:
                letter.message(email, name).send()
            except Exception:
                invitation.delete()  # asked again by the next run
                raise
            sent += 1
    return sent

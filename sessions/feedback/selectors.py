"""Reads after the panel: the booking as its reader may see it (anyone else is told it does
not exist), when the panel ended and what is due when, the note and its versions, the actions,
the survey's figures (none from fewer than five answers) and the progress review."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Avg, Count, Max, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from peers.selectors import Caller
from scheduling.engine.availability import working_day_after
from scheduling.engine.uk_time import LONDON
from sessions.feedback.models import (
    OPEN_ACTION_STATUSES,
    Action,
    FeedbackNote,
    NoteStatus,
    SurveyAnswer,
    review_of_panel,
)
from sessions.feedback.rules import may_book_progress_review, may_read_note, require
from sessions.models import Booking, BookingStatus, Session, SessionStatus
from sessions.seat_plan import booking_keep

NOT_FOUND = "No such booking or action."
NOTE_DAYS = 10  # working days after the panel for the lead's draft
CHECK_DAYS = 5  # working days after it is sent for the council's check
REVIEW_FROM = timedelta(weeks=39)  # the progress review is offered nine months on, for ten
FEWEST_ANSWERS = 5  # figures from fewer answers are not shown: they could point to a person


def feedback_booking(*, caller: Caller, booking_id: int) -> Booking:
    """The booking whose note and actions the caller may read; anyone else gets 404."""
    booking = Booking.objects.select_related("council", "offer").filter(pk=booking_id).first()
    if booking is None or not may_read_note(caller, booking):
        raise Http404(NOT_FOUND)
    return booking


def action_get(*, caller: Caller, action_id: int) -> Action:
    action = Action.objects.select_related("booking__council").filter(pk=action_id).first()
    if action is None or not may_read_note(caller, action.booking):
        raise Http404(NOT_FOUND)
    return action


def panel_end(booking: Booking) -> datetime | None:
    """When the booking's last scheduled session ends (None without one)."""
    return booking.sessions.filter(status=SessionStatus.SCHEDULED).aggregate(end=Max("end"))["end"]


def panel_over(booking: Booking, *, now: datetime | None = None) -> bool:
    """A confirmed booking whose sessions have all ended: the time for feedback."""
    end = panel_end(booking)
    return (
        booking.status == BookingStatus.CONFIRMED
        and end is not None
        and end <= (now or timezone.now())
    )


def _uk_date(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


def note_due_after(end: datetime) -> date:
    """The lead's draft is due ten working days after the panel ended (England's bank
    holidays)."""
    return working_day_after(_uk_date(end), NOTE_DAYS)


def note_due_on(booking: Booking) -> date | None:
    end = panel_end(booking)
    return note_due_after(end) if end else None


def check_due_on(note: FeedbackNote) -> date | None:
    """The council's check is due five working days after the note was sent to it."""
    return working_day_after(note.sent_on, CHECK_DAYS) if note.sent_on else None


def note_of(booking: Booking) -> FeedbackNote | None:
    return FeedbackNote.objects.filter(booking=booking).first()


def note_readable_by(note: FeedbackNote | None, *, drafter: bool) -> bool:
    """The council and the panel read the note once it is sent to be checked; the lead and
    staff (who write it) read it from the first draft."""
    return note is not None and (drafter or note.status != NoteStatus.DRAFT)


def booking_actions(booking: Booking):
    return Action.objects.filter(booking=booking).order_by("due_on", "id")


def open_actions(booking: Booking):
    return booking_actions(booking).filter(status__in=OPEN_ACTION_STATUSES)


def note_path(booking_id: int) -> str:
    return reverse("feedback-note", args=[booking_id])


@dataclass(frozen=True)
class SurveyFigures:
    answers: int
    shown: bool  # False below FEWEST_ANSWERS: only the count is given
    useful_average: float | None = None
    recommend_share: int | None = None  # per cent
    improvements: tuple[str, ...] = ()


def survey_figures(sessions) -> SurveyFigures:
    """The survey's figures for some sessions (a booking's): shown from five answers."""
    answers = SurveyAnswer.objects.filter(session__in=sessions)
    totals = answers.aggregate(
        n=Count("id"), useful=Avg("useful"), recommend=Count("id", filter=Q(recommend=True))
    )
    n = totals["n"]
    if n < FEWEST_ANSWERS:
        return SurveyFigures(answers=n, shown=False)
    improvements = tuple(
        text for text in answers.order_by("id").values_list("improve", flat=True) if text.strip()
    )
    return SurveyFigures(
        answers=n,
        shown=True,
        useful_average=round(totals["useful"], 1),
        recommend_share=round(100 * totals["recommend"] / n),
        improvements=improvements,
    )


def booking_sessions(booking: Booking):
    return Session.objects.filter(booking=booking, status=SessionStatus.SCHEDULED)


def review_offered(booking: Booking, *, now: datetime | None = None) -> bool:
    """Nine months after the panel, its council is offered a progress review (once)."""
    now = now or timezone.now()
    end = panel_end(booking)
    return (
        panel_over(booking, now=now)
        and end + REVIEW_FROM <= now
        and review_of_panel(booking) is None
        and getattr(booking, "review_of", None) is None
    )


def review_opens_at(booking: Booking) -> datetime | None:
    """When the panel's progress review is first offered: nine months after it ended."""
    end = panel_end(booking)
    return end + REVIEW_FROM if end is not None else None


def review_panel_for(*, caller: Caller, booking_id: int) -> Booking:
    """The panel whose progress review the caller is booking: 404 for whoever may not read it,
    refused for whoever reads it but does not manage the council's bookings."""
    panel = feedback_booking(caller=caller, booking_id=booking_id)
    require(
        may_book_progress_review(caller, panel),
        "Only whoever manages the council's bookings can book its progress review.",
    )
    return panel


def review_prefers(panel: Booking) -> dict[tuple[str, int], int]:
    """Whom a progress review seats first: the panel's own peers and lead, in their seats
    (continuity), weighed as a move keeps its seats. The slot search, its pages and the
    booking all ask this one function."""
    return booking_keep(panel)


def reviewed_panel(booking: Booking) -> Booking | None:
    """The earlier panel a progress review booking reviews, if it is one."""
    review = getattr(booking, "review_of", None)
    return review.panel if review is not None else None

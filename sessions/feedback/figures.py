"""The feedback figures of the programme dashboard (sessions/programme/figures.py), over the
councils the caller's dashboard covers and the panels whose first session started in the
period, as the dashboard places a booking:

- Notes: the panels over (every session ended), how many have their note final, and how many
  drafts are past their due date (no note sent to the council ten working days after).
- The actions from those panels' notes: on track (open or in progress, not yet due), overdue
  and done.
- The survey by offer: answers, the average usefulness and the share who would recommend, from
  `survey_figures`, the one place that decides what fewer than FEWEST_ANSWERS answers may show
  (their count only). No total across the offers is given: beside the offers' figures it would
  give away those of an offer with fewer answers.
"""

from datetime import datetime

from django.db.models import Count, Max, Min, Q

from scheduling.engine.uk_time import LONDON
from sessions.feedback.models import (
    OPEN_ACTION_STATUSES,
    Action,
    ActionStatus,
    NoteStatus,
    SurveyAnswer,
)
from sessions.feedback.selectors import FEWEST_ANSWERS, note_due_after, survey_figures
from sessions.models import Booking, BookingStatus, Offer, Session, SessionStatus

UNSENT = (None, NoteStatus.DRAFT)  # no note yet, or one the council has not been sent


def _councils(council_ids: frozenset[int] | None, lookup: str) -> Q:
    return Q() if council_ids is None else Q(**{f"{lookup}__in": council_ids})


def feedback_figures(
    *, council_ids: frozenset[int] | None, start: datetime, end: datetime, now: datetime
) -> dict:
    """`council_ids`: the dashboard's scope (None for every council); [start, end): its period."""
    today = now.astimezone(LONDON).date()
    scheduled = Q(sessions__status=SessionStatus.SCHEDULED)
    panels = list(
        Booking.objects.filter(_councils(council_ids, "council"), status=BookingStatus.CONFIRMED)
        .annotate(
            first_start=Min("sessions__start"), last_end=Max("sessions__end", filter=scheduled)
        )
        .filter(first_start__gte=start, first_start__lt=end, last_end__lte=now)
        .values_list("pk", "last_end", "feedback_note__status")
    )
    final = sum(1 for _, _, status in panels if status == NoteStatus.FINAL)
    overdue = sum(
        1 for _, ended, status in panels if status in UNSENT and note_due_after(ended) < today
    )
    actions = Action.objects.filter(booking_id__in=[pk for pk, _, _ in panels])
    still_open = Q(status__in=OPEN_ACTION_STATUSES)
    counts = actions.aggregate(
        on_track=Count("id", filter=still_open & Q(due_on__gte=today)),
        overdue=Count("id", filter=still_open & Q(due_on__lt=today)),
        done=Count("id", filter=Q(status=ActionStatus.DONE)),
    )
    return {
        "notes": {
            "panels": len(panels),
            "final": final,
            "share_final": final / len(panels) if panels else None,
            "drafts_overdue": overdue,
        },
        "actions": counts,
        "survey": survey_by_offer(council_ids=council_ids, start=start, end=end),
        "survey_fewest_answers": FEWEST_ANSWERS,
    }


def survey_by_offer(*, council_ids: frozenset[int] | None, start: datetime, end: datetime) -> list:
    """Each offer whose booked sessions in the period have survey answers, in the catalogue's
    order, with what `survey_figures` shows of them (never the answers' words)."""
    sessions = Session.objects.filter(
        _councils(council_ids, "booking__council"),
        booking__isnull=False,
        start__gte=start,
        start__lt=end,
    )
    answered = SurveyAnswer.objects.filter(session__in=sessions).values("session__offer_id")
    rows = []
    for offer in Offer.objects.filter(pk__in=answered).order_by("order", "title"):
        figures = survey_figures(sessions.filter(offer=offer))
        rows.append(
            {
                "offer": offer.slug,
                "label": offer.title,
                "answers": figures.answers,
                "shown": figures.shown,
                "useful_average": figures.useful_average,
                "recommend_share": figures.recommend_share,
            }
        )
    return rows

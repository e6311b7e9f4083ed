"""The learning figures of the programme dashboard (sessions/programme/figures.py): the share
of panels whose learning was captured within CAPTURE_DAYS of the session, and the themes most
often raised this quarter. Counted over the councils the caller's dashboard covers."""

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Min, Q

from scheduling.engine.uk_time import LONDON
from sessions.learning.models import LearningPoint, Theme
from sessions.models import BookingStatus, Seat, SeatStatus, Session, SessionStatus

CAPTURE_DAYS = 10


def quarter_start(day: date) -> date:
    return day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)


def learning_figures(
    *, council_ids: frozenset[int] | None, start: datetime, end: datetime, now: datetime
) -> dict:
    """`council_ids`: the dashboard's scope (None for every council); panels are those whose session started in [start, end) and ended CAPTURE_DAYS ago or more
    (a later one may still be captured in time)."""
    panels = (
        Session.objects.filter(
            Q() if council_ids is None else Q(booking__council_id__in=council_ids),
            booking__status=BookingStatus.CONFIRMED,
            status=SessionStatus.SCHEDULED,
            start__gte=start,
            start__lt=end,
            end__lte=now - timedelta(days=CAPTURE_DAYS),
            seats__status=SeatStatus.ACCEPTED,
        )
        .distinct()
        .values_list("pk", "end")
    )
    ends = dict(panels)
    first = dict(
        Seat.objects.filter(session_id__in=ends, learning_points__isnull=False)
        .values("session_id")
        .annotate(first=Min("learning_points__created_at"))
        .values_list("session_id", "first")
    )
    within = timedelta(days=CAPTURE_DAYS)
    captured = sum(1 for pk, ended in ends.items() if pk in first and first[pk] - ended <= within)
    today = now.astimezone(LONDON).date()
    quarter = datetime.combine(quarter_start(today), time(0), LONDON).astimezone(UTC)
    raised = Counter(
        LearningPoint.objects.filter(
            Q() if council_ids is None else Q(booking__council_id__in=council_ids),
            created_at__gte=quarter,
        ).values_list("theme", flat=True)
    )
    return {
        "panels": len(ends),
        "captured": captured,
        "share_captured": captured / len(ends) if ends else None,
        "quarter_from": quarter_start(today),
        "themes": [
            {"theme": theme, "label": Theme(theme).label, "points": n}
            for theme, n in sorted(raised.items(), key=lambda item: (-item[1], item[0]))
        ],
    }

"""Background work for peers. Tasks are thin: they take ids and call services."""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django_q.tasks import async_task

from peers import free_time, services
from peers.models import BusyCalendar


def refresh_busy_calendar(calendar_id: int) -> None:
    services.busy_calendar_refresh(calendar_id=calendar_id)


def refresh_busy_calendars() -> int:
    """Queue a refresh of every feed, and a re-expansion of files not expanded today (hourly)."""
    stale = timezone.now() - timedelta(days=1)
    ids = list(
        BusyCalendar.objects.filter(
            Q(source=BusyCalendar.Source.URL)
            | Q(imported_at__lt=stale)
            | Q(imported_at__isnull=True)
        ).values_list("id", flat=True)
    )
    for calendar_id in ids:
        async_task("peers.tasks.refresh_busy_calendar", calendar_id)
    return len(ids)


def roll_free_time_forward() -> int:
    """Move every peer's kept free time on to today's window (daily)."""
    return free_time.free_time_roll_forward()

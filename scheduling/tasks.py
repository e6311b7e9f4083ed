"""The wiring's own task: the worker's heartbeat (scheduled every minute by a migration)."""

from django.utils import timezone

from scheduling.models import WorkerHeartbeat


def heartbeat() -> str:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(pk=1, defaults={"beat_at": now})
    return now.isoformat()

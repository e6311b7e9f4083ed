"""The wiring's own record: the task worker's heartbeat, read by /readyz."""

from django.db import models


class WorkerHeartbeat(models.Model):
    """One row, written every minute by a scheduled task (scheduling.tasks.heartbeat): when a
    worker last took a task off the queue and ran it."""

    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Worker alive at {self.beat_at:%Y-%m-%d %H:%M:%S}"

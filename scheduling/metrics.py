"""Prometheus metrics (the official client, prometheus-client): request latency by view
(observed by scheduling/request_log.py), the
outbox's length and oldest age, failed tasks, the worker's heartbeat age, and the slot search's
time (observed where it runs, sessions/pool.py).

The figures read from the database are collected when scraped, so every process answers the
same. With several processes (gunicorn), set PROMETHEUS_MULTIPROC_DIR to an empty folder
shared by them and the latency histograms are summed across them.

/metrics answers signed-in staff, or a scraper that sends `Authorization: Bearer
<METRICS_TOKEN>`; everyone else is refused.
"""

import hmac
import os

import prometheus_client
from django.conf import settings
from django.db.models import Min, Q
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django_q.models import Failure
from prometheus_client import CollectorRegistry, multiprocess
from prometheus_client.core import GaugeMetricFamily

from scheduling.models import WorkerHeartbeat
from sessions.models import Invite, InviteStatus

UNSENT = (InviteStatus.PENDING, InviteStatus.FAILED, InviteStatus.SENDING)


def outbox_unsent(now) -> tuple[int, float]:
    """How many messages wait to be sent, and how long the oldest that is due has waited."""
    unsent = Invite.objects.filter(status__in=UNSENT)
    due = unsent.filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    oldest = due.aggregate(oldest=Min("created_at"))["oldest"]
    return unsent.count(), (now - oldest).total_seconds() if oldest else 0.0


class ProgrammeCollector:
    """The figures kept in the database, read at each scrape."""

    NAMES = (
        "lga_outbox_unsent_messages",
        "lga_outbox_oldest_unsent_age_seconds",
        "lga_task_failures",
        "lga_worker_heartbeat_age_seconds",
    )

    def describe(self):
        # Registering asks for the names; without this it would query the database then.
        return [GaugeMetricFamily(name, "") for name in self.NAMES]

    def collect(self):
        now = timezone.now()
        count, age = outbox_unsent(now)
        yield GaugeMetricFamily("lga_outbox_unsent_messages", "Messages not yet sent.", count)
        yield GaugeMetricFamily(
            "lga_outbox_oldest_unsent_age_seconds", "How long the oldest due message waited.", age
        )
        yield GaugeMetricFamily(
            "lga_task_failures", "Failed tasks kept by the task queue.", Failure.objects.count()
        )
        beat = WorkerHeartbeat.objects.values_list("beat_at", flat=True).first()
        yield GaugeMetricFamily(
            "lga_worker_heartbeat_age_seconds",
            "Seconds since the task worker's last heartbeat (-1: none yet).",
            (now - beat).total_seconds() if beat else -1,
        )


_programme = ProgrammeCollector()
prometheus_client.REGISTRY.register(_programme)


def metrics_registry() -> CollectorRegistry:
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        return prometheus_client.REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    registry.register(_programme)
    return registry


def may_read_metrics(request) -> bool:
    if request.user.is_authenticated and request.user.is_staff:
        return True
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


def metrics(request):
    if not may_read_metrics(request):
        status = 403 if request.user.is_authenticated else 401
        response = JsonResponse({"detail": "Staff or the metrics token only."}, status=status)
        if status == 401:
            response["WWW-Authenticate"] = "Bearer"
        return response
    return HttpResponse(
        prometheus_client.generate_latest(metrics_registry()),
        content_type=prometheus_client.CONTENT_TYPE_LATEST,
    )

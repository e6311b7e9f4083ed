"""Health for a load balancer and monitoring, in JSON with no personal data and no secrets.

/healthz: the process answers (liveness). /readyz: it can do its work: the database, the
cache and the task broker answer, a worker has beaten within HEALTH_HEARTBEAT_SECONDS
(scheduling.tasks.heartbeat, every minute), and the oldest due message in the outbox has
waited less than HEALTH_OUTBOX_SECONDS. 503 when any is not so. A check that fails says
only the kind of error, never its message (which can name hosts or users).
"""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django_q.brokers import get_broker

from scheduling.metrics import outbox_unsent
from scheduling.models import WorkerHeartbeat


def _database(now) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"ok": True}


def _cache(now) -> dict:
    key, value = "readyz", uuid.uuid4().hex
    cache.set(key, value, timeout=30)
    return {"ok": cache.get(key) == value}


def _broker(now) -> dict:
    broker = get_broker()
    broker.ping()
    return {"ok": True, "queued": broker.queue_size()}


def _worker(now) -> dict:
    beat = WorkerHeartbeat.objects.values_list("beat_at", flat=True).first()
    if beat is None:
        return {"ok": False, "age_seconds": None}
    age = (now - beat).total_seconds()
    return {"ok": age <= settings.HEALTH_HEARTBEAT_SECONDS, "age_seconds": round(age)}


def _outbox(now) -> dict:
    count, age = outbox_unsent(now)
    return {
        "ok": age <= settings.HEALTH_OUTBOX_SECONDS,
        "unsent": count,
        "oldest_age_seconds": round(age),
    }


CHECKS = {
    "database": _database,
    "cache": _cache,
    "broker": _broker,
    "worker": _worker,
    "outbox": _outbox,
}


def readiness(now=None) -> dict[str, dict]:
    now = now or timezone.now()
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check(now)
        except Exception as error:  # any failure to answer is "not ready"
            results[name] = {"ok": False, "error": type(error).__name__}
    return results


@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    checks = readiness()
    ready = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks},
        status=200 if ready else 503,
    )

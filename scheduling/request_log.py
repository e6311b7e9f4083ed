"""Structured logs: one JSON line per request, and a request id that follows the work.

Each request gets an id (the proxy's X-Request-ID when it is a plain token, else a new one),
answered in the X-Request-ID header and held in a context variable while it runs. Every log
line written meanwhile carries it (`RequestIdFilter`, `JsonLineFormatter`); a task queued by
the request carries it to the worker (django-q2's pre_enqueue and pre_execute signals), so the
task's log lines name it too; and an outbox entry (an Invite) written by either records it.

The request line names the view's route, never the path: a path can hold a private feed's
token or an e-mailed link's signature. No names, addresses or query strings are logged.
"""

import json
import logging
import re
import time
import uuid
from contextvars import ContextVar

from django.db.models.signals import pre_save
from prometheus_client import Histogram

request_id: ContextVar[str] = ContextVar("request_id", default="")

logger = logging.getLogger("scheduling.requests")

# Served at /metrics (scheduling/metrics.py).
REQUEST_LATENCY = Histogram(
    "lga_request_latency_seconds",
    "Time to answer a request, by view and method.",
    ["view", "method"],
)

_TOKEN = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def current_request_id() -> str:
    return request_id.get()


def route_of(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return match.route or match.view_name or "unmatched"


def view_of(request) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None and match.view_name else "unmatched"


class RequestLogMiddleware:
    """Outermost: gives the request its id and writes its one line when it is answered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        rid = given if _TOKEN.match(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        request.request_id = rid  # for lines written after the answer (django.request's)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = rid
            elapsed = time.perf_counter() - started
            REQUEST_LATENCY.labels(view=view_of(request), method=request.method).observe(elapsed)
            logger.info(
                "request",
                extra={
                    "method": request.method,
                    "route": route_of(request),
                    "view": view_of(request),
                    "status": response.status_code,
                    "duration_ms": round(elapsed * 1000, 1),
                },
            )
            return response
        finally:
            request_id.reset(token)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


# The attributes every LogRecord has; anything else on a record was given as `extra`.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}


class JsonLineFormatter(logging.Formatter):
    """A record as one line of JSON: time, level, logger, message, request id and extras.

    A record that carries the request (Django's own "Not Found: /path" lines) is written with
    the route instead of the path and without the request itself, whose path and query may hold
    a token."""

    def format(self, record: logging.LogRecord) -> str:
        request = getattr(record, "request", None)
        message = record.getMessage()
        rid = getattr(record, "request_id", "") or current_request_id()
        if request is not None:
            message = f"{getattr(record, 'status_code', '')} {route_of(request)}".strip()
            rid = rid or getattr(request, "request_id", "")
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": message,
            "request_id": rid,
        }
        line |= {k: v for k, v in vars(record).items() if k not in _STANDARD and k != "request"}
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


JsonLineFormatter.converter = time.gmtime


def task_request_id_attach(sender, task, **kwargs):
    """A task queued while a request (or another task) runs carries its id to the worker."""
    rid = current_request_id()
    if rid:
        task["request_id"] = rid


def task_request_id_adopt(sender, func, task, **kwargs):
    """In the worker, the task's log lines and outbox entries name the id it was queued with,
    or the task's own id when nothing queued it (a schedule)."""
    request_id.set(task.get("request_id") or f"task-{task.get('id', '')}")


def outbox_request_id_record(sender, instance, **kwargs):
    if not instance.request_id:
        instance.request_id = current_request_id()


def request_log_connect(invite_model) -> None:
    """Connect the signal receivers (scheduling.apps, when the project starts)."""
    # Imported here: django_q's signals load its models, and this module is loaded with the
    # logging configuration, before the apps are.
    from django_q.signals import pre_enqueue, pre_execute

    pre_enqueue.connect(task_request_id_attach, dispatch_uid="request_log.attach")
    pre_execute.connect(task_request_id_adopt, dispatch_uid="request_log.adopt")
    pre_save.connect(
        outbox_request_id_record, sender=invite_model, dispatch_uid="request_log.invite"
    )

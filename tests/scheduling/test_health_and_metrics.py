"""Health for the load balancer (/healthz, /readyz), the metrics endpoint, and the structured
request log whose id follows the work into tasks and the outbox."""

import json
import logging
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.models import Schedule
from django_q.signals import pre_execute
from django_q.signing import SignedPackage

from scheduling.models import WorkerHeartbeat
from scheduling.request_log import JsonLineFormatter, request_id
from scheduling.tasks import heartbeat
from sessions.models import Invite
from tests.factories import (
    PANEL,
    a_signed_in_panel,
    a_webinar,
    bookable_day,
    london,
    make_user,
    register,
)

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.django_db
def test_liveness_answers_without_the_database_being_asked(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_ready_when_everything_answers_and_not_when_the_worker_or_outbox_lags():
    beat = Schedule.objects.get(func="scheduling.tasks.heartbeat")
    assert (beat.schedule_type, beat.minutes, beat.repeats) == (Schedule.MINUTES, 1, -1)
    client = Client()
    response = client.get("/readyz")
    assert response.status_code == 503  # no worker has beaten yet
    assert response.json()["checks"]["worker"] == {"ok": False, "age_seconds": None}

    heartbeat()
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert {name: c["ok"] for name, c in response.json()["checks"].items()} == {
        "database": True,
        "cache": True,
        "broker": True,
        "worker": True,
        "outbox": True,
    }

    # A worker silent for longer than allowed: not ready.
    WorkerHeartbeat.objects.update(beat_at=timezone.now() - timedelta(minutes=6))
    assert client.get("/readyz").status_code == 503
    heartbeat()
    # A message waiting too long: not ready; the answer names no one.
    register(a_webinar(days=10), "waiting.person@example.org", name="Waiting Person")
    Invite.objects.update(created_at=timezone.now() - timedelta(hours=1))
    response = client.get("/readyz")
    assert response.status_code == 503
    outbox = response.json()["checks"]["outbox"]
    assert outbox["ok"] is False and outbox["unsent"] == 1 and outbox["oldest_age_seconds"] >= 3600
    assert b"waiting" not in response.content.lower()


def readyz_in_a_process(**env) -> tuple[int, dict]:
    """GET /readyz in a fresh process with its own environment (e.g. a broker or database
    that is down), against the test database."""
    script = (
        "import django, json, os;"
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'scheduling.settings';"
        "django.setup();"
        "from django.test import Client;"
        "r = Client().get('/readyz');"
        "print(json.dumps([r.status_code, r.json()]))"
    )
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**base, "LOG_LEVEL": "CRITICAL", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    status, body = json.loads(result.stdout.strip().splitlines()[-1])
    return status, body


def this_database() -> dict:
    database = django_settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        return {"SQLITE_PATH": database["NAME"]}
    return {
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
        f"{database['NAME']}"
    }


@pytest.mark.django_db(transaction=True)
def test_not_ready_with_the_broker_stopped_or_the_database_unreachable():
    heartbeat()
    status, body = readyz_in_a_process(**this_database())
    assert status == 200, body
    # Redis on a port where nothing listens: the broker and the cache are down.
    status, body = readyz_in_a_process(**this_database(), REDIS_URL="redis://127.0.0.1:9/4")
    assert status == 503
    assert body["checks"]["broker"] == {"ok": False, "error": "ConnectionError"}
    assert body["checks"]["database"] == {"ok": True}
    # The database unreachable.
    status, body = readyz_in_a_process(DATABASE_URL="postgres://postgres@127.0.0.1:9/lga_down")
    assert status == 503
    assert body["checks"]["database"] == {"ok": False, "error": "OperationalError"}
    assert "127.0.0.1" not in json.dumps(body) and "postgres" not in json.dumps(body)


@pytest.mark.django_db
def test_metrics_refuse_the_anonymous_and_answer_staff_and_the_token(settings):
    settings.METRICS_TOKEN = "scrape-secret-for-tests"
    client = Client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    client.force_login(make_user())
    assert client.get("/metrics").status_code == 403
    scraper = Client().get("/metrics", headers={"Authorization": "Bearer scrape-secret-for-tests"})
    assert scraper.status_code == 200
    staff = Client()
    staff.force_login(make_user(is_staff=True))
    body = staff.get("/metrics").content.decode()
    for name in (
        "lga_outbox_unsent_messages",
        "lga_outbox_oldest_unsent_age_seconds",
        "lga_task_failures",
        "lga_slot_search_seconds_count",
        "lga_worker_heartbeat_age_seconds",
    ):
        assert name in body
    assert 'lga_request_latency_seconds_count{method="GET",view="metrics"}' in body


def metric(body: str, name: str) -> float:
    (line,) = [line for line in body.splitlines() if line.startswith(name + " ")]
    return float(line.split()[-1])


@pytest.mark.django_db
def test_a_slot_search_is_timed_and_the_outbox_counted():
    panel = a_signed_in_panel()
    staff = Client()
    staff.force_login(make_user(is_staff=True))
    before = staff.get("/metrics").content.decode()
    day = bookable_day()
    booker = Client()
    booker.force_login(panel.booker)
    response = booker.get(
        f"/api/offers/{PANEL}/slots",
        {
            "council": panel.council.pk,
            "start": london(day, 0).isoformat(),
            "end": london(day + timedelta(days=1), 0).isoformat(),
        },
    )
    assert response.status_code == 200, response.content
    register(a_webinar(days=10), "someone@example.org")
    after = staff.get("/metrics").content.decode()
    assert metric(after, "lga_slot_search_seconds_count") == (
        metric(before, "lga_slot_search_seconds_count") + 1
    )
    assert metric(after, "lga_outbox_unsent_messages") == 1


@pytest.mark.django_db(transaction=True)
def test_one_json_line_per_request_whose_id_reaches_tasks_and_the_outbox(
    caplog, catalogue, empty_broker
):
    # Committed for real, so the tasks are queued as the request's transaction commits.
    panel = a_signed_in_panel()
    client = Client()
    client.force_login(panel.booker)
    with caplog.at_level(logging.INFO):
        response = client.post(
            "/api/bookings",
            data={
                "offer": PANEL,
                "council": panel.council.pk,
                "start": london(bookable_day(), 10).isoformat(),
                "notes": "",
            },
            content_type="application/json",
            headers={"X-Request-ID": "lb-request-0001"},
        )
    assert response.status_code == 201, response.content
    assert response["X-Request-ID"] == "lb-request-0001"
    (line,) = [r for r in caplog.records if r.name == "scheduling.requests"]
    logged = json.loads(JsonLineFormatter().format(line))
    assert logged["request_id"] == "lb-request-0001"
    assert (logged["method"], logged["status"], logged["route"]) == ("POST", 201, "api/bookings")
    assert logged["duration_ms"] > 0 and "path" not in logged
    # The outbox entries it wrote, and the tasks it queued, carry its id.
    assert set(Invite.objects.values_list("request_id", flat=True)) == {"lb-request-0001"}
    queued = [SignedPackage.loads(p) for _, p in get_broker().dequeue() or []]
    assert queued and {t["request_id"] for t in queued} == {"lb-request-0001"}
    # In the worker, the task's log lines name it.
    pre_execute.send(sender="django_q", func=None, task=queued[0])
    try:
        with caplog.at_level(logging.INFO):
            logging.getLogger("sessions.tasks").info("sending")
        record = caplog.records[-1]
        assert json.loads(JsonLineFormatter().format(record))["request_id"] == "lb-request-0001"
    finally:
        request_id.set("")


def test_an_unsafe_request_id_from_outside_is_replaced(db):
    response = Client().get("/healthz", headers={"X-Request-ID": "<script>"})
    assert response["X-Request-ID"] != "<script>" and len(response["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_a_secret_in_a_path_never_reaches_the_log(caplog):
    with caplog.at_level(logging.INFO):
        response = Client().get("/calendars/u/123-secretfeedtoken.ics?x=hushhush")
    assert response.status_code == 404
    lines = [JsonLineFormatter().format(r) for r in caplog.records]
    assert lines and not any("secretfeedtoken" in line or "hushhush" in line for line in lines)
    assert all(json.loads(line)["request_id"] == response["X-Request-ID"] for line in lines)

"""Webinar feed of 1,000 webinars: cold build, 304, and throughput under gunicorn beside a static file.

Self-contained: a temporary directory holds its own SQLite database (migrated, with the
catalogue, and 1,000 webinar sessions from a seeded random generator: upcoming, recently
past, and some cancelled) and a static file of exactly the feed's size. A child process
times, in-process through Django's test client: building the feed from nothing (nothing
kept), rebuilding it after one webinar changed (the other events' VEVENTs kept), serving it
when unchanged (body kept), and the answer to a conditional request (304). Then gunicorn
serves the site on a free loopback port, with the static file beside it on the same workers
(WhiteNoise), and concurrent clients fetch each in alternate rounds of bounded length; the
best round of each is reported. Everything stops and is removed at the end.
"""

import functools
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from http.client import HTTPConnection
from pathlib import Path

from scheduling.benchmarks._served import (
    database_prepare,
    gunicorn_start,
    prepared_facts,
    server_environment,
    wait_until_serving,
)

SEED = 20261122
WEBINARS = 1_000
COLD_BUILDS = 5
CONDITIONAL_REQUESTS = 200
CLIENTS = 8
REQUESTS_PER_ROUND = 1500
ROUND_SECONDS = 10.0
ROUNDS = 3
WORKERS = 2
FEED_PATH = "/calendars/webinars.ics"
STATIC_PREFIX = "bench-static/"
STATIC_NAME = "same-size.ics"


# The server's WSGI application: the site, with the static file served beside it -----------------


@functools.cache
def _served():
    from django.core.wsgi import get_wsgi_application
    from whitenoise import WhiteNoise

    return WhiteNoise(
        get_wsgi_application(), root=os.environ["FEED_BENCH_STATIC"], prefix=STATIC_PREFIX
    )


def application(environ, start_response):
    """gunicorn's entry point (`scheduling.benchmarks.feeds:application`)."""
    return _served()(environ, start_response)


# The child process: database, data and in-process timings ----------------------------------------


def _seed_webinars() -> None:
    from sessions.models import Offer, Session, SessionStatus

    rng = random.Random(SEED)
    offers = list(Offer.objects.filter(delivery="webinar").order_by("slug"))
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    rows = []
    for n in range(WEBINARS):
        offer = rng.choice(offers)
        day = now + timedelta(days=rng.randrange(-80, 180))
        start = day.replace(hour=rng.choice([9, 10, 12, 13, 17, 18]), minute=rng.choice([0, 30]))
        cancelled = rng.random() < 0.05
        rows.append(
            Session(
                offer=offer,
                start=start,
                end=start + timedelta(minutes=offer.duration_minutes),
                capacity=offer.seats,
                joining_url=f"https://meet.example.org/j/{n}",
                title=rng.choice(["", f"{offer.title}: session {n}"]),
                status=SessionStatus.CANCELLED if cancelled else SessionStatus.SCHEDULED,
                sequence=rng.randrange(3),
                uid=f"bench-{n}@peers.local.gov.uk",
            )
        )
    Session.objects.bulk_create(rows)


def _prepare(directory: str) -> dict:
    import django

    django.setup()
    from django.test import Client

    from sessions.models import Session
    from sessions.webinars.selectors.feeds import feed_memory_clear, feed_state_forget

    database_prepare()
    _seed_webinars()
    client = Client()

    def fetch(**headers):
        started = time.perf_counter()
        response = client.get(FEED_PATH, headers=headers)
        return time.perf_counter() - started, response

    cold = []
    for _ in range(COLD_BUILDS):
        feed_memory_clear()
        seconds, response = fetch()
        assert response.status_code == 200
        cold.append(seconds)
    body = response.content
    events = body.count(b"BEGIN:VEVENT")
    cached = [fetch()[0] for _ in range(20)]
    conditional, conditional_kept = [], []
    for _ in range(CONDITIONAL_REQUESTS):
        feed_state_forget()  # what is in the feed is asked of the database afresh
        seconds, answer = fetch(**{"If-None-Match": response["ETag"]})
        assert answer.status_code == 304
        conditional.append(seconds)
        seconds, answer = fetch(**{"If-None-Match": response["ETag"]})
        assert answer.status_code == 304
        conditional_kept.append(seconds)
    # One webinar changes: every other event's VEVENT is kept, so only it is built anew.
    rebuilds = []
    for session in Session.objects.filter(status="scheduled").order_by("id")[:5]:
        session.joining_url += "?moved"
        session.sequence += 1
        session.save()
        seconds, changed = fetch()
        assert changed.status_code == 200 and changed["ETag"] != response["ETag"]
        rebuilds.append(seconds)
    final = fetch()[1].content
    static = Path(directory) / "static"
    static.mkdir()
    (static / STATIC_NAME).write_bytes(final)
    return {
        "events": events,
        "feed_bytes": len(final),
        "cold": cold,
        "rebuild": rebuilds,
        "cached": cached,
        "conditional": conditional,
        "conditional_kept": conditional_kept,
    }


# Load from concurrent clients --------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(port: int, path: str, headers: dict | None = None) -> tuple[int, int]:
    connection = HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, len(response.read())
    finally:
        connection.close()


def _round(port: int, path: str, expected_bytes: int, headers=None, status=200) -> dict:
    """CLIENTS threads fetch `path` until REQUESTS_PER_ROUND are done or time is up."""
    lock = threading.Lock()
    done = {"count": 0, "errors": 0}
    deadline = time.monotonic() + ROUND_SECONDS

    def client():
        while time.monotonic() < deadline:
            with lock:
                if done["count"] + done["errors"] >= REQUESTS_PER_ROUND:
                    return
                done["count"] += 1
            got, size = _get(port, path, headers)
            if got != status or (status == 200 and size != expected_bytes):
                with lock:
                    done["count"] -= 1
                    done["errors"] += 1

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return {"requests": done["count"], "errors": done["errors"], "seconds": seconds}


def run() -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="lga-feed-bench-") as directory:
        env = server_environment(directory, FEED_BENCH_STATIC=str(Path(directory) / "static"))
        timings = prepared_facts("scheduling.benchmarks.feeds", directory, env=env, timeout=600)
        size, events = timings["feed_bytes"], timings["events"]
        cases = [
            {
                "label": f"feed of {events} webinars: cold build (nothing kept), median",
                "seconds": statistics.median(timings["cold"]),
                "goal_ms": 50,
                "all_ms": [round(s * 1000, 1) for s in timings["cold"]],
                "bytes": size,
            },
            {
                "label": "feed rebuilt after one webinar changed (other events kept), median",
                "seconds": statistics.median(timings["rebuild"]),
                "all_ms": [round(s * 1000, 1) for s in timings["rebuild"]],
            },
            {
                "label": "feed unchanged (body kept), median",
                "seconds": statistics.median(timings["cached"]),
            },
            {
                "label": "conditional request answered 304 (state from the database), median",
                "seconds": statistics.median(timings["conditional"]),
                "goal_ms": 5,
                "p95_ms": round(statistics.quantiles(timings["conditional"], n=20)[-1] * 1000, 2),
            },
            {
                "label": "conditional request answered 304 (state under a second old), median",
                "seconds": statistics.median(timings["conditional_kept"]),
                "goal_ms": 5,
                "p95_ms": round(
                    statistics.quantiles(timings["conditional_kept"], n=20)[-1] * 1000, 2
                ),
            },
        ]
        port = _free_port()
        server = gunicorn_start(
            "scheduling.benchmarks.feeds:application",
            port=port,
            directory=directory,
            env=env,
            workers=WORKERS,
        )
        try:
            wait_until_serving(
                server, lambda: _get(port, "/webinars/")[0] == 200, limit=60.0, pause=0.2
            )
            for _ in range(WORKERS * 4):  # each worker builds and keeps the feed once
                _get(port, FEED_PATH)
            etag_probe = HTTPConnection("127.0.0.1", port, timeout=30)
            etag_probe.request("GET", FEED_PATH)
            answer = etag_probe.getresponse()
            answer.read()
            etag = answer.getheader("ETag")
            etag_probe.close()
            static_path = f"/{STATIC_PREFIX}{STATIC_NAME}"
            best: dict[str, dict] = {}
            for _ in range(ROUNDS):
                for name, path, headers, status in (
                    ("static", static_path, None, 200),
                    ("feed", FEED_PATH, None, 200),
                    ("conditional", FEED_PATH, {"If-None-Match": etag}, 304),
                ):
                    result = _round(port, path, size, headers, status)
                    result["rate"] = result["requests"] / result["seconds"]
                    if name not in best or result["rate"] > best[name]["rate"]:
                        best[name] = result
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        ratio = best["feed"]["rate"] / best["static"]["rate"]
        common = {"clients": CLIENTS, "gunicorn_workers": WORKERS, "bytes": size}
        cases += [
            {
                "label": f"static file of the same size under gunicorn ({CLIENTS} clients)",
                "seconds": best["static"]["seconds"] / max(best["static"]["requests"], 1),
                "requests_per_second": round(best["static"]["rate"], 1),
                "requests": best["static"]["requests"],
                "errors": best["static"]["errors"],
                **common,
            },
            {
                "label": f"feed under gunicorn ({CLIENTS} clients)",
                "seconds": best["feed"]["seconds"] / max(best["feed"]["requests"], 1),
                "requests_per_second": round(best["feed"]["rate"], 1),
                "requests": best["feed"]["requests"],
                "errors": best["feed"]["errors"],
                "share_of_static": round(ratio, 2),
                "goal_share": 0.5,
                **common,
            },
            {
                "label": f"feed 304s under gunicorn ({CLIENTS} clients)",
                "seconds": best["conditional"]["seconds"] / max(best["conditional"]["requests"], 1),
                "requests_per_second": round(best["conditional"]["rate"], 1),
                "requests": best["conditional"]["requests"],
                "errors": best["conditional"]["errors"],
                "clients": CLIENTS,
                "gunicorn_workers": WORKERS,
            },
        ]
        return cases


if __name__ == "__main__" and sys.argv[1:2] == ["prepare"]:
    print(json.dumps(_prepare(sys.argv[2])))

"""Slot search, booking and a bystander through HTTP under gunicorn: 1,000 peers + 200,000 events, and the demo data.

Self-contained: for each data set a temporary directory holds its own SQLite database. A child
process migrates it and loads the data (1,000 peers with 200 imported busy events each over
8 weeks, as `slots_service`; or `seed_demo`), keeps every peer's free time, and times in
process what keeping it live costs: a peer saving weekly hours, importing a 200-event
calendar, and a booking (seats are laid over the kept free time when read, so a booking
writes no free time). It also times the engine's own search on the same pool, for the ratio.

Then gunicorn serves the site with threaded workers (`--worker-class gthread`, the
production setting in the README), and one client times, one request at a time, 4- and
8-week searches for several councils (`GET /api/offers/<slug>/slots`) and bookings
(`POST /api/bookings`). Finally eight clients search at once while another asks for the
catalogue (`GET /api/offers`) every 50 ms: its p95 says whether long searches hold up other
requests. The server's port is `SLOTS_HTTP_BENCH_PORT` (+1 for the demo) or a free one.
Everything stops and is removed at the end.
"""

import io
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
from urllib.parse import urlencode

from scheduling.benchmarks._served import (
    database_prepare,
    gunicorn_start,
    prepared_facts,
    server_environment,
    wait_until_serving,
)

OFFER = "recovery-and-renewal-panel"
WORKERS = 2
THREADS = 8
SEARCHES = 20
BOOKINGS = 8
CONCURRENT_SEARCHES = 8
BYSTANDER_REQUESTS = 60
GOALS = {"p50_ms": 100, "p95_ms": 250, "ratio": 3, "demo_p50_ms": 50, "booking_p50_ms": 300}


# The child process: data, free time, and in-process costs ----------------------------------------


def _calendar(start: datetime, events: int, rng: random.Random) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//bench//EN"]
    for n in range(events):
        begin = start + timedelta(minutes=15 * rng.randrange(0, 8 * 7 * 96))
        end = begin + timedelta(hours=rng.choice([1, 2]))
        lines += [
            "BEGIN:VEVENT",
            f"UID:bench-{n}@example.org",
            "DTSTAMP:20260101T000000Z",
            f"DTSTART:{begin:%Y%m%dT%H%M%SZ}",
            f"DTEND:{end:%Y%m%dT%H%M%SZ}",
            "SUMMARY:Busy",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def _ms(seconds: list[float]) -> float:
    return round(statistics.median(seconds) * 1000, 1)


def _prepare(kind: str) -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    from peers.free_time import free_time_refresh, free_time_size
    from peers.models import Council, Peer
    from peers.selectors import caller_for
    from peers.services import (
        api_token_issue,
        availability_update,
        busy_calendar_refresh,
        busy_calendar_upload,
    )
    from scheduling.benchmarks.slots_service import populate
    from scheduling.engine.staffing import find_staffable_starts
    from sessions.models import Offer
    from sessions.pool import engine_answer, offer_format, staffable_starts
    from sessions.services import booking_create

    database_prepare()
    rng = random.Random(20261127)
    start = (timezone.now() + timedelta(days=28)).astimezone(UTC)
    start = start.replace(hour=0, minute=0, second=0, microsecond=0)
    if kind == "pool":
        councils = populate(rng, start)
    else:
        call_command("seed_demo", verbosity=0, stdout=io.StringIO())
        councils = list(Council.objects.order_by("id"))
    from django.contrib.auth import get_user_model

    staff = get_user_model().objects.create_user("bench-staff", is_staff=True)
    token = api_token_issue(user=staff, name="bench").secret
    peer_ids = list(Peer.objects.values_list("id", flat=True))
    began = time.perf_counter()
    free_time_refresh(peer_ids=peer_ids)
    initial = time.perf_counter() - began

    offer = Offer.objects.get(slug=OFFER)
    caller = caller_for(staff)
    # The engine alone on the same pool, beside the whole search in process.
    engine, whole = [], []
    for council in councils[1 : SEARCHES + 1]:
        began = time.perf_counter()
        starts, pool = staffable_starts(
            offer=offer, council=council, range_start=start, range_end=start + timedelta(weeks=8)
        )
        whole.append(time.perf_counter() - began)
        began = time.perf_counter()
        engine_answer(
            find_staffable_starts,
            pool=pool,
            fmt=offer_format(offer),
            council=council,
            range_start=start,
            range_end=start + timedelta(weeks=8),
        )
        engine.append(time.perf_counter() - began)

    # What keeping it live costs.
    peer = Peer.objects.order_by("id").first()
    hours, calendar, refresh, bookings = [], [], [], []
    for n in range(5):
        weekly = [{"weekday": d, "start": f"{9 + n % 2:02d}:00", "end": "17:00"} for d in range(5)]
        began = time.perf_counter()
        availability_update(peer=peer, weekly=weekly)
        hours.append(time.perf_counter() - began)
        began = time.perf_counter()
        free_time_refresh(peer_ids=[peer.id])
        refresh.append(time.perf_counter() - began)
    settings.BUSY_CALENDAR_CHANGES_PER_HOUR = 100
    for n in range(3):
        data = _calendar(start, 200, random.Random(n))
        began = time.perf_counter()
        # The upload is kept and queued; the worker reads it and stores busy and free time.
        upload = busy_calendar_upload(peer=peer, data=data, filename="bench.ics")
        busy_calendar_refresh(calendar_id=upload.id)
        calendar.append(time.perf_counter() - began)
    booked_councils = []
    for council in councils[-BOOKINGS:]:
        starts, _ = staffable_starts(
            offer=offer, council=council, range_start=start, range_end=start + timedelta(weeks=8)
        )
        if not starts:
            continue
        began = time.perf_counter()
        booking_create(caller=caller, offer=offer, council=council, start=starts[-1].start)
        bookings.append(time.perf_counter() - began)
        booked_councils.append(council.id)
    return {
        "token": token,
        "councils": [c.id for c in councils],
        "start": start.isoformat(),
        "peers": len(peer_ids),
        "size": free_time_size(),
        "initial_build_ms": round(initial * 1000, 1),
        "engine_ms": _ms(engine),
        "in_process_search_ms": _ms(whole),
        "save_weekly_hours_ms": _ms(hours),
        "of_which_free_time_ms": _ms(refresh),
        "import_200_events_ms": _ms(calendar),
        "booking_in_process_ms": _ms(bookings) if bookings else None,
    }


# Clients -----------------------------------------------------------------------------------------


def _port(offset: int) -> int:
    if os.environ.get("SLOTS_HTTP_BENCH_PORT"):
        return int(os.environ["SLOTS_HTTP_BENCH_PORT"]) + offset
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _request(port: int, method: str, path: str, token: str | None = None, body=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if body is not None:
        body = json.dumps(body)
        headers["Content-Type"] = "application/json"
    connection = HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        began = time.perf_counter()
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        return response.status, data, time.perf_counter() - began
    finally:
        connection.close()


def _slots_path(council: int, start: datetime, weeks: int) -> str:
    query = urlencode(
        {
            "council": council,
            "start": start.isoformat(),
            "end": (start + timedelta(weeks=weeks)).isoformat(),
        }
    )
    return f"/api/offers/{OFFER}/slots?{query}"


def _quantiles(seconds: list[float]) -> dict:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(p95 * 1000, 1),
    }


def _searches(port, token, councils, start, weeks) -> tuple[list[float], list[int]]:
    seconds, offered = [], []
    for n in range(SEARCHES):
        status, body, took = _request(
            port, "GET", _slots_path(councils[n % len(councils)], start, weeks), token
        )
        if status != 200:
            raise RuntimeError(f"search answered {status}: {body[:300]!r}")
        seconds.append(took)
        offered.append(len(json.loads(body)))
    return seconds, offered


def _bookings(port, token, councils, start) -> list[float]:
    seconds = []
    for council in councils[:BOOKINGS]:
        status, body, _ = _request(port, "GET", _slots_path(council, start, 8), token)
        found = json.loads(body) if status == 200 else []
        if not found:
            continue
        chosen = found[len(found) // 2]["start"]
        status, body, took = _request(
            port,
            "POST",
            "/api/bookings",
            token,
            {"offer": OFFER, "council": council, "start": chosen, "notes": ""},
        )
        if status not in (201, 409):
            raise RuntimeError(f"booking answered {status}: {body[:300]!r}")
        seconds.append(took)
    return seconds


def _bystander(port, token, councils, start) -> dict:
    """CONCURRENT_SEARCHES clients search without pause while the catalogue is asked for."""
    stop = threading.Event()
    searched: list[float] = []
    lock = threading.Lock()

    def searcher(n: int) -> None:
        while not stop.is_set():
            _, _, took = _request(
                port, "GET", _slots_path(councils[n % len(councils)], start, 8), token
            )
            with lock:
                searched.append(took)

    threads = [threading.Thread(target=searcher, args=(n,)) for n in range(CONCURRENT_SEARCHES)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    seconds = []
    try:
        for _ in range(BYSTANDER_REQUESTS):
            status, _, took = _request(port, "GET", "/api/offers")
            if status != 200:
                raise RuntimeError(f"catalogue answered {status}")
            seconds.append(took)
            time.sleep(0.05)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    return {"bystander": _quantiles(seconds), "searches": _quantiles(searched), "n": len(searched)}


def _serve(kind: str, offset: int) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"lga-slots-http-{kind}-") as directory:
        env = server_environment(directory)
        facts = prepared_facts("scheduling.benchmarks.slots_http", kind, env=env, timeout=1800)
        port = _port(offset)
        server = gunicorn_start(
            "scheduling.wsgi:application",
            port=port,
            directory=directory,
            env=env,
            workers=WORKERS,
            threads=THREADS,
        )
        try:
            wait_until_serving(
                server,
                lambda: _request(port, "GET", "/api/offers")[0] == 200,
                limit=90.0,
                pause=0.3,
            )
            token, start = facts["token"], datetime.fromisoformat(facts["start"])
            councils = facts["councils"][1 : SEARCHES + 1]
            for n in range(WORKERS * THREADS):  # every worker reads the kept rows once
                _request(port, "GET", _slots_path(councils[n % len(councils)], start, 4), token)
            results = {}
            for weeks in (4, 8):
                seconds, offered = _searches(port, token, councils, start, weeks)
                results[weeks] = {**_quantiles(seconds), "offered": statistics.median(offered)}
            results["booking"] = _quantiles(_bookings(port, token, councils, start))
            results["load"] = _bystander(port, token, councils, start)
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        return {"facts": facts, **results}


def run() -> list[dict]:
    from scheduling.benchmarks import slots

    engine_only = slots.run()[0]  # the 3-seat panel over 8 weeks and 1,000 peers
    engine_ms = engine_only["p50_ms"]
    pool = _serve("pool", 0)
    demo = _serve("demo", 1)
    server = {"gunicorn": f"{WORKERS} gthread workers x {THREADS} threads"}
    facts = pool["facts"]
    cases = []
    for weeks in (4, 8):
        case = pool[weeks]
        cases.append(
            {
                "label": f"slots over HTTP, {facts['peers']:,} peers + 200,000 events, {weeks} weeks",
                "seconds": case["p50_ms"] / 1000,
                **case,
                "engine_slots_p50_ms": engine_ms,
                "ratio_to_engine": round(case["p50_ms"] / engine_ms, 1),
                "engine_on_this_pool_ms": facts["engine_ms"],
                "goal": "p50 <= 100 ms, p95 <= 250 ms, ratio <= 3",
                **server,
            }
        )
    for weeks in (4, 8):
        case = demo[weeks]
        cases.append(
            {
                "label": f"slots over HTTP, demo data ({demo['facts']['peers']} peers), {weeks} weeks",
                "seconds": case["p50_ms"] / 1000,
                **case,
                "goal": "p50 <= 50 ms",
                **server,
            }
        )
    cases.append(
        {
            "label": f"POST /api/bookings over HTTP, {facts['peers']:,} peers",
            "seconds": pool["booking"]["p50_ms"] / 1000,
            **pool["booking"],
            "goal": "p50 <= 300 ms",
            **server,
        }
    )
    load = pool["load"]
    cases.append(
        {
            "label": f"GET /api/offers while {CONCURRENT_SEARCHES} searches run at once",
            "seconds": load["bystander"]["p50_ms"] / 1000,
            **load["bystander"],
            "searches_meanwhile": load["searches"],
            "goal": "p95 <= 100 ms",
            **server,
        }
    )
    for label, key in (
        ("a peer saves weekly hours (whole service call)", "save_weekly_hours_ms"),
        ("of which rebuilding their kept free time", "of_which_free_time_ms"),
        (
            "a peer imports a 200-event calendar (upload, the worker's reading, free time)",
            "import_200_events_ms",
        ),
        ("a booking in process (no free time written)", "booking_in_process_ms"),
        ("keeping every peer's free time from nothing", "initial_build_ms"),
        ("the whole search in process (pool read + engine)", "in_process_search_ms"),
    ):
        cases.append({"label": label, "seconds": (facts[key] or 0) / 1000, "ms": facts[key]})
    cases.append(
        {
            "label": "kept free time: rows and bytes",
            "seconds": 0,
            "rows": facts["size"]["rows"],
            "bytes": facts["size"]["bytes"],
            "bytes_per_peer": facts["size"]["bytes"] // max(facts["size"]["rows"], 1),
        }
    )
    return cases


if __name__ == "__main__" and sys.argv[1:2] == ["prepare"]:
    print(json.dumps(_prepare(sys.argv[2])))

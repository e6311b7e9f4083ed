"""Load: Locust's mix (deploy/locustfile.py) through the whole cluster at 10, 25 and 50 users.

Starts a cluster of its own with deploy/cluster.sh (CLUSTER_NAME=load on LOAD_PORT, 8780: nginx,
two web nodes, two task workers, Redis, PostgreSQL through pgbouncer; the demo data), prepares
the people the mix needs in a child process in the cluster's environment (API tokens for staff,
20 bookers, 60 peers and 60 councillors; private feed tokens), then runs Locust headless for
LOAD_SECONDS (60) at each of LOAD_USERS (10,25,50), and reports each request kind's p50, p95
and failures, the throughput, the machine's load average, the first user count at which the
slot search's p95 passes 250 ms, and the web workers' resident memory (after the first
requests, and after the load) beside the kept free time's size per peer. The cluster is
stopped at the end (LOAD_KEEP=1 keeps it, and a kept cluster is used again).
"""

import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.request import urlopen

BASE_DIR = Path(__file__).resolve().parents[2]
SCRIPT = BASE_DIR / "deploy" / "cluster.sh"
LOCUSTFILE = BASE_DIR / "deploy" / "locustfile.py"
NAME = "load"
PORT = int(os.environ.get("LOAD_PORT", "8780"))
RUN = BASE_DIR / "var" / "cluster" / NAME
USERS = [int(n) for n in os.environ.get("LOAD_USERS", "10,25,50").split(",")]
SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
SEARCH_GOAL_MS = 250
FEED_GOAL_MS = 50


# The child process: the people the mix needs ------------------------------------------------------


def _calendar() -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//load//EN"]
    for n in range(20):
        lines += [
            "BEGIN:VEVENT",
            f"UID:load-{n}@example.org",
            "DTSTAMP:20260101T000000Z",
            f"DTSTART:202701{n + 4:02d}T100000Z",
            f"DTEND:202701{n + 4:02d}T113000Z",
            "SUMMARY:Busy",
            "END:VEVENT",
        ]
    return "\r\n".join([*lines, "END:VCALENDAR"]) + "\r\n"


def _prepare() -> dict:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from sessions.selectors.webinars import public_feed_path
    from sessions.services.feeds import feed_token_issue

    from peers.free_time import free_time_size
    from peers.models import Booker, Council, Councillor, Peer
    from peers.services import api_token_issue
    from sessions.models import Offer, Session
    from sessions.webinars.selectors.feed_tokens import private_feed_path

    users = get_user_model().objects
    Offer.objects.filter(slug__in=["recovery-and-renewal-panel"]).update(needs_approval=False)
    councils = list(Council.objects.order_by("pk")[:20])
    bookers = []
    for council in councils:
        user, _ = users.get_or_create(username=f"load-booker-{council.pk}")
        Booker.objects.get_or_create(user=user, defaults={"council": council})
        bookers.append(
            {"token": api_token_issue(user=user, name="load").secret, "council": council.pk}
        )
    peers = []
    for peer in Peer.objects.order_by("pk")[:60]:
        if peer.user_id is None:
            peer.user = users.create_user(f"load-peer-{peer.pk}")
            peer.save(update_fields=["user"])
        peers.append({"token": api_token_issue(user=peer.user, name="load").secret})
    councillors = []
    for n, council in enumerate(Council.objects.order_by("-pk")[:60]):
        email = f"councillor{n}@load.test"
        user, _ = users.get_or_create(
            username=f"load-councillor-{n}",
            defaults={"email": email, "first_name": "Load", "last_name": f"Councillor {n}"},
        )
        Councillor.objects.get_or_create(user=user, defaults={"council": council})
        councillors.append(
            {
                "token": api_token_issue(user=user, name="load").secret,
                "email": email,
                "name": f"Load Councillor {n}",
                "council": council.pk,
            }
        )
    webinars = list(
        Session.objects.filter(booking__isnull=True, start__gt=timezone.now())
        .order_by("start")
        .values_list("pk", flat=True)[:10]
    )
    topics = ["", *Offer.objects.exclude(topic="").values_list("topic", flat=True).distinct()[:3]]
    private = [
        private_feed_path(feed_token_issue(peer=p)) for p in Peer.objects.order_by("pk")[:40]
    ]
    private += [private_feed_path(feed_token_issue(email=c["email"])) for c in councillors[:40]]
    return {
        "staff": api_token_issue(user=users.get(username="staff"), name="load").secret,
        "bookers": bookers,
        "peers": peers,
        "councillors": councillors,
        "offers": ["recovery-and-renewal-panel"],
        "webinars": webinars,
        "public_feeds": [public_feed_path(topic) for topic in topics],
        "private_feeds": private,
        "calendar": _calendar(),
        "peer_count": Peer.objects.count(),
        "free_time": free_time_size(),
    }


# The run ----------------------------------------------------------------------------------------


def _cluster(*args: str) -> str:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "SQLITE_TEST_PATH", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(CLUSTER_NAME=NAME, CLUSTER_PORT=str(PORT), PATH=env.get("PATH", "") + ":/usr/sbin")
    done = subprocess.run(  # noqa: S603  (our own script, fixed arguments)
        [str(SCRIPT), *args], env=env, cwd=BASE_DIR, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"deploy/cluster.sh {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def _service_env() -> dict:
    env = dict(os.environ)
    for key in ("DATABASE_URL", "REDIS_URL", "SQLITE_TEST_PATH"):
        env.pop(key, None)
    for line in _cluster("env").splitlines():
        key, _, value = line.partition("=")
        env[key] = value
    env["PYTHONPATH"] = str(BASE_DIR)
    return env


def _web_workers_rss_mb() -> list[float]:
    """Resident memory of each web node's worker processes (the gunicorn masters' children)."""
    sizes = []
    for node in ("web-a", "web-b"):
        master = (RUN / f"{node}.pid").read_text().strip()
        for task in Path(f"/proc/{master}/task").glob("*/children"):
            for child in task.read_text().split():
                status = Path(f"/proc/{child}/status").read_text()
                kb = next(
                    int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS")
                )
                sizes.append(round(kb / 1024, 1))
    return sizes


def _stage(users: int, facts_path: Path) -> dict:
    prefix = RUN / f"locust-{users}"
    load_before = os.getloadavg()
    env = {**os.environ, "LOAD_FACTS": str(facts_path)}
    began = time.perf_counter()
    subprocess.run(  # noqa: S603  (the venv's locust, fixed arguments)
        [
            str(Path(sys.executable).with_name("locust")),
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "--host",
            f"http://127.0.0.1:{PORT}",
            "--users",
            str(users),
            "--spawn-rate",
            str(max(1, users // 5)),
            "--run-time",
            f"{SECONDS}s",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    took = time.perf_counter() - began
    rows = {}
    with open(f"{prefix}_stats.csv", newline="") as stats:
        for row in csv.DictReader(stats):
            rows[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50_ms": float(row["50%"] or 0),
                "p95_ms": float(row["95%"] or 0),
                "rps": round(float(row["Requests/s"]), 1),
            }
    # An exception in the locustfile is no failed request, but a figure missing: counted.
    with open(f"{prefix}_exceptions.csv", newline="") as exceptions:
        raised = sum(int(row["Count"]) for row in csv.DictReader(exceptions))
    rows.setdefault("Aggregated", {})["locustfile_exceptions"] = raised
    return {
        "users": users,
        "seconds": took,
        "rows": rows,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }


def run() -> list[dict]:
    keep = os.environ.get("LOAD_KEEP") == "1"
    _cluster("start")
    try:
        env = _service_env()
        prepared = subprocess.run(  # noqa: S603  (our own interpreter, fixed arguments)
            [sys.executable, "-m", "scheduling.benchmarks.load", "prepare"],
            env=env,
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            check=False,
        )
        if prepared.returncode != 0:
            raise RuntimeError(f"preparing the load failed:\n{prepared.stderr[-3000:]}")
        facts_path = RUN / "load-facts.json"
        facts_path.write_text(prepared.stdout.strip().splitlines()[-1])
        facts = json.loads(facts_path.read_text())
        peers, free_time = facts["peer_count"], facts["free_time"]
        # Every worker has loaded the code (the first requests import it) but searched nothing.
        for _ in range(20):
            for port in (PORT + 1, PORT + 2):
                urlopen(f"http://127.0.0.1:{port}/api/offers", timeout=60).read()  # noqa: S310
        rss_cold = _web_workers_rss_mb()
        stages = [_stage(users, facts_path) for users in USERS]
        rss_warm = _web_workers_rss_mb()
    finally:
        if not keep:
            _cluster("stop")
    cases = []
    passed_at = None
    for stage in stages:
        total = stage["rows"].get("Aggregated", {})
        searches = [v for k, v in stage["rows"].items() if k.startswith("slot search")]
        search_p95 = max((s["p95_ms"] for s in searches), default=0.0)
        if passed_at is None and search_p95 > SEARCH_GOAL_MS:
            passed_at = {"users": stage["users"], "rps": total.get("rps")}
        for name, row in sorted(stage["rows"].items()):
            cases.append(
                {
                    "label": f"{stage['users']:>2} users  {name}",
                    "seconds": row["p50_ms"] / 1000,
                    **row,
                    "load_average": stage["load_average_after"][0],
                }
            )
    cases.append(
        {
            "label": "slot search p95 passes 250 ms",
            "seconds": 0.0,
            "at": passed_at or f"not at {max(USERS)} users",
            "goal": f"0 failures; slot search p95 <= {SEARCH_GOAL_MS} ms and feeds p95 <= "
            f"{FEED_GOAL_MS} ms at 50 users",
            "stage_seconds": SECONDS,
            "cpus": os.cpu_count(),
        }
    )
    per_peer = free_time["bytes"] / max(free_time["rows"], 1)
    cases.append(
        {
            "label": f"web worker memory, {peers} peers (RSS, MB)",
            "seconds": 0.0,
            "started": rss_cold,
            "after_load": rss_warm,
            # Each process keeps every peer's row and the same bits packed for slicing.
            "free_time_bytes_per_peer": round(per_peer),
            "free_time_mb_per_1000_peers_per_process": round(2 * per_peer * 1000 / 1e6, 1),
        }
    )
    return cases


if __name__ == "__main__" and sys.argv[1:] == ["prepare"]:
    print(json.dumps(_prepare()))

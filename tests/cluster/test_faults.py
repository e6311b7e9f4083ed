"""The cluster under faults: a task worker killed mid-send, a web node reloaded and killed while
requests flow through nginx, Redis restarted, pgbouncer restarted."""

import os
import re
import threading
import time
from urllib.parse import urlencode

import pytest

from tests.cluster import topology
from tests.cluster.topology import NGINX, RUN, WEB_A, call, children, pid, wait_until

pytestmark = pytest.mark.cluster

MESSAGE_ID = re.compile(rb"^Message-ID: (<[^>]+>)", re.MULTILINE | re.IGNORECASE)


def _mail_files() -> set[str]:
    return set(os.listdir(RUN / "mail"))


def _message_ids(names) -> list[str]:
    found = []
    for name in names:
        match = MESSAGE_ID.search((RUN / "mail" / name).read_bytes())
        assert match, name
        found.append(match.group(1).decode())
    return found


class Traffic:
    """Clients sending requests through nginx without pause until stopped, keeping every answer
    (status, body) and every connection error."""

    def __init__(self, paths: list[str], token: str, clients: int = 4):
        self.paths, self.token = paths, token
        self.answers: list[tuple[int, bytes]] = []
        self.errors: list[str] = []
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(n,)) for n in range(clients)]

    def _run(self, n: int) -> None:
        i = n
        while not self.stop.is_set():
            path = self.paths[i % len(self.paths)]
            i += 1
            try:
                answer = call(NGINX, "GET", path, token=self.token)
                self.answers.append((answer.status, answer.body))
            except OSError as error:
                self.errors.append(repr(error))

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join()

    def statuses(self) -> set[int]:
        return {status for status, _ in self.answers}


def _api_paths(cluster: dict) -> list[str]:
    search = urlencode(
        {"council": 5, "start": "2027-02-01T00:00:00Z", "end": "2027-02-06T00:00:00Z"}
    )
    return [
        "/api/offers",
        "/api/bookings",
        "/api/webinars",
        f"/api/offers/{cluster['offer']}/slots?{search}",
        "/",
    ]


def test_a_worker_killed_mid_send_leaves_every_invite_sent_exactly_once(whole_cluster):
    before = _mail_files()
    queued = topology.probe("queue_invites", 500)
    first, last = queued["first"], queued["last"]

    # Worker A is killed (SIGKILL to its whole group) once some of the 500 have gone.
    wait_until(lambda: len(_mail_files() - before) >= 40, what="the first invites sent", pause=0.02)
    topology.kill_hard("worker-a")
    sent_at_kill = len(_mail_files() - before)
    assert sent_at_kill < 500, "the kill came too late to be mid-send"

    # Worker B sends what is left in the queue; what worker A held is left pending or claimed.
    def settled():
        counts = topology.probe("invites", first, last)["statuses"]
        time.sleep(2)
        return counts == topology.probe("invites", first, last)["statuses"] and counts

    wait_until(settled, what="worker B settling", limit=600)
    # The outbox's sweep, as it runs once the dead worker's lease (10 minutes) is over:
    # worker A's claimed and lost rows are queued again, and worker B sends them.
    topology.probe("sweep_after_lease", first, last)
    report = wait_until(
        lambda: (
            (r := topology.probe("invites", first, last))
            and set(r["statuses"]) <= {"sent", "gave-up"}
            and r
        ),
        what="every invite settled after the sweep",
        limit=600,
    )

    unknown = set(map(int, report["unknown"]))
    # Only a row worker A had handed to the mail backend when it died has an unknown outcome,
    # at most one a worker process (Q_WORKERS=2); it is not sent again.
    assert len(unknown) <= 2, report["statuses"]
    assert report["statuses"].get("sent", 0) == 500 - len(unknown)
    # Other mail goes out meanwhile (the demo bookings' invites): only these 500 are counted.
    ours = set(report["message_ids"].values())
    sent_ids = [mid for mid in _message_ids(_mail_files() - before) if mid in ours]
    assert len(sent_ids) == len(set(sent_ids)), "an invite was sent twice"
    expected = {mid for key, mid in report["message_ids"].items() if int(key) not in unknown}
    assert expected <= set(sent_ids), "an invite marked sent was never sent"


def test_a_graceful_reload_of_a_node_gives_clients_no_error(whole_cluster):
    old = children(pid("web-a"))
    assert len(old) == 2
    with Traffic(_api_paths(whole_cluster), whole_cluster["staff"]) as traffic:
        time.sleep(1)
        os.kill(pid("web-a"), 1)  # SIGHUP: gunicorn's graceful reload
        wait_until(
            lambda: (now := children(pid("web-a"))) and not (now & old) and len(now) == 2,
            what="web node A's new workers",
        )
        time.sleep(1)
    assert traffic.errors == []
    assert traffic.statuses() == {200}, sorted(traffic.statuses())
    assert len(traffic.answers) > 20


def test_a_node_killed_hard_is_routed_around_and_comes_back(whole_cluster):
    with Traffic(_api_paths(whole_cluster), whole_cluster["staff"]) as traffic:
        time.sleep(1)
        topology.kill_hard("web-a")
        time.sleep(3)
    # nginx retried the requests the dead node dropped (idempotent GETs) on node B.
    assert traffic.errors == []
    assert traffic.statuses() == {200}, sorted(traffic.statuses())
    with pytest.raises(OSError):
        call(WEB_A, "GET", "/healthz")

    topology.start("web-a")
    assert call(WEB_A, "GET", "/api/offers").status == 200


def test_redis_restarted_loses_no_queued_task_and_throttles_fail_safe(whole_cluster):
    cluster = whole_cluster
    topology.stop("worker-a", "worker-b")
    day = topology.probe("one_panel_day", 58)
    booked = call(
        NGINX,
        "POST",
        "/api/bookings",
        token=cluster["staff"],
        body={"offer": cluster["offer"], "council": day["council"], "start": day["start"]},
    )
    assert booked.status == 201, booked.body
    booking = booked.json()["id"]
    waiting = topology.probe("booking_invites", booking)["statuses"]
    assert waiting and set(waiting) == {"pending"}

    webinars = call(NGINX, "GET", "/api/webinars").json()
    register = f"/api/webinars/{webinars[0]['id']}/registrations"
    place = {
        "name": "A Councillor",
        "email": "cllr@council.test",
        "council_name": "Wigan Council",
        "role": "Ward councillor",
    }

    topology.stop("redis")
    # The throttle cannot count: the registration is refused, cleanly, and nothing is kept.
    refused = call(NGINX, "POST", register, body=place)
    assert refused.status == 503
    assert refused.headers["Retry-After"] == "5"
    assert "try again" in refused.json()["detail"].lower()
    # What needs no Redis goes on.
    assert call(NGINX, "GET", "/api/offers").status == 200

    topology.start("redis", "worker-a", "worker-b")
    # The send tasks queued before the restart were kept (Redis's append-only file).
    sent = wait_until(
        lambda: set(s := topology.probe("booking_invites", booking)["statuses"]) == {"sent"} and s,
        what="the booking's invites sent",
    )
    assert len(sent) == len(waiting)
    assert call(NGINX, "POST", register, body=place).status == 202


def test_pgbouncer_restarted_fails_requests_in_flight_cleanly_and_later_ones_succeed(
    whole_cluster,
):
    with Traffic(_api_paths(whole_cluster)[:3], whole_cluster["staff"], clients=6) as traffic:
        time.sleep(1)
        topology.stop("pgbouncer")
        time.sleep(1)
        topology.start("pgbouncer")
        time.sleep(1)
    assert traffic.errors == []
    assert traffic.statuses() <= {200, 503}, sorted(traffic.statuses())
    unavailable = [body for status, body in traffic.answers if status == 503]
    assert unavailable, "no request met pgbouncer down"
    for body in unavailable:
        assert b'"detail": "The service could not reach its database' in body

    after = [
        call(NGINX, "GET", path, token=whole_cluster["staff"]).status
        for path in _api_paths(whole_cluster) * 4
    ]
    assert set(after) == {200}

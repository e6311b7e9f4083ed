"""Two web nodes, each with its own processes and copies of the peers' free time, agree: what is
saved through one is seen through the other on its next request; and 16 councils booking the
last staffable time at once through both get one booking, 0 peers double-booked."""

import threading
from datetime import datetime, timedelta
from urllib.parse import urlencode

import pytest

from tests.cluster import topology
from tests.cluster.topology import WEB_A, WEB_B, call

pytestmark = pytest.mark.cluster


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _day_starts(port: int, cluster: dict, council: int, day: str) -> list[datetime]:
    begin = datetime.fromisoformat(day + "T00:00:00+00:00")
    query = urlencode(
        {
            "council": council,
            "start": begin.isoformat(),
            "end": (begin + timedelta(days=1)).isoformat(),
        }
    )
    answer = call(
        port, "GET", f"/api/offers/{cluster['offer']}/slots?{query}", token=cluster["staff"]
    )
    assert answer.status == 200, answer.body
    return [_instant(slot["start"]) for slot in answer.json()]


def test_leave_saved_through_node_a_removes_the_time_from_a_search_through_node_b(whole_cluster):
    cluster = whole_cluster
    day = topology.probe("one_panel_day", 30)
    start = _instant(day["start"])
    # Both nodes have searched the day (each keeps its copy of the free time warm).
    for port in (WEB_A, WEB_B):
        assert start in _day_starts(port, cluster, day["council"], day["day"])

    token = day["peer_token"]
    mine = call(WEB_A, "GET", "/api/peers/me/availability", token=token).json()
    mine.pop("busy_calendar", None)
    mine["leave"].append({"first_day": day["day"], "last_day": day["day"], "note": "Away"})
    saved = call(WEB_A, "PUT", "/api/peers/me/availability", token=token, body=mine)
    assert saved.status == 200, saved.body

    assert _day_starts(WEB_B, cluster, day["council"], day["day"]) == []
    assert _day_starts(WEB_A, cluster, day["council"], day["day"]) == []


def test_a_booking_through_node_a_makes_its_time_disappear_on_node_b(whole_cluster):
    cluster = whole_cluster
    day = topology.probe("one_panel_day", 37)
    start = _instant(day["start"])
    assert start in _day_starts(WEB_B, cluster, day["council"], day["day"])

    booked = call(
        WEB_A,
        "POST",
        "/api/bookings",
        token=cluster["staff"],
        body={"offer": cluster["offer"], "council": day["council"], "start": day["start"]},
    )
    assert booked.status == 201, booked.body

    assert start not in _day_starts(WEB_B, cluster, day["council"], day["day"])


def test_16_councils_booking_the_last_staffable_time_at_once_get_one_booking(whole_cluster):
    cluster = whole_cluster
    day = topology.probe("one_panel_day", 44)
    councils = day["councils"]
    assert len(councils) == 16, "the demo data has 16 councils that this panel may serve"
    ready = threading.Barrier(len(councils))
    answers: dict[int, topology.Answer] = {}

    def book(n: int, council: int) -> None:
        body = {"offer": cluster["offer"], "council": council, "start": day["start"]}
        ready.wait()
        # Half through each node.
        answers[council] = call(
            (WEB_A, WEB_B)[n % 2], "POST", "/api/bookings", token=cluster["staff"], body=body
        )

    threads = [threading.Thread(target=book, args=pair) for pair in enumerate(councils)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    statuses = sorted(answer.status for answer in answers.values())
    assert statuses == [201] + [409] * 15, [a.body[:200] for a in answers.values()]
    for answer in answers.values():
        if answer.status == 409:
            refusal = answer.json()
            assert refusal["alternatives"], refusal
            assert _instant(day["start"]) not in map(_instant, refusal["alternatives"])
    assert topology.probe("double_booked")["peers"] == []

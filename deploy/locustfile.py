"""The service's load mix for Locust, against a running cluster (`make load` runs it headless at
rising user counts: scheduling/benchmarks/load.py).

    LOAD_FACTS=var/cluster/load/load-facts.json locust -f deploy/locustfile.py \\
        --host http://127.0.0.1:8780

LOAD_FACTS is what `python -m scheduling.benchmarks.load prepare` wrote in the cluster's
environment: API tokens for staff, bookers, peers and councillors, private feed paths, the
offers and webinars. Every request is named by its kind, so the figures read per kind.

The mix, by how many of each person there are and how often they act:
- bookers (weight 4) browse the catalogue pages, search 4 and 8 weeks, ask why one time is
  (or is not) staffable, and book one now and then (201, or 409 when another got there first,
  which is an answer, not a failure);
- calendar clients (weight 4) poll the public and private feeds with If-None-Match;
- councillors (weight 2) open My webinars (its API) and register for a webinar;
- peers (weight 2) save their weekly hours and, rarely, upload a calendar;
- staff (weight 1) open the programme dashboard's figures and the bookings list.
"""

import collections
import itertools
import json
import os
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from locust import HttpUser, between, task

FACTS = json.loads(Path(os.environ.get("LOAD_FACTS", "load-facts.json")).read_text())
_SPAWNED = collections.defaultdict(itertools.count)


def _own(people: list):
    """The next person of a kind, in turn: two simulated users are one person only when there
    are more users than people (the throttles count per person, as in life)."""
    return people[next(_SPAWNED[id(people)]) % len(people)]


def _auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _client_address() -> str:
    # Each simulated person comes from an address of their own (nginx appends its own; the
    # service reads the right-most untrusted one, as behind the real proxy).
    return f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"


def _ok(response, *allowed: int) -> None:
    if response.status_code in allowed:
        response.success()
    else:
        response.failure(f"{response.status_code}: {response.text[:200]}")


class Booker(HttpUser):
    weight = 4
    wait_time = between(2, 6)

    def on_start(self):
        booker = _own(FACTS["bookers"])
        self.headers = {**_auth(booker["token"]), "X-Forwarded-For": _client_address()}
        self.council = booker["council"]
        self.offer = random.choice(FACTS["offers"])

    def _search(self, weeks: int):
        start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        start += timedelta(days=random.randint(14, 42))
        query = urlencode(
            {
                "council": self.council,
                "start": start.isoformat(),
                "end": (start + timedelta(weeks=weeks)).isoformat(),
            }
        )
        with self.client.get(
            f"/api/offers/{self.offer}/slots?{query}",
            headers=self.headers,
            name=f"slot search {weeks} weeks",
            catch_response=True,
        ) as response:
            _ok(response, 200)
            return response.json() if response.status_code == 200 else []

    @task(3)
    def browse(self):
        self.client.get("/", name="page: catalogue")
        self.client.get(f"/offers/{self.offer}/", name="page: offer")
        self.client.get("/api/offers", name="catalogue API")

    @task(3)
    def search_4_weeks(self):
        self._search(4)

    @task(2)
    def search_8_weeks(self):
        self._search(8)

    @task(1)
    def check_and_book(self):
        slots = self._search(4)
        if not slots:
            return
        chosen = random.choice(slots)["start"]
        query = urlencode({"council": self.council, "start": chosen})
        with self.client.get(
            f"/api/offers/{self.offer}/slots/explain?{query}",
            headers=self.headers,
            name="slot check",
            catch_response=True,
        ) as response:
            _ok(response, 200)
        if random.random() < 0.5:
            body = {"offer": self.offer, "council": self.council, "start": chosen}
            with self.client.post(
                "/api/bookings",
                json=body,
                headers=self.headers,
                name="booking",
                catch_response=True,
            ) as response:
                _ok(response, 201, 409)


class CalendarClient(HttpUser):
    """A calendar application polling a subscription (hourly in life; here every few seconds,
    as thousands of them would add up)."""

    weight = 4
    wait_time = between(1, 3)

    def on_start(self):
        self.etags: dict[str, str] = {}

    def _poll(self, path: str, name: str):
        headers = {"If-None-Match": self.etags[path]} if path in self.etags else {}
        with self.client.get(path, headers=headers, name=name, catch_response=True) as response:
            _ok(response, 200, 304)
            if response.headers.get("ETag"):
                self.etags[path] = response.headers["ETag"]

    @task(2)
    def public_feed(self):
        self._poll(random.choice(FACTS["public_feeds"]), "feed: public")

    @task(3)
    def private_feed(self):
        self._poll(random.choice(FACTS["private_feeds"]), "feed: private")


class Councillor(HttpUser):
    weight = 2
    wait_time = between(3, 8)

    def on_start(self):
        self.councillor = _own(FACTS["councillors"])
        self.headers = {**_auth(self.councillor["token"]), "X-Forwarded-For": _client_address()}

    @task(3)
    def my_webinars(self):
        self.client.get("/api/me/registrations", headers=self.headers, name="my webinars")

    @task(1)
    def register(self):
        webinar = random.choice(FACTS["webinars"])
        body = {
            "name": self.councillor["name"],
            "email": self.councillor["email"],
            "council": self.councillor["council"],
            "role": "Ward councillor",
        }
        with self.client.post(
            f"/api/webinars/{webinar}/registrations",
            json=body,
            headers=self.headers,
            name="webinar registration",
            catch_response=True,
        ) as response:
            # 201 a new place, 200 the same place again, 409 a webinar that closed meanwhile.
            _ok(response, 200, 201, 409)


class Peer(HttpUser):
    weight = 2
    wait_time = between(4, 10)

    def on_start(self):
        self.peer = _own(FACTS["peers"])
        self.headers = _auth(self.peer["token"])

    @task(5)
    def save_hours(self):
        response = self.client.get(
            "/api/peers/me/availability", headers=self.headers, name="availability: read"
        )
        if response.status_code != 200:
            return
        mine = response.json()
        mine.pop("busy_calendar", None)
        start = random.choice(["08:30", "09:00", "09:30"])
        mine["weekly"] = [{"weekday": d, "start": start, "end": "17:00"} for d in range(5)]
        with self.client.put(
            "/api/peers/me/availability",
            json=mine,
            headers=self.headers,
            name="availability: save hours",
            catch_response=True,
        ) as response:
            _ok(response, 200)

    @task(1)
    def upload_calendar(self):
        with self.client.post(
            "/api/peers/me/busy-calendar",
            files={"file": ("busy.ics", FACTS["calendar"].encode(), "text/calendar")},
            headers=self.headers,
            name="busy calendar upload",
            catch_response=True,
        ) as response:
            _ok(response, 202)


class Staff(HttpUser):
    weight = 1
    wait_time = between(5, 15)

    def on_start(self):
        self.headers = _auth(FACTS["staff"])

    @task
    def dashboard(self):
        today = datetime.now(UTC).date()
        query = urlencode(
            {"start": today.isoformat(), "end": (today + timedelta(days=90)).isoformat()}
        )
        self.client.get(
            f"/api/programme/summary?{query}", headers=self.headers, name="staff dashboard"
        )
        self.client.get("/api/bookings", headers=self.headers, name="bookings list")

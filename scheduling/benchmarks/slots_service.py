"""Staffable start times end to end: 1,000 peers (20 of them LGA facilitators) loaded from the database, 8 weeks, a panel of 3 peers and its LGA lead."""

import random
import statistics
import time as clock
from datetime import UTC, datetime, time, timedelta

from scheduling.benchmarks._database import scratch_database

PEERS = 1_000
EVENTS_PER_PEER = 200
SEARCHES = 10


def populate(rng: random.Random, start: datetime):
    from peers.models import (
        BusyCalendar,
        BusyEvent,
        Council,
        Peer,
        PoliticalGroup,
        Profession,
        Region,
        Skill,
        WeeklyWindow,
    )

    councils = Council.objects.bulk_create(
        Council(
            name=f"Council {n}",
            slug=f"council-{n}",
            council_type="district",
            region=list(Region.values)[n % 10],
            leader_group=list(PoliticalGroup.values)[n % 5],
        )
        for n in range(60)
    )
    recovery = Skill.objects.get(slug="recovery-planning")
    peers = []
    for n in range(PEERS):
        # One in fifty is an LGA facilitator (who leads the panel); of the rest, three in five
        # are member peers.
        kind = "facilitator" if n % 50 == 49 else "member" if n % 5 < 3 else "officer"
        peers.append(
            Peer(
                name=f"Peer {n}",
                email=f"peer{n}@bench.example.org",
                kind=kind,
                political_group=rng.choice(PoliticalGroup.values) if kind == "member" else "",
                profession=rng.choice(Profession.values) if kind == "officer" else "",
                home_council=rng.choice(councils),
            )
        )
    peers = Peer.objects.bulk_create(peers)
    Peer.skills.through.objects.bulk_create(
        Peer.skills.through(peer_id=p.id, skill_id=recovery.id) for p in peers if rng.random() < 0.5
    )
    WeeklyWindow.objects.bulk_create(
        WeeklyWindow(peer=p, weekday=day, start=time(9), end=time(17))
        for p in peers
        for day in rng.sample(range(5), 3)
    )
    calendars = BusyCalendar.objects.bulk_create(
        BusyCalendar(peer=p, source="upload") for p in peers
    )
    events = []
    for calendar in calendars:
        for _ in range(EVENTS_PER_PEER):
            begin = start + timedelta(minutes=15 * rng.randrange(0, 8 * 7 * 96))
            events.append(
                BusyEvent(
                    calendar=calendar,
                    start=begin,
                    end=begin + timedelta(hours=rng.choice([1, 2, 3])),
                )
            )
    BusyEvent.objects.bulk_create(events, batch_size=5_000)
    return councils


def run() -> list[dict]:
    from django.utils import timezone

    from sessions.models import Offer
    from sessions.pool import staffable_starts

    rng = random.Random(7)
    with scratch_database():
        start = (
            (timezone.now() + timedelta(days=14))
            .astimezone(UTC)
            .replace(hour=0, minute=0, second=0, microsecond=0)
        )
        councils = populate(rng, start)
        offer = Offer.objects.get(slug="recovery-and-renewal-panel")
        timings, offered = [], []
        staffable_starts(
            offer=offer,
            council=councils[0],
            range_start=start,
            range_end=start + timedelta(weeks=8),
        )
        for n in range(SEARCHES):
            began = clock.perf_counter()
            starts, _ = staffable_starts(
                offer=offer,
                council=councils[n + 1],
                range_start=start,
                range_end=start + timedelta(weeks=8),
            )
            timings.append(clock.perf_counter() - began)
            offered.append(len(starts))
    timings.sort()
    return [
        {
            "label": "slots through the service: load 1,000 peers + 200,000 busy events, build, search",
            "seconds": statistics.median(timings),
            "p50_ms": round(statistics.median(timings) * 1000, 1),
            "p95_ms": round(timings[int(0.95 * (len(timings) - 1))] * 1000, 1),
            "searches": SEARCHES,
            "starts_offered_median": statistics.median(offered),
        }
    ]

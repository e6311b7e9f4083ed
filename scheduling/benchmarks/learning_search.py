"""Learning library search over 10,000 points: p50 and p95 of each kind of query (goal < 100 ms).

Self-contained: a scratch database (SQLite's FTS5, or PostgreSQL's full-text search with its
GIN index when DATABASE_URL names PostgreSQL) holds 2,000 past panels at 60 councils of every
type and region, with 10,000 learning points of generated words from a seeded random
generator, 80% of them published to the library. Each case asks the library's one selector
(`sessions.learning.selectors.library_search`) as the API does: the page of 20 and the count,
REPEATS times, and reports the median and the 95th percentile.
"""

import random
import statistics
import time
from datetime import UTC, datetime, timedelta

SEED = 20261207
POINTS = 10_000
PANELS = 2_000
COUNCILS = 60
REPEATS = 60
GOAL_MS = 100

VOCABULARY = [
    "budget",
    "residents",
    "savings",
    "partnership",
    "housing",
    "care",
    "leavers",
    "employers",
    "apprenticeships",
    "digital",
    "accounts",
    "broadband",
    "high",
    "street",
    "regeneration",
    "volunteers",
    "hubs",
    "youth",
    "workforce",
    "recruitment",
    "retention",
    "social",
    "workers",
    "hospital",
    "discharge",
    "reablement",
    "carers",
    "foodbank",
    "climate",
    "transport",
    "scrutiny",
    "cabinet",
    "culture",
    "leadership",
    "governance",
    "risk",
    "reserves",
    "commissioning",
    "prevention",
    "schools",
    "attainment",
    "libraries",
    "neighbourhoods",
    "data",
    "dashboards",
    "consultation",
    "engagement",
    "covid",
    "recovery",
    "business",
    "grants",
    "markets",
    "tourism",
    "skills",
]


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(VOCABULARY) for _ in range(words)).capitalize() + "."


def _data() -> None:
    from django.db import connection

    from peers.models import Council, CouncilType, PoliticalGroup, Region
    from sessions.learning import search
    from sessions.learning.models import (
        SHARED_VISIBILITIES,
        Elsewhere,
        LearningPoint,
        Theme,
        Visibility,
    )
    from sessions.models import Booking, BookingStatus, Offer, Seat, SeatStatus, Session

    rng = random.Random(SEED)
    offer = Offer.objects.get(slug="recovery-and-renewal-panel")
    councils = Council.objects.bulk_create(
        Council(
            name=f"Bench Council {n}",
            slug=f"bench-council-{n}",
            council_type=rng.choice(CouncilType.values),
            region=rng.choice(Region.values),
            leader_group=rng.choice(PoliticalGroup.values),
        )
        for n in range(COUNCILS)
    )
    start = datetime(2025, 1, 6, 10, tzinfo=UTC)
    bookings = Booking.objects.bulk_create(
        Booking(
            offer=offer,
            council=councils[n % COUNCILS],
            reference=f"BENCH-{n:05d}",
            start=start + timedelta(days=n // 4),
            status=BookingStatus.CONFIRMED,
        )
        for n in range(PANELS)
    )
    sessions = Session.objects.bulk_create(
        Session(
            offer=offer,
            booking=booking,
            number=1,
            start=booking.start,
            end=booking.start + timedelta(hours=2),
            uid=f"bench-{booking.reference}@bench",
        )
        for booking in bookings
    )
    seats = Seat.objects.bulk_create(
        Seat(session=session, role_name="Lead member peer", status=SeatStatus.ACCEPTED)
        for session in sessions
    )
    points = []
    for n in range(POINTS):
        seat = seats[n % PANELS]
        theme = rng.choice(Theme.values)
        visibility = rng.choice(Visibility.values)
        shared = visibility in SHARED_VISIBILITIES or rng.random() < 0.6
        visibility = (
            visibility
            if visibility in SHARED_VISIBILITIES or not shared
            else (Visibility.ANONYMOUS)
        )
        doing, why = _sentence(rng, 14), _sentence(rng, 10)
        if n % 2_000 == 7:
            doing += " A kintsugi approach to repairing trust."  # a word five points have
        points.append(
            LearningPoint(
                seat=seat,
                booking=bookings[n % PANELS],
                theme=theme,
                doing=doing,
                why=why,
                elsewhere=rng.choice(Elsewhere.values),
                visibility=visibility,
                published_at=seat.session.end + timedelta(days=3) if shared else None,
                search_text=search.search_text(
                    theme=Theme(theme).label, doing=doing, why=why, offer=offer.title
                ),
            )
        )
    LearningPoint.objects.bulk_create(points, batch_size=1000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


CASES = (
    ("everything, newest first", {}),
    ("one common word", {"q": "residents"}),
    ("two words", {"q": "care leavers"}),
    ("another common word", {"q": "foodbank"}),
    ("a word five points have", {"q": "kintsugi"}),
    ("a word nothing has", {"q": "zeppelin"}),
    ("a theme", {"theme": "digital"}),
    ("words, a theme and a region", {"q": "budget", "theme": "finance", "region": "north-west"}),
    ("words and a date range", {"q": "housing", "start": "2025-03-01", "end": "2025-06-30"}),
)


def _cases() -> list[dict]:
    from datetime import date

    from django.contrib.auth import get_user_model
    from django.db import connection

    from peers.selectors import caller_for
    from sessions.learning.selectors import LibraryFilters, library_item, library_search

    caller = caller_for(get_user_model().objects.create_user("bench-staff", is_staff=True))
    results = []
    for label, given in CASES:
        fields = {
            k: (date.fromisoformat(v) if k in ("start", "end") else v) for k, v in given.items()
        }
        filters = LibraryFilters(**fields)
        timings = []
        found = 0
        for _ in range(REPEATS):
            began = time.perf_counter()
            points = library_search(caller=caller, filters=filters)
            page = [library_item(p) for p in points[:20]]
            found = points.count()
            timings.append(time.perf_counter() - began)
            assert len(page) == min(20, found)
        timings.sort()
        p50 = statistics.median(timings)
        p95 = timings[int(0.95 * (len(timings) - 1))]
        results.append(
            {
                "label": f"library search: {label}",
                "seconds": p50,
                "p50_ms": round(p50 * 1000, 1),
                "p95_ms": round(p95 * 1000, 1),
                "found": found,
                "database": connection.vendor,
                "under_goal": p95 * 1000 < GOAL_MS,
            }
        )
    return results


def run() -> list[dict]:
    from scheduling.benchmarks._database import scratch_database

    with scratch_database():
        _data()
        return _cases()

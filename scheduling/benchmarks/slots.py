"""Staffable start times: 1,000 peers, 8 weeks, a 3-seat panel (plus series and multi-day offers).

The pool and its availability are built once with numpy before any timing: weekly windows in
London time expanded per date (the range spans the October clock change), random busy blocks,
and this month's workload. Each case then times `find_staffable_starts` for 20 councils of
different regions and leader groups and reports p50 and p95 per search. The long-lived data
is frozen out of the garbage collector's view before timing, as a preloaded server does, and
each case has one untimed search first.
"""

import gc
import statistics
import time
from datetime import UTC, datetime, timedelta

import numpy as np

from scheduling.engine.panels import (
    MEMBER,
    OFFICER,
    SAME_AS_LEADER,
    CouncilProfile,
    MonthLoad,
    OfferFormat,
    PeerProfile,
    RoleRequirement,
)
from scheduling.engine.staffing import explain_start, find_staffable_starts
from scheduling.engine.uk_time import LONDON

SEED = 20260907
PEERS = 1_000
SEARCHES = 20
WEEKS = 8
RANGE_START = datetime(2026, 9, 7, tzinfo=UTC)  # a Monday; clocks go back on 25 October
NOW = RANGE_START - timedelta(days=14)
SLOTS_PER_DAY = 96

REGIONS = (
    "North East",
    "North West",
    "Yorkshire and the Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
)
GROUPS = ("Labour", "Conservative", "Liberal Democrat", "Independent", "Green")
GROUP_WEIGHTS = (0.38, 0.34, 0.14, 0.09, 0.05)
PROFESSIONS = ("chief executive", "s151", "director of children's services", "head of comms")
SKILLS = ("finance", "children", "communications", "recovery", "housing")

PANEL = OfferFormat(
    "recovery-and-renewal-panel",
    duration_minutes=180,
    roles=(
        RoleRequirement("lead member peer", kind=MEMBER, political_rule=SAME_AS_LEADER, lead=True),
        RoleRequirement("member peer", kind=MEMBER),
        RoleRequirement("officer peer (finance)", kind=OFFICER, skill="finance"),
    ),
    conflict_same_region=True,
    min_notice_days=10,
)
COACHING = OfferFormat(
    "one-to-one-leadership-coaching",
    duration_minutes=60,
    session_count=3,
    spacing_days=14,
    roles=(RoleRequirement("facilitator", skill="coaching"),),
    min_notice_days=10,
    series_same_peers=True,
)
BESPOKE = OfferFormat(
    "bespoke-remote-peer-support",
    duration_minutes=300,
    session_count=3,
    spacing_days=1,
    roles=(
        RoleRequirement("member peer", kind=MEMBER),
        RoleRequirement("officer peer", kind=OFFICER),
    ),
    conflict_same_region=True,
    min_notice_days=10,
)


def _pool(rng: np.random.Generator) -> list[PeerProfile]:
    peers = []
    for i in range(PEERS):
        is_member = rng.random() < 0.55
        skills = set(rng.choice(SKILLS, size=rng.integers(0, 3), replace=False).tolist())
        if not is_member and rng.random() < 0.25:
            skills.add("finance")
        if rng.random() < 0.08:
            skills.add("coaching")
        peers.append(
            PeerProfile(
                id=i + 1,
                name=f"Peer {i + 1}",
                kind=MEMBER if is_member else OFFICER,
                home_council_id=int(rng.integers(1, 330)),
                home_region=str(rng.choice(REGIONS)),
                political_group=str(rng.choice(GROUPS, p=GROUP_WEIGHTS)) if is_member else "",
                profession="" if is_member else str(rng.choice(PROFESSIONS)),
                skills=frozenset(skills),
                declared_interest_council_ids=frozenset(
                    rng.integers(1, 330, size=rng.integers(0, 3)).tolist()
                ),
                accredited=bool(rng.random() < 0.95),
            )
        )
    return peers


def _availability(rng: np.random.Generator, days: int) -> np.ndarray:
    """(peers, days * 96) UTC quarter hours: weekly London windows minus busy blocks."""
    # Each peer's week: on 2-5 weekdays a morning, afternoon or whole-day window (local).
    week = np.zeros((PEERS, 7, SLOTS_PER_DAY), dtype=bool)
    windows = np.array([(36, 52), (52, 70), (36, 70), (34, 60), (40, 68)])  # 09:00-13:00, ...
    for weekday in range(5):
        works = rng.random(PEERS) < rng.uniform(0.45, 0.8)
        chosen = windows[rng.integers(0, len(windows), PEERS)]
        local = np.arange(SLOTS_PER_DAY)
        week[:, weekday] = works[:, None] & (local >= chosen[:, :1]) & (local < chosen[:, 1:])
    matrix = np.zeros((PEERS, days * SLOTS_PER_DAY), dtype=bool)
    for day in range(days):
        midnight = RANGE_START + timedelta(days=day)
        local_day = midnight.astimezone(LONDON)
        # Local slot j of this date is UTC slot day*96 + j - shift (one hour in summer).
        shift = int(LONDON.utcoffset(local_day.replace(tzinfo=None)).total_seconds() // 900)
        first = day * SLOTS_PER_DAY - shift
        lo, hi = max(first, 0), min(first + SLOTS_PER_DAY, matrix.shape[1])
        matrix[:, lo:hi] |= week[:, local_day.weekday(), lo - first : hi - first]
    # Busy blocks: about three a week per peer, 30 minutes to 3 hours.
    blocks = PEERS * days * 3 // 7
    rows = rng.integers(0, PEERS, blocks)
    starts = rng.integers(0, matrix.shape[1], blocks)
    ends = np.minimum(starts + rng.integers(2, 13, blocks), matrix.shape[1])
    delta = np.zeros((PEERS, matrix.shape[1] + 1), dtype=np.int32)
    np.add.at(delta, (rows, starts), 1)
    np.add.at(delta, (rows, ends), -1)
    matrix &= np.cumsum(delta[:, :-1], axis=1) == 0
    return matrix


def _loads(rng: np.random.Generator, peers: list[PeerProfile]) -> dict:
    months = [(2026, 9), (2026, 10), (2026, 11)]
    return {
        peer.id: {
            month: MonthLoad(sessions=int(n), minutes=int(n) * 180)
            for month, n in zip(months, rng.integers(0, 5, len(months)), strict=True)
        }
        for peer in peers
    }


def _councils(rng: np.random.Generator) -> list[CouncilProfile]:
    return [
        CouncilProfile(
            id=1000 + i,
            name=f"Council {i + 1}",
            region=REGIONS[i % len(REGIONS)],
            leader_group=GROUPS[i % 4],
            council_type=str(rng.choice(["county", "district", "unitary", "metropolitan"])),
        )
        for i in range(SEARCHES)
    ]


def _time_searches(offer, councils, peers, matrix, loads, **extra) -> tuple[list[float], list]:
    def search(council):
        return find_staffable_starts(
            offer,
            council,
            peers,
            matrix,
            RANGE_START,
            now=NOW,
            range_start=RANGE_START,
            range_end=RANGE_START + timedelta(weeks=WEEKS),
            loads=loads,
            **extra,
        )

    search(councils[0])
    seconds, found = [], []
    for council in councils:
        began = time.perf_counter()
        starts = search(council)
        seconds.append(time.perf_counter() - began)
        found.append(starts)
    return seconds, found


def _case(label: str, seconds: list[float], found: list) -> dict:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    counts = [len(starts) for starts in found]
    return {
        "label": label,
        "seconds": statistics.median(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(p95 * 1000, 2),
        "searches": len(seconds),
        "starts_offered_median": statistics.median(counts),
        "starts_offered_min": min(counts),
    }


def run() -> list[dict]:
    rng = np.random.default_rng(SEED)
    peers = _pool(rng)
    # Covers the 8 weeks plus two more coaching calls 14 days apart.
    matrix = _availability(rng, WEEKS * 7 + 28)
    loads = _loads(rng, peers)
    councils = _councils(rng)
    # A busier pool: each peer keeps their windows on about one day in five.
    days = matrix.shape[1] // SLOTS_PER_DAY
    kept = rng.random((PEERS, days)) < 0.2
    busy = (matrix.reshape(PEERS, days, SLOTS_PER_DAY) & kept[:, :, None]).reshape(PEERS, -1)
    gc.collect()
    gc.freeze()
    try:
        return _cases(peers, matrix, busy, loads, councils)
    finally:
        gc.unfreeze()


def _cases(peers, matrix, busy, loads, councils) -> list[dict]:
    cases = []
    seconds, found = _time_searches(PANEL, councils, peers, matrix, loads)
    cases.append(_case("3-seat panel, 8 weeks, 1,000 peers: all starts", seconds, found))
    seconds, found = _time_searches(PANEL, councils, peers, matrix, loads, limit=20)
    cases.append(_case("3-seat panel, 8 weeks, 1,000 peers: first 20 starts", seconds, found))
    seconds, found = _time_searches(COACHING, councils, peers, matrix, loads)
    cases.append(_case("3 coaching calls 14 days apart, same facilitator", seconds, found))
    seconds, found = _time_searches(BESPOKE, councils, peers, matrix, loads)
    cases.append(_case("3 consecutive days of support, 2 seats, peers may change", seconds, found))
    seconds, found = _time_searches(PANEL, councils, peers, busy, loads)
    cases.append(_case("3-seat panel, busy pool (windows on 1 day in 5)", seconds, found))

    timings = []
    for council in councils:
        began = time.perf_counter()
        explain_start(
            PANEL,
            council,
            peers,
            matrix,
            RANGE_START,
            start=datetime(2026, 10, 27, 10, tzinfo=UTC),
            now=NOW,
            loads=loads,
        )
        timings.append(time.perf_counter() - began)
    case = _case("explain one start of the 3-seat panel", timings, [[]] * len(timings))
    del case["starts_offered_median"], case["starts_offered_min"]
    cases.append(case)
    return cases

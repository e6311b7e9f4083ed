"""Peer-to-seat matching: 2,000 peers x 500 panels, series and fairness, a decline, greedy.

Synthetic, seeded data for one month (March 2027, across the clock change): peers across 10
regions and 5 political groups with skills, each free for a random 20-40% of sessions, some
already holding a seat; panels of 2-3 hours on working days between 09:00 and 17:30 London
time, so sessions overlap; three seats each (lead member peer of the leader's group, member
peer, officer peer with the panel's theme as a skill). Caps: most peers take 4 sessions a
month (some 2 or 6) and 3 hours per session. Case (b) adds 50 coaching series of three
one-hour calls a week apart (one coach with the coaching skill, no one from the region).
Every result is checked by `scheduling.engine.checker` (`violations` counts what it found).
"""

import random
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np

from scheduling.engine.checker import check
from scheduling.engine.matching import (
    FILL_VALUE,
    HeldSeat,
    MatchProblem,
    MonthLoad,
    SessionToStaff,
    match,
    match_greedily,
    month_of,
    restaff,
)
from scheduling.engine.panels import (
    MEMBER,
    OFFICER,
    SAME_AS_LEADER,
    CouncilProfile,
    PeerProfile,
    RoleRequirement,
)
from scheduling.engine.uk_time import LONDON

REGIONS = [
    "North East",
    "North West",
    "Yorkshire and the Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
    "Wales",
]
GROUPS = ["Conservative", "Labour", "Liberal Democrat", "Independent", "Green"]
GROUP_WEIGHTS = [0.36, 0.36, 0.14, 0.09, 0.05]
COUNCIL_TYPES = ["county", "district", "unitary", "metropolitan", "london borough"]
PROFESSIONS = [
    "chief executive",
    "s151 finance officer",
    "director of children's services",
    "head of communications",
]
THEMES = ["finance", "children", "communications", "housing", "transformation"]
SKILLS = [
    *THEMES,
    "adults",
    "planning",
    "leadership",
    "coaching",
    "climate",
    "economy",
    "governance",
]
MONTH_START = datetime(2027, 3, 1, tzinfo=LONDON)


def _working_days() -> list[datetime]:
    days, day = [], MONTH_START
    while day.month == 3:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def _at(day: datetime, minutes_after_nine: int) -> datetime:
    local = datetime(day.year, day.month, day.day, 9, 0, tzinfo=LONDON)
    return (local + timedelta(minutes=minutes_after_nine)).astimezone(UTC)


def synthetic_problem(
    seed: int = 7,
    *,
    n_peers: int = 2000,
    n_panels: int = 500,
    n_series: int = 0,
    fairness_step: int = 0,
    minutes_cap: int | None = None,
) -> MatchProblem:
    rng = random.Random(seed)
    councils = [
        CouncilProfile(
            id=1000 + i,
            name=f"Council {i}",
            region=rng.choice(REGIONS),
            leader_group=rng.choices(GROUPS, GROUP_WEIGHTS)[0],
            council_type=rng.choice(COUNCIL_TYPES),
        )
        for i in range(300)
    ]
    peers = []
    for i in range(n_peers):
        home = rng.choice(councils)
        member = i % 2 == 0
        skills = set(rng.sample(SKILLS, rng.randint(1, 4)))
        profession = "" if member else rng.choice(PROFESSIONS)
        if profession == "s151 finance officer":
            skills.add("finance")
        cap = rng.choices([4, 2, 6], [0.7, 0.15, 0.15])[0]  # sessions a month, 3 hours each
        peers.append(
            PeerProfile(
                id=i + 1,
                name=f"Peer {i + 1}",
                kind=MEMBER if member else OFFICER,
                home_council_id=home.id,
                home_region=home.region,
                political_group=rng.choices(GROUPS, GROUP_WEIGHTS)[0] if member else "",
                profession=profession,
                skills=frozenset(skills),
                declared_interest_council_ids=frozenset(
                    c.id for c in rng.sample(councils, rng.choice([0, 0, 1, 2]))
                ),
                accredited=rng.random() < 0.97,
                monthly_session_cap=cap,
                monthly_minutes_cap=minutes_cap or cap * 3 * 60,
                experience=rng.randint(0, 20),
                seniority=rng.randint(0, 3),
            )
        )

    days = _working_days()
    sessions = []
    for i in range(n_panels):
        day = rng.choice(days)
        duration = rng.choice([120, 150, 180])
        offset = rng.randrange(0, 8 * 60 + 30 - duration + 1, 30)
        council = rng.choice(councils)
        theme = rng.choice(THEMES)
        roles = (
            RoleRequirement(
                "lead member peer", kind=MEMBER, political_rule=SAME_AS_LEADER, lead=True
            ),
            RoleRequirement("member peer", kind=MEMBER),
            RoleRequirement("officer peer", kind=OFFICER, skill=theme),
        )
        start = _at(day, offset)
        sessions.append(
            SessionToStaff(
                id=f"panel-{i}",
                start=start,
                end=start + timedelta(minutes=duration),
                council=council,
                roles=roles,
                conflict_same_region=rng.random() < 0.3,
                topics=frozenset({theme, rng.choice(SKILLS)}),
            )
        )
    coach = (RoleRequirement("coach", skill="coaching", lead=True),)
    for j in range(n_series):
        council = rng.choice(councils)
        first = rng.choice(days[:8])
        offset = rng.randrange(0, 7 * 60, 30)
        for call in range(3):
            start = _at(first + timedelta(days=7 * call), offset)
            sessions.append(
                SessionToStaff(
                    id=f"coaching-{j}-{call + 1}",
                    start=start,
                    end=start + timedelta(minutes=60),
                    council=council,
                    roles=coach,
                    conflict_same_region=True,
                    series_id=f"coaching-{j}",
                    topics=frozenset({"leadership"}),
                )
            )

    np_rng = np.random.default_rng(seed)
    rate = np_rng.uniform(0.2, 0.4, size=n_peers)
    availability = np_rng.random((len(sessions), n_peers)) < rate[None, :]

    held, load = [], {}
    for peer in peers:
        if rng.random() < 0.3:
            day = rng.choice(days)
            start = _at(day, rng.randrange(0, 6 * 60, 30))
            end = start + timedelta(minutes=120)
            held.append(HeldSeat(peer.id, start, end))
            load[peer.id] = {month_of(start): MonthLoad(sessions=1, minutes=120)}
    return MatchProblem(
        peers=tuple(peers),
        sessions=tuple(sessions),
        availability=availability,
        existing_load=load,
        held=tuple(held),
        fairness_step=fairness_step,
    )


def _case(label: str, problem: MatchProblem, result, **extra) -> dict:
    violations = check(problem, result)
    seats = sum(r.count for s in problem.sessions for r in s.roles)
    return {
        "label": label,
        "seconds": round(result.seconds, 3),
        "optimal": result.optimal,
        "objective": result.objective,
        "bound": result.bound,
        "used_integer_solve": result.used_integer_solve,
        "seats": seats,
        "filled": len(result.assignments),
        "violations": len(violations),
        "variables": result.stats.get("variables"),
        "rows": result.stats.get("rows"),
        "build_seconds": round(result.stats.get("build_seconds", 0.0), 3),
        "lp_seconds": round(result.stats.get("lp_seconds", 0.0), 3),
        "mip_seconds": round(result.stats.get("mip_seconds", 0.0), 3),
        **extra,
    }


def run() -> list[dict]:
    cases = []
    plain = synthetic_problem(7)
    a = match(plain)
    cases.append(_case("(a) 2,000 peers x 500 panels x 3 seats", plain, a))

    fair = synthetic_problem(7, n_series=50, fairness_step=2)
    b = match(fair)
    cases.append(
        _case(
            "(b) + 50 three-call coaching series, fairness cost",
            fair,
            b,
            sessions=len(fair.sessions),
            unfairness=b.score.unfairness,
        )
    )

    # (c) the lead member peer of one panel declines; re-plan the whole month with (a)'s seats
    current = a.peer_of()
    rng = random.Random(11)
    seat = rng.choice(sorted((s for s in current if s.role == "lead member peer"), key=str))
    c = restaff(plain, current=current, declined=[(seat, current[seat])])
    c_problem = replace(plain, current=current, declined=frozenset({(seat, current[seat])}))
    cases.append(
        _case(
            "(c) re-plan (a) after one decline",
            c_problem,
            c,
            seats_moved=len(c.moved),
            declined_seat=list(seat),
        )
    )

    # five more declines, each alone, of any role
    seconds, moved, all_optimal, bad = [], [], True, 0
    for gone in rng.sample(sorted(current, key=str), 5):
        declined = frozenset({(gone, current[gone])})
        again = restaff(plain, current=current, declined=declined)
        seconds.append(again.seconds)
        moved.append(len(again.moved))
        all_optimal &= again.optimal
        bad += len(check(replace(plain, current=current, declined=declined), again))
    cases.append(
        {
            "label": "(c) five more single declines",
            "seconds": round(max(seconds), 3),
            "optimal": all_optimal,
            "seats_moved": moved,
            "violations": bad,
        }
    )

    for label, problem, best in (("(a)", plain, a), ("(b)", fair, b)):
        t0 = time.perf_counter()
        greedy = match_greedily(problem)
        seconds = time.perf_counter() - t0
        fill = FILL_VALUE * greedy.score.filled
        best_fill = FILL_VALUE * best.score.filled
        cases.append(
            {
                "label": f"(d) greedy baseline on {label}",
                "seconds": round(seconds, 3),
                "optimal": False,
                "objective": greedy.objective,
                "bound": best.objective,
                "ratio_to_optimum": round(greedy.objective / best.objective, 4),
                "filled": greedy.score.filled,
                "optimum_filled": best.score.filled,
                "fit_minus_unfairness_ratio": round(
                    (greedy.objective - fill) / (best.objective - best_fill), 4
                ),
                "violations": len(check(problem, greedy)),
            }
        )

    # (e) as (a), but every peer has a flat 12-hour month whatever their session cap: the minutes
    # bind for peers allowed six sessions, the LP optimum is fractional and the integer solve runs
    flat = synthetic_problem(7, minutes_cap=12 * 60)
    e = match(flat)
    cases.append(_case("(e) as (a) with a flat 12-hour monthly cap", flat, e))
    return cases

"""The panel a start shows is the matcher's optimum for that one booking, found exactly.

For random pools, workloads and moved bookings: `find_staffable_starts` and `explain_start`
propose the same panel, it keeps every hard rule (the independent checker), and its value is
the optimum `match()` proves for the same booking (fit, keep bonus, fairness over the rolling
window); between panels of that value both break the tie alike, towards the least recently
seated peers (`tie_break_ranks`), so re-staffing chooses as the booking did.
"""

from datetime import UTC, datetime, timedelta

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduling.engine.checker import check
from scheduling.engine.matching import MatchProblem, SeatKey, SessionToStaff, match, score_of
from scheduling.engine.panels import (
    MEMBER,
    OFFICER,
    SAME_AS_LEADER,
    CouncilProfile,
    MonthLoad,
    OfferFormat,
    PeerProfile,
    RecentWork,
    RoleRequirement,
    tie_break_ranks,
)
from scheduling.engine.staffing import explain_start, find_staffable_starts
from scheduling.engine.uk_time import month_of

STEP = timedelta(minutes=15)
GRID_START = datetime(2026, 11, 30, tzinfo=UTC)  # Monday; no bank holiday that week
NOW = datetime(2026, 11, 1, tzinfo=UTC)
COUNCIL = CouncilProfile(id=1, name="Wigan", region="North West", leader_group="labour")
ROLES = (
    RoleRequirement("lead member peer", kind=MEMBER, political_rule=SAME_AS_LEADER, lead=True),
    RoleRequirement("member peer", kind=MEMBER),
    RoleRequirement("officer peer", kind=OFFICER, skill="finance"),
)


@st.composite
def instances(draw):
    n = draw(st.integers(4, 12))
    peers = []
    for i in range(n):
        kind = draw(st.sampled_from([MEMBER, OFFICER]))
        peers.append(
            PeerProfile(
                id=100 + i,
                name=f"Peer {i}",
                kind=kind,
                home_council_id=draw(st.sampled_from([1, 2, 3])),
                home_region="North West",
                political_group=draw(st.sampled_from(["labour", "green"]))
                if kind == MEMBER
                else "",
                profession="" if kind == MEMBER else "chief-executive",
                skills=frozenset(draw(st.sets(st.sampled_from(["finance", "planning"])))),
                seniority=draw(st.integers(0, 3)),
                experience=draw(st.integers(0, 6)),
                monthly_session_cap=draw(st.integers(1, 4)),
                monthly_minutes_cap=draw(st.sampled_from([300, 720])),
            )
        )
    sessions = draw(st.sampled_from([1, 2]))
    offer = OfferFormat(
        "panel",
        duration_minutes=draw(st.sampled_from([60, 120])),
        session_count=sessions,
        spacing_days=1 if sessions > 1 else 0,
        roles=ROLES[: draw(st.integers(1, 3))],
        min_notice_days=0,
        series_same_peers=True,
    )
    days = 5
    matrix = np.zeros((n, days * 96), dtype=bool)
    for p in range(n):
        for d in range(days):
            if draw(st.booleans()):
                matrix[p, d * 96 + 36 : d * 96 + 68] = True
    ids = [p.id for p in peers]
    seated = {
        i: [GRID_START + timedelta(days=draw(st.integers(-45, 45))) for _ in range(k)]
        for i, k in zip(ids, draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)), strict=True)
        if k
    }
    last = {i: draw(st.integers(0, 50)) for i in ids if draw(st.booleans())}
    loads = {i: {(2026, 12): MonthLoad(draw(st.integers(0, 1)), 0)} for i in ids[:2]}
    keep = {ROLES[0].name: {ids[0]}} if draw(st.booleans()) else {}
    return peers, offer, matrix, RecentWork(seated=seated, last_seated=last), loads, keep


def _problem(peers, offer, matrix, workload, loads, keep, start):
    times = start.sessions
    sessions = tuple(
        SessionToStaff(
            id=k,
            start=t.start,
            end=t.end,
            council=COUNCIL,
            roles=offer.roles,
            series_id="new" if len(times) > 1 else None,
        )
        for k, t in enumerate(times)
    )
    free = np.array(
        [
            matrix[:, (t.start - GRID_START) // STEP : (t.end - GRID_START) // STEP].all(axis=1)
            for t in times
        ]
    )
    current = {
        SeatKey(k, role, 0): peer_id
        for k in range(len(times))
        for role, peer_ids in keep.items()
        for peer_id in peer_ids
    }
    return MatchProblem(
        peers=tuple(peers),
        sessions=sessions,
        availability=free,
        existing_load=loads,
        current=current,
        fairness_load={p.id: workload.around(p.id, times[0].start) for p in peers},
        last_seated=workload.last_seated,
    )


def _tie_ranks(peers, workload, pairs) -> int:
    """The sum of the tie-break ranks of a panel's peers (one team sits on every session)."""
    ids = [p.id for p in peers]
    ranks = dict(zip(ids, tie_break_ranks(ids, workload.last_seated).tolist(), strict=True))
    return sum(ranks[peer_id] for _, peer_id in {(seat.role, peer_id) for seat, peer_id in pairs})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_the_panel_shown_is_the_one_booking_optimum(instance):
    peers, offer, matrix, workload, loads, keep = instance
    kw = {"now": NOW, "loads": loads, "workload": workload, "keep": keep}
    found = find_staffable_starts(
        offer,
        COUNCIL,
        peers,
        matrix,
        GRID_START,
        range_start=GRID_START,
        range_end=GRID_START + timedelta(days=3),
        **kw,
    )
    for start in found:
        why = explain_start(offer, COUNCIL, peers, matrix, GRID_START, start=start.start, **kw)
        assert why.staffable and why.panels == start.panels
        problem = _problem(peers, offer, matrix, workload, loads, keep, start)
        pairs = [
            (SeatKey(k, role, i), peer_id)
            for k, panel in enumerate(start.panels)
            for role, peer_ids in panel.items()
            for i, peer_id in enumerate(peer_ids)
        ]
        assert check(problem, pairs) == []
        best = match(problem)
        assert best.optimal and not best.unfilled
        assert score_of(problem, pairs).total == best.objective
        assert _tie_ranks(peers, workload, pairs) == _tie_ranks(
            peers, workload, [(a.seat, a.peer_id) for a in best.assignments]
        )
        assert {month_of(t.start) for t in start.sessions} <= {(2026, 11), (2026, 12)}


def test_the_booking_and_the_matcher_choose_the_same_peer_for_the_same_tie():
    """Four equally suited, equally loaded peers for one seat: the slot search, the booking's
    check of its start and the matcher (re-staffing's solver) all seat the one who has waited
    longest, and agree again when the order of waiting changes."""
    offer = OfferFormat("call", duration_minutes=60, roles=ROLES[1:2], min_notice_days=0)
    peers = [
        PeerProfile(id=i, name=f"Peer {i}", kind=MEMBER, home_council_id=9, home_region="Wales")
        for i in (100, 101, 102, 103)
    ]
    matrix = np.ones((len(peers), 96), dtype=bool)
    for last, chosen in (
        ({100: 7, 101: 2, 102: 5}, 103),  # 103 never seated
        ({100: 7, 101: 2, 102: 5, 103: 9}, 101),
        ({}, 100),  # no one seated yet: the lower id
    ):
        workload = RecentWork(last_seated=last)
        kw = {"now": NOW, "loads": {}, "workload": workload, "keep": {}}
        [first, *_] = find_staffable_starts(
            offer,
            COUNCIL,
            peers,
            matrix,
            GRID_START,
            range_start=GRID_START,
            range_end=GRID_START + timedelta(days=1),
            **kw,
        )
        why = explain_start(offer, COUNCIL, peers, matrix, GRID_START, start=first.start, **kw)
        best = match(_problem(peers, offer, matrix, workload, {}, {}, first))
        assert first.panels == why.panels == ({"member peer": (chosen,)},)
        assert [a.peer_id for a in best.assignments] == [chosen]

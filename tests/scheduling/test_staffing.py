"""Staffable start times: only starts at which a complete panel can be staffed are offered."""

import random
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import permutations

import holidays
import numpy as np
import pytest

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
    ineligibility,
)
from scheduling.engine.staffing import (
    NOT_BOOKABLE,
    STAFFABLE,
    UNSTAFFABLE,
    candidate_starts,
    explain_start,
    find_staffable_starts,
)
from scheduling.engine.uk_time import LONDON

STEP = timedelta(minutes=15)

COUNCIL = CouncilProfile(id=1, name="Exampleshire", region="North West", leader_group="Labour")

LEAD = RoleRequirement("lead member peer", kind=MEMBER, political_rule=SAME_AS_LEADER, lead=True)
MEMBER_SEAT = RoleRequirement("member peer", kind=MEMBER)
FINANCE = RoleRequirement("officer peer (finance)", kind=OFFICER, skill="finance")
PANEL = OfferFormat(
    "recovery-panel", duration_minutes=180, roles=(LEAD, MEMBER_SEAT, FINANCE), min_notice_days=10
)


def member(peer_id, group, *, home=100, region="South East", **extra):
    return PeerProfile(
        peer_id, f"Cllr {peer_id}", MEMBER, home, region, political_group=group, **extra
    )


def officer(peer_id, *, skills=("finance",), home=200, region="South East", **extra):
    return PeerProfile(
        peer_id, f"Officer {peer_id}", OFFICER, home, region, skills=frozenset(skills), **extra
    )


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def london(*args):
    return datetime(*args, tzinfo=LONDON).astimezone(UTC)


class Grid:
    """A 15-minute availability matrix, all busy until a test frees someone."""

    def __init__(self, peers, start, days):
        self.peers = list(peers)
        self.start = start
        self.matrix = np.zeros((len(self.peers), days * 96), dtype=bool)

    def free(self, peer_id, begins, ends):
        row = [p.id for p in self.peers].index(peer_id)
        self.matrix[row, (begins - self.start) // STEP : (ends - self.start) // STEP] = True

    def free_all(self):
        self.matrix[:] = True

    def search(self, offer, *, now, range_start=None, range_end=None, council=COUNCIL, **kw):
        return find_staffable_starts(
            offer,
            council,
            self.peers,
            self.matrix,
            self.start,
            now=now,
            range_start=range_start or self.start,
            range_end=range_end or self.start + timedelta(minutes=15 * self.matrix.shape[1]),
            **kw,
        )

    def explain(self, offer, start, *, now, council=COUNCIL, **kw):
        return explain_start(
            offer, council, self.peers, self.matrix, self.start, start=start, now=now, **kw
        )


# Monday 11 May 2026 onwards: no bank holidays until 25 May; British Summer Time.
WEEK = utc(2026, 5, 11)
NOW = utc(2026, 4, 27, 12)  # 14 days before


def test_one_peer_eligible_for_two_roles_does_not_fill_both():
    labour, finance = member(10, "Labour"), officer(30)
    grid = Grid([labour, finance], WEEK, 5)
    grid.free_all()

    assert grid.search(PANEL, now=NOW) == []
    why = grid.explain(PANEL, london(2026, 5, 12, 10), now=NOW)
    assert why.status == UNSTAFFABLE
    assert [r.text for r in why.reasons] == [
        "the lead member peer and member peer seats need 2 distinct peers "
        "but only 1 peer eligible for them is free at that time"
    ]

    grid = Grid([labour, member(11, "Conservative"), finance], WEEK, 5)
    grid.free_all()
    found = grid.search(PANEL, now=NOW)
    assert len(found) == 5 * 12  # 09:00 .. 14:30 London, so a 3-hour panel ends by 17:30
    assert found[0].panel == {
        "lead member peer": (10,),
        "member peer": (11,),
        "officer peer (finance)": (30,),
    }


def test_whole_panel_needs_distinct_peers():
    either = RoleRequirement("peer", count=2)
    offer = OfferFormat("two-peers", 60, roles=(either, FINANCE), min_notice_days=0)
    grid = Grid([member(10, "Labour"), officer(30)], WEEK, 5)
    grid.free_all()
    assert grid.search(offer, now=NOW) == []
    why = grid.explain(offer, london(2026, 5, 12, 10), now=NOW)
    assert [r.text for r in why.reasons] == [
        "the panel needs 3 distinct peers but only 2 eligible peers are free at that time"
    ]


def test_every_seat_is_a_distinct_free_eligible_peer_for_the_whole_session():
    peers = [member(10, "Labour"), member(11, "Labour"), member(12, "Green"), officer(30)]
    grid = Grid(peers, WEEK, 1)
    grid.free(10, london(2026, 5, 11, 9), london(2026, 5, 11, 13))
    grid.free(11, london(2026, 5, 11, 12), london(2026, 5, 11, 17, 30))
    grid.free(12, london(2026, 5, 11, 10, 30), london(2026, 5, 11, 17, 30))
    grid.free(30, london(2026, 5, 11, 9), london(2026, 5, 11, 15, 45))
    found = grid.search(PANEL, now=NOW)
    # Before 12:00 the only Labour peer free for three hours is 10, and no second member is
    # free with them for a whole session; from 12:00 11 leads and 12 sits, until the
    # officer leaves at 15:45.
    assert [s.start for s in found] == [london(2026, 5, 11, 12), london(2026, 5, 11, 12, 30)]
    assert {s.panel["lead member peer"] for s in found} == {(11,)}
    assert {s.panel["member peer"] for s in found} == {(12,)}
    for start in found:
        ids = [i for ids in start.panel.values() for i in ids]
        assert len(ids) == len(set(ids)) == 3
        assert start.sessions[0].end - start.sessions[0].start == timedelta(hours=3)


@pytest.mark.parametrize(
    ("excluded", "reason"),
    [
        (member(10, "Labour", home=COUNCIL.id), "own council"),
        (
            member(10, "Labour", declared_interest_council_ids=frozenset({COUNCIL.id})),
            "declared interest",
        ),
        (member(10, "Labour", region=COUNCIL.region), "same region"),
        (member(10, "Labour", accredited=False), "not accredited"),
    ],
)
def test_conflicts_of_interest_exclude_a_peer(excluded, reason):
    offer = OfferFormat("panel", 180, roles=(LEAD, MEMBER_SEAT, FINANCE), conflict_same_region=True)
    peers = [excluded, member(11, "Conservative"), member(12, "Green"), officer(30)]
    grid = Grid(peers, WEEK, 2)
    grid.free_all()
    assert grid.search(offer, now=NOW) == []
    why = grid.explain(offer, london(2026, 5, 11, 10), now=NOW)
    assert [r.role for r in why.reasons] == ["lead member peer"]
    assert why.reasons[0].text == (
        "lead member peer: no Labour member peer is eligible for Exampleshire: "
        f"the 1 in the pool are excluded (1 {reason})"
    )

    fine = member(13, "Labour")
    grid = Grid([*peers, fine], WEEK, 2)
    grid.free_all()
    found = grid.search(offer, now=NOW)
    assert found and all(s.panel["lead member peer"] == (13,) for s in found)
    assert all(10 not in ids for s in found for ids in s.panel.values())


def test_same_region_only_excludes_when_the_offer_says_so():
    peers = [member(10, "Labour", region=COUNCIL.region), member(11, "Green"), officer(30)]
    grid = Grid(peers, WEEK, 1)
    grid.free_all()
    assert grid.search(PANEL, now=NOW)[0].panel["lead member peer"] == (10,)
    strict = OfferFormat("panel", 180, roles=PANEL.roles, conflict_same_region=True)
    assert grid.search(strict, now=NOW) == []


def test_notice_and_horizon_count_london_calendar_days():
    offer = OfferFormat("call", 60, roles=(FINANCE,), min_notice_days=10, horizon_days=14)
    grid = Grid([officer(30)], utc(2026, 6, 1), 28)
    grid.free_all()
    now = london(2026, 6, 1, 16)  # Monday
    found = grid.search(offer, now=now)
    days = sorted({s.start.astimezone(LONDON).date() for s in found})
    assert days == [date(2026, 6, 11), date(2026, 6, 12), date(2026, 6, 15)]
    assert found[0].start == london(2026, 6, 11, 9)

    why = grid.explain(offer, london(2026, 6, 10, 10), now=now)
    assert why.status == NOT_BOOKABLE
    assert why.reasons[0].text.startswith("inside the 10-day minimum notice")
    why = grid.explain(offer, london(2026, 6, 16, 10), now=now)
    assert why.reasons[0].text.startswith("beyond the 14-day booking horizon")


def test_only_starts_in_the_requested_range_and_office_hours():
    offer = OfferFormat("call", 90, roles=(FINANCE,), min_notice_days=0)
    grid = Grid([officer(30)], WEEK, 7)
    grid.free_all()
    found = grid.search(
        offer, now=NOW, range_start=london(2026, 5, 12, 10), range_end=london(2026, 5, 13, 9, 30)
    )
    local = [s.start.astimezone(LONDON) for s in found]
    assert local[0] == datetime(2026, 5, 12, 10, tzinfo=LONDON)
    assert local[-1] == datetime(2026, 5, 13, 9, tzinfo=LONDON)
    assert all(t.minute in (0, 30) for t in local)
    assert max(t.time() for t in local) == time(16)  # ends 17:30
    assert len(grid.search(offer, now=NOW, limit=4)) == 4

    assert [r.text for r in grid.explain(offer, london(2026, 5, 12, 16, 30), now=NOW).reasons] == [
        "outside office hours (sessions run 09:00–17:30 UK time)"
    ]
    assert [r.text for r in grid.explain(offer, london(2026, 5, 12, 10, 15), now=NOW).reasons] == [
        "not a start time (sessions start on the hour and half hour)"
    ]
    assert [r.text for r in grid.explain(offer, london(2026, 5, 16, 10), now=NOW).reasons] == [
        "on a Saturday, not a working day"
    ]


def test_starts_outside_the_availability_grid_are_not_offered():
    offer = OfferFormat("call", 60, roles=(FINANCE,), min_notice_days=0)
    grid = Grid([officer(30)], WEEK, 1)
    grid.free_all()
    found = grid.search(offer, now=NOW, range_end=WEEK + timedelta(days=7))
    assert {s.start.astimezone(LONDON).date() for s in found} == {date(2026, 5, 11)}
    why = grid.explain(offer, london(2026, 5, 12, 10), now=NOW)
    assert why.status == UNSTAFFABLE
    assert why.reasons[0].text == "the peers' availability is not known for that time"


def test_bank_holidays_are_never_offered():
    offer = OfferFormat("call", 60, roles=(FINANCE,), min_notice_days=0)
    grid = Grid([officer(30)], utc(2026, 3, 30), 14)
    grid.free_all()
    days = {s.start.astimezone(LONDON).date() for s in grid.search(offer, now=NOW.replace(month=3))}
    # Good Friday and Easter Monday.
    assert date(2026, 4, 3) not in days and date(2026, 4, 6) not in days
    assert date(2026, 4, 2) in days and date(2026, 4, 7) in days
    why = grid.explain(offer, london(2026, 4, 3, 10), now=utc(2026, 3, 1))
    assert [r.text for r in why.reasons] == ["a bank holiday (Good Friday)"]

    grid = Grid([officer(30)], utc(2026, 12, 21), 14)
    grid.free_all()
    days = {s.start.astimezone(LONDON).date() for s in grid.search(offer, now=utc(2026, 12, 1))}
    # Christmas Day, and Boxing Day observed on the Monday.
    assert date(2026, 12, 25) not in days and date(2026, 12, 28) not in days
    assert date(2026, 12, 24) in days and date(2026, 12, 29) in days
    why = grid.explain(offer, london(2026, 12, 25, 10), now=utc(2026, 12, 1))
    assert [r.text for r in why.reasons] == ["a bank holiday (Christmas Day)"]


@pytest.mark.parametrize(
    ("gmt_day", "bst_day"),
    [
        (date(2026, 3, 27), date(2026, 3, 30)),  # clocks go forward Sun 29 Mar 2026
        (date(2026, 10, 26), date(2026, 10, 23)),  # back Sun 25 Oct 2026
        (date(2027, 3, 25), date(2027, 3, 30)),  # forward Sun 28 Mar 2027 (Easter around it)
        (date(2027, 11, 1), date(2027, 10, 29)),  # back Sun 31 Oct 2027
    ],
)
def test_ten_oclock_london_across_clock_changes(gmt_day, bst_day):
    offer = OfferFormat("call", 60, roles=(FINANCE,), min_notice_days=0)
    start = datetime.combine(min(gmt_day, bst_day) - timedelta(days=3), time(), UTC)
    grid = Grid([officer(30)], start, 12)
    # Free only 10:00-11:00 London each day, expanded from the wall clock per date.
    for offset in range(12):
        day = start.date() + timedelta(days=offset)
        grid.free(30, london(*day.timetuple()[:3], 10), london(*day.timetuple()[:3], 11))
    found = {s.start for s in grid.search(offer, now=start - timedelta(days=1))}
    assert datetime.combine(gmt_day, time(10), UTC) in found
    assert datetime.combine(bst_day, time(9), UTC) in found
    assert datetime.combine(bst_day, time(10), UTC) not in found
    assert len(found) >= 4
    assert all(s.astimezone(LONDON).time() == time(10) for s in found)


def test_clock_change_keeps_later_sessions_at_the_same_london_time():
    coaching = OfferFormat(
        "coaching",
        60,
        session_count=3,
        spacing_days=14,
        roles=(FINANCE,),
        min_notice_days=0,
        series_same_peers=True,
    )
    grid = Grid([officer(30)], utc(2026, 10, 1), 40)
    grid.free_all()
    found = grid.search(coaching, now=utc(2026, 9, 1), range_end=utc(2026, 10, 2))
    first = next(s for s in found if s.start == london(2026, 10, 1, 10))
    assert [s.start for s in first.sessions] == [
        utc(2026, 10, 1, 9),
        utc(2026, 10, 15, 9),
        utc(2026, 10, 29, 10),
    ]
    assert first.sessions[2].end == utc(2026, 10, 29, 11)


FACILITATE = RoleRequirement("facilitator", kind=OFFICER, skill="coaching")
COACHING = OfferFormat(
    "coaching",
    60,
    session_count=3,
    spacing_days=14,
    roles=(FACILITATE,),
    min_notice_days=0,
    series_same_peers=True,
)
CALLS = [london(2026, 6, 1, 10), london(2026, 6, 15, 10), london(2026, 6, 29, 10)]


def coaching_grid():
    peers = [officer(i, skills=("coaching",)) for i in (31, 32, 33)]
    grid = Grid(peers, utc(2026, 6, 1), 35)
    for peer_id, calls in ((31, CALLS[:2]), (32, [CALLS[0], CALLS[2]]), (33, [CALLS[1], CALLS[2]])):
        for call in calls:
            grid.free(peer_id, call, call + timedelta(hours=1))
    return grid


def test_series_keeps_one_facilitator_free_for_every_call():
    grid = coaching_grid()
    rng = {"range_end": utc(2026, 6, 2)}
    # Every call has someone free, but nobody is free for all three.
    assert grid.search(COACHING, now=utc(2026, 5, 1), **rng) == []
    why = grid.explain(COACHING, CALLS[0], now=utc(2026, 5, 1))
    assert [r.text for r in why.reasons] == [
        "facilitator: no coaching officer peer is free for all 3 sessions (3 are eligible; all busy)"
    ]

    loose = replace(COACHING, series_same_peers=False)
    found = grid.search(loose, now=utc(2026, 5, 1), **rng)
    assert [s.start for s in found] == [CALLS[0]]
    assert [p["facilitator"] for p in found[0].panels] == [(31,), (31,), (32,)]

    for call in CALLS:
        grid.free(33, call, call + timedelta(hours=1))
    found = grid.search(COACHING, now=utc(2026, 5, 1), **rng)
    assert [s.start for s in found] == [CALLS[0]]
    assert [s.start for s in found[0].sessions] == CALLS
    assert [p["facilitator"] for p in found[0].panels] == [(33,)] * 3


def test_series_is_not_offered_when_a_later_call_lands_on_a_bank_holiday():
    offer = OfferFormat(
        "coaching", 60, session_count=3, spacing_days=14, roles=(FINANCE,), min_notice_days=0
    )
    grid = Grid([officer(30)], utc(2026, 3, 16), 42)
    grid.free_all()
    days = {s.start.astimezone(LONDON).date() for s in grid.search(offer, now=utc(2026, 3, 1))}
    assert date(2026, 3, 20) not in days  # its second call would be Good Friday
    assert date(2026, 3, 19) in days
    why = grid.explain(offer, london(2026, 3, 20, 10), now=utc(2026, 3, 1))
    assert [r.text for r in why.reasons] == [
        "session 2 (Friday 3 April 2026): a bank holiday (Good Friday)"
    ]


def test_consecutive_days_of_support_never_run_into_a_weekend():
    offer = OfferFormat(
        "bespoke", 360, session_count=3, spacing_days=1, roles=(FINANCE,), min_notice_days=0
    )
    grid = Grid([officer(30, monthly_minutes_cap=24 * 60)], WEEK, 14)
    grid.free_all()
    found = grid.search(offer, now=NOW)
    assert {s.start.astimezone(LONDON).weekday() for s in found} == {0, 1, 2}
    assert all(s.panels == ({FINANCE.name: (30,)},) * 3 for s in found)
    why = grid.explain(offer, london(2026, 5, 14, 9), now=NOW)
    assert [r.text for r in why.reasons] == [
        "session 3 (Saturday 16 May 2026): on a Saturday, not a working day"
    ]


def test_a_peer_at_their_monthly_cap_is_not_offered_for_that_month():
    offer = OfferFormat("call", 60, roles=(FINANCE,), min_notice_days=0)
    grid = Grid([officer(30)], utc(2026, 5, 25), 14)
    grid.free_all()
    loads = {30: {(2026, 5): MonthLoad(sessions=4)}}
    found = grid.search(offer, now=NOW, loads=loads)
    assert {s.start.astimezone(LONDON).month for s in found} == {6}
    why = grid.explain(offer, london(2026, 5, 27, 10), now=NOW, loads=loads)
    assert [r.text for r in why.reasons] == [
        "officer peer (finance): the only finance officer peer is at their monthly cap"
    ]
    minutes = {30: {(2026, 5): MonthLoad(sessions=1, minutes=12 * 60 - 30)}}
    assert {s.start.month for s in grid.search(offer, now=NOW, loads=minutes)} == {6}


def test_caps_count_every_session_of_the_booking():
    offer = OfferFormat(
        "bespoke", 240, session_count=3, spacing_days=1, roles=(FINANCE,), min_notice_days=0
    )
    peers = [officer(30, monthly_session_cap=2), officer(31, monthly_session_cap=2)]
    grid = Grid(peers, WEEK, 3)
    grid.free_all()
    one_left = {31: {(2026, 5): MonthLoad(sessions=1)}}
    found = grid.search(offer, now=NOW, loads=one_left, limit=1)
    # 30 can take two days and 31 one: no one peer may take all three.
    assert found
    used = [i for panel in found[0].panels for i in panel[FINANCE.name]]
    assert sorted(used) == [30, 30, 31]
    full = {31: {(2026, 5): MonthLoad(sessions=2)}}
    assert grid.search(offer, now=NOW, loads=full) == []
    why = grid.explain(offer, london(2026, 5, 11, 9), now=NOW, loads=full)
    assert why.status == UNSTAFFABLE and "monthly caps" in why.reasons[0].text

    assert grid.search(replace(offer, series_same_peers=True), now=NOW, loads=one_left) == []


def test_caps_shared_by_sessions_are_solved_exactly_not_greedily():
    offer = OfferFormat(
        "bespoke", 240, session_count=3, spacing_days=1, roles=(FINANCE,), min_notice_days=0
    )
    peers = [officer(30, monthly_session_cap=1), officer(31, monthly_session_cap=2)]
    grid = Grid(peers, WEEK, 3)
    days = [london(2026, 5, 11, 9), london(2026, 5, 12, 9), london(2026, 5, 13, 9)]
    for peer_id, free_days in ((30, [days[0], days[2]]), (31, days[:2])):
        for day in free_days:
            grid.free(peer_id, day, day + timedelta(hours=4))
    # Day 1 must go to 31 although 30 is preferred: 30's one session is needed on day 3.
    found = grid.search(offer, now=NOW)
    assert [s.start for s in found] == [days[0]]
    assert [p[FINANCE.name] for p in found[0].panels] == [(31,), (31,), (30,)]
    assert grid.explain(offer, days[0], now=NOW).panels == found[0].panels


def test_a_peer_eligible_for_two_roles_takes_the_one_nobody_else_can_fill():
    housing = RoleRequirement("officer peer (housing)", kind=OFFICER, skill="housing")
    offer = OfferFormat("panel", 60, roles=(housing, FINANCE), min_notice_days=0)
    peers = [
        officer(30, skills=("housing", "finance")),
        officer(31, skills=("housing",)),
        officer(33),
        officer(34),
    ]
    grid = Grid(peers, WEEK, 1)
    grid.free(30, WEEK, WEEK + timedelta(days=1))
    grid.free(31, WEEK, WEEK + timedelta(days=1))
    # Housing has fewer eligible peers, but at these times 30 is the only finance peer free,
    # so 30 must sit as the finance officer and 31 take housing.
    found = grid.search(offer, now=NOW)
    assert len(found) == 16
    assert {tuple(sorted(s.panel.items())) for s in found} == {
        ((FINANCE.name, (30,)), (housing.name, (31,)))
    }
    assert grid.explain(offer, found[0].start, now=NOW).panels == found[0].panels


def test_proposal_prefers_less_work_nearby_then_the_least_recently_seated():
    peers = [officer(30), officer(31), officer(32)]
    grid = Grid(peers, WEEK, 1)
    grid.free_all()
    offer = OfferFormat("call", 60, roles=(FINANCE,), min_notice_days=0)
    assert grid.search(offer, now=NOW)[0].panel == {FINANCE.name: (30,)}
    # 30 was seated last, then 31: 32 has waited longest.
    recent = RecentWork(last_seated={30: 9, 31: 5})
    assert grid.search(offer, now=NOW, workload=recent)[0].panel == {FINANCE.name: (32,)}
    # Sessions held within the fairness window count, whichever calendar month they are in.
    busy = RecentWork(seated={32: [WEEK - timedelta(days=20)], 31: [WEEK - timedelta(days=40)]})
    assert grid.search(offer, now=NOW, workload=busy)[0].panel == {FINANCE.name: (30,)}
    busy = RecentWork(seated={30: [WEEK - timedelta(days=20)], 31: [WEEK - timedelta(days=40)]})
    assert grid.search(offer, now=NOW, workload=busy)[0].panel == {FINANCE.name: (31,)}
    # Fit comes before fairness: the only peer with the skill a lead seat values more.
    senior = [officer(40), officer(41, seniority=3)]
    grid = Grid(senior, WEEK, 1)
    grid.free_all()
    busy = RecentWork(seated={41: [WEEK - timedelta(days=1)]})
    assert grid.search(offer, now=NOW, workload=busy)[0].panel == {FINANCE.name: (41,)}


def test_explanations_name_the_failing_role():
    peers = [member(10, "Labour"), member(11, "Labour"), member(12, "Labour"), officer(30)]
    grid = Grid(peers, WEEK, 1)
    grid.free(30, WEEK, WEEK + timedelta(days=1))
    why = grid.explain(PANEL, london(2026, 5, 11, 10), now=NOW)
    assert why.status == UNSTAFFABLE
    assert [(r.role, r.text) for r in why.reasons] == [
        (
            "lead member peer",
            "lead member peer: no Labour member peer is free at that time (3 are eligible; all busy)",
        ),
        (
            "member peer",
            "member peer: no member peer is free at that time (3 are eligible; all busy)",
        ),
    ]
    grid.free(10, WEEK, WEEK + timedelta(days=1))
    grid.free(11, WEEK, WEEK + timedelta(days=1))
    why = grid.explain(PANEL, london(2026, 5, 11, 10), now=NOW)
    assert why.staffable and why.panels[0]["officer peer (finance)"] == (30,)
    assert why.status == STAFFABLE


# --- randomised comparison with a slow brute-force reference ---------------------------


def reference_starts(
    offer, council, peers, matrix, grid_start, *, now, range_start, range_end, loads
):
    """Every 15 minutes of the range, checked the slow way with zoneinfo and permutations."""
    bank = holidays.country_holidays("GB", subdiv="ENG", years=range(2025, 2029))
    today = now.astimezone(LONDON).date()
    duration = timedelta(minutes=offer.duration_minutes)
    count = max(1, offer.session_count)
    seats = [role for role in offer.roles for _ in range(role.count)]

    def free(p, begins, ends):
        first = (begins - grid_start) // STEP
        last = -((grid_start - ends) // STEP)  # ceil
        return first >= 0 and last <= matrix.shape[1] and matrix[p, first:last].all()

    def room(p, month):
        load = loads.get(peers[p].id, {}).get(month, MonthLoad())
        return min(
            peers[p].monthly_session_cap - load.sessions,
            (peers[p].monthly_minutes_cap - load.minutes) // offer.duration_minutes,
        )

    def fits(p, role):
        return (
            ineligibility(peers[p], role, council, conflict_same_region=offer.conflict_same_region)
            is None
        )

    def staffable(sessions):
        months = [(s.astimezone(LONDON).year, s.astimezone(LONDON).month) for s, _ in sessions]
        if not seats:
            return True
        if offer.series_same_peers or count == 1:
            for chosen in permutations(range(len(peers)), len(seats)):
                if (
                    all(fits(p, r) for p, r in zip(chosen, seats, strict=True))
                    and all(free(p, s, e) for p in chosen for s, e in sessions)
                    and all(room(p, m) >= months.count(m) for p in chosen for m in months)
                ):
                    return True
            return False

        def fill(k, used):
            if k == count:
                return True
            s, e = sessions[k]
            for chosen in permutations(range(len(peers)), len(seats)):
                if all(fits(p, r) for p, r in zip(chosen, seats, strict=True)) and all(
                    free(p, s, e) and room(p, months[k]) > used.get((p, months[k]), 0)
                    for p in chosen
                ):
                    after = dict(used)
                    for p in chosen:
                        after[(p, months[k])] = after.get((p, months[k]), 0) + 1
                    if fill(k + 1, after):
                        return True
            return False

        return fill(0, {})

    found = []
    moment = range_start
    while moment < range_end:
        local = moment.astimezone(LONDON)
        if local.minute in (0, 30):
            sessions, ok = [], True
            for k in range(count):
                day = local.date() + timedelta(days=k * offer.spacing_days)
                begins = datetime(
                    day.year, day.month, day.day, local.hour, local.minute, tzinfo=LONDON
                )
                ends = (begins.astimezone(UTC) + duration).astimezone(LONDON)
                ok &= day.weekday() < 5 and day not in bank
                ok &= (
                    time(9) <= begins.time() and ends.date() == day and ends.time() <= time(17, 30)
                )
                sessions.append((begins.astimezone(UTC), ends.astimezone(UTC)))
            ok &= local.date() >= today + timedelta(days=offer.min_notice_days)
            ok &= sessions[-1][0].astimezone(LONDON).date() <= today + timedelta(
                days=offer.horizon_days
            )
            if ok and staffable(sessions):
                found.append(moment)
        moment += STEP
    return found


def random_instance(rng):
    groups = ["Labour", "Conservative", "Liberal Democrat"]
    regions = ["North West", "London", "South West"]
    council = CouncilProfile(1, "Testshire", rng.choice(regions), rng.choice(groups))
    peers = []
    for i in range(rng.randint(5, 8)):
        kind = rng.choice([MEMBER, OFFICER])
        peers.append(
            PeerProfile(
                id=rng.randint(1, 1000) * 10 + i,
                name=f"Peer {i}",
                kind=kind,
                home_council_id=rng.choice([1, 2, 3, 4]),
                home_region=rng.choice(regions),
                political_group=rng.choice(groups) if kind == MEMBER else "",
                skills=frozenset(rng.sample(["finance", "coaching"], rng.randint(0, 2))),
                declared_interest_council_ids=frozenset({1})
                if rng.random() < 0.05
                else frozenset(),
                accredited=rng.random() > 0.05,
                monthly_session_cap=rng.choice([0, 1, 2, 3, 4, 4, 4, 4]),
                monthly_minutes_cap=rng.choice([300, 720, 720]),
            )
        )
    roles = []
    for n in range(rng.choice([1, 1, 2, 3])):
        kind = rng.choice(["", "", MEMBER, OFFICER])
        roles.append(
            RoleRequirement(
                f"role {n}",
                count=rng.choice([1, 1, 2]),
                kind=kind,
                political_rule=SAME_AS_LEADER if kind != OFFICER and rng.random() < 0.2 else "any",
                skill=rng.choice(["", "", "", "finance", "coaching"]),
            )
        )
    while sum(r.count for r in roles) > 3:
        roles.pop()
    session_count = rng.choice([1, 1, 2, 3])
    offer = OfferFormat(
        "random",
        duration_minutes=rng.choice([45, 60, 90, 120, 180]),
        session_count=session_count,
        spacing_days=rng.choice([1, 7, 14]) if session_count > 1 else 0,
        roles=tuple(roles),
        conflict_same_region=rng.random() < 0.3,
        min_notice_days=rng.randint(0, 6),
        horizon_days=rng.randint(5, 40),
        series_same_peers=rng.random() < 0.5,
    )
    if session_count == 3 and not offer.series_same_peers:
        # Keeps the brute force over three independently staffed sessions small.
        offer = replace(offer, roles=offer.roles[:1])
    base = rng.choice(
        [
            date(2026, 3, 23),
            date(2026, 10, 19),
            date(2027, 3, 22),
            date(2026, 12, 21),
            date(2026, 5, 4),
        ]
    )
    range_start = datetime.combine(
        base + timedelta(days=rng.randint(0, 4)), time(rng.choice([0, 8, 10])), UTC
    )
    range_end = range_start + timedelta(days=rng.randint(1, 9), hours=rng.choice([0, 5]))
    grid_start = datetime.combine(range_start.date() - timedelta(days=1), time(), UTC)
    # Mostly long enough for every session of the range, sometimes cut short.
    days = (range_end - grid_start).days + 1 + offer.spacing_days * (session_count - 1)
    slots = 96 * max(2, days + rng.randint(-3, 2))
    matrix = np.zeros((len(peers), slots), dtype=bool)
    for p in range(len(peers)):
        # Weekly-ish windows plus busy blocks, in whole hours and some quarter hours.
        for day in range(slots // 96):
            if rng.random() < 0.9:
                a = day * 96 + rng.randint(28, 40)
                matrix[p, a : a + rng.randint(20, 44)] = True
        for _ in range(rng.randint(0, 6)):
            a = rng.randrange(slots)
            matrix[p, a : a + rng.randint(1, 12)] = False
    now = datetime.combine(
        range_start.date() - timedelta(days=offer.min_notice_days + rng.randint(-2, 3)),
        time(rng.randint(0, 23), rng.choice([0, 17])),
        UTC,
    )
    loads = {
        peer.id: {(m.year, m.month): MonthLoad(rng.randint(0, 3), rng.randint(0, 300))}
        for peer in peers
        if rng.random() < 0.4
        for m in [range_start.astimezone(LONDON)]
    }
    return offer, council, peers, matrix, grid_start, now, range_start, range_end, loads


@pytest.mark.parametrize("seed", range(150))
def test_search_agrees_with_brute_force(seed):
    rng = random.Random(seed)
    offer, council, peers, matrix, grid_start, now, range_start, range_end, loads = random_instance(
        rng
    )
    kw = {"now": now, "range_start": range_start, "range_end": range_end, "loads": loads}
    found = find_staffable_starts(offer, council, peers, matrix, grid_start, **kw)
    expected = reference_starts(offer, council, peers, matrix, grid_start, **kw)
    assert [s.start for s in found] == expected

    by_id = {peer.id: p for p, peer in enumerate(peers)}
    for start in found:
        assert len(start.panels) == len(start.sessions) == max(1, offer.session_count)
        if offer.series_same_peers:
            assert len(set(map(lambda p: tuple(sorted(p.items())), start.panels))) == 1
        used = {}
        for session, panel in zip(start.sessions, start.panels, strict=True):
            ids = [i for ids in panel.values() for i in ids]
            assert len(ids) == len(set(ids)) == sum(r.count for r in offer.roles)
            for role in offer.roles:
                assert len(panel.get(role.name, ())) == role.count
                for i in panel.get(role.name, ()):
                    p = by_id[i]
                    assert (
                        ineligibility(
                            peers[p], role, council, conflict_same_region=offer.conflict_same_region
                        )
                        is None
                    )
                    first = (session.start - grid_start) // STEP
                    last = -((grid_start - session.end) // STEP)
                    assert matrix[p, first:last].all()
            month = (session.start.astimezone(LONDON).year, session.start.astimezone(LONDON).month)
            for i in ids:
                used[(i, month)] = used.get((i, month), 0) + 1
        for (i, month), n in used.items():
            load = loads.get(i, {}).get(month, MonthLoad())
            assert load.sessions + n <= peers[by_id[i]].monthly_session_cap
            assert load.minutes + n * offer.duration_minutes <= peers[by_id[i]].monthly_minutes_cap

    # explain_start agrees with the search at every half hour of the range, panel included.
    offered = {s.start: s.panels for s in found}
    moment = range_start
    while moment < range_end:
        if moment.minute in (0, 30):
            why = explain_start(
                offer, council, peers, matrix, grid_start, start=moment, now=now, loads=loads
            )
            assert why.staffable == (moment in offered), (moment, why.reasons)
            assert why.panels == offered.get(moment, ())
            assert why.staffable or why.reasons
        moment += timedelta(minutes=30)


def test_random_instances_cover_both_outcomes():
    offered = empty = 0
    for seed in range(60):
        rng = random.Random(seed)
        offer, council, peers, matrix, grid_start, now, range_start, range_end, loads = (
            random_instance(rng)
        )
        kw = {"now": now, "range_start": range_start, "range_end": range_end, "loads": loads}
        count = len(find_staffable_starts(offer, council, peers, matrix, grid_start, **kw))
        offered += count > 0
        empty += count == 0
    assert offered >= 10 and empty >= 10


def test_candidate_starts_are_all_on_working_days_in_office_hours():
    offer = OfferFormat("call", 60, roles=(), min_notice_days=0)
    starts = candidate_starts(
        offer, now=utc(2026, 1, 1), range_start=utc(2026, 3, 23), range_end=utc(2026, 4, 6)
    )
    local = [s[0].start.astimezone(LONDON) for s in starts]
    assert all(t.weekday() < 5 and time(9) <= t.time() <= time(16, 30) for t in local)
    assert date(2026, 4, 3) not in {t.date() for t in local}
    assert len(local) == 9 * 16

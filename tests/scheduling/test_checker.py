"""The independent checker finds each kind of broken rule, and nothing in a valid plan."""

from datetime import UTC, datetime, timedelta

from scheduling.engine.checker import check
from scheduling.engine.matching import (
    HeldSeat,
    MatchResult,
    MonthLoad,
    RunnerUp,
    SeatAssignment,
    SeatKey,
    SessionToStaff,
    UnfilledSeat,
    match,
    seat_fit,
)
from scheduling.engine.panels import OFFICER, RoleRequirement
from scheduling.engine.uk_time import LONDON
from tests.scheduling.match_problems import (
    KENT,
    LEAD_SEAT,
    MARCH,
    MEMBER_SEAT,
    T0,
    WIGAN,
    peer,
    problem,
    session,
)


def rules(violations) -> list[str]:
    return sorted(v.rule for v in violations)


def seat(session_id="s", role="member peer", index=0) -> SeatKey:
    return SeatKey(session_id, role, index)


def test_a_valid_plan_has_no_violations():
    p = problem(
        [peer(1), peer(2), peer(3, political_group="Conservative")],
        [session("s", roles=[LEAD_SEAT, MEMBER_SEAT]), session("t", start=T0 + timedelta(days=1))],
    )
    plan = {
        seat("s", "lead member peer"): 1,
        seat("s", "member peer"): 3,
        seat("t", "member peer"): 1,
    }
    assert check(p, plan) == []
    assert check(p, match(p)) == []


def test_a_seat_filled_twice():
    p = problem([peer(1), peer(2)], [session("s")])
    assert rules(check(p, [(seat(), 1), (seat(), 2)])) == ["double fill"]


def test_seats_and_peers_outside_the_problem():
    p = problem([peer(1)], [session("s")])
    assert rules(check(p, {seat(index=1): 1})) == ["seat"]
    assert rules(check(p, {seat(role="chair"): 1})) == ["seat"]
    assert rules(check(p, {seat("elsewhere"): 1})) == ["seat"]
    assert rules(check(p, {seat(): 99})) == ["peer"]


def test_one_peer_in_two_seats_of_a_session():
    p = problem([peer(1)], [session("s", roles=[LEAD_SEAT, MEMBER_SEAT])])
    plan = {seat("s", "lead member peer"): 1, seat("s", "member peer"): 1}
    assert rules(check(p, plan)) == ["same session"]


def test_each_static_rule_comes_from_ineligibility():
    own = peer(1, home_council_id=WIGAN.id)
    [v] = check(problem([own], [session("s")]), {seat(): 1})
    assert (v.rule, v.peer_id, v.seat) == ("eligibility", 1, seat())
    assert v.message.endswith("own council")

    officer = peer(2, kind=OFFICER, political_group="")
    [v] = check(problem([officer], [session("s")]), {seat(): 2})
    assert v.message.endswith("not a member peer")

    labour_in_kent = problem([peer(3)], [session("k", roles=[LEAD_SEAT], council=KENT)])
    [v] = check(labour_in_kent, {seat("k", "lead member peer"): 3})
    assert v.message.endswith("not of the leader's group (Conservative)")

    neighbour = peer(4, home_region=WIGAN.region)
    strict = problem([neighbour], [session("s", conflict_same_region=True)])
    assert rules(check(strict, {seat(): 4})) == ["eligibility"]
    assert check(problem([neighbour], [session("s")]), {seat(): 4}) == []


def test_a_decline_covers_every_seat_of_its_role_slot():
    pair = session("s", roles=[RoleRequirement("member peer", count=2)])
    p = problem([peer(1), peer(2)], [pair], declined=frozenset({(seat(index=0), 1)}))
    assert rules(check(p, {seat(index=1): 1})) == ["declined"]
    assert check(p, {seat(index=0): 2, seat(index=1): 2}) != []  # twice in a session
    assert check(p, {seat(index=1): 2}) == []


def test_a_peer_must_be_free():
    p = problem([peer(1)], [session("s")], {"s": set()})
    assert rules(check(p, {seat(): 1})) == ["availability"]


def test_sessions_closer_than_the_buffer_clash():
    first = session("a", start=T0)  # 10:00-12:00 UTC
    close = session("b", start=T0 + timedelta(minutes=140))  # 20 minutes later
    spaced = session("c", start=T0 + timedelta(minutes=150))  # 30 minutes later
    p = problem([peer(1)], [first, close, spaced])
    assert rules(check(p, {seat("a"): 1, seat("b"): 1})) == ["overlap"]
    assert check(p, {seat("a"): 1, seat("c"): 1}) == []
    held = problem(
        [peer(1)],
        [first],
        held=(HeldSeat(1, T0 - timedelta(minutes=80), T0 - timedelta(minutes=20)),),
    )
    assert rules(check(held, {seat("a"): 1})) == ["overlap"]
    other_peer_held = problem([peer(1)], [first], held=(HeldSeat(2, T0, T0 + timedelta(hours=1)),))
    assert check(other_peer_held, {seat("a"): 1}) == []


def test_caps_count_the_existing_load_per_london_month():
    days = [session(f"d{i}", start=T0 + timedelta(days=i)) for i in range(3)]
    capped = peer(1, monthly_session_cap=2, monthly_minutes_cap=600)
    p = problem([capped], days, existing_load={1: {MARCH: MonthLoad(1, 60)}})
    assert check(p, {seat("d0"): 1}) == []
    assert rules(check(p, {seat("d0"): 1, seat("d1"): 1})) == ["session cap"]

    short = peer(1, monthly_session_cap=9, monthly_minutes_cap=300)
    p = problem([short], days, existing_load={1: {MARCH: MonthLoad(1, 100)}})
    assert check(p, {seat("d0"): 1}) == []
    assert rules(check(p, {seat("d0"): 1, seat("d1"): 1})) == ["minutes cap"]

    # 23:30 UTC on 31 March 2027 is 00:30 on 1 April in London: another month
    late = session("late", start=datetime(2027, 3, 31, 23, 30, tzinfo=UTC), minutes=60)
    p = problem([peer(1, monthly_session_cap=1)], [days[0], late])
    assert check(p, {seat("d0"): 1, seat("late"): 1}) == []


def test_minutes_are_real_time_across_the_clock_change():
    # 00:30 to 03:30 London time on 28 March 2027 is two hours: the clocks go forward at 01:00
    night = SessionToStaff(
        id="night",
        start=datetime(2027, 3, 28, 0, 30, tzinfo=LONDON),
        end=datetime(2027, 3, 28, 3, 30, tzinfo=LONDON),
        council=WIGAN,
        roles=(MEMBER_SEAT,),
    )
    p = problem([peer(1, monthly_minutes_cap=120)], [night])
    assert check(p, {seat("night"): 1}) == []
    assert len(match(p).assignments) == 1


def test_a_series_keeps_its_peer_in_every_call():
    calls = [
        session(f"c{i}", start=T0 + timedelta(days=7 * i), series_id="coaching") for i in range(3)
    ]
    p = problem([peer(1), peer(2)], calls)
    same = {seat(f"c{i}"): 1 for i in range(3)}
    assert check(p, same) == []
    swapped = {**same, seat("c2"): 2}
    [v] = check(p, swapped)
    assert v.rule == "series" and "[1, 2]" in v.message
    partial = {seat("c0"): 1, seat("c1"): 1}
    [v] = check(p, partial)
    assert v.rule == "series" and "2 of its 3" in v.message
    assert check(p, {}) == []


def _result(assignments, unfilled) -> MatchResult:
    return MatchResult(
        assignments=assignments,
        unfilled=unfilled,
        objective=0.0,
        bound=0.0,
        optimal=False,
        used_integer_solve=False,
        seconds=0.0,
        score=None,
    )


def test_a_result_accounts_for_every_seat_once():
    p = problem([peer(1)], [session("s", roles=[RoleRequirement("member peer", count=2)])])
    fit = seat_fit(p.peers[0], p.sessions[0].roles[0], p.sessions[0])
    filled = SeatAssignment(seat(index=0), 1, fit, RunnerUp(2, fit))
    empty = UnfilledSeat(seat(index=1), "no one")
    assert check(p, _result([filled], [empty])) == []
    assert rules(check(p, _result([filled], []))) == ["accounting"]
    both = UnfilledSeat(seat(index=0), "no one")
    assert rules(check(p, _result([filled], [empty, both]))) == ["accounting"]
    stray = UnfilledSeat(seat("nowhere"), "no one")
    assert rules(check(p, _result([filled], [empty, stray]))) == ["accounting"]

"""Small matching problems for the engine's tests: councils, seats, peers, sessions and a
problem built from them, and the seats a result fills."""

from datetime import UTC, datetime, timedelta

from scheduling.engine.checker import check
from scheduling.engine.matching import MatchProblem, SessionToStaff, match, score_of
from scheduling.engine.panels import (
    MEMBER,
    OFFICER,
    SAME_AS_LEADER,
    CouncilProfile,
    PeerProfile,
    RoleRequirement,
)

MARCH = (2027, 3)
T0 = datetime(2027, 3, 2, 10, 0, tzinfo=UTC)  # a Tuesday, before the clock change
WIGAN = CouncilProfile(id=1, name="Wigan", region="North West", leader_group="Labour")
KENT = CouncilProfile(id=2, name="Kent", region="South East", leader_group="Conservative")
MEMBER_SEAT = RoleRequirement("member peer", kind=MEMBER)
LEAD_SEAT = RoleRequirement(
    "lead member peer", kind=MEMBER, political_rule=SAME_AS_LEADER, lead=True
)
OFFICER_SEAT = RoleRequirement("officer peer", kind=OFFICER)


def peer(peer_id: int, **fields) -> PeerProfile:
    values = {
        "name": f"Peer {peer_id}",
        "kind": MEMBER,
        "home_council_id": 100 + peer_id,
        "home_region": "London",
        "political_group": "Labour",
    }
    values.update(fields)
    return PeerProfile(id=peer_id, **values)


def session(session_id, *, start=T0, minutes=120, roles=(MEMBER_SEAT,), council=WIGAN, **fields):
    return SessionToStaff(
        id=session_id,
        start=start,
        end=start + timedelta(minutes=minutes),
        council=council,
        roles=tuple(roles),
        **fields,
    )


def problem(peers, sessions, availability=None, **fields) -> MatchProblem:
    if availability is None:  # everyone free for everything
        availability = {s.id: {p.id for p in peers} for s in sessions}
    return MatchProblem(
        peers=tuple(peers), sessions=tuple(sessions), availability=availability, **fields
    )


def seated(result) -> dict[tuple, set[int]]:
    """(session id, role) -> peer ids seated there."""
    out: dict[tuple, set[int]] = {}
    for a in result.assignments:
        out.setdefault((a.seat.session_id, a.seat.role), set()).add(a.peer_id)
    return out


def solved(p: MatchProblem):
    result = match(p)
    assert check(p, result) == []
    assert result.optimal
    assert result.objective == score_of(p, [(a.seat, a.peer_id) for a in result.assignments]).total
    return result

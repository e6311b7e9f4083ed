"""The engine's words for who may sit where: plain data, no ORM.

The apps translate councils, peers and role slots into these dataclasses; the slot search
(`staffing`), the matcher (`matching`) and the independent checker (`checker`) all decide
eligibility through `ineligibility()` here, so there is one statement of the role rules.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

MEMBER = "member"
OFFICER = "officer"
# An LGA facilitator (a member of the LGA's staff who runs panels) is matched like a peer but
# sits only in a role slot that asks for one: a slot of either kind means a member or an officer.
FACILITATOR = "facilitator"
SAME_AS_LEADER = "same-as-leader"
DEFAULT_BUFFER_MINUTES = 30
FAIRNESS_WINDOW = timedelta(days=30)


# --- the buffer between a peer's sessions: one policy ----------------------------------------


def held_range(start: datetime, end: datetime, buffer_minutes: int) -> tuple[datetime, datetime]:
    """The time a seat holds of its peer: [start, end + the peer's buffer).

    Two holds of one peer that do not overlap are at least the buffer apart, whichever comes
    first, so "a peer's held ranges never overlap" is the whole rule: availability (see
    `clash_interval`), the matcher, the seat's stored range and the database's exclusion
    constraint all apply it.
    """
    return start, end + timedelta(minutes=buffer_minutes)


def clash_interval(
    start: datetime, end: datetime, buffer_minutes: int
) -> tuple[datetime, datetime]:
    """The times a new session of the peer may not touch, given a session they hold.

    A new session [s, e) has a held range overlapping the held one exactly when [s, e)
    overlaps [start - buffer, end + buffer).
    """
    held_from, held_until = held_range(start, end, buffer_minutes)
    return held_from - timedelta(minutes=buffer_minutes), held_until


def holds_clash(
    a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime, buffer_minutes: int
) -> bool:
    """Whether two sessions of one peer are closer than the peer's buffer."""
    a_from, a_until = held_range(a_start, a_end, buffer_minutes)
    b_from, b_until = held_range(b_start, b_end, buffer_minutes)
    return a_from < b_until and b_from < a_until


@dataclass(frozen=True, slots=True)
class CouncilProfile:
    """A council as the engine weighs it: region (for conflicts), its leader's political group
    (for same-as-leader seats) and type (for experience)."""

    id: int
    name: str
    region: str
    leader_group: str
    council_type: str = ""


@dataclass(frozen=True, slots=True)
class PeerProfile:
    """A peer as the engine weighs them: who they are for the role rules, their caps (minutes,
    not hours), the fit inputs (experience with this type of council, seniority) and their
    buffer. Plain data: the app builds it from its own record of a peer."""

    id: int
    name: str
    kind: str  # MEMBER, OFFICER or FACILITATOR
    home_council_id: int
    home_region: str
    political_group: str = ""  # members only
    profession: str = ""  # officers only
    skills: frozenset[str] = frozenset()
    declared_interest_council_ids: frozenset[int] = frozenset()
    accredited: bool = True
    monthly_session_cap: int = 4
    monthly_minutes_cap: int = 12 * 60
    # Fit inputs: how many sessions of this kind of council (type) the peer has done before.
    experience: int = 0
    seniority: int = 0  # 0..3, e.g. leader / chief executive is 3
    buffer_minutes: int = DEFAULT_BUFFER_MINUTES  # kept free after each session: see held_range


@dataclass(frozen=True, slots=True)
class RoleRequirement:
    """One role slot of an offer: `count` seats that each need the same kind of peer."""

    name: str
    count: int = 1
    kind: str = ""  # "" = a member or an officer peer; FACILITATOR only when named
    political_rule: str = "any"  # "any" or SAME_AS_LEADER
    political_group: str = ""  # a fixed group, if any
    profession: str = ""
    skill: str = ""  # skill slug, "" = none needed
    lead: bool = False


@dataclass(frozen=True, slots=True)
class OfferFormat:
    slug: str
    duration_minutes: int
    session_count: int = 1
    spacing_days: int = 0
    roles: tuple[RoleRequirement, ...] = ()
    conflict_same_region: bool = False
    min_notice_days: int = 10
    horizon_days: int = 182
    series_same_peers: bool = False  # a coaching series keeps one facilitator
    extra: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class MonthLoad:
    """What a peer already holds in one calendar month (London time): for caps and fairness."""

    sessions: int = 0
    minutes: int = 0


# peer id -> (year, month) -> what they hold that month; months not given count as empty.
MonthLoads = Mapping[int, Mapping[tuple[int, int], MonthLoad]]


def lga_lead_roles(roles: Sequence[RoleRequirement]) -> frozenset[str]:
    """The role slots an LGA facilitator fills: the panel's LGA lead."""
    return frozenset(role.name for role in roles if role.kind == FACILITATOR)


def chair_roles(roles: Sequence[RoleRequirement]) -> frozenset[str]:
    """Who chairs a panel: its LGA lead where the LGA leads it, else its lead member peer."""
    return lga_lead_roles(roles) or frozenset(role.name for role in roles if role.lead)


def ineligibility(
    peer: PeerProfile,
    role: RoleRequirement,
    council: CouncilProfile,
    *,
    conflict_same_region: bool = False,
) -> str | None:
    """Why `peer` may not take a seat of `role` for `council`, or None when they may.

    Covers the static hard rules: accreditation, conflicts of interest and role eligibility.
    Time (availability, double booking) and caps are the caller's to check.
    """
    if not peer.accredited:
        return "not accredited"
    if peer.home_council_id == council.id:
        return "own council"
    if council.id in peer.declared_interest_council_ids:
        return "declared interest"
    if conflict_same_region and peer.home_region == council.region:
        return "same region"
    if role.kind != peer.kind and (role.kind or peer.kind == FACILITATOR):
        return (
            "not an LGA facilitator"
            if role.kind == FACILITATOR
            else f"not a {role.kind or 'member or officer'} peer"
        )
    if role.political_rule == SAME_AS_LEADER and peer.political_group != council.leader_group:
        return f"not of the leader's group ({council.leader_group})"
    if role.political_group and peer.political_group != role.political_group:
        return f"not of the {role.political_group} group"
    if role.profession and peer.profession != role.profession:
        return f"not a {role.profession} officer"
    if role.skill and role.skill not in peer.skills:
        return f"lacks the skill {role.skill}"
    return None


@dataclass(frozen=True, slots=True)
class RecentWork:
    """What the fair spread of work looks at, beyond the monthly caps.

    `seated`: peer id -> starts of the sessions they hold (at least the `FAIRNESS_WINDOW`
    either side of the times planned); the fairness cost counts those within the window of a
    session, so a January booking sees December's work. `last_seated`: peer id -> a number
    that grows with each seat given (e.g. the latest seat's id); among equally good panels the
    least recently seated peers are preferred, then lower ids (`tie_break_ranks`).
    """

    seated: Mapping[int, Sequence[datetime]] = field(default_factory=dict)
    last_seated: Mapping[int, int] = field(default_factory=dict)

    def around(self, peer_id: int, moment: datetime) -> int:
        """Sessions the peer holds within the fairness window either side of `moment`."""
        return sum(
            1
            for start in self.seated.get(peer_id, ())
            if moment - FAIRNESS_WINDOW <= start < moment + FAIRNESS_WINDOW
        )


def tie_break_ranks(peer_ids: Sequence[int], last_seated: Mapping[int, int]) -> np.ndarray:
    """Each peer's place in the tie-break between otherwise equal choices, 0 first: the least
    recently seated first (a peer never seated before anyone seated), then lower ids.

    The one statement of the rule: the slot search and the single-booking panel
    (`staffing`) and the matcher that re-staffs (`matching`) all rank the same pool with it,
    and among choices of equal value take the one whose seated peers' ranks sum least.
    `last_seated`: peer id -> a number that grows with each seat given (`RecentWork`).
    """
    ids = np.asarray(peer_ids, dtype=np.int64)
    last = np.array([last_seated.get(int(i), -1) for i in ids], dtype=np.int64)
    ranks = np.empty(len(ids), dtype=np.int64)
    ranks[np.lexsort((ids, last))] = np.arange(len(ids))
    return ranks

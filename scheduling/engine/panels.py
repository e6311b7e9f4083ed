"""The engine's words for who may sit where: plain data, no ORM.

The apps translate councils, peers and role slots into these dataclasses; the slot search
(`staffing`), the matcher (`matching`) and the independent checker (`checker`) all decide
eligibility through `ineligibility()` here, so there is one statement of the role rules.
"""

from dataclasses import dataclass, field

MEMBER = "member"
OFFICER = "officer"
SAME_AS_LEADER = "same-as-leader"


@dataclass(frozen=True, slots=True)
class CouncilProfile:
    id: int
    name: str
    region: str
    leader_group: str
    council_type: str = ""


@dataclass(frozen=True, slots=True)
class PeerProfile:
    id: int
    name: str
    kind: str  # MEMBER or OFFICER
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


@dataclass(frozen=True, slots=True)
class RoleRequirement:
    """One role slot of an offer: `count` seats that each need the same kind of peer."""

    name: str
    count: int = 1
    kind: str = ""  # "" = either kind
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
    buffer_minutes: int = 30
    extra: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class MonthLoad:
    """What a peer already holds in one calendar month (London time): for caps and fairness."""

    sessions: int = 0
    minutes: int = 0


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
    if role.kind and peer.kind != role.kind:
        return f"not a {role.kind} peer"
    if role.political_rule == SAME_AS_LEADER and peer.political_group != council.leader_group:
        return f"not of the leader's group ({council.leader_group})"
    if role.political_group and peer.political_group != role.political_group:
        return f"not of the {role.political_group} group"
    if role.profession and peer.profession != role.profession:
        return f"not a {role.profession} officer"
    if role.skill and role.skill not in peer.skills:
        return f"lacks the skill {role.skill}"
    return None

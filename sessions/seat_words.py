"""A seat's explanation in plain words, for councils: the one place that turns a seat's fit
breakdown and its peer's record into a sentence. Pages, the booking API's council view and
e-mails that show a panel all use `seat_in_words`; the points stay for staff."""

from peers.models import CouncilType, PeerKind, PoliticalGroup, Profession
from scheduling.engine.matching import EXPERIENCE_LIMIT, SKILL_POINTS

COUNCIL_TYPES_PLURAL = {
    CouncilType.COUNTY: "county councils",
    CouncilType.DISTRICT: "district councils",
    CouncilType.UNITARY: "unitary authorities",
    CouncilType.METROPOLITAN: "metropolitan boroughs",
    CouncilType.LONDON_BOROUGH: "London boroughs",
    CouncilType.WELSH_UNITARY: "Welsh principal councils",
}
NUMBERS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def _number(n: int) -> str:
    return NUMBERS[n] if 0 <= n < len(NUMBERS) else str(n)


def _label(choices, value: str) -> str:
    try:
        return choices(value).label
    except ValueError:
        return value


def speaks_to_council(caller, council) -> bool:
    """Whether the reader acts for the council as its booker, so a page says 'your leader';
    to anyone else (its Principal Adviser, staff) it says 'the council's leader'."""
    booker_of = getattr(caller, "booker_council", None)
    return booker_of is not None and booker_of.id == council.id


def seat_in_words(
    *,
    peer: dict,
    council_leader_group: str,
    council_type: str,
    fit: dict,
    to_the_council: bool = True,
) -> str:
    """Why this peer suits the seat, for the council: 'Labour, like your leader; brings the
    skill the panel needs; has sat on three panels for metropolitan boroughs; from Cardiff
    Council'. `peer` is a presenters.peer_brief() dict, `fit` the seat's fit breakdown;
    `to_the_council` False for a reader who is not of the council ('like the council's
    leader', see `speaks_to_council`)."""
    parts = []
    whose = "your" if to_the_council else "the council's"
    if peer["kind"] == PeerKind.MEMBER:
        group = _label(PoliticalGroup, peer["political_group"])
        if group and peer["political_group"] == council_leader_group:
            parts.append(f"{group}, like {whose} leader")
        elif group:
            parts.append(group)
    elif peer["profession"]:
        parts.append(_label(Profession, peer["profession"]))
    fit = fit or {}
    skills = fit.get("skill", 0) // SKILL_POINTS
    if skills == 1:
        parts.append("brings a skill this panel needs")
    elif skills > 1:
        parts.append(f"brings {_number(skills)} of the skills this panel needs")
    kind = COUNCIL_TYPES_PLURAL.get(
        council_type, "councils like yours" if to_the_council else "councils like it"
    )
    experience = fit.get("experience", 0)
    if experience >= EXPERIENCE_LIMIT:
        parts.append(f"has sat on {_number(EXPERIENCE_LIMIT)} or more panels for {kind}")
    elif experience:
        panels = "panel" if experience == 1 else "panels"
        parts.append(f"has sat on {_number(experience)} {panels} for {kind}")
    else:
        parts.append(f"new to panels for {kind}")
    parts.append(f"from {peer['home_council']}")
    return "; ".join(parts)


def fit_in_words(fit: dict) -> list[str]:
    """A seat's fit breakdown (points per part) as short phrases."""
    if not fit or "total" not in fit:
        return []
    words = []
    skills = fit.get("skill", 0) // SKILL_POINTS
    words.append(
        f"has {skills} of the skills wanted (+{fit['skill']})"
        if skills
        else "no particular skill matched (+0)"
    )
    words.append(f"seniority +{fit.get('seniority', 0)}")
    experience = fit.get("experience", 0)
    if experience:
        times = f"{experience} or more" if experience >= EXPERIENCE_LIMIT else str(experience)
        words.append(
            f"has sat with councils of this type {times} time{'s' if experience != 1 else ''} (+{experience})"
        )
    else:
        words.append("no earlier sessions with councils of this type (+0)")
    if fit.get("lead"):
        words.append(f"senior enough to lead the panel (+{fit['lead']})")
    return words

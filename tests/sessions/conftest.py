"""A small, exact pool of peers for booking tests, and a bookable date well ahead."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest

from peers.models import Council, Peer, Region
from peers.services import availability_replace
from tests.factories import make_booker, make_council, make_peer

LONDON = ZoneInfo("Europe/London")
WEEKDAYS_9_TO_5 = [{"weekday": d, "start": "09:00", "end": "17:00"} for d in range(5)]


def make_available(peer: Peer, weekly=None) -> Peer:
    availability_replace(
        peer=peer,
        time_zone="Europe/London",
        weekly=weekly if weekly is not None else WEEKDAYS_9_TO_5,
        overrides=[],
        leave=[],
        monthly_session_cap=6,
        monthly_hours_cap=30,
        buffer_minutes=30,
        bank_holidays_block=True,
        nation="england",
    )
    return peer


def bookable_day(weekday: int = 1, weeks_ahead: int = 3) -> date:
    """A working day (not a bank holiday in England) at least `weeks_ahead` weeks from today."""
    day = date.today() + timedelta(weeks=weeks_ahead)
    day += timedelta(days=(weekday - day.weekday()) % 7)
    england = holidays.country_holidays("GB", subdiv="ENG", years=[day.year, day.year + 1])
    while day in england:
        day += timedelta(days=7)
    return day


def london(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


@dataclass
class Pool:
    council: Council
    other_council: Council
    lead: Peer  # the only Labour member peer
    member: Peer
    officer: Peer  # the only officer peer with recovery planning
    booker: object
    other_booker: object


@pytest.fixture
def pool(db) -> Pool:
    """Exactly one complete Recovery & Renewal panel for a Labour-led council."""
    council = make_council(
        "Wigan Council",
        region=Region.NORTH_WEST,
        leader_group="labour",
        council_type="metropolitan",
    )
    other = make_council(
        "Bolton Council",
        region=Region.NORTH_WEST,
        leader_group="labour",
        council_type="metropolitan",
    )
    home = make_council("Cardiff Council", region=Region.WALES, leader_group="labour")
    lead = make_available(
        make_peer(name="Lead Labour", political_group="labour", home_council=home)
    )
    member = make_available(
        make_peer(name="Member Green", political_group="green", home_council=home)
    )
    officer = make_available(
        make_peer(
            kind="officer", name="Officer Recovery", home_council=home, skills=["recovery-planning"]
        )
    )
    # Would fit, but are ruled out: own council, and a declared interest.
    make_available(
        make_peer(name="Own Council Labour", political_group="labour", home_council=council)
    )
    conflicted = make_available(
        make_peer(name="Conflicted Labour", political_group="labour", home_council=home)
    )
    conflicted.declared_interests.add(council, other)
    return Pool(
        council=council,
        other_council=other,
        lead=lead,
        member=member,
        officer=officer,
        booker=make_booker(council),
        other_booker=make_booker(other),
    )

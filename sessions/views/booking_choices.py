"""What the booking journey's pages show: a month of days with their count of times, one day's
times with their panels, each seat in a council's words, and the chosen panel read back from
the form (`shown_panel`). The journey itself is `booking_journey`."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from peers.models import Council
from peers.selectors import Caller
from scheduling.engine.uk_time import LONDON as UK
from sessions.api import presenters
from sessions.seat_words import seat_in_words, speaks_to_council


@dataclass(frozen=True)
class SeatLine:
    """One seat of a proposed panel as a council reads it."""

    role: str
    name: str
    words: str
    shown: str  # "peer id|role": sent back with the chosen time
    earlier: bool = False  # sat on the panel a progress review looks back on


@dataclass(frozen=True)
class TimeChoice:
    start: datetime
    end: datetime
    value: str  # ISO 8601 with the UK offset
    later_sessions: list[tuple[datetime, datetime]] = field(default_factory=list)
    seats: list[SeatLine] = field(default_factory=list)
    same_as: datetime | None = None  # an earlier time of the day with the very same panel
    earlier_size: int | None = None  # a progress review's: how many sat on the earlier panel

    @property
    def kept(self) -> int:
        """How many of the earlier panel this time seats again."""
        return sum(1 for seat in self.seats if seat.earlier)

    @property
    def input_id(self) -> str:
        return f"time-{self.start:%H%M}"


@dataclass(frozen=True)
class CalendarDay:
    day: date
    in_month: bool
    count: int = 0
    href: str = ""

    @property
    def label(self) -> str:
        when = f"{self.day:%A} {self.day.day} {self.day:%B}"
        if not self.count:
            return f"{when}: no times"
        return f"{when}: {self.count} time{'s' if self.count != 1 else ''}"


def in_uk(moment: datetime) -> datetime:
    return moment.astimezone(UK)


def uk_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), UK).astimezone(UTC)


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1)


def parse_month(raw: str | None) -> date | None:
    try:
        return datetime.strptime(raw or "", "%Y-%m").date()
    except ValueError:
        return None


def parse_day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw or "")
    except ValueError:
        return None


def shown_panel(data, start_value: str) -> list[tuple[str, int]] | None:
    """The panel the page showed with the chosen time: hidden fields named after the time."""
    shown = []
    for value in data.getlist(f"panel@{start_value}"):
        peer_id, _, role = value.partition("|")
        if not peer_id.isdigit() or not role:
            return None
        shown.append((role, int(peer_id)))
    return shown or None


def seat_line(
    role: str, peer, council: Council, fit: dict, *, caller: Caller, earlier: bool = False
) -> SeatLine:
    brief = presenters.peer_brief(peer)
    return SeatLine(
        role=role,
        name=peer.name,
        words=seat_in_words(
            peer=brief,
            council_leader_group=council.leader_group,
            council_type=council.council_type,
            fit=fit,
            to_the_council=speaks_to_council(caller, council),
        ),
        shown=f"{peer.id}|{role}",
        earlier=earlier,
    )

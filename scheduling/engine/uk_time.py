"""UK time: the one zone the service shows by default, calendar months in it, and the one
check that a datetime is aware (a naive datetime is refused rather than guessed at)."""

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")

# The UK's nations, each with its own bank holidays (subdivisions of `holidays`' "GB").
NATIONS = {"england": "ENG", "wales": "WLS", "scotland": "SCT", "northern-ireland": "NIR"}

Month = tuple[int, int]


def require_aware(moment: datetime, name: str = "datetime") -> datetime:
    """`moment` itself when it carries a UTC offset; ValueError when it is naive."""
    if not isinstance(moment, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, not naive: {moment!r}")
    return moment


def month_of(moment: datetime, zone: ZoneInfo = LONDON) -> Month:
    """The (year, month) that `moment` falls in, in `zone` (UK time by default)."""
    local = moment.astimezone(zone)
    return local.year, local.month


# The years the service plans for: a date or time outside them is refused wherever it is given
# (the API's dates and times, the programme's period), with this sentence.
FIRST_YEAR, LAST_YEAR = 2000, 2099


def outside_service_years(moment: date | datetime) -> str | None:
    """Why `moment` is refused, or None when its year is one the service plans for."""
    if FIRST_YEAR <= moment.year <= LAST_YEAR:
        return None
    what = "time" if isinstance(moment, datetime) else "date"
    return f"Give a {what} in the years {FIRST_YEAR} to {LAST_YEAR}."


# Dates and times as people read them, one way everywhere (e-mails, pages, calendar text):
# "Monday 7 December 2026", "10:00", and a span as
# "Monday 7 December 2026, 10:00 to 12:30 (UK time)".


def day_text(moment: datetime | date, zone: ZoneInfo = LONDON) -> str:
    """The day `moment` falls on in `zone` (a date as it is), e.g. 'Monday 7 December 2026'."""
    local = (
        require_aware(moment, "moment").astimezone(zone) if isinstance(moment, datetime) else moment
    )
    return f"{local:%A} {local.day} {local:%B %Y}"


def clock_text(moment: datetime, zone: ZoneInfo = LONDON) -> str:
    """The time of day of `moment` in `zone`, on the 24-hour clock, e.g. '09:30'."""
    return f"{require_aware(moment, 'moment').astimezone(zone):%H:%M}"


def month_text(year: int, month: int) -> str:
    """A calendar month in words, e.g. 'December 2026'."""
    return f"{date(year, month, 1):%B %Y}"


def zone_time_text(zone_key: str) -> str:
    """Whose clock a time of day is on: 'UK time' for Europe/London, as every page says it,
    else the place, e.g. 'Paris time'."""
    if zone_key == LONDON.key:
        return "UK time"
    return f"{zone_key.rsplit('/', 1)[-1].replace('_', ' ')} time"


def moment_text(moment: datetime) -> str:
    """A moment that is not a session (a deadline, a hold), in UK time and saying so, e.g.
    'Monday 14 December 2026, 05:01 (UK time)'."""
    return f"{day_text(moment)}, {clock_text(moment)} (UK time)"


def _span(start: datetime, end: datetime, zone: ZoneInfo) -> str:
    first, last = start.astimezone(zone), end.astimezone(zone)
    if first.date() == last.date():
        return f"{day_text(start, zone)}, {clock_text(start, zone)} to {clock_text(end, zone)}"
    return (
        f"{day_text(start, zone)}, {clock_text(start, zone)} to "
        f"{day_text(end, zone)}, {clock_text(end, zone)}"
    )


def when_text(start: datetime, end: datetime, own_zone: ZoneInfo | str | None = None) -> str:
    """A session's time in UK time, e.g. 'Monday 7 December 2026, 10:00 to 12:30 (UK time)'.

    For someone whose own zone shows other clock times, theirs follows: '..., 10:00 to 12:30
    (UK time); 11:00 to 13:30 your time (Europe/Paris)', with the day too when it differs.
    """
    require_aware(start, "start")
    require_aware(end, "end")
    text = f"{_span(start, end, LONDON)} (UK time)"
    if own_zone is None:
        return text
    zone = ZoneInfo(own_zone) if isinstance(own_zone, str) else own_zone
    if all(
        m.astimezone(zone).utcoffset() == m.astimezone(LONDON).utcoffset() for m in (start, end)
    ):
        return text
    own = _span(start, end, zone)
    if start.astimezone(zone).date() == start.astimezone(LONDON).date() and (
        start.astimezone(zone).date() == end.astimezone(zone).date()
    ):
        own = f"{clock_text(start, zone)} to {clock_text(end, zone)}"
    return f"{text}; {own} your time ({zone.key})"


@lru_cache(maxsize=256)
def bank_holidays(nation: str, year: int) -> dict[date, str]:
    """The bank holidays of a UK nation in a year (day -> name), computed offline by `holidays`.
    The one lookup: peers' availability, the office hours of a search and the demo data ask it."""
    return dict(holidays.country_holidays("GB", subdiv=NATIONS[nation], years=year).items())

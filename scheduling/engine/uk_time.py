"""UK time: the one zone the service shows by default, calendar months in it, and the one
check that a datetime is aware (a naive datetime is refused rather than guessed at)."""

from datetime import datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

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

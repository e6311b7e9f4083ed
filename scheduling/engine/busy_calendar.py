"""A peer's own busy calendar (an uploaded .ics file or a polled ICS feed) read into busy times.

`parse_busy_calendar()` turns the raw bytes into `BusyEvent`s: aware UTC intervals during which
the peer is committed elsewhere, expanded over a window (see `import_window()`). Recurring
events are expanded with `recurring-ical-events` (RRULE, RDATE, EXDATE and RECURRENCE-ID
exceptions); calendars that name their zone with X-WR-TIMEZONE are normalised with
`x-wr-timezone` first.

Reading rules:
- all-day events block whole days in the peer's time zone; floating times are read in the
  calendar's X-WR-TIMEZONE when it has one, else in the peer's zone (as are times whose TZID is
  unknown and not defined in the file);
- TRANSP:TRANSPARENT, STATUS:CANCELLED, X-MICROSOFT-CDO-BUSYSTATUS:FREE and every event of a
  METHOD:CANCEL message do not block;
- without DTEND an event lasts its DURATION, else one day (date) or no time at all (date-time);
  zero-length events block nothing; an end before the start is read as the swapped interval;
- the result holds every occurrence that overlaps the window, unclipped, sorted by start,
  without duplicates; `coalesce_busy()` then merges overlapping and touching busy times into
  the fewest intervals, which is what is stored.

Only the window is expanded. A repeating event that began long ago is first moved forward by
a whole number of its periods to just before the window (`_skip_the_past`), so the years
before the window cost nothing; occurrences are then generated lazily, and none after the
window is ever made.

The input comes from outside, so every limit is checked before the work it protects: size,
nesting depth, number of events, dates listed in RDATE and EXDATE, time-zone rules the parser
would expand, how many dates a repeat rule can produce up to the end of the window (estimated
from the rule itself, then checked by walking the rule lazily), the occurrence budget in the
window (`MAX_OCCURRENCES`) and the time the whole reading may take (`MAX_SECONDS`). Anything
unreadable or over a limit raises `BusyCalendarError` with a message a peer can act on that
names the limit. Plain Python, no ORM, no network.
"""

import re
import time as clock
import warnings
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cached_property
from math import gcd
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
import recurring_ical_events
import x_wr_timezone
from dateutil.rrule import rrulestr
from icalendar.prop import vRecur
from icalendar.timezone import tzp
from recurring_ical_events import ComponentsWithName, EventAdapter, Occurrence

from scheduling.engine.uk_time import day_text

MAX_BYTES = 2_000_000
MAX_DEPTH = 10
MAX_EVENTS = 5_000
# Events with a repeat rule: each is a series to set up and check, whatever its dates.
MAX_REPEATING_EVENTS = 1_000
MAX_TIME_ZONES = 100
MAX_CUSTOM_ZONE_RULES = 20
# Dates listed one by one in RDATE and EXDATE properties, in the whole file.
MAX_LISTED_DATES = 20_000
# The occurrence budget: occurrences that overlap the window (about 27 weeks), per repeating
# event and for the whole calendar. A full diary has a few hundred; 5,000 is some 26 a day.
# A longer window than the import window (reports, tests over years) has a budget in proportion.
MAX_OCCURRENCES_PER_EVENT = 2_000
MAX_OCCURRENCES = 5_000
# Dates a repeat rule can produce from its (moved) first date to the end of the window (upper
# bound, computed from FREQ/INTERVAL/BY* before any expansion): the work the expansion does.
MAX_RULE_DATES_PER_EVENT = 20_000
MAX_RULE_DATES = 100_000
# The most time reading one calendar may take, whatever its content.
MAX_SECONDS = 20
# Periods a rule may pass without producing a date (a 29 February rule skips about 1,460 days),
# and the periods a search for the next date may cover before it is known to find none.
MAX_RULE_GAP = 12_000
MAX_RULE_SEARCH = 200_000

WINDOW_BEFORE = timedelta(days=1)
WINDOW_AFTER = timedelta(weeks=27)  # the booking horizon (182 days) plus a week of slack

_MARGIN = timedelta(days=2)  # wider than any UTC offset, for floating and all-day times
_GAP_PROBE_YEARS = 30  # at least this many years are searched after the window for a next date
_FREQ_UNIT = {
    "YEARLY": timedelta(days=365.2425),
    "MONTHLY": timedelta(days=30.436875),
    "WEEKLY": timedelta(weeks=1),
    "DAILY": timedelta(days=1),
    "HOURLY": timedelta(hours=1),
    "MINUTELY": timedelta(minutes=1),
    "SECONDLY": timedelta(seconds=1),
}
# The Gregorian calendar repeats every 400 years: 146,097 days, 20,871 weeks, 4,800 months.
_UNITS_PER_400_YEARS = {
    "YEARLY": 400,
    "MONTHLY": 4_800,
    "WEEKLY": 20_871,
    "DAILY": 146_097,
    "HOURLY": 146_097 * 24,
    "MINUTELY": 146_097 * 24 * 60,
    "SECONDLY": 146_097 * 24 * 60 * 60,
}
_DAY_PARTS = ("BYMONTH", "BYWEEKNO", "BYYEARDAY", "BYMONTHDAY", "BYDAY")
_DAYS_PER_PERIOD = {"YEARLY": 366, "MONTHLY": 31, "WEEKLY": 7}
_TIME_PARTS_BY_FREQ = {
    "YEARLY": ("BYHOUR", "BYMINUTE", "BYSECOND"),
    "MONTHLY": ("BYHOUR", "BYMINUTE", "BYSECOND"),
    "WEEKLY": ("BYHOUR", "BYMINUTE", "BYSECOND"),
    "DAILY": ("BYHOUR", "BYMINUTE", "BYSECOND"),
    "HOURLY": ("BYMINUTE", "BYSECOND"),
    "MINUTELY": ("BYSECOND",),
    "SECONDLY": (),
}
_SCANNED_NAMES = ("BEGIN", "END", "TZID", "RRULE", "RDATE", "EXDATE")
_RULE_VALUE_PROPERTIES = ("DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE")
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_WEEKDAY = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
# Errors the parsing libraries raise on malformed data; anything else is a defect here.
_DATA_ERRORS = (
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
    ArithmeticError,
    RecursionError,
)


class BusyCalendarError(ValueError):
    """The calendar cannot be imported; `message` says why, in words a peer can act on."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True, order=True)
class BusyEvent:
    start: datetime  # aware UTC
    end: datetime  # aware UTC, after start
    summary: str
    uid: str
    all_day: bool


def import_window(now: datetime) -> tuple[datetime, datetime]:
    """The window a busy calendar is expanded over: from a day ago to past the booking horizon."""
    now = now.astimezone(UTC)
    return now - WINDOW_BEFORE, now + WINDOW_AFTER


def coalesce_busy(events: list[BusyEvent]) -> list[BusyEvent]:
    """The same busy time as `events` in the fewest intervals: overlapping and touching events
    become one (its summary lists the distinct summaries, its UID is the first event's)."""
    merged: list[BusyEvent] = []
    summaries: list[list[str]] = []
    for event in sorted(events):
        if merged and event.start <= merged[-1].end:
            last = merged[-1]
            if event.summary and event.summary not in summaries[-1]:
                summaries[-1].append(event.summary)
            merged[-1] = BusyEvent(
                start=last.start,
                end=max(last.end, event.end),
                summary=last.summary,
                uid=last.uid,
                all_day=last.all_day and event.all_day,
            )
        else:
            merged.append(event)
            summaries.append([event.summary] if event.summary else [])
    return [
        BusyEvent(
            start=event.start,
            end=event.end,
            summary=_summaries(names),
            uid=event.uid,
            all_day=event.all_day,
        )
        for event, names in zip(merged, summaries, strict=True)
    ]


def _summaries(names: list[str]) -> str:
    text = "; ".join(names[:3])
    if len(names) > 3:
        text += f" and {len(names) - 3} more"
    return text if len(text) <= 200 else text[:197] + "..."


def parse_busy_calendar(
    data: bytes,
    *,
    time_zone: str,
    window_start: datetime,
    window_end: datetime,
    max_bytes: int = MAX_BYTES,
    max_seconds: float = MAX_SECONDS,
) -> list[BusyEvent]:
    """The busy times in `data` that overlap [window_start, window_end), sorted by start.

    `time_zone` is the peer's zone (all-day and floating times). Raises `BusyCalendarError`
    when the calendar cannot be read or exceeds a limit (including taking more than
    `max_seconds`); nothing is returned half-read.
    """
    zone = _peer_zone(time_zone)
    if window_start.tzinfo is None or window_end.tzinfo is None:
        raise ValueError("window_start and window_end must be aware datetimes")
    window_start, window_end = window_start.astimezone(UTC), window_end.astimezone(UTC)
    if window_end <= window_start:
        raise ValueError("window_end must be after window_start")
    deadline = _Deadline(max_seconds)
    text = check_busy_calendar(data, max_bytes=max_bytes)
    try:
        calendar = _read_calendar(text)
        deadline.check()
        return _busy_events(calendar, zone, window_start, window_end, deadline)
    except BusyCalendarError:
        raise
    except _DATA_ERRORS as error:
        raise BusyCalendarError(f"The calendar could not be read: {_reason(error)}") from error


class _Deadline:
    def __init__(self, seconds: float):
        self.seconds = seconds
        self.at = clock.monotonic() + seconds

    def check(self) -> None:
        if clock.monotonic() > self.at:
            raise BusyCalendarError(
                f"The calendar took longer than {self.seconds:g} seconds to read; remove old "
                "repeating events or export a shorter period."
            )


def check_busy_calendar(data: bytes, *, max_bytes: int = MAX_BYTES) -> str:
    """The cheap checks, before any parsing: size, encoding, and a scan of the content lines
    for nesting, events, repeating events, listed dates and time zones. Linear in the size
    (a few milliseconds for a large file), so a web request can make them before it queues the
    real reading. Returns the text; raises `BusyCalendarError` like `parse_busy_calendar`."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    data = bytes(data)
    if len(data) > max_bytes:
        raise oversize_refusal(max_bytes)
    try:
        text = _decode(data)
        _check_structure(text)
    except BusyCalendarError:
        raise
    except _DATA_ERRORS as error:
        raise BusyCalendarError(f"The calendar could not be read: {_reason(error)}") from error
    return text


def oversize_refusal(max_bytes: int = MAX_BYTES) -> BusyCalendarError:
    """What a peer is told about a file over the size limit (also before it is read whole)."""
    return BusyCalendarError(f"The calendar is larger than {_size(max_bytes)}.")


def _peer_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone {name!r}") from error


def _size(limit: int) -> str:
    if limit >= 1_000_000:
        return f"{limit / 1_000_000:g} MB"
    if limit >= 1_000:
        return f"{limit / 1_000:g} kB"
    return f"{limit} bytes"


def _reason(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 200 else text[:197] + "..."


def _day(moment: datetime | date) -> str:
    return day_text(moment.date() if isinstance(moment, datetime) else moment)


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data:
        raise BusyCalendarError("The file is not an iCalendar file.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Older Outlook exports are Windows-1252; cp1252 leaves five bytes undefined.
        return data.decode("cp1252", errors="replace")


def _content_lines(text: str) -> list[str]:
    """The unfolded content lines (RFC 5545 3.1), tolerating bare LF and CR line ends."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return re.sub(r"\n[ \t]", "", text).split("\n")


def _check_structure(text: str) -> None:
    """Refuse what the parser would choke on, before it runs: a scan of the content lines.

    The parser keeps a stack, but walking the result recurses per level, and it expands the
    rules of every VTIMEZONE whose TZID it does not know while it parses (until 2038, or for
    ever with a COUNT and an impossible rule), so those rules are vetted here.
    """
    lines = _content_lines(text)
    first = next((line.strip() for line in lines if line.strip()), "")
    if first.upper() != "BEGIN:VCALENDAR":
        raise BusyCalendarError(
            "The file is not an iCalendar file (it should start with BEGIN:VCALENDAR)."
        )
    # The parser's own stack, mirrored: END pops the innermost component whatever it names,
    # and a component popped by END:VTIMEZONE that has a TZID becomes a time zone. Each frame
    # keeps its TZIDs and the RRULEs of its whole subtree.
    stack: list[tuple[list[str], list[str]]] = []
    events = time_zones = custom_rules = listed_dates = repeating = 0
    names: list[str] = []  # the open components' names, innermost last
    for line in lines:
        if not line[:6].upper().startswith(_SCANNED_NAMES):
            continue  # most lines (SUMMARY, DTSTART, ...) matter only to the parser
        name, _, value = _split_line(line)
        component = value.strip().upper()
        if name == "BEGIN":
            stack.append(([], []))
            names.append(component)
            if len(stack) > MAX_DEPTH:
                raise BusyCalendarError(
                    f"The calendar nests components more than {MAX_DEPTH} levels deep."
                )
            if component == "VEVENT":
                events += 1
                if events > MAX_EVENTS:
                    raise BusyCalendarError(f"The calendar has more than {MAX_EVENTS:,} events.")
            elif component == "VTIMEZONE":
                time_zones += 1
                if time_zones > MAX_TIME_ZONES:
                    raise BusyCalendarError(
                        f"The calendar defines more than {MAX_TIME_ZONES:,} time zones."
                    )
        elif name == "END" and stack:
            zone_ids, rules = stack.pop()
            names.pop()
            if component == "VTIMEZONE" and zone_ids and rules and not _known_zone(zone_ids[-1]):
                custom_rules += len(rules)
                if custom_rules > MAX_CUSTOM_ZONE_RULES:
                    raise BusyCalendarError(
                        "The calendar defines too many time zones of its own "
                        f"(more than {MAX_CUSTOM_ZONE_RULES} rules)."
                    )
                for rule in rules:
                    _check_zone_rule(zone_ids[-1], rule)
            if stack:
                stack[-1][1].extend(rules)
        elif name == "TZID" and stack:
            stack[-1][0].append(value.strip())
        elif name == "RRULE" and stack:
            stack[-1][1].append(value.strip())
            if names[-1] == "VEVENT":
                repeating += 1
                if repeating > MAX_REPEATING_EVENTS:
                    raise BusyCalendarError(
                        f"The calendar has more than {MAX_REPEATING_EVENTS:,} repeating events; "
                        "remove old repeating events or export a shorter period."
                    )
        elif name in ("RDATE", "EXDATE"):
            listed_dates += value.count(",") + 1
            if listed_dates > MAX_LISTED_DATES:
                raise BusyCalendarError(
                    f"The calendar lists more than {MAX_LISTED_DATES:,} dates in RDATE and "
                    "EXDATE; remove old repeating events or export a shorter period."
                )
    if stack:
        raise BusyCalendarError(
            "The calendar file is incomplete (it does not end with END:VCALENDAR); "
            "download or export it again."
        )


def _split_line(line: str) -> tuple[str, str, str]:
    """(NAME, parameters, value) of a content line; quoted parameters may hold ':' or ';'."""
    match = re.match(r"[A-Za-z0-9-]+", line)
    if not match:
        return "", "", ""
    name = match.group(0).upper()
    rest = line[match.end() :]
    colon = rest.find(":")
    if colon >= 0 and '"' not in rest[:colon]:
        return name, rest[:colon], rest[colon + 1 :]  # no quoted parameter: the usual line
    in_quotes = False
    for index, char in enumerate(rest):
        if char == '"':
            in_quotes = not in_quotes
        elif char == ":" and not in_quotes:
            return name, rest[:index], rest[index + 1 :]
    return name, rest, ""


def _known_zone(zone_id: str) -> bool:
    if not zone_id:
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return tzp.timezone(zone_id) is not None
        except _DATA_ERRORS:
            return False


def _check_zone_rule(zone_id: str, rule: str) -> None:
    """A time zone of the file's own may change once or twice a year, nothing wilder.

    Such rules are YEARLY with one month and one weekday or a few month days: one date a year.
    A rule with a COUNT and no possible date would keep the parser searching until year 9999.
    """
    refusal = BusyCalendarError(
        f'The calendar\'s time zone "{zone_id[:80]}" has a rule that cannot be used '
        f"(RRULE:{rule[:120]}); export the calendar with standard time zone names."
    )
    parts: dict[str, str] = {}
    for item in rule.split(";"):
        key, _, value = item.partition("=")
        parts[key.strip().upper()] = value.strip().upper()
    allowed = {"FREQ", "INTERVAL", "BYMONTH", "BYDAY", "BYMONTHDAY", "UNTIL", "COUNT", "WKST"}
    if parts.get("FREQ") != "YEARLY" or not set(parts) <= allowed:
        raise refusal
    if parts.get("INTERVAL", "1") != "1":
        raise refusal
    try:
        count = int(parts.get("COUNT", "1"))
        months = [int(month) for month in parts["BYMONTH"].split(",")] if "BYMONTH" in parts else []
        month_days = (
            [int(day) for day in parts["BYMONTHDAY"].split(",")] if "BYMONTHDAY" in parts else []
        )
    except ValueError:
        raise refusal from None
    weekdays = (
        [_WEEKDAY.match(day) for day in parts["BYDAY"].split(",")] if "BYDAY" in parts else []
    )
    if not 1 <= count <= 1_000 or len(months) > 1 or len(weekdays) > 1 or len(month_days) > 7:
        raise refusal
    if any(not 1 <= month <= 12 for month in months) or not all(weekdays):
        raise refusal
    longest = _DAYS_IN_MONTH[months[0] - 1] if months else 31
    if month_days and not any(1 <= abs(day) <= longest for day in month_days):
        raise refusal
    if any(abs(day) > 31 or day == 0 for day in month_days):
        raise refusal
    for weekday in weekdays:
        ordinal = int(weekday.group(1) or 0)
        if abs(ordinal) > (5 if months else 53) or (weekday.group(1) and ordinal == 0):
            raise refusal


def _read_calendar(text: str) -> icalendar.Calendar:
    # Bytes, not str: icalendar reads a one-line str as a path to a file on disk.
    try:
        components = icalendar.Calendar.from_ical(text.encode("utf-8"), multiple=True)
    except _DATA_ERRORS as error:
        raise BusyCalendarError(
            f"The file is not a valid iCalendar file: {_reason(error)}"
        ) from error
    calendars = [component for component in components if component.name == "VCALENDAR"]
    if not calendars:
        raise BusyCalendarError("The file is not an iCalendar file.")
    if len(calendars) > 1:
        raise BusyCalendarError("The file holds more than one calendar; export a single calendar.")
    calendar = calendars[0]
    declared = calendar.get("X-WR-TIMEZONE")
    if declared is not None:
        try:
            ZoneInfo(str(declared).strip())
        except (ZoneInfoNotFoundError, ValueError):
            # An unknown calendar zone only changes how UTC times are displayed: drop it.
            del calendar["X-WR-TIMEZONE"]
    return x_wr_timezone.to_standard(calendar)


def _event_name(event) -> str:
    summary = " ".join(str(event.get("SUMMARY", "")).split())
    if summary:
        summary = summary if len(summary) <= 80 else summary[:77] + "..."
        return f'The event "{summary}"'
    return "An event"


def _check_event(event) -> None:
    name = _event_name(event)
    for prop, message in getattr(event, "errors", ()):
        if prop in _RULE_VALUE_PROPERTIES or prop == "RECURRENCE-ID":
            raise BusyCalendarError(f"{name} has an unreadable {prop}: {_reason(message)}")
    start = event.get("DTSTART")
    if start is None:
        raise BusyCalendarError(f"{name} has no start time (DTSTART).")
    if not isinstance(getattr(start, "dt", None), date):
        raise BusyCalendarError(f"{name} has an unreadable start time (DTSTART).")
    end = event.get("DTEND")
    if end is not None and not isinstance(getattr(end, "dt", None), date):
        raise BusyCalendarError(f"{name} has an unreadable end time (DTEND).")
    duration = event.get("DURATION")
    if (
        end is None
        and duration is not None
        and not isinstance(getattr(duration, "dt", None), timedelta)
    ):
        raise BusyCalendarError(f"{name} has an unreadable length (DURATION).")


def _busy_events(
    calendar: icalendar.Calendar,
    zone: ZoneInfo,
    window_start: datetime,
    window_end: datetime,
    deadline: _Deadline,
) -> list[BusyEvent]:
    events = calendar.walk("VEVENT")
    for event in events:
        _check_event(event)
    if str(calendar.get("METHOD", "")).upper() == "CANCEL":
        return []
    span_start, span_end = window_start - _MARGIN, window_end + _MARGIN
    for event in events:
        _skip_the_past(event, span_start)
    selection = ComponentsWithName("VEVENT", adapter=_BusyEventAdapter, occurrence=_BusyOccurrence)
    try:
        query = recurring_ical_events.of(calendar, components=(selection,))
    except recurring_ical_events.BadRuleStringFormat as error:
        raise BusyCalendarError(
            f"An event has a repeat rule that cannot be read (RRULE:{error.rule[:120]})."
        ) from error
    except recurring_ical_events.InvalidCalendar as error:
        raise BusyCalendarError(f"The calendar could not be read: {error.message}") from error
    rule_dates = 0
    for series in query.series:
        deadline.check()
        rule_dates += _check_series(series, window_end)
        if rule_dates > MAX_RULE_DATES:
            raise BusyCalendarError(
                f"The calendar's repeating events give more than {MAX_RULE_DATES:,} dates "
                f"in all up to {_day(window_end)}; remove old repeating events or export a "
                "shorter period."
            )
    scale = max(1.0, (window_end - window_start) / (WINDOW_BEFORE + WINDOW_AFTER))
    most, most_per_event = int(MAX_OCCURRENCES * scale), int(MAX_OCCURRENCES_PER_EVENT * scale)
    busy: set[BusyEvent] = set()
    occurrences = 0
    for series in query.series:
        deadline.check()
        for taken, occurrence in enumerate(series.between(span_start, span_end), start=1):
            if taken > most_per_event:
                raise BusyCalendarError(
                    f"{occurrence.event.name} repeats more than "
                    f"{most_per_event:,} times between {_day(window_start)} and "
                    f"{_day(window_end)}."
                )
            occurrences += 1
            if occurrences > most:
                raise BusyCalendarError(
                    f"The calendar has more than {most:,} events between "
                    f"{_day(window_start)} and {_day(window_end)} (the most that is read); "
                    "remove repeating events you do not attend, or export fewer."
                )
            if occurrences % 500 == 0:
                deadline.check()
            event = _busy_event(occurrence, zone)
            if event is not None and event.start < window_end and event.end > window_start:
                busy.add(event)
    return sorted(busy)


_FIXED_PERIOD_FREQS = ("SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY")


def _skip_the_past(event, earliest: datetime) -> None:
    """Move a repeating event that began long before `earliest` forward by whole periods of
    its rule, so that expanding it does not walk the years before the window.

    The occurrences from the new start on are exactly those of the original rule: the pattern
    of a rule repeats every INTERVAL periods (counted in wall-clock time, as the expansion
    does; months and years by whole years with the same date). The new start itself always
    counts as an occurrence, so it is put early enough (`earliest` less the event's length and
    a margin) that it cannot reach the window. A COUNT is reduced by the periods skipped when
    each period gives exactly one date; other counted rules, several rules, moved occurrences
    and mixed time zones are left as they are (the rule budget bounds them).
    """
    rule = event.get("RRULE")
    start_prop, end_prop = event.get("DTSTART"), event.get("DTEND")
    if (
        not isinstance(rule, vRecur)
        or "RECURRENCE-ID" in event
        or start_prop is None
        or not isinstance(start_prop.dt, date)
    ):
        return
    start = start_prop.dt
    end = end_prop.dt if end_prop is not None else None
    if end is not None and (
        type(end) is not type(start)
        or getattr(end, "tzinfo", None) is not getattr(start, "tzinfo", None)
    ):
        return
    freqs = rule.get("FREQ") or [""]
    freq = str(freqs[0]).upper()
    try:
        interval = int((rule.get("INTERVAL") or [1])[0])
    except (TypeError, ValueError):
        return
    if interval < 1 or freq not in _FREQ_UNIT:
        return
    if end is not None:
        length = abs(end - start)
    elif "DURATION" in event and isinstance(event["DURATION"].dt, timedelta):
        length = abs(event["DURATION"].dt)
    else:
        length = timedelta(days=1)
    target = _wall(earliest - length - _MARGIN, getattr(start, "tzinfo", None))
    first = _wall(start, getattr(start, "tzinfo", None))
    if target <= first:
        return
    counted = rule.get("COUNT")
    if freq in _FIXED_PERIOD_FREQS:
        step = _FREQ_UNIT[freq] * interval
        if not isinstance(start, datetime) and step % timedelta(days=1):
            return  # dates repeating more often than daily: left to the rule budget
        periods = (target - first) // step
        if counted:
            if any(key.startswith("BY") for key in rule):
                return
            remaining = int(counted[0]) - periods
            if remaining <= 0:
                return  # ends before the window: nothing to expand anyway
            rule["COUNT"] = [remaining]
        moved = first + periods * step
    else:
        if counted:
            return
        cycle = interval if freq == "YEARLY" else interval // gcd(interval, 12)
        years = (target.year - first.year - 1) // cycle * cycle
        if years <= 0:
            return
        try:
            moved = first.replace(year=first.year + years)
        except ValueError:  # 29 February in a year without one
            return
    shift = moved - first
    if shift <= timedelta(0):
        return
    _move(event, "DTSTART", start_prop, shift)
    if end_prop is not None:
        _move(event, "DTEND", end_prop, shift)


def _move(event, name: str, prop, shift: timedelta) -> None:
    """Put `prop` `shift` later in wall-clock time, keeping its zone and parameters."""
    value = prop.dt
    if isinstance(value, datetime):
        moved = (value.replace(tzinfo=None) + shift).replace(tzinfo=value.tzinfo)
    else:
        moved = value + shift
    new_prop = icalendar.prop.vDDDTypes(moved)
    new_prop.params = prop.params
    event[name] = new_prop


class _BusyEventAdapter(EventAdapter):
    """A VEVENT as the expansion sees it, with what its occurrences need read once."""

    @cached_property
    def blocks(self) -> bool:
        event = self._component
        return not (
            str(event.get("TRANSP", "")).upper() == "TRANSPARENT"
            or str(event.get("STATUS", "")).upper() == "CANCELLED"
            or str(event.get("X-MICROSOFT-CDO-BUSYSTATUS", "")).upper() == "FREE"
        )

    @cached_property
    def summary(self) -> str:
        return " ".join(str(self._component.get("SUMMARY", "")).split())

    @cached_property
    def event_uid(self) -> str:
        return str(self._component.get("UID", ""))

    @cached_property
    def name(self) -> str:
        return _event_name(self._component)


class _BusyOccurrence(Occurrence):
    """An occurrence that keeps its source event (copying it per occurrence is slow)."""

    @property
    def event(self) -> _BusyEventAdapter:
        return self._adapter


def _busy_event(occurrence: _BusyOccurrence, zone: ZoneInfo) -> BusyEvent | None:
    source = occurrence.event
    if not source.blocks:
        return None
    start, end = _utc(occurrence.start, zone), _utc(occurrence.end, zone)
    if end < start:
        start, end = end, start
    if end == start:
        return None
    return BusyEvent(
        start=start,
        end=end,
        summary=source.summary,
        uid=source.event_uid,
        all_day=not isinstance(occurrence.start, datetime),
    )


def _utc(moment: date | datetime, zone: ZoneInfo) -> datetime:
    """An occurrence's time in UTC: dates start the peer's day, floating times are the peer's."""
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time(0), tzinfo=zone)
    elif moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def _check_series(series, window_end: datetime) -> int:
    """How many dates the series' rules may produce up to the end of the window (the work of
    expanding it); raises if that, or the search for a date after the window, is too much."""
    recurrence = series.recurrence
    if not recurrence.has_core:
        return 0
    core = recurrence.core
    anchor = recurrence.start  # the rule's DTSTART as the expansion uses it
    modified_rules = sum(1 for change in series.modifications if change.has_recurrence_rules())
    total = 0
    for rule in core.rrules:
        work = _rule_work(rule, anchor, window_end, core.name)
        total += work * (1 + modified_rules)
    return total


def _wall(moment: datetime | date, zone: tzinfo | None) -> datetime:
    """Naive wall-clock time in `zone` (or as it stands when there is no zone)."""
    if not isinstance(moment, datetime):
        return datetime.combine(moment, time(0))
    if moment.tzinfo is not None and zone is not None:
        moment = moment.astimezone(zone)
    return moment.replace(tzinfo=None)


def _rule_work(rule: str, anchor: datetime, window_end: datetime, name: str) -> int:
    parts = vRecur.from_ical(rule)
    freq = str(parts["FREQ"][0]).upper() if parts.get("FREQ") else ""
    if freq not in _FREQ_UNIT:
        raise BusyCalendarError(f"{name} has a repeat rule without a valid FREQ ({rule[:120]}).")
    interval = int(parts.get("INTERVAL", [1])[0])
    if interval < 1:
        raise BusyCalendarError(f"{name} has a repeat rule with INTERVAL below 1 ({rule[:120]}).")
    zone = anchor.tzinfo
    start = _wall(anchor, zone)
    end = _wall(window_end + _MARGIN, zone)
    until = parts.get("UNTIL")
    if until:
        until_wall = _wall(until[0], zone) + timedelta(days=1)
        end = min(end, until_wall)
    step = _FREQ_UNIT[freq] * interval
    periods = (end - start) // step + 1 if end >= start else 0
    has_day_parts = any(part in parts for part in _DAY_PARTS)
    days = _DAYS_PER_PERIOD.get(freq, 1) if has_day_parts else 1
    per_period = days
    for part in _TIME_PARTS_BY_FREQ[freq]:
        per_period *= max(1, len(parts.get(part, ())))
    work = periods * max(days, per_period)
    by_parts = [key for key in parts if key.startswith("BY")]
    count = parts.get("COUNT")
    if count and not by_parts:
        work = min(work, max(0, int(count[0])))
    if work > MAX_RULE_DATES_PER_EVENT:
        raise BusyCalendarError(
            f"{name} repeats too often: its rule ({_rule_words(freq, interval)}) gives more than "
            f"{MAX_RULE_DATES_PER_EVENT:,} dates between {_day(start)} and {_day(end)}."
        )
    if not any(part in parts for part in (*_DAY_PARTS, "BYSETPOS")):
        return work  # every day has dates: no long search between them
    gap = _periods_to_next_date(parts, freq, interval, start, end, rule, name)
    if gap is None or gap > MAX_RULE_GAP:
        raise BusyCalendarError(
            f"{name} has a repeat rule that never or almost never gives a date "
            f"(RRULE:{rule[:120]}); correct or remove that event."
        )
    return work + gap


def _rule_words(freq: str, interval: int) -> str:
    unit = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}.get(
        freq, freq.removesuffix("LY").lower()
    )
    return f"every {unit}" if interval == 1 else f"every {interval} {unit}s"


def _periods_to_next_date(
    parts: vRecur,
    freq: str,
    interval: int,
    start: datetime,
    end: datetime,
    rule: str,
    name: str,
) -> int | None:
    """How many periods the rule's pattern passes after `end` before its next date.

    The expansion stops at the first date after the window, however far ahead, and a rule
    with day filters that match no day searches up to year 9999 (seconds of work per event).
    The pattern (without COUNT/UNTIL) is walked here, lazily, after shifting it by whole
    400-year cycles (same weekdays and leap years) that are also whole numbers of intervals,
    so that year 9999 comes a few decades to a few centuries after the window: a fruitless
    search is then short, and a rule that finds nothing before 9999 is refused.
    """
    cycle = 400 * interval // gcd(interval, _UNITS_PER_400_YEARS[freq])  # years
    latest = max(start, end)
    room = datetime.max.year - _GAP_PROBE_YEARS - latest.year
    shift = (room // cycle) * cycle if room > 0 else 0
    # Below a day, dateutil skips a day that fails the day filters in one step.
    step = max(_FREQ_UNIT[freq] * interval, timedelta(days=1))
    search = (datetime.max - latest.replace(year=latest.year + shift)) // step
    if search > MAX_RULE_SEARCH:
        raise BusyCalendarError(
            f"{name} has a repeat rule too unusual to expand (RRULE:{rule[:120]}); "
            "simplify or remove that event."
        )
    pattern = vRecur({key: value for key, value in parts.items() if key not in ("COUNT", "UNTIL")})
    shifted_end = end.replace(year=end.year + shift)
    dates = rrulestr(
        pattern.to_ical().decode("ascii"), dtstart=start.replace(year=start.year + shift)
    )
    for moment in dates:
        if moment > shifted_end:
            return (moment - shifted_end) // step
    return None

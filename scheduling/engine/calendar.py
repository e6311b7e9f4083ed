"""iCalendar for invites (RFC 5546 iTIP over e-mail), subscribable feeds and free/busy.

The one place the service writes iCalendar and reads calendar replies, so invites, feeds and
replies agree (peers' own busy calendars are read by `busy_calendar.py`).
Plain data in, bytes out; the apps translate sessions, seats and webinars into
`CalendarEvent` and `Person`. Calendars are written here as text, exactly as icalendar 7
wrote them; icalendar reads replies.

What real clients taught us (docs/architecture.md, "Calendars"):
- Outlook ignores the RDATE-list VTIMEZONE that icalendar 7 generates, so events land an
  hour out; every calendar here carries the fixed RRULE-based `LONDON_VTIMEZONE` and event
  times are written as Europe/London wall-clock times against it.
- RFC 7986 requires REFRESH-INTERVAL to carry `VALUE=DURATION` (icalendar 7 leaves it out);
  feeds give the parameter.
"""

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Calendar, Event
from icalendar.prop import vBroken

from scheduling.engine.uk_time import LONDON

PRODID = "-//Local Government Association//Peer scheduling//EN"
TZID = "Europe/London"

CONFIRMED = "CONFIRMED"
TENTATIVE = "TENTATIVE"
CANCELLED = "CANCELLED"
EVENT_STATUSES = frozenset({CONFIRMED, TENTATIVE, CANCELLED})

ROLES = frozenset({"REQ-PARTICIPANT", "OPT-PARTICIPANT", "CHAIR", "NON-PARTICIPANT"})
PARTSTATS = frozenset({"NEEDS-ACTION", "ACCEPTED", "DECLINED", "TENTATIVE", "DELEGATED"})

REQUEST = "REQUEST"
CANCEL = "CANCEL"
REPLY = "REPLY"
PUBLISH = "PUBLISH"
METHODS = frozenset({REQUEST, CANCEL, REPLY, PUBLISH})

FEED_CONTENT_TYPE = "text/calendar; charset=utf-8"

# The UK rule since 1996: BST from 01:00 GMT on the last Sunday in March, GMT from
# 02:00 BST on the last Sunday in October. Each DTSTART is the first onset its RRULE
# generates, in local time before the change; 1970 is the conventional base that Outlook
# and Thunderbird also use (the zone only ever describes current dates). The RRULE parts
# are in icalendar's order, so this is the text icalendar writes for the component.
LONDON_VTIMEZONE = "\r\n".join(
    (
        "BEGIN:VTIMEZONE",
        f"TZID:{TZID}",
        "BEGIN:DAYLIGHT",
        "TZOFFSETFROM:+0000",
        "TZOFFSETTO:+0100",
        "TZNAME:BST",
        "DTSTART:19700329T010000",
        "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
        "END:DAYLIGHT",
        "BEGIN:STANDARD",
        "TZOFFSETFROM:+0100",
        "TZOFFSETTO:+0000",
        "TZNAME:GMT",
        "DTSTART:19701025T020000",
        "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
        "END:STANDARD",
        "END:VTIMEZONE",
        "",
    )
)

SEQUENCE_MAX = 2_147_483_647  # the largest INTEGER RFC 5545 allows

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_MAILTO = re.compile(r"^mailto:", re.IGNORECASE)


def _aware_utc(value: datetime, what: str) -> datetime:
    if not isinstance(value, datetime):
        raise TypeError(f"{what} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is UTC:  # as the database gives it
        return value
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware (store and pass UTC), got {value!r}")
    return value.astimezone(UTC)


def _plain_address(email: str) -> str:
    address = _MAILTO.sub("", email.strip())
    if not _EMAIL.fullmatch(address) or any(unicodedata.category(c) == "Cc" for c in address):
        raise ValueError(f"not an e-mail address: {email!r}")
    return address


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """One session or webinar as a calendar sees it; times are normalised to aware UTC."""

    uid: str
    start: datetime
    end: datetime
    summary: str
    description: str = ""
    location: str = ""
    url: str = ""
    status: str = CONFIRMED
    sequence: int = 0
    # The row's last change: a feed's DTSTAMP, so the feed body is stable while nothing changes.
    last_modified: datetime | None = None
    categories: tuple[str, ...] = ()

    def __post_init__(self):
        if not self.uid or not self.uid.strip() or "\r" in self.uid or "\n" in self.uid:
            raise ValueError(f"an event needs a stable, single-line UID, got {self.uid!r}")
        start = _aware_utc(self.start, "start")
        end = _aware_utc(self.end, "end")
        if end <= start:
            raise ValueError(f"event {self.uid} ends ({end}) at or before it starts ({start})")
        if self.status not in EVENT_STATUSES:
            raise ValueError(f"status must be one of {sorted(EVENT_STATUSES)}, got {self.status!r}")
        if isinstance(self.sequence, bool) or not isinstance(self.sequence, int):
            raise TypeError(f"sequence must be an int, got {self.sequence!r}")
        if self.sequence < 0:
            raise ValueError(f"sequence must not be negative, got {self.sequence}")
        if self.sequence > SEQUENCE_MAX:
            raise ValueError(f"sequence must be at most {SEQUENCE_MAX}, got {self.sequence}")
        url = self.url.strip()
        if "\r" in url or "\n" in url:
            raise ValueError(f"an event's URL must be a single line, got {self.url!r}")
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)
        if self.last_modified is not None:
            object.__setattr__(
                self, "last_modified", _aware_utc(self.last_modified, "last_modified")
            )
        if isinstance(self.categories, str):
            raise TypeError("categories must be a sequence of strings, not one string")
        object.__setattr__(self, "categories", tuple(self.categories))


@dataclass(frozen=True, slots=True)
class Person:
    """An organizer or attendee; `email` is kept without `mailto:`."""

    email: str
    name: str
    role: str = "REQ-PARTICIPANT"
    partstat: str = "NEEDS-ACTION"
    rsvp: bool = True

    def __post_init__(self):
        object.__setattr__(self, "email", _plain_address(self.email))
        if self.role not in ROLES:
            raise ValueError(f"role must be one of {sorted(ROLES)}, got {self.role!r}")
        if self.partstat not in PARTSTATS:
            raise ValueError(f"partstat must be one of {sorted(PARTSTATS)}, got {self.partstat!r}")


@dataclass(frozen=True, slots=True)
class Reply:
    """One attendee's answer read from a METHOD:REPLY calendar."""

    uid: str
    attendee: str  # lower-cased e-mail address, no mailto:
    partstat: str
    sequence: int
    dtstamp: datetime  # aware UTC
    # The ATTENDEE's SENT-BY (a delegate answering for them), lower-cased, or "".
    sent_by: str = ""
    # What the attendee wrote with the answer (COMMENT, as Gmail and Outlook add it), or "".
    comment: str = ""


class InvalidReply(ValueError):
    """The data is not a usable METHOD:REPLY calendar."""


def content_type(method: str | None) -> str:
    """The MIME type for a calendar built here: iTIP messages name their METHOD, feeds none."""
    if method is None:
        return FEED_CONTENT_TYPE
    method = method.upper()
    if method not in METHODS:
        raise ValueError(f"method must be one of {sorted(METHODS)} or None, got {method!r}")
    return f"text/calendar; method={method}; charset=UTF-8"


def calendar_datetime(value: datetime) -> datetime:
    """`value` as the service writes it: Europe/London wall-clock time, or UTC where needed.

    A wall-clock time in the hour the October change repeats is ambiguous: RFC 5545 reads
    it as the first pass, ical.js and libical as the second. Instants in that hour are
    written in UTC, which every client reads alike.
    """
    return _london_or_utc(_aware_utc(value, "time"))


def _london_or_utc(utc: datetime) -> datetime:
    local = utc.astimezone(LONDON)
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        return utc  # in the repeated hour
    return local


def _display_name(name: str) -> str:
    # A parameter value can hold neither DQUOTE nor control characters (RFC 5545 §3.1);
    # the rest is quoted, so commas, colons and semicolons survive.
    cleaned = "".join(" " if unicodedata.category(c) == "Cc" else c for c in name)
    return " ".join(cleaned.replace('"', "").split())


# Unicode's control characters (category Cc) but tab and newline.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _text(value: str) -> str:
    # TEXT may hold no control characters but tab and (escaped) newline (RFC 5545 §3.3.11).
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


# Writing --------------------------------------------------------------------------------
#
# Calendars are written here as text: icalendar's serializer took half a millisecond an
# event, and a feed holds a thousand. The text is byte for byte what icalendar 7 wrote
# (a test holds it to that with icalendar itself), quirks included, so kept bodies, ETags
# and what clients have already stored do not change.


_ESCAPED = re.compile(r"[\\;,\r\n]")


def _escaped(value: str) -> str:
    # TEXT escaping in icalendar's order; it reads a literal "\N" as a line break first.
    if _ESCAPED.search(value) is None:
        return value
    return (
        value.replace("\\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _folded(data: bytes) -> bytes:
    """A content line of more than 74 octets folded with CRLF and a space (RFC 5545 §3.1).

    Each piece holds at most 74 octets, whole characters only. A backslash or caret that
    would end a piece starts the next one instead: icalendar's guard for clients that
    misread an escape split by a fold.
    """
    size = len(data)
    pieces = []
    start = 0
    while size - start > 74:
        end = start + 74
        while data[end] & 0xC0 == 0x80:  # a UTF-8 continuation byte: not a boundary
            end -= 1
        if data[end - 1] in b"\\^":
            end -= 1
        pieces.append(data[start:end])
        start = end
    pieces.append(data[start:])
    return b"\r\n ".join(pieces)


def _property(name: str, value: str) -> str:
    # icalendar read each value back as UTF-8 with a byte order mark, dropping a leading one.
    return f"{name}:{value.removeprefix('\ufeff')}"


def _content(lines: Iterable[str]) -> bytes:
    """The lines in UTF-8, each folded if long and ended with CRLF."""
    written = []
    for line in lines:
        data = line.encode()
        written.append(data if len(data) < 75 else _folded(data))
    written.append(b"")
    return b"\r\n".join(written)


def _date_time(moment: datetime) -> str:
    # Seconds are the finest a DATE-TIME holds; %-formatting is a third of an f-string's cost.
    return "%04d%02d%02dT%02d%02d%02d" % (  # noqa: UP031
        moment.year,
        moment.month,
        moment.day,
        moment.hour,
        moment.minute,
        moment.second,
    )


def _utc_text(moment: datetime, what: str) -> str:
    return _date_time(_aware_utc(moment, what)) + "Z"


def _event_time(name: str, utc: datetime) -> str:
    written = _london_or_utc(utc)
    if written is utc:
        return f"{name}:{_date_time(written)}Z"
    return f"{name};TZID={TZID}:{_date_time(written)}"


def _duration(value: timedelta) -> str:
    # As icalendar writes a positive DURATION: days, then hours, minutes and seconds.
    seconds = value.seconds
    clock = ""
    if seconds:
        hours, minutes, seconds = seconds // 3600, seconds % 3600 // 60, seconds % 60
        clock = "T" + (f"{hours}H" if hours else "")
        if minutes or (hours and seconds):
            clock += f"{minutes}M"
        if seconds:
            clock += f"{seconds}S"
    if value.days == 0 and clock:
        return f"P{clock}"
    return f"P{value.days}D{clock}"


# A CN is quoted if it holds a space or apostrophe, or would otherwise end the parameter.
_QUOTED_NAME = re.compile("[ ',:;\u2019]")


def _address(name: str, person: Person, params: str = "") -> str:
    """An ORGANIZER or ATTENDEE line: the display name as CN, then `params`."""
    display = _display_name(person.name).replace("^", "^^")  # RFC 6868's escape for ^
    if display:
        if _QUOTED_NAME.search(display):
            display = f'"{display}"'
        params = f";CN={display}{params}"
    return f"{name}{params}:mailto:{person.email}"


def _calendar_head(method: str | None) -> list[str]:
    # No UID: one would make feeds change on every build.
    head = ["BEGIN:VCALENDAR", f"PRODID:{_escaped(PRODID)}", "VERSION:2.0", "CALSCALE:GREGORIAN"]
    if method is not None:
        head.append(f"METHOD:{method}")
    return head


_LONDON_VTIMEZONE = LONDON_VTIMEZONE.encode()
_CALENDAR_END = b"END:VCALENDAR\r\n"


def _vevent(event: CalendarEvent, *, dtstamp: datetime, status: str) -> list[str]:
    """The VEVENT's lines up to its end: where an invite adds ORGANIZER and ATTENDEEs."""
    stamp = _utc_text(dtstamp, "dtstamp")
    lines = [
        "BEGIN:VEVENT",
        _property("UID", _escaped(event.uid)),
        f"DTSTAMP:{stamp}",
        _event_time("DTSTART", event.start),
        _event_time("DTEND", event.end),
        f"SEQUENCE:{event.sequence}",
        _property("SUMMARY", _escaped(_text(event.summary))),
    ]
    if event.description:
        lines.append(_property("DESCRIPTION", _escaped(_text(event.description))))
    if event.location:
        lines.append(_property("LOCATION", _escaped(_text(event.location))))
    if event.url:
        lines.append(_property("URL", event.url.strip()))
    if event.categories:
        categories = ",".join([_escaped(_text(c)) for c in event.categories])
        lines.append(_property("CATEGORIES", categories))
    lines.append(f"STATUS:{status}")
    if event.last_modified is not None:
        # A feed's DTSTAMP is the event's last change.
        changed = stamp if event.last_modified is dtstamp else _date_time(event.last_modified) + "Z"
        lines.append(f"LAST-MODIFIED:{changed}")
    return lines


def _attendee_list(attendees: Iterable[Person]) -> list[Person]:
    people = list(attendees)
    if not people:
        raise ValueError("an iTIP message needs at least one attendee")
    seen: set[str] = set()
    for person in people:
        key = person.email.lower()
        if key in seen:
            raise ValueError(f"attendee {person.email} is listed twice")
        seen.add(key)
    return people


def _itip(
    method: str,
    event: CalendarEvent,
    organizer: Person,
    attendees: Sequence[Person],
    *,
    dtstamp: datetime,
    status: str,
    rsvp: bool,
) -> bytes:
    lines = _vevent(event, dtstamp=dtstamp, status=status)
    lines.append(_address("ORGANIZER", organizer))
    for person in attendees:
        params = f";ROLE={person.role};PARTSTAT={person.partstat}"
        if rsvp:
            params += ";RSVP=TRUE" if person.rsvp else ";RSVP=FALSE"
        lines.append(_address("ATTENDEE", person, params))
    lines.append("END:VEVENT")
    return b"".join(
        [_content(_calendar_head(method)), _LONDON_VTIMEZONE, _content(lines), _CALENDAR_END]
    )


def build_request(
    event: CalendarEvent,
    organizer: Person,
    attendees: Iterable[Person],
    *,
    dtstamp: datetime,
) -> bytes:
    """A METHOD:REQUEST invite (new, or an update with a raised SEQUENCE).

    `organizer.email` must be the From address of the mail; `dtstamp` is the sending time.
    """
    if event.status == CANCELLED:
        raise ValueError(f"event {event.uid} is cancelled: send build_cancel(), not a REQUEST")
    return _itip(
        REQUEST,
        event,
        organizer,
        _attendee_list(attendees),
        dtstamp=dtstamp,
        status=event.status,
        rsvp=True,
    )


def build_cancel(
    event: CalendarEvent,
    organizer: Person,
    attendees: Iterable[Person],
    *,
    dtstamp: datetime,
) -> bytes:
    """A METHOD:CANCEL for `attendees`: same UID, STATUS:CANCELLED, `event.sequence` as given.

    The caller raises SEQUENCE above the last REQUEST it sent; a CANCEL at 0 can only be
    a caller that forgot, and clients would ignore it, so it is refused.
    """
    if event.sequence < 1:
        raise ValueError(
            f"a CANCEL must raise SEQUENCE above the last REQUEST's; event {event.uid} has 0"
        )
    return _itip(
        CANCEL,
        event,
        organizer,
        _attendee_list(attendees),
        dtstamp=dtstamp,
        status=CANCELLED,
        rsvp=False,
    )


def build_reply(
    event: CalendarEvent,
    organizer: Person,
    attendee: Person,
    *,
    dtstamp: datetime,
) -> bytes:
    """A METHOD:REPLY from `attendee` with `attendee.partstat`, as a client would send one."""
    if event.status == CANCELLED:
        raise ValueError(f"event {event.uid} is cancelled: there is nothing to reply to")
    return _itip(
        REPLY,
        event,
        organizer,
        [attendee],
        dtstamp=dtstamp,
        status=event.status,
        rsvp=False,
    )


def _zone_or_utc(tzid: str | None):
    if tzid:
        try:
            return ZoneInfo(tzid)
        except (ValueError, ZoneInfoNotFoundError):
            pass
    return UTC


def _reply_from(vevent: Event) -> Reply:
    broken = {name for name, _ in vevent.errors}
    for name in ("UID", "DTSTAMP", "SEQUENCE"):
        if name in broken or isinstance(vevent.get(name), vBroken):
            raise InvalidReply(f"REPLY has an unreadable {name}: {vevent.get(name)!r}")
    uid = str(vevent.get("UID", "")).strip()
    if not uid:
        raise InvalidReply("REPLY VEVENT has no UID")
    attendees = vevent.get("ATTENDEE")
    if attendees is None:
        raise InvalidReply(f"REPLY for {uid} has no ATTENDEE")
    if not isinstance(attendees, list):
        attendees = [attendees]
    if len(attendees) != 1:
        # RFC 5546 §3.2.3: exactly the replying attendee; more cannot be attributed to a sender.
        raise InvalidReply(f"REPLY for {uid} has {len(attendees)} ATTENDEEs; expected exactly one")
    (attendee,) = attendees
    email = _MAILTO.sub("", str(attendee).strip()).lower()
    if not _EMAIL.fullmatch(email):
        raise InvalidReply(f"REPLY for {uid} has an ATTENDEE that is not an e-mail: {attendee!r}")
    partstat = str(attendee.params.get("PARTSTAT", "NEEDS-ACTION")).upper()
    if partstat not in PARTSTATS:
        raise InvalidReply(f"REPLY for {uid} has an unknown PARTSTAT {partstat!r}")
    stamp = vevent.get("DTSTAMP")
    if stamp is None:
        raise InvalidReply(f"REPLY for {uid} has no DTSTAMP")
    dtstamp = stamp.dt
    if not isinstance(dtstamp, datetime):
        raise InvalidReply(f"REPLY for {uid} has a DTSTAMP that is not a date-time: {dtstamp!r}")
    if dtstamp.tzinfo is None:
        # RFC 5545 wants DTSTAMP in UTC, so icalendar ignores a TZID on it; honour a known
        # one, and read a bare local time as UTC (what a client that drops the Z means).
        dtstamp = dtstamp.replace(tzinfo=_zone_or_utc(stamp.params.get("TZID")))
    dtstamp = dtstamp.astimezone(UTC)
    sequence = vevent.get("SEQUENCE", 0)
    try:
        sequence = int(sequence)
    except (TypeError, ValueError):
        raise InvalidReply(f"REPLY for {uid} has an unreadable SEQUENCE {sequence!r}") from None
    sent_by = _MAILTO.sub("", str(attendee.params.get("SENT-BY", "")).strip()).lower()
    comments = vevent.get("COMMENT", [])
    if not isinstance(comments, list):
        comments = [comments]
    comment = _text("\n".join(str(c) for c in comments)).strip()[:2000]
    return Reply(
        uid=uid,
        attendee=email,
        partstat=partstat,
        sequence=sequence,
        dtstamp=dtstamp,
        sent_by=sent_by,
        comment=comment,
    )


def parse_replies(data: bytes) -> list[Reply]:
    """The answers in METHOD:REPLY iCalendar data (e.g. an .ics saved from the mailbox).

    Raises InvalidReply for anything else: garbage, another METHOD, no VEVENT, missing or
    unreadable UID/ATTENDEE/DTSTAMP, or more than one ATTENDEE in a VEVENT.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not isinstance(data, bytes | bytearray):
        raise TypeError(f"parse_replies() takes bytes, got {type(data).__name__}")
    try:
        components = Calendar.from_ical(bytes(data), multiple=True)
    except (ValueError, UnicodeDecodeError, IndexError, KeyError, TypeError) as exc:
        raise InvalidReply(f"not iCalendar data: {exc}") from exc
    if not components:
        raise InvalidReply("no complete VCALENDAR found (expected METHOD:REPLY iCalendar data)")
    replies = []
    for component in components:
        if component.name != "VCALENDAR":
            raise InvalidReply(f"expected a VCALENDAR, found a top-level {component.name}")
        method = str(component.get("METHOD", "")).strip().upper()
        if method != REPLY:
            raise InvalidReply(
                f"expected METHOD:REPLY, got {'METHOD:' + method if method else 'no METHOD'}"
            )
        vevents = [c for c in component.subcomponents if c.name == "VEVENT"]
        if not vevents:
            raise InvalidReply("the METHOD:REPLY calendar has no VEVENT")
        replies.extend(_reply_from(vevent) for vevent in vevents)
    return replies


def build_feed(
    name: str,
    events: Iterable[CalendarEvent],
    *,
    description: str = "",
    refresh: timedelta = timedelta(hours=6),
) -> bytes:
    """A subscribable calendar (no METHOD); the same events give the same bytes.

    Each event needs `last_modified`: it is the event's DTSTAMP, so the body, and an ETag
    over it, change only when the data does. Cancelled events stay, as STATUS:CANCELLED,
    so subscribers remove them.
    """
    if not isinstance(refresh, timedelta) or refresh <= timedelta(0):
        raise ValueError(f"refresh must be a positive timedelta, got {refresh!r}")
    ordered = sorted(events, key=lambda e: (e.start, e.end, e.uid))
    uids = [event.uid for event in ordered]
    if len(set(uids)) != len(uids):
        duplicates = sorted({uid for uid in uids if uids.count(uid) > 1})
        raise ValueError(f"a feed needs one event per UID; repeated: {duplicates}")
    title = _text(name)
    about = _text(description)
    if "\n" in title or (description and "\n" in about):
        raise ValueError("a feed's name and description must each be a single line")
    head = _calendar_head(None)
    # NAME (RFC 7986) and the X-WR-* names are TEXT: commas, semicolons and backslashes are
    # escaped like any other text (icalendar 7 writes them raw, having no type for them).
    head += [_property("NAME", _escaped(title)), _property("X-WR-CALNAME", _escaped(title))]
    if description:
        head += [
            _property("DESCRIPTION", _escaped(about)),
            _property("X-WR-CALDESC", _escaped(about)),
        ]
    head += [
        f"REFRESH-INTERVAL;VALUE=DURATION:{_duration(refresh)}",
        f"X-PUBLISHED-TTL:{_duration(refresh)}",
    ]
    parts = [_content(head), _LONDON_VTIMEZONE]
    for event in ordered:
        if event.last_modified is None:
            raise ValueError(f"feed event {event.uid} needs last_modified (it is its DTSTAMP)")
        lines = _vevent(event, dtstamp=event.last_modified, status=event.status)
        lines.append("END:VEVENT")
        parts.append(_content(lines))
    parts.append(_CALENDAR_END)
    return b"".join(parts)


def _merged_busy(
    intervals: Iterable[tuple[datetime, datetime]], start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    clipped = []
    for interval_start, interval_end in intervals:
        s = max(_aware_utc(interval_start, "busy start"), start)
        e = min(_aware_utc(interval_end, "busy end"), end)
        if s < e:
            clipped.append((s, e))
    merged: list[tuple[datetime, datetime]] = []
    for s, e in sorted(clipped):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def build_freebusy(
    email: str,
    name: str,
    start: datetime,
    end: datetime,
    busy_intervals: Iterable[tuple[datetime, datetime]],
    *,
    dtstamp: datetime,
    uid: str | None = None,
) -> bytes:
    """A METHOD:PUBLISH VFREEBUSY of a peer's busy time between `start` and `end`, in UTC.

    Busy intervals are clipped to the window and merged. RFC 5546 wants at least one
    FREEBUSY, so a window with no busy time is published as one FBTYPE=FREE period.
    The UID defaults to one derived from the address and window, stable across rebuilds.
    """
    owner = Person(email=email, name=name)
    window_start = _aware_utc(start, "start")
    window_end = _aware_utc(end, "end")
    if window_end <= window_start:
        raise ValueError(f"free/busy window ends ({window_end}) at or before it starts")
    if uid is None:
        key = f"{owner.email.lower()}|{window_start.isoformat()}|{window_end.isoformat()}"
        uid = f"freebusy-{hashlib.sha256(key.encode()).hexdigest()[:32]}"
    stamp = _utc_text(dtstamp, "dtstamp")
    busy = _merged_busy(busy_intervals, window_start, window_end)
    periods = busy or [(window_start, window_end)]
    fbtype = "BUSY" if busy else "FREE"
    lines = _calendar_head(PUBLISH)
    lines += [
        "BEGIN:VFREEBUSY",
        _property("UID", _escaped(uid)),
        f"DTSTAMP:{stamp}",
        f"DTSTART:{_date_time(window_start)}Z",
        f"DTEND:{_date_time(window_end)}Z",
        _address("ORGANIZER", owner),
    ]
    # One period per line, without the redundant VALUE=PERIOD.
    lines += [f"FREEBUSY;FBTYPE={fbtype}:{_date_time(s)}Z/{_date_time(e)}Z" for s, e in periods]
    lines += ["END:VFREEBUSY", "END:VCALENDAR"]
    return _content(lines)

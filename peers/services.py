"""Writes about people: API tokens, availability and busy calendars."""

import hashlib
import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from time import time as time_now

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_q.tasks import async_task

from peers.calendar_fetch import CalendarFetchError, fetch_calendar, validate_calendar_url
from peers.free_time import free_time_refresh
from peers.held_time import HeldTime, availability_saved, held_time_released, held_times
from peers.models import ApiToken, BusyCalendar, BusyEvent, DateOverride, Leave, Peer, WeeklyWindow
from peers.selectors import availability_rules
from peers.throttles import throttle_count
from scheduling.engine import availability as engine
from scheduling.engine.busy_calendar import (
    MAX_SECONDS,
    BusyCalendarError,
    check_busy_calendar,
    coalesce_busy,
    import_window,
    parse_busy_calendar,
)
from scheduling.engine.refusals import Refusal
from scheduling.engine.time_zones import zone_now_named, zone_refusal

TOKEN_PREFIX = "lga_"  # noqa: S105 - a public marker, not a secret


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once, never stored


@transaction.atomic
def api_token_issue(*, user, name: str) -> IssuedToken:
    name = (name or "").strip()
    if not name:
        raise ValidationError(
            {"name": "Give the token a name, such as the script that will use it."}
        )
    if len(name) > 100:
        raise ValidationError({"name": "The name must be 100 characters or fewer."})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=secret[: len(TOKEN_PREFIX) + 6], token_hash=token_hash(secret)
    )
    return IssuedToken(token=token, secret=secret)


@transaction.atomic
def api_token_revoke(*, user, token_id: int) -> ApiToken:
    token = get_object_or_404(ApiToken, pk=token_id, user=user, revoked_at__isnull=True)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(secret: str):
    """The user a bearer token belongs to, or None. Marks the token used (at most once a minute)."""
    if not secret or not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=token_hash(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# Availability --------------------------------------------------------------------------------


def _hhmm(value: str, field: str) -> time:
    try:
        hours, minutes = value.split(":")
        if len(hours) != 2 or len(minutes) != 2:
            raise ValueError
        return time(int(hours), int(minutes))
    except (ValueError, AttributeError):
        raise ValidationError({field: f"Enter a time of day as HH:MM, not {value!r}."}) from None


def _engine_rules(
    *, time_zone, weekly, overrides, leave, nation, bank_holidays_block, buffer_minutes
) -> engine.AvailabilityRules:
    """Build the engine's rules from plain input; the engine's checks become field errors."""
    try:
        return engine.AvailabilityRules(
            time_zone=time_zone,
            weekly=tuple(
                engine.WeeklyWindow(
                    weekday=w["weekday"],
                    start=_hhmm(w["start"], f"weekly[{i}].start"),
                    end=_hhmm(w["end"], f"weekly[{i}].end"),
                )
                for i, w in enumerate(weekly)
            ),
            overrides=tuple(
                engine.DateOverride(
                    date=o["date"],
                    windows=tuple(
                        (
                            _hhmm(pair["start"], f"overrides[{i}].windows[{j}].start"),
                            _hhmm(pair["end"], f"overrides[{i}].windows[{j}].end"),
                        )
                        for j, pair in enumerate(o["windows"])
                    ),
                )
                for i, o in enumerate(overrides)
            ),
            leave=tuple(
                engine.Leave(
                    first_day=lv["first_day"],
                    last_day=lv["last_day"],
                    label=lv.get("note") or "Leave",
                )
                for lv in leave
            ),
            nation=nation,
            bank_holidays_block=bank_holidays_block,
            buffer_minutes=buffer_minutes,
        )
    except engine.InvalidAvailability as error:
        raise ValidationError({error.field: error.message}) from None


def _check_caps(*, monthly_session_cap: int, monthly_hours_cap: int) -> None:
    for field, value, most in (
        ("monthly_session_cap", monthly_session_cap, 60),
        ("monthly_hours_cap", monthly_hours_cap, 300),
    ):
        if not isinstance(value, int) or value < 0 or value > most:
            raise ValidationError({field: f"Enter a whole number from 0 to {most}."})


PAST_OVERRIDE = "Date must be today or in the future."
PAST_LEAVE = "Last day of leave must be today or in the future."


def _check_no_new_past_dates(*, peer: Peer, rules: engine.AvailabilityRules, leave: list[dict]):
    """Refuse date overrides for days already past, and leave that has already ended, where
    the peer is (`rules.time_zone`, the zone being saved): the one rule for the API and pages.

    Past entries the peer already has and sends back unchanged are kept, so hours can be saved
    while last week's leave is still listed; a new or changed past entry is refused.
    """
    today = datetime.now(rules.zone).date()
    stored_overrides = Counter(
        (o.date, tuple(sorted(o.windows))) for o in availability_rules(peer).overrides
    )
    stored_leave = Counter(
        peer.leave.filter(last_day__lt=today).values_list("first_day", "last_day", "note")
    )
    errors = {}
    for i, override in enumerate(rules.overrides):
        key = (override.date, tuple(sorted(override.windows)))
        if override.date >= today:
            continue
        if stored_overrides[key]:
            stored_overrides[key] -= 1
        else:
            errors[f"overrides[{i}].date"] = PAST_OVERRIDE
    for i, (entry, note) in enumerate(zip(rules.leave, leave, strict=True)):
        key = (entry.first_day, entry.last_day, note.get("note", ""))
        if entry.last_day >= today:
            continue
        if stored_leave[key]:
            stored_leave[key] -= 1
        else:
            errors[f"leave[{i}].last_day"] = PAST_LEAVE
    if errors:
        raise ValidationError(errors)


# How far ahead an availability change looks for held time it takes away (beyond any horizon).
HELD_LOOKAHEAD = timedelta(days=400)


@dataclass(frozen=True)
class LeaveMerge:
    """Leave entries that overlapped, kept as one: its first and last day, and whether the
    entries were the same days (a repeat) rather than overlapping ones."""

    first_day: date
    last_day: date
    repeated: bool


@dataclass(frozen=True)
class AvailabilityChange:
    """A saved availability change, and the held time (seats) it took out of the peer's
    available time: those are released, re-staffed and their bookers told (by the holder)."""

    peer: Peer
    released: tuple[HeldTime, ...] = ()
    merged_leave: tuple[LeaveMerge, ...] = ()


LEAVE_NOTE_MAX = 200


def leave_merge(leave: list[dict]) -> tuple[list[dict], tuple[LeaveMerge, ...]]:
    """Leave with every set of entries sharing a day kept as one entry (the first day of the
    earliest to the last day of the latest, their different notes joined), soonest first; and
    what was merged. The one rule for leave, whether it comes from the page or the API."""
    merged: list[dict] = []
    groups: list[list[dict]] = []
    for entry in sorted(leave, key=lambda lv: (lv["first_day"], lv["last_day"])):
        if merged and entry["first_day"] <= merged[-1]["last_day"]:
            merged[-1]["last_day"] = max(merged[-1]["last_day"], entry["last_day"])
            groups[-1].append(entry)
        else:
            merged.append({"first_day": entry["first_day"], "last_day": entry["last_day"]})
            groups.append([entry])
    merges = []
    for entry, group in zip(merged, groups, strict=True):
        notes = list(dict.fromkeys(n for lv in group if (n := (lv.get("note") or "").strip())))
        note = "; ".join(notes)
        entry["note"] = note if len(note) <= LEAVE_NOTE_MAX else note[: LEAVE_NOTE_MAX - 1] + "…"
        if len(group) > 1:
            days = {(lv["first_day"], lv["last_day"]) for lv in group}
            merges.append(LeaveMerge(entry["first_day"], entry["last_day"], len(days) == 1))
    return merged, tuple(merges)


def _covers(rules: engine.AvailabilityRules, held: HeldTime) -> bool:
    """Whether the rules alone (hours, overrides, leave, bank holidays) leave all of it free."""
    free = engine.expand(rules, held.start, held.end).free
    return sum((i.end - i.start for i in free), timedelta()) >= held.end - held.start


@transaction.atomic
def availability_replace(
    *,
    peer: Peer,
    time_zone: str,
    weekly: list[dict],
    overrides: list[dict],
    leave: list[dict],
    monthly_session_cap: int,
    monthly_hours_cap: int,
    buffer_minutes: int,
    bank_holidays_block: bool,
    nation: str,
    busy_calendar_url: str | None = None,
) -> AvailabilityChange:
    """Replace all of a peer's availability at once; anything invalid changes nothing.

    `weekly` items are {weekday, start "HH:MM", end}; `overrides` {date, windows: [{start, end}]}
    (no windows: not available that date); `leave` {first_day, last_day, note}.
    `busy_calendar_url` None leaves the calendar alone, "" disconnects a feed.

    Held time still to come (seats) that the old rules covered and the new ones do not is
    released: `held_time_released` tells its holder, in this transaction, and the answer
    lists it.
    """
    _check_caps(monthly_session_cap=monthly_session_cap, monthly_hours_cap=monthly_hours_cap)
    if why := zone_refusal(time_zone):
        raise ValidationError({"time_zone": why})
    rules = _engine_rules(
        time_zone=time_zone,
        weekly=weekly,
        overrides=overrides,
        leave=leave,
        nation=nation,
        bank_holidays_block=bank_holidays_block,
        buffer_minutes=buffer_minutes,
    )
    if busy_calendar_url:
        busy_calendar_url = _checked_calendar_url(busy_calendar_url)

    peer = Peer.objects.select_for_update().get(pk=peer.pk)
    _check_no_new_past_dates(peer=peer, rules=rules, leave=leave)
    # Overlapping leave (the same leave added twice, or one period over another) is kept as
    # one entry, so the list says each day off once and removing it removes all of it.
    leave, merged_leave = leave_merge(leave)
    now = timezone.now()
    held = [
        h for h in held_times(peer_id=peer.id, start=now, end=now + HELD_LOOKAHEAD) if h.start > now
    ]
    before = availability_rules(peer) if held else None
    peer.time_zone = rules.time_zone
    peer.nation = rules.nation
    peer.bank_holidays_block = rules.bank_holidays_block
    peer.buffer_minutes = rules.buffer_minutes
    peer.monthly_session_cap = monthly_session_cap
    peer.monthly_hours_cap = monthly_hours_cap
    peer.save()
    peer.weekly_windows.all().delete()
    WeeklyWindow.objects.bulk_create(
        WeeklyWindow(peer=peer, weekday=w.weekday, start=w.start, end=w.end) for w in rules.weekly
    )
    peer.date_overrides.all().delete()
    DateOverride.objects.bulk_create(
        DateOverride(
            peer=peer,
            date=o.date,
            windows=[[start.strftime("%H:%M"), end.strftime("%H:%M")] for start, end in o.windows],
        )
        for o in rules.overrides
    )
    peer.leave.all().delete()
    Leave.objects.bulk_create(
        Leave(
            peer=peer,
            first_day=entry["first_day"],
            last_day=entry["last_day"],
            note=entry.get("note", ""),
        )
        for entry in leave
    )
    if busy_calendar_url is not None:
        busy_calendar_connect(peer=peer, url=busy_calendar_url)
    free_time_refresh(peer_ids=[peer.id])
    released = tuple(h for h in held if _covers(before, h) and not _covers(rules, h))
    if released:
        held_time_released.send(sender=Peer, peer=peer, held=released)
    availability_saved.send(sender=Peer, peer=peer)
    return AvailabilityChange(peer=peer, released=released, merged_leave=merged_leave)


def availability_as_input(peer: Peer) -> dict:
    """A peer's availability in the shape `availability_replace` takes (for partial edits)."""
    return {
        # A zone saved under an old name reads as the zone it now means, so it can be saved.
        "time_zone": zone_now_named(peer.time_zone) or peer.time_zone,
        "weekly": [
            {
                "weekday": w.weekday,
                "start": w.start.strftime("%H:%M"),
                "end": w.end.strftime("%H:%M"),
            }
            for w in peer.weekly_windows.all()
        ],
        "overrides": [
            {"date": o.date, "windows": [{"start": a, "end": b} for a, b in o.windows]}
            for o in peer.date_overrides.all()
        ],
        "leave": [
            {"first_day": lv.first_day, "last_day": lv.last_day, "note": lv.note}
            for lv in peer.leave.all()
        ],
        "monthly_session_cap": peer.monthly_session_cap,
        "monthly_hours_cap": peer.monthly_hours_cap,
        "buffer_minutes": peer.buffer_minutes,
        "bank_holidays_block": peer.bank_holidays_block,
        "nation": peer.nation,
    }


def availability_update(*, peer: Peer, **changes) -> AvailabilityChange:
    """Change part of a peer's availability; the whole is validated as one."""
    return availability_replace(peer=peer, **{**availability_as_input(peer), **changes})


# Busy calendars ------------------------------------------------------------------------------

# Uploads and changes of feed allowed per peer per hour (each queues a reading of a calendar);
# settings.BUSY_CALENDAR_CHANGES_PER_HOUR overrides it.
BUSY_CALENDAR_CHANGES_PER_HOUR = 10
_HOUR = 3600


class TooManyCalendarChanges(Refusal):
    """The peer has uploaded or changed their calendar too often this hour (429)."""

    status = 429

    def __init__(self, *, limit: int, retry_after: int):
        super().__init__(
            f"You can upload or change your calendar {limit} times an hour. "
            f"Try again in {max(1, retry_after // 60)} minutes."
        )
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


def busy_calendar_change_count(*, peer: Peer) -> None:
    """Count one upload or change of feed by `peer`; raise TooManyCalendarChanges past the
    hourly limit. Every process shares the count (peers.throttles)."""
    limit = getattr(settings, "BUSY_CALENDAR_CHANGES_PER_HOUR", BUSY_CALENDAR_CHANGES_PER_HOUR)
    now = time_now()
    window = int(now // _HOUR)
    count = throttle_count(f"throttle:busy-calendar:{peer.pk}:{window}", seconds=_HOUR)
    if count > limit:
        raise TooManyCalendarChanges(limit=limit, retry_after=_HOUR - int(now) % _HOUR)


def _lock_peer(peer_id: int) -> None:
    """Writers of what a peer's free time is built from lock the peer first (see free_time)."""
    list(Peer.objects.select_for_update().filter(pk=peer_id).values_list("pk", flat=True))


def _checked_calendar_url(url: str) -> str:
    try:
        return validate_calendar_url(
            url.strip(), allow_loopback=settings.BUSY_CALENDAR_ALLOW_LOOPBACK
        )
    except CalendarFetchError as error:
        raise ValidationError({"busy_calendar_url": str(error)}) from None


def _queue_reading(calendar: BusyCalendar) -> None:
    calendar_id = calendar.id
    transaction.on_commit(lambda: async_task("peers.tasks.refresh_busy_calendar", calendar_id))


def busy_calendar_upload(*, peer: Peer, data: bytes, filename: str = "") -> BusyCalendar:
    """Keep an uploaded .ics and queue its reading; the answer comes at once, as `pending`.

    The cheap checks (size, that it is an iCalendar file, its counts of events and dates) are
    made here; a file that fails them changes nothing. The worker expands it and replaces the
    busy times, or marks it refused and keeps the last good busy times.
    """
    try:
        check_busy_calendar(data)
    except BusyCalendarError as error:
        raise ValidationError({"file": error.message}) from None
    busy_calendar_change_count(peer=peer)
    with transaction.atomic():
        _lock_peer(peer.pk)
        calendar, _ = BusyCalendar.objects.select_for_update().get_or_create(
            peer=peer, defaults={"source": BusyCalendar.Source.UPLOAD}
        )
        calendar.source = BusyCalendar.Source.UPLOAD
        calendar.url = calendar.etag = calendar.last_modified = ""
        calendar.filename = filename[:255]
        calendar.pending_content = bytes(data)
        calendar.state = BusyCalendar.State.PENDING
        calendar.revision += 1
        calendar.last_error = ""
        calendar.save()
        _queue_reading(calendar)
    return calendar


@transaction.atomic
def busy_calendar_connect(*, peer: Peer, url: str) -> BusyCalendar | None:
    """Poll `url` for the peer's busy times from now on ("" disconnects a feed)."""
    _lock_peer(peer.pk)
    calendar = BusyCalendar.objects.select_for_update().filter(peer=peer).first()
    if not url:
        if calendar is not None and calendar.source == BusyCalendar.Source.URL:
            calendar.delete()
            free_time_refresh(peer_ids=[peer.id])
        return None
    url = _checked_calendar_url(url)
    if calendar is not None and calendar.source == BusyCalendar.Source.URL and calendar.url == url:
        return calendar
    busy_calendar_change_count(peer=peer)
    if calendar is None:
        calendar = BusyCalendar(peer=peer)
    # Busy times from an earlier file or feed stay until the new feed's first import succeeds.
    calendar.source = BusyCalendar.Source.URL
    calendar.url = url
    calendar.filename = calendar.etag = calendar.last_modified = ""
    calendar.pending_content = b""
    calendar.checked_at = None
    calendar.state = BusyCalendar.State.PENDING
    calendar.revision += 1
    calendar.last_error = ""
    calendar.save()
    _queue_reading(calendar)
    return calendar


@transaction.atomic
def busy_calendar_disconnect(*, peer: Peer) -> None:
    _lock_peer(peer.pk)
    BusyCalendar.objects.filter(peer=peer).delete()
    free_time_refresh(peer_ids=[peer.id])


def busy_calendar_refresh(*, calendar_id: int) -> BusyCalendar | None:
    """Read a calendar in the worker: a pending upload, a feed (conditional GET), or the last
    good file re-expanded over today's window (recurrences move into it day by day).

    Only the window is expanded, within the engine's budget; overlapping and touching busy
    times are merged before they are stored. A refusal is recorded on the calendar with its
    reason and the last good busy times stay; so does a feed that cannot be fetched for now.
    """
    calendar = BusyCalendar.objects.select_related("peer").filter(pk=calendar_id).first()
    if calendar is None:
        return None
    revision, pending = calendar.revision, bytes(calendar.pending_content)
    content, fetched = pending or bytes(calendar.content), None
    try:
        if not pending and calendar.source == BusyCalendar.Source.URL:
            fetched = fetch_calendar(
                calendar.url,
                etag=calendar.etag or None,
                last_modified=calendar.last_modified or None,
                allow_loopback=settings.BUSY_CALENDAR_ALLOW_LOOPBACK,
            )
            if fetched.status != "not-modified":
                content = fetched.body
        window_start, window_end = import_window(timezone.now())
        events = (
            parse_busy_calendar(
                content,
                time_zone=calendar.peer.time_zone,
                window_start=window_start,
                window_end=window_end,
                max_seconds=getattr(settings, "BUSY_CALENDAR_READ_SECONDS", MAX_SECONDS),
            )
            if content
            else []
        )
    except (CalendarFetchError, BusyCalendarError) as error:
        return _reading_failed(calendar.pk, revision, error, new_input=bool(pending))
    busy = coalesce_busy(events)
    new_input = bool(pending) or (fetched is not None and fetched.status != "not-modified")
    with transaction.atomic():
        _lock_peer(calendar.peer_id)
        calendar = BusyCalendar.objects.select_for_update().filter(pk=calendar.pk).first()
        if calendar is None or calendar.revision != revision:
            return calendar  # disconnected, or a newer upload or feed (its reading is queued)
        calendar.checked_at = timezone.now()
        if fetched is not None and fetched.status != "not-modified":
            calendar.etag = fetched.etag or ""
            calendar.last_modified = fetched.last_modified or ""
        if content or calendar.state == BusyCalendar.State.PENDING:
            calendar.content = content
            calendar.pending_content = b""
            before = sorted(calendar.events.values_list("start", "end"))
            calendar.events.all().delete()
            BusyEvent.objects.bulk_create(
                BusyEvent(
                    calendar=calendar,
                    start=e.start,
                    end=e.end,
                    summary=e.summary[:500],
                    uid=e.uid[:500],
                    all_day=e.all_day,
                )
                for e in busy
            )
            calendar.event_count = len(busy)
            calendar.occurrence_count = len(events)
            calendar.imported_at = timezone.now()
            # The hourly poll re-expands every feed; most bring the same busy times again.
            if sorted((e.start, e.end) for e in busy) != before:
                free_time_refresh(peer_ids=[calendar.peer_id])
        # Re-expanding the last good calendar does not hide why a newer one was refused.
        if new_input or calendar.state != BusyCalendar.State.REFUSED:
            calendar.state = BusyCalendar.State.IMPORTED
            calendar.last_error = ""
        calendar.save()
    return calendar


def _reading_failed(calendar_id: int, revision: int, error: Exception, *, new_input: bool):
    """Record why a calendar could not be read. New input that cannot be read is refused; a
    feed that cannot be fetched just now keeps its state (and busy times) and says why."""
    with transaction.atomic():
        calendar = BusyCalendar.objects.select_for_update().filter(pk=calendar_id).first()
        if calendar is None or calendar.revision != revision:
            return calendar
        calendar.checked_at = timezone.now()
        calendar.last_error = getattr(error, "message", None) or str(error)
        if isinstance(error, BusyCalendarError) or calendar.state == BusyCalendar.State.PENDING:
            calendar.state = BusyCalendar.State.REFUSED
        if new_input:
            calendar.pending_content = b""  # refused: the last good file stays in `content`
        calendar.save()
    return calendar

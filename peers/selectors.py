"""Reads about who people are and what they may see."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from peers.held_time import held_times
from peers.models import Accreditation, ApiToken, BusyCalendar, BusyEvent, Council, Peer
from peers.rules import may_list_peers, may_read_peer, require
from scheduling.engine import availability as engine
from scheduling.engine.intervals import Interval, clip, intersect, subtract
from scheduling.engine.staffing import office_hours_closed_words, office_hours_open
from scheduling.engine.uk_time import LONDON as UK
from scheduling.engine.uk_time import clock_text

STAFF = "staff"
ADVISER = "adviser"
BOOKER = "booker"
PEER = "peer"
COUNCILLOR = "councillor"


@dataclass(frozen=True)
class Caller:
    """What a signed-in user is and acts for: the roles every check is made against."""

    user: AbstractBaseUser | AnonymousUser
    roles: frozenset[str] = frozenset()
    booker_council: Council | None = None
    councillor_council: Council | None = None
    peer: Peer | None = None
    advised_council_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_staff(self) -> bool:
        return STAFF in self.roles


def caller_for(user) -> Caller:
    if user is None or not user.is_authenticated:
        return Caller(user=user or AnonymousUser())
    roles = set()
    if user.is_staff:
        roles.add(STAFF)
    advised = frozenset(Council.objects.filter(principal_adviser=user).values_list("id", flat=True))
    if advised:
        roles.add(ADVISER)
    booker = getattr(user, "booker", None)
    if booker is not None:
        roles.add(BOOKER)
    councillor = getattr(user, "councillor", None)
    if councillor is not None:
        roles.add(COUNCILLOR)
    peer = Peer.objects.filter(user=user, is_active=True).select_related("home_council").first()
    if peer is not None:
        roles.add(PEER)
    return Caller(
        user=user,
        roles=frozenset(roles),
        booker_council=booker.council if booker else None,
        councillor_council=councillor.council if councillor else None,
        peer=peer,
        advised_council_ids=advised,
    )


def councils_for(caller: Caller) -> QuerySet[Council]:
    """The councils a caller may book for and manage: staff any; advisers theirs; a booker their own."""
    if not caller.user.is_authenticated:
        return Council.objects.none()
    if caller.is_staff:
        return Council.objects.order_by("name")
    ids = set(caller.advised_council_ids)
    if caller.booker_council is not None:
        ids.add(caller.booker_council.id)
    return Council.objects.filter(id__in=ids).order_by("name")


def council_list(
    *, search: str = "", region: str = "", council_type: str = ""
) -> QuerySet[Council]:
    councils = Council.objects.select_related("principal_adviser").order_by("name")
    if search:
        councils = councils.filter(Q(name__icontains=search) | Q(slug__icontains=search))
    if region:
        councils = councils.filter(region=region)
    if council_type:
        councils = councils.filter(council_type=council_type)
    return councils


def peer_list(*, caller: Caller, search: str = "", kind: str = "") -> QuerySet[Peer]:
    require(may_list_peers(caller), "Only LGA staff can list peers.")
    peers = Peer.objects.select_related("home_council").prefetch_related("skills")
    if search:
        peers = peers.filter(Q(name__icontains=search) | Q(email__icontains=search))
    if kind:
        peers = peers.filter(kind=kind)
    return peers


def peer_get(*, caller: Caller, peer_id: int) -> Peer:
    """A peer's record: the peer themselves and LGA staff may see it."""
    peer = get_object_or_404(
        Peer.objects.select_related("home_council").prefetch_related("skills"), pk=peer_id
    )
    require(may_read_peer(caller, peer), "You may see only your own peer record.")
    return peer


def api_token_list(*, user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True)


# The pool ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CouncilName:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class PeerRecord:
    """An active `Peer` as plain data, read in bulk without model instances: what the slot
    search, booking and their answers read of a peer (the names match `Peer`'s, so a record
    stands in for one where only these are read). `sessions.pool` builds the engine's
    `PeerProfile` from it."""

    id: int
    name: str
    kind: str
    political_group: str
    profession: str
    home_council: CouncilName
    home_region: str
    skills: frozenset[str]
    declared_interest_council_ids: frozenset[int]
    accredited: bool
    monthly_session_cap: int
    monthly_hours_cap: int
    buffer_minutes: int

    @property
    def home_council_id(self) -> int:
        return self.home_council.id


_records_kept: tuple = (None, ())  # the last rows read and the records built from them


def active_peer_records() -> tuple[PeerRecord, ...]:
    """Every active peer, by id, in three queries of plain rows (no model instances).

    The rows are read every time; the records are built again only when they differ from the
    rows this process read last (the same tuple is returned, so callers may key on it).
    """
    global _records_kept
    rows = list(
        Peer.objects.filter(is_active=True)
        .order_by("id")
        .values_list(
            "id",
            "name",
            "kind",
            "political_group",
            "profession",
            "home_council_id",
            "home_council__name",
            "home_council__region",
            "accreditation",
            "monthly_session_cap",
            "monthly_hours_cap",
            "buffer_minutes",
        )
    )
    skill_rows = list(
        Peer.skills.through.objects.filter(peer__is_active=True)
        .order_by("peer_id", "skill_id")
        .values_list("peer_id", "skill__slug")
    )
    interest_rows = list(
        Peer.declared_interests.through.objects.filter(peer__is_active=True)
        .order_by("peer_id", "council_id")
        .values_list("peer_id", "council_id")
    )
    read = (rows, skill_rows, interest_rows)
    kept_read, kept = _records_kept
    if read == kept_read:
        return kept
    skills, interests = defaultdict(set), defaultdict(set)
    for peer_id, slug in skill_rows:
        skills[peer_id].add(slug)
    for peer_id, council_id in interest_rows:
        interests[peer_id].add(council_id)
    records = tuple(
        PeerRecord(
            id=peer_id,
            name=name,
            kind=kind,
            political_group=political_group,
            profession=profession,
            home_council=CouncilName(council_id, council_name),
            home_region=region,
            skills=frozenset(skills[peer_id]),
            declared_interest_council_ids=frozenset(interests[peer_id]),
            accredited=accreditation == Accreditation.ACCREDITED,
            monthly_session_cap=session_cap,
            monthly_hours_cap=hours_cap,
            buffer_minutes=buffer_minutes,
        )
        for (
            peer_id,
            name,
            kind,
            political_group,
            profession,
            council_id,
            council_name,
            region,
            accreditation,
            session_cap,
            hours_cap,
            buffer_minutes,
        ) in rows
    )
    _records_kept = (read, records)
    return records


# Availability --------------------------------------------------------------------------------

MAX_FREEBUSY_RANGE = timedelta(weeks=26)


def availability_rules(peer: Peer) -> engine.AvailabilityRules:
    """The engine's view of a peer's stored rules."""
    return engine.AvailabilityRules(
        time_zone=peer.time_zone,
        weekly=tuple(
            engine.WeeklyWindow(weekday=w.weekday, start=w.start, end=w.end)
            for w in peer.weekly_windows.all()
        ),
        overrides=tuple(
            engine.DateOverride(
                date=o.date,
                windows=tuple((time.fromisoformat(a), time.fromisoformat(b)) for a, b in o.windows),
            )
            for o in peer.date_overrides.all()
        ),
        leave=tuple(
            engine.Leave(first_day=lv.first_day, last_day=lv.last_day, label=lv.note or "Leave")
            for lv in peer.leave.all()
        ),
        nation=peer.nation,
        bank_holidays_block=peer.bank_holidays_block,
        buffer_minutes=peer.buffer_minutes,
    )


def busy_blocks(peer: Peer, start: datetime, end: datetime) -> list[engine.BusyBlock]:
    """What already occupies the peer between start and end: imported events and held time."""
    blocks = [
        engine.BusyBlock(
            start=e.start, end=e.end, reason="busy-calendar", label=e.summary or "Busy"
        )
        for e in BusyEvent.objects.filter(
            calendar__peer=peer, start__lt=end, end__gt=start
        ).order_by("start")
    ]
    # Seats and other commitments: whatever app holds them registered itself (peers.held_time).
    blocks.extend(held.busy_block() for held in held_times(peer_id=peer.id, start=start, end=end))
    return blocks


def check_range(start: datetime, end: datetime, *, longest: timedelta = MAX_FREEBUSY_RANGE) -> None:
    if start.tzinfo is None or end.tzinfo is None:
        raise ValidationError(
            {"start": "Give times with a UTC offset, e.g. 2026-12-01T09:00:00+00:00."}
        )
    if end <= start:
        raise ValidationError({"end": "The end must be after the start."})
    if end - start > longest:
        raise ValidationError({"end": f"Ask for at most {longest.days // 7} weeks at a time."})


def peer_availability(
    peer: Peer, start: datetime, end: datetime, *, busy: list[engine.BusyBlock] | None = None
) -> engine.Availability:
    """The peer's free time and what blocks the rest; `busy`: their busy blocks, if read."""
    check_range(start, end)
    busy = busy_blocks(peer, start, end) if busy is None else busy
    return engine.expand(availability_rules(peer), start, end, busy=busy)


def busy_calendar_for(peer: Peer) -> BusyCalendar | None:
    return BusyCalendar.objects.filter(peer=peer).first()


BLOCK_WORDS = {
    "bank-holiday": "Bank holiday",
    "leave": "Leave",
    "unavailable-date": "Not available that date",
    "busy-calendar": "Your calendar",
    "seat": "Session",
}


@dataclass(frozen=True)
class PreviewDay:
    date: date
    # What councils can book, e.g. "09:00–12:30 (14:00–17:30 UK time)": the peer's own time,
    # and UK time beside it where it differs.
    free: list[str]
    # What blocks the rest: "Bank holiday: Christmas Day", "Session: ... 10:00–13:00", "Buffer
    # around a session (30 minutes): 09:30–10:00, 13:00–13:30", "Outside the hours sessions run
    # (09:00–17:30 UK time): 17:00–19:00".
    blocked: list[str]


def availability_preview(
    peer: Peer, *, days: int = 28, today: date | None = None
) -> list[PreviewDay]:
    """The next `days` days as councils will be offered them, in the peer's own time zone (and
    UK time beside it where it differs): the peer's free time within the hours sessions run
    (`staffing.office_hours_open`, the hours the slot search offers), then what blocks the rest,
    a session they sit on told apart from the buffer kept around it."""
    zone = ZoneInfo(peer.time_zone)
    today = today or datetime.now(zone).date()
    start = datetime.combine(today, time(0), zone).astimezone(UTC)
    end = datetime.combine(today + timedelta(days=days), time(0), zone).astimezone(UTC)
    busy = busy_blocks(peer, start, end)
    availability = peer_availability(peer, start, end, busy=busy)
    bookable = intersect(availability.free, office_hours_open(start, end))
    rows = {today + timedelta(days=n): ([], []) for n in range(days)}

    def local(moment: datetime) -> datetime:
        return moment.astimezone(zone)

    def clock(moment: datetime, in_zone: ZoneInfo, since: datetime) -> str:
        there = moment.astimezone(in_zone)
        if there.time() == time(0) and there.date() > since.astimezone(in_zone).date():
            return "24:00"
        return clock_text(moment, in_zone)

    def span(a: datetime, b: datetime) -> str:
        own = f"{clock(a, zone, a)}–{clock(b, zone, a)}"
        if all(local(m).utcoffset() == m.astimezone(UK).utcoffset() for m in (a, b)):
            return own
        uk_day = a.astimezone(UK).date()
        on = "" if uk_day == local(a).date() else f"{uk_day:%a} "
        return f"{own} ({on}{clock(a, UK, a)}–{clock(b, UK, a)} UK time)"

    def add(day: date, column: int, text: str, at: datetime) -> None:
        if day in rows:
            rows[day][column].append((at, text))

    for interval in bookable:
        add(local(interval.start).date(), 0, span(interval.start, interval.end), interval.start)
    for block in availability.blocks:
        if block.reason == engine.SEAT:
            continue  # said below: the session, then the buffer around it
        words = BLOCK_WORDS.get(block.reason, block.reason)
        text = words if block.label in {"", words} else f"{words}: {block.label}"
        start_local, end_local = local(block.interval.start), local(block.interval.end)
        whole_days = start_local.time() == time(0) and end_local.time() == time(0)
        if not whole_days:
            text = f"{text} {span(block.interval.start, block.interval.end)}"
        day, last_day = start_local.date(), (end_local - timedelta(microseconds=1)).date()
        while day <= last_day:
            add(day, 1, text, block.interval.start)
            day += timedelta(days=1)
    buffer = timedelta(minutes=peer.buffer_minutes)
    for block in busy:
        if block.reason != engine.SEAT:
            continue
        session = Interval(block.start, block.end)
        label = f"{BLOCK_WORDS[engine.SEAT]}: {block.label}"
        for piece in clip([session], start, end):
            add(
                local(piece.start).date(), 1, f"{label} {span(piece.start, piece.end)}", piece.start
            )
        around = clip(subtract([engine.busy_interval(block, buffer)], [session]), start, end)
        if around:
            minutes = peer.buffer_minutes
            add(
                local(around[0].start).date(),
                1,
                f"Buffer around a session ({minutes} minutes): "
                + ", ".join(span(piece.start, piece.end) for piece in around),
                block.start,
            )
    for piece in subtract(availability.free, bookable):
        add(
            local(piece.start).date(),
            1,
            f"{office_hours_closed_words(piece.start)}: {span(piece.start, piece.end)}",
            piece.start,
        )
    return [
        PreviewDay(
            date=day,
            free=[text for _, text in sorted(free, key=lambda row: row[0])],
            blocked=[text for _, text in sorted(blocked, key=lambda row: row[0])],
        )
        for day, (free, blocked) in rows.items()
    ]

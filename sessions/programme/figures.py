"""Reads for running the programme: the figures of the dashboard (its CSV export is `export`).

Everything is counted over a period of UK dates (first and last day included) and over the
councils the caller may see: LGA staff all of them, a Principal Adviser their own. One rule
places a thing in the period: the start of its session (for a booking, its first session).

- Sessions with unfilled seats: booked sessions still going ahead with fewer peers seated
  than their role slots need.
- Seats unanswered: invited, and still not answered more than `UNANSWERED_AFTER` after the
  peer was invited (from the history).
- Invites not delivered: seats whose latest invite came back as undeliverable (a bounce).
- Declines: each seat a peer declined, when (from the history), and who took the place after
  it (the next seat row for the same place), or that nobody could.
- The load across the pool: the sessions each eligible peer (active and accredited) sits on,
  as a histogram, the share of eligible peers used at least once, the peers most loaded
  against their monthly caps (their busiest UK month), and the Gini coefficient of the load
  (0: everyone sits equally often; near 1: a few peers do it all). The member and officer
  peers are one pool and the LGA facilitators another, each with these figures of its own.
- Take-up: live bookings by offer, by region and by council type (cancelled ones beside).
- Webinars: places taken, waiting lists and places taken against capacity; attendance (from
  the platforms' reports) against places by webinar and by topic. Webinars are the
  LGA's own events, so their figures are the same whoever looks; only LGA staff see the names
  of registrants from every council in the export.
- Attendance: over the sessions that have started, by offer and UK month, the people who
  attended, were covered by a stand-in, were absent (the no-shows) or are not recorded yet;
  for LGA staff, each peer's no-shows (`sessions.attendance.selectors`).
- Learning: the share of panels whose learning was captured within 10 days, and the themes
  most often raised this quarter (sessions/learning/figures.py).
- After the panel: feedback notes final and drafts past their due date, the actions on track,
  overdue and done, and the survey by offer, no figure from fewer than 5 answers
  (sessions/feedback/figures.py).
- Requests waiting for approval in the caller's councils, oldest first, with their age (all of
  them, whatever the period: a request waits now).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from peers.free_time import STEP_MINUTES, free_time_matrix
from peers.models import Accreditation, CouncilType, Peer, PeerKind, Region
from peers.selectors import Caller
from scheduling.engine.grid import TimeGrid
from scheduling.engine.uk_time import LONDON, month_of, outside_service_years
from sessions import rules
from sessions.attendance.selectors import attendance_figures as session_attendance_figures
from sessions.feedback.figures import feedback_figures
from sessions.learning.figures import learning_figures
from sessions.models import (
    HOLDING_SEAT_STATUSES,
    Booking,
    BookingStatus,
    Delivery,
    Offer,
    Seat,
    SeatStatus,
    Session,
    SessionStatus,
)
from sessions.selectors.history import history_who
from sessions.selectors.mailbox import undelivered_seats
from sessions.webinars.models import RegistrationStatus
from sessions.webinars.selectors.attendance import (
    attendance_figures as webinar_attendance_figures,
)
from sessions.webinars.selectors.webinars import capacity_of, webinar_sessions

UNANSWERED_AFTER = timedelta(days=3)
LONGEST_PERIOD = timedelta(days=366)
HISTOGRAM_TOP = 5  # the last bar is "5 or more sessions"
MOST_LOADED = 10


# Who sees what, and when -------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The councils a caller's figures cover: None for every council."""

    council_ids: frozenset[int] | None

    @property
    def everything(self) -> bool:
        return self.council_ids is None

    def councils(self, lookup: str = "council") -> Q:
        return Q() if self.council_ids is None else Q(**{f"{lookup}__in": self.council_ids})


def programme_scope(caller: Caller) -> Scope:
    rules.require(
        rules.may_read_programme(caller),
        "The programme's figures are for LGA staff and Principal Advisers (for their councils).",
    )
    if caller.is_staff:
        return Scope(council_ids=None)
    return Scope(council_ids=frozenset(caller.advised_council_ids))


@dataclass(frozen=True)
class Period:
    first_day: date
    last_day: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, time(0), LONDON).astimezone(UTC)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last_day + timedelta(days=1), time(0), LONDON).astimezone(UTC)


def programme_period(*, first_day: date | None, last_day: date | None, today: date) -> Period:
    """The period asked for; by default this month and the two after it. The one check of a
    period, for the page and the API alike: in the years the service plans for, ending on or
    after its start, at most a year long (else a ValidationError naming `start` or `end`)."""
    if first_day is None:
        first_day = today.replace(day=1)
    if last_day is None:
        month = first_day.replace(day=1)
        for _ in range(3):
            month = (month + timedelta(days=32)).replace(day=1)
        last_day = month - timedelta(days=1)
    for name, day in (("start", first_day), ("end", last_day)):
        if problem := outside_service_years(day):
            raise ValidationError({name: problem})
    if last_day < first_day:
        raise ValidationError({"end": "The end date must be on or after the start date."})
    if last_day - first_day >= LONGEST_PERIOD:
        raise ValidationError({"end": "Ask for at most a year at a time."})
    return Period(first_day=first_day, last_day=last_day)


# The rows counted -----------------------------------------------------------------------------


def _booked_sessions(scope: Scope, period: Period) -> QuerySet[Session]:
    return Session.objects.filter(
        scope.councils("booking__council"),
        booking__isnull=False,
        start__gte=period.start,
        start__lt=period.end,
    ).select_related("offer", "booking__council")


def _live(sessions: QuerySet[Session]) -> QuerySet[Session]:
    return sessions.filter(status=SessionStatus.SCHEDULED).exclude(
        booking__status=BookingStatus.CANCELLED
    )


def bookings_in(scope: Scope, period: Period) -> QuerySet[Booking]:
    """Bookings whose first session starts in the period."""
    return (
        Booking.objects.filter(scope.councils())
        .annotate(first_start=Min("sessions__start"))
        .filter(first_start__gte=period.start, first_start__lt=period.end)
        .select_related("offer", "council", "booked_by")
    )


def _session_brief(session: Session) -> dict:
    return {
        "session": session.id,
        "booking": session.booking_id,
        "number": session.number,
        "offer": session.offer.title,
        "council": session.booking.council.name,
        "start": session.start,
    }


# Sessions, seats and declines ------------------------------------------------------------------


def _role_counts(offers) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = {}
    for offer in offers:
        counts[offer.id] = {slot.name: slot.count for slot in offer.role_slots.all()}
    return counts


def unfilled_sessions(sessions: list[Session], seats: list[Seat]) -> list[dict]:
    """Live sessions with fewer peers seated than their role slots need, earliest first."""
    roles = _role_counts(
        Offer.objects.filter(id__in={s.offer_id for s in sessions}).prefetch_related("role_slots")
    )
    seated: dict[int, Counter] = defaultdict(Counter)
    reasons: dict[int, list[str]] = defaultdict(list)
    for seat in seats:
        if seat.status not in HOLDING_SEAT_STATUSES:
            continue
        if seat.peer_id is not None:
            seated[seat.session_id][seat.role_name] += 1
        elif seat.unfilled_reason:
            reasons[seat.session_id].append(f"{seat.role_name}: {seat.unfilled_reason}")
    rows = []
    for session in sessions:
        needed = roles.get(session.offer_id, {})
        missing = {
            role: count - seated[session.id][role]
            for role, count in needed.items()
            if count > seated[session.id][role]
        }
        if not missing:
            continue
        rows.append(
            {
                **_session_brief(session),
                "seats": sum(needed.values()),
                "unfilled": sum(missing.values()),
                "roles": [role if n == 1 else f"{role} ×{n}" for role, n in missing.items()],
                "reasons": reasons[session.id],
            }
        )
    return rows


def _status_since(seat_ids, status: str) -> dict[int, object]:
    """For each seat, the history record where its current run of `status` began."""
    since: dict[int, object] = {}
    previous: dict[int, str] = {}
    records = Seat.history.filter(id__in=seat_ids).select_related("history_user")
    for record in records.order_by("history_date", "history_id"):
        if record.status == status and previous.get(record.id) != status:
            since[record.id] = record
        elif record.status != status:
            since.pop(record.id, None)
        previous[record.id] = record.status
    return since


def unanswered_seats(seats: list[Seat], sessions: dict[int, Session], now: datetime) -> list:
    """Seats invited more than UNANSWERED_AFTER ago and not yet answered, longest waiting first."""
    invited = [s for s in seats if s.status == SeatStatus.INVITED and s.peer_id is not None]
    since = _status_since([s.id for s in invited], SeatStatus.INVITED)
    rows = []
    for seat in invited:
        record = since.get(seat.id)
        invited_at = record.history_date if record is not None else seat.updated_at
        if now - invited_at <= UNANSWERED_AFTER:
            continue
        rows.append(
            {
                **_session_brief(sessions[seat.session_id]),
                "seat": seat.id,
                "role": seat.role_name,
                "peer": seat.peer.name,
                "invited_at": invited_at,
                "days_waiting": (now - invited_at).days,
            }
        )
    return sorted(rows, key=lambda row: row["invited_at"])


def declines(seats: list[Seat], sessions: dict[int, Session]) -> list[dict]:
    """Each declined seat, when and through whom, and who took the place next."""
    declined = [s for s in seats if s.status == SeatStatus.DECLINED and s.peer_id is not None]
    since = _status_since([s.id for s in declined], SeatStatus.DECLINED)
    by_place: dict[tuple, list[Seat]] = defaultdict(list)
    for seat in sorted(seats, key=lambda s: s.id):
        by_place[(seat.session_id, seat.role_name, seat.position)].append(seat)
    rows = []
    for seat in declined:
        place = by_place[(seat.session_id, seat.role_name, seat.position)]
        after = next((s for s in place if s.id > seat.id), None)
        record = since.get(seat.id)
        rows.append(
            {
                **_session_brief(sessions[seat.session_id]),
                "seat": seat.id,
                "role": seat.role_name,
                "declined_by": seat.peer.name,
                "declined_at": record.history_date if record is not None else seat.updated_at,
                "recorded_as": history_who(record) if record is not None else "",
                "replaced_by": after.peer.name if after is not None and after.peer else None,
                "replacement_status": (
                    after.get_status_display()
                    if after is not None and after.peer
                    else ("Unfilled" if after is not None else "Not replaced")
                ),
            }
        )
    return sorted(rows, key=lambda row: row["declined_at"])


# The pool -----------------------------------------------------------------------------------


def gini(values) -> float:
    """The Gini coefficient of non-negative values: 0 when all are equal, near 1 when one
    value holds everything. 0 for no values or all zeros."""
    ordered = sorted(values)
    n, total = len(ordered), sum(ordered)
    if n == 0 or total == 0:
        return 0.0
    weighted = sum((i + 1) * value for i, value in enumerate(ordered))
    return 2 * weighted / (n * total) - (n + 1) / n


def had_free_time(peer_ids: list[int], period: Period) -> set[int]:
    """The peers free at some time in the period by what they own (hours, dates, leave,
    their calendar; seats aside), read from the free time kept as data."""
    if not peer_ids:
        return set()
    grid = TimeGrid(period.start, (period.end - period.start) // timedelta(minutes=STEP_MINUTES))
    free = free_time_matrix(peer_ids=peer_ids, grid=grid).any(axis=1)
    return {peer_id for peer_id, any_free in zip(peer_ids, free, strict=True) if any_free}


# Whose work is shared, each group apart: the member and officer peers, and the LGA
# facilitators, who sit only in the lead's seat (one a panel). Counted as one pool, a panel's
# lead would weigh in the peers' spread, and the few facilitators' even share of many panels
# would read as a few people doing most of the work.
POOLS = {"peers": ("peer", "peers"), "facilitators": ("facilitator", "facilitators")}


def spread_groups(one: str, many: str) -> tuple[tuple[str, str, str], ...]:
    """The three groups the spread of a pool's work is measured over, each with what its Gini
    means, said of `one` person of the pool and `many`."""
    return (
        (
            "eligible",
            f"Every eligible {one}",
            f"every active, accredited {one}, whether or not they had time free; in a quiet "
            f"period this is high because there were few sessions to share, not because a few "
            f"{many} were overloaded",
        ),
        (
            "free",
            f"{many.capitalize()} who had time free",
            f"the eligible {many} who had time free in the period (or sat on a session in it): "
            f"how evenly the sessions went to the {many} who could have taken them",
        ),
        (
            "used",
            f"{many.capitalize()} seated at least once",
            f"only the {many} who sat on at least one session: whether the work fell on a few "
            "of those who did any",
        ),
    )


def pool_load(sessions: list[Session], seats: list[Seat], period: Period) -> dict:
    """The sessions each eligible member and officer peer sits on, and how evenly: the
    histogram, the share used, the most loaded against their caps, and the Gini coefficient
    over three groups (every eligible peer, those who had time free, those seated at least
    once), each in words; under `facilitators` the same figures for the LGA facilitators."""
    live = {s.id: s for s in sessions}
    per_peer: dict[int, set[int]] = defaultdict(set)
    per_month: dict[int, Counter] = defaultdict(Counter)
    for seat in seats:
        if seat.peer_id is None or seat.status not in HOLDING_SEAT_STATUSES:
            continue
        session = live.get(seat.session_id)
        if session is None or session.id in per_peer[seat.peer_id]:
            continue
        per_peer[seat.peer_id].add(session.id)
        per_month[seat.peer_id][month_of(session.start)] += 1
    eligible = list(
        Peer.objects.filter(is_active=True, accreditation=Accreditation.ACCREDITED)
        .only("id", "name", "kind", "monthly_session_cap")
        .order_by("id")
    )
    free = had_free_time([peer.id for peer in eligible], period)
    kept = {
        "peers": [peer for peer in eligible if peer.kind != PeerKind.FACILITATOR],
        "facilitators": [peer for peer in eligible if peer.kind == PeerKind.FACILITATOR],
    }
    figures = {
        pool: _pool_figures(kept[pool], per_peer, per_month, free, spread_groups(*words))
        for pool, words in POOLS.items()
    }
    return {**figures["peers"], "facilitators": figures["facilitators"]}


def _pool_figures(eligible: list[Peer], per_peer, per_month, free: set[int], groups_of) -> dict:
    """One pool's load: how many sessions each of its eligible people sits on, and how evenly."""
    load_of = {peer.id: len(per_peer.get(peer.id, ())) for peer in eligible}
    loads = list(load_of.values())
    groups = {
        "eligible": loads,
        "free": [load for peer_id, load in load_of.items() if load or peer_id in free],
        "used": [load for load in loads if load],
    }
    histogram = Counter(min(load, HISTOGRAM_TOP) for load in loads)
    histogram_free = Counter(min(load, HISTOGRAM_TOP) for load in groups["free"])
    used = len(groups["used"])
    loaded = []
    for peer in eligible:
        months = per_month.get(peer.id)
        if not months:
            continue
        (year, month), busiest = max(months.items(), key=lambda item: (item[1], item[0]))
        cap = peer.monthly_session_cap
        loaded.append(
            {
                "peer": peer.id,
                "name": peer.name,
                "sessions": len(per_peer[peer.id]),
                "busiest_month": f"{year:04d}-{month:02d}",
                "busiest_month_sessions": busiest,
                "monthly_cap": cap,
                "share_of_cap": round(busiest / cap, 3) if cap else None,
            }
        )
    loaded.sort(key=lambda row: (-(row["share_of_cap"] or 0), -row["sessions"], row["name"]))
    return {
        "eligible_peers": len(eligible),
        "peers_free": len(groups["free"]),
        "peers_used": used,
        "share_used": round(used / len(eligible), 3) if eligible else 0.0,
        "gini": round(gini(loads), 3),
        "spread": [
            {
                "over": key,
                "label": label,
                "peers": len(groups[key]),
                "gini": round(gini(groups[key]), 3),
                "meaning": meaning,
            }
            for key, label, meaning in groups_of
        ],
        "histogram": [
            {
                "sessions": f"{n} or more" if n == HISTOGRAM_TOP else str(n),
                "peers": histogram.get(n, 0),
                "peers_free": histogram_free.get(n, 0),
            }
            for n in range(HISTOGRAM_TOP + 1)
        ],
        "most_loaded": loaded[:MOST_LOADED],
    }


# Take-up and webinars ------------------------------------------------------------------------


def take_up(bookings: list[Booking]) -> dict:
    def count(key, choices) -> list[dict]:
        live, cancelled = Counter(), Counter()
        for booking in bookings:
            (cancelled if booking.status == BookingStatus.CANCELLED else live)[key(booking)] += 1
        return [
            {"key": value, "label": label, "bookings": live[value], "cancelled": cancelled[value]}
            for value, label in choices
        ]

    offers = Offer.objects.exclude(delivery=Delivery.WEBINAR).order_by("order", "title")
    return {
        "by_offer": count(lambda b: b.offer.slug, [(o.slug, o.title) for o in offers]),
        "by_region": count(lambda b: b.council.region, Region.choices),
        "by_council_type": count(lambda b: b.council.council_type, CouncilType.choices),
    }


def webinar_figures(period: Period) -> dict:
    sessions = (
        webinar_sessions()
        .filter(start__gte=period.start, start__lt=period.end, status=SessionStatus.SCHEDULED)
        .select_related("offer")
        .annotate(
            registered=_count_registrations(RegistrationStatus.REGISTERED),
            waiting=_count_registrations(RegistrationStatus.WAITING),
        )
        .order_by("start", "id")
    )
    rows = []
    for session in sessions:
        capacity = capacity_of(session)
        rows.append(
            {
                "session": session.id,
                "title": session.title or session.offer.title,
                "start": session.start,
                "capacity": capacity,
                "registered": session.registered,
                "waiting": session.waiting,
                "fill": round(session.registered / capacity, 3) if capacity else None,
            }
        )
    capacity = sum(row["capacity"] for row in rows)
    registered = sum(row["registered"] for row in rows)
    return {
        "sessions": rows,
        "capacity": capacity,
        "registered": registered,
        "waiting": sum(row["waiting"] for row in rows),
        "fill": round(registered / capacity, 3) if capacity else None,
    }


def attendance_in(scope: Scope, period: Period, now: datetime) -> dict:
    """Attendance over the period's sessions going ahead (the dashboard's and the export's);
    each peer's no-shows for LGA staff only."""
    live = list(_live(_booked_sessions(scope, period)))
    return session_attendance_figures(live, now=now, with_peers=scope.everything)


def _count_registrations(status: str):
    return Count("registrations", filter=Q(registrations__status=status))


# The summary -------------------------------------------------------------------------------------


def requests_waiting(scope: Scope, now: datetime) -> list[dict]:
    """Requests waiting for approval, oldest first, with how long each has waited."""
    rows = []
    for booking in (
        Booking.objects.filter(scope.councils(), status=BookingStatus.REQUESTED)
        .select_related("offer", "council")
        .order_by("created_at", "id")
    ):
        days = (now - booking.created_at).days
        rows.append(
            {
                "id": booking.pk,
                "booking": f"{booking.offer.title} for {booking.council.name}",
                "council": booking.council.name,
                "offer": booking.offer.title,
                "asked": booking.created_at,
                "expires": booking.request_expires_at,
                "age_days": days,
                "age": "less than a day" if days < 1 else f"{days} day{'s' if days != 1 else ''}",
            }
        )
    return rows


def programme_summary(*, caller: Caller, period: Period, now: datetime | None = None) -> dict:
    """The dashboard's figures for the caller's councils over the period."""
    scope = programme_scope(caller)
    now = now or timezone.now()
    in_period = list(_booked_sessions(scope, period).order_by("start", "id"))
    by_id = {s.id: s for s in in_period}
    live_ids = set(_live(_booked_sessions(scope, period)).values_list("id", flat=True))
    live = [s for s in in_period if s.id in live_ids]
    seats = list(
        Seat.objects.filter(session__in=[s.id for s in in_period])
        .select_related("peer")
        .order_by("id")
    )
    live_seats = [s for s in seats if s.session_id in live_ids]
    bookings = list(bookings_in(scope, period))
    return {
        "period": {"start": period.first_day, "end": period.last_day},
        "councils": "all" if scope.everything else len(scope.council_ids),
        "sessions": len(live),
        "requests_waiting": requests_waiting(scope, now),
        "unfilled_sessions": unfilled_sessions(live, live_seats),
        "unanswered_seats": unanswered_seats(live_seats, by_id, now),
        "undelivered_invites": undelivered_seats(
            [s for s in live_seats if s.status in HOLDING_SEAT_STATUSES],
            lambda seat: _session_brief(by_id[seat.session_id]),
        ),
        "declines": declines(seats, by_id),
        "load": pool_load(live, live_seats, period),
        "take_up": take_up(bookings),
        "webinars": webinar_figures(period),
        "attendance": attendance_in(scope, period, now),
        "webinar_attendance": webinar_attendance_figures(start=period.start, end=period.end),
        "learning": learning_figures(
            council_ids=scope.council_ids, start=period.start, end=period.end, now=now
        ),
        "feedback": feedback_figures(
            council_ids=scope.council_ids, start=period.start, end=period.end, now=now
        ),
    }

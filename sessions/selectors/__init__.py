"""Reads about the catalogue, bookings, sessions and seats."""

from datetime import datetime

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse

from peers.held_time import HeldTime
from peers.models import Peer, Skill
from peers.selectors import Caller, councils_for
from scheduling.engine.matching import EXPERIENCE_LIMIT, SKILL_POINTS
from scheduling.engine.staffing import StaffableStart
from scheduling.engine.uk_time import moment_text
from sessions import rules
from sessions.models import (
    HOLDING_SEAT_STATUSES,
    Booking,
    BookingStatus,
    Offer,
    RoleSlot,
    Seat,
    SeatStatus,
    Session,
    SessionStatus,
)
from sessions.panels import PeerPool
from sessions.references import reference_as_written
from sessions.seat_words import seat_in_words, speaks_to_council


def offers_with_slots() -> QuerySet[Offer]:
    return Offer.objects.prefetch_related(
        Prefetch("role_slots", queryset=RoleSlot.objects.select_related("skill"))
    )


def offer_list(
    *, programme: str = "", status: str = "", delivery: str = "", topic: str = ""
) -> list[Offer]:
    """The catalogue, filtered; `status` is the status today (Offer.state: its date decides)."""
    offers = offers_with_slots()
    if programme:
        offers = offers.filter(programme=programme)
    if delivery:
        offers = offers.filter(delivery=delivery)
    if topic:
        offers = offers.filter(topic=topic)
    return [offer for offer in offers if not status or offer.current_status == status]


def offer_get(*, slug: str) -> Offer:
    return get_object_or_404(offers_with_slots(), slug=slug)


def seat_held_times(*, peer_id: int, start: datetime, end: datetime) -> list[HeldTime]:
    """The seats a peer holds on scheduled sessions between start and end, as held time (the
    engine adds the peer's buffer). Registered with peers.held_time when the app starts."""
    seats = (
        Seat.objects.filter(
            peer_id=peer_id,
            status__in=HOLDING_SEAT_STATUSES,
            session__status=SessionStatus.SCHEDULED,
            session__start__lt=end,
            session__end__gt=start,
        )
        .select_related("session__offer", "session__booking__council")
        .order_by("session__start", "id")
    )
    return [
        HeldTime(
            key=seat.pk,
            start=seat.session.start,
            end=seat.session.end,
            label=f"{seat.session.offer.title}"
            + (f" for {seat.session.booking.council.name}" if seat.session.booking else ""),
        )
        for seat in seats
    ]


# Addresses ---------------------------------------------------------------------------------------


def absolute_url(path: str = "") -> str:
    """This site's public address for `path`, as e-mails and feeds give it (SITE_URL has no
    trailing slash)."""
    return settings.SITE_URL + path


def private_feed_path(token: str) -> str:
    return reverse("feed-private", kwargs={"token": token})


# Bookings ------------------------------------------------------------------------------------


def _bookings() -> QuerySet[Booking]:
    return Booking.objects.select_related("offer", "council").prefetch_related(
        "offer__role_slots",
        Prefetch(
            "sessions",
            queryset=Session.objects.prefetch_related(
                Prefetch(
                    "seats",
                    queryset=Seat.objects.select_related("peer__home_council").order_by("id"),
                )
            ),
        ),
    )


def booking_list(*, caller: Caller, reference: str = "", q: str = "") -> QuerySet[Booking]:
    """The bookings a caller may see: staff all; advisers their councils'; bookers their council's.

    `reference`: the one booking with that reference, written as a person may type or say it
    ('rrp 26 7'); `q`: bookings whose reference, council or offer contains the words."""
    bookings = _bookings()
    if not caller.is_staff:
        bookings = bookings.filter(council__in=councils_for(caller))
    if reference.strip():
        bookings = bookings.filter(
            reference=reference_as_written(reference) or reference.strip().upper()
        )
    if q.strip():
        bookings = bookings.filter(booking_search(q))
    return bookings


def booking_search(text: str) -> Q:
    """Bookings a search for `text` finds: by reference (whole, as quoted, or a part of it), or
    every word in the council's name or the offer's title."""
    text = text.strip()
    found = Q(reference__icontains=text)
    quoted = reference_as_written(text)
    if quoted:
        found |= Q(reference=quoted)
    words = Q()
    for word in text.split():
        words &= Q(council__name__icontains=word) | Q(offer__title__icontains=word)
    return found | words


def requests_waiting(*, caller: Caller) -> QuerySet[Booking]:
    """Requests waiting for approval that the caller decides, oldest first: staff all;
    advisers their councils'; nobody else any."""
    bookings = _bookings().filter(status=BookingStatus.REQUESTED).order_by("created_at", "id")
    if caller.is_staff:
        return bookings
    return bookings.filter(council_id__in=caller.advised_council_ids)


def booking_get(*, caller: Caller, booking_id: int) -> Booking:
    booking = get_object_or_404(_bookings(), pk=booking_id)
    rules.require(rules.may_read_booking(caller, booking), "You cannot see this booking.")
    return booking


def peer_brief(peer: Peer) -> dict:
    return {
        "id": peer.id,
        "name": peer.name,
        "kind": peer.kind,
        "political_group": peer.political_group,
        "profession": peer.profession,
        "home_council": peer.home_council.name,
    }


def booking_out(booking: Booking, *, caller: Caller) -> dict:
    """A booking as the API shows it. Each seat says in plain words why its peer suits it
    (`why_words`); the scores behind that (`why`, `runner_up`) are for staff only."""
    staff = caller.is_staff
    return {
        "id": booking.id,
        "reference": booking.reference,
        "offer": booking.offer.slug,
        "offer_title": booking.offer.title,
        "council": booking.council_id,
        "council_name": booking.council.name,
        "status": booking.status,
        "state": booking_state(booking),
        "notes": booking.notes,
        "cancel_reason": booking.cancel_reason,
        "request_expires_at": booking.request_expires_at,
        "decided_at": booking.decided_at,
        "decided_by": booking.decided_by,
        "decision_reason": booking.decision_reason,
        "created_at": booking.created_at,
        "sessions": [
            {
                "id": session.id,
                "number": session.number,
                "start": session.start,
                "end": session.end,
                "status": session.status,
                "uid": session.uid,
                "sequence": session.sequence,
                "joining_url": session.joining_url,
                "seats": [
                    {
                        "id": seat.id,
                        "role": seat.role_name,
                        "position": seat.position,
                        "status": seat.status,
                        "peer": peer_brief(seat.peer) if seat.peer else None,
                        "why": (seat.fit if staff else {})
                        or ({"unfilled": seat.unfilled_reason} if seat.unfilled_reason else {}),
                        "why_words": seat_in_words(
                            peer=peer_brief(seat.peer),
                            council_leader_group=booking.council.leader_group,
                            council_type=booking.council.council_type,
                            fit=seat.fit,
                            to_the_council=speaks_to_council(caller, booking.council),
                        )
                        if seat.peer
                        else "",
                        "runner_up": seat.runner_up if staff else {},
                    }
                    for seat in session.seats.all()
                ],
            }
            for session in booking.sessions.all()
        ],
    }


def booking_state(booking: Booking) -> str:
    """Where a booking stands, from its seats: the one wording the API, pages and e-mails use.

    Counting every place (a role slot's seat) of its sessions still scheduled: "Cancelled";
    "Needs attention" while a place has been left unfilled (no eligible peer was found);
    "Confirmed" once every place is accepted; otherwise "Being staffed (2 of 3 accepted)"
    (a place a peer gave up counts as being staffed until the re-staffing fills it).
    """
    if booking.status == BookingStatus.CANCELLED:
        return "Cancelled"
    if booking.status == BookingStatus.REQUESTED:
        until = booking.request_expires_at
        if until is None:
            return "Waiting for approval"
        return f"Waiting for approval (until {moment_text(until)})"
    if booking.status in (BookingStatus.REJECTED, BookingStatus.EXPIRED):
        return booking.get_status_display()
    per_session = sum(slot.count for slot in booking.offer.role_slots.all())
    places = accepted = 0
    for session in booking.sessions.all():
        if session.status != SessionStatus.SCHEDULED:
            continue
        holding = [seat for seat in session.seats.all() if seat.status in HOLDING_SEAT_STATUSES]
        if any(seat.peer_id is None for seat in holding):
            return "Needs attention"
        places += per_session
        accepted += sum(seat.status == SeatStatus.ACCEPTED for seat in holding)
    if accepted >= places:
        return "Confirmed"
    return f"Being staffed ({accepted} of {places} accepted)"


def slots_out(starts: list[StaffableStart], pool: PeerPool) -> list[dict]:
    """The slot search's times as the API shows them (`schemas.SlotOut`), ready to encode.

    A search answers hundreds of times whose panels share a few dozen peers: each peer is
    described once, and the answer is plain text and numbers, so encoding it needs no
    per-item validation or conversion.
    """
    by_id = {peer.id: peer for peer in pool.peers}
    briefs: dict[int, dict] = {}

    def brief(peer_id: int) -> dict:
        if peer_id not in briefs:
            briefs[peer_id] = peer_brief(by_id[peer_id])
        return briefs[peer_id]

    out = []
    for start in starts:
        sessions = [
            {"start": instant_text(s.start), "end": instant_text(s.end)} for s in start.sessions
        ]
        out.append(
            {
                # A time starts and ends as its first session does.
                "start": sessions[0]["start"],
                "end": sessions[0]["end"],
                "sessions": sessions,
                "panel": [
                    {"role": role, "peer": brief(peer_id)}
                    for role, peer_ids in start.panel.items()
                    for peer_id in peer_ids
                ],
            }
        )
    return out


def instant_text(moment: datetime) -> str:
    """An instant as the API writes it (as Django's JSON encoder does: UTC as `Z`)."""
    return _ENCODER.default(moment)


_ENCODER = DjangoJSONEncoder()


def panel_out(panel: list[tuple[str, int]], peers: dict[int, Peer]) -> list[dict]:
    """A panel as the API shows it: role and peer per seat."""
    return [{"role": role, "peer": peer_brief(peers[peer_id])} for role, peer_id in panel]


# Choosing a peer by hand ------------------------------------------------------------------


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


def candidates_matching(candidates: list, search: str) -> list:
    """The candidates whose name, home council or a skill holds every word of `search`
    (any case), in their order; all of them for an empty search."""
    words = search.casefold().split()
    if not words:
        return list(candidates)
    skill_names = dict(Skill.objects.values_list("slug", "name"))

    def text(candidate) -> str:
        peer = candidate.peer
        skills = " ".join(f"{slug} {skill_names.get(slug, '')}" for slug in peer.skills)
        return f"{peer.name} {peer.home_council.name} {skills}".casefold()

    return [c for c in candidates if all(word in text(c) for word in words)]


def candidate_out(candidate) -> dict:
    """A peer who could take a seat, or could not, as the API and the page show them."""
    out = {"peer": peer_brief(candidate.peer), "eligible": candidate.eligible}
    if candidate.eligible:
        load = candidate.load
        words = fit_in_words(candidate.fit) + [
            f"{load} session{'s' if load != 1 else ''} held around this time"
            if load
            else "no other sessions around this time"
        ]
        return {**out, "fit": candidate.fit, "load": load, "rules": [], "why": "; ".join(words)}
    return {
        **out,
        "fit": candidate.fit,
        "load": candidate.load,
        "rules": list(candidate.rules),
        "why": "; ".join(candidate.problems),
    }

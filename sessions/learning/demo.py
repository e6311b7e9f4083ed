"""Demo learning points: past panels with points still to give (the `peer` and `lead` sign-ins
have a task on My sessions), points captured at every visibility (one waiting for the `lead`
to check its wording, one waiting for the `booker` to agree to Wigan being named), and library
items from councils of several types and regions. The feedback demo
(sessions/feedback/demo.py) gives the same panels their notes, actions and surveys.

The past panels are written as rows (the booking service books only future times), with the
demo's own peers seated and accepted. Idempotent: once the demo points exist, running it again
adds nothing.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from peers.models import Council, Peer, PeerKind
from scheduling.engine.panels import held_range
from scheduling.engine.uk_time import LONDON
from sessions.learning.models import LearningAsk, LearningPoint, Theme, Visibility
from sessions.learning.services import point_search_text
from sessions.models import (
    UID_DOMAIN,
    Booking,
    BookingStatus,
    Offer,
    Seat,
    SeatStatus,
    Session,
)
from sessions.references import booking_reference_new

PANEL = "recovery-and-renewal-panel"
DEMO_NOTE = "Demo: a past panel, for its learning points."


@dataclass(frozen=True)
class DemoPoint:
    theme: str
    doing: str
    why: str
    elsewhere: str
    visibility: str
    step: str = ""  # "checked" or "agreed": published to the library


@dataclass(frozen=True)
class DemoPanel:
    council: str
    days_ago: int
    points: tuple[DemoPoint, ...]


PANELS = (
    # Ended two days ago: every seat asked, nothing given yet.
    DemoPanel("Wigan Council", 2, ()),
    DemoPanel(
        "Wigan Council",
        12,
        (
            DemoPoint(
                Theme.FINANCE,
                "A rolling three-year budget, reviewed with residents' panels each quarter.",
                "Residents see the trade-offs early, so savings are agreed rather than imposed.",
                "yes",
                Visibility.NAMED,
            ),
            DemoPoint(
                Theme.LEADERSHIP,
                "Cabinet and the senior team meet monthly on the recovery plan alone.",
                "Recovery keeps its place beside the day-to-day.",
                "some",
                Visibility.PANEL,
            ),
            DemoPoint(
                Theme.WORKFORCE,
                "Redeployed staff kept their new roles where they chose to.",
                "Skills found in the emergency were not lost afterwards.",
                "some",
                Visibility.LGA,
            ),
            DemoPoint(
                Theme.COMMUNITIES,
                "Community hubs run by volunteers from the shielding response stayed open.",
                "The council reaches residents it did not reach before.",
                "yes",
                Visibility.ANONYMOUS,
            ),
        ),
    ),
    # Nothing captured: the learning figures count it as not captured within 10 days (the
    # feedback demo has the council's check of its note here).
    DemoPanel("Wigan Council", 20, ()),
    DemoPanel(
        "Wigan Council",
        45,
        (
            DemoPoint(
                Theme.DIGITAL,
                "Resident accounts that keep every request and its answer in one place.",
                "Fewer calls chasing progress, and staff see the whole story.",
                "yes",
                Visibility.NAMED,
                "agreed",
            ),
        ),
    ),
    DemoPanel(
        "Lancashire County Council",
        30,
        (
            DemoPoint(
                Theme.ADULT_CARE,
                "Hospital discharge teams and home care providers share one daily list.",
                "People leave hospital sooner and fewer return within a month.",
                "yes",
                Visibility.ANONYMOUS,
                "checked",
            ),
            DemoPoint(
                Theme.ECONOMY,
                "Market-town high streets get small grants matched by local business groups.",
                "Footfall recovered fastest where traders led the plans.",
                "some",
                Visibility.ANONYMOUS,
                "checked",
            ),
        ),
    ),
    DemoPanel(
        "Sheffield City Council",
        60,
        (
            DemoPoint(
                Theme.CHILDREN,
                "Care leavers are paired with local employers for a year's apprenticeship.",
                "Four in five are still in work a year on.",
                "yes",
                Visibility.ANONYMOUS,
                "checked",
            ),
        ),
    ),
)


def panel_start(plan: DemoPanel, now: datetime) -> datetime:
    """When a planned panel began: 10:00 UK time, `days_ago` days before `now`."""
    day = (now - timedelta(days=plan.days_ago)).astimezone(LONDON).date()
    return datetime.combine(day, time(10), tzinfo=LONDON)


def _seat_panel(session: Session, peers: list[Peer]) -> list[Seat]:
    seats = []
    for position, peer in enumerate(peers):
        role = "LGA lead" if peer.kind == PeerKind.FACILITATOR else "Peer"
        # The time the seat held of the peer, as every seat keeps it (the database refuses
        # a peer's overlapping holds, and an empty range would overlap all of them).
        held_from, held_until = held_range(session.start, session.end, peer.buffer_minutes)
        seats.append(
            Seat.objects.create(
                session=session,
                role_name=role,
                position=0 if role == "LGA lead" else position,
                peer=peer,
                status=SeatStatus.ACCEPTED,
                held_from=held_from,
                held_until=held_until,
            )
        )
    return seats


def seed_learning(*, now: datetime | None = None) -> dict:
    """The demo's past panels and their learning points; returns how many points were made."""
    if Booking.objects.filter(notes=DEMO_NOTE).exists():
        return {"points": 0}
    now = now or timezone.now()
    offer = Offer.objects.filter(slug=PANEL).first()
    users = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=["booker", "lead", "peer"])
    }
    demo_peer = Peer.objects.filter(user__username="peer").first()
    lead = Peer.objects.filter(user__username="lead").first()
    if offer is None or demo_peer is None or lead is None:
        return {"points": 0}
    made = 0
    for plan in PANELS:
        council = Council.objects.filter(name=plan.council).first()
        if council is None:
            continue
        start = panel_start(plan, now)
        booking = Booking.objects.create(
            offer=offer,
            council=council,
            reference=booking_reference_new(offer=offer, at=start),
            notes=DEMO_NOTE,
            start=start,
            status=BookingStatus.CONFIRMED,
        )
        session = Session.objects.create(
            offer=offer,
            booking=booking,
            number=1,
            start=start,
            end=start + timedelta(minutes=offer.duration_minutes or 120),
            uid=f"demo-learning-{booking.reference.lower()}@{UID_DOMAIN}",
        )
        seats = _seat_panel(session, [demo_peer, lead])
        for seat in seats:
            LearningAsk.objects.create(seat=seat, asked_at=session.end + timedelta(minutes=30))
        for number, point in enumerate(plan.points):
            seat = seats[number % len(seats)]
            published = session.end + timedelta(days=4) if point.step else None
            row = LearningPoint(
                seat=seat,
                booking=booking,
                theme=point.theme,
                doing=point.doing,
                why=point.why,
                elsewhere=point.elsewhere,
                visibility=point.visibility,
                checked_at=published if point.step == "checked" else None,
                checked_by=users.get("lead") if point.step == "checked" else None,
                agreed_at=published if point.step == "agreed" else None,
                agreed_by=users.get("booker") if point.step == "agreed" else None,
                published_at=published,
            )
            row.search_text = point_search_text(row)
            row.save()
            # Given a day or two after the panel, as peers do (the dashboard counts capture
            # within 10 days), not at the moment the demo is loaded.
            given = min(session.end + timedelta(days=1 + number % 3), now)
            LearningPoint.objects.filter(pk=row.pk).update(created_at=given)
            made += 1
    return {"points": made}

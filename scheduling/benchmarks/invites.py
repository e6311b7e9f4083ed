"""Invites: queue, build and send the iMIP messages for 500 sessions x 4 recipients (3 peers and the booker).

The outbox lives in the database, so this benchmark makes its own: a throwaway test database
(in memory on SQLite; a `test_` database on PostgreSQL, dropped afterwards) migrated from
scratch, so nothing is left behind and the configured database is never touched. The data is
synthetic and seeded: one council, 40 peers, 500 booked sessions of the Recovery & Renewal
Panel with three seats each.

Cases, each over all 2,000 invites:
- queue: `booking_invites_queue` per booking, one transaction each as in production, with the
  commit and the on-commit enqueue of each send task on the ORM broker;
- build: the complete e-mail of every invite (texts, HTML, the iTIP calendar, the MIME bytes);
- deliver: the task's whole path per invite (claim, build, hand over, send to the in-memory
  mail backend, mark sent).
"""

import logging
import random
import time
import uuid
from datetime import UTC, datetime, timedelta

SEED = 20261201
SESSIONS = 500
PEERS = 40
START = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)  # a Monday


def run() -> list[dict]:
    from django.db import connection
    from django.test.utils import override_settings

    test_settings = connection.settings_dict.setdefault("TEST", {})
    saved_test_name = test_settings.get("NAME")
    if connection.vendor == "sqlite":
        test_settings["NAME"] = ":memory:"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    quiet = logging.getLogger("django-q")
    level = quiet.level
    quiet.setLevel(logging.WARNING)
    try:
        with override_settings(
            MAILERS={"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
        ):
            return _cases()
    finally:
        quiet.setLevel(level)
        connection.creation.destroy_test_db(old_name, verbosity=0)
        test_settings["NAME"] = saved_test_name


def _data():
    from django.contrib.auth import get_user_model

    from peers.models import Booker, Council, Peer, PeerKind
    from sessions.models import Booking, Offer, Seat, SeatStatus, Session

    rng = random.Random(SEED)
    offer = Offer.objects.get(slug="recovery-and-renewal-panel")
    council = Council.objects.create(
        name="Benchmark Borough Council",
        slug="benchmark-borough",
        council_type="district",
        region="north-west",
        leader_group="labour",
    )
    home = Council.objects.create(
        name="Peer Home Council",
        slug="peer-home",
        council_type="district",
        region="wales",
        leader_group="labour",
    )
    user = get_user_model().objects.create_user(
        username="bench-booker", email="booker@benchmark.example.org", first_name="Bea"
    )
    Booker.objects.create(user=user, council=council)
    members = [
        Peer.objects.create(
            name=f"Member Peer {n}",
            email=f"member{n}@benchmark.example.org",
            kind=PeerKind.MEMBER,
            political_group="labour",
            home_council=home,
        )
        for n in range(PEERS // 2)
    ]
    officers = [
        Peer.objects.create(
            name=f"Officer Peer {n}",
            email=f"officer{n}@benchmark.example.org",
            kind=PeerKind.OFFICER,
            profession="chief-executive",
            home_council=home,
        )
        for n in range(PEERS // 2)
    ]
    bookings = Booking.objects.bulk_create(
        Booking(offer=offer, council=council, booked_by=user, reference=f"BEN-00-{n:04d}")
        for n in range(SESSIONS)
    )
    sessions = Session.objects.bulk_create(
        Session(
            offer=offer,
            booking=booking,
            start=START + timedelta(days=n // 3, hours=4 * (n % 3)),
            end=START + timedelta(days=n // 3, hours=4 * (n % 3) + 3),
            uid=f"{uuid.UUID(int=rng.getrandbits(128))}@bench.peers.local.gov.uk",
        )
        for n, booking in enumerate(bookings)
    )
    seats = []
    for session in sessions:
        lead, member = rng.sample(members, 2)
        officer = rng.choice(officers)
        for role, peer in (
            ("Lead member peer", lead),
            ("Member peer", member),
            ("Officer peer", officer),
        ):
            seats.append(
                Seat(
                    session=session,
                    role_name=role,
                    peer=peer,
                    status=SeatStatus.PROPOSED,
                    held_from=session.start,
                    held_until=session.end + timedelta(minutes=30),
                )
            )
    Seat.objects.bulk_create(seats)
    return bookings


def _cases() -> list[dict]:
    from django.db import transaction
    from django.utils import timezone
    from django_q.brokers import get_broker

    from sessions.models import Invite, InviteStatus
    from sessions.services.invites import booking_invites_queue
    from sessions.services.mail import invite_deliver, invite_message

    bookings = _data()
    cases = []

    t0 = time.perf_counter()
    for booking in bookings:
        with transaction.atomic():
            booking_invites_queue(booking=booking)
    seconds = time.perf_counter() - t0
    invites = Invite.objects.count()
    cases.append(
        {
            "label": f"queue {invites} invites ({SESSIONS} sessions x 4 recipients)",
            "seconds": seconds,
            "invites": invites,
            "tasks_queued": get_broker().queue_size(),
            "ms_per_invite": 1000 * seconds / invites,
        }
    )

    rows = list(
        Invite.objects.select_related(
            "session__offer", "session__booking__council", "seat__peer", "registration"
        ).order_by("pk")
    )
    now = timezone.now()
    t0 = time.perf_counter()
    size = sum(len(invite_message(invite, now=now).message().as_bytes()) for invite in rows)
    seconds = time.perf_counter() - t0
    cases.append(
        {
            "label": f"build {len(rows)} iMIP e-mails (text, HTML, calendar, MIME)",
            "seconds": seconds,
            "ms_per_invite": 1000 * seconds / len(rows),
            "mean_bytes": size // len(rows),
        }
    )

    t0 = time.perf_counter()
    outcomes = [invite_deliver(invite_id=invite.pk) for invite in rows]
    seconds = time.perf_counter() - t0
    cases.append(
        {
            "label": f"deliver {len(rows)} invites (claim, build, send, mark sent)",
            "seconds": seconds,
            "ms_per_invite": 1000 * seconds / len(rows),
            "sent": outcomes.count("sent"),
            "rows_sent": Invite.objects.filter(status=InviteStatus.SENT).count(),
        }
    )
    return cases

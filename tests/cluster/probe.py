"""What the cluster tests arrange and check inside the running cluster's database, run as
`python -m tests.cluster.probe ACTION [ARG]` in the cluster's own environment (its database
through pgbouncer, its Redis): the tests themselves speak to the cluster only over HTTP.

Each action prints one JSON object on its last line.
"""

import json
import sys
from collections import Counter
from datetime import UTC, datetime, time, timedelta

OFFER = "recovery-and-renewal-panel"


def _staff_token(name: str) -> str:
    from django.contrib.auth import get_user_model

    from peers.services import api_token_issue

    staff = get_user_model().objects.get(username="staff")
    return api_token_issue(user=staff, name=name).secret


def setup() -> dict:
    """Tokens for staff and the demo councillor; the offer books directly (no approval)."""
    from django.contrib.auth import get_user_model

    from peers.services import api_token_issue
    from sessions.models import Offer

    Offer.objects.filter(slug=OFFER).update(needs_approval=False)
    councillor = get_user_model().objects.get(username="councillor")
    return {
        "staff": _staff_token("cluster tests"),
        "councillor": api_token_issue(user=councillor, name="cluster tests").secret,
        "offer": OFFER,
    }


def one_panel_day(days_ahead: str) -> dict:
    """A weekday `days_ahead` (or the next one after) on which exactly one panel of the offer
    can be staffed: the first staffable start's panel, every other peer on leave that day.
    Returns the day, that start, its panel, a token for the panel's first peer, and up to 16
    councils for which that start can be booked."""
    from django.contrib.auth import get_user_model

    from peers.free_time import free_time_refresh
    from peers.models import Council, Leave, Peer
    from peers.services import api_token_issue
    from sessions.models import Offer
    from sessions.pool import staffable_starts

    offer = Offer.objects.get(slug=OFFER)
    day = datetime.now(UTC).date() + timedelta(days=int(days_ahead))
    while day.weekday() >= 5:
        day += timedelta(days=1)
    begin = datetime.combine(day, time(0), UTC)
    end = begin + timedelta(days=1)
    # The councils whose leaders share the commonest political group first: a panel's lead
    # member peer must share it, so one panel can serve the most councils.
    councils = list(Council.objects.order_by("pk"))
    sizes = Counter(c.leader_group for c in councils)
    councils.sort(key=lambda c: (-sizes[c.leader_group], c.pk))
    found = None
    for council in councils:
        starts, _ = staffable_starts(offer=offer, council=council, range_start=begin, range_end=end)
        if starts:
            found = council, starts[0]
            break
    if found is None:
        raise RuntimeError(f"nothing staffable on {day}")
    council, start = found
    panel = sorted({peer for ids in start.panel.values() for peer in ids})
    others = Peer.objects.exclude(pk__in=panel).values_list("pk", flat=True)
    Leave.objects.bulk_create(
        Leave(peer_id=peer, first_day=day, last_day=day, note="cluster test") for peer in others
    )
    free_time_refresh(peer_ids=list(Peer.objects.values_list("pk", flat=True)))
    bookable = []
    for other in councils:
        starts, _ = staffable_starts(offer=offer, council=other, range_start=begin, range_end=end)
        if any(s.start == start.start for s in starts):
            bookable.append(other.pk)
        if len(bookable) == 16:
            break
    peer = Peer.objects.get(pk=panel[0])
    if peer.user_id is None:
        peer.user = get_user_model().objects.create_user(f"cluster-peer-{peer.pk}")
        peer.save(update_fields=["user"])
    return {
        "day": day.isoformat(),
        "start": start.start.isoformat(),
        "council": council.pk,
        "councils": bookable,
        "panel": panel,
        "peer_token": api_token_issue(user=peer.user, name="cluster tests").secret,
    }


def double_booked() -> dict:
    """Peers holding two seats whose held ranges overlap (the exclusion constraint forbids it)."""
    from sessions.models import Seat

    held = (
        Seat.objects.filter(peer__isnull=False, held_from__isnull=False)
        .order_by("peer_id", "held_from")
        .values_list("peer_id", "held_from", "held_until")
    )
    overlapping, last = [], {}
    for peer, start, end in held:
        if peer in last and start < last[peer]:
            overlapping.append(peer)
        last[peer] = max(end, last.get(peer, end))
    return {"peers": sorted(set(overlapping)), "held_seats": len(held)}


def queue_invites(count: str) -> dict:
    """`count` invites to as many addresses for one booked session, queued in one transaction
    as a change queues them (each sent by a task on commit)."""
    from django.db import transaction

    from sessions.mail.outbox import invite_queue
    from sessions.models import Invite, InviteMethod, Session

    session = (
        Session.objects.filter(booking__isnull=False, start__gt=datetime.now(UTC))
        .order_by("pk")
        .first()
    )
    tag = datetime.now(UTC).strftime("%H%M%S%f")
    with transaction.atomic():
        ids = [
            invite_queue(
                session=session,
                recipient_email=f"observer-{tag}-{n}@cluster.test",
                recipient_name=f"Observer {n}",
                method=InviteMethod.REQUEST,
            ).pk
            for n in range(int(count))
        ]
    assert Invite.objects.filter(pk__in=ids).count() == len(ids)
    return {"ids": ids, "first": min(ids), "last": max(ids)}


def invites(first: str, last: str) -> dict:
    """The outbox rows in [first, last]: their statuses, and each one's Message-ID."""
    from sessions.models import Invite
    from sessions.services.mail import message_id

    rows = Invite.objects.filter(pk__gte=int(first), pk__lte=int(last)).select_related("session")
    statuses: dict[str, int] = {}
    for row in rows:
        statuses[row.status] = statuses.get(row.status, 0) + 1
    return {
        "statuses": statuses,
        "message_ids": {row.pk: message_id(row) for row in rows},
        "unknown": [row.pk for row in rows if row.last_error.startswith("Outcome unknown")],
    }


def sweep_after_lease(first: str, last: str) -> dict:
    """The outbox's sweep (the every-minute schedule) as it runs once the killed worker's lease
    (10 minutes) and the lost-task wait are over for the rows in [first, last]: their clocks
    are moved back rather than the test waiting."""
    from django.utils import timezone

    from sessions.models import Invite, InviteStatus
    from sessions.services.mail import LOST_AFTER, invites_requeue

    now = timezone.now()
    rows = Invite.objects.filter(pk__gte=int(first), pk__lte=int(last))
    rows.filter(status=InviteStatus.SENDING).update(next_attempt_at=now - timedelta(seconds=1))
    rows.filter(status=InviteStatus.PENDING).update(created_at=now - LOST_AFTER)
    result = invites_requeue()
    return {"queued": len(result.queued), "unknown": result.unknown}


def booking_invites(booking: str) -> dict:
    from sessions.models import Invite

    rows = Invite.objects.filter(session__booking_id=int(booking))
    return {"statuses": sorted(rows.values_list("status", flat=True))}


ACTIONS = {
    "setup": setup,
    "one_panel_day": one_panel_day,
    "double_booked": double_booked,
    "queue_invites": queue_invites,
    "invites": invites,
    "sweep_after_lease": sweep_after_lease,
    "booking_invites": booking_invites,
}


if __name__ == "__main__":
    import django

    django.setup()
    action, *args = sys.argv[1:]
    print(json.dumps(ACTIONS[action](*args), default=str))

"""Private calendar feeds: a random secret per person, stored hashed, revocable.

The token in the URL is "<id>-<secret>": the id finds the row, and the secret's hash is
compared in constant time, so response times say nothing about how close a guess was.
"""

import secrets

from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from peers.models import Peer
from peers.services import token_hash
from sessions.webinars.models import FeedToken


@transaction.atomic
def feed_token_issue(*, email: str = "", peer: Peer | None = None) -> str:
    """A new private feed token for a person (their earlier ones stop working)."""
    email = email.strip().lower()
    if not email and peer is None:
        raise ValueError("a feed belongs to an e-mail address or a peer")
    feed_token_revoke(email=email, peer=peer)
    secret = secrets.token_urlsafe(32)
    token = FeedToken.objects.create(
        email="" if peer else email, peer=peer, token_hash=token_hash(secret)
    )
    return f"{token.id}-{secret}"


@transaction.atomic
def feed_token_revoke(*, email: str = "", peer: Peer | None = None) -> int:
    tokens = FeedToken.objects.filter(revoked_at__isnull=True)
    tokens = (
        tokens.filter(peer=peer) if peer is not None else tokens.filter(email=email.strip().lower())
    )
    return tokens.update(revoked_at=timezone.now())


def feed_link_request(*, email: str) -> None:
    """Send the address a link to manage its private calendar link, if it ever registered.

    The caller says the same whatever the answer, and the mail is sent by a task, so
    neither the page nor its timing tells whether the address is registered.
    """
    email = (email or "").strip().lower()
    transaction.on_commit(
        lambda: async_task("sessions.webinars.tasks.send_feed_manage_link", email)
    )

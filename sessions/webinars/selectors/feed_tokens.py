"""Private calendar feeds, read: whose a URL's token is, and whether a peer's link still works.

The token in the URL is "<id>-<secret>": the id finds the row, and the secret's hash is
compared in constant time, so response times say nothing about how close a guess was.
"""

import hmac

from django.urls import reverse

from peers.models import Peer
from peers.services import token_hash
from sessions.webinars.models import FeedToken


def private_feed_path(token: str) -> str:
    return reverse("feed-private", kwargs={"token": token})


def feed_token_owner(token: str) -> FeedToken | None:
    """The live token behind a URL's token, or None (unknown, revoked or malformed alike)."""
    token_id, _, secret = (token or "").partition("-")
    if not token_id.isdigit() or not secret:
        return None
    found = (
        FeedToken.objects.select_related("peer")
        .filter(pk=int(token_id), revoked_at__isnull=True)
        .first()
    )
    expected = found.token_hash if found else token_hash("no such token")
    if not hmac.compare_digest(expected, token_hash(secret)) or found is None:
        return None
    return found


def feed_is_live(*, email: str = "", peer: Peer | None = None) -> bool:
    """Whether the peer, or else the address, has a private feed link that still works."""
    tokens = FeedToken.objects.filter(revoked_at__isnull=True)
    tokens = (
        tokens.filter(peer=peer) if peer is not None else tokens.filter(email=email.strip().lower())
    )
    return tokens.exists()

"""Who may do what with people's records, each rule a named predicate that answers yes or no,
and `require`, the one place a refusal (403) is raised.

Every app's `rules.py` raises through `require`; services and selectors ask the rules where
the decision is enforced, and the pages and the API rely on the one handler that answers a
refusal with 403 (docs/architecture.md, "Who may")."""

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

if TYPE_CHECKING:
    from peers.models import Peer
    from peers.selectors import Caller


def require(allowed: bool, refusal: str) -> None:
    """Refuse (PermissionDenied: 403) with `refusal` unless `allowed`."""
    if not allowed:
        raise PermissionDenied(refusal)


def may_list_peers(caller: "Caller") -> bool:
    """LGA staff search the pool."""
    return caller.is_staff


def may_read_peer(caller: "Caller", peer: "Peer") -> bool:
    """A peer's record: the peer themselves and LGA staff."""
    return caller.is_staff or (caller.peer is not None and caller.peer.id == peer.id)


def may_keep_availability(caller: "Caller") -> bool:
    """Only peers have availability (their own) to keep."""
    return caller.peer is not None

"""Reads about who people are and what they may see."""

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from peers.models import ApiToken, Council, Peer

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

    def may_act_for(self, council: Council) -> bool:
        """Book for, or manage the bookings of, `council`."""
        return (
            self.is_staff
            or council.id in self.advised_council_ids
            or (self.booker_council is not None and self.booker_council.id == council.id)
        )


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
    if not caller.is_staff:
        raise PermissionDenied("Only LGA staff can list peers.")
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
    if not (caller.is_staff or (caller.peer is not None and caller.peer.id == peer.id)):
        raise PermissionDenied("You may see only your own peer record.")
    return peer


def api_token_list(*, user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True)

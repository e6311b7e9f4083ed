from django.db.models import Q
from ninja import Query, Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from peers import selectors, services
from peers.models import Council
from peers.schemas import (
    CouncilFilter,
    CouncilOut,
    IssuedTokenOut,
    MeOut,
    PeerFilter,
    PeerOut,
    TokenIn,
    TokenOut,
)

router = Router(tags=["people"])


@router.get("/me", response=MeOut, summary="Who the caller is and what they act for")
def me(request):
    caller = selectors.caller_for(request.user)
    user = caller.user
    council = caller.booker_council or caller.councillor_council
    return {
        "username": user.username,
        "name": user.get_full_name(),
        "email": user.email,
        "roles": sorted(caller.roles),
        "council": council,
        "advised_councils": list(Council.objects.filter(Q(id__in=caller.advised_council_ids))),
        "peer_id": caller.peer.id if caller.peer else None,
    }


@router.get("/councils", response=list[CouncilOut], summary="Search councils")
@paginate(LimitOffsetPagination)
def council_list(request, filters: Query[CouncilFilter]):
    return selectors.council_list(
        search=filters.search.strip(),
        region=filters.region or "",
        council_type=filters.council_type or "",
    )


@router.get("/peers", response=list[PeerOut], summary="Search peers (LGA staff)")
@paginate(LimitOffsetPagination)
def peer_list(request, filters: Query[PeerFilter]):
    caller = selectors.caller_for(request.user)
    return selectors.peer_list(
        caller=caller, search=filters.search.strip(), kind=filters.kind or ""
    )


@router.get(
    "/peers/{int:peer_id}", response=PeerOut, summary="A peer's record (the peer, or staff)"
)
def peer_detail(request, peer_id: int):
    return selectors.peer_get(caller=selectors.caller_for(request.user), peer_id=peer_id)


@router.get("/me/tokens", response=list[TokenOut], summary="The caller's API tokens")
def token_list(request):
    return selectors.api_token_list(user=request.user)


@router.post(
    "/me/tokens", response={201: IssuedTokenOut}, summary="Issue an API token (shown once)"
)
def token_issue(request, payload: TokenIn):
    issued = services.api_token_issue(user=request.user, name=payload.name)
    return Status(201, {**TokenOut.from_orm(issued.token).model_dump(), "token": issued.secret})


@router.delete("/me/tokens/{int:token_id}", response={204: None}, summary="Revoke an API token")
def token_revoke(request, token_id: int):
    services.api_token_revoke(user=request.user, token_id=token_id)
    return Status(204, None)

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.utils import timezone
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from peers import rules, selectors, services
from peers.models import Council
from peers.schemas import (
    AvailabilityChangeOut,
    AvailabilityIn,
    AvailabilityOut,
    BusyCalendarOut,
    CouncilFilter,
    CouncilOut,
    FreeBusyOut,
    IssuedTokenOut,
    MeOut,
    PeerFilter,
    PeerOut,
    RangeQuery,
    TokenIn,
    TokenOut,
)
from scheduling.engine.busy_calendar import MAX_BYTES, oversize_refusal
from scheduling.engine.calendar import build_freebusy, content_type

router = Router(tags=["people"])


class Pages(LimitOffsetPagination):
    """Pages of at most 500 rows, from an offset no list can pass (larger: 422)."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=500)
        offset: int = Field(0, ge=0, le=1_000_000)


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
@paginate(Pages)
def council_list(request, filters: Query[CouncilFilter]):
    return selectors.council_list(
        search=filters.search.strip(),
        region=filters.region or "",
        council_type=filters.council_type or "",
    )


@router.get("/peers", response=list[PeerOut], summary="Search peers (LGA staff)")
@paginate(Pages)
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


def _own_peer(request):
    caller = selectors.caller_for(request.user)
    rules.require(rules.may_keep_availability(caller), "Only peers have availability.")
    return caller.peer


def _availability_out(peer):
    return {
        **services.availability_as_input(peer),
        "busy_calendar": selectors.busy_calendar_for(peer),
    }


@router.get("/peers/me/availability", response=AvailabilityOut, summary="The caller's availability")
def availability_get(request):
    return _availability_out(_own_peer(request))


@router.put(
    "/peers/me/availability",
    response={200: AvailabilityChangeOut, 429: None},
    summary="Replace the caller's availability; seats it no longer covers are released",
    description="422 (`type: rule`), the rules the schema cannot state: each window ends after it starts; `time_zone` is an IANA zone; "
    "no date or leave already past (unless sent back unchanged); leave ends on or after its "
    "first day; the calendar address is a public http(s) or webcal address. Changes of "
    "`busy_calendar_url` are limited per hour with uploads (429 with Retry-After).",
)
def availability_put(request, payload: AvailabilityIn):
    data = payload.model_dump()
    data["weekly"] = [dict(w) for w in data["weekly"]]
    change = services.availability_replace(peer=_own_peer(request), **data)
    return {
        **_availability_out(change.peer),
        "released_seats": [
            {"id": held.key, "start": held.start, "end": held.end, "title": held.label}
            for held in change.released
        ],
    }


@router.post(
    "/peers/me/busy-calendar",
    response={202: BusyCalendarOut, 429: None},
    summary="Upload an .ics of the caller's own commitments (replaces the last one)",
    description="The file is kept and read by the task queue: the answer (202) says `pending`; "
    "`GET /peers/me/availability` then shows it `imported` or `refused` with the reason. "
    "At most 2 MB (422, `type: rule`); uploads and changes of feed are limited per hour (429 "
    "with Retry-After).",
)
def busy_calendar_upload(request, file: File[UploadedFile]):
    peer = _own_peer(request)
    if file.size > MAX_BYTES:
        raise ValidationError({"file": oversize_refusal().message})
    calendar = services.busy_calendar_upload(peer=peer, data=file.read(), filename=file.name or "")
    return Status(202, calendar)


@router.delete(
    "/peers/me/busy-calendar", response={204: None}, summary="Disconnect the caller's calendar"
)
def busy_calendar_delete(request):
    services.busy_calendar_disconnect(peer=_own_peer(request))
    return Status(204, None)


@router.get(
    "/peers/{int:peer_id}/freebusy",
    response=FreeBusyOut,
    summary="A peer's free and busy intervals (the peer, or staff)",
    description="422 (`type: rule`), the rules the schema cannot state: the end is after the start, within the longest range.",
)
def freebusy(request, peer_id: int, when: Query[RangeQuery]):
    peer = selectors.peer_get(caller=selectors.caller_for(request.user), peer_id=peer_id)
    availability = selectors.peer_availability(peer, when.start, when.end)
    return {
        "free": availability.free,
        "busy": [
            {"start": b.interval.start, "end": b.interval.end, "reason": b.reason}
            for b in availability.blocks
        ],
    }


@router.get(
    "/peers/{int:peer_id}/freebusy.ics",
    summary="The same as a VFREEBUSY calendar",
    description="422 (`type: rule`), the rules the schema cannot state: the end is after the start, within the longest range.",
)
def freebusy_ics(request, peer_id: int, when: Query[RangeQuery]):
    peer = selectors.peer_get(caller=selectors.caller_for(request.user), peer_id=peer_id)
    availability = selectors.peer_availability(peer, when.start, when.end)
    body = build_freebusy(
        peer.email,
        peer.name,
        when.start,
        when.end,
        [(b.interval.start, b.interval.end) for b in availability.blocks],
        dtstamp=timezone.now(),
    )
    return HttpResponse(body, content_type=content_type(None))

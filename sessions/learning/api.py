"""The learning library's API: the points shared with the sector (searched by words, filtered
by theme, council type, region and the panel's date) and one point as its reader may see it.
A point the caller may not read is answered 404, as if it did not exist."""

from datetime import date, datetime

from ninja import Query, Router, Schema
from pydantic import Field

from peers.models import CouncilType, Region
from peers.schemas import Day
from peers.selectors import caller_for
from sessions.learning import selectors
from sessions.learning.models import Elsewhere, Theme, Visibility
from sessions.learning.rules import may_see_council

router = Router(tags=["learning"])
LIMIT_MAX = 100


class LibraryQuery(Schema):
    q: str = Field("", max_length=200, description="Words, all of which a point must contain.")
    theme: Theme | None = None
    council_type: CouncilType | None = None
    region: Region | None = None
    from_: Day | None = Field(None, alias="from", description="Panels on or after this day.")
    to: Day | None = Field(None, description="Panels on or before this day.")
    limit: int = Field(20, ge=1, le=LIMIT_MAX)
    offset: int = Field(0, ge=0)


class LibraryItemOut(Schema):
    id: int
    theme: Theme
    theme_text: str
    doing: str
    why: str
    elsewhere: Elsewhere
    elsewhere_text: str
    offer: str
    offer_slug: str
    council: str | None = Field(description="Named only when the council agreed to be.")
    council_type: str
    council_type_text: str
    region: str
    region_text: str
    panel_date: date
    published_at: datetime


class LibraryOut(Schema):
    count: int
    items: list[LibraryItemOut]


class PointOut(Schema):
    id: int
    booking: int | None = Field(
        description="Given only to those who may know the council (not for an anonymous point "
        "read from the library)."
    )
    theme: Theme
    doing: str
    why: str
    elsewhere: Elsewhere
    visibility: Visibility
    status: str
    published_at: datetime | None
    created_at: datetime


@router.get(
    "/learning",
    response=LibraryOut,
    summary="The learning library: points shared with the sector (councils' bookers, peers, "
    "advisers and LGA staff)",
    description="Only points shared with the sector and published (an anonymous point once "
    "its wording is checked, a named one once the council agreed) are ever listed; `council` "
    "is given only for the named ones. Newest panel first. 403: signed in without a role that "
    "reads the library.",
)
def library_list(request, filters: Query[LibraryQuery]):
    caller = caller_for(request.user)
    found = selectors.library_search(
        caller=caller,
        filters=selectors.LibraryFilters(
            q=filters.q,
            theme=filters.theme or "",
            council_type=filters.council_type or "",
            region=filters.region or "",
            start=filters.from_,
            end=filters.to,
        ),
    )
    page = found[filters.offset : filters.offset + filters.limit]
    return {"count": found.count(), "items": [selectors.library_item(p) for p in page]}


@router.get(
    "/learning/points/{int:point_id}",
    response=PointOut,
    summary="One learning point, as its reader may see it (404 for anyone who may not)",
)
def point_detail(request, point_id: int):
    caller = caller_for(request.user)
    point = selectors.point_get(caller=caller, point_id=point_id)
    return {
        "id": point.pk,
        "booking": point.booking_id if may_see_council(caller, point) else None,
        "theme": point.theme,
        "doing": point.doing,
        "why": point.why,
        "elsewhere": point.elsewhere,
        "visibility": point.visibility,
        "status": selectors.status_text(point),
        "published_at": point.published_at,
        "created_at": point.created_at,
    }

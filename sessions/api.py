from ninja import Query, Router

from sessions import selectors
from sessions.schemas import OfferDetailOut, OfferFilter, OfferOut

router = Router(tags=["catalogue"])


@router.get("/offers", response=list[OfferOut], auth=None, summary="The catalogue of remote offers")
def offer_list(request, filters: Query[OfferFilter]):
    return selectors.offer_list(
        programme=filters.programme or "",
        status=filters.status or "",
        delivery=filters.delivery or "",
        topic=filters.topic or "",
    )


@router.get("/offers/{slug}", response=OfferDetailOut, auth=None, summary="One offer")
def offer_detail(request, slug: str):
    return selectors.offer_get(slug=slug)

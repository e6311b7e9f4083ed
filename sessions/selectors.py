"""Reads about the catalogue."""

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from sessions.models import Offer, RoleSlot


def offer_list(
    *, programme: str = "", status: str = "", delivery: str = "", topic: str = ""
) -> QuerySet[Offer]:
    offers = Offer.objects.prefetch_related(
        Prefetch("role_slots", queryset=RoleSlot.objects.select_related("skill"))
    )
    if programme:
        offers = offers.filter(programme=programme)
    if status:
        offers = offers.filter(status=status)
    if delivery:
        offers = offers.filter(delivery=delivery)
    if topic:
        offers = offers.filter(topic=topic)
    return offers


def offer_get(*, slug: str) -> Offer:
    return get_object_or_404(offer_list(), slug=slug)

"""Reads of the catalogue: offers with their role slots."""

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from sessions.models import Offer, RoleSlot


def offers_with_slots() -> QuerySet[Offer]:
    return Offer.objects.prefetch_related(
        Prefetch("role_slots", queryset=RoleSlot.objects.select_related("skill"))
    )


def offer_list(
    *, programme: str = "", status: str = "", delivery: str = "", topic: str = ""
) -> list[Offer]:
    """The catalogue, filtered; `status` is the status today (Offer.state: its date decides)."""
    offers = offers_with_slots()
    if programme:
        offers = offers.filter(programme=programme)
    if delivery:
        offers = offers.filter(delivery=delivery)
    if topic:
        offers = offers.filter(topic=topic)
    return [offer for offer in offers if not status or offer.current_status == status]


def offer_get(*, slug: str) -> Offer:
    return get_object_or_404(offers_with_slots(), slug=slug)

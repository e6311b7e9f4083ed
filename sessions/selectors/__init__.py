"""Reads of the sessions app, one module per subject: the catalogue (`offers`), bookings
(`bookings`), history, invites, the mailbox and series. Their names are re-exported here for
the routers and pages."""

from peers.models import Skill
from sessions.selectors.bookings import (
    booking_get,
    booking_list,
    booking_search,
    booking_state,
    requests_waiting,
    seat_held_times,
)
from sessions.selectors.offers import offer_get, offer_list, offers_with_slots

__all__ = [
    "booking_get",
    "booking_list",
    "booking_search",
    "booking_state",
    "offer_get",
    "offer_list",
    "offers_with_slots",
    "requests_waiting",
    "seat_held_times",
]


def candidates_matching(candidates: list, search: str) -> list:
    """The candidates whose name, home council or a skill holds every word of `search`
    (any case), in their order; all of them for an empty search."""
    words = search.casefold().split()
    if not words:
        return list(candidates)
    skill_names = dict(Skill.objects.values_list("slug", "name"))

    def text(candidate) -> str:
        peer = candidate.peer
        skills = " ".join(f"{slug} {skill_names.get(slug, '')}" for slug in peer.skills)
        return f"{peer.name} {peer.home_council.name} {skills}".casefold()

    return [c for c in candidates if all(word in text(c) for word in words)]

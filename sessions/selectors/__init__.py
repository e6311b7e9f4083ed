"""Reads of the sessions app, one module per subject: the catalogue (`offers`), bookings
(`bookings`), history, invites, the mailbox and series. Their names are re-exported here for
the routers and pages."""

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

"""Writes of the sessions app, one module per subject: bookings (`bookings`), invites and
answers (`invites`), the outbox (`outbox`), webinars, feeds and mail. Booking's names are
re-exported here for the routers and pages."""

from sessions.services.bookings import (
    AlreadyBooked,
    BookingConflict,
    PanelChanged,
    RequestClosed,
    booking_approve,
    booking_cancel,
    booking_create,
    booking_reject,
    booking_reschedule,
    may_decide,
    requests_expire,
    session_joining_url_set,
)

__all__ = [
    "AlreadyBooked",
    "BookingConflict",
    "PanelChanged",
    "RequestClosed",
    "booking_approve",
    "booking_cancel",
    "booking_create",
    "booking_reject",
    "booking_reschedule",
    "may_decide",
    "requests_expire",
    "session_joining_url_set",
]

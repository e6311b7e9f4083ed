"""Writes of the sessions app, one module per subject: bookings (`bookings`), deciding
requests for approval (`approval`, its links and letters `approval_letters`), re-staffing (`restaffing`) and staff seating a peer (`seat_assignment`); the invites queued for
a session and what they say (`invites`), peers' answers to them (`answers`), reminders
(`reminders`), the outbox (`outbox`) and its sending (`mail`), the words of every e-mail
(`letters`); webinars and feeds. Booking's names are re-exported here for the routers and
pages."""

from sessions.services.approval import (
    RequestClosed,
    booking_approve,
    booking_reject,
    requests_expire,
)
from sessions.services.bookings import (
    AlreadyBooked,
    BookingConflict,
    PanelChanged,
    booking_cancel,
    booking_create,
    booking_reschedule,
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
    "requests_expire",
    "session_joining_url_set",
]

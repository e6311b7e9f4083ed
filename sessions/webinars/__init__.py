"""Webinars: the subject's one room. Sessions of webinar offers, councillors' registrations and
the waiting list, registration requests confirmed by e-mail, and the calendar feeds (public,
and private behind a secret token), with their pages, API, admin and demo data.

Part of the `sessions` app (label `offer_sessions`): its models share the app's tables and
migrations. Panels and bookings keep the rest of `sessions/`; the outbox and letters, which
both use, stay there too, and this room imports them.
"""

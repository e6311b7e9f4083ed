"""The pre-reading pack: the documents a council's booker (or LGA staff) gives a booking's
panel to read before the session, with their pages, API, letters and rules.

Part of the `sessions` app (label `offer_sessions`), as the webinars are: its model is loaded
by sessions/models.py and keeps the app's tables and migrations. Nothing below the pages and
the API imports this room; an invite counts a pack through the booking's `documents`.
"""

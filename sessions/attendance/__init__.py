"""Who attended: after a session has started, its LGA lead (or LGA staff) records for each
person on it whether they attended, were absent, or were covered by a named stand-in, with its
rules, services, reads, pages and API.

Part of the `sessions` app (label `offer_sessions`), as the pre-reading is: its model is loaded
by the app config (sessions/apps.py) and keeps the app's tables and migrations. Below the
programme, the pages and the API, only its model is reached (the booking's history reads it by
its label).
"""

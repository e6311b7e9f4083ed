"""Learning points and the learning library: what a panel's peers and its LGA lead learned
from a council, kept at the visibility they chose, and the points shared with the sector,
searchable by the database's own full-text search.

Part of the `sessions` app (label `offer_sessions`), as the pre-reading is: its models are
loaded by sessions/apps.py and keep the app's tables and migrations. Nothing below the pages,
the API and the wiring imports this room.
"""

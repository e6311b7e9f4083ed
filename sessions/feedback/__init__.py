"""After the panel: the LGA lead's feedback note, checked by the council for factual accuracy
and finalised; the council's action plan, with its reminders; the progress review about ten
months on; and the short anonymous survey of the panel's peers.

Part of the `sessions` app (label `offer_sessions`), as the webinars and the pre-reading are:
its models are loaded by the app config (`sessions/apps.py` `import_models`) and keep the
app's tables and migrations. Only the pages, the API and the wiring import this room.
"""

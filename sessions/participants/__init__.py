"""The council's participants: the people a booker names to attend a panel (its leader, its
chief executive, ...), their invites, answers and the pre-reading they read by a signed link.

Part of the `sessions` app (label `offer_sessions`), as the webinars and the pre-reading are:
its model is loaded by the app config and keeps the app's tables and migrations. The panels'
services reach its rows only through the booking's `participants` and an invite's
`participant`; this room sits above them, below the pages, the API and the programme.
"""

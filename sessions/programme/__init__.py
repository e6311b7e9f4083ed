"""Reads and work across both subjects, above panels and webinars: the programme dashboard's
figures (`figures`) and export (`export`), and the reminders before any session (`reminders`).
Neither subject imports this room."""

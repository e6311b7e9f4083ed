"""The scheduling engine: plain Python over plain data, no Django and no ORM.

Time intervals, availability on the 15-minute grid, finding staffable starts, matching peers
to seats, and reading and writing iCalendar. The apps translate models into these dataclasses
and back; nothing here imports an app, so the arrows run one way: wiring → apps → engine.
"""

"""Personal data: a person's export and erasure, and the retention policy on a schedule.

Its own app because it reaches into both `peers` (accounts, peers, availability, calendars,
tokens) and `sessions` (seats, bookings, registrations, feeds, messages, history), and
`peers` may import nothing from `sessions`: so neither of them can hold the parts that join
the two. This app imports both and neither imports it (tests/test_layout.py checks).
"""

from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "privacy"
    label = "privacy"
    verbose_name = "Personal data"

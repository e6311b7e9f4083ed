from django.apps import AppConfig


class OfferSessionsConfig(AppConfig):
    # The folder is called sessions/, but django.contrib.sessions owns the "sessions" label.
    name = "sessions"
    label = "offer_sessions"
    verbose_name = "Offers, bookings and sessions"

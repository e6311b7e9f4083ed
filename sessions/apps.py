from importlib import import_module

from django.apps import AppConfig


class OfferSessionsConfig(AppConfig):
    # The folder is called sessions/, but django.contrib.sessions owns the "sessions" label.
    name = "sessions"
    label = "offer_sessions"
    verbose_name = "Offers, bookings and sessions"

    def import_models(self):
        # The webinars' models are this app's (its tables and migrations) but live in their
        # own room, which imports sessions.models: load them after it, from here.
        super().import_models()
        import_module("sessions.webinars.models")
        import_module("sessions.packs.models")
        import_module("sessions.feedback.models")
        import_module("sessions.participants.models")
        import_module("sessions.attendance.models")
        import_module("sessions.learning.models")

    def ready(self):
        # Seats hold peers' time: peers counts them, and says when a peer's availability
        # no longer covers one, through its own hook (peers imports nothing from here).
        from peers.held_time import (
            availability_saved,
            held_time_released,
            held_time_source_register,
        )
        from sessions.selectors import seat_held_times
        from sessions.services.restaff_queue import unfilled_restaff_for_availability
        from sessions.services.restaffing import seats_release_for_unavailable

        held_time_source_register(seat_held_times)

        # The outbox sends both subjects' rows: each gives the words of its own.
        from sessions.mail.outbox import (
            PARTICIPANT,
            REGISTRATION,
            SEAT,
            invite_content_register,
        )
        from sessions.participants.letters import participant_invite_content
        from sessions.services.invite_words import invite_content
        from sessions.webinars.services.letters import registration_invite_content

        invite_content_register(SEAT, invite_content)
        invite_content_register(REGISTRATION, registration_invite_content)
        invite_content_register(PARTICIPANT, participant_invite_content)
        held_time_released.connect(
            seats_release_for_unavailable, dispatch_uid="sessions.seats_release_for_unavailable"
        )
        # New hours may fill a place nobody was free for: re-staff those bookings.
        availability_saved.connect(
            unfilled_restaff_for_availability,
            dispatch_uid="sessions.unfilled_restaff_for_availability",
        )

        # A changed session or offer may change what a public feed holds: forget its state.
        from django.db.models.signals import post_delete, post_save

        from sessions.models import Offer, Session
        from sessions.webinars.selectors.feeds import feed_state_forget

        for model in (Session, Offer):
            post_save.connect(feed_state_forget, sender=model, dispatch_uid=f"feed-{model}")
            post_delete.connect(feed_state_forget, sender=model, dispatch_uid=f"feed-gone-{model}")

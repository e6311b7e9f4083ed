"""Background work for webinars: the letters a registration sends. Tasks take ids (or, for a
calendar link asked for by address, the address) and call the services; their dotted names are
what the queue stores, so they stay put when the services move."""

from sessions.webinars.services import letters as webinar_letters


def send_registration_confirmation(request_id: int) -> bool:
    """The "confirm your registration" letter for a registration request."""
    return webinar_letters.registration_confirmation_send(request_id)


def send_waiting_list_mail(registration_id: int) -> bool:
    """The letter to someone placed on a webinar's waiting list."""
    return webinar_letters.waiting_list_mail_send(registration_id)


def send_feed_manage_link(email: str) -> bool:
    """The link that manages a private calendar, to the address that asked (when it has one)."""
    return webinar_letters.feed_manage_link_send(email)


def send_recording_news(session_id: int) -> int:
    """Tell registrants (and those left waiting) that the recording is there; once each."""
    return webinar_letters.recording_news_send(session_id)

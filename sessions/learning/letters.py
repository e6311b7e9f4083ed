"""The letters asking a seat's peer for their learning points once the session has ended, and
the one reminder: the same words, with the signed link (links.py) and My sessions."""

from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from sessions.learning.links import ask_url, link_until
from sessions.learning.models import LearningAsk
from sessions.mail.letters import Letter
from sessions.mail.links import absolute_url
from sessions.session_words import session_contact, session_title, session_when


def ask_letter(ask: LearningAsk, *, reminder: bool) -> EmailMultiAlternatives:
    seat = ask.seat
    session, peer = seat.session, seat.peer
    title = session_title(session)
    until = link_until(ask.asked_at)
    first = (
        f"Thank you for sitting on the {title}. What did you learn from the council that "
        "others could learn from too? A few learning points help the council, the LGA and, if "
        "you choose to share them, councils across the sector."
    )
    if reminder:
        first = f"A reminder: we have not yet had your learning points from the {title}. " + first
    letter = Letter(
        subject=("Reminder: " if reminder else "") + f"Your learning points from the {title}",
        greeting=f"Dear {peer.name},",
        paragraphs=(
            first,
            "For each point: its theme, what the council is doing, why it matters, whether it "
            "would work elsewhere, and who may read it. Nothing is shared with the sector "
            "without the LGA lead's check, or, where it names the council, its agreement.",
        ),
        facts=(
            ("Session", session_when(session, zone=peer.time_zone)),
            ("Your seat", seat.role_name),
            ("Booking reference", session.booking.reference),
        ),
        actions=(
            ("Give your learning points", ask_url(seat_id=seat.pk, until=until)),
            ("My sessions", absolute_url(reverse("my-sessions"))),
        ),
        notes=(
            "The link works for 14 days without signing in; after that, sign in and give your "
            "points from My sessions.",
        ),
        contact=session_contact(session),
    )
    return letter.message(peer.email, peer.name)

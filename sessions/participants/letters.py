"""What a participant's messages say: the invitation, its updates and the cancellation, built
when each is sent from the session as it then is (registered with the outbox by the app
config). A participant is not on the panel: they are asked whether they will attend, by a
signed link, and given the joining link and the pre-reading."""

from dataclasses import replace

from scheduling.engine.plurals import counted
from sessions.mail.letters import Letter
from sessions.mail.outbox import InviteContent, invite_time
from sessions.models import Invite, InviteMethod, SessionStatus
from sessions.participants.links import answer_link, reading_link
from sessions.participants.selectors import reading_until
from sessions.services.answers import answer_link_lifetime_text
from sessions.session_words import (
    session_contact,
    session_day,
    session_focus,
    session_joining_fact,
    session_panel_lines,
    session_title,
    session_when,
    with_reference,
)


def _earlier(invite: Invite) -> bool:
    return Invite.objects.filter(
        session=invite.session,
        recipient_email=invite.recipient_email,
        sequence__lt=invite.sequence,
        method=InviteMethod.REQUEST,
    ).exists()


def _cancel_letter(invite: Invite, name: str) -> Letter:
    session = invite.session
    title = session_title(session)
    known = invite_time(invite)
    if session.status == SessionStatus.CANCELLED:
        paragraphs = [f"{title} on {session_when(session, at=known)} is cancelled."]
        reason = session.booking.cancel_reason if session.booking is not None else ""
        if reason:
            paragraphs.append(f"The reason given: {reason}")
        subject = f"Cancelled: {title}, {session_day(session, at=known)}"
    else:
        paragraphs = [
            f"You are no longer expected at {title} on {session_when(session, at=known)}: "
            f"{session.booking.council.name} has changed who will attend."
        ]
        subject = f"No longer expected: {title}, {session_day(session, at=known)}"
    paragraphs.append("The session is taken out of your calendar; there is nothing more to do.")
    return Letter(subject=subject, greeting=f"Dear {name},", paragraphs=tuple(paragraphs))


def _pre_reading(invite: Invite) -> tuple[tuple[str, str], tuple[tuple[str, str], ...]]:
    """("Pre-reading", "3 documents") and the signed link to read it, when there is any."""
    booking = invite.session.booking
    n = booking.documents.count()
    until = reading_until(booking)
    if not n or until is None:
        return ("Pre-reading", ""), ()
    link = reading_link(participant_id=invite.participant_id, booking_id=booking.pk, until=until)
    return ("Pre-reading", counted(n, "1 document", "{n} documents")), (
        ("Read the pre-reading", link),
    )


def participant_invite_content(invite: Invite) -> InviteContent:
    session = invite.session
    booking = session.booking
    participant = invite.participant
    name = invite.recipient_name or invite.recipient_email
    if invite.method == InviteMethod.CANCEL:
        letter = _cancel_letter(invite, name)
        answer = ""
    else:
        title = session_title(session)
        update = _earlier(invite)
        answer = answer_link(
            participant_id=participant.pk, session=session, sequence=invite.sequence
        )
        pre_reading, reading = _pre_reading(invite)
        as_role = f" as {participant.role}" if participant.role else ""
        opening = (
            f"The details of {title} have changed. Please check them, and tell us again "
            "whether you will attend if anything you answered no longer holds."
            if update
            else f"{booking.council.name} has named you to attend {title}{as_role}. It is a "
            "virtual session with a small panel of LGA peers."
        )
        letter = Letter(
            subject=f"{'Updated invitation' if update else 'Invitation'}: {title}, "
            f"{session_day(session)}",
            greeting=f"Dear {name},",
            paragraphs=(
                opening,
                "Please tell us whether you will attend, so the panel knows who to expect.",
            ),
            facts=(
                ("When", session_when(session)),
                ("Your role", participant.role),
                ("Council", booking.council.name),
                ("Offer", session.offer.title),
                session_joining_fact(session),
                pre_reading,
            ),
            focus=session_focus(session),
            panel=session_panel_lines(session, with_status=False),
            actions=(("Tell us whether you will attend", answer), *reading),
            notes=(
                "The link to answer works without signing in "
                f"{answer_link_lifetime_text(session)}.",
            ),
        )
    letter = replace(
        letter,
        contact=session_contact(session),
        facts=with_reference(letter.facts, booking),
    )
    return InviteContent(
        subject=letter.subject,
        text=letter.text(),
        html=letter.html(),
        description=letter.description(),
        url=answer,
        location=session.joining_url if invite.method == InviteMethod.REQUEST else "",
    )

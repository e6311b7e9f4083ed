"""What each invite says: the words of a seat's outbox row for its peer, the booker or the
adviser (`invite_content`), built when it is sent from the session as it then is. The rows are
queued by `invites`."""

from dataclasses import replace

from django.urls import reverse

from scheduling.engine.uk_time import day_text
from sessions.mail.letters import Contact, Letter, letter_contact
from sessions.mail.links import absolute_url
from sessions.mail.outbox import InviteContent, invite_time
from sessions.models import (
    HOLDING_SEAT_STATUSES,
    Invite,
    InviteStatus,
    SeatStatus,
    Session,
    SessionStatus,
)
from sessions.selectors.bookings import booking_state
from sessions.selectors.series import series_lines
from sessions.services.answers import (
    ACCEPT,
    DECLINE,
    answer_link_expiry,
    answer_link_lifetime_text,
    answer_url,
)
from sessions.services.approval_letters import decider_name
from sessions.services.invites import CANCEL, FOR_INFORMATION, REQUEST
from sessions.services.series import series_answer_links
from sessions.services.session_changes import (
    ADVISER,
    BOOKER,
    PEER,
    place_given_up_text,
    session_changes,
    session_moved,
    session_moved_text,
)
from sessions.session_words import (
    session_contact,
    session_day,
    session_focus,
    session_joining_fact,
    session_panel,
    session_panel_lines,
    session_participants_fact,
    session_pre_reading_actions,
    session_pre_reading_fact,
    session_review_actions,
    session_review_fact,
    session_title,
    session_when,
    with_reference,
)


def invite_keeps_acceptance(invite: Invite) -> bool:
    """Whether this REQUEST goes to a peer who has accepted and need not answer again: an
    update that left the time alone (a move asks everyone again, see _mark_invited)."""
    return (
        invite.method == REQUEST
        and invite.seat is not None
        and invite.seat.status == SeatStatus.ACCEPTED
        and _earlier(invite) is not None
    )


def _earlier(invite: Invite) -> Invite | None:
    return (
        Invite.objects.filter(
            session=invite.session,
            recipient_email=invite.recipient_email,
            sequence__lt=invite.sequence,
        )
        .order_by("-sequence", "-id")
        .first()
    )


def _cancel_letter(invite: Invite, name: str) -> Letter:
    """A CANCEL names the session as its recipient knew it (a move may have changed its time)."""
    session = invite.session
    title = session_title(session)
    booking = session.booking
    known = invite_time(invite)
    if session.status == SessionStatus.CANCELLED:
        reason = booking.cancel_reason if booking is not None else ""
        paragraphs = [f"{title} on {session_when(session, at=known)} is cancelled."]
        if reason:
            paragraphs.append(f"The reason given: {reason}")
        if invite.seat_id is not None:
            paragraphs.append("Your seat is released; there is nothing more to do.")
        return Letter(
            subject=f"Cancelled: {title}, {session_day(session, at=known)}",
            greeting=f"Dear {name},",
            paragraphs=tuple(paragraphs),
        )
    if known != (session.start, session.end):
        why = "the booking moved, and your seat is released"
    elif invite.seat is not None and invite.seat.status == SeatStatus.DECLINED:
        why = (
            "you are no longer available then (your leave, a date or your hours changed), so "
            "your seat is released and the LGA is finding another peer"
        )
    else:
        why = "the panel changed, and your seat is released"
    return Letter(
        subject=f"No longer needed: {title}, {session_day(session, at=known)}",
        greeting=f"Dear {name},",
        paragraphs=(
            f"You are no longer needed on the panel for {title} on "
            f"{session_when(session, at=known)}: {why}.",
            "The session is taken out of your calendar; nothing more to do. Thank you.",
        ),
    )


def _peer_content(invite: Invite) -> InviteContent:
    session, seat = invite.session, invite.seat
    name = invite.recipient_name or invite.recipient_email
    my_sessions = absolute_url(reverse("my-sessions"))
    if invite.method == CANCEL:
        letter = _cancel_letter(invite, name)
        return _content(letter, session, url=my_sessions, location="")
    title = session_title(session)
    update = _earlier(invite) is not None
    kept = invite_keeps_acceptance(invite)
    until = answer_link_expiry(session)
    role = seat.role_name
    zone = seat.peer.time_zone if seat.peer else None
    decline = answer_url(seat_id=seat.pk, sequence=invite.sequence, answer=DECLINE, until=until)
    changes = _changes(invite, PEER) if update else ()
    series = series_lines(session, zone=zone)
    if kept:
        paragraphs = (
            f"The details of the {title} have changed; its time has not. You have accepted "
            f"the {role} seat and your answer stands: there is nothing to answer.",
        )
        actions = (
            ("See your sessions", my_sessions),
            ("I can no longer take the seat", decline),
        )
        notes = ("If you can no longer take the seat, the LGA finds another peer.",)
    else:
        if not update:
            paragraphs = (f"You are invited to take the {role} seat on the {title}.",)
        else:
            paragraphs = _peer_update_paragraphs(invite, title=title, zone=zone)
        accept = answer_url(seat_id=seat.pk, sequence=invite.sequence, answer=ACCEPT, until=until)
        actions = (
            ("Accept the seat", accept),
            ("Decline the seat", decline),
            ("All your sessions", my_sessions),
        )
        if every := series_answer_links(seat, sequence=invite.sequence, until=until):
            # A series is answered once; each session can still be answered alone.
            actions = (
                *every,
                ("Accept this session only", accept),
                ("Decline this session only", decline),
                ("All your sessions", my_sessions),
            )
        notes = (
            "The accept and decline links work without signing in "
            f"{answer_link_lifetime_text(session)}. If you decline, the LGA finds another peer.",
        )
    letter = Letter(
        subject=f"{'Updated invitation' if update else 'Invitation'}: {title}, {session_day(session)}",
        greeting=f"Dear {name},",
        paragraphs=paragraphs,
        facts=(
            ("When", session_when(session, zone=seat.peer.time_zone if seat.peer else None)),
            ("Your seat", role),
            ("Council", session.booking.council.name if session.booking else ""),
            ("Offer", session.offer.title),
            session_participants_fact(session),
            session_joining_fact(session),
            session_pre_reading_fact(session),
            session_review_fact(session),
        ),
        focus=session_focus(session),
        panel=session_panel_lines(session, with_status=False),
        changes=changes,
        series=series,
        actions=(*actions, *session_pre_reading_actions(session), *session_review_actions(session)),
        notes=notes,
    )
    return _content(letter, session, url=my_sessions, location=session.joining_url)


def _peer_update_paragraphs(invite: Invite, *, title: str, zone: str | None) -> tuple[str, ...]:
    """Why a peer is asked to answer again: the session moved (old and new times, and their
    acceptance reset by it), or its details changed."""
    session, seat = invite.session, invite.seat
    last = _last_sent(invite) or _earlier(invite)
    told = (last.session_start, last.session_end) if last is not None else (None, None)
    if not session_moved(session, told):
        return (
            f"The details of the {title} have changed; its time has not. You have not answered "
            "yet: please accept or decline the seat.",
        )
    had_accepted = seat.answered_sequence is not None and seat.status == SeatStatus.INVITED
    why = (
        f"You had accepted the {seat.role_name} seat; a new time needs a new answer, so your "
        "acceptance no longer stands. Please check you can make the new time, then accept or "
        "decline the seat again."
        if had_accepted
        else f"Please check you can make the new time, then accept or decline the "
        f"{seat.role_name} seat."
    )
    return (f"The {title} has moved. {session_moved_text(told, session, zone=zone)}", why)


def _last_sent(invite: Invite) -> Invite | None:
    """The latest message this recipient was actually sent about the session before this one
    (gathered updates that were superseded never went)."""
    return (
        Invite.objects.filter(
            session=invite.session,
            recipient_email=invite.recipient_email,
            sequence__lt=invite.sequence,
            status=InviteStatus.SENT,
        )
        .order_by("-sequence", "-id")
        .first()
    )


def _changes(invite: Invite, audience: str) -> tuple[str, ...]:
    """What changed on the session since the last message its recipient was sent."""
    last = _last_sent(invite)
    if last is None:
        return ()
    return session_changes(
        invite.session,
        since=last.sent_at or last.created_at,
        told=(last.session_start, last.session_end),
        audience=audience,
    )


def _changed_opening(title: str, changes: tuple[str, ...]) -> str:
    if len(changes) > 1:
        return f"{title} has changed since our last e-mail: {len(changes)} changes, oldest first."
    if changes:
        return f"{title} has changed since our last e-mail."
    return f"{title} has been updated."


def _booker_content(invite: Invite) -> InviteContent:
    session = invite.session
    booking = session.booking
    name = invite.recipient_name or invite.recipient_email
    page = absolute_url(reverse("booking-detail", kwargs={"booking_id": booking.pk}))
    if invite.method == CANCEL:
        return _content(_cancel_letter(invite, name), session, url=page, location="")
    title = session_title(session)
    earlier = _earlier(invite)
    changes = _changes(invite, BOOKER) if earlier is not None else ()
    approved = earlier is None and booking.decided_at is not None
    if approved:
        # A request: the booker's first message after it is its answer.
        opening = (
            f"Your request for {title} was approved by {decider_name(booking)} on "
            f"{day_text(booking.decided_at)}. This is the calendar invitation for it."
        )
    elif earlier is None:
        opening = f"This is the calendar invitation for {title}."
    else:
        opening = _changed_opening(title, changes)
    kind = "Updated" if earlier else ("Approved and booked" if approved else "Booked")
    letter = Letter(
        subject=f"{kind}: {title}, {session_day(session)}",
        greeting=f"Dear {name},",
        paragraphs=(
            opening,
            "Each peer is asked to accept their seat; the booking page shows their answers.",
        ),
        facts=(
            ("When", session_when(session)),
            ("Council", booking.council.name),
            ("Offer", session.offer.title),
            ("Booking", booking_state(booking)),
            (
                "Joining link",
                session.joining_url
                or "not set yet (add your online meeting's link on the booking page, "
                "and everyone is sent an update)",
            ),
        ),
        focus=session_focus(session),
        panel=session_panel_lines(session, with_status=True),
        changes=changes,
        actions=(("See the booking", page),),
    )
    return _content(letter, session, url=page, location=session.joining_url)


def _adviser_content(invite: Invite) -> InviteContent:
    session = invite.session
    booking = session.booking
    name = invite.recipient_name or invite.recipient_email
    page = absolute_url(reverse("booking-detail", kwargs={"booking_id": booking.pk}))
    if invite.method == CANCEL:
        return _content(
            _cancel_letter(invite, name),
            session,
            url=page,
            location="",
            contact=letter_contact(offer=session.offer),
        )
    title = session_title(session)
    changes = _changes(invite, ADVISER)
    unfilled = [
        s for s in session_panel(session) if s.peer is None and s.status in HOLDING_SEAT_STATUSES
    ]
    if unfilled:
        subject = f"Seat unfilled: {title}, {session_day(session)}"
        paragraphs = (
            f"A peer declined a seat on the panel for {title}, and no other eligible peer is "
            "free to take it. The seat stays unfilled until a peer is found:",
            *(
                f"{s.role_name}: {s.unfilled_reason.rstrip('.')}. {given_up}"
                if (given_up := place_given_up_text(s))
                else f"{s.role_name}: {s.unfilled_reason}"
                for s in unfilled
            ),
            "This is sent to you for information, as the council's Principal Adviser.",
        )
    else:
        subject = f"Updated: {title}, {session_day(session)}"
        paragraphs = (
            _changed_opening(title, changes),
            "Every seat on its panel is now filled.",
        )
    letter = Letter(
        subject=subject,
        greeting=f"Dear {name},",
        paragraphs=paragraphs,
        facts=(
            ("When", session_when(session)),
            ("Council", booking.council.name),
            ("Offer", session.offer.title),
        ),
        focus=session_focus(session),
        panel=session_panel_lines(session, with_status=True),
        changes=changes,
        actions=(("See the booking", page),),
    )
    return _content(
        letter,
        session,
        url=page,
        location=session.joining_url,
        contact=letter_contact(offer=session.offer),
    )


def _content(
    letter: Letter, session: Session, *, url: str, location: str, contact: Contact | None = None
) -> InviteContent:
    if letter.contact is None:
        letter = replace(letter, contact=contact or session_contact(session))
    letter = replace(letter, facts=with_reference(letter.facts, session.booking))
    return InviteContent(
        subject=letter.subject,
        text=letter.text(),
        html=letter.html(),
        description=letter.description(),
        url=url,
        location=location,
    )


def invite_content(invite: Invite) -> InviteContent:
    """What a session's message says to its recipient (a seated peer, the booker, the adviser)."""
    if invite.seat_id is not None:
        return _peer_content(invite)
    if invite.session.booking is None:
        raise ValueError(f"invite {invite.pk} has no seat, registration or booking to speak of")
    if invite.role == FOR_INFORMATION:
        return _adviser_content(invite)
    return _booker_content(invite)

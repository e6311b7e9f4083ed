"""What registrants' e-mails say: the calendar invite of a place (with its links to cancel
and to manage the private calendar, and what to watch before), the letter that confirms a
registration request, the letter to someone on the waiting list, and the one that says the
recording is there."""

import logging
from dataclasses import replace

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from scheduling.engine.uk_time import day_text
from sessions.mail.letters import Letter, letter_contact
from sessions.mail.links import absolute_url
from sessions.mail.outbox import InviteContent
from sessions.models import Invite, InviteMethod, InviteStatus, Session, SessionStatus
from sessions.webinars.models import (
    MaterialKind,
    Registration,
    RegistrationRequest,
    RegistrationStatus,
)
from sessions.webinars.selectors import links as webinar_links
from sessions.webinars.selectors import materials as materials_selectors
from sessions.webinars.selectors import webinars as selectors

logger = logging.getLogger(__name__)

# Registrations (and requests for a calendar link) allowed per minute, per client address and
# per e-mail address; settings.WEBINAR_THROTTLE overrides these.


# What registrants' e-mails say -------------------------------------------------------------------


def registration_links(registration: Registration) -> dict[str, str]:
    """The absolute links a registrant's e-mails carry."""
    return {
        "page": absolute_url(
            reverse("webinar-detail", kwargs={"webinar_id": registration.session_id})
        ),
        "cancel": absolute_url(
            reverse(
                "webinar-registration-cancel",
                kwargs={"key": webinar_links.registration_cancel_key(registration)},
            )
        ),
        "calendar": absolute_url(
            reverse("feed-manage", kwargs={"key": webinar_links.calendar_manage_key(registration)})
        ),
        "calendars": absolute_url(reverse("feed-list")),
    }


def registration_invite_content(invite: Invite) -> InviteContent:
    """What a registrant's invite or cancellation says, besides the calendar data.

    The joining link goes in LOCATION and the body of a REQUEST; a CANCEL says whether the
    webinar or only the person's place was cancelled.
    """
    registration = invite.registration
    session = Session.objects.select_related("offer").get(pk=invite.session_id)
    webinar = selectors.webinar_view(session, now=timezone.now())
    links = registration_links(registration)
    title = webinar.title
    when = webinar.when_text
    earlier_request = (
        Invite.objects.filter(
            session_id=invite.session_id,
            recipient_email=invite.recipient_email,
            sequence__lt=invite.sequence,
            status=InviteStatus.SENT,
        )
        .order_by("-sequence", "-created_at")
        .values_list("method", flat=True)
        .first()
    )
    day = day_text(webinar.start)
    calendar_note = (
        "Your private calendar link lists every webinar you register for, with the joining "
        "links. If you have lost it, or think someone else has it, get a new one or turn it off "
        "with the link above."
    )
    calendar_link = ("Get a new private calendar link, or turn it off", links["calendar"])
    joining = ""
    before = ()
    if invite.method == InviteMethod.CANCEL:
        if session.status == SessionStatus.CANCELLED:
            subject = f"Cancelled: {title}, {day}"
            opening = f"The LGA has cancelled the webinar {title}, {when}. We are sorry."
        else:
            subject = f"Your place is cancelled: {title}, {day}"
            opening = f"Your place on {title}, {when}, is cancelled. Someone waiting will have it."
        paragraphs = (opening,)
        actions = (
            ("See the webinar", links["page"]),
            calendar_link,
            ("Public calendars of all LGA webinars", links["calendars"]),
        )
    else:
        if earlier_request == InviteMethod.REQUEST:
            subject = f"Updated: {title}, {day}"
            opening = f"The webinar {title} has changed. It is now on {when}."
        elif selectors.place_came_from_waiting_list(registration, by=invite.created_at):
            subject = f"A place has freed, and it is yours: {title}, {day}"
            opening = (
                f"A place has freed on the LGA webinar {title}, {when}. You were on its "
                "waiting list, so the place is now yours: you are registered."
            )
        else:
            subject = f"Your place: {title}, {day}"
            opening = f"You have a place on the LGA webinar {title}, {when}."
        joining = session.joining_url
        before = tuple(
            m.pair for m in materials_selectors.material_links(registration, MaterialKind.BEFORE)
        )
        paragraphs = (
            opening,
            "The joining link is below."
            if joining
            else "The joining link will be sent to you before the webinar.",
            "If you can no longer come, give up your place so someone waiting can have it.",
        )
        actions = (
            *(
                (("Join the webinar", joining),)
                if joining
                else (("See the webinar", links["page"]),)
            ),
            ("Give up your place", links["cancel"]),
            *((("See the webinar", links["page"]),) if joining else ()),
            calendar_link,
            ("Public calendars of all LGA webinars", links["calendars"]),
        )
    letter = Letter(
        subject=subject,
        greeting=f"Dear {registration.name},",
        paragraphs=paragraphs,
        facts=(
            ("Webinar", title),
            ("When", when),
            ("Joining link", joining),
        ),
        materials_heading=materials_selectors.BEFORE_HEADING,
        materials=before,
        actions=actions,
        notes=(calendar_note,),
        contact=letter_contact(offer=session.offer),
    )
    description = "\n\n".join(
        part
        for part in (
            session.offer.summary,
            f"Joining link: {joining}" if joining else "",
            "\n".join(
                [f"{materials_selectors.BEFORE_HEADING}:"]
                + [f"- {title}: {url}" for title, url in before]
            )
            if before
            else "",
            f"To give up your place: {links['cancel']}"
            if invite.method == InviteMethod.REQUEST
            else "",
        )
        if part
    )
    return InviteContent(
        subject=subject,
        text=letter.text(),
        html=letter.html(),
        description=description,
        url=links["page"],
        location=joining,
    )


def feed_manage_link_send(email: str) -> bool:
    """The task: mail the manage link to an address that has registered; True if sent."""
    registration = selectors.latest_registration(email)
    if registration is None:
        return False
    link = absolute_url(
        reverse("feed-manage", kwargs={"key": webinar_links.calendar_manage_key(registration)})
    )
    letter = Letter(
        subject="Your LGA webinar calendar link",
        greeting=f"Dear {registration.name},",
        paragraphs=(
            "Someone (we hope you) asked for a link to your private LGA webinar calendar.",
            "Open the page below to get a new private calendar link, or to turn it off.",
            "Getting a new link stops the old one working. If you did not ask, you can ignore "
            "this e-mail.",
        ),
        actions=(("Get a new link, or turn it off", link),),
    )
    letter.message(registration.email).send()
    return True


# Registrants' other e-mails ----------------------------------------------------------------------


def _webinar_words(session: Session) -> tuple[str, str, str]:
    """(title, when, short date) as every registrant's e-mail writes them."""
    webinar = selectors.webinar_view(session, now=timezone.now())
    return webinar.title, webinar.when_text, day_text(webinar.start)


def registration_confirmation_send(request_id: int) -> bool:
    """The task: mail a request's address its confirmation link, or, if the address already
    has a place (or waiting-list place) on the webinar, say so. False if the request is gone.

    The e-mail names no one: the name and the rest were typed by whoever asked."""
    request = (
        RegistrationRequest.objects.select_related("session__offer").filter(pk=request_id).first()
    )
    if request is None or request.confirmed_at is not None:
        return False
    title, when, day = _webinar_words(request.session)
    asked = (
        f"Someone (we hope you) asked to register this address for the LGA webinar {title}, {when}."
    )
    existing = selectors.registration_of(request)
    if existing is not None:
        links = registration_links(existing)
        position = selectors.waiting_position(existing)
        held = (
            f"You are already number {position} on its waiting list"
            if position
            else "You already have a place on it"
        )
        letter = Letter(
            subject=f"You are already registered: {title}, {day}",
            greeting="Hello,",
            paragraphs=(
                asked,
                f"{held}, so nothing has changed.",
                "If you did not ask, you can ignore this e-mail: nobody else can see or change "
                "your registration.",
            ),
            facts=(("Webinar", title), ("When", when)),
            actions=(
                (
                    "Leave the waiting list" if position else "Give up your place",
                    links["cancel"],
                ),
                ("About the webinar", links["page"]),
            ),
        )
    else:
        link = absolute_url(
            reverse(
                "webinar-registration-confirm",
                kwargs={"key": webinar_links.registration_confirm_key(request)},
            )
        )
        hours = int(webinar_links.CONFIRM_LINK_AGE.total_seconds() // 3600)
        letter = Letter(
            subject=f"Confirm your place: {title}, {day}",
            greeting="Hello,",
            paragraphs=(
                asked,
                "Confirm it to take a place, or a place on the waiting list if the webinar is "
                "full. Nothing is booked until you do.",
                f"The link works for {hours} hours.",
            ),
            facts=(("Webinar", title), ("When", when)),
            actions=(("Confirm your place", link),),
            notes=(
                "If you did not ask, ignore this e-mail: the address is not registered and "
                "nobody is sent a calendar for it.",
            ),
        )
    letter = replace(letter, contact=letter_contact(offer=request.session.offer))
    letter.message(request.email).send()
    return True


def waiting_list_mail_send(registration_id: int) -> bool:
    """The task: tell someone who joined a waiting list their number and how to leave it.
    False if they are no longer waiting (a place freed first, or they left)."""
    registration = (
        Registration.objects.select_related("session__offer").filter(pk=registration_id).first()
    )
    if registration is None or registration.status != RegistrationStatus.WAITING:
        return False
    title, when, day = _webinar_words(registration.session)
    position = selectors.waiting_position(registration)
    links = registration_links(registration)
    letter = Letter(
        subject=f"You are on the waiting list: {title}, {day}",
        greeting=f"Dear {registration.name},",
        paragraphs=(
            f"Every place on {title}, {when}, is taken, so you are on the waiting list: "
            f"number {position}.",
            "If a place frees, it is yours: we e-mail you an invitation with the joining link.",
            "If you no longer want a place, leave the waiting list so the next person moves up.",
        ),
        facts=(("Webinar", title), ("When", when), ("Waiting list", f"Number {position}")),
        actions=(("Leave the waiting list", links["cancel"]), ("About the webinar", links["page"])),
        notes=(
            "If you sign in to LGA peer support, your webinars are also listed on My webinars: "
            + absolute_url(reverse("my-webinars")),
        ),
        contact=letter_contact(offer=registration.session.offer),
    )
    letter.message(registration.email).send()
    return True


def recording_news_send(session_id: int) -> int:
    """The task: tell everyone who registered (or was left waiting) that the webinar's
    recording is there, with its slides; once each, so a retry or a second run sends nothing
    new. Each person is marked before their letter goes (at most once, as reminders are) and
    unmarked if it fails, so the next run tries them again. Returns how many were sent."""
    session = Session.objects.select_related("offer").filter(pk=session_id).first()
    if session is None or not session.recording_url:
        return 0
    title, when, day = _webinar_words(session)
    sent = 0
    waiting = session.registrations.filter(
        Q(status=RegistrationStatus.REGISTERED) | Q(status=RegistrationStatus.WAITING),
        recording_told_at__isnull=True,
    ).order_by("id")
    for registration in waiting:
        marked = Registration.objects.filter(
            pk=registration.pk, recording_told_at__isnull=True
        ).update(recording_told_at=timezone.now())
        if not marked:
            continue  # another run has it
        registration.session = session
        slides = materials_selectors.material_links(registration, MaterialKind.SLIDES)
        letter = Letter(
            subject=f"The recording: {title}, {day}",
            greeting=f"Dear {registration.name},",
            paragraphs=(
                f"The recording of the LGA webinar {title}, {when}, is ready to watch"
                + (", with the slides." if slides else "."),
                "You registered for it, so we are letting you know. Watch it again, or catch "
                "up on what you missed.",
            ),
            facts=(("Webinar", title), ("When", when)),
            materials_heading=materials_selectors.AFTER_HEADING,
            materials=(("The recording", session.recording_url), *(m.pair for m in slides)),
            actions=(
                ("Watch the recording", session.recording_url),
                ("About the webinar", registration_links(registration)["page"]),
            ),
            contact=letter_contact(offer=session.offer),
        )
        try:
            letter.message(registration.email).send()
        except Exception:
            logger.exception("Recording news for %s failed; retrying later", session.uid)
            Registration.objects.filter(pk=registration.pk).update(recording_told_at=None)
            continue
        sent += 1
    return sent

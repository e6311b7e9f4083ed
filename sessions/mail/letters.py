"""Letters: the words of every e-mail the service sends, in one layout (panels and webinars
alike; a session's facts in a letter's words are sessions/services/letters.py).

Invites, updates, cancellations, reminders, summaries for the booker, webinar places,
waiting-list and confirmation e-mails are each a `Letter`, rendered by the same two templates
(`sessions/email/letter.html` and `.txt`): an LGA header, the message, at most one primary
action and one quieter secondary one, a named contact, and a plain-text part that says the
same. Dates and times are written by `scheduling.engine.uk_time` (`when_text`, `day_text`)
and nowhere else. A session is named, dated and its panel listed the same way in every letter
and page that speaks of it (`session_title`, `session_when`, `session_panel_lines`, ...).
"""

from dataclasses import dataclass
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

FOCUS_LABEL = "What the council wants the panel to focus on"


@dataclass(frozen=True)
class Contact:
    """The person a recipient can write to about a message."""

    name: str
    email: str
    role: str = ""  # e.g. "Principal Adviser for Wigan Council"


def recipient(email: str, name: str = "") -> str:
    """A message's To: as every message writes it, "Name <address>" (the name without the
    double quotes some clients choke on), or the bare address when there is no name."""
    name = " ".join(name.replace('"', "").split())
    return formataddr((name, email)) if name else email


def service_contact() -> Contact:
    """The service's own mailbox: the contact when an offer and its council name nobody."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return Contact(name=name or "LGA peer support", email=address)


def letter_contact(*, offer=None, council=None) -> Contact:
    """Who to write to: the offer's contact mailbox, else the council's Principal Adviser,
    else the service's own mailbox."""
    if offer is not None and offer.contact_email:
        return Contact(name=f"the {offer.title} team", email=offer.contact_email)
    adviser = council.principal_adviser if council is not None else None
    if adviser is not None and adviser.email:
        return Contact(
            name=adviser.get_full_name() or adviser.username,
            email=adviser.email,
            role=f"Principal Adviser for {council.name}",
        )
    return service_contact()


@dataclass(frozen=True)
class Letter:
    """The words of one message, rendered as plain text and as HTML by the same templates.

    `actions` are (label, absolute URL): the first is the message's primary action (a solid
    button), the second a quieter secondary one (an outlined button), any more plain links.
    `focus` is the council's notes for the panel, given to peers as the council wrote them.
    """

    subject: str
    greeting: str
    paragraphs: tuple[str, ...] = ()
    facts: tuple[tuple[str, str], ...] = ()  # (label, value)
    focus: str = ""
    panel: tuple[tuple[str, str], ...] = ()  # (role, who)
    changes: tuple[str, ...] = ()
    # Every session of a series (coaching calls, days of support), one line each.
    series: tuple[str, ...] = ()
    # Links to read or watch (a webinar's videos and reading, its recording), under a heading.
    materials_heading: str = ""
    materials: tuple[tuple[str, str], ...] = ()  # (title, absolute URL)
    actions: tuple[tuple[str, str], ...] = ()  # (label, absolute URL)
    notes: tuple[str, ...] = ()
    contact: Contact | None = None

    @property
    def primary(self) -> tuple[str, str] | None:
        return self.actions[0] if self.actions else None

    @property
    def secondary(self) -> tuple[str, str] | None:
        return self.actions[1] if len(self.actions) > 1 else None

    @property
    def links(self) -> tuple[tuple[str, str], ...]:
        return self.actions[2:]

    @property
    def focus_label(self) -> str:
        return FOCUS_LABEL

    @property
    def sender(self) -> Contact:
        return self.contact or service_contact()

    def _context(self) -> dict:
        return {"letter": self, "contact": self.sender}

    def text(self) -> str:
        return render_to_string("sessions/email/letter.txt", self._context())

    def html(self) -> str:
        return render_to_string("sessions/email/letter.html", self._context())

    def message(self, email: str, name: str = "") -> EmailMultiAlternatives:
        """The letter as an e-mail to one person, from the service: plain text and HTML.
        `name` only when the service knows it (a user's, a peer's), never one a stranger typed."""
        message = EmailMultiAlternatives(
            subject=self.subject,
            body=self.text(),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[recipient(email, name)],
            reply_to=[self.contact.email] if self.contact else None,
        )
        message.attach_alternative(self.html(), "text/html")
        return message

    def description(self) -> str:
        """The calendar event's DESCRIPTION: the facts, the council's notes, the panel and
        the links."""
        lines = [f"{label}: {value}" for label, value in self.facts if value]
        if self.focus:
            lines += ["", f"{FOCUS_LABEL}:", self.focus]
        if self.series:
            lines += ["", "All sessions of the series:"] + [f"- {line}" for line in self.series]
        if self.materials:
            lines += ["", f"{self.materials_heading}:"]
            lines += [f"- {title}: {url}" for title, url in self.materials]
        if self.panel:
            lines += ["", "The panel:"] + [f"- {role}: {who}" for role, who in self.panel]
        if self.actions:
            lines += [""] + [f"{label}: {url}" for label, url in self.actions]
        if self.contact:
            lines += ["", f"Contact: {self.contact.name}, {self.contact.email}"]
        return "\n".join(lines)

"""Webinar reminders, 48 and 2 hours before, through the same reminder run and keying as
panels: to everyone with a place, with the joining link; anew when the webinar moves; none
once it is cancelled or the place is given up."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail

from sessions.models import Reminder
from sessions.programme import reminders
from sessions.webinars.models import RegistrationStatus
from sessions.webinars.selectors import links as webinar_links
from sessions.webinars.services import registrations as services
from tests.factories import (
    JOIN,
    a_webinar,
    register,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def webinar():
    """Ann and Bob have the two places; Cat waits; Dee gave hers up."""
    session = a_webinar(capacity=2, days=10)
    for name in ("ann", "bob", "cat", "dee"):
        register(session, f"{name}@example.org", name=name.title())
    dee = session.registrations.get(email="dee@example.org")
    assert dee.status == RegistrationStatus.WAITING
    services.registration_cancel(registration=dee)
    return session


def sent_to() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_reminders_go_to_people_with_a_place_with_the_joining_link(webinar, read_mail):
    start = webinar.start
    assert reminders.reminders_send(now=start - timedelta(hours=49)) == 0
    assert reminders.reminders_send(now=start - timedelta(hours=47)) == 2
    assert sent_to() == ["ann@example.org", "bob@example.org"]
    ann = read_mail(next(m for m in mail.outbox if m.to == ["ann@example.org"]))
    assert ann["headers"]["Subject"] == "Reminder: The role of the ward councillor, in 2 days"
    assert "Dear Ann," in ann["text"]
    assert f"Joining link: {JOIN}" in ann["text"]
    assert f'href="{JOIN}"' in ann["text/html"]
    cancel = next(word for word in ann["text"].split() if "/cancel/" in word)
    registration = webinar_links.registration_for_cancel_key(urlsplit(cancel).path.split("/")[3])
    assert registration.email == "ann@example.org"
    assert f"/webinars/{webinar.pk}/" in ann["text"]

    # Once per kind and start: the next run sends nothing, the 2-hour one sends again.
    assert reminders.reminders_send(now=start - timedelta(hours=46)) == 0
    assert reminders.reminders_send(now=start - timedelta(hours=1, minutes=50)) == 2
    assert "in 2 hours" in mail.outbox[-1].subject
    assert reminders.reminders_send(now=start - timedelta(hours=1)) == 0
    assert Reminder.objects.filter(session=webinar).count() == 4


def test_a_place_given_up_or_taken_from_the_waiting_list_is_reminded_accordingly(webinar):
    services.registration_cancel(registration=webinar.registrations.get(email="bob@example.org"))
    assert reminders.reminders_send(now=webinar.start - timedelta(hours=47)) == 2
    assert sent_to() == ["ann@example.org", "cat@example.org"]  # Cat moved up


def test_a_moved_webinar_is_reminded_anew_at_its_new_time(webinar):
    old_start = webinar.start
    assert reminders.reminders_send(now=old_start - timedelta(hours=47)) == 2
    new_start = old_start + timedelta(days=3)
    services.webinar_update(session=webinar, start=new_start, now=old_start - timedelta(hours=47))
    # Nothing is due at the old time any more; at the new one, both are reminded again.
    assert reminders.reminders_send(now=old_start - timedelta(hours=1)) == 0
    assert reminders.reminders_send(now=new_start - timedelta(hours=47)) == 2
    assert Reminder.objects.filter(session=webinar, session_start=new_start).count() == 2


def test_a_cancelled_webinar_is_not_reminded(webinar):
    assert reminders.reminders_send(now=webinar.start - timedelta(hours=47)) == 2
    services.webinar_cancel(session=webinar, now=webinar.start - timedelta(hours=47))
    assert reminders.reminders_send(now=webinar.start - timedelta(hours=1)) == 0
    assert len(mail.outbox) == 2

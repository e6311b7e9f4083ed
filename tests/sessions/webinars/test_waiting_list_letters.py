"""A place freed from the waiting list arrives in a letter that says so, not as an ordinary
registration: read back from the bytes that went to the mail server."""

import pytest
from django.core import mail

from sessions.models import Invite, InviteMethod
from sessions.tasks import send_invite
from sessions.webinars.models import Registration
from sessions.webinars.services import registrations as services
from tests.factories import a_webinar, register
from tests.sent_mail import Mail

pytestmark = pytest.mark.django_db
FREED = "A place has freed, and it is yours: The role of the ward councillor, "


def sent_to(email: str) -> Mail:
    (invite,) = Invite.objects.filter(
        recipient_email=email, method=InviteMethod.REQUEST, status="pending"
    )
    assert send_invite(invite.pk) == "sent"
    return Mail.of(mail.outbox[-1])


def test_the_first_person_waiting_is_told_the_place_freed_for_them():
    webinar = a_webinar(capacity=1)
    ann = register(webinar, "ann@example.org").registration
    ordinary = sent_to("ann@example.org")
    assert ordinary.subject.startswith("Your place: The role of the ward councillor, ")
    assert "waiting list" not in ordinary.text

    register(webinar, "bob@example.org", name="Bob Evans")
    assert not Invite.objects.filter(recipient_email="bob@example.org").exists()
    services.registration_cancel(registration=ann)

    freed = sent_to("bob@example.org")
    assert freed.to == "bob@example.org"
    assert freed.subject.startswith(FREED)
    for body in (freed.text, freed.html):
        assert "A place has freed on the LGA webinar The role of the ward councillor" in body
        assert "You were on its waiting list, so the place is now yours" in body
        assert "Give up your place" in body
    assert "You have a place on the LGA webinar" not in freed.text
    assert freed.method == "REQUEST"
    assert b"METHOD:REQUEST" in freed.calendar and webinar.uid.encode() in freed.calendar


def test_more_places_from_staff_reach_those_waiting_with_the_same_letter():
    webinar = a_webinar(capacity=1)
    register(webinar, "ann@example.org")
    register(webinar, "bob@example.org", name="Bob Evans")
    services.webinar_update(session=webinar, capacity=2)
    assert sent_to("bob@example.org").subject.startswith(FREED)


def test_coming_back_after_giving_up_a_place_is_an_ordinary_registration():
    webinar = a_webinar(capacity=2)
    ann = register(webinar, "ann@example.org").registration
    sent_to("ann@example.org")
    services.registration_cancel(registration=ann)
    cancel = Invite.objects.get(recipient_email="ann@example.org", method=InviteMethod.CANCEL)
    assert send_invite(cancel.pk) == "sent"
    register(webinar, "ann@example.org")
    again = sent_to("ann@example.org")
    assert again.subject.startswith("Your place: ")
    assert "waiting list" not in again.text


def test_a_later_change_to_a_freed_place_is_an_update():
    webinar = a_webinar(capacity=1)
    ann = register(webinar, "ann@example.org").registration
    register(webinar, "bob@example.org", name="Bob Evans")
    services.registration_cancel(registration=ann)
    sent_to("bob@example.org")
    services.webinar_update(session=webinar, joining_url="https://meet.example.org/j/new")
    update = sent_to("bob@example.org")
    assert update.subject.startswith("Updated: The role of the ward councillor, ")
    assert Registration.objects.get(email="bob@example.org").status == "registered"

"""People registering for the last places at the same moment: never more registered than
there are places, the rest wait, and each person has one registration. Real threads, real
database connections."""

import json
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from sessions.models import Invite, Offer
from sessions.webinars.models import Registration, RegistrationStatus
from sessions.webinars.services.registrations import webinar_schedule
from tests.factories import at_once, bearer, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("catalogue")]


def register_at_once(session, emails):
    """Each person signed in with their own address, so each registers at once."""
    users = {}
    for email in emails:
        if email not in users:
            user = make_user(email.split("@")[0])
            user.email = email
            user.save(update_fields=["email"])
            users[email] = bearer(user)["Authorization"]

    def registration(i, email):
        body = {
            "name": f"Person {i}",
            "email": email,
            "council_name": "Anytown Borough Council",
            "role": "Ward councillor",
        }
        return lambda: Client(REMOTE_ADDR=f"10.0.0.{i + 1}").post(
            f"/api/webinars/{session.pk}/registrations",
            data=json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=users[email],
        )

    return at_once([registration(i, email) for i, email in enumerate(emails)])


def test_the_last_places_go_to_as_many_people_as_there_are_places():
    cache.clear()
    start = timezone.now() + timedelta(days=14)
    session = webinar_schedule(
        offer=Offer.objects.get(slug="webinar-role-of-the-ward-councillor"),
        start=start,
        capacity=2,
    )
    emails = [f"person{n}@example.org" for n in range(6)]
    responses = register_at_once(session, emails)
    assert [r.status_code for r in responses] == [201] * 6
    statuses = sorted(r.json()["status"] for r in responses)
    assert statuses == ["registered"] * 2 + ["waiting"] * 4
    assert Registration.objects.filter(status=RegistrationStatus.REGISTERED).count() == 2
    assert Invite.objects.count() == 2
    positions = sorted(
        r.json()["waiting_position"] for r in responses if r.json()["waiting_position"]
    )
    assert positions == [1, 2, 3, 4]


def test_one_address_registering_twice_at_once_gets_one_registration():
    cache.clear()
    session = webinar_schedule(
        offer=Offer.objects.get(slug="webinar-importance-of-opposition"),
        start=timezone.now() + timedelta(days=14),
    )
    responses = register_at_once(session, ["same@example.org"] * 3)
    assert sorted(r.status_code for r in responses) == [200, 200, 201]
    assert len({r.json()["id"] for r in responses}) == 1
    assert Registration.objects.count() == 1 and Invite.objects.count() == 1


def test_fifty_people_registering_at_once_never_meet_a_server_error():
    cache.clear()
    session = webinar_schedule(
        offer=Offer.objects.get(slug="webinar-role-of-the-ward-councillor"),
        start=timezone.now() + timedelta(days=14),
        capacity=30,
    )
    responses = register_at_once(session, [f"crowd{n}@example.org" for n in range(50)])
    assert [r.status_code for r in responses] == [201] * 50, [
        r.content[:200] for r in responses if r.status_code != 201
    ]
    assert Registration.objects.filter(status=RegistrationStatus.REGISTERED).count() == 30
    assert Registration.objects.filter(status=RegistrationStatus.WAITING).count() == 20


def test_confirmation_links_followed_at_once_give_out_only_the_places_there_are():
    from sessions.webinars.selectors.links import registration_confirm_key
    from sessions.webinars.services.registrations import registration_request

    cache.clear()
    session = webinar_schedule(
        offer=Offer.objects.get(slug="webinar-role-of-the-ward-councillor"),
        start=timezone.now() + timedelta(days=14),
        capacity=2,
    )
    keys = [
        registration_confirm_key(
            registration_request(
                session=session,
                name=f"Person {n}",
                email=f"person{n}@example.org",
                council_name="Anytown Borough Council",
                role="Ward councillor",
            )
        )
        for n in range(6)
    ]
    responses = at_once(
        [lambda key=key: Client().post(f"/webinars/places/{key}/confirm/") for key in keys]
    )
    assert [r.status_code for r in responses] == [302] * 6
    assert Registration.objects.filter(status=RegistrationStatus.REGISTERED).count() == 2
    assert Registration.objects.filter(status=RegistrationStatus.WAITING).count() == 4
    assert Invite.objects.count() == 2

"""A small programme in which each kind of person has left data everywhere the service keeps
it: seats on a past and a future panel, bookings, a webinar place past and to come, feeds,
history, messages sent as development mail files, the admin's log."""

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from peers.models import Peer
from sessions.models import Booking, Offer, Seat, Session
from sessions.webinars.services import registrations as webinar_services
from sessions.webinars.services.feed_tokens import feed_token_issue
from tests.factories import (
    PANEL,
    WARD,
    a_booking,
    a_signed_in_panel,
    a_webinar,
    bookable_day,
    london,
    make_councillor,
    make_user,
    register,
)
from tests.privacy.traces import deliver_all


@dataclass
class Person:
    kind: str
    email: str  # the address staff ask by
    needles: tuple[str, ...]  # what must not be findable after the erasure


@dataclass
class Programme:
    people: dict[str, Person]
    future: Booking
    past: Booking
    mail: Path
    member: Peer
    reserve: Peer


def named(user, first: str, last: str, email: str):
    user.first_name, user.last_name, user.email = first, last, email
    user.save()
    return user


@pytest.fixture
def programme(db, settings, tmp_path, django_capture_on_commit_callbacks, empty_broker):
    settings.MAILERS = {
        "default": {
            "BACKEND": "scheduling.mail_files.EmlFileBackend",
            "OPTIONS": {"file_path": str(tmp_path / "mail")},
        }
    }
    (tmp_path / "mail").mkdir()
    capture = django_capture_on_commit_callbacks
    Offer.objects.filter(slug=PANEL).update(needs_approval=False)
    adviser = named(
        make_user("adaeze.mo"), "Adaeze", "Montgomery-Okoro", "a.montgomery@lga.example.org"
    )
    staff = named(
        make_user("stanislav.fl", is_staff=True),
        "Stanislav",
        "Ferreira-Lund",
        "s.ferreira-lund@lga.example.org",
    )
    panel = a_signed_in_panel(adviser=adviser, booker="bernadette.qf")
    named(panel.booker, "Bernadette", "Quimby-Fox", "b.quimby-fox@wigan.example.org")
    member = panel.peers["member"]
    member.name, member.email = "Gwendolyn Achterberg", "g.achterberg@peers.example.org"
    member.save()
    named(member.user, "Gwendolyn", "Achterberg", "gwendolyn.a@home.example.org")
    councillor = named(
        make_councillor(panel.council, "cerys.ap"),
        "Cerys",
        "Abernathy-Pryce",
        "cerys.ap@wigan.example.org",
    )

    # The reserve stands by: the member peer sits on both panels, the reserve steps in later.
    Peer.objects.filter(pk=panel.reserve.pk).update(is_active=False)
    # A panel booked by the booker, moved into the past (the seats are facts to keep) ...
    past = a_booking(panel, london(bookable_day(weeks_ahead=5), 10), capture=capture)
    shift = timedelta(days=70) + (past.start - timezone.now())
    for session in Session.objects.filter(booking=past):
        Session.objects.filter(pk=session.pk).update(
            start=session.start - shift, end=session.end - shift
        )
        for seat in Seat.objects.filter(session=session):
            Seat.objects.filter(pk=seat.pk).update(
                held_from=seat.held_from - shift, held_until=seat.held_until - shift
            )
    Booking.objects.filter(pk=past.pk).update(start=past.start - shift)
    # ... and one to come, on which the member peer sits.
    future = a_booking(panel, london(bookable_day(weeks_ahead=3), 10), capture=capture)
    deliver_all(capture)
    assert Seat.objects.filter(session__booking=future, peer=member).exists()
    Peer.objects.filter(pk=panel.reserve.pk).update(is_active=True)

    # Staff books for the council in a browser; the adviser cancels it: history names both.
    client = Client()
    client.force_login(staff)
    with capture(execute=True):
        response = client.post(
            "/api/bookings",
            data={
                "offer": PANEL,
                "council": panel.council.pk,
                "start": london(bookable_day(weeks_ahead=7), 10).isoformat(),
                "notes": "",
            },
            content_type="application/json",
        )
    assert response.status_code == 201, response.content
    client.force_login(adviser)
    with capture(execute=True):
        response = client.post(
            f"/api/bookings/{response.json()['id']}/cancel",
            data={"reason": "The council asked for a later date."},
            content_type="application/json",
        )
    assert response.status_code == 200, response.content

    # The councillor: a place on a webinar to come, one on a past webinar, a private feed.
    with capture(execute=True):
        register(a_webinar(WARD, days=20), councillor.email, name="Cerys Abernathy-Pryce")
        long_ago = timezone.now() - timedelta(days=60)
        past_webinar = webinar_services.webinar_schedule(
            offer=Offer.objects.get(slug=WARD), start=long_ago + timedelta(days=30), now=long_ago
        )
        register(past_webinar, councillor.email, name="Cerys Abernathy-Pryce", now=long_ago)
        feed_token_issue(email=councillor.email)
    deliver_all(capture)

    people = {
        "peer": Person(
            "peer",
            member.email,
            ("Gwendolyn Achterberg", "g.achterberg@peers.example.org", "gwendolyn.a@home"),
        ),
        "councillor": Person(
            "councillor", councillor.email, ("Cerys Abernathy-Pryce", "cerys.ap@wigan")
        ),
        "booker": Person(
            "booker", panel.booker.email, ("Bernadette Quimby-Fox", "b.quimby-fox@wigan")
        ),
        "adviser": Person(
            "adviser", adviser.email, ("Adaeze Montgomery-Okoro", "a.montgomery@lga")
        ),
        "staff": Person("staff", staff.email, ("Stanislav Ferreira-Lund", "s.ferreira-lund@lga")),
    }
    return Programme(
        people=people,
        future=future,
        past=past,
        mail=tmp_path / "mail",
        member=member,
        reserve=panel.reserve,
    )

"""Webinars: scheduling, registration with a waiting list, moves and cancellations, and what
registrants are sent (the invites queued in the outbox, and the e-mails they become)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from scheduling.engine.uk_time import LONDON, day_text
from sessions.models import Invite, InviteMethod, Offer, OfferStatus, Session, SessionStatus
from sessions.tasks import send_invite
from sessions.webinars.models import FeedToken, Registration, RegistrationStatus
from sessions.webinars.selectors import links as webinar_links
from sessions.webinars.selectors import webinars as selectors
from sessions.webinars.selectors.feed_tokens import feed_is_live, feed_token_owner
from sessions.webinars.services import feed_tokens as webinar_feed_tokens
from sessions.webinars.services import letters as webinar_letters
from sessions.webinars.services import registrations as services
from tests.factories import (
    JOIN,
    OPPOSITION,
    WARD,
    a_webinar,
    in_days,
    invites,
    london,
    make_council,
    register,
)

pytestmark = pytest.mark.django_db


# Scheduling --------------------------------------------------------------------------------------


def test_staff_schedule_a_webinar_with_the_offers_seats_and_length():
    session = a_webinar(hour=18)
    offer = Offer.objects.get(slug=WARD)
    assert session.booking is None
    assert session.capacity == offer.seats == 100
    assert session.end - session.start == timedelta(minutes=offer.duration_minutes)
    assert session.start.astimezone(LONDON).hour == 18
    assert session.uid.endswith("@peers.local.gov.uk")
    assert session.sequence == 0
    assert selectors.webinar_get(webinar_id=session.pk).places_left == 100


def test_scheduling_refuses_a_panel_offer_a_past_start_and_a_bad_link():
    panel = Offer.objects.get(slug="recovery-and-renewal-panel")
    with pytest.raises(ValidationError) as refused:
        services.webinar_schedule(offer=panel, start=london(in_days(14), 10))
    assert "offer" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        a_webinar(days=-1)
    assert refused.value.message_dict == {"start": ["The start is in the past."]}
    with pytest.raises(ValidationError) as refused:
        a_webinar(joining_url="teams meeting")
    assert "joining_url" in refused.value.message_dict
    assert not Session.objects.filter(offer__delivery="webinar").exists()


# Registering -------------------------------------------------------------------------------------


def test_registering_gives_a_place_an_invite_and_a_private_feed():
    session = a_webinar()
    result = register(session, " Sam.Okafor@Example.GOV.uk ")
    registration = result.registration
    assert result.created
    assert registration.status == RegistrationStatus.REGISTERED
    assert registration.email == "sam.okafor@example.gov.uk"
    assert registration.council is None
    assert registration.council_name == "Anytown Borough Council"
    assert invites(session) == [("REQUEST", "sam.okafor@example.gov.uk", 0)]
    assert Invite.objects.get().registration == registration
    owner = feed_token_owner(result.feed_token)
    assert owner is not None and owner.email == "sam.okafor@example.gov.uk"
    assert selectors.webinar_get(webinar_id=session.pk).places_left == 99


def test_a_typed_council_in_the_directory_is_linked_to_it():
    wigan = make_council("Wigan Council")
    result = register(a_webinar(), "jo@example.org", council_name="  wigan council ")
    assert result.registration.council == wigan
    assert result.registration.council_name == ""
    by_id = register(a_webinar(OPPOSITION), "jo@example.org", council=wigan.pk, council_name="")
    assert by_id.registration.council == wigan


def test_registering_twice_is_harmless():
    session = a_webinar()
    first = register(session, "sam@example.org")
    again = register(session, "SAM@example.org", name="Someone Else")
    assert not again.created
    assert again.registration.pk == first.registration.pk
    assert again.feed_token == ""
    assert Registration.objects.get().name == "Sam Okafor"
    assert invites(session) == [("REQUEST", "sam@example.org", 0)]
    assert feed_token_owner(first.feed_token) is not None  # the first link still works


def test_a_second_webinar_keeps_the_same_private_feed():
    first = register(a_webinar(), "sam@example.org")
    second = register(a_webinar(OPPOSITION), "sam@example.org")
    assert first.feed_token and second.created and second.feed_token == ""
    assert feed_token_owner(first.feed_token) is not None
    assert FeedToken.objects.filter(email="sam@example.org").count() == 1


def test_no_link_is_handed_out_for_an_address_with_other_registrations():
    """Whoever posts an address with registrations but no live link gets no link: it would
    show registrations they did not make."""
    first = register(a_webinar(), "sam@example.org")
    webinar_feed_tokens.feed_token_revoke(email="sam@example.org")
    second = register(a_webinar(OPPOSITION), "sam@example.org")
    assert second.created and second.feed_token == ""
    assert feed_token_owner(first.feed_token) is None
    assert not feed_is_live(email="sam@example.org")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"email": "not an address"}, "email"),
        ({"email": ""}, "email"),
        ({"name": "  "}, "name"),
        ({"council_name": ""}, "council"),
        ({"council": 999_999, "council_name": ""}, "council"),
        ({"role": ""}, "role"),
        ({"name": "x" * 201}, "name"),
    ],
)
def test_invalid_registrations_name_the_field_and_write_nothing(fields, field):
    session = a_webinar()
    values = {"email": "sam@example.org", **fields}
    email = values.pop("email")
    with pytest.raises(ValidationError) as refused:
        register(session, email, **values)
    assert field in refused.value.message_dict
    assert not Registration.objects.exists()
    assert not Invite.objects.exists()
    assert not FeedToken.objects.exists()


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        ("cancelled", "This webinar is cancelled."),
        ("past", "This webinar has already taken place."),
        ("started", "Registration closed when the webinar started."),
        ("coming-soon", "Registration has not opened yet."),
        ("suspended", "Registration is closed: suspended until"),
    ],
)
def test_closed_webinars_refuse_registration_with_a_reason_and_write_nothing(setup, reason):
    session = a_webinar()
    now = timezone.now()
    if setup == "cancelled":
        services.webinar_cancel(session=session)
    elif setup == "past":
        Session.objects.filter(pk=session.pk).update(
            start=now - timedelta(days=2), end=now - timedelta(days=2) + timedelta(hours=1)
        )
    elif setup == "started":
        Session.objects.filter(pk=session.pk).update(
            start=now - timedelta(minutes=5), end=now + timedelta(minutes=55)
        )
    elif setup == "coming-soon":
        Offer.objects.filter(slug=WARD).update(status=OfferStatus.COMING_SOON)
    else:
        Offer.objects.filter(slug=WARD).update(
            status=OfferStatus.SUSPENDED, suspended_until=in_days(60)
        )
    before = Invite.objects.count()
    with pytest.raises(services.WebinarClosed) as closed:
        register(session, "sam@example.org")
    assert closed.value.detail.startswith(reason)
    assert not Registration.objects.exists()
    assert Invite.objects.count() == before
    assert not FeedToken.objects.exists()


# The waiting list --------------------------------------------------------------------------------


def test_a_full_webinar_has_a_waiting_list_and_a_freed_place_goes_to_the_first_waiting():
    session = a_webinar(capacity=2)
    ann = register(session, "ann@example.org").registration
    register(session, "bob@example.org")
    cat = register(session, "cat@example.org").registration
    dan = register(session, "dan@example.org").registration
    assert cat.status == dan.status == RegistrationStatus.WAITING
    assert selectors.waiting_position(cat) == 1 and selectors.waiting_position(dan) == 2
    webinar = selectors.webinar_get(webinar_id=session.pk)
    assert (webinar.places_left, webinar.waiting, webinar.is_full) == (0, 2, True)
    assert [r for _, r, _ in invites(session)] == ["ann@example.org", "bob@example.org"]

    services.registration_cancel(registration=ann)

    cat.refresh_from_db()
    dan.refresh_from_db()
    session.refresh_from_db()
    assert cat.status == RegistrationStatus.REGISTERED
    assert dan.status == RegistrationStatus.WAITING and selectors.waiting_position(dan) == 1
    assert session.sequence == 1
    assert invites(session)[2:] == [
        ("CANCEL", "ann@example.org", 1),
        ("REQUEST", "cat@example.org", 1),
    ]
    assert Invite.objects.get(recipient_email="cat@example.org").registration == cat


def test_leaving_the_waiting_list_sends_nothing_and_keeps_the_sequence():
    session = a_webinar(capacity=1)
    register(session, "ann@example.org")
    bob = register(session, "bob@example.org").registration
    services.registration_cancel(registration=bob)
    session.refresh_from_db()
    assert session.sequence == 0
    assert invites(session) == [("REQUEST", "ann@example.org", 0)]
    # Cancelling twice changes nothing.
    services.registration_cancel(registration=bob)
    assert Invite.objects.count() == 1


def test_coming_back_after_cancelling_joins_the_back_of_the_queue_with_an_invite_that_outranks_the_cancel():
    session = a_webinar(capacity=1)
    ann = register(session, "ann@example.org").registration
    services.registration_cancel(registration=ann)  # sequence 1, CANCEL to ann
    again = register(session, "ann@example.org")
    assert again.created and again.registration.pk == ann.pk
    assert again.registration.status == RegistrationStatus.REGISTERED
    session.refresh_from_db()
    assert invites(session) == [
        ("REQUEST", "ann@example.org", 0),
        ("CANCEL", "ann@example.org", 1),
        ("REQUEST", "ann@example.org", 2),
    ]
    assert session.sequence == 2

    # Full now; someone waits, Ann leaves and comes back: she is behind them.
    bob = register(session, "bob@example.org").registration
    services.registration_cancel(registration=again.registration)
    bob.refresh_from_db()
    assert bob.status == RegistrationStatus.REGISTERED
    back = register(session, "ann@example.org").registration
    assert back.status == RegistrationStatus.WAITING


def test_cancelling_after_the_webinar_is_refused():
    session = a_webinar()
    ann = register(session, "ann@example.org").registration
    past = timezone.now() - timedelta(days=1)
    Session.objects.filter(pk=session.pk).update(start=past - timedelta(hours=1), end=past)
    with pytest.raises(services.WebinarClosed):
        services.registration_cancel(registration=ann)
    ann.refresh_from_db()
    assert ann.status == RegistrationStatus.REGISTERED


# Staff move and cancel ---------------------------------------------------------------------------


def test_moving_a_webinar_raises_the_sequence_and_updates_everyone_with_a_place():
    session = a_webinar(capacity=1)
    register(session, "ann@example.org")
    register(session, "bob@example.org")  # waiting: no invite
    new_start = london(in_days(21), 14)
    moved = services.webinar_update(session=session, start=new_start)
    assert moved.sequence == 1
    assert (moved.start, moved.end) == (new_start, new_start + timedelta(minutes=60))
    assert invites(session) == [
        ("REQUEST", "ann@example.org", 0),
        ("REQUEST", "ann@example.org", 1),
    ]

    services.webinar_update(session=moved, joining_url="https://meet.example.org/j/new")
    assert invites(session)[-1] == ("REQUEST", "ann@example.org", 2)

    # The same values again are not a change calendars need; a recording before the
    # webinar has taken place is refused (it comes after: test_webinar_materials.py).
    services.webinar_update(session=moved, start=new_start)
    with pytest.raises(ValidationError) as refused:
        services.webinar_update(session=moved, recording_url="https://video.example.org/r/1")
    assert "recording_url" in refused.value.message_dict
    session.refresh_from_db()
    assert session.sequence == 2 and session.recording_url == ""
    assert len(invites(session)) == 3


def test_more_places_go_to_the_people_waiting_and_fewer_than_taken_are_refused():
    session = a_webinar(capacity=1)
    register(session, "ann@example.org")
    bob = register(session, "bob@example.org").registration
    with pytest.raises(ValidationError) as refused:
        services.webinar_update(session=session, capacity=0)
    assert "capacity" in refused.value.message_dict
    services.webinar_update(session=session, capacity=2)
    bob.refresh_from_db()
    assert bob.status == RegistrationStatus.REGISTERED
    assert invites(session)[-1] == ("REQUEST", "bob@example.org", 0)
    with pytest.raises(ValidationError) as refused:
        services.webinar_update(session=session, capacity=1)
    assert refused.value.message_dict == {
        "capacity": ["2 people have places; the capacity cannot be lower."]
    }


def test_cancelling_a_webinar_sends_cancellations_to_everyone_with_a_place():
    session = a_webinar(capacity=1)
    register(session, "ann@example.org")
    register(session, "bob@example.org")  # waiting
    cancelled = services.webinar_cancel(session=session)
    assert cancelled.status == SessionStatus.CANCELLED and cancelled.sequence == 1
    assert invites(session)[-1] == ("CANCEL", "ann@example.org", 1)
    assert len(invites(session)) == 2
    with pytest.raises(ValidationError):
        services.webinar_cancel(session=cancelled)
    with pytest.raises(ValidationError):
        services.webinar_update(session=cancelled, start=london(in_days(30), 10))


# What registrants are sent -----------------------------------------------------------------------


def test_the_invite_says_where_to_join_and_how_to_cancel():
    session = a_webinar(hour=18)
    registration = register(session, "sam@example.org").registration
    invite = Invite.objects.get()
    content = webinar_letters.registration_invite_content(invite)
    start = session.start.astimezone(LONDON)
    assert content.subject == f"Your place: The role of the ward councillor, {day_text(start)}"
    assert content.location == JOIN
    assert JOIN in content.text and JOIN in content.html and JOIN in content.description
    assert "18:00 to 19:00 (UK time)" in content.text
    assert content.url.endswith(f"/webinars/{session.pk}/")
    cancel_link = webinar_letters.registration_links(registration)["cancel"]
    assert cancel_link in content.text
    key = cancel_link.rstrip("/").split("/")[-2]
    assert webinar_links.registration_for_cancel_key(key) == registration
    manage_link = webinar_letters.registration_links(registration)["calendar"]
    assert manage_link in content.text
    assert webinar_links.email_for_manage_key(manage_link.rstrip("/").split("/")[-1]) == (
        "sam@example.org"
    )


def test_cancellations_say_who_cancelled():
    session = a_webinar()
    ann = register(session, "ann@example.org").registration
    register(session, "bob@example.org")
    services.registration_cancel(registration=ann)
    own = webinar_letters.registration_invite_content(
        Invite.objects.get(method=InviteMethod.CANCEL)
    )
    assert own.subject.startswith("Your place is cancelled: The role of the ward councillor")
    assert own.location == ""
    services.webinar_cancel(session=session)
    lga = webinar_letters.registration_invite_content(
        Invite.objects.get(method=InviteMethod.CANCEL, recipient_email="bob@example.org")
    )
    assert lga.subject.startswith("Cancelled: The role of the ward councillor")
    assert "The LGA has cancelled" in lga.text


def test_the_outbox_sends_registrants_an_imip_invite_then_an_update_and_a_cancel():
    session = a_webinar()
    register(session, "sam@example.org")
    assert send_invite(Invite.objects.get().pk) == "sent"
    (message,) = mail.outbox
    assert message.to == ["Sam Okafor <sam@example.org>"]
    assert message.subject.startswith("Your place: The role of the ward councillor")
    calendar = next(c for c, kind in message.alternatives if kind == "text/calendar")
    assert "METHOD:REQUEST" in calendar and f"LOCATION:{JOIN}" in calendar

    services.webinar_update(session=session, start=london(in_days(15), 11))
    assert send_invite(Invite.objects.get(sequence=1).pk) == "sent"
    assert mail.outbox[1].subject.startswith("Updated: The role of the ward councillor")

    services.webinar_cancel(session=session)
    assert send_invite(Invite.objects.get(method="CANCEL").pk) == "sent"
    cancel = next(c for c, kind in mail.outbox[2].alternatives if kind == "text/calendar")
    assert "METHOD:CANCEL" in cancel and "SEQUENCE:2" in cancel
    assert mail.outbox[2].subject.startswith("Cancelled: The role of the ward councillor")


# Throttling and calendar links -------------------------------------------------------------------


def test_throttle_counts_per_client_and_per_address(settings):
    settings.WEBINAR_THROTTLE = {"client": 3, "address": 2}
    services.throttle_check(action="register", client="10.0.0.1", email="a@example.org")
    services.throttle_check(action="register", client="10.0.0.1", email="A@example.org")
    with pytest.raises(services.TooManyRequests) as refused:
        services.throttle_check(action="register", client="10.0.0.2", email="a@example.org")
    assert 0 < refused.value.retry_after <= 60
    services.throttle_check(action="register", client="10.0.0.1", email="b@example.org")
    with pytest.raises(services.TooManyRequests):
        services.throttle_check(action="register", client="10.0.0.1", email="c@example.org")
    # Another action has its own counters.
    services.throttle_check(action="feed-link", client="10.0.0.1", email="a@example.org")


def test_a_calendar_link_is_mailed_only_to_an_address_that_registered(
    django_capture_on_commit_callbacks,
):
    register(a_webinar(), "sam@example.org")
    with django_capture_on_commit_callbacks() as callbacks:
        webinar_feed_tokens.feed_link_request(email="nobody@example.org")
    assert len(callbacks) == 1  # queued alike for anyone: the page cannot tell
    assert webinar_letters.feed_manage_link_send("nobody@example.org") is False
    assert mail.outbox == []
    assert webinar_letters.feed_manage_link_send("sam@example.org") is True
    (message,) = mail.outbox
    assert message.to == ["sam@example.org"]
    link = next(word for word in message.body.split() if "/calendars/link/" in word)
    assert webinar_links.email_for_manage_key(link.rstrip("/").split("/")[-1]) == "sam@example.org"


def test_signed_keys_refuse_tampering_and_other_registrations():
    session = a_webinar()
    ann = register(session, "ann@example.org").registration
    bob = register(session, "bob@example.org").registration
    key = webinar_links.registration_cancel_key(ann)
    assert webinar_links.registration_for_cancel_key(key) == ann
    assert webinar_links.registration_for_cancel_key(key[:-2] + "xx") is None
    assert webinar_links.registration_for_cancel_key("garbage") is None
    # A cancel key is not a manage key, and the other way round.
    assert webinar_links.email_for_manage_key(key) is None
    assert webinar_links.registration_for_cancel_key(webinar_links.calendar_manage_key(bob)) is None
    # A key whose address no longer matches the row is refused.
    Registration.objects.filter(pk=ann.pk).update(email="someone@example.org")
    assert webinar_links.registration_for_cancel_key(key) is None


# Demo data ---------------------------------------------------------------------------------------


def test_demo_webinars_are_upcoming_deterministic_and_idempotent():
    from sessions.webinars.demo import seed_webinars

    first = seed_webinars()
    available = Offer.objects.filter(delivery="webinar", status="available").count()
    assert first == {"webinar_sessions": 3 * available, "registrations": 6, "past_webinars": 1}
    listed = selectors.webinar_list()
    assert len(listed) == 3 * available
    assert all(w.start > timezone.now() and w.is_open for w in listed)
    assert sorted(w.places_left for w in listed)[0] == 2
    starts = sorted((w.session.uid, w.session.start) for w in listed)
    assert seed_webinars() == {"webinar_sessions": 0, "registrations": 0, "past_webinars": 0}
    assert sorted((w.session.uid, w.session.start) for w in selectors.webinar_list()) == starts

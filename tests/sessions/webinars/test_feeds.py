"""Calendar feeds: public webinar feeds per topic, private feeds behind a token (a person's
registrations, or a peer's seats), stable bodies with ETag/Last-Modified and 304s, and what
independent parsers (ical.js, libical) read from them."""

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

import pytest
from django.utils import timezone

from peers.models import PeerKind
from scheduling.engine.calendar import LONDON_VTIMEZONE, CalendarEvent, build_feed
from sessions.models import Booking, Offer, Seat, SeatStatus, Session
from sessions.webinars.models import Registration
from sessions.webinars.selectors import feeds as webinar_feeds
from sessions.webinars.selectors import webinars as selectors
from sessions.webinars.services import feed_tokens as webinar_feed_tokens
from sessions.webinars.services import registrations as services
from sessions.webinars.services.feed_tokens import feed_token_issue
from tests.factories import (
    JOIN,
    OPPOSITION,
    WARD,
    a_webinar,
    events_of,
    in_days,
    london,
    make_council,
    make_peer,
    register,
)
from tests.interop.parsers import icaljs, libical, utc_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(feed_checking_client):
    """The `client`: every feed a test is served is also read by ical.js and libical."""
    return feed_checking_client


ALL = "/calendars/webinars.ics"


def stamp(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(microsecond=0)


def age(session: Session, **changes) -> None:
    """Move a row's times or last change into the past (what time passing would do)."""
    Session.objects.filter(pk=session.pk).update(**changes)
    # A feed's state is kept for up to a second; time passing would outlast that.
    webinar_feeds.feed_state_forget()


# Public feeds ------------------------------------------------------------------------------------


def test_the_public_feed_is_a_subscribable_calendar(client):
    ward = a_webinar(hour=18)
    opposition = a_webinar(OPPOSITION, days=20)
    response = client.get(ALL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["ETag"].startswith('"') and response["ETag"].endswith('"')
    assert parsedate_to_datetime(response["Last-Modified"]) == stamp(opposition.updated_at)
    assert response["Cache-Control"] == "public, max-age=300"
    body = response.content
    text = body.decode()
    lines = text.split("\r\n")
    assert not any(line.startswith("METHOD") for line in lines)
    assert "NAME:LGA webinars" in lines and "X-WR-CALNAME:LGA webinars" in lines
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT6H" in lines
    assert "X-PUBLISHED-TTL:PT6H" in lines
    assert LONDON_VTIMEZONE in text
    events = events_of(body)
    assert set(events) == {ward.uid, opposition.uid}
    read = events[ward.uid]
    assert read["summary"] == "The role of the ward councillor"
    assert read["start"] == ward.start
    local = ward.start.astimezone(selectors.UK)
    assert f"DTSTART;TZID=Europe/London:{local:%Y%m%d}T180000" in lines
    assert read["dtstamp"] == stamp(ward.updated_at)
    assert read["status"] == "CONFIRMED" and read["sequence"] == 0
    # Joining links are for registrants only.
    assert JOIN not in text
    assert read["location"] == webinar_feeds.PUBLIC_LOCATION
    assert f"/webinars/{ward.pk}/" in read["description"]


def test_the_body_and_etag_stay_the_same_until_a_webinar_changes(client):
    ward = a_webinar()
    first = client.get(ALL)
    register(ward, "sam@example.org")  # places are not in the feed: nothing changes
    webinar_feeds.feed_memory_clear()  # built afresh, byte for byte the same
    second = client.get(ALL)
    assert second.content == first.content and second["ETag"] == first["ETag"]

    moved = services.webinar_update(session=ward, start=london(in_days(15), 11))
    third = client.get(ALL)
    assert third["ETag"] != first["ETag"]
    read = events_of(third.content)[ward.uid]
    assert read["start"] == moved.start and read["sequence"] == 1
    assert read["dtstamp"] == stamp(moved.updated_at)

    # Editing the offer's words changes the feed too.
    offer = Offer.objects.get(slug=WARD)
    offer.summary = "A new summary."
    offer.save()
    fourth = client.get(ALL)
    assert fourth["ETag"] != third["ETag"]
    assert "A new summary." in events_of(fourth.content)[ward.uid]["description"]


def test_conditional_requests_get_304(client):
    a_webinar()
    full = client.get(ALL)
    etag, modified = full["ETag"], full["Last-Modified"]

    same = client.get(ALL, headers={"If-None-Match": etag})
    assert same.status_code == 304
    assert same.content == b""
    assert same["ETag"] == etag and same["Last-Modified"] == modified

    since = client.get(ALL, headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    earlier = format_datetime(parsedate_to_datetime(modified) - timedelta(seconds=1), usegmt=True)
    assert client.get(ALL, headers={"If-Modified-Since": earlier}).status_code == 200
    assert client.get(ALL, headers={"If-None-Match": '"stale"'}).status_code == 200

    a_webinar(OPPOSITION)
    changed = client.get(ALL, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag

    head = client.head(ALL)
    assert head.status_code == 200 and head["ETag"] == changed["ETag"]
    assert client.post(ALL).status_code == 405


def test_topic_feeds_hold_only_their_topic(client):
    ward = a_webinar()
    opposition = a_webinar(OPPOSITION)
    response = client.get("/calendars/webinars/opposition.ics")
    assert response.status_code == 200
    assert set(events_of(response.content)) == {opposition.uid}
    assert "X-WR-CALNAME:LGA webinars: Opposition" in response.content.decode()
    leadership = client.get("/calendars/webinars/leadership.ics")
    assert set(events_of(leadership.content)) == {ward.uid}
    assert client.get("/calendars/webinars/finance.ics").content.count(b"BEGIN:VEVENT") == 0
    assert client.get("/calendars/webinars/opposition.ics")["ETag"] != leadership["ETag"]


@pytest.mark.parametrize("topic", ["astrology", "Leadership", "leadership%00", "%20leadership"])
def test_unknown_topics_are_not_found(client, topic):
    response = client.get(f"/calendars/webinars/{topic}.ics")
    assert response.status_code == 404
    assert response.content == b"No such calendar.\n"


def test_cancelled_webinars_stay_for_30_days_as_cancelled(client):
    ward = a_webinar()
    a_webinar(OPPOSITION)
    cancelled = services.webinar_cancel(session=ward)
    read = events_of(client.get(ALL).content)[ward.uid]
    assert read["status"] == "CANCELLED" and read["sequence"] == 1

    age(ward, updated_at=timezone.now() - timedelta(days=29))
    assert ward.uid in events_of(client.get(ALL).content)
    before = client.get(ALL)
    age(ward, updated_at=timezone.now() - timedelta(days=31))
    after = client.get(ALL, headers={"If-None-Match": before["ETag"]})
    assert after.status_code == 200
    assert ward.uid not in events_of(after.content)
    assert cancelled.uid not in after.content.decode()


def test_past_webinars_stay_for_90_days(client):
    ward = a_webinar()
    now = timezone.now()
    age(ward, start=now - timedelta(days=89, hours=1), end=now - timedelta(days=89))
    assert ward.uid in events_of(client.get(ALL).content)
    age(ward, start=now - timedelta(days=91, hours=1), end=now - timedelta(days=91))
    response = client.get(ALL)
    assert ward.uid not in events_of(response.content)
    # The departure is the feed's latest change.
    assert parsedate_to_datetime(response["Last-Modified"]) == stamp(
        now - timedelta(days=91) + webinar_feeds.PAST_KEPT
    )


def test_panel_sessions_are_never_in_webinar_feeds(client):
    council = make_council()
    panel = Offer.objects.get(slug="recovery-and-renewal-panel")
    booking = Booking.objects.create(offer=panel, council=council)
    start = london(in_days(20), 10)
    Session.objects.create(
        offer=panel, booking=booking, start=start, end=start + timedelta(hours=3), uid="panel@x"
    )
    assert b"BEGIN:VEVENT" not in client.get(ALL).content


# Private feeds -----------------------------------------------------------------------------------


def test_a_registrants_feed_shows_their_webinars_with_joining_links(client):
    ward = a_webinar(capacity=1)
    opposition = a_webinar(OPPOSITION, days=21)
    third = a_webinar(OPPOSITION, days=28, title="Opposition: questions and answers")
    token = register(ward, "sam@example.org").feed_token
    register(ward, "other@example.org")  # waiting; not Sam's
    register(opposition, "other@example.org")
    kate = register(opposition, "kate@example.org").registration
    register(opposition, "sam@example.org")
    left = register(third, "sam@example.org").registration
    services.registration_cancel(registration=left)
    waiting_for = register(ward, "kate@example.org")  # full: Kate waits
    assert waiting_for.registration.status == "waiting"

    response = client.get(f"/calendars/u/{token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-cache"
    assert "X-WR-CALNAME:LGA webinars: your registrations" in response.content.decode()
    events = events_of(response.content)
    assert set(events) == {ward.uid, opposition.uid, third.uid}
    assert events[ward.uid]["location"] == JOIN
    assert events[ward.uid]["status"] == "CONFIRMED"
    assert f"Joining link: {JOIN}" in events[ward.uid]["description"]
    assert events[third.uid]["status"] == "CANCELLED"
    assert JOIN not in events[third.uid]["location"]

    # Kate's feed (issued from her e-mail's link) shows the waiting-list place as tentative.
    kate_token = webinar_feed_tokens.feed_token_issue(email=kate.email)
    kate_events = events_of(client.get(f"/calendars/u/{kate_token}.ics").content)
    assert kate_events[ward.uid]["status"] == "TENTATIVE"
    assert kate_events[ward.uid]["summary"] == "The role of the ward councillor (waiting list)"
    assert JOIN not in kate_events[ward.uid]["location"] + kate_events[ward.uid]["description"]

    # A move shows in the private feed, and 304 works there too.
    etag = response["ETag"]
    assert (
        client.get(f"/calendars/u/{token}.ics", headers={"If-None-Match": etag}).status_code == 304
    )
    moved = services.webinar_update(session=ward, start=london(in_days(16), 9))
    again = client.get(f"/calendars/u/{token}.ics", headers={"If-None-Match": etag})
    assert again.status_code == 200
    assert events_of(again.content)[ward.uid]["start"] == moved.start


def seat(session: Session, peer, status: str, role: str = "Member peer") -> Seat:
    """A seat as the booking service writes it: the peer's held time is the session's."""
    return Seat.objects.create(
        session=session,
        role_name=role,
        peer=peer,
        status=status,
        held_from=session.start,
        held_until=session.end + timedelta(minutes=30),
    )


def test_a_peers_feed_shows_the_sessions_they_sit_on(client):
    council = make_council("Wigan Council")
    peer = make_peer(name="Chris Taylor")
    other = make_peer(kind=PeerKind.OFFICER, name="Owen Officer")
    panel = Offer.objects.get(slug="recovery-and-renewal-panel")
    booking = Booking.objects.create(offer=panel, council=council)
    sessions = []
    for n, days in enumerate((10, 17, 24, 31, 38), start=1):
        start = london(in_days(days), 10)
        sessions.append(
            Session.objects.create(
                offer=panel,
                booking=booking,
                number=n,
                start=start,
                end=start + timedelta(hours=3),
                uid=f"panel-{n}@peers.local.gov.uk",
                joining_url=f"https://meet.example.org/panel-{n}",
            )
        )
    accepted, invited, proposed, withdrawn, old_decline = sessions
    seat(accepted, peer, "accepted", role="Lead member peer")
    seat(invited, peer, "invited")
    seat(proposed, peer, "proposed")
    seat(withdrawn, peer, "withdrawn")
    declined = seat(old_decline, peer, SeatStatus.DECLINED)
    Seat.objects.filter(pk=declined.pk).update(updated_at=timezone.now() - timedelta(days=31))
    seat(accepted, other, "accepted", role="Officer peer")

    token = feed_token_issue(peer=peer)
    response = client.get(f"/calendars/u/{token}.ics")
    assert response.status_code == 200
    assert "X-WR-CALNAME:LGA peer support: your sessions" in response.content.decode()
    events = events_of(response.content)
    assert set(events) == {accepted.uid, invited.uid, proposed.uid, withdrawn.uid}
    assert events[accepted.uid]["status"] == "CONFIRMED"
    assert events[accepted.uid]["location"] == "https://meet.example.org/panel-1"
    assert events[accepted.uid]["summary"] == "LGA Recovery & Renewal Panel for Wigan Council"
    assert "Your seat: Lead member peer (accepted)." in events[accepted.uid]["description"]
    assert events[invited.uid]["status"] == events[proposed.uid]["status"] == "TENTATIVE"
    assert events[withdrawn.uid]["status"] == "CANCELLED"
    assert "meet.example.org" not in events[withdrawn.uid]["location"]

    booking_cancelled = Session.objects.filter(pk=accepted.pk)
    booking_cancelled.update(status="cancelled", sequence=1, updated_at=timezone.now())
    events = events_of(client.get(f"/calendars/u/{token}.ics").content)
    assert events[accepted.uid]["status"] == "CANCELLED" and events[accepted.uid]["sequence"] == 1


def test_unknown_revoked_and_malformed_tokens_get_the_same_404(client):
    token = register(a_webinar(), "sam@example.org").feed_token
    token_id, _, secret = token.partition("-")
    renewed = webinar_feed_tokens.feed_token_issue(email="sam@example.org")  # revokes `token`
    assert client.get(f"/calendars/u/{renewed}.ics").status_code == 200
    answers = []
    for guess in (
        token,  # revoked
        f"{token_id}-{secret[:-1]}A" if secret[-1] != "A" else f"{token_id}-{secret[:-1]}B",
        f"999999-{secret}",  # unknown id
        "not-a-token",
        secret,
        "-",
        "1",
    ):
        response = client.get(f"/calendars/u/{guess}.ics")
        answers.append(
            (response.status_code, response.content, response["Content-Type"], response.get("ETag"))
        )
    assert set(answers) == {(404, b"No such calendar.\n", "text/plain; charset=utf-8", None)}


# The feed's bytes --------------------------------------------------------------------------------


def random_events(rng: random.Random, count: int) -> list[CalendarEvent]:
    base = datetime(2026, 3, 1, 9, tzinfo=UTC)
    events = []
    for n in range(count):
        start = base + timedelta(hours=rng.randrange(0, 24 * 300, 6))  # many share a start
        events.append(
            CalendarEvent(
                uid=f"{rng.randrange(10**9)}-{n}@peers.local.gov.uk",
                start=start,
                end=start + timedelta(minutes=rng.choice([60, 90])),
                summary=rng.choice(["Ward; councillor", 'Opposition, "good"', "Ünïcode: ✓"]),
                description=rng.choice(["", "Line one\nline two", "x" * 200]),
                location=rng.choice(["", "Online", "https://meet.example.org/j/1"]),
                url=rng.choice(["", "https://example.org/webinars/1/"]),
                status=rng.choice(["CONFIRMED", "CANCELLED", "TENTATIVE"]),
                sequence=rng.randrange(4),
                last_modified=base - timedelta(minutes=rng.randrange(10_000)),
                categories=rng.choice([(), ("Leadership",), ("Health and wellbeing", "Finance")]),
            )
        )
    return events


@pytest.mark.parametrize("seed", range(5))
def test_a_feed_from_kept_events_is_byte_for_byte_build_feed(seed):
    rng = random.Random(seed)
    events = random_events(rng, rng.randrange(0, 40))
    name, description = rng.choice([("LGA webinars", ""), ("LGA webinars: Finance", "About")])
    expected = build_feed(name, events, description=description)
    assert webinar_feeds.feed_bytes(name, events, description=description) == expected
    # Again from kept pieces, with the events in another order.
    rng.shuffle(events)
    assert webinar_feeds.feed_bytes(name, events, description=description) == expected


def test_the_public_feed_is_byte_for_byte_build_feed_of_its_webinars(client, settings):
    a_webinar(hour=18)
    a_webinar(OPPOSITION, days=3, title="Opposition: a session of its own")
    cancelled = services.webinar_cancel(session=a_webinar(OPPOSITION, days=5))
    shown = Session.objects.filter(offer__delivery="webinar").select_related("offer")
    expected = build_feed(
        "LGA webinars",
        [webinar_feeds.webinar_public_event(s) for s in shown],
        description="Webinars for councillors from the Local Government Association. Times "
        f"are UK time. Register at {settings.SITE_URL}/webinars/",
    )
    assert cancelled.uid.encode() in expected
    assert client.get(ALL).content == expected  # built from nothing
    webinar_feeds.feed_memory_clear(keep_vevents=True)
    assert client.get(ALL).content == expected  # from kept VEVENTs


def test_a_feed_with_a_repeated_uid_is_refused_like_build_feed():
    (event,) = random_events(random.Random(1), 1)
    with pytest.raises(ValueError, match="one event per UID"):
        webinar_feeds.feed_bytes("LGA webinars", [event, event])


def test_subscribe_links():
    links = selectors.subscribe_links(
        "https://peers.local.gov.uk/calendars/webinars/opposition.ics", "LGA webinars: Opposition"
    )
    assert links.webcal == "webcal://peers.local.gov.uk/calendars/webinars/opposition.ics"
    assert links.google == (
        "https://calendar.google.com/calendar/r?cid="
        "webcal%3A%2F%2Fpeers.local.gov.uk%2Fcalendars%2Fwebinars%2Fopposition.ics"
    )
    assert links.outlook == (
        "https://outlook.live.com/calendar/0/addfromweb?"
        "url=https%3A%2F%2Fpeers.local.gov.uk%2Fcalendars%2Fwebinars%2Fopposition.ics"
        "&name=LGA%20webinars%3A%20Opposition"
    )
    # Microsoft 365 work accounts subscribe through Outlook on the web's own address.
    assert links.microsoft365 == (
        "https://outlook.office.com/calendar/0/addfromweb?"
        "url=https%3A%2F%2Fpeers.local.gov.uk%2Fcalendars%2Fwebinars%2Fopposition.ics"
        "&name=LGA%20webinars%3A%20Opposition"
    )


# Independent parsers -----------------------------------------------------------------------------


def feeds_to_check(client) -> dict[str, bytes]:
    """A public feed, a topic feed, a registrant's feed and a peer's feed, with cancelled,
    tentative and clock-change times in them."""
    ward = a_webinar(capacity=1, hour=18)
    opposition = a_webinar(OPPOSITION, days=3)
    # Times either side of the next UK clock change, and one in the repeated October hour.
    change = services.webinar_schedule(
        offer=Offer.objects.get(slug=OPPOSITION),
        start=datetime(2027, 3, 28, 0, 30, tzinfo=UTC),
        joining_url=JOIN,
    )
    october = services.webinar_schedule(
        offer=Offer.objects.get(slug=WARD),
        start=datetime(2027, 10, 31, 0, 30, tzinfo=UTC),
    )
    token = register(ward, "sam@example.org").feed_token
    register(change, "sam@example.org")
    register(october, "sam@example.org")
    kate = register(ward, "kate@example.org").registration  # waiting
    left = register(opposition, "sam@example.org").registration
    services.registration_cancel(registration=left)
    services.webinar_cancel(session=october)
    peer = make_peer(name='Chris "CT" Taylor')
    booking = Booking.objects.create(
        offer=Offer.objects.get(slug="recovery-and-renewal-panel"),
        council=make_council('Wigan; Council, "Metropolitan"'),
    )
    start = london(in_days(12), 13)
    panel = Session.objects.create(
        offer=booking.offer,
        booking=booking,
        start=start,
        end=start + timedelta(hours=3),
        uid="panel-check@peers.local.gov.uk",
        joining_url="https://meet.example.org/panel",
    )
    seat(panel, peer, "accepted")
    return {
        "public": client.get(ALL).content,
        "topic": client.get("/calendars/webinars/opposition.ics").content,
        "registrant": client.get(f"/calendars/u/{token}.ics").content,
        "waiting": client.get(
            f"/calendars/u/{webinar_feed_tokens.feed_token_issue(email=kate.email)}.ics"
        ).content,
        "peer": client.get(f"/calendars/u/{feed_token_issue(peer=peer)}.ics").content,
    }


@pytest.mark.interop
def test_icaljs_reads_every_feed(client):
    feeds = feeds_to_check(client)
    for label, body in feeds.items():
        calendar = icaljs(body)
        expected = events_of(body)
        assert calendar["method"] is None, label
        assert calendar["name"] == calendar["x_wr_calname"], label
        # ical.js reads REFRESH-INTERVAL as a duration only with VALUE=DURATION given.
        assert calendar["refresh_interval"]["type"] == "duration", label
        assert calendar["refresh_interval"]["value"] == "PT6H", label
        assert calendar["x_published_ttl"] == "PT6H", label
        assert calendar["timezones"] == ["Europe/London"], label
        assert {e["uid"] for e in calendar["events"]} == set(expected), label
        for read in calendar["events"]:
            event = expected[read["uid"]]
            assert read["start"]["utc"] == utc_text(event["start"]), (label, read["uid"])
            assert read["status"] == event["status"]
            assert read["dtstamp"]["utc"] == utc_text(event["dtstamp"])
            assert read["attendees"] == [] and read["organizer"] is None
    assert len(icaljs(feeds["public"])["events"]) == 4
    statuses = sorted(e["status"] for e in icaljs(feeds["registrant"])["events"])
    assert statuses == ["CANCELLED", "CANCELLED", "CONFIRMED", "CONFIRMED"]
    assert [e["status"] for e in icaljs(feeds["waiting"])["events"]] == ["TENTATIVE"]


@pytest.mark.interop
def test_libical_parses_every_feed_without_errors(client):
    for label, body in feeds_to_check(client).items():
        code, result = libical(body, restrictions=False)
        assert code == 0, (label, result["parse_errors"])
        assert result["parse_errors"] == [], label
        assert result["method"] is None
        expected = events_of(body)
        assert {c["uid"] for c in result["components"]} == set(expected), label
        for read in result["components"]:
            assert read["start"]["utc"] == utc_text(expected[read["uid"]]["start"]), label


def test_registrations_of_the_same_address_only(client):
    """The feed of one address never shows another address's registrations."""
    ward = a_webinar()
    token = register(ward, "sam@example.org").feed_token
    register(a_webinar(OPPOSITION), "sam.okafor@example.org")
    assert set(events_of(client.get(f"/calendars/u/{token}.ics").content)) == {ward.uid}
    assert Registration.objects.count() == 2

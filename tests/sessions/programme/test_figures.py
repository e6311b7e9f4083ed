"""The programme dashboard: its figures checked against a small world counted by hand, who may
see them (staff every council, an adviser theirs), the page and the CSV export."""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from peers.models import Accreditation, Council, Peer, PeerKind, Region
from scheduling.engine.uk_time import LONDON
from sessions.models import (
    Booking,
    BookingStatus,
    Delivery,
    Offer,
    Seat,
    SeatStatus,
    Session,
    SessionStatus,
)
from sessions.programme.figures import gini
from sessions.webinars.models import Registration, RegistrationStatus
from tests.factories import (
    bearer,
    make_available,
    make_booker,
    make_council,
    make_councillor,
    make_peer,
    make_user,
)

pytestmark = pytest.mark.django_db

PANEL = "recovery-and-renewal-panel"
MARCH = {"start": "2027-03-01", "end": "2027-03-31"}


def at(day: int, month: int = 3, hour: int = 10) -> datetime:
    return datetime(2027, month, day, hour, tzinfo=LONDON)


@dataclass
class World:
    staff: object
    adviser: object  # Wigan and Bolton (North West)
    other_adviser: object  # Swansea (Wales)
    booker: object
    peer_user: object
    councillor: object
    peers: dict
    bookings: dict


def _session(booking: Booking, start: datetime, *, status=SessionStatus.SCHEDULED) -> Session:
    return Session.objects.create(
        offer=booking.offer,
        booking=booking,
        start=start,
        end=start + timedelta(hours=3),
        status=status,
        uid=f"test-{booking.pk}-{start:%m%d}@example.org",
    )


def _seat(session: Session, role: str, peer: Peer | None, status: str, **fields) -> Seat:
    return Seat.objects.create(
        session=session,
        role_name=role,
        peer=peer,
        status=status,
        held_from=session.start if peer else None,
        held_until=session.end if peer else None,
        **fields,
    )


@pytest.fixture
def world(db) -> World:
    """Counted by hand (see each test):

    B1 Wigan, 2 Mar: Alice accepted, Bob invited (5 days ago), Carol accepted.
    B2 Bolton, 9 Mar: Alice invited (yesterday), Dave declined then Eve accepted in his place,
       the officer seat unfilled.
    B3 Swansea, 16 Mar: Fay, Bob, Carol accepted.
    B4 Wigan, 20 Mar: cancelled (Alice, Bob, Carol withdrawn).
    B5 Wigan, 5 Apr: outside the period (Alice).
    Eligible peers: Alice, Bob, Carol, Dave, Eve, Fay; Gil is in training, Hal inactive.
    """
    panel = Offer.objects.get(slug=PANEL)
    # The figures here were counted by hand for a panel of three peers; the LGA lead's seat
    # is left out here (its facilitator's load is counted apart, as the last test shows).
    panel.role_slots.filter(kind=PeerKind.FACILITATOR).delete()
    adviser = make_user("pa-nw")
    other_adviser = make_user("pa-wales")
    wigan = make_council(
        "Wigan Council",
        region=Region.NORTH_WEST,
        council_type="metropolitan",
        principal_adviser=adviser,
    )
    bolton = make_council(
        "Bolton Council",
        region=Region.NORTH_WEST,
        council_type="metropolitan",
        principal_adviser=adviser,
    )
    swansea = make_council(
        "Swansea Council",
        region=Region.WALES,
        council_type="welsh-unitary",
        principal_adviser=other_adviser,
    )
    home = make_council("Home Council", region=Region.LONDON, council_type="london-borough")
    caps = {"Alice": 2, "Bob": 4, "Carol": 2, "Dave": 4, "Eve": 4, "Fay": 1, "Gil": 4, "Hal": 4}
    peers = {
        name: make_peer(name=f"{name} Peer", home_council=home, monthly_session_cap=cap)
        for name, cap in caps.items()
    }
    Peer.objects.filter(pk=peers["Gil"].pk).update(accreditation=Accreditation.IN_TRAINING)
    Peer.objects.filter(pk=peers["Hal"].pk).update(is_active=False)
    peer_user = make_user("alice")
    Peer.objects.filter(pk=peers["Alice"].pk).update(user=peer_user)
    p = peers
    lead, member, officer = "Lead member peer", "Member peer", "Officer peer"
    A, INV, D, W = (
        SeatStatus.ACCEPTED,
        SeatStatus.INVITED,
        SeatStatus.DECLINED,
        SeatStatus.WITHDRAWN,
    )

    b1 = Booking.objects.create(offer=panel, council=wigan, reference="RRP-27-0001")
    s1 = _session(b1, at(2))
    _seat(s1, lead, p["Alice"], A)
    waiting = _seat(s1, member, p["Bob"], INV)
    Seat.history.filter(id=waiting.id).update(history_date=timezone.now() - timedelta(days=5))
    _seat(s1, officer, p["Carol"], A)

    b2 = Booking.objects.create(offer=panel, council=bolton, reference="RRP-27-0002")
    s2 = _session(b2, at(9))
    recent = _seat(s2, lead, p["Alice"], INV)
    Seat.history.filter(id=recent.id).update(history_date=timezone.now() - timedelta(days=1))
    declined = _seat(s2, member, p["Dave"], INV)
    declined.status = D
    declined.save()
    _seat(s2, member, p["Eve"], A)
    _seat(s2, officer, None, SeatStatus.PROPOSED, unfilled_reason="no eligible peer is left")

    b3 = Booking.objects.create(offer=panel, council=swansea, reference="RRP-27-0003")
    s3 = _session(b3, at(16))
    _seat(s3, lead, p["Fay"], A)
    _seat(s3, member, p["Bob"], A)
    _seat(s3, officer, p["Carol"], A)

    b4 = Booking.objects.create(
        offer=panel, council=wigan, reference="RRP-27-0004", status=BookingStatus.CANCELLED
    )
    s4 = _session(b4, at(20), status=SessionStatus.CANCELLED)
    for role, name in [(lead, "Alice"), (member, "Bob"), (officer, "Carol")]:
        _seat(s4, role, p[name], W)

    b5 = Booking.objects.create(offer=panel, council=wigan, reference="RRP-27-0005")
    _seat(_session(b5, at(5, month=4)), lead, p["Alice"], A)

    webinar_offer = Offer.objects.filter(delivery=Delivery.WEBINAR).first()
    webinar = Session.objects.create(
        offer=webinar_offer,
        start=at(10, hour=18),
        end=at(10, hour=19),
        capacity=4,
        uid="test-webinar@example.org",
    )
    registrations = [
        ("Ann", RegistrationStatus.REGISTERED, wigan),
        ("Ben", RegistrationStatus.REGISTERED, swansea),
        ("=HYPERLINK(1)", RegistrationStatus.REGISTERED, None),
        ("Dan", RegistrationStatus.WAITING, None),
        ("Eli", RegistrationStatus.WAITING, None),
        ("Fin", RegistrationStatus.CANCELLED, None),
    ]
    for name, status, council in registrations:
        Registration.objects.create(
            session=webinar,
            name=name,
            email=f"{name.lower()[:3]}@example.org",
            council=council,
            status=status,
        )
    later = Session.objects.create(
        offer=webinar_offer,
        start=at(10, month=4, hour=18),
        end=at(10, month=4, hour=19),
        capacity=10,
        uid="test-webinar-april@example.org",
    )
    Registration.objects.create(session=later, name="Zed", email="zed@example.org")

    return World(
        staff=make_user("staffer", is_staff=True),
        adviser=adviser,
        other_adviser=other_adviser,
        booker=make_booker(wigan),
        peer_user=peer_user,
        councillor=make_councillor(wigan),
        peers=peers,
        bookings={"b1": b1, "b2": b2, "b3": b3, "b4": b4, "b5": b5},
    )


def summary(api_client, user, **params):
    query = {**MARCH, **params}
    return api_client.get("/programme/summary", query_params=query, headers=bearer(user))


def figures(api_client, user, **params) -> dict:
    response = summary(api_client, user, **params)
    assert response.status_code == 200, response.json()
    return response.json()


def test_the_gini_coefficient():
    assert gini([]) == 0.0
    assert gini([0, 0, 0]) == 0.0
    assert gini([3, 3, 3]) == 0.0
    assert gini([0, 0, 0, 4]) == pytest.approx(0.75)  # one of four does everything: (n-1)/n
    assert gini([0, 1, 1, 2, 2, 2]) == pytest.approx(7 / 24)


def test_staff_see_every_councils_figures(api_client, world):
    data = figures(api_client, world.staff)
    assert data["period"] == MARCH
    assert data["councils"] == "all"
    assert data["sessions"] == 3  # B1, B2, B3 (B4 cancelled, B5 in April)
    assert data["requests_waiting"] == []

    [unfilled] = data["unfilled_sessions"]
    assert (unfilled["booking"], unfilled["council"]) == (world.bookings["b2"].pk, "Bolton Council")
    assert (unfilled["unfilled"], unfilled["seats"], unfilled["roles"]) == (1, 3, ["Officer peer"])
    assert unfilled["reasons"] == ["Officer peer: no eligible peer is left"]

    # Bob on B1 was invited 5 days ago; Alice on B2 only yesterday.
    [unanswered] = data["unanswered_seats"]
    assert (unanswered["peer"], unanswered["booking"]) == ("Bob Peer", world.bookings["b1"].pk)
    assert unanswered["days_waiting"] == 5

    [decline] = data["declines"]
    assert decline["declined_by"] == "Dave Peer"
    assert decline["replaced_by"] == "Eve Peer"
    assert decline["replacement_status"] == "Accepted"
    assert decline["role"] == "Member peer"
    assert decline["recorded_as"] == "system"

    load = data["load"]
    # Going-ahead sessions per eligible peer: Alice 2, Bob 2, Carol 2, Dave 0, Eve 1, Fay 1.
    assert load["eligible_peers"] == 6
    assert load["peers_used"] == 5
    assert load["share_used"] == pytest.approx(0.833)
    assert load["gini"] == pytest.approx(0.292)
    assert [(bar["sessions"], bar["peers"]) for bar in load["histogram"]] == [
        ("0", 1),
        ("1", 2),
        ("2", 3),
        ("3", 0),
        ("4", 0),
        ("5 or more", 0),
    ]
    assert [
        (row["name"], row["busiest_month_sessions"], row["monthly_cap"], row["share_of_cap"])
        for row in load["most_loaded"]
    ] == [
        ("Alice Peer", 2, 2, 1.0),
        ("Carol Peer", 2, 2, 1.0),
        ("Fay Peer", 1, 1, 1.0),
        ("Bob Peer", 2, 4, 0.5),
        ("Eve Peer", 1, 4, 0.25),
    ]
    assert load["most_loaded"][0]["busiest_month"] == "2027-03"

    take_up = data["take_up"]
    panel = next(row for row in take_up["by_offer"] if row["key"] == PANEL)
    assert (panel["bookings"], panel["cancelled"]) == (3, 1)
    regions = {row["key"]: (row["bookings"], row["cancelled"]) for row in take_up["by_region"]}
    assert regions["north-west"] == (2, 1)
    assert regions["wales"] == (1, 0)
    assert regions["london"] == (0, 0)
    types = {row["key"]: row["bookings"] for row in take_up["by_council_type"]}
    assert (types["metropolitan"], types["welsh-unitary"], types["county"]) == (2, 1, 0)

    webinars = data["webinars"]
    assert [(w["capacity"], w["registered"], w["waiting"]) for w in webinars["sessions"]] == [
        (4, 3, 2)
    ]
    assert webinars["fill"] == pytest.approx(0.75)


def test_an_adviser_sees_only_their_councils(api_client, world):
    data = figures(api_client, world.adviser)
    assert data["councils"] == 2
    assert data["sessions"] == 2  # B1 Wigan, B2 Bolton
    assert [row["council"] for row in data["unfilled_sessions"]] == ["Bolton Council"]
    assert len(data["unanswered_seats"]) == 1
    assert len(data["declines"]) == 1
    load = data["load"]
    # Alice 2, Bob 1, Carol 1, Eve 1; Dave and Fay none.
    assert (load["peers_used"], load["share_used"]) == (4, pytest.approx(0.667))
    assert load["gini"] == pytest.approx(0.433)
    regions = {row["key"]: row["bookings"] for row in data["take_up"]["by_region"]}
    assert (regions["north-west"], regions["wales"]) == (2, 0)

    other = figures(api_client, world.other_adviser)
    assert other["sessions"] == 1
    assert other["unfilled_sessions"] == other["declines"] == other["unanswered_seats"] == []


@pytest.mark.parametrize(
    ("who", "status"),
    [("booker", 403), ("peer_user", 403), ("councillor", 403), (None, 401)],
)
def test_others_may_not_see_the_programme(api_client, client, world, who, status):
    user = getattr(world, who) if who else None
    response = (
        summary(api_client, user)
        if user
        else api_client.get("/programme/summary", query_params=MARCH)
    )
    assert response.status_code == status
    assert "detail" in response.json()
    if user:
        client.force_login(user)
        assert client.get("/programme/").status_code == 403
        assert client.get("/programme/export.csv").status_code == 403
    else:
        assert client.get("/programme/").status_code == 302  # to sign in


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2027-03-31", "end": "2027-03-01"}, "end"),
        ({"start": "2027-01-01", "end": "2028-03-01"}, "end"),
        ({"start": "not a date"}, "start"),
        # Read by pydantic alone as seconds since 1970.
        ({"start": "0"}, "start"),
        ({"start": "1800000000"}, "start"),
        ({"start": "20270101"}, "start"),
        ({"start": "1970-01-01"}, "start"),
        ({"start": "2027-01-01", "end": "2100-01-01"}, "end"),
    ],
)
def test_a_period_that_makes_no_sense_is_422(api_client, world, params, field):
    response = summary(api_client, world.staff, **params)
    assert response.status_code == 422
    assert field in str(response.json()["detail"])


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"start": "1970-01-01", "end": "1970-03-01"}, "in the years 2000 to 2099"),
        ({"start": "2027-03-31", "end": "2027-03-01"}, "on or after the start date"),
        ({"start": "2027-01-01", "end": "2028-03-01"}, "at most a year"),
    ],
)
def test_the_page_checks_the_period_as_the_api_does(client, world, params, words):
    client.force_login(world.staff)
    response = client.get("/programme/", params)
    assert response.status_code == 422
    assert words in response.content.decode()
    api = client.get("/api/programme/summary", params)
    assert api.status_code == 422
    assert words in str(api.json()["detail"])


def test_the_period_defaults_to_three_months(api_client, world):
    response = api_client.get("/programme/summary", headers=bearer(world.staff))
    assert response.status_code == 200
    period = response.json()["period"]
    first, last = date.fromisoformat(period["start"]), date.fromisoformat(period["end"])
    assert first.day == 1 and 88 <= (last - first).days <= 92


def test_the_page_shows_the_figures_with_charts_and_their_tables(client, world):
    client.force_login(world.adviser)
    response = client.get("/programme/", MARCH)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Your 2 councils" in page
    assert "Bolton Council: Recovery &amp; Renewal Panel" in page or "Bolton Council" in page
    assert "Dave Peer" in page and "Eve Peer (accepted)" in page
    # The busiest month of each peer in words, as every date is written.
    assert '<td class="govuk-table__cell">March 2027</td>' in page
    assert "2027-03</td>" not in page
    # The histograms of the peers and of the LGA facilitators, take-up three ways, webinars
    # and the feedback notes' actions (the themes raised this quarter have their chart once
    # there are learning points).
    assert page.count('class="app-bar-chart"') == 7
    # Four charts carry a table for screen readers; the histograms' tables are shown to all.
    assert page.count('<div class="govuk-visually-hidden">\n  <table class="govuk-table">') == 4
    assert "The distribution the spread is measured on" in page
    assert "The distribution the facilitators' spread is measured on" in page
    assert "Swansea Council" not in page
    assert 'href="/programme/export.csv?start=2027-03-01&amp;end=2027-03-31"' in page

    bad = client.get("/programme/", {"start": "2027-03-31", "end": "2027-03-01"})
    assert bad.status_code == 422
    assert "There is a problem" in bad.content.decode()


def rows_of(response) -> list[dict]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_export_lists_bookings_seats_and_registrations(client, world):
    client.force_login(world.staff)
    response = client.get("/programme/export.csv", MARCH)
    assert response.status_code == 200
    assert "lga-programme-2027-03-01-to-2027-03-31.csv" in response["Content-Disposition"]
    rows = rows_of(response)
    kinds = [row["record"] for row in rows]
    assert kinds.count("booking") == 4  # B1–B4; B5 is in April
    assert kinds.count("seat") == 3 + 4 + 3 + 3
    assert kinds.count("registration") == 6  # the March webinar's, cancelled included
    unfilled = next(row for row in rows if row["record"] == "seat" and row["status"] == "Unfilled")
    assert unfilled["role"] == "Officer peer" and unfilled["council"] == "Bolton Council"
    # A name that a spreadsheet would run as a formula is written as text.
    assert any(row["name"] == "'=HYPERLINK(1)" for row in rows)
    first = next(row for row in rows if row["record"] == "seat")
    assert first["session_start_uk"] == "2027-03-02 10:00"


def test_an_advisers_export_holds_only_their_councils(client, world):
    client.force_login(world.adviser)
    rows = rows_of(client.get("/programme/export.csv", MARCH))
    # Attendance rows are totals by offer and month (no council): once March's sessions have
    # started they count the adviser's two sessions, never Swansea's.
    attendance = [row for row in rows if row["record"] == "attendance"]
    assert {row["council"] for row in attendance} <= {""}
    assert sum(int(row["sessions"]) for row in attendance) <= 2
    assert {
        row["council"] for row in rows if row["record"] not in ("registration", "attendance")
    } == {
        "Wigan Council",
        "Bolton Council",
    }
    assert [row["name"] for row in rows if row["record"] == "registration"] == ["Ann"]


def test_the_admin_lists_bookings_sessions_and_seats_with_filters_and_history(client, world):
    client.force_login(make_user("admin", is_staff=True, is_superuser=True))
    bookings = client.get("/admin/offer_sessions/booking/", {"status": "cancelled"})
    assert bookings.status_code == 200
    assert bookings.context["cl"].result_count == 1
    by_region = client.get("/admin/offer_sessions/booking/", {"council__region": "wales"})
    assert by_region.context["cl"].result_count == 1
    sessions = client.get("/admin/offer_sessions/bookedsession/", {"status": "scheduled"})
    assert sessions.context["cl"].result_count == 4  # B1, B2, B3, B5: not the webinars
    seats = client.get("/admin/offer_sessions/seat/", {"status": "declined"})
    assert seats.context["cl"].result_count == 1
    declined = Seat.objects.get(status=SeatStatus.DECLINED)
    history = client.get(f"/admin/offer_sessions/seat/{declined.pk}/history/")
    assert history.status_code == 200
    assert "declined" in history.content.decode().lower()
    assert (
        client.get(f"/admin/offer_sessions/booking/{world.bookings['b1'].pk}/change/").status_code
        == 200
    )
    assert Council.objects.count() >= 4


def test_the_spread_is_given_over_three_groups_and_said_in_words(api_client, client, world):
    load = figures(api_client, world.staff)["load"]
    # Loads: Alice 2, Bob 2, Carol 2, Dave 0, Eve 1, Fay 1. Nobody has weekly hours, so only
    # the peers seated count as having had time free: Dave drops out of the second group.
    assert [(g["over"], g["peers"], g["gini"]) for g in load["spread"]] == [
        ("eligible", 6, pytest.approx(0.292)),
        ("free", 5, pytest.approx(0.15)),
        ("used", 5, pytest.approx(0.15)),
    ]
    assert load["gini"] == load["spread"][0]["gini"]
    assert load["peers_free"] == 5
    assert [(bar["sessions"], bar["peers"], bar["peers_free"]) for bar in load["histogram"]][
        :3
    ] == [("0", 1, 0), ("1", 2, 2), ("2", 3, 3)]
    assert "few sessions to share" in load["spread"][0]["meaning"]

    # Dave's weekly hours give him time free in March: he counts among those who could sit.
    make_available(world.peers["Dave"])
    load = figures(api_client, world.staff)["load"]
    assert [(g["over"], g["peers"], g["gini"]) for g in load["spread"]] == [
        ("eligible", 6, pytest.approx(0.292)),
        ("free", 6, pytest.approx(0.292)),
        ("used", 5, pytest.approx(0.15)),
    ]
    assert load["histogram"][0]["peers_free"] == 1

    # The page shows the API's figures, each said in words beside the distribution.
    client.force_login(world.staff)
    page = client.get("/programme/", MARCH).content.decode()
    spread = page.split('id="spread"')[1].split("</dl>")[0]
    for group in load["spread"]:
        assert f"{group['label']} ({group['peers']})" in spread
        assert f"<strong>{group['gini']:.2f}</strong>" in spread
        assert group["meaning"] in spread
    glance = page.split("Spread of the peers' work")[1].split("</dd>")[0]
    assert "0.29 over every eligible peer (6)" in glance
    assert "0.15 over peers seated at least once (5)" in glance


def test_a_facilitators_sessions_do_not_change_the_peers_spread(api_client, client, world):
    """The LGA facilitators sit only in the lead's seat, one to a panel: their sessions are
    counted in a pool of their own, never in the member and officer peers' spread."""
    before = figures(api_client, world.staff)["load"]
    home = make_council("Lead Home Council", region=Region.LONDON)
    ivy = make_peer(
        kind=PeerKind.FACILITATOR, name="Ivy Lead", home_council=home, monthly_session_cap=4
    )
    make_peer(kind=PeerKind.FACILITATOR, name="Jo Lead", home_council=home)
    # Ivy leads the three panels going ahead in March (and the cancelled one, withdrawn).
    for key in ("b1", "b2", "b3"):
        _seat(world.bookings[key].sessions.get(), "LGA lead", ivy, SeatStatus.ACCEPTED)
    _seat(world.bookings["b4"].sessions.get(), "LGA lead", ivy, SeatStatus.WITHDRAWN)

    load = figures(api_client, world.staff)["load"]
    facilitators = load.pop("facilitators")
    before.pop("facilitators")
    # The peers' figures are as they were: Alice 2, Bob 2, Carol 2, Dave 0, Eve 1, Fay 1.
    assert load == before
    assert (load["eligible_peers"], load["gini"]) == (6, pytest.approx(0.292))
    assert "Ivy Lead" not in [row["name"] for row in load["most_loaded"]]

    # The facilitators' own: Ivy 3, Jo 0. Neither has weekly hours, so only Ivy, seated,
    # had time free.
    assert (facilitators["eligible_peers"], facilitators["peers_used"]) == (2, 1)
    assert facilitators["share_used"] == pytest.approx(0.5)
    assert facilitators["gini"] == pytest.approx(0.5)
    assert [(g["over"], g["label"], g["peers"], g["gini"]) for g in facilitators["spread"]] == [
        ("eligible", "Every eligible facilitator", 2, pytest.approx(0.5)),
        ("free", "Facilitators who had time free", 1, 0.0),
        ("used", "Facilitators seated at least once", 1, 0.0),
    ]
    assert [
        (bar["sessions"], bar["peers"], bar["peers_free"]) for bar in facilitators["histogram"]
    ] == [("0", 1, 0), ("1", 0, 0), ("2", 0, 0), ("3", 1, 1), ("4", 0, 0), ("5 or more", 0, 0)]
    assert [
        (row["name"], row["sessions"], row["busiest_month_sessions"], row["share_of_cap"])
        for row in facilitators["most_loaded"]
    ] == [("Ivy Lead", 3, 3, 0.75)]

    # The page shows both, each beside the distribution it is measured on.
    client.force_login(world.staff)
    page = client.get("/programme/", MARCH).content.decode()
    peers = page.split('id="spread"')[1].split("</dl>")[0]
    assert "Every eligible peer (6)" in peers and "<strong>0.29</strong>" in peers
    theirs = page.split('id="facilitators-spread"')[1].split("</dl>")[0]
    for group in facilitators["spread"]:
        assert f"{group['label']} ({group['peers']})" in theirs
        assert f"<strong>{group['gini']:.2f}</strong>" in theirs
        assert group["meaning"] in theirs
    assert "column &ldquo;Eligible facilitators&rdquo;" in theirs
    table = page.split("The distribution the facilitators' spread is measured on")[1]
    table = table.split("</table>")[0]
    assert (
        '<th scope="row" class="govuk-table__header">3</th><td class="govuk-table__cell govuk-table__cell--numeric">1</td>'
        in table
    )
    loaded = page.split("The most loaded facilitators against their monthly caps")[1]
    assert "Ivy Lead" in loaded.split("</table>")[0]
    glance = page.split("Spread of the LGA facilitators' work")[1].split("</dd>")[0]
    assert "0.50 over every eligible facilitator (2)" in glance
    assert "0.00 over facilitators seated at least once (1)" in glance

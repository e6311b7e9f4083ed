"""Date overrides and leave may not be put in the past, through the API or the page: one rule,
in the peer's own zone. Past entries a peer already has, sent back unchanged, are kept."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from peers.models import DateOverride, Leave, WeeklyWindow
from peers.services import availability_update
from tests.factories import bearer, make_peer, make_user

pytestmark = pytest.mark.django_db

PAST_OVERRIDE = "Date must be today or in the future."
PAST_LEAVE = "Last day of leave must be today or in the future."


def today_in(zone: str) -> date:
    return datetime.now(ZoneInfo(zone)).date()


@pytest.fixture
def peer_user():
    user = make_user()
    make_peer(user=user, time_zone="Europe/London")
    return user


def body(**changes):
    return {
        "time_zone": "Europe/London",
        "weekly": [{"weekday": d, "start": "09:00", "end": "17:00"} for d in range(5)],
        "overrides": [],
        "leave": [],
        "monthly_session_cap": 4,
        "monthly_hours_cap": 12,
        **changes,
    }


def put(api_client, user, payload):
    return api_client.put("/peers/me/availability", json=payload, headers=bearer(user))


def errors(response) -> dict:
    assert response.status_code == 422, response.json()
    return {item["loc"][-1]: item["msg"] for item in response.json()["detail"]}


def test_a_past_override_is_422_naming_it_and_nothing_is_saved(api_client, peer_user):
    yesterday = today_in("Europe/London") - timedelta(days=1)
    response = put(
        api_client,
        peer_user,
        body(
            weekly=[{"weekday": 0, "start": "10:00", "end": "11:00"}],
            overrides=[
                {"date": (yesterday + timedelta(days=9)).isoformat(), "windows": []},
                {"date": yesterday.isoformat(), "windows": []},
            ],
        ),
    )
    assert errors(response) == {"overrides[1].date": PAST_OVERRIDE}
    assert not DateOverride.objects.exists()
    assert not WeeklyWindow.objects.exists()


def test_leave_that_has_ended_is_422_and_leave_still_running_is_saved(api_client, peer_user):
    today = today_in("Europe/London")
    ended = {
        "first_day": (today - timedelta(days=5)).isoformat(),
        "last_day": (today - timedelta(days=1)).isoformat(),
    }
    response = put(api_client, peer_user, body(leave=[ended]))
    assert errors(response) == {"leave[0].last_day": PAST_LEAVE}
    assert not Leave.objects.exists()

    running = {"first_day": ended["first_day"], "last_day": today.isoformat(), "note": ""}
    response = put(api_client, peer_user, body(leave=[running]))
    assert response.status_code == 200, response.json()
    assert response.json()["leave"] == [running]


def test_today_is_the_peers_own_today_in_the_zone_being_saved(api_client, peer_user):
    # Kiritimati is 25 hours ahead of Pago Pago: its yesterday is today or tomorrow there.
    day = today_in("Pacific/Kiritimati") - timedelta(days=1)
    overrides = [{"date": day.isoformat(), "windows": []}]
    response = put(api_client, peer_user, body(time_zone="Pacific/Kiritimati", overrides=overrides))
    assert errors(response) == {"overrides[0].date": PAST_OVERRIDE}

    response = put(api_client, peer_user, body(time_zone="Pacific/Pago_Pago", overrides=overrides))
    assert response.status_code == 200, response.json()

    # Today in Pago Pago is accepted there, though it may be yesterday in London.
    today = today_in("Pacific/Pago_Pago").isoformat()
    response = put(
        api_client,
        peer_user,
        body(time_zone="Pacific/Pago_Pago", overrides=[{"date": today, "windows": []}]),
    )
    assert response.status_code == 200, response.json()


@pytest.fixture
def peer_with_a_past(peer_user):
    """A peer whose override and leave were saved ahead of time and have since gone by."""
    peer = peer_user.peer
    today = today_in("Europe/London")
    DateOverride.objects.create(
        peer=peer, date=today - timedelta(days=6), windows=[["10:00", "12:00"]]
    )
    Leave.objects.create(
        peer=peer,
        first_day=today - timedelta(days=9),
        last_day=today - timedelta(days=7),
        note="Half term",
    )
    return peer_user


def test_past_entries_sent_back_unchanged_are_kept(api_client, peer_with_a_past):
    current = api_client.get("/peers/me/availability", headers=bearer(peer_with_a_past)).json()
    current.pop("busy_calendar")
    next_month = (today_in("Europe/London") + timedelta(days=30)).isoformat()
    current["overrides"].append({"date": next_month, "windows": []})
    current["weekly"] = [{"weekday": 2, "start": "13:00", "end": "15:00"}]

    response = put(api_client, peer_with_a_past, current)

    assert response.status_code == 200, response.json()
    assert response.json()["overrides"] == current["overrides"]
    assert response.json()["leave"] == current["leave"]
    assert DateOverride.objects.count() == 2
    assert Leave.objects.get().note == "Half term"
    assert WeeklyWindow.objects.get().weekday == 2


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (lambda a: a["overrides"][0]["windows"].clear(), "overrides[0].date", PAST_OVERRIDE),
        (lambda a: a["leave"][0].update(note="Holiday"), "leave[0].last_day", PAST_LEAVE),
        (lambda a: a["leave"].append(dict(a["leave"][0])), "leave[1].last_day", PAST_LEAVE),
        (
            lambda a: a["leave"][0].update(first_day=a["leave"][0]["last_day"]),
            "leave[0].last_day",
            PAST_LEAVE,
        ),
    ],
    ids=["override's hours changed", "note changed", "sent twice", "days changed"],
)
def test_past_entries_that_are_changed_or_added_again_are_refused(
    api_client, peer_with_a_past, change, field, message
):
    current = api_client.get("/peers/me/availability", headers=bearer(peer_with_a_past)).json()
    current.pop("busy_calendar")
    change(current)
    assert errors(put(api_client, peer_with_a_past, current)) == {field: message}
    assert DateOverride.objects.get().windows == [["10:00", "12:00"]]
    assert Leave.objects.get().note == "Half term"


def test_past_entries_may_be_left_out(api_client, peer_with_a_past):
    response = put(api_client, peer_with_a_past, body())
    assert response.status_code == 200, response.json()
    assert not DateOverride.objects.exists()
    assert not Leave.objects.exists()


def test_the_service_keeps_past_entries_through_a_partial_change(peer_with_a_past):
    availability_update(peer=peer_with_a_past.peer, monthly_session_cap=2)
    assert DateOverride.objects.count() == Leave.objects.count() == 1


# The page says the same through the same rule.


@pytest.fixture
def page_client(client, peer_with_a_past):
    client.force_login(peer_with_a_past)
    return client


def test_the_page_saves_hours_and_new_dates_while_past_ones_are_listed(page_client):
    response = page_client.post("/availability/", {"action": "hours", "day_0": "09:00-12:00"})
    assert response.status_code == 302
    soon = today_in("Europe/London") + timedelta(days=4)
    response = page_client.post(
        "/availability/", {"action": "override", "date": soon.isoformat(), "hours": ""}
    )
    assert response.status_code == 302
    response = page_client.post(
        "/availability/",
        {"action": "leave", "first_day": soon.isoformat(), "last_day": soon.isoformat()},
    )
    assert response.status_code == 302
    assert DateOverride.objects.count() == Leave.objects.count() == 2


def test_the_page_refuses_changing_a_past_override(page_client):
    past = DateOverride.objects.get().date
    html = page_client.post(
        "/availability/", {"action": "override", "date": past.isoformat(), "hours": ""}
    ).content.decode()
    assert "There is a problem" in html
    assert '<a href="#id_date_day">' in html
    assert PAST_OVERRIDE in html
    assert DateOverride.objects.get().windows == [["10:00", "12:00"]]


def test_the_page_refuses_leave_ended_in_the_peers_own_zone(client):
    user = make_user()
    make_peer(user=user, time_zone="Pacific/Kiritimati")
    client.force_login(user)
    day = today_in("Pacific/Kiritimati") - timedelta(days=1)
    html = client.post(
        "/availability/",
        {"action": "leave", "first_day": day.isoformat(), "last_day": day.isoformat()},
    ).content.decode()
    assert '<a href="#id_last_day_day">' in html
    assert PAST_LEAVE in html
    assert not Leave.objects.exists()

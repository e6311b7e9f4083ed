"""The day/month/year date input, through the availability page's forms and Django's client."""

import re
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest

from peers.models import DateOverride, Leave
from tests.factories import make_peer, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def peer_client(client):
    user = make_user()
    peer = make_peer(user=user, time_zone="Europe/London")
    client.force_login(user)
    client.peer = peer
    return client


def override(client, **parts):
    data = {"action": "override", "hours": "10:00-12:00"}
    data.update({f"date_{name}": value for name, value in parts.items()})
    return client.post("/availability/", data)


class Ids(HTMLParser):
    """Every id on a page, and every id that an aria-describedby points at."""

    def __init__(self):
        super().__init__()
        self.ids, self.described_by = set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if attrs.get("aria-describedby"):
            self.described_by.extend(attrs["aria-describedby"].split())


def missing_ids(html: str) -> set[str]:
    parser = Ids()
    parser.feed(html)
    return set(parser.described_by) - parser.ids


def test_a_date_typed_as_day_month_and_year_is_saved(peer_client):
    soon = date.today() + timedelta(days=9)
    response = override(peer_client, day=str(soon.day), month=str(soon.month), year=str(soon.year))
    assert response.status_code == 302
    assert DateOverride.objects.get().date == soon


def test_leading_zeros_and_spaces_are_fine(peer_client):
    soon = date.today() + timedelta(days=9)
    response = override(
        peer_client, day=f" {soon.day:02d}", month=f"{soon.month:02d} ", year=str(soon.year)
    )
    assert response.status_code == 302
    assert DateOverride.objects.get().date == soon


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        ({}, "Enter the date you want different hours on."),
        ({"day": "", "month": "", "year": ""}, "Enter the date you want different hours on."),
        ({"day": "3", "month": "", "year": "2027"}, "Date must include a month."),
        ({"day": "3", "month": "", "year": ""}, "Date must include a month and a year."),
        ({"day": "", "month": "4", "year": "2027"}, "Date must include a day."),
        ({"day": "31", "month": "2", "year": "2027"}, "Date must be a real date, for example"),
        ({"day": "3", "month": "13", "year": "2027"}, "Date must be a real date, for example"),
        ({"day": "three", "month": "4", "year": "2027"}, "Date must be a real date, for example"),
        ({"day": "3", "month": "4", "year": "27"}, "The year of the date must have 4 numbers"),
        ({"day": "1", "month": "1", "year": "2020"}, "Date must be today or in the future."),
    ],
)
def test_a_bad_date_is_refused_with_a_sentence_naming_the_field(peer_client, parts, message):
    response = override(peer_client, **parts)
    html = response.content.decode()
    assert response.status_code == 200
    assert not DateOverride.objects.exists()
    assert "There is a problem" in html
    assert '<a href="#id_date_day">' in html  # the summary links to the first box
    assert message in html
    assert 'class="govuk-form-group govuk-form-group--error"' in html
    assert not missing_ids(html)


def test_what_was_typed_is_shown_back_after_an_error(peer_client):
    html = override(peer_client, day="31", month="2", year="2027").content.decode()
    assert re.search(r'name="date_day"[^>]*value="31"', html)
    assert re.search(r'name="date_month"[^>]*value="2"', html)
    assert re.search(r'name="date_year"[^>]*value="2027"', html)


def test_the_three_boxes_are_labelled_and_grouped_under_the_question(peer_client):
    html = peer_client.get("/availability/").content.decode()
    for part in ("day", "month", "year"):
        assert f'<label class="govuk-label govuk-date-input__label" for="id_date_{part}">' in html
        assert f'id="id_date_{part}" name="date_{part}" type="text" inputmode="numeric"' in html
    assert (
        '<fieldset class="govuk-fieldset" role="group" aria-describedby="id_date_helptext">' in html
    )
    assert not missing_ids(html)


def test_today_in_the_peers_own_zone_is_allowed(peer_client):
    peer_client.peer.time_zone = "Pacific/Auckland"
    peer_client.peer.save()
    today_there = datetime.now(ZoneInfo("Pacific/Auckland")).date()
    response = override(
        peer_client,
        day=str(today_there.day),
        month=str(today_there.month),
        year=str(today_there.year),
    )
    assert response.status_code == 302


def test_a_whole_date_in_a_link_is_read_too(peer_client):
    soon = date.today() + timedelta(days=5)
    response = peer_client.post(
        "/availability/", {"action": "override", "date": soon.isoformat(), "hours": ""}
    )
    assert response.status_code == 302
    assert DateOverride.objects.get().date == soon


def test_leave_that_has_already_ended_is_refused(peer_client):
    past = date.today() - timedelta(days=3)
    html = peer_client.post(
        "/availability/",
        {
            "action": "leave",
            "first_day": (past - timedelta(days=4)).isoformat(),
            "last_day": past.isoformat(),
        },
    ).content.decode()
    assert "Last day of leave must be today or in the future." in html
    assert not Leave.objects.exists()


def test_leave_that_has_started_but_not_ended_is_kept(peer_client):
    today = date.today()
    response = peer_client.post(
        "/availability/",
        {
            "action": "leave",
            "first_day_day": str((today - timedelta(days=2)).day),
            "first_day_month": str((today - timedelta(days=2)).month),
            "first_day_year": str((today - timedelta(days=2)).year),
            "last_day_day": str((today + timedelta(days=2)).day),
            "last_day_month": str((today + timedelta(days=2)).month),
            "last_day_year": str((today + timedelta(days=2)).year),
        },
    )
    assert response.status_code == 302
    assert Leave.objects.get().last_day == today + timedelta(days=2)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "buffer_minutes",
            "241",
            "The free minutes before and after each session must be 240 or fewer.",
        ),
        ("monthly_hours_cap", "lots", "Enter the most hours a month as a whole number, such as 4."),
        ("time_zone", "Mars/Olympus", "Choose a time zone from the list."),
    ],
)
def test_settings_errors_are_sentences_naming_the_field(peer_client, field, value, message):
    data = {
        "action": "settings",
        "time_zone": "Europe/London",
        "nation": "england",
        "monthly_session_cap": "4",
        "monthly_hours_cap": "10",
        "buffer_minutes": "30",
        field: value,
    }
    html = peer_client.post("/availability/", data).content.decode()
    assert message in html
    assert "Ensure this value" not in html
    assert not missing_ids(html)


def test_the_time_zone_list_starts_with_uk_time_and_common_zones(peer_client):
    html = peer_client.get("/availability/").content.decode()
    options = re.findall(r'<option value="([^"]+)"', html[html.index('name="time_zone"') :])
    assert options[0] == "Europe/London"
    assert options[:4] == ["Europe/London", "Europe/Dublin", "Europe/Paris", "Europe/Lisbon"]
    assert options.count("Europe/London") == 1
    assert "Africa/Abidjan" in options[10:]
    assert '<optgroup label="Common time zones">' in html
    # Canonical zones only, each with a label a person reads; no outdated alias.
    assert "Africa/Asmara" in options and "Africa/Asmera" not in options
    assert not {"US/Eastern", "GB", "Etc/GMT+5", "Europe/Kiev"} & set(options)
    assert '<option value="Africa/Asmara">Eritrea: Asmara</option>' in html
    assert (
        '<option value="America/Detroit">United States: Detroit (Eastern - MI (most areas))'
        "</option>" in html
    )


def test_an_old_time_zone_name_is_refused_with_the_zone_it_now_means(peer_client):
    data = {
        "action": "settings",
        "time_zone": "Africa/Asmera",
        "nation": "england",
        "monthly_session_cap": "2",
        "monthly_hours_cap": "10",
        "buffer_minutes": "30",
    }
    html = peer_client.post("/availability/", data).content.decode()
    assert "Choose a time zone from the list." in html
    peer_client.peer.refresh_from_db()
    assert peer_client.peer.time_zone == "Europe/London"

    # A zone saved under an old name before is shown and saved as the zone it now means.
    peer_client.peer.time_zone = "Asia/Calcutta"
    peer_client.peer.save()
    html = peer_client.get("/availability/").content.decode()
    assert '<option value="Asia/Kolkata" selected>' in html
    assert (
        peer_client.post("/availability/", {**data, "time_zone": "Asia/Kolkata"}).status_code == 302
    )
    peer_client.peer.refresh_from_db()
    assert peer_client.peer.time_zone == "Asia/Kolkata"


@pytest.mark.parametrize(
    ("path", "query", "message"),
    [
        ("/", {"programme": "astrology"}, "Choose a programme from the list."),
        ("/councils/", {"region": "atlantis"}, "Choose a region from the list."),
        ("/councils/", {"council_type": "parish"}, "Choose a type of council from the list."),
    ],
)
def test_filter_errors_are_sentences(peer_client, path, query, message):
    html = peer_client.get(path, query).content.decode()
    assert "There is a problem" in html
    assert message in html
    assert "Select a valid choice" not in html
    assert not missing_ids(html)

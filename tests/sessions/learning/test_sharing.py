"""Sharing with the sector: an anonymous point enters the library once the LGA lead checks its
wording; a named one once the council's booker agrees on a page showing exactly what would be
published; a change takes it out again; the library filters by theme, council type, region
and date; history records each step."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from peers.selectors import caller_for
from sessions.learning import services
from sessions.learning.models import LearningPoint, Visibility
from tests.factories import bearer
from tests.sessions.learning.points import give, published, words

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_broker")]


def library_ids(api_client, user, query: str = "") -> list[int]:
    answer = api_client.get(f"/learning{query}", headers=bearer(user))
    assert answer.status_code == 200, answer.json()
    return [item["id"] for item in answer.json()["items"]]


def test_the_lead_checks_an_anonymous_point_before_it_is_published(pool, roles, panel, api_client):
    point = give(panel, roles, Visibility.ANONYMOUS)
    assert library_ids(api_client, pool.other_booker) == []
    with pytest.raises(PermissionDenied):
        services.point_check(point=point, caller=caller_for(roles.booker))
    client = Client()
    client.force_login(roles.lga_lead)
    page = client.get(f"/learning/points/{point.pk}/").content.decode()
    assert "It names no council: publish it" in page
    assert client.post(f"/learning/points/{point.pk}/check/").status_code == 302
    point.refresh_from_db()
    assert point.checked_by == roles.lga_lead and point.published_at is not None
    assert library_ids(api_client, pool.other_booker) == [point.pk]


def test_the_booker_agrees_on_a_page_showing_exactly_what_would_be_published(
    pool, roles, panel, api_client
):
    point = give(panel, roles, Visibility.NAMED)
    client = Client()
    client.force_login(pool.other_booker)
    assert client.get(f"/learning/points/{point.pk}/agree/").status_code == 404
    assert client.post(f"/learning/points/{point.pk}/agree/").status_code == 404
    client.force_login(roles.lga_lead)
    assert client.get(f"/learning/points/{point.pk}/agree/").status_code == 403

    client.force_login(roles.booker)
    booking_page = client.get(f"/bookings/{panel.booking.pk}/").content.decode()
    assert "waiting for the council to agree to be named" in booking_page
    page = client.get(f"/learning/points/{point.pk}/agree/").content.decode()
    for shown in (point.doing, point.why, "Wigan Council", "Financial planning and viability"):
        assert shown in page
    assert client.post(f"/learning/points/{point.pk}/agree/").status_code == 302
    point.refresh_from_db()
    assert point.agreed_by == roles.booker and point.published_at is not None
    item = api_client.get("/learning", headers=bearer(pool.other_booker)).json()["items"][0]
    assert (item["id"], item["council"], item["doing"]) == (point.pk, "Wigan Council", point.doing)


def test_a_change_takes_a_point_out_of_the_library_until_agreed_again(
    pool, roles, panel, api_client
):
    point = published(panel, roles, Visibility.NAMED)
    services.point_change(
        point=point,
        words=words(Visibility.NAMED, why="Changed after the council agreed."),
        caller=caller_for(roles.peer),
    )
    point.refresh_from_db()
    assert point.published_at is None and point.agreed_at is None
    assert library_ids(api_client, pool.other_booker) == []
    with pytest.raises(PermissionDenied):
        services.point_change(point=point, words=words(), caller=caller_for(roles.lga_lead))
    reasons = [r.history_change_reason for r in point.history.order_by("history_date")]
    assert reasons == [None, "The council agreed to be named", None]


def test_the_library_filters_by_theme_council_type_region_and_date(pool, roles, panel, api_client):
    finance = published(panel, roles, Visibility.ANONYMOUS)
    digital = published(
        panel, roles, Visibility.ANONYMOUS, theme="digital", doing="Resident accounts online."
    )
    day = panel.lead_seat.session.start.date()
    user = pool.other_booker
    assert set(library_ids(api_client, user)) == {finance.pk, digital.pk}
    assert library_ids(api_client, user, "?theme=digital") == [digital.pk]
    assert library_ids(api_client, user, "?q=budgets+residents") == [finance.pk]  # stemmed
    assert library_ids(api_client, user, "?q=online&theme=finance") == []
    assert len(library_ids(api_client, user, "?council_type=metropolitan&region=north-west")) == 2
    assert library_ids(api_client, user, "?council_type=county") == []
    assert library_ids(api_client, user, "?region=wales") == []
    assert len(library_ids(api_client, user, f"?from={day}&to={day}")) == 2
    assert library_ids(api_client, user, f"?from={day + timedelta(days=1)}") == []
    assert library_ids(api_client, user, f"?to={day - timedelta(days=1)}") == []
    assert api_client.get("/learning?theme=nonsense", headers=bearer(user)).status_code == 422
    # Words that look like the search's own syntax are only words.
    assert library_ids(api_client, user, "?q=%22budget%22+OR+NEAR(*)") == []

    client = Client()
    client.force_login(user)
    page = client.get("/learning/?theme=digital").content.decode()
    assert "Resident accounts online." in page and finance.doing not in page


def test_points_are_given_only_for_an_accepted_seat_after_the_session(
    pool, roles, panel, time_machine
):
    time_machine.move_to(panel.lead_seat.session.start, tick=False)
    with pytest.raises(services.LearningClosed):
        services.point_give(seat=panel.lead_seat, words=words(), caller=caller_for(roles.peer))
    assert not LearningPoint.objects.exists()


def test_my_sessions_lists_the_points_the_lead_is_to_check(pool, roles, panel):
    point = give(panel, roles, Visibility.ANONYMOUS)
    client = Client()
    client.force_login(roles.lga_lead)
    page = client.get("/my-sessions/").content.decode()
    assert "Learning points to check" in page and f"/learning/points/{point.pk}/" in page
    services.point_check(point=point, caller=caller_for(roles.lga_lead))
    assert "Learning points to check" not in client.get("/my-sessions/").content.decode()
    client.force_login(roles.peer)  # a member peer checks nothing
    assert "Learning points to check" not in client.get("/my-sessions/").content.decode()

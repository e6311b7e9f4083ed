"""Each visibility against each role, through the API, the pages and the search: a point is
read only by those its visibility names, and another council's booker finds nothing of an
unshared point anywhere (404, and no result)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from sessions.learning.models import Visibility
from tests.factories import bearer
from tests.sessions.learning.points import give, published

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_broker")]

ROLES = (
    "staff", "adviser", "other_adviser", "booker", "other_booker", "peer", "lga_lead",
    "councillor", "signed_out",
)  # fmt: skip
Y, N = True, False
# fmt: off
READS = {  # who reads the point itself: staff, adviser, other_adv, booker, other_bk, peer, lead, cllr, out
    "panel":               (Y, Y, N, Y, N, Y, Y, N, N),
    "lga":                 (Y, Y, N, N, N, Y, Y, N, N),
    "anonymous-unchecked": (Y, Y, N, Y, N, Y, Y, N, N),
    "anonymous":           (Y, Y, Y, Y, Y, Y, Y, N, N),
    "named-unagreed":      (Y, Y, N, Y, N, Y, Y, N, N),
    "named":               (Y, Y, Y, Y, Y, Y, Y, N, N),
}
# fmt: on
IN_LIBRARY = {"anonymous", "named"}
LIBRARY_READERS = (Y, Y, Y, Y, Y, Y, Y, N, N)
PANEL_PAGE_READERS = {"staff", "adviser", "booker", "peer", "lga_lead"}
SECRET = "Zephyrine"  # a word only the point under test uses
SHOWN = "pairing care leavers"  # its words as a page shows them (the query is in the form)


def point_at(case: str, panel, roles):
    doing = f"A {SECRET} scheme pairing care leavers with local employers."
    if case == "panel":
        return give(panel, roles, Visibility.PANEL, doing=doing)
    if case == "lga":
        return give(panel, roles, Visibility.LGA, doing=doing)
    if case == "anonymous-unchecked":
        return give(panel, roles, Visibility.ANONYMOUS, doing=doing)
    if case == "named-unagreed":
        return give(panel, roles, Visibility.NAMED, doing=doing)
    return published(
        panel, roles, Visibility.ANONYMOUS if case == "anonymous" else Visibility.NAMED, doing=doing
    )


def users(pool, roles) -> dict:
    return {
        "staff": roles.staff,
        "adviser": roles.adviser,
        "other_adviser": roles.other_adviser,
        "booker": roles.booker,
        "other_booker": pool.other_booker,
        "peer": roles.peer,
        "lga_lead": roles.lga_lead,
        "councillor": roles.councillor,
        "signed_out": AnonymousUser(),
    }


@pytest.mark.parametrize("case", sorted(READS))
def test_each_visibility_against_each_role(case, pool, roles, panel, api_client):
    point = point_at(case, panel, roles)
    for role, user, reads, reads_library in zip(
        ROLES, users(pool, roles).values(), READS[case], LIBRARY_READERS, strict=True
    ):
        signed_in = user.is_authenticated
        headers = bearer(user) if signed_in else {}
        # The API: the point, and the library's search for its one word.
        answer = api_client.get(f"/learning/points/{point.pk}", headers=headers)
        expected = 200 if reads else (404 if signed_in else 401)
        assert answer.status_code == expected, (role, answer.status_code)
        found = api_client.get(f"/learning?q={SECRET}", headers=headers)
        if reads_library:
            ids = [item["id"] for item in found.json()["items"]]
            assert ids == ([point.pk] if case in IN_LIBRARY else []), role
        else:
            assert found.status_code == (403 if signed_in else 401), role

        # The pages: the point, the library's search, and the booking's points.
        client = Client()
        if signed_in:
            client.force_login(user)
        page = client.get(f"/learning/points/{point.pk}/")
        assert page.status_code == (200 if reads else 404 if signed_in else 302), role
        library = client.get(f"/learning/?q={SECRET}")
        if reads_library:
            assert library.status_code == 200
            assert (SHOWN in library.content.decode()) == (case in IN_LIBRARY), role
        else:
            assert library.status_code == (403 if signed_in else 302), role
        booking_page = client.get(f"/bookings/{panel.booking.pk}/learning/")
        if role in PANEL_PAGE_READERS:
            assert booking_page.status_code == 200, role
            assert (SHOWN in booking_page.content.decode()) == reads, role
        else:
            assert booking_page.status_code == (404 if signed_in else 302), role
        # Read from the library, an anonymous point names no council, nor its booking.
        if reads and case == "anonymous" and role in ("other_booker", "other_adviser"):
            assert "Wigan" not in page.content.decode()
            assert answer.json()["booking"] is None


def test_an_anonymous_item_names_no_council_and_a_named_one_does(pool, roles, panel, api_client):
    anonymous = published(panel, roles, Visibility.ANONYMOUS, doing="Anonymous Zephyrine work.")
    named = published(panel, roles, Visibility.NAMED, doing="Named Zephyrine work.")
    items = {
        item["id"]: item
        for item in api_client.get(
            f"/learning?q={SECRET}", headers=bearer(pool.other_booker)
        ).json()["items"]
    }
    assert items[anonymous.pk]["council"] is None
    assert items[named.pk]["council"] == "Wigan Council"
    assert items[anonymous.pk]["offer"] == panel.booking.offer.title
    client = Client()
    client.force_login(pool.other_booker)
    page = client.get("/learning/?q=anonymous").content.decode()
    assert "Anonymous Zephyrine work." in page and "Wigan" not in page
    # The council's name finds nothing: the search never reads it.
    found = api_client.get("/learning?q=Wigan", headers=bearer(pool.other_booker)).json()
    assert found["items"] == []

"""The lead's page: a choice for each person, an error summary naming what to fix with
nothing recorded, and the links to it from the booking page and the lead's My sessions (only
once the session has started, and only for those who may record it)."""

import pytest

from sessions.attendance.models import Attendance

pytestmark = pytest.mark.django_db


def test_before_the_start_the_page_says_when_and_nobody_links_to_it(client, roles, session):
    client.force_login(roles.lga_lead)
    page = client.get(f"/sessions/{session.pk}/attendance/")
    assert page.status_code == 200
    assert "You can record who attended once the session has started, at 10:00" in page.text
    assert "Save attendance" not in page.text
    assert "Record who attended" not in client.get("/my-sessions/").text


def test_the_lead_records_on_the_page(client, roles, booking, session, seats, after):
    client.force_login(roles.lga_lead)
    url = f"/sessions/{session.pk}/attendance/"
    assert url in client.get("/my-sessions/").text
    assert url in client.get(f"/bookings/{booking.pk}/").text
    lead, member = seats["Lead member peer"], seats["Member peer"]

    refused = client.post(
        url, {f"seat-{lead.pk}-status": "stand_in", f"seat-{member.pk}-status": "absent"}
    )
    assert refused.status_code == 422
    assert "There is a problem" in refused.text
    assert (
        f'href="#id_seat-{lead.pk}-stand_in_name">Give the name of the stand-in who covered for '
        "Lead Labour (Lead member peer).</a>"
    ) in refused.text
    assert not Attendance.objects.exists()

    done = client.post(
        url,
        {
            f"seat-{lead.pk}-status": "stand_in",
            f"seat-{lead.pk}-stand_in_name": "Cllr Deputy",
            f"seat-{member.pk}-status": "absent",
        },
    )
    assert done.status_code == 302
    assert {(a.seat_id, a.status, a.stand_in_name) for a in Attendance.objects.all()} == {
        (lead.pk, "stand_in", "Cllr Deputy"),
        (member.pk, "absent", ""),
    }
    page = client.get(url).text
    assert "Attendance is recorded." in page
    assert 'value="stand_in" checked' in page


@pytest.mark.parametrize("who", ["booker", "peer"])
def test_the_councils_booker_and_a_peer_are_refused_and_not_linked(
    client, roles, booking, session, after, who
):
    client.force_login(getattr(roles, who))
    assert client.get(f"/sessions/{session.pk}/attendance/").status_code == 403
    page = client.get(f"/bookings/{booking.pk}/" if who == "booker" else "/my-sessions/").text
    assert "Record who attended" not in page

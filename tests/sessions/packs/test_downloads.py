"""Reading a booking's pre-reading: every download is checked against the rules each time (the
session's seated peers, the council's bookers and adviser, staff); everyone else is answered
404, as if it did not exist. A file goes as an attachment with its content's type and nosniff."""

import pytest
from django.urls import reverse

from peers.models import Peer
from sessions.models import Seat, SeatStatus
from tests.factories import make_booker, make_peer, make_user
from tests.sessions.packs.files import PDF, add, api, docx

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(client, booking, roles) -> dict:
    response = add(client, booking, roles.booker, "Budget 2027.pdf", PDF)
    assert response.status_code == 201, response.content
    return response.json()


def file_path(booking, document) -> str:
    return f"/bookings/{booking.pk}/documents/{document['id']}/file"


def test_each_reader_may_download(client, booking, roles, pool, document):
    booker_too = make_booker(pool.council, "second-wigan-booker")
    for reader in (roles.booker, booker_too, roles.adviser, roles.staff, roles.peer):
        response = api(client, "get", file_path(booking, document), reader)
        assert response.status_code == 200, reader
        assert b"".join(response.streaming_content) == PDF


def test_a_download_is_an_attachment_of_its_contents_type_never_sniffed(
    client, booking, roles, document
):
    response = api(client, "get", file_path(booking, document), roles.peer)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Budget 2027.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_a_word_file_goes_as_word(client, booking, roles):
    added = add(client, booking, roles.booker, "plan.pdf", docx()).json()
    response = api(client, "get", file_path(booking, added), roles.staff)
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert response["Content-Disposition"] == 'attachment; filename="plan.docx"'


def test_everyone_else_is_told_it_does_not_exist(client, booking, roles, pool, document):
    stranger_peer = make_user("not-on-the-panel")
    make_peer(name="Not On The Panel", user=stranger_peer)
    outsiders = {
        "another council's booker": pool.other_booker,
        "a peer not on the panel": stranger_peer,
        "another region's adviser": roles.other_adviser,
        "a councillor of the council": roles.councillor,
    }
    for who, user in outsiders.items():
        for path in (file_path(booking, document), f"/bookings/{booking.pk}/documents"):
            assert api(client, "get", path, user).status_code == 404, who
    # Not a document of this booking, or of no booking at all.
    assert (
        api(client, "get", f"/bookings/{booking.pk}/documents/999/file", roles.staff).status_code
        == 404
    )
    assert (
        api(
            client, "get", f"/bookings/999/documents/{document['id']}/file", roles.staff
        ).status_code
        == 404
    )


def test_signed_out_the_api_answers_401_and_the_page_asks_to_sign_in(client, booking, document):
    assert api(client, "get", file_path(booking, document)).status_code == 401
    page = client.get(f"/bookings/{booking.pk}/pre-reading/{document['id']}/")
    assert page.status_code == 302 and page["Location"].startswith(reverse("login"))


def test_a_peer_who_leaves_the_panel_can_no_longer_read(client, booking, roles, pool, document):
    """Checked at each download: the seat given up, the next download is refused."""
    assert api(client, "get", file_path(booking, document), roles.peer).status_code == 200
    Seat.objects.filter(peer=pool.lead).update(status=SeatStatus.DECLINED)
    assert api(client, "get", file_path(booking, document), roles.peer).status_code == 404
    Seat.objects.filter(peer=pool.lead).update(status=SeatStatus.ACCEPTED)
    Peer.objects.filter(pk=pool.lead.pk).update(is_active=False)
    assert api(client, "get", file_path(booking, document), roles.peer).status_code == 404


def test_the_list_says_who_may_remove_what(client, booking, roles, document):
    for user, may_remove in ((roles.booker, True), (roles.staff, True), (roles.peer, False)):
        (listed,) = api(client, "get", f"/bookings/{booking.pk}/documents", user).json()
        assert listed["name"] == "Budget 2027.pdf" and listed["may_remove"] is may_remove
        assert listed["url"] == f"/api{file_path(booking, document)}"


def test_the_page_download_keeps_the_same_rules(client, booking, roles, pool, document):
    path = f"/bookings/{booking.pk}/pre-reading/{document['id']}/"
    client.force_login(roles.peer)
    response = client.get(path)
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    client.force_login(pool.other_booker)
    assert client.get(path).status_code == 404
    assert client.get(f"/bookings/{booking.pk}/pre-reading/").status_code == 404

"""The pre-reading on the pages: the booking page lists the pack and takes an upload (with
the error summary when one is refused), My sessions counts it for the peer with a link, and
the pack's own page lists the documents to download."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sessions.packs.models import Document
from tests.sessions.packs.files import ELF, PDF, add, stored_files

pytestmark = pytest.mark.django_db


def page_text(response) -> str:
    return response.content.decode()


def test_the_booker_uploads_on_the_booking_page_and_sees_it_listed(client, booking, roles, storage):
    client.force_login(roles.booker)
    page = client.get(f"/bookings/{booking.pk}/")
    text = page_text(page)
    assert 'id="pre-reading"' in text and "No documents yet." in text
    assert 'enctype="multipart/form-data"' in text and 'class="govuk-file-upload"' in text

    response = client.post(
        f"/bookings/{booking.pk}/pre-reading/add/",
        {"file": SimpleUploadedFile("Budget 2027.pdf", PDF)},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"/bookings/{booking.pk}/#pre-reading"
    text = page_text(response)
    assert "Budget 2027.pdf is added to the pre-reading; the peers are told." in text
    document = Document.objects.get()
    assert f'href="/bookings/{booking.pk}/pre-reading/{document.pk}/"' in text
    assert "PDF, 1 KB" in text and "Remove<span" in text

    response = client.post(f"/bookings/{booking.pk}/pre-reading/{document.pk}/remove/", follow=True)
    assert "Budget 2027.pdf is removed from the pre-reading." in page_text(response)
    assert not Document.objects.exists()


def test_a_refused_upload_shows_the_error_summary_and_keeps_nothing(
    client, booking, roles, storage
):
    client.force_login(roles.booker)
    response = client.post(
        f"/bookings/{booking.pk}/pre-reading/add/",
        {"file": SimpleUploadedFile("agenda.pdf", ELF)},
    )
    assert response.status_code == 200
    text = page_text(response)
    assert "<title>Error:" in text and "govuk-error-summary" in text
    assert '<a href="#id_file">The selected file must be a PDF, Word, Excel' in text
    assert "govuk-file-upload--error" in text
    assert not Document.objects.exists() and stored_files(storage) == []

    empty = client.post(f"/bookings/{booking.pk}/pre-reading/add/", {})
    assert "Select a document to add." in page_text(empty)


def test_my_sessions_counts_the_pack_with_a_link(client, booking, roles):
    client.force_login(roles.peer)
    assert "Pre-reading" not in page_text(client.get("/my-sessions/"))
    for name in ("a.pdf", "b.pdf", "c.pdf"):
        add(client, booking, roles.booker, name, PDF)
    text = page_text(client.get("/my-sessions/"))
    assert "Pre-reading</dt>" in text
    assert f'<a class="govuk-link" href="/bookings/{booking.pk}/pre-reading/">3 documents' in text


def test_the_peer_reads_the_pack_page_without_the_booking_page(client, booking, roles):
    added = add(client, booking, roles.booker, "Budget 2027.pdf", PDF).json()
    client.force_login(roles.peer)
    assert client.get(f"/bookings/{booking.pk}/").status_code == 403
    text = page_text(client.get(f"/bookings/{booking.pk}/pre-reading/"))
    assert "Pre-reading: LGA Recovery &amp; Renewal Panel for Wigan Council" in text
    assert "1 document to read before the session." in text
    assert f'href="/bookings/{booking.pk}/pre-reading/{added["id"]}/"' in text
    assert "Remove" not in text and "multipart" not in text

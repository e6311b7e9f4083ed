"""Adding to a booking's pre-reading: the kinds taken are read from the content, whatever the
name; anything else, an empty file, one over the file limit or over the booking's is refused
with a sentence naming the limit, and nothing is kept (no row, no stored file)."""

import pytest

from sessions.packs.models import Document
from tests.sessions.packs.files import (
    ELF,
    HTML,
    MZ,
    PDF,
    add,
    api,
    docx,
    odt,
    stored_files,
    zipped,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "data", "content_type", "shown_as"),
    [
        ("Budget 2027.pdf", PDF, "application/pdf", "Budget 2027.pdf"),
        (
            "Plan.docx",
            docx(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "Plan.docx",
        ),
        ("Notes.odt", odt(), "application/vnd.oasis.opendocument.text", "Notes.odt"),
        # The zip's own `mimetype` member, when it is compressed and filetype cannot see it.
        (
            "Notes.odt",
            odt(compressed_mimetype=True),
            "application/vnd.oasis.opendocument.text",
            "Notes.odt",
        ),
        # A name that says otherwise: the content decides, and the name follows it.
        ("minutes.txt", PDF, "application/pdf", "minutes.pdf"),
    ],
)
def test_each_kind_is_taken_by_its_content(
    client,
    booking,
    roles,
    storage,
    django_capture_on_commit_callbacks,
    name,
    data,
    content_type,
    shown_as,
):
    response = add(client, booking, roles.booker, name, data, django_capture_on_commit_callbacks)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["content_type"], body["size"]) == (shown_as, content_type, len(data))
    document = Document.objects.get(pk=body["id"])
    assert document.uploaded_by == roles.booker
    # Kept under a name the service made up, not the uploader's.
    (kept,) = stored_files(storage)
    assert kept.read_bytes() == data
    assert name.rsplit(".", 1)[0] not in str(kept)
    assert kept.name.endswith("." + document.extension) and len(kept.stem) == 32


def test_a_name_is_kept_only_as_display_data_and_cleaned(client, booking, roles, storage):
    response = add(client, booking, roles.booker, "../../etc/\u202epasswd\x00 .pdf", PDF)
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "passwd.pdf"
    (kept,) = stored_files(storage)
    assert kept.is_relative_to(storage / "pre-reading" / str(booking.pk))


KIND_REFUSED = (
    "The selected file must be a PDF, Word, Excel, PowerPoint or OpenDocument file: its "
    "content is not one of those, whatever its name."
)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("agenda.pdf", ELF),  # a Linux executable renamed
        ("agenda.pdf", MZ),  # a Windows executable renamed
        ("agenda.pdf", HTML),  # a web page renamed
        ("agenda.docx", zipped([("a.txt", b"just a zip")])),  # a zip that is no document
        ("agenda.odt", zipped([("mimetype", b"application/epub+zip")])),
    ],
)
def test_another_kind_is_refused_and_nothing_is_kept(client, booking, roles, storage, name, data):
    response = add(client, booking, roles.booker, name, data)
    assert response.status_code == 422, response.content
    (error,) = response.json()["detail"]
    assert error == {"type": "rule", "loc": ["body", "file"], "msg": KIND_REFUSED}
    assert not Document.objects.exists() and stored_files(storage) == []


def test_an_empty_file_is_refused(client, booking, roles, storage):
    response = add(client, booking, roles.booker, "empty.pdf", b"")
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["msg"] == (
        "The selected file is empty. Choose a file with content."
    )
    assert not Document.objects.exists() and stored_files(storage) == []


def test_a_file_over_the_limit_is_refused_naming_it(client, booking, roles, storage, settings):
    settings.PACK_FILE_MAX_MB = 1
    big = PDF + b"%" + b"x" * (1024 * 1024)
    response = add(client, booking, roles.booker, "big.pdf", big)
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["msg"] == ("The selected file must be smaller than 1.0 MB.")
    assert not Document.objects.exists() and stored_files(storage) == []


def test_a_file_past_the_bookings_total_is_refused_naming_it(
    client, booking, roles, storage, settings
):
    settings.PACK_FILE_MAX_MB = 1
    settings.PACK_BOOKING_MAX_MB = 2
    part = PDF + b"%" + b"x" * (700 * 1024)
    for n in range(2):
        assert add(client, booking, roles.booker, f"part {n}.pdf", part).status_code == 201
    response = add(client, booking, roles.booker, "one too many.pdf", part)
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["msg"] == (
        "A booking's pre-reading may add up to 2.0 MB: this booking has 648 KB left, and the "
        "selected file is 700 KB. Remove a document or choose a smaller file."
    )
    assert Document.objects.count() == 2 and len(stored_files(storage)) == 2


def test_only_the_councils_bookers_the_lga_lead_and_staff_add(
    client, booking, roles, pool, storage
):
    # The peer and the adviser read the pack but do not add to it; another council's
    # booker is told the booking does not exist. The LGA lead adds the LGA's own briefing.
    assert add(client, booking, roles.peer, "a.pdf", PDF).status_code == 403
    assert add(client, booking, roles.adviser, "a.pdf", PDF).status_code == 403
    assert add(client, booking, pool.other_booker, "a.pdf", PDF).status_code == 404
    assert add(client, booking, roles.staff, "a.pdf", PDF).status_code == 201
    assert add(client, booking, roles.lga_lead, "briefing.pdf", PDF).status_code == 201
    assert add(client, booking, None, "a.pdf", PDF).status_code == 401
    assert Document.objects.count() == 2 and len(stored_files(storage)) == 2
    assert Document.objects.get(name="briefing.pdf").uploaded_by == roles.lga_lead


def test_a_cancelled_booking_takes_no_more(client, booking, roles, storage):
    booking.status = "cancelled"
    booking.save()
    response = add(client, booking, roles.booker, "a.pdf", PDF)
    assert response.status_code == 409, response.content
    assert "only while the booking stands" in response.json()["detail"]
    assert stored_files(storage) == []


def test_removing_deletes_the_row_and_the_file(
    client, booking, roles, storage, django_capture_on_commit_callbacks
):
    document = add(client, booking, roles.booker, "a.pdf", PDF).json()
    path = f"/bookings/{booking.pk}/documents/{document['id']}"
    # Only whoever added it, or staff.
    assert api(client, "delete", path, roles.peer).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        assert api(client, "delete", path, roles.booker).status_code == 204
    assert not Document.objects.exists() and stored_files(storage) == []
    assert api(client, "delete", path, roles.booker).status_code == 404
